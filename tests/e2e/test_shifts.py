"""Volunteer shifts through the emulator, with the clock moved by hand."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from bot.services.outbox import BULK
from bot.storage.models import Role
from tests.helpers.clock import FakeClock
from tests.helpers.harness import (
    ADMIN_ID,
    TEAM_CHAT_ID,
    Person,
    RunningBot,
    enrol,
    make_settings,
    start_bot,
)

VOLUNTEER = 200
COORDINATOR = 250


async def fire(running: RunningBot, emu: BotApiEmulator, chat_id: int) -> int:
    """Run the jobs now due; return the index of the chat's next message."""
    since = len(emu.bot_messages(chat_id))
    await running.bot.jobs.fire_due()
    return since


async def after_jobs(running: RunningBot, emu: BotApiEmulator, chat_id: int) -> ChatMessage:
    """Run the jobs now due and return the first message they send to a chat."""
    since = await fire(running, emu, chat_id)
    return await emu.wait_for_bot_message(chat_id, since=since)


async def test_a_volunteer_starts_and_ends_a_shift(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    person = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    choose = await person.say("/shift start")
    assert len(choose.buttons()) == 6
    started = await person.press(choose, "shs:maraude")
    assert "21:00" in (started.text or "")
    assert started.button("she")  # "End shift" is one tap away
    clock.advance(hours=3, minutes=20)
    ended = await person.press(started, "she")
    text = ended.plain_text or ""
    assert "00:20" in text  # ended at 00:20 Paris time
    assert "3 hrs 20 mins" in text
    shift = await clocked.bot.storage.shifts.get(1)
    assert shift is not None
    assert shift.ended_at is not None
    assert shift.ended_at - shift.started_at == timedelta(hours=3, minutes=20)
    hours = await person.say("/hours")
    assert "3 hrs 20 mins" in (hours.plain_text or "")


async def test_starting_twice_answers_with_the_running_shift(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    person = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await person.say("/shift start distribution")
    again = await person.say("/shift start maraude")
    assert "already" in (again.text or "")
    count = await clocked.bot.storage.db.fetch_value("SELECT COUNT(*) FROM shifts")
    assert count == 1
    await person.say("/shift end")
    nothing = await person.say("/shift end")
    assert "not on shift" in (nothing.text or "")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/shift start swimming", "Unknown activity"),
        ("/shift start maraude 25:00", "is not a time"),
        ("/shift start maraude 9pm", "is not a time"),
        ("/shift dance", "Usage"),
        ("/hours 2026-13", "is not a month"),
    ],
)
async def test_bad_shift_input_is_refused_and_changes_nothing(
    emu: BotApiEmulator, clocked: RunningBot, command: str, expected: str
) -> None:
    person = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    answer = await person.say(command)
    assert expected in (answer.text or "")
    assert await clocked.bot.storage.db.fetch_value("SELECT COUNT(*) FROM shifts") == 0


async def test_public_users_cannot_check_in(emu: BotApiEmulator, clocked: RunningBot) -> None:
    emu.add_user(777, "Someone", language_code="en")
    person = await enrol(emu, clocked, 777, "Someone", Role.PUBLIC)
    for command in ("/shift start maraude", "/shift", "/hours", "/planning"):
        answer = await person.say(command)
        assert "🔒" in (answer.text or ""), command
    assert await clocked.bot.storage.db.fetch_value("SELECT COUNT(*) FROM shifts") == 0


async def test_coordinators_see_who_is_on_shift(emu: BotApiEmulator, clocked: RunningBot) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await volunteer.say("/shift start maraude 02:30")
    status = await coordinator.say("/shift status")
    text = status.plain_text or ""
    assert "Ana (@ana)" in text
    assert "21:00" in text
    assert "02:30" in text
    own = await volunteer.say("/shift")
    assert "02:30" in (own.plain_text or "")


