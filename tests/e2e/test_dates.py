"""Dates at their limits and the nights the clocks change, through the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.sandbox.emulator import BotApiEmulator
from bot.storage.models import Role
from tests.helpers.clock import FakeClock
from tests.helpers.harness import (
    ADMIN_ID,
    Person,
    RunningBot,
    enrol,
    make_settings,
    start_bot,
)

VOLUNTEER = 200
COORDINATOR = 250


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/report 9999-12", "9999-12 is not a period"),
        ("/report 0001-01-01..0001-01-02", "0001-01-01..0001-01-02 is not a period"),
        ("/hours 0000-01", "0000-01 is not a month"),
        ("/plan 9999-12-31 23:00-01:00 maraude", "9999-12-31 is not a date"),
    ],
)
async def test_far_off_dates_get_a_clear_refusal_and_no_error_report(
    emu: BotApiEmulator, clocked: RunningBot, command: str, expected: str
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    admin = Person(emu, ADMIN_ID)
    await admin.say("/help")
    admin_before = len(emu.bot_messages(ADMIN_ID))
    answer = await coordinator.say(command)
    assert expected in (answer.plain_text or "")
    assert "😔" not in (answer.text or "")  # not the generic apology
    # The admins hear nothing: their next message is the answer to their own /help.
    await admin.say("/help")
    assert len(emu.bot_messages(ADMIN_ID)) == admin_before + 1
    assert await clocked.bot.storage.db.fetch_value("SELECT COUNT(*) FROM planned_shifts") == 0


@pytest.fixture
async def spring_night(
    emu: BotApiEmulator, tmp_path: Path
) -> AsyncIterator[tuple[RunningBot, FakeClock]]:
    """21:00 in Paris on 27 March 2027; at 02:00 the clocks jump to 03:00."""
    clock = FakeClock(datetime(2027, 3, 27, 20, 0, tzinfo=UTC))
    bot = await start_bot(make_settings(emu, tmp_path / "spring.sqlite3"), clock)
    yield bot, clock
    await bot.stop()


async def test_a_return_time_inside_the_spring_gap_is_asked_about_after_the_gap(
    emu: BotApiEmulator, spring_night: tuple[RunningBot, FakeClock]
) -> None:
    # 02:30 never shows on the clocks that night: the volunteer is expected at 03:00 summer
    # time (01:00 UTC), the first instant after the gap, and asked "all OK?" at 03:30.
    running, clock = spring_night
    volunteer = await enrol(emu, running, VOLUNTEER, "Ana", Role.VOLUNTEER)
    started = await volunteer.say("/shift start maraude 02:30")
    assert "Expected back at 03:00" in (started.plain_text or "")
    clock.current = datetime(2027, 3, 28, 1, 29, tzinfo=UTC)  # 03:29 summer time
    assert await running.bot.jobs.fire_due() == 0  # no question, so no false alarm
    clock.current = datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # 03:30 summer time
    since = len(emu.bot_messages(VOLUNTEER))
    assert await running.bot.jobs.fire_due() == 1
    ask = await emu.wait_for_bot_message(VOLUNTEER, since=since)
    assert "back at 03:00" in (ask.plain_text or "")
    assert len(ask.buttons()) == 3


async def test_a_return_time_on_the_autumn_night_is_the_first_of_the_two(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    # 21:00 summer time on 24 October 2026; 02:30 shows twice that night (00:30 and 01:30
    # UTC): the volunteer is expected at the first one, and asked at 03:00 summer time.
    clock = FakeClock(datetime(2026, 10, 24, 19, 0, tzinfo=UTC))
    running = await start_bot(make_settings(emu, tmp_path / "autumn.sqlite3"), clock)
    try:
        volunteer = await enrol(emu, running, VOLUNTEER, "Ana", Role.VOLUNTEER)
        started = await volunteer.say("/shift start maraude 02:30")
        assert "Expected back at 02:30" in (started.plain_text or "")
        clock.current = datetime(2026, 10, 25, 0, 59, tzinfo=UTC)
        assert await running.bot.jobs.fire_due() == 0
        clock.current = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
        since = len(emu.bot_messages(VOLUNTEER))
        assert await running.bot.jobs.fire_due() == 1
        ask = await emu.wait_for_bot_message(VOLUNTEER, since=since)
        assert "back at 02:30" in (ask.plain_text or "")
    finally:
        await running.stop()
