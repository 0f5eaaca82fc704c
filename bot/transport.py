"""How the bot talks HTTP to the Bot API: python-telegram-bot's requests over aiohttp.

python-telegram-bot's default transport is httpx; `BaseRequest` is its documented way to use
another library. Measured against the emulator on the 2-core machine (issue 13): one
sendMessage costs the bot's process about 0.95 ms of CPU through httpx and 0.21 ms through
aiohttp, and every update costs at least one request: the transport was most of the bot's
time. python-telegram-bot still builds the requests and reads the answers (its errors,
`RetryAfter`, `Forbidden`, `BadRequest`…, come from its `BaseRequest`, not from here); this
class only moves bytes.

Nothing here logs a URL (a Bot API URL holds the token), and an error's text has the token
taken out before it becomes a `NetworkError` someone may log.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.logs import TOKEN

# python-telegram-bot's own defaults for HTTPXRequest, kept: 5 s to connect, write and read
# (getUpdates adds its long-poll timeout to the read), 1 s to get a connection from the pool.
READ_TIMEOUT = 5.0
WRITE_TIMEOUT = 5.0
CONNECT_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
# A file's upload: PTB's default for media (a caller may pass more, as the outbox does).
MEDIA_WRITE_TIMEOUT = 20.0
# Connections kept open to the Bot API: the sender's concurrent sends, a download, a poll.
CONNECTIONS = 64


def _seconds(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _without_token(text: str) -> str:
    return TOKEN.sub("<token>", text)


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` over one `aiohttp.ClientSession` (keep-alive connections, a pool)."""

    __slots__ = ("_connections", "_session")

    def __init__(self, connections: int = CONNECTIONS) -> None:
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return READ_TIMEOUT

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # Made here, in the running loop: a session belongs to the loop it was made in.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                # No total: a long poll or a big upload sets its own limits below.
                timeout=aiohttp.ClientTimeout(total=None),
                # Never read proxies or .netrc from the environment behind the admin's back.
                trust_env=False,
                raise_for_status=False,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data is not None else None
        fields = request_data.json_parameters if request_data is not None else {}
        data: aiohttp.FormData | dict[str, str] | None = fields or None
        if files:
            form = aiohttp.FormData(fields)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            data = form
        read = _seconds(read_timeout, READ_TIMEOUT)
        write = _seconds(write_timeout, MEDIA_WRITE_TIMEOUT if files else WRITE_TIMEOUT)
        connect = _seconds(connect_timeout, CONNECT_TIMEOUT)
        pool = _seconds(pool_timeout, POOL_TIMEOUT)
        # aiohttp has no write timeout: while a file goes up, no answer is read either, so the
        # read limit is the larger of the two. `connect` covers waiting for a free connection
        # and opening one.
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=max(read or 0.0, write or 0.0) if files else read,
        )
        try:
            async with session.request(
                method,
                url,
                data=data,
                headers={"User-Agent": self.USER_AGENT},
                timeout=timeout,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            # The class name says what failed when the message is empty; the URL holds the
            # token, and some aiohttp errors quote it.
            raise NetworkError(
                _without_token(f"aiohttp.{type(error).__name__}: {error}")
            ) from error
