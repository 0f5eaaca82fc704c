"""Group commit (issue 13): the updates waiting are handled in one transaction, each in its own
savepoint, and committed together; replies leave only after that commit (SPEC §8)."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.runtime import Runtime
from bot.sandbox.emulator import BotApiEmulator
from bot.services.users import UserService
from bot.storage import Storage
from bot.storage.inbox import InboxRepo
from bot.storage.models import InboxEntry
from tests.helpers.crash import (
    assert_burst_took_effect_once,
    bot_env,
    count_invites,
    invitations,
    launch,
)
from tests.helpers.harness import ADMIN_ID, Person, RunningBot


class Batches:
    """Holds the inbox worker back while updates pile up, and records each batch it commits."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.held = asyncio.Event()
        self.open = asyncio.Event()
        self.committed: list[list[int]] = []
        original_pending = InboxRepo.pending
        original_closing = Runtime._closing_batch
        batches = self

        async def pending(self: InboxRepo, limit: int = 100) -> list[InboxEntry]:
            if batches.held.is_set():
                await batches.open.wait()
            return await original_pending(self, limit)

        async def closing(self: Runtime, update_ids: list[int]) -> None:
            await batches.before_commit(update_ids)
            await original_closing(self, update_ids)
            batches.committed.append(list(update_ids))

        monkeypatch.setattr(InboxRepo, "pending", pending)
        monkeypatch.setattr(Runtime, "_closing_batch", closing)
        # Time-bound batches would split under a loaded machine: only the count bounds them.
        monkeypatch.setattr("bot.runtime.BATCH_MAX_SECONDS", 60.0)

    async def before_commit(self, update_ids: list[int]) -> None:
        """Between the handling of a batch and its commit (tests replace it)."""

    @asynccontextmanager
    async def hold(self, storage: Storage, count: int) -> AsyncIterator[None]:
        """Keep the worker from reading the inbox while the block sends `count` updates."""
        self.held.set()
        yield
        await wait_stored(storage, count)
        self.held.clear()
        self.open.set()


async def wait_stored(storage: Storage, count: int) -> None:
    """Wait until `count` updates wait unhandled in the inbox (five seconds at most)."""
    for _ in range(500):
        waiting = await storage.db.fetch_value(
            "SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL"
        )
        if waiting >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"only {waiting} updates stored, {count} expected")


async def ready(emu: BotApiEmulator) -> None:
    """The worker is past its start-up (it answered someone), waiting for updates."""
    emu.add_user(899, "Warm", language_code="en")
    await Person(emu, 899).say("/menu")


