"""Issue 14 review: names the code puts in a line itself are isolated like the Translator's
placeholders, and a list the code sends itself starts every line right to left."""

from __future__ import annotations

import pytest
from bidi import get_display

from bot.i18n import FSI, PDI, RLM
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from bot.storage.models import Role
from tests.helpers.harness import TEAM_CHAT_ID, RunningBot, enrol
from tests.helpers.help import press

COORDINATOR = 250
VOLUNTEER = 201
# A name typed to spoof: the override reverses whatever follows it on the line.
SPOOF = "Sam\u202eevil"


def isolated(name: str) -> str:
    return f"{FSI}{name} (@{name.lower()}){PDI}"


async def test_a_spoofing_name_on_shift_does_not_reverse_the_line(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, SPOOF, Role.VOLUNTEER)
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await volunteer.say("/shift start maraude 02:30")
    status = await coordinator.say("/shift status")
    text = status.text or ""
    assert isolated(SPOOF) + ":" in text
    assert "02:30" in text


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_a_name_that_closes_the_isolate_early_reverses_nothing(
    emu: BotApiEmulator, clocked: RunningBot, language: str
) -> None:
    """A PDI typed in the name would end the bot's isolate, and the override after it would
    reverse the rest of the line: "since 21:00" read as "00:12 ecnis"."""
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Sam\u2069\u202eevil", Role.VOLUNTEER)
    coordinator = await enrol(
        emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR, language=language
    )
    await volunteer.say("/shift start maraude 02:30")
    status = await coordinator.say("/shift status")
    line = next(line for line in (status.text or "").split("\n") if "Sam" in line)
    laid_out = get_display(line)
    assert "21:00" in laid_out
    assert "02:30" in laid_out
    stored = await clocked.bot.services.users.get(VOLUNTEER)
    assert stored is not None
    assert stored.display_name == "Sam\u2069\u202eevil"  # what they typed is kept as it is


async def test_the_participants_list_reads_right_to_left_with_names_isolated(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR, language="ar")
    volunteer = await enrol(emu, clocked, VOLUNTEER, SPOOF, Role.VOLUNTEER)
    since = len(emu.bot_messages(TEAM_CHAT_ID))
    await coordinator.say("/woodcut 2026-12-05 09:30 Marck 2")
    post = await emu.wait_for_bot_message(TEAM_CHAT_ID, since=since)
    listing = await volunteer.say("/planning")
    await volunteer.press(listing, "pls:1:list")
    # The post in the team chat names who comes, the spoofing name closed in its isolate.
    await emu.wait_until(lambda: "Sam" in (post.text or ""))
    assert isolated(SPOOF) in (post.text or "")

    since = len(emu.bot_messages(COORDINATOR))
    await press(emu, COORDINATOR, post, "wcp:1")
    private: ChatMessage = await emu.wait_for_bot_message(COORDINATOR, since=since)
    text = private.text or ""
    assert isolated(SPOOF) in text
    lines = text.split("\n")
    assert len(lines) >= 3
    for line in lines:
        assert line.startswith(RLM), repr(line)
