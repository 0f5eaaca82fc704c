"""Issue 14 review: names the code puts in a line itself are isolated like the Translator's
placeholders, and a list the code sends itself starts every line right to left."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from bidi import get_display

from bot.i18n import FSI, LRI, PDI, RLM, strip_bidi
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from bot.storage.models import Role
from tests.helpers.clock import FakeClock
from tests.helpers.harness import TEAM_CHAT_ID, Person, RunningBot, enrol
from tests.helpers.help import alerts, ask_for_help, press

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


async def test_the_team_reads_who_is_on_shift_isolated_in_a_re_alert(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    """The second alert of a help request nobody took names who is on shift: an Arabic name
    in the team's French, or a spoofing one, is isolated like any placeholder."""
    await enrol(emu, clocked, VOLUNTEER, SPOOF, Role.VOLUNTEER)
    await Person(emu, VOLUNTEER).say("/shift start distribution")
    emu.add_user(501, "Ahmad", language_code="ar", username="ahmad")
    await ask_for_help(emu, clocked, Person(emu, 501), "minor")
    clock.advance(minutes=10)
    await clocked.bot.jobs.fire_due()
    await emu.wait_until(lambda: len(alerts(emu)) == 2)
    again = alerts(emu)[1].text or ""
    assert f"{FSI}{SPOOF}{PDI}" in again


async def test_what_a_volunteer_typed_is_isolated_when_the_bot_echoes_it(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    """ "Which item is “…”?" quotes what was typed: Arabic words in an English sentence are
    isolated, as every other typed value is."""
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    question = await volunteer.say("/distrib 40 blankets 25 ززززز")
    text = question.text or ""
    assert f"“{FSI}25 ززززز{PDI}”" in text


async def test_a_reminder_with_its_place_reads_right_to_left(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    """The place the code adds on its own line ("📍 Marck") would start that line left to
    right in an Arabic reminder."""
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ahmad", Role.VOLUNTEER, language="ar")
    await coordinator.say("/woodcut 2026-12-05 09:30 Marck 2")
    listing = await volunteer.say("/planning")
    await volunteer.press(listing, "pls:1:list")
    since = len(emu.bot_messages(VOLUNTEER))
    clock.current = datetime(2026, 12, 4, 8, 31, tzinfo=UTC)  # a day before 09:30 in Paris
    await clocked.bot.jobs.fire_due()
    reminder = await emu.wait_for_bot_message(VOLUNTEER, since=since)
    lines = (reminder.text or "").split("\n")
    assert any("Marck" in line for line in lines), lines
    for line in lines:
        assert line.startswith(RLM), repr(line)
    assert f"{FSI}Marck{PDI}" in (reminder.text or "")


async def test_the_plan_form_s_localized_days_read_in_order_in_pashto(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    """A localized date is isolated first-strong, not left to right: in Pashto the date starts
    with its year ("2026 دسمبر 3, پنج شنبه"), which a left-to-right isolate put last."""
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR, language="ps")
    form = await coordinator.say("/plan")
    days = [b for b in form.buttons() if (b.callback_data or "").startswith("pgf:1:")]
    dated = [b.text for b in days if "2026" in b.text]
    assert len(dated) == 7
    for label in dated:
        assert LRI not in label
        # Laid out right to left, the year is read first: right of the day and month.
        shown = get_display(label)
        assert shown.index("2026") > shown.index(","), label
    chosen = await coordinator.press(form, days[2].callback_data or "")
    line = next(line for line in (chosen.text or "").split("\n") if "📅" in line)
    shown = strip_bidi(get_display(line))
    assert shown.index("2026") > shown.index(","), line
    assert shown.endswith("📅"), line