async def test_night_round_without_answer_alerts_the_team(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await volunteer.say("/shift start maraude 02:30")
    clock.advance(hours=5, minutes=59)  # 02:59: not yet
    assert await clocked.bot.jobs.fire_due() == 0
    clock.advance(minutes=1)  # 03:00, thirty minutes after the expected return
    ask = await after_jobs(clocked, emu, VOLUNTEER)
    assert "02:30" in (ask.plain_text or "")
    assert len(ask.buttons()) == 3
    clock.advance(minutes=15)
    team_since = len(emu.bot_messages(TEAM_CHAT_ID))
    coordinator_since = len(emu.bot_messages(COORDINATOR))
    await clocked.bot.jobs.fire_due()
    alert = await emu.wait_for_bot_message(TEAM_CHAT_ID, since=team_since)
    assert "Ana" in (alert.plain_text or "")
    await emu.wait_for_bot_message(COORDINATOR, since=coordinator_since)
    # A late "all OK" is welcome, and the team hears it.
    team_since = len(emu.bot_messages(TEAM_CHAT_ID))
    await volunteer.press(ask, "saf:1:ok")
    relief = await emu.wait_for_bot_message(TEAM_CHAT_ID, since=team_since)
    assert "✅ Ana" in (relief.plain_text or "")
    assert await clocked.bot.jobs.fire_due() == 0  # nothing fires twice


async def test_need_help_alerts_the_team_at_once(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await volunteer.say("/shift start maraude 23:00")
    clock.advance(hours=2, minutes=30)
    ask = await after_jobs(clocked, emu, VOLUNTEER)
    team_since = len(emu.bot_messages(TEAM_CHAT_ID))
    await volunteer.press(ask, "saf:1:help")
    alert = await emu.wait_for_bot_message(TEAM_CHAT_ID, since=team_since)
    assert "🆘" in (alert.text or "")
    clock.advance(minutes=30)
    assert await clocked.bot.jobs.fire_due() == 0  # no second, "silent" alert


async def test_extending_asks_again_later(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await volunteer.say("/shift start maraude 23:00")
    clock.advance(hours=2, minutes=30)  # 23:30
    ask = await after_jobs(clocked, emu, VOLUNTEER)
    answered = await volunteer.press(ask, "saf:1:extend")
    assert "00:00" in (answered.plain_text or "")
    clock.advance(minutes=15)
    assert await clocked.bot.jobs.fire_due() == 0  # the escalation was called off
    clock.advance(minutes=15)
    again = await after_jobs(clocked, emu, VOLUNTEER)
    assert len(again.buttons()) == 3


async def test_a_shift_left_open_is_closed_after_12_hours(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await volunteer.say("/shift start permanence")
    clock.advance(hours=13)
    told = await after_jobs(clocked, emu, VOLUNTEER)
    assert "12 hours" in (told.plain_text or "")
    shift = await clocked.bot.storage.shifts.get(1)
    assert shift is not None
    assert shift.auto_closed
    assert shift.ended_at == shift.started_at + timedelta(hours=12)
    hours = await volunteer.say("/hours")
    assert "⚠️" in (hours.text or "")


async def test_the_menu_gives_volunteers_their_shift_in_two_taps(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    menu = await volunteer.say("/menu")
    assert [b.callback_data for b in menu.buttons()[:4]] == [
        "topic:distrib",
        "topic:shift",
        "topic:planning",
        "topic:hours",
    ]
    activities = await volunteer.press(menu, "topic:shift")
    started = await volunteer.press(activities, "shs:distribution")  # tap 2: on shift
    assert "▶️" in (started.text or "")
    clock.advance(hours=2)
    status = await volunteer.press(menu, "topic:shift")
    ended = await volunteer.press(status, "she")
    assert "⏹️" in (ended.text or "")


async def test_coordinators_see_this_months_hours_per_volunteer(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await volunteer.say("/shift start woodyard")
    clock.advance(hours=1, minutes=30)
    await volunteer.say("/shift end")
    listing = await coordinator.say("/volunteers")
    line = next(line for line in (listing.plain_text or "").splitlines() if "Ana" in line)
    assert "1 hr 30 mins" in line


async def test_an_open_safety_question_survives_the_12_hour_mark_and_a_long_outage(
    emu: BotApiEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    database = tmp_path / "night.sqlite3"
    first = await start_bot(make_settings(emu, database), clock)
    try:
        volunteer = await enrol(emu, first, VOLUNTEER, "Ana", Role.VOLUNTEER)
        # 21:00, back at 08:20: asked at 08:50, the 12-hour mark is 09:00.
        await volunteer.say("/shift start maraude 08:20")
        clock.advance(hours=11, minutes=50)
        await after_jobs(first, emu, VOLUNTEER)  # "Are you OK?"
    finally:
        await first.stop()
    # The bot is down for two hours, across the 12-hour mark and the 15-minute alert.
    clock.advance(hours=2)
    team_since = len(emu.bot_messages(TEAM_CHAT_ID))
    second = await start_bot(make_settings(emu, database), clock)
    try:
        alert = await emu.wait_for_bot_message(TEAM_CHAT_ID, since=team_since)
        assert "Ana" in (alert.plain_text or "")
        shift = await second.bot.storage.shifts.get(1)
        assert shift is not None
        assert shift.running  # not closed while nobody knows where she is
    finally:
        await second.stop()


async def test_a_return_time_too_late_for_the_safety_check_is_refused(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    answer = await volunteer.say("/shift start maraude 08:45")  # 11 h 45 min from 21:00
    assert "12" in (answer.text or "")
    assert await clocked.bot.storage.db.fetch_value("SELECT COUNT(*) FROM shifts") == 0


async def test_a_double_tap_on_need_help_alerts_once(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await volunteer.say("/shift start maraude 23:00")
    clock.advance(hours=2, minutes=30)
    ask = await after_jobs(clocked, emu, VOLUNTEER)
    team_since = len(emu.bot_messages(TEAM_CHAT_ID))
    await emu.press(VOLUNTEER, ask, "saf:1:help")
    await emu.press(VOLUNTEER, ask, "saf:1:help")
    await emu.wait_until(lambda: not emu.unanswered_callbacks())
    await volunteer.say("/help")
    alerts = [m for m in emu.bot_messages(TEAM_CHAT_ID)[team_since:] if "🆘" in (m.text or "")]
    assert len(alerts) == 1
    forged = await clocked.bot.services.shifts.running(
        await clocked.bot.services.users.get(VOLUNTEER)  # type: ignore[arg-type]
    )
    assert forged is not None
    assert forged.safety_state == "help"


async def test_extending_after_the_team_was_alerted_tells_the_team(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await volunteer.say("/shift start maraude 23:00")
    clock.advance(hours=2, minutes=30)
    ask = await after_jobs(clocked, emu, VOLUNTEER)
    clock.advance(minutes=15)
    await clocked.bot.jobs.fire_due()  # the team is alerted
    team_since = len(emu.bot_messages(TEAM_CHAT_ID)) + 1
    await emu.wait_until(lambda: len(emu.bot_messages(TEAM_CHAT_ID)) >= team_since)
    await volunteer.press(ask, "saf:1:extend")
    notice = await emu.wait_for_bot_message(TEAM_CHAT_ID, since=team_since)
    assert "⏱️" in (notice.text or "")


async def test_an_antenna_without_team_chat_or_coordinator_alerts_the_admins(
    emu: BotApiEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    """Grande-Synthe has no team chat and no coordinator yet: its alerts reach the admins."""
    database = tmp_path / "uncovered.sqlite3"
    running = await start_bot(make_settings(emu, database), clock)
    try:
        # Told at start-up, once: the admin knows whose alerts only they will hear.
        notices = [m.plain_text or "" for m in emu.bot_messages(ADMIN_ID)]
        assert len(notices) == 1
        assert "Grande-Synthe" in notices[0]
        assert "Calais" not in notices[0]  # its team chat is set
        volunteer = await enrol(
            emu, running, VOLUNTEER, "Ana", Role.VOLUNTEER, antenna="grande-synthe"
        )
        await volunteer.say("/shift start maraude 02:30")
        clock.advance(hours=6)  # 03:00 Paris: "all OK?"
        await after_jobs(running, emu, VOLUNTEER)
        clock.advance(minutes=15)  # no answer
        team_since = len(emu.bot_messages(TEAM_CHAT_ID))
        admin_since = len(emu.bot_messages(ADMIN_ID))
        await running.bot.jobs.fire_due()
        alert = await emu.wait_for_bot_message(ADMIN_ID, since=admin_since)
        assert "Ana" in (alert.plain_text or "")
        assert "02:30" in (alert.plain_text or "")
        # Calais' team chat is not Grande-Synthe's: it hears nothing of it.
        assert len(emu.bot_messages(TEAM_CHAT_ID)) == team_since
    finally:
        await running.stop()
    # A restart with nothing changed does not repeat the notice.
    before = len(emu.bot_messages(ADMIN_ID))
    again = await start_bot(make_settings(emu, database), clock)
    await again.stop()
    assert len(emu.bot_messages(ADMIN_ID)) == before


async def test_a_short_shift_of_an_uncovered_antenna_warns_the_admins(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    storage = clocked.bot.storage
    async with storage.transaction():
        planned = await storage.planning.add(
            "grande-synthe",
            "distribution",
            clock.now() + timedelta(hours=30),
            clock.now() + timedelta(hours=33),
            2,
            ADMIN_ID,
            clock.now(),
        )
        await clocked.bot.services.scheduler.schedule(
            "planning.short", f"plan:{planned.id}:short", clock.now(), {"planned": planned.id}
        )
    since = len(emu.bot_messages(ADMIN_ID))
    await clocked.bot.jobs.fire_due()
    warning = await emu.wait_for_bot_message(ADMIN_ID, since=since)
    assert "2" in (warning.plain_text or "")
    assert warning.buttons()  # sign up right from the warning


async def test_a_safety_alert_overtakes_bulk_messages_queued_for_the_team_chat(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await volunteer.say("/shift start maraude 23:00")
    clock.advance(hours=2, minutes=30)
    ask = await after_jobs(clocked, emu, VOLUNTEER)
    # A broadcast to the team chat is under way: bulk messages keep the group's pace, and the
    # clock does not move, so they wait.
    outbox = clocked.bot.services.outbox
    async with clocked.bot.storage.transaction():
        for index in range(5):
            await outbox.send_text(TEAM_CHAT_ID, f"bulk {index}", priority=BULK)
    team_since = len(emu.bot_messages(TEAM_CHAT_ID))
    await volunteer.press(ask, "saf:1:help")
    alert = await emu.wait_for_bot_message(
        TEAM_CHAT_ID, lambda m: "🆘" in (m.text or ""), since=team_since
    )
    before_alert = emu.bot_messages(TEAM_CHAT_ID)[
        team_since : emu.bot_messages(TEAM_CHAT_ID).index(alert)
    ]
    assert sum("bulk" in (m.text or "") for m in before_alert) <= 1


async def test_an_alert_an_admin_cannot_receive_is_reported_to_the_others(
    emu: BotApiEmulator, tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The first admin blocked the bot: the alert reaches the second, who also hears of it."""
    other_admin = ADMIN_ID + 1
    emu.add_user(other_admin, "Bea", language_code="en")
    settings = make_settings(
        emu, tmp_path / "blocked.sqlite3", admin_ids=frozenset({ADMIN_ID, other_admin})
    )
    running = await start_bot(settings, clock)
    try:
        await Person(emu, other_admin).say("/start")
        emu.block(ADMIN_ID)
        volunteer = await enrol(
            emu, running, VOLUNTEER, "Ana", Role.VOLUNTEER, antenna="grande-synthe"
        )
        await volunteer.say("/shift start maraude 02:30")
        clock.advance(hours=6)
        await after_jobs(running, emu, VOLUNTEER)
        clock.advance(minutes=15)
        since = len(emu.bot_messages(other_admin))
        await running.bot.jobs.fire_due()
        alert = await emu.wait_for_bot_message(
            other_admin, lambda m: "Ana" in (m.text or ""), since=since
        )
        assert "02:30" in (alert.plain_text or "")
        report = await emu.wait_for_bot_message(
            other_admin, lambda m: "could not be delivered" in (m.text or ""), since=since
        )
        assert str(ADMIN_ID) in (report.text or "")
        assert any(
            record.levelname == "ERROR" and "urgent message" in record.getMessage()
            for record in caplog.records
        )
    finally:
        await running.stop()
