"""The database side of group commit (issue 13): wake-ups after the commit, a lost transaction."""

from __future__ import annotations

import sqlite3

import pytest

from bot.storage import Storage
from tests.helpers.clock import FakeClock


async def test_after_commit_runs_once_the_outer_transaction_commits(
    storage: Storage, clock: FakeClock
) -> None:
    woken: list[str] = []

    def wake() -> None:
        woken.append("wake")

    storage.db.after_commit(wake)
    assert woken == ["wake"]  # no transaction: at once
    woken.clear()
    async with storage.transaction():
        async with storage.transaction():
            await storage.users.touch(1, "fr", clock.now())
            storage.db.after_commit(wake)
        storage.db.after_commit(wake)
        assert woken == []  # not before the commit, however nested
    assert woken == ["wake"]  # once, however often asked


async def test_after_commit_never_runs_for_a_rollback(storage: Storage, clock: FakeClock) -> None:
    woken: list[str] = []
    with pytest.raises(RuntimeError):
        async with storage.transaction():
            await storage.users.touch(1, "fr", clock.now())
            storage.db.after_commit(lambda: woken.append("wake"))
            raise RuntimeError
    async with storage.transaction():
        await storage.users.touch(2, "fr", clock.now())
    assert woken == []  # nor for the next transaction


async def test_no_savepoint_once_sqlite_dropped_the_transaction(
    storage: Storage, clock: FakeClock
) -> None:
    with pytest.raises(sqlite3.OperationalError):
        async with storage.transaction():
            await storage.users.touch(1, "fr", clock.now())
            # What SQLite does by itself on a disk-full or I/O error.
            await storage.db.connection.execute("ROLLBACK")
            async with storage.transaction():
                await storage.users.touch(2, "fr", clock.now())
    # Nothing was committed by a savepoint begun outside the batch.
    assert await storage.users.get(1) is None
    assert await storage.users.get(2) is None
    assert not storage.db.connection.in_transaction
