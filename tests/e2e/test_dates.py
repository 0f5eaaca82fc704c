"""Dates at their limits and the nights the clocks change, through the emulator."""

from __future__ import annotations

import pytest

from bot.sandbox.emulator import BotApiEmulator
from bot.storage.models import Role
from tests.helpers.harness import (
    ADMIN_ID,
    Person,
    RunningBot,
    enrol,
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
