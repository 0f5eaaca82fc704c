"""The sandbox's terminal chat shows a venue pin as a phone would: name, address, map."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
import telegram

from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.terminal import render

ALICE = 1001
ANSI = re.compile(r"\033\[[0-9;]*m")


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        emulator.add_user(ALICE, "Alice")
        yield emulator


async def test_a_venue_shows_its_name_address_and_coordinates(emu: BotApiEmulator) -> None:
    async with telegram.Bot(emu.token, base_url=emu.base_url) as bot:
        await bot.send_venue(
            ALICE, 50.9513, 1.8587, "Hôpital — urgences", "1601 boulevard des Justes, Calais"
        )
        await bot.send_location(ALICE, 50.95, 1.85)
    venue, location = emu.bot_messages(ALICE)
    text, next_button = render(venue, 1)
    assert next_button == 1
    assert ANSI.sub("", text).splitlines() == [
        "#1 bot: 📍 Hôpital — urgences",
        "     1601 boulevard des Justes, Calais",
        "     🗺 50.95130, 1.85870  https://www.openstreetmap.org/?mlat=50.95130&mlon=1.85870",
    ]
    # A bare location (a person's shared position) keeps its one line.
    assert ANSI.sub("", render(location, 1)[0]) == "#2 bot: 📍 50.95, 1.85"
