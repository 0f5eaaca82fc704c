from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.storage import Storage
from bot.storage.database import available_migrations
from bot.storage.models import Invite, Role
from tests.helpers.clock import FakeClock


async def test_migrations_are_numbered_applied_once_and_recorded(storage: Storage) -> None:
    versions = [version for version, _, _ in available_migrations()]
    assert versions == sorted(versions)
    assert versions[0] == 1
    assert await storage.db.migrate() == []
    recorded = await storage.db.fetch_all("SELECT version FROM schema_migrations")
    assert [row[0] for row in recorded] == versions


async def test_pragmas_protect_the_data(storage: Storage) -> None:
    assert await storage.db.fetch_value("PRAGMA journal_mode") == "wal"
    assert await storage.db.fetch_value("PRAGMA foreign_keys") == 1
    assert await storage.db.fetch_value("PRAGMA synchronous") == 2  # FULL


async def test_a_failed_transaction_changes_nothing(storage: Storage, clock: FakeClock) -> None:
    with pytest.raises(RuntimeError):
        async with storage.transaction():
            await storage.users.touch(1, "fr", clock.now())
            raise RuntimeError
    assert await storage.users.get(1) is None


async def test_a_nested_failure_rolls_back_only_its_savepoint(
    storage: Storage, clock: FakeClock
) -> None:
    async with storage.transaction():
        await storage.users.touch(1, "fr", clock.now())
        with pytest.raises(RuntimeError):
            async with storage.transaction():
                await storage.users.touch(2, "ar", clock.now())
                raise RuntimeError
    assert await storage.users.get(1) is not None
    assert await storage.users.get(2) is None


async def test_other_tasks_wait_for_an_open_transaction(
    storage: Storage, clock: FakeClock
) -> None:
    seen: list[object] = []
    inside = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        async with storage.transaction():
            await storage.users.touch(1, "fr", clock.now())
            inside.set()
            await release.wait()

    async def reader() -> None:
        await inside.wait()
        seen.append(await storage.users.get(1))

    write_task = asyncio.create_task(writer())
    read_task = asyncio.create_task(reader())
    await inside.wait()
    await asyncio.sleep(0.05)
    assert seen == []  # the reader is held until the writer commits
    release.set()
    await asyncio.gather(write_task, read_task)
    assert seen
    assert seen[0] is not None


async def test_foreign_keys_refuse_an_unknown_antenna(storage: Storage, clock: FakeClock) -> None:
    await storage.users.touch(1, None, clock.now())
    with pytest.raises(sqlite3.IntegrityError):
        await storage.users.set_role(1, Role.VOLUNTEER, antenna="atlantis")


async def test_inbox_ignores_a_redelivered_update(storage: Storage, clock: FakeClock) -> None:
    assert await storage.inbox.store([(7, {"update_id": 7})], clock.now()) == 1
    assert await storage.inbox.store([(7, {"update_id": 7})], clock.now()) == 0
    await storage.inbox.mark_handled(7, "ok", clock.now())
    assert await storage.inbox.store([(7, {"update_id": 7})], clock.now()) == 0
    assert await storage.inbox.pending() == []
    row = await storage.db.fetch_one("SELECT payload FROM inbox WHERE update_id = 7")
    assert row is not None
    assert row[0] is None


async def test_outbox_keeps_each_chat_in_order(storage: Storage, clock: FakeClock) -> None:
    first = await storage.outbox.add(1, "send_text", {"text": "a"}, now=clock.now())
    second = await storage.outbox.add(1, "send_text", {"text": "b"}, now=clock.now())
    other = await storage.outbox.add(2, "send_text", {"text": "c"}, now=clock.now(), priority=1)
    assert [e.id for e in await storage.outbox.due(clock.now())] == [first, other]
    await storage.outbox.postpone(
        first, clock.now().replace(year=2027), "429", count_attempt=False
    )
    # The second message of chat 1 waits behind the first, even though it is due.
    assert [e.id for e in await storage.outbox.due(clock.now())] == [other]
    await storage.outbox.mark_sent(other, 99, clock.now())
    assert second not in [e.id for e in await storage.outbox.due(clock.now())]


async def test_users_by_role(storage: Storage, clock: FakeClock) -> None:
    for user_id in (1, 2, 3):
        await storage.users.touch(user_id, None, clock.now())
    await storage.users.set_role(2, Role.VOLUNTEER, antenna="calais", display_name="Ana")
    await storage.users.set_role(3, Role.COORDINATOR, antenna="grande-synthe")
    assert [u.id for u in await storage.users.with_role_at_least(Role.VOLUNTEER)] == [3, 2]
    assert [u.id for u in await storage.users.with_role_at_least(Role.VOLUNTEER, "calais")] == [2]


async def test_backup_copies_a_live_database(
    storage: Storage, clock: FakeClock, tmp_path: Path
) -> None:
    await storage.users.touch(42, "ps", clock.now())
    target = tmp_path / "backups" / "copy.sqlite3"
    await storage.db.backup(target)
    copy = Storage(target)
    await copy.open()
    try:
        user = await copy.users.get(42)
        assert user is not None
        assert user.telegram_language == "ps"
    finally:
        await copy.close()


