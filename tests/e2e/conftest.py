"""End-to-end fixtures: an emulator per test and the real bot polling it over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox.emulator import BotApiEmulator
from tests.helpers.clock import FakeClock
from tests.helpers.harness import ADMIN_ID, TEAM_CHAT_ID, RunningBot, make_settings, start_bot


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator()
    await emulator.start()
    emulator.add_user(ADMIN_ID, "Admin", language_code="fr", username="admin")
    emulator.add_group(TEAM_CHAT_ID, "Équipe Calais", [ADMIN_ID])
    yield emulator
    await emulator.stop()
    # Every end-to-end test ends by checking the bot never did what Telegram would refuse.
    assert emulator.refused == [], emulator.refused
    assert emulator.unanswered_callbacks() == []


@pytest.fixture
async def running(emu: BotApiEmulator, tmp_path: Path) -> AsyncIterator[RunningBot]:
    bot = await start_bot(make_settings(emu, tmp_path / "e2e.sqlite3"))
    yield bot
    await bot.stop()


@pytest.fixture
async def clocked(
    emu: BotApiEmulator, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[RunningBot]:
    """The bot with a clock moved by hand: 2026-12-01 20:00 UTC, 21:00 in Paris."""
    bot = await start_bot(make_settings(emu, tmp_path / "clocked.sqlite3"), clock)
    yield bot
    await bot.stop()
