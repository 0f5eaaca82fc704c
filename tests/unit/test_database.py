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


async def test_savepoints_travel_with_the_next_statement_and_roll_back_alone(
    storage: Storage,
) -> None:
    """A savepoint is sent with the first statement inside it (none when nothing ran in it);
    a failing one rolls back its own work only."""
    sent: list[str] = []
    await storage.db.connection.set_trace_callback(sent.append)
    async with storage.transaction():
        await storage.meta.set("kept", "1")
        async with storage.transaction():
            pass  # nothing ran: no SAVEPOINT, no RELEASE
        with pytest.raises(RuntimeError):
            async with storage.transaction():
                await storage.meta.set("undone", "1")
                raise RuntimeError("this update fails")
        async with storage.transaction():
            await storage.meta.set("inner", "1")
    await storage.db.connection.set_trace_callback(None)
    assert (await storage.meta.get("kept"), await storage.meta.get("inner")) == ("1", "1")
    assert await storage.meta.get("undone") is None
    control = [s.split()[0] for s in sent if s.split()[0] in ("SAVEPOINT", "RELEASE", "ROLLBACK")]
    assert control == ["SAVEPOINT", "ROLLBACK", "RELEASE", "SAVEPOINT", "RELEASE"]
