"""Coordinators by buttons and in their own words (issue 9, points 5 and 7).

Words typed in French (or any shipped language) as well as English; the coordinators' menu
buttons; the guided /report and /plan, a restart in the middle of the form, a double tap on
Confirm, a volunteer forging the coordinator's buttons, and days typed on the nights the clocks
change. The clock: Tuesday 2026-12-01, 21:00 in Paris.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.sandbox.emulator import BotApiEmulator, Button, ChatMessage
from bot.storage.models import Role
from tests.helpers.clock import FakeClock
from tests.helpers.harness import (
    TEAM_CHAT_ID,
    Person,
    RunningBot,
    enrol,
    make_settings,
    start_bot,
)

COORDINATOR = 250
VOLUNTEER = 201
COORDINATOR_BUTTONS = ("📊 Report", "🗓️ Plan", "🎟️ Invite", "👥 Volunteers", "📎 Export")


async def planned_rows(running: RunningBot) -> list[Any]:
    return await running.bot.storage.db.fetch_all(
        "SELECT activity, starts_at, ends_at, needed, place_id FROM planned_shifts ORDER BY id"
    )


async def last_answer(emu: BotApiEmulator, before: int) -> str:
    """The toast or alert of the press after `before` answers."""
    await emu.wait_until(lambda: len(emu.callback_answers) > before)
    return str(list(emu.callback_answers.values())[before].get("text") or "")


async def press_for_answer(person: Person, message: ChatMessage, label: str) -> str:
    emu = person.emu
    before = len(emu.callback_answers)
    await emu.press(person.id, message, label)
    return await last_answer(emu, before)


# --- point 5: the user's words -------------------------------------------------------------


async def test_french_words_plan_report_and_start_a_shift(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR, language="fr")
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER, language="fr")

    answer = (await claire.say("/plan demain 18:00-20:00 distribution")).plain_text or ""
    # Said back: the day with its name, the time and the activity understood.
    assert "mer. 2 déc." in answer
    assert "18:00–20:00" in answer
    assert "Distribution" in answer
    # Several words, a weekday, a place, and Arabic-Indic digits.
    answer = (await claire.say("/plan Lundi 09:00 - 12:00 chantier bois 3 @ Marck")).plain_text
    assert "lun. 7 déc." in (answer or "")
    assert "Découpe du bois" in (answer or "")
    await claire.say("/plan ٢٠٢٦-١٢-٠٣ ١٨:٠٠-٢٠:٠٠ توزيع ٢")
    await claire.say("/plan après-demain 21:00-02:00 MARAUDE")
    rows = await planned_rows(clocked)
    marck = next(
        p.id
        for p in clocked.bot.services.distributions.catalogue.places_of("calais")
        if p.name == "Marck"
    )
    assert [tuple(row) for row in rows] == [
        ("distribution", "2026-12-02T17:00:00.000000Z", "2026-12-02T19:00:00.000000Z", 1, None),
        ("woodyard", "2026-12-07T08:00:00.000000Z", "2026-12-07T11:00:00.000000Z", 3, marck),
        ("distribution", "2026-12-03T17:00:00.000000Z", "2026-12-03T19:00:00.000000Z", 2, None),
        ("maraude", "2026-12-03T20:00:00.000000Z", "2026-12-04T01:00:00.000000Z", 1, None),
    ]

    report = (await claire.say("/report semaine")).plain_text or ""
    assert "30 nov. 2026" in report  # this week began on Monday 30 November
    assert "1 déc. 2026" in report
    report = (await claire.say("/report le mois dernier")).plain_text or ""
    assert "1 nov. 2026" in report
    assert "30 nov. 2026" in report

    started = (await ana.say("/shift start accompagnement")).plain_text or ""
    assert "Accompagnement" in started
    shift = await clocked.bot.storage.shifts.running(VOLUNTEER)
    assert shift is not None
    assert shift.activity == "accompaniment"


async def test_english_readers_may_use_french_words_and_the_reverse(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER, language="fr")
    report = (await claire.say("/report mois dernier")).plain_text or ""
    assert "1 Nov 2026" in report
    await claire.say("/plan tomorrow 18:00-20:00 drop-in")
    assert [row[0] for row in await planned_rows(clocked)] == ["permanence"]
    started = (await ana.say("/shift start wood 02:30")).plain_text or ""
    assert "Découpe du bois" in started
    assert "02:30" in started


async def test_unknown_words_are_answered_with_the_accepted_ones_and_change_nothing(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR, language="fr")
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER, language="fr")
    since = len(emu.bot_messages(TEAM_CHAT_ID))

    answer = (await claire.say("/report quinzaine")).plain_text or ""
    # (The sentence is translated by the catalogue; the words come from the keywords.)
    assert answer.startswith("❌ quinzaine")
    for word in ("aujourd’hui", "semaine", "mois dernier", "2026-12"):
        assert word in answer

    answer = (await ana.say("/shift start natation")).plain_text or ""
    assert "Activité inconnue : natation" in answer
    for word in ("Maraude", "Découpe du bois", "Accompagnement", "Permanence"):
        assert word in answer
    assert await clocked.bot.storage.shifts.running(VOLUNTEER) is None

    answer = (await claire.say("/plan jamais 18:00-20:00 distribution")).plain_text or ""
    assert answer.startswith("❌ jamais")
    assert "demain" in answer
    assert "lundi" in answer
    # A huge word is echoed cut, never in full.
    answer = (await claire.say("/plan " + "x" * 3000 + " 18:00-20:00 maraude")).plain_text
    assert "…" in (answer or "")
    assert len(answer or "") < 400
    answer = (await claire.say("/plan demain 18:00-20:00 natation")).plain_text or ""
    assert "Activité inconnue" in answer
    assert "Découpe du bois" in answer
    assert await planned_rows(clocked) == []
    assert len(emu.bot_messages(TEAM_CHAT_ID)) == since  # nothing posted


# --- point 7: the coordinators' menu and the guided /report ----------------------------------


async def test_coordinators_have_their_own_menu_buttons_and_volunteers_do_not(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    menu = await claire.say("/menu")
    labels = [button.text for button in menu.buttons()]
    for label in COORDINATOR_BUTTONS:
        assert label in labels
    assert not set(COORDINATOR_BUTTONS) & {b.text for b in (await ana.say("/menu")).buttons()}

    periods = await claire.press(menu, "📊 Report")
    assert "Which period?" in (periods.text or "")
    report = await claire.press(periods, "📆 Last month")
    assert "1 Nov 2026" in (report.plain_text or "")
    assert "30 Nov 2026" in (report.plain_text or "")
    invitation = await claire.press(menu, "🎟️ Invite")
    assert "🎟️" in (invitation.text or "")
    assert "?start=" in (invitation.plain_text or "")
    team = await claire.press(menu, "👥 Volunteers")
    assert "Ana" in (team.plain_text or "")
    form = await claire.press(menu, "🗓️ Plan")
    assert "Which day?" in (form.text or "")
    export = await claire.press(menu, "📎 Export")
    assert "⏳" in (export.text or "")
    await emu.wait_for_bot_message(COORDINATOR, lambda m: m.kind == "document")


async def test_report_alone_asks_the_period_and_volunteers_are_refused(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    periods = await claire.say("/report")
    labels = [button.text for button in periods.buttons()]
    assert labels == [
        "📅 Today",
        "📅 Yesterday",
        "🗓️ This week",
        "🗓️ Last week",
        "📆 This month",
        "📆 Last month",
        "📈 This year",
    ]
    assert all(len((b.callback_data or "").encode()) <= 64 for b in periods.buttons())
    today = await claire.press(periods, "📅 Today")
    assert "📊" in (today.text or "")
    assert "1 Dec 2026" in (today.plain_text or "")
    assert "🔒" in ((await ana.say("/report")).text or "")
    # A volunteer pressing a copy of the coordinator's period button is refused.
    forged = ana.last()
    forged.keyboard = [[Button("📆 This month", callback_data="rpp:month")]]
    assert "🔒" in await press_for_answer(ana, forged, "rpp:month")


async def test_a_coordinators_old_menu_button_is_refused_once_demoted(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    menu = await claire.say("/menu")
    async with clocked.bot.storage.transaction():
        await clocked.bot.storage.users.set_role(COORDINATOR, Role.VOLUNTEER, antenna="calais")
    for label in COORDINATOR_BUTTONS:
        assert "🔒" in await press_for_answer(claire, menu, label)
    assert await clocked.bot.storage.drafts.latest(COORDINATOR, "plan") is None
    assert await clocked.bot.storage.db.fetch_all("SELECT * FROM invites") == []


# --- point 7: the guided /plan --------------------------------------------------------------


async def test_the_guided_plan_end_to_end_and_a_double_tap_on_confirm(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    form = await claire.say("/plan")
    labels = [button.text for button in form.buttons()]
    assert labels[0] == "Today · Tue, 1 Dec 2026"
    assert labels[1] == "Tomorrow · Wed, 2 Dec 2026"
    assert "Mon, 7 Dec 2026" in labels  # the coming days, by their names
    assert "⌨️ Another day" in labels
    assert all(len((b.callback_data or "").encode()) <= 64 for b in form.buttons())

    date_keyboard = form.keyboard
    form = await claire.press(form, "Tomorrow")
    assert "📅 Wed, 2 Dec 2026" in (form.plain_text or "")
    # The day's button pressed again (a double tap arriving late): answered, nothing changes.
    form.keyboard, time_keyboard = date_keyboard, form.keyboard
    assert "Already answered" in await press_for_answer(claire, form, "Today")
    form.keyboard = time_keyboard
    assert "Wed, 2 Dec 2026" in (form.plain_text or "")
    assert [b.text for b in form.buttons()][:4] == [
        "09:00–12:00",
        "14:00–17:00",
        "18:00–21:00",
        "21:00–02:00",
    ]
    form = await claire.press(form, "21:00–02:00")
    assert "Wed, 2 Dec 2026, 21:00–02:00" in (form.plain_text or "")
    form = await claire.press(form, "Maraude")
    assert [b.text for b in form.buttons()][:5] == ["1", "2", "3", "4", "6"]
    form = await claire.press(form, "⌨️ Other number")
    assert "Type the number" in (form.text or "")
    # The typed number (Arabic-Indic digits) answers the question; the place comes next.
    place_step = await claire.say("٥")
    assert "5 people needed" in (place_step.plain_text or "")
    assert "Marck" in [b.text for b in place_step.buttons()]
    confirm = await claire.press(place_step, "Marck")
    text = confirm.plain_text or ""
    for part in ("Wed, 2 Dec 2026, 21:00–02:00", "Maraude", "5 people needed", "📍 Marck"):
        assert part in text
    assert "Plan this shift?" in text
    assert await planned_rows(clocked) == []  # nothing before Confirm

    posts = len(emu.bot_messages(TEAM_CHAT_ID))
    keyboard = confirm.keyboard
    answers = len(emu.callback_answers)
    # A double tap: both presses leave before the first is answered.
    await emu.press(COORDINATOR, confirm, "✅ Confirm")
    await emu.press(COORDINATOR, confirm, "✅ Confirm")
    await emu.wait_until(lambda: len(emu.callback_answers) >= answers + 2)
    await emu.wait_until(lambda: "Planned and posted" in (confirm.plain_text or ""))
    assert "Maraude" in (confirm.plain_text or "")
    assert "Wed 2 Dec" in (confirm.plain_text or "")
    # Much later, the same Confirm pressed again (an old screen): still nothing new.
    confirm.keyboard = keyboard
    assert "Already planned" in await press_for_answer(claire, confirm, "✅ Confirm")
    rows = await planned_rows(clocked)
    assert len(rows) == 1
    assert tuple(rows[0])[:4] == (
        "maraude",
        "2026-12-02T20:00:00.000000Z",
        "2026-12-03T01:00:00.000000Z",
        5,
    )
    await emu.wait_until(lambda: len(emu.bot_messages(TEAM_CHAT_ID)) > posts)
    assert len(emu.bot_messages(TEAM_CHAT_ID)) == posts + 1
    post = emu.last_bot_message(TEAM_CHAT_ID)
    assert "0/5" in post.buttons()[0].text


async def test_a_volunteer_forging_the_coordinators_form_buttons_changes_nothing(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    form = await claire.say("/plan")
    for label in ("Tomorrow", "18:00–21:00", "Distribution", "2", "🚫 No place"):
        form = await claire.press(form, label)
    confirm = next(b for b in form.buttons() if b.text == "✅ Confirm")
    before = (await clocked.bot.storage.drafts.latest(COORDINATOR, "plan"), None)
    forged = ana.last()
    data = confirm.callback_data or ""
    forged.keyboard = [[Button("✅ Confirm", callback_data=data)]]
    assert "🔒" in await press_for_answer(ana, forged, data)
    # The volunteer's own /plan is refused too, and opens no form.
    assert "🔒" in ((await ana.say("/plan")).text or "")
    assert await planned_rows(clocked) == []
    assert await clocked.bot.storage.drafts.latest(VOLUNTEER, "plan") is None
    assert (await clocked.bot.storage.drafts.latest(COORDINATOR, "plan"), None) == before


async def test_a_replaced_or_cancelled_form_plans_nothing(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    first = await claire.say("/plan")
    second = await claire.say("/plan")
    assert "already used, cancelled or replaced" in await press_for_answer(
        claire, first, "Tomorrow"
    )
    cancelled = await claire.press(second, "❌ Cancel")
    assert "Nothing was planned" in (cancelled.text or "")
    assert await clocked.bot.storage.drafts.latest(COORDINATOR, "plan") is None
    assert await planned_rows(clocked) == []


async def test_a_time_already_past_is_refused_at_its_step(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    form = await claire.say("/plan")
    form = await claire.press(form, "Today")
    assert "already past" in await press_for_answer(claire, form, "09:00–12:00")
    form = await claire.press(form, "⌨️ Another time")
    assert "already past" in ((await claire.say("20:00-20:30")).text or "")
    assert "not a time" in ((await claire.say("9pm")).text or "")
    later = await claire.say("21:30-23:00")  # still waiting: the right answer is taken
    assert "Tue, 1 Dec 2026, 21:30–23:00" in (later.plain_text or "")


async def test_the_guided_plan_survives_a_restart_in_the_middle(
    emu: BotApiEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    database = tmp_path / "form.sqlite3"
    first = await start_bot(make_settings(emu, database), clock)
    try:
        claire = await enrol(emu, first, COORDINATOR, "Claire", Role.COORDINATOR)
        form = await claire.say("/plan")
        form = await claire.press(form, "Tomorrow")
        form = await claire.press(form, "14:00–17:00")
    finally:
        await first.stop()
    second = await start_bot(make_settings(emu, database), clock)
    try:
        # The buttons of the message shown before the restart, and typing, still work.
        form = await claire.press(form, "Accompaniment")
        await claire.press(form, "⌨️ Other number")
        form = await claire.say("3")
        assert "3 people needed" in (form.plain_text or "")
        form = await claire.press(form, "🚫 No place")
        assert "Wed, 2 Dec 2026, 14:00–17:00" in (form.plain_text or "")
        done = await claire.press(form, "✅ Confirm")
        assert "Planned and posted" in (done.plain_text or "")
        rows = await planned_rows(second)
        assert [tuple(row) for row in rows] == [
            (
                "accompaniment",
                "2026-12-02T13:00:00.000000Z",
                "2026-12-02T16:00:00.000000Z",
                3,
                None,
            )
        ]
    finally:
        await second.stop()


async def test_days_typed_on_the_nights_the_clocks_change(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    """Paris, 28 March 2027: 02:00 jumps to 03:00; 31 October 2027: 03:00 goes back to 02:00."""
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)

    async def plan(day: str, span: str) -> ChatMessage:
        form = await claire.say("/plan")
        await claire.press(form, "⌨️ Another day")
        assert "Type the day" in (form.text or "")
        form = await claire.say(day)
        # A typed day: the time is awaited typed too (its buttons still offered).
        assert "Type the start and end" in (form.text or "")
        assert "⌨️ Another time" not in [button.text for button in form.buttons()]
        form = await claire.say(span)
        for label in ("Maraude", "2", "🚫 No place"):
            form = await claire.press(form, label)
        return form

    spring = await plan("28/03/2027", "02:30-05:00")
    # 02:30 does not exist that night: the shift starts when the clocks show 03:00.
    assert "Sun, 28 Mar 2027, 03:00–05:00" in (spring.plain_text or "")
    await claire.press(spring, "✅ Confirm")
    autumn = await plan("2027-10-30", "22:00-02:30")
    # 02:30 shows twice: the first one, in summer time.
    assert "Sat, 30 Oct 2027, 22:00–02:30" in (autumn.plain_text or "")
    await claire.press(autumn, "✅ Confirm")
    rows = [tuple(row)[1:3] for row in await planned_rows(clocked)]
    assert rows == [
        ("2027-03-28T01:00:00.000000Z", "2027-03-28T03:00:00.000000Z"),
        ("2027-10-30T20:00:00.000000Z", "2027-10-31T00:30:00.000000Z"),
    ]
