"""/export through the emulator: built off the event loop, sent from files, never twice, and a
file Telegram refuses never holds up the coordinator's chat."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import threading
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.handlers.reports import JOB_EXPORT
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from bot.storage.models import Job, Role
from tests.helpers.clock import FakeClock
from tests.helpers.harness import Person, RunningBot, enrol

VOLUNTEER = 200
COORDINATOR = 250
CSV_NAMES = ["distributions_2026-12-01_2026-12-01.csv", "shifts_2026-12-01_2026-12-01.csv"]


async def team(emu: BotApiEmulator, running: RunningBot) -> Person:
    """A coordinator, and a volunteer who logged three lines this evening."""
    volunteer = await enrol(emu, running, VOLUNTEER, "Ana", Role.VOLUNTEER)
    coordinator = await enrol(emu, running, COORDINATOR, "Claire", Role.COORDINATOR)
    await volunteer.say("/distrib 40 blankets, 25 tea, 10 water @ Marck")
    return coordinator


def documents(emu: BotApiEmulator, since: int = 0) -> list[ChatMessage]:
    return [m for m in emu.bot_messages(COORDINATOR)[since:] if m.kind == "document"]


async def file_rows(running: RunningBot) -> list[tuple[str, dict[str, object]]]:
    rows = await running.bot.storage.db.fetch_all(
        "SELECT status, payload FROM outbox WHERE method = 'send_file' ORDER BY id"
    )
    return [(row[0], json.loads(row[1])) for row in rows]


def gone(path: object) -> bool:
    return not Path(str(path)).exists()


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Wait for the bot's own bookkeeping (not the emulator's) to catch up."""
    for _ in range(500):
        if await check():
            return
        await asyncio.sleep(0.01)
    raise TimeoutError("condition still false")


async def nothing_pending(running: RunningBot) -> bool:
    return not await running.bot.storage.db.fetch_value(
        "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"
    )


