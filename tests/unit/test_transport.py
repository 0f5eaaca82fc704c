"""The aiohttp transport under failure (issue 13): python-telegram-bot's errors come out, and
never the token."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData

from bot.transport import AiohttpRequest

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmnop"


@pytest.fixture
async def request_() -> AsyncIterator[AiohttpRequest]:
    transport = AiohttpRequest()
    await transport.initialize()
    yield transport
    await transport.shutdown()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_nobody_listening_is_a_network_error_without_the_token(
    request_: AiohttpRequest,
) -> None:
    url = f"http://127.0.0.1:{free_port()}/bot{TOKEN}/sendMessage"
    with pytest.raises(NetworkError) as raised:
        await request_.post(url, RequestData())
    assert not isinstance(raised.value, TimedOut)
    assert TOKEN not in str(raised.value)
    assert "aiohttp." in str(raised.value)


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[int]:
    """A raw TCP server on a free local port, for the port."""
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        server.close()
        with contextlib.suppress(Exception):
            await server.wait_closed()


async def hang_up(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(Exception):
        await writer.wait_closed()


async def test_a_server_that_never_answers_times_out(request_: AiohttpRequest) -> None:
    done = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)  # takes the request, says nothing
        await done.wait()
        await hang_up(writer)

    async with serving(silent) as port:
        try:
            with pytest.raises(TimedOut):
                await request_.post(
                    f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", RequestData(), read_timeout=0.2
                )
        finally:
            done.set()
            await asyncio.sleep(0.05)


async def test_an_answer_comes_back_as_status_and_body(request_: AiohttpRequest) -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        body = b'{"ok": false, "error_code": 400, "description": "Bad Request: nope"}'
        writer.write(
            b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
        await writer.drain()
        await hang_up(writer)

    async with serving(answer) as port:
        status, body = await request_.do_request(
            f"http://127.0.0.1:{port}/bot{TOKEN}/sendMessage", "POST", RequestData()
        )
    assert status == 400
    assert b"Bad Request: nope" in body


async def test_a_transport_not_initialized_says_so() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:1/", "POST")
