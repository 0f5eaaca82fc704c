"""Numbers, dates and times typed in Arabic-Indic (٠-٩) or Extended Arabic-Indic (۰-۹) digits,
with the invisible direction marks right-to-left keyboards slip around them, read the same as
Latin digits at every place a number is typed (issue 14 point 6).

Every test runs once per spelling: Latin digits (the reference), Arabic-Indic, Extended, and
both with direction marks (glued or standing alone between spaces). Only the parts in braces
of a template are spelled; what is asserted is the same for every spelling.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from bot.services.alerts import alert_key
from bot.storage.models import Role
from tests.helpers.harness import (
    TEAM_CHAT_ID,
    Person,
    RunningBot,
    enrol,
    outbox_settled,
)
from tests.helpers.help import ask_for_help, press

VOLUNTEER = 400
COORDINATOR = 250
ASKER = 510

ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
EXTENDED = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
RLM, LRM, ALM, RLI, FSI, PDI = "\u200f", "\u200e", "\u061c", "\u2067", "\u2068", "\u2069"
SPELLINGS: dict[str, Callable[[str], str]] = {
    "latin": lambda text: text,
    "arabic": lambda text: text.translate(ARABIC),
    "extended": lambda text: text.translate(EXTENDED),
    # What an Arabic phone keyboard types: RLM before, LRM after, glued to the number.
    "arabic-marks": lambda text: RLM + text.translate(ARABIC) + LRM,
    # Isolates and an ALM glued, and an RLM alone between spaces (an argument of its own).
    "extended-marks": lambda text: f"{RLM} {RLI}{text.translate(EXTENDED)}{PDI}{ALM}",
}
spellings = pytest.mark.parametrize("spelling", list(SPELLINGS))


def spell(template: str, spelling: str) -> str:
    """The template with each {part} typed in that spelling."""
    return re.sub(r"\{([^}]*)\}", lambda match: SPELLINGS[spelling](match.group(1)), template)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def plain(message: ChatMessage) -> str:
    return message.plain_text or ""


async def rows(running: RunningBot, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in await running.bot.storage.db.fetch_all(sql)]


# --- shifts ---------------------------------------------------------------------------------


@spellings
async def test_shift_start_return_time(
    emu: BotApiEmulator, clocked: RunningBot, spelling: str
) -> None:
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    started = await ana.say(spell("/shift start maraude {23:30}", spelling))
    assert "Expected back at 23:30" in plain(started)
    shift = await clocked.bot.storage.shifts.running(VOLUNTEER)
    assert shift is not None
    assert shift.activity == "maraude"
    assert shift.expected_return_at == utc(2026, 12, 1, 22, 30)


@spellings
async def test_hours_month(emu: BotApiEmulator, clocked: RunningBot, spelling: str) -> None:
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    reference = plain(await ana.say("/hours 2026-11"))
    assert "🕒" in reference
    assert plain(await ana.say(spell("/hours {2026-11}", spelling))) == reference


# --- distributions --------------------------------------------------------------------------

DISTRIBUTIONS = (
    "SELECT d.item_code, d.quantity, p.name FROM distributions d "
    "LEFT JOIN places p ON p.id = d.place_id WHERE d.undone_at IS NULL ORDER BY d.id"
)


@spellings
async def test_distrib_quick(emu: BotApiEmulator, clocked: RunningBot, spelling: str) -> None:
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    saved = await ana.say(spell("/distrib {40} blankets {25} tea @ Marck", spelling))
    assert "✅ Saved: 40 × blankets, 25 × tea/coffee" in plain(saved)
    assert await rows(clocked, DISTRIBUTIONS) == [("blankets", 40, "Marck"), ("tea", 25, "Marck")]
    # An item without its number: the number typed to "how many?" is read the same.
    question = await ana.say("/distrib tea @ Marck")
    assert "how many?" in plain(question)
    saved = await ana.say(spell("{12}", spelling))
    assert "✅ Saved: 12 × tea/coffee · Marck" in plain(saved)
    assert (await rows(clocked, DISTRIBUTIONS))[-1] == ("tea", 12, "Marck")


@spellings
async def test_distrib_guided_other_number(
    emu: BotApiEmulator, clocked: RunningBot, spelling: str
) -> None:
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    items = await ana.say("/distrib")
    quantities = await ana.press(items, "blankets")
    quantities = await ana.press(quantities, "➕ Other number")
    places = await ana.say(spell("{35}", spelling))
    assert plain(places).startswith("📍 35 × blankets: where?")
    saved = await ana.press(places, "Marck")
    assert "35 × blankets" in plain(saved)
    assert await rows(clocked, DISTRIBUTIONS) == [("blankets", 35, "Marck")]


async def test_arabic_decimal_separators_read_as_latin_ones(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    # "2.5 tea" and "2,5 tea" are asked about, never saved: so are ٢٫٥ and ۲،۵.
    decimal_point = plain(await ana.say("/distrib 2.5 tea"))
    assert plain(await ana.say("/distrib ٢٫٥ tea")) == decimal_point
    decimal_comma = plain(await ana.say("/distrib 2,5 tea"))
    assert plain(await ana.say("/distrib \u200f۲،۵ tea")) == decimal_comma
    assert await rows(clocked, DISTRIBUTIONS) == []
    # Between words the Arabic comma still separates two items.
    await ana.say("/distrib ٤٠ blankets،٢٥ tea @ Marck")
    assert await rows(clocked, DISTRIBUTIONS) == [("blankets", 40, "Marck"), ("tea", 25, "Marck")]


# --- planning and the wood-cutting sessions --------------------------------------------------

PLANNED = "SELECT kind, activity, starts_at, ends_at, needed, place_id FROM planned_shifts"


@spellings
async def test_plan_quick(emu: BotApiEmulator, clocked: RunningBot, spelling: str) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    answer = await claire.say(spell("/plan {2026-12-03} {18:00-20:00} distribution {2}", spelling))
    assert "Thu 3 Dec, 18:00–20:00" in plain(answer)
    planned = await clocked.bot.storage.planning.get(1)
    assert planned is not None
    assert (planned.starts_at, planned.ends_at, planned.needed) == (
        utc(2026, 12, 3, 17),
        utc(2026, 12, 3, 19),
        2,
    )


@spellings
async def test_plan_form_typed_day_time_and_number(
    emu: BotApiEmulator, clocked: RunningBot, spelling: str
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    form = await claire.say("/plan")
    await claire.press(form, "⌨️ Another day")
    form = await claire.say(spell("{2026-12-03}", spelling))
    assert "Thu, 3 Dec 2026" in plain(form)
    # A typed day: the time is awaited typed too.
    form = await claire.say(spell("{21:30-23:00}", spelling))
    assert "Thu, 3 Dec 2026, 21:30–23:00" in plain(form)
    form = await claire.press(form, "Maraude")
    await claire.press(form, "⌨️ Other number")
    form = await claire.say(spell("{5}", spelling))
    assert "5 people needed" in plain(form)


@spellings
async def test_woodcut_date_time_slots_and_cancel(
    emu: BotApiEmulator, clocked: RunningBot, spelling: str
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    confirmation = await claire.say(spell("/woodcut {2026-12-03} {9h30} Marck {6}", spelling))
    assert "#1" in plain(confirmation)
    assert "09:30–12:30" in plain(confirmation)
    planned = await clocked.bot.storage.planning.get(1)
    assert planned is not None
    assert (planned.starts_at, planned.needed) == (utc(2026, 12, 3, 8, 30), 6)
    question = await claire.say(spell("/woodcut cancel {#1}", spelling))
    assert question.buttons(), plain(question)
    assert "Usage" not in plain(question)


# --- alerts ---------------------------------------------------------------------------------


@spellings
async def test_alert_when_and_delete(
    emu: BotApiEmulator, clocked: RunningBot, spelling: str
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    saved = await claire.say(spell("/alert {21:30} Soup at {8}", spelling))
    assert "#1 saved (once)" in plain(saved)
    await claire.say(spell("/alert {2026-12-03} {18:00} Blankets", spelling))
    await claire.say(spell("/alert daily {08:00} Tea", spelling))
    jobs = clocked.bot.storage.jobs
    for number, due in ((1, utc(2026, 12, 1, 20, 30)), (2, utc(2026, 12, 3, 17))):
        job = await jobs.by_key(alert_key(number))
        assert job is not None
        assert (job.status, job.due_at) == ("pending", due)
    job = await jobs.by_key(alert_key(3))
    assert job is not None
    assert job.due_at == utc(2026, 12, 2, 7)
    # The text is relayed as typed: its digits are not the command's.
    stored = await rows(clocked, "SELECT text FROM alerts WHERE id = 1")
    assert stored == [(spell("Soup at {8}", spelling),)]
    deleted = await claire.say(spell("/alert del {2}", spelling))
    assert "#2 deleted" in plain(deleted)


# --- reports and exports --------------------------------------------------------------------


@spellings
async def test_report_and_export_periods(
    emu: BotApiEmulator, clocked: RunningBot, spelling: str
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await claire.say("/distrib 10 tea @ Marck")
    for period in ("2026-12", "2026-12-01..2026-12-15"):
        reference = plain(await claire.say(f"/report {period}"))
        assert "📊" in reference
        typed = spell("/report {" + period + "}", spelling)
        assert plain(await claire.say(typed)) == reference
    reference = plain(await claire.say("/export 2026-12"))
    assert "Bad" not in reference
    assert plain(await claire.say(spell("/export {2026-12}", spelling))) == reference


@spellings
async def test_incidents_filters_and_export_period(
    emu: BotApiEmulator, clocked: RunningBot, spelling: str
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    reference = plain(await claire.say("/incidents 2026-11"))
    assert plain(await claire.say(spell("/incidents {2026-11}", spelling))) == reference
    await claire.say(spell("/incidents export {2026-11}", spelling))
    await emu.wait_until(lambda: "nothing to export" in plain(emu.bot_messages(COORDINATOR)[-1]))


# --- the incident form ----------------------------------------------------------------------


@spellings
async def test_incident_form_time_people_and_another_day(
    emu: BotApiEmulator, clocked: RunningBot, spelling: str
) -> None:
    vic = await enrol(emu, clocked, VOLUNTEER, "Vic", Role.VOLUNTEER)
    form = await vic.say("/incident")
    form = await vic.press(form, "Eviction")
    form = await vic.press(form, "Earlier today")
    form = await vic.say(spell("{19:45}", spelling))
    assert "Where?" in plain(form)
    # The place is free text, kept as typed (digits and marks included).
    form = await vic.say(spell("Tent {12}", spelling))
    assert "How many people" in plain(form)
    form = await vic.say(spell("{3}", spelling))
    assert "minors" in plain(form)
    draft = await clocked.bot.services.incidents.draft_of(await user(clocked, VOLUNTEER))
    assert draft is not None
    assert draft.occurred_at == utc(2026, 12, 1, 18, 45)
    assert draft.details.people == 3
    assert draft.details.place_text == spell("Tent {12}", spelling).strip()


async def user(running: RunningBot, user_id: int) -> Any:
    return await running.bot.services.users.get(user_id)


@spellings
async def test_incident_form_another_day(
    emu: BotApiEmulator, clocked: RunningBot, spelling: str
) -> None:
    vic = await enrol(emu, clocked, VOLUNTEER, "Vic", Role.VOLUNTEER)
    form = await vic.say("/incident")
    form = await vic.press(form, "Danger at sea")
    form = await vic.press(form, "Another day")
    form = await vic.say(spell("{28/11} {06:15}", spelling))
    assert "Where?" in plain(form)
    draft = await clocked.bot.services.incidents.draft_of(await user(clocked, VOLUNTEER))
    assert draft is not None
    assert draft.occurred_at == utc(2026, 11, 28, 5, 15)


# --- help requests and the team -------------------------------------------------------------


@spellings
async def test_reply_number(emu: BotApiEmulator, clocked: RunningBot, spelling: str) -> None:
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    emu.add_user(ASKER, "Ahmad", language_code="ar")
    await ask_for_help(emu, clocked, Person(emu, ASKER), "shelter")
    alert = next(m for m in emu.bot_messages(TEAM_CHAT_ID) if "🆘" in (m.text or ""))
    assert "✅" in await press(emu, VOLUNTEER, alert, "hlpt:1")
    prompt = await ana.say(spell("/reply {1}", spelling))
    assert "✍️" in plain(prompt)


@spellings
async def test_promote_by_telegram_id(
    emu: BotApiEmulator, clocked: RunningBot, spelling: str
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    answer = await claire.say(spell("/promote {400} legal", spelling))
    await outbox_settled(clocked)
    assert "Ana" in plain(answer), plain(answer)
    ana = await clocked.bot.storage.users.get(VOLUNTEER)
    assert ana is not None
    assert ana.role == Role.LEGAL
