"""The database wrapper under cancellation: a task stopped at shutdown leaves no transaction
open for the next one."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

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


async def test_run_does_its_statements_in_the_connections_thread_inside_the_transaction(
    storage: Storage,
) -> None:
    """Database.run: several statements in one trip, off the event loop, and part of the
    caller's transaction (rolled back with it)."""
    loop_thread = threading.get_ident()

    def work(db: sqlite3.Connection) -> int:
        db.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
        db.execute("INSERT INTO meta (key, value) VALUES ('b', '2')")
        assert threading.get_ident() != loop_thread
        return int(db.execute("SELECT COUNT(*) FROM meta WHERE key IN ('a', 'b')").fetchone()[0])

    with pytest.raises(RuntimeError):
        async with storage.transaction():
            assert await storage.db.run(work) == 2
            raise RuntimeError("changed my mind")
    assert await storage.meta.get("a") is None
    async with storage.transaction():
        await storage.db.run(work)
    assert (await storage.meta.get("a"), await storage.meta.get("b")) == ("1", "2")


async def test_a_failing_statement_in_run_raises_and_the_connection_goes_on(
    storage: Storage,
) -> None:
    def broken(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO no_such_table VALUES (1)")

    with pytest.raises(sqlite3.OperationalError):
        async with storage.transaction():
            await storage.db.run(broken)
    assert await storage.db.fetch_value("SELECT 1") == 1