async def test_waiting_updates_are_committed_together(
    emu: BotApiEmulator, running: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await ready(emu)
    batches = Batches(monkeypatch)
    storage = running.bot.storage
    people = [810 + index for index in range(4)]
    for user_id in people:
        emu.add_user(user_id, f"P{user_id}", language_code="en")
    since = invitations(emu)
    async with batches.hold(storage, 6):
        await emu.send_text(ADMIN_ID, "/invite")
        for user_id in people:
            await emu.send_text(user_id, "/menu")
        await emu.send_text(ADMIN_ID, "/invite")
    await emu.wait_until(
        lambda: invitations(emu) >= since + 2 and all(emu.bot_messages(u) for u in people)
    )
    assert [len(batch) for batch in batches.committed] == [6]  # one commit for all six
    assert await count_invites(storage) == 2
    outcomes = await storage.inbox.outcomes()
    assert sorted(outcomes)[-6:] == batches.committed[0]  # handled in update_id order
    assert {outcomes[update_id] for update_id in batches.committed[0]} == {"ok"}
    for user_id in people:
        [menu] = emu.bot_messages(user_id)
        assert menu.keyboard is not None


async def test_a_failing_update_in_a_batch_rolls_back_alone(
    emu: BotApiEmulator, running: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await ready(emu)
    batches = Batches(monkeypatch)
    storage = running.bot.storage
    original = UserService.create_invite
    calls = 0

    async def second_fails(self: UserService, *args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        result = await original(self, *args, **kwargs)  # type: ignore[arg-type]
        if calls == 2:
            raise RuntimeError("boom after writing")
        return result

    monkeypatch.setattr(UserService, "create_invite", second_fails)
    emu.add_user(821, "Other", language_code="en")
    since = len(emu.bot_messages(ADMIN_ID))
    async with batches.hold(storage, 4):
        await emu.send_text(ADMIN_ID, "/invite")
        await emu.send_text(ADMIN_ID, "/invite")  # writes its invitation, then fails
        await emu.send_text(821, "/menu")
        await emu.send_text(ADMIN_ID, "/invite")
    await emu.wait_until(lambda: bool(emu.bot_messages(821)) and invitations(emu) >= 2)
    await emu.wait_until(
        lambda: any("RuntimeError" in (m.text or "") for m in emu.bot_messages(ADMIN_ID)[since:])
    )
    [batch] = batches.committed
    assert len(batch) == 4
    outcomes = await storage.inbox.outcomes()
    # The failure mark is committed with the batch; the others keep their effects.
    assert [outcomes[update_id] for update_id in batch] == ["ok", "error", "ok", "ok"]
    assert await count_invites(storage) == 2  # the failed one's write was rolled back alone
    texts = [m.text or "" for m in emu.bot_messages(ADMIN_ID)[since:]]
    assert sum("?start=" in text for text in texts) == 2
    assert sum("Nothing was changed" in text or "Rien n" in text for text in texts) == 1
    assert emu.bot_messages(821)[0].keyboard is not None


async def test_replies_and_button_answers_leave_only_after_the_commit(
    emu: BotApiEmulator, running: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await ready(emu)
    emu.add_user(831, "Presser", language_code="en")
    emu.add_user(832, "Asker", language_code="en")
    menu = await Person(emu, 831).say("/menu")
    assert menu.keyboard is not None
    batches = Batches(monkeypatch)
    storage = running.bot.storage
    seen: dict[str, object] = {}

    async def look(update_ids: list[int]) -> None:
        # Give the sender every chance to run: nothing of the batch may have left yet.
        for _ in range(5):
            await asyncio.sleep(0.02)
        seen["presser"] = len(emu.bot_messages(831))
        seen["asker"] = len(emu.bot_messages(832))
        seen["unanswered"] = emu.unanswered_callbacks()
        # The replies are there, in the batch's own transaction.
        seen["queued"] = await storage.db.fetch_value(
            "SELECT COUNT(*) FROM outbox WHERE chat_id = 832 OR method = 'answer_callback'"
        )

    batches.before_commit = look  # type: ignore[method-assign]
    async with batches.hold(storage, 2):
        await emu.press(831, menu, menu.keyboard[0][0].text)
        await emu.send_text(832, "/menu")
    await emu.wait_until(lambda: bool(emu.bot_messages(832)) and not emu.unanswered_callbacks())
    assert [len(batch) for batch in batches.committed] == [2]
    assert seen["asker"] == 0
    assert seen["presser"] == 1  # only the menu sent before
    assert len(seen["unanswered"]) == 1  # type: ignore[arg-type]  # the spinner still turned
    assert seen["queued"] >= 2  # type: ignore[operator]


BURST = 40


def crash_script(note: Path) -> str:
    """`bot run`, killed by SIGKILL between handling a batch of several updates and its commit."""
    return f"""
import json, os, signal, sys
import bot.runtime

bot.runtime.BATCH_MAX_SECONDS = 60.0
original = bot.runtime.Runtime._closing_batch

async def closing(self, update_ids):
    if len(update_ids) >= 3:
        with open({str(note)!r}, "w") as out:
            json.dump(update_ids, out)
            out.flush()
            os.fsync(out.fileno())
        os.kill(os.getpid(), signal.SIGKILL)
    await original(self, update_ids)

bot.runtime.Runtime._closing_batch = closing
from bot.__main__ import main
sys.exit(main(["run"]))
"""


async def test_a_bot_killed_before_a_batch_commits_handles_it_again_once(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    database = tmp_path / "batch-crash.sqlite3"
    note = tmp_path / "batch.json"
    env = bot_env(emu, database)

    # Everything waits at Telegram before the start: the worker finds a pile to batch.
    for index in range(BURST):
        await emu.send_text(ADMIN_ID, "/invite")
        user_id = 700 + index
        emu.add_user(user_id, f"Q{index}", language_code="en")
        await emu.send_text(user_id, "/start lang-so")
    process = await launch(env, tmp_path, "-c", crash_script(note))
    try:
        await asyncio.wait_for(process.wait(), timeout=60)
        assert process.returncode == -signal.SIGKILL, "no batch of several updates was seen"
        killed = json.loads(note.read_text())
        left = Storage(database)
        await left.open()
        try:
            outcomes = await left.inbox.outcomes()
            senders = {
                json.loads(row[0])["message"]["chat"]["id"]
                for row in await left.db.fetch_all(
                    "SELECT payload FROM inbox WHERE update_id IN "
                    f"({', '.join('?' * len(killed))})",
                    killed,
                )
            }
        finally:
            await left.close()
        # Nothing of the killed batch was saved, nor sent.
        assert all(outcomes[update_id] is None for update_id in killed)
        newcomers = senders - {ADMIN_ID}
        assert newcomers
        assert all(emu.bot_messages(chat) == [] for chat in newcomers)
        process = await launch(env, tmp_path, "-m", "bot", "run")
        await emu.wait_until(
            lambda: (
                invitations(emu) >= BURST and all(emu.bot_messages(700 + i) for i in range(BURST))
            ),
            timeout=60,
        )
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), timeout=15)

    await assert_burst_took_effect_once(database, 700, BURST)
    # Nobody got a reply twice, except possibly the one message in flight at the kill; the
    # killed batch's newcomers were answered once, after the restart.
    assert invitations(emu) <= BURST + 1
    assert sum(len(emu.bot_messages(700 + i)) for i in range(BURST)) <= BURST + 1
    assert all(len(emu.bot_messages(chat)) == 1 for chat in newcomers)


def poison_script() -> str:
    """`bot run` where an /invite kills the bot the hard way, wherever it is in its batch."""
    return """
import os, signal, sys
import bot.runtime
from bot.services.users import UserService

bot.runtime.BATCH_MAX_SECONDS = 60.0

async def crash(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

UserService.create_invite = crash
from bot.__main__ import main
sys.exit(main(["run"]))
"""


async def test_an_update_that_kills_its_batch_is_the_one_set_aside(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    database = tmp_path / "poison.sqlite3"
    env = bot_env(emu, database)
    people = [750 + index for index in range(20)]
    # The /invite waits in the middle of a pile: it is handled inside a batch, not first.
    for index, user_id in enumerate(people):
        emu.add_user(user_id, f"R{index}", language_code="en")
        if index == 10:
            await emu.send_text(ADMIN_ID, "/invite")
        await emu.send_text(user_id, "/start lang-so")

    def set_aside() -> bool:
        return any("set aside" in (m.text or "") for m in emu.bot_messages(ADMIN_ID))

    crashes = 0
    for _ in range(8):
        process = await launch(env, tmp_path, "-c", poison_script())
        exited = asyncio.create_task(process.wait())
        finished = asyncio.create_task(
            emu.wait_until(
                lambda: set_aside() and all(emu.bot_messages(u) for u in people), timeout=60
            )
        )
        await asyncio.wait({exited, finished}, return_when=asyncio.FIRST_COMPLETED)
        if finished.done():
            finished.result()
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(exited, timeout=15)
            break
        finished.cancel()
        assert process.returncode == -signal.SIGKILL
        crashes += 1
    else:
        raise AssertionError("the poison update was never set aside")

    storage = Storage(database)
    await storage.open()
    try:
        outcomes = await storage.inbox.outcomes()
        invite = await storage.db.fetch_value(
            "SELECT update_id FROM inbox ORDER BY update_id LIMIT 1 OFFSET 10"
        )
        assert await count_invites(storage) == 0
    finally:
        await storage.close()
    # The update that crashed the bot is the one set aside; every other one took effect.
    assert outcomes.pop(invite) == "poison"
    assert set(outcomes.values()) == {"ok"}
    assert len(outcomes) == len(people)
    assert crashes <= 5  # POISON_AFTER_STARTS + 2: one more start to find it in its batch
    assert sum(len(emu.bot_messages(u)) for u in people) <= len(people) + crashes


async def test_a_job_waits_for_the_open_batch_and_goes_before_the_next(
    emu: BotApiEmulator, running: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await ready(emu)
    batches = Batches(monkeypatch)
    monkeypatch.setattr("bot.runtime.BATCH_MAX_UPDATES", 2)
    storage = running.bot.storage
    order: list[str] = []
    jobs: list[asyncio.Task[None]] = []
    original = Runtime.handle_batch

    async def handle_batch(self: Runtime, entries: list[InboxEntry]) -> int:
        done = await original(self, entries)
        order.append(f"committed {done}")
        return done

    async def job() -> None:
        # Another writer on the one connection (a safety alert, say).
        async with storage.transaction():
            order.append("job")
            await storage.users.touch(891, "en", running.bot.clock.now())

    async def start_job(update_ids: list[int]) -> None:
        if not jobs:
            jobs.append(asyncio.create_task(job()))
            for _ in range(5):
                await asyncio.sleep(0.01)  # every chance to slip into the open batch
        order.append(f"closing {len(update_ids)}")

    monkeypatch.setattr(Runtime, "handle_batch", handle_batch)
    batches.before_commit = start_job  # type: ignore[method-assign]
    people = [880 + index for index in range(4)]
    for user_id in people:
        emu.add_user(user_id, f"J{user_id}", language_code="en")
    async with batches.hold(storage, len(people)):
        for user_id in people:
            await emu.send_text(user_id, "/menu")
    await emu.wait_until(lambda: all(emu.bot_messages(u) for u in people))
    await jobs[0]
    # The job neither ran inside the batch nor waited behind the whole pile.
    assert order[:4] == ["closing 2", "committed 2", "job", "closing 2"]
    assert await storage.users.get(891) is not None