async def test_the_export_is_built_off_the_event_loop(
    emu: BotApiEmulator, clocked: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    figure = pytest.importorskip("matplotlib.figure")
    coordinator = await team(emu, clocked)
    loop_thread = threading.get_ident()
    writers: list[int] = []
    charts: list[int] = []
    real_writer = csv.writer
    real_savefig = figure.Figure.savefig

    def writer(*args: object, **kwargs: object) -> object:
        writers.append(threading.get_ident())
        return real_writer(*args, **kwargs)  # type: ignore[call-overload]

    def savefig(self: object, *args: object, **kwargs: object) -> object:
        charts.append(threading.get_ident())
        return real_savefig(self, *args, **kwargs)

    monkeypatch.setattr(csv, "writer", writer)
    monkeypatch.setattr(figure.Figure, "savefig", savefig)
    await coordinator.say("/export today")
    await emu.wait_until(
        lambda: (
            len(documents(emu)) == 2
            and any(m.kind == "photo" for m in emu.bot_messages(COORDINATOR))
        )
    )
    # Every spreadsheet and the chart were written by another thread: the loop kept serving.
    assert writers
    assert loop_thread not in writers
    assert charts
    assert loop_thread not in charts


async def test_the_outbox_holds_a_path_and_the_file_goes_once_sent(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    coordinator = await team(emu, clocked)
    await coordinator.say("/export today")
    await emu.wait_until(lambda: len(documents(emu)) == 2)
    await eventually(lambda: nothing_pending(clocked))
    rows = await file_rows(clocked)
    assert [payload["filename"] for _, payload in rows][:2] == CSV_NAMES
    outgoing = clocked.bot.settings.outgoing_path
    for status, payload in rows:
        assert status == "sent"
        assert "content" not in payload
        assert Path(str(payload["path"])).parent == outgoing  # beside the database, not in it
        assert gone(payload["path"])  # deleted once Telegram has it
    assert list(outgoing.iterdir()) == []
    sent = documents(emu)[0].extra["content"]
    assert b"Marck" in sent


async def test_a_file_telegram_refuses_is_final_the_person_is_told_and_the_chat_moves_on(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    coordinator = await team(emu, clocked)
    # Stands for a spreadsheet over Telegram's 50 MB: distributions.csv is over this, shifts not.
    emu.max_upload_bytes = 150
    since = len(emu.bot_messages(COORDINATOR))
    await coordinator.say("/export today")
    notice = await emu.wait_for_bot_message(
        COORDINATOR, lambda m: "could not be sent" in (m.text or ""), since=since
    )
    assert CSV_NAMES[0] in (notice.text or "")
    # The chat is not stuck behind the refused file: the next answer comes at once.
    menu = await coordinator.say("/menu", expect=lambda m: m.kind == "text")
    assert menu.buttons()
    # The next file goes by the uploads' own sender: after the answer or before it, never lost.
    await emu.wait_until(lambda: bool(documents(emu, since)))
    assert [m.extra["file_name"] for m in documents(emu, since)] == [CSV_NAMES[1]]
    assert [(r.method, r.error_code) for r in emu.refused] == [("sendDocument", 413)]
    emu.refused.clear()  # the refusal this test provoked on purpose
    await eventually(lambda: nothing_pending(clocked))
    rows = await file_rows(clocked)
    assert [status for status, _ in rows[:2]] == ["failed", "sent"]  # final, no retry for a day
    assert gone(rows[0][1]["path"])


async def test_a_crash_between_queueing_the_files_and_finishing_the_job_sends_them_once(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    coordinator = await team(emu, clocked)
    jobs = clocked.bot.storage.jobs
    finish = jobs.finish
    crashed = asyncio.Event()

    async def power_cut_once(job_id: int, status: str, *args: object, **kwargs: object) -> object:
        if status == "done" and not crashed.is_set():
            crashed.set()
            raise RuntimeError("power cut")
        return await finish(job_id, status, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jobs, "finish", power_cut_once)
    await coordinator.say("/export today")
    await asyncio.wait_for(crashed.wait(), 10)
    clock.advance(minutes=11)  # the dead run's lease ran out: the job is taken again
    assert await clocked.bot.jobs.fire_due() == 1
    await emu.wait_until(lambda: len(documents(emu)) >= 2)
    await eventually(lambda: nothing_pending(clocked))
    assert [m.extra["file_name"] for m in documents(emu)] == CSV_NAMES


async def test_an_export_that_outlives_its_lease_is_not_taken_twice(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    coordinator = await team(emu, clocked)
    runner = clocked.bot.jobs
    real = runner.handlers[JOB_EXPORT]
    started, release = asyncio.Event(), asyncio.Event()
    runs = 0

    async def slow(job: Job, services: object) -> object:
        nonlocal runs
        runs += 1
        if runs == 1:
            started.set()
            await release.wait()
        return await real(job, services)  # type: ignore[arg-type]

    monkeypatch.setitem(runner.handlers, JOB_EXPORT, slow)
    await coordinator.say("/export today")
    await asyncio.wait_for(started.wait(), 10)
    for _ in range(5):  # twenty minutes, twice the lease, with the sweeper passing by
        clock.advance(minutes=4)
        assert await runner.sweep() == 0
    release.set()
    await emu.wait_until(lambda: len(documents(emu)) >= 2)
    await eventually(lambda: nothing_pending(clocked))
    assert runs == 1
    assert [m.extra["file_name"] for m in documents(emu)] == CSV_NAMES


async def test_pruning_forgets_old_message_refs_and_orphan_files(
    clocked: RunningBot, clock: FakeClock
) -> None:
    storage = clocked.bot.storage
    now = clock.now()
    async with storage.transaction():
        await storage.message_refs.set("plan:1", -5, 10, now - timedelta(days=61))
        await storage.message_refs.set("plan:2", -5, 11, now - timedelta(days=3))
    outgoing = clocked.bot.settings.outgoing_path
    outgoing.mkdir(parents=True, exist_ok=True)
    orphan, fresh = outgoing / "orphan.csv", outgoing / "being-written.csv"
    for path, age in ((orphan, timedelta(hours=2)), (fresh, timedelta(minutes=1))):
        path.write_bytes(b"names")
        stamp = (now - age).timestamp()
        os.utime(path, (stamp, stamp))
    await clocked.bot.runtime.prune()
    assert await storage.message_refs.get("plan:1") is None
    assert await storage.message_refs.get("plan:2") == (-5, 11)
    assert not orphan.exists()
    assert fresh.exists()