async def test_old_finished_rows_are_pruned(storage: Storage, clock: FakeClock) -> None:
    await storage.inbox.store([(1, {"update_id": 1}), (2, {"update_id": 2})], clock.now())
    await storage.inbox.mark_handled(1, "ok", clock.now())
    sent = await storage.outbox.add(5, "send_text", {"text": "x"}, now=clock.now())
    await storage.outbox.add(5, "send_text", {"text": "y"}, now=clock.now())
    await storage.outbox.mark_sent(sent, 1, clock.now())
    clock.advance(days=3)
    later = clock.now() - timedelta(days=2)
    assert await storage.inbox.prune(later) == 1  # the unhandled update stays
    assert await storage.outbox.prune(later) == 1  # the pending message stays
    assert [e.update_id for e in await storage.inbox.pending()] == [2]


async def test_finished_jobs_and_expired_invites_are_pruned(
    storage: Storage, clock: FakeClock
) -> None:
    now = clock.now()
    await storage.antennas.add("calais", "Calais")
    done = await storage.jobs.upsert("k", "done", now, {}, now)
    await storage.jobs.claim(done.id, now)
    await storage.jobs.upsert("k", "pending", now, {}, now)
    for code, expires in (("old", now), ("recent", now + timedelta(days=20))):
        await storage.invites.add(Invite(code, "calais", 1, now, expires, None, None))
    clock.advance(days=40)
    month_ago = clock.now() - timedelta(days=30)
    assert await storage.jobs.prune(month_ago) == 1
    assert [job.key for job in await storage.jobs.pending()] == ["pending"]  # still to run
    assert await storage.invites.prune(month_ago) == 1
    assert await storage.invites.get("old") is None
    assert await storage.invites.get("recent") is not None


async def test_an_update_that_crashed_three_start_ups_is_set_aside(
    storage: Storage, clock: FakeClock
) -> None:
    await storage.inbox.store([(1, {"update_id": 1}), (2, {"update_id": 2})], clock.now())
    for _ in range(3):  # each start-up finds update 1 first, and crashes on it
        assert await storage.inbox.count_restart(3, clock.now()) == []
    poisoned = await storage.inbox.count_restart(3, clock.now())
    assert [entry.update_id for entry in poisoned] == [1]
    assert [e.update_id for e in await storage.inbox.pending()] == [2]
    assert (await storage.inbox.outcomes())[1] == "poison"
    # Update 2 was only waiting behind it: it starts with a clean slate.
    row = await storage.db.fetch_one("SELECT attempts FROM inbox WHERE update_id = 2")
    assert row is not None
    assert row[0] == 0


async def test_a_clean_shutdown_clears_the_marks(storage: Storage, clock: FakeClock) -> None:
    await storage.inbox.store([(1, {"update_id": 1})], clock.now())
    for _ in range(10):  # many restarts, all clean: never set aside
        assert await storage.inbox.count_restart(3, clock.now()) == []
        await storage.inbox.clear_restart_marks()


async def test_a_failed_commit_leaves_no_transaction_open(
    storage: Storage, clock: FakeClock
) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with storage.transaction():
            # A deferred foreign key is only checked at COMMIT, which then fails.
            await storage.db.execute("PRAGMA defer_foreign_keys = ON")
            await storage.users.touch(1, None, clock.now())
            await storage.db.execute("UPDATE users SET antenna = 'atlantis' WHERE id = 1")
    assert not storage.db.connection.in_transaction
    async with storage.transaction():
        await storage.users.touch(2, None, clock.now())
    assert await storage.users.get(2) is not None
    assert await storage.users.get(1) is None


async def test_a_reused_username_names_only_its_new_holder(
    storage: Storage, clock: FakeClock
) -> None:
    for user_id in (1, 2):
        await storage.users.touch(user_id, None, clock.now())
    await storage.users.set_profile(1, "Old", "shared")
    await storage.users.set_profile(2, "New", "shared")
    found = await storage.users.find_by_username("@Shared")
    assert found is not None
    assert found.id == 2


async def test_a_read_only_connection_reads_beside_an_open_transaction(
    storage: Storage, clock: FakeClock, tmp_path: Path
) -> None:
    await storage.users.touch(1, "fr", clock.now())
    reader = Storage(tmp_path / "test.sqlite3", read_only=True)
    assert await reader.open() == []  # never migrates
    try:
        async with storage.transaction():
            await storage.users.touch(2, "ar", clock.now())
            # The writer holds its lock; the reader is not blocked and sees committed rows.
            seen = await asyncio.wait_for(reader.users.get(1), timeout=1)
            assert seen is not None
            assert await reader.users.get(2) is None
        with pytest.raises(sqlite3.OperationalError):
            await reader.db.execute("DELETE FROM users")
    finally:
        await reader.close()
