"""The database wrapper under cancellation: a task stopped at shutdown leaves no transaction
open for the next one."""

from __future__ import annotations

import asyncio

import pytest

from bot.storage import Storage


async def test_a_task_cancelled_while_beginning_leaves_no_transaction_open(
    storage: Storage,
) -> None:
    async def write() -> None:
        async with storage.transaction():
            await storage.meta.set("k", "never")

    task = asyncio.create_task(write())
    await asyncio.sleep(0)  # the task has handed BEGIN to the connection's thread
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with storage.transaction():
        await storage.meta.set("k", "v")
    assert await storage.meta.get("k") == "v"
