"""Planned shifts: posted to the team chat, sign-ups, reminders across a restart."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.sandbox.emulator import BotApiEmulator
from bot.services.outbox import BULK
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
ANA, BOB = 201, 202
PLAN = "/plan 2026-12-02 21:00-02:00 maraude 2"


async def team(emu: BotApiEmulator, running: RunningBot) -> tuple[Person, Person, Person]:
    coordinator = await enrol(emu, running, COORDINATOR, "Claire", Role.COORDINATOR)
    ana = await enrol(emu, running, ANA, "Ana", Role.VOLUNTEER)
    bob = await enrol(emu, running, BOB, "Bob", Role.VOLUNTEER, language="fr")
    return coordinator, ana, bob


async def test_a_planned_shift_is_posted_and_volunteers_sign_up_from_the_team_chat(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    coordinator, _, _ = await team(emu, clocked)
    since = len(emu.bot_messages(TEAM_CHAT_ID))
    confirmation = await coordinator.say(PLAN)
    assert "✅" in (confirmation.text or "")
    post = await emu.wait_for_bot_message(TEAM_CHAT_ID, since=since)
    assert "0/2" in post.buttons()[0].text
    text = post.plain_text or ""
    assert "21:00" in text
    assert "02:00" in text

    ana_in_group = Person(emu, ANA, TEAM_CHAT_ID)
    bob_in_group = Person(emu, BOB, TEAM_CHAT_ID)
    await ana_in_group.press(post, "pls:1:post")
    await emu.wait_until(lambda: "1/2" in post.buttons()[0].text)
    await bob_in_group.press(post, "pls:1:post")
    await emu.wait_until(lambda: "2/2" in post.buttons()[0].text)
    assert "Ana" in (post.plain_text or "")
    assert "Bob" in (post.plain_text or "")
    # A double tap changes nothing; pressing again later withdraws.
    await emu.press(ANA, post, "pls:1:post")
    await emu.wait_until(lambda: not emu.unanswered_callbacks())
    assert "2/2" in post.buttons()[0].text
    clock.advance(minutes=1)
    await ana_in_group.press(post, "pls:1:post")
    await emu.wait_until(lambda: "1/2" in post.buttons()[0].text)
    assert "Ana" not in (post.plain_text or "")
    signed = await clocked.bot.services.planning.signed_up(1)
    assert [user.id for user in signed] == [BOB]


async def test_signed_up_volunteers_are_reminded_once_even_across_a_restart(
    emu: BotApiEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    database = tmp_path / "restart.sqlite3"
    first = await start_bot(make_settings(emu, database), clock)
    try:
        coordinator, ana, _ = await team(emu, first)
        await coordinator.say(PLAN)
        listing = await ana.say("/planning")
        await ana.press(listing, "pls:1:list")
    finally:
        await first.stop()
    # Down while nothing was due; back up just before the reminder (120 min before 21:00).
    clock.current = clock.current.replace(day=2, hour=17, minute=59)
    second = await start_bot(make_settings(emu, database), clock)
    try:
        # Only housekeeping may be due (the daily retention runs however late, and its timer
        # may or may not have beaten this call): no reminder yet.
        since = len(emu.bot_messages(ANA))
        await second.bot.jobs.fire_due()
        assert (
            await second.bot.storage.db.fetch_value(
                "SELECT COUNT(*) FROM jobs WHERE kind = 'planning.reminder' AND status = 'pending'"
            )
            == 1
        )
        assert len(emu.bot_messages(ANA)) == since
        clock.advance(minutes=1)
        assert await second.bot.jobs.fire_due() == 1
        reminder = await emu.wait_for_bot_message(ANA, since=since)
        assert "⏰" in (reminder.text or "")
        assert "21:00" in (reminder.plain_text or "")
        # A reminder is a bulk send: any answer or alert waiting goes before it.
        priority = await second.bot.storage.db.fetch_value(
            "SELECT priority FROM outbox WHERE chat_id = ? ORDER BY id DESC LIMIT 1", (ANA,)
        )
        assert priority == BULK
        assert await second.bot.jobs.fire_due() == 0  # never twice
    finally:
        await second.stop()


async def test_a_missed_reminder_fires_within_the_grace_and_not_beyond(
    emu: BotApiEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    database = tmp_path / "grace.sqlite3"
    first = await start_bot(make_settings(emu, database), clock)
    try:
        coordinator, ana, bob = await team(emu, first)
        await coordinator.say(PLAN)
        await coordinator.say("/plan 2026-12-03 21:00-02:00 distribution 2")
        await ana.press(await ana.say("/planning"), "pls:1:list")
        await bob.press(await bob.say("/planning"), "pls:2:list")
    finally:
        await first.stop()
    # Down from before 19:00 on Dec 2 until 19:30: Ana's reminder is 30 min late (fires, once,
    # through the JobQueue at start-up).
    clock.current = clock.current.replace(day=2, hour=18, minute=30)
    ana_since = len(emu.bot_messages(ANA))
    second = await start_bot(make_settings(emu, database), clock)
    try:
        reminder = await emu.wait_for_bot_message(ANA, since=ana_since)
        assert "⏰" in (reminder.text or "")
    finally:
        await second.stop()
    # Down again until far past Bob's reminder (Dec 3 19:00 + 2 h): skipped, not sent late.
    clock.current = clock.current.replace(day=3, hour=20, minute=30)
    bob_since = len(emu.bot_messages(BOB))
    third = await start_bot(make_settings(emu, database), clock)
    try:
        # Only housekeeping may run (the daily retention runs however late): no reminder.
        await third.bot.jobs.fire_due()
        job = await third.bot.storage.jobs.by_key(f"plan:2:remind:{BOB}")
        assert job is not None
        assert job.status == "skipped"
    finally:
        await third.stop()
    assert len(emu.bot_messages(BOB)) == bob_since
    assert len([m for m in emu.bot_messages(ANA) if "⏰" in (m.text or "")]) == 1


async def test_the_team_is_warned_a_day_before_a_short_shift(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    coordinator, ana, _ = await team(emu, clocked)
    await coordinator.say("/plan 2026-12-03 21:00-02:00 distribution 3")
    await ana.press(await ana.say("/planning"), "pls:1:list")
    clock.current = clock.current.replace(day=2, hour=20)  # 24 h before 21:00 Paris
    since = len(emu.bot_messages(TEAM_CHAT_ID))
    await clocked.bot.jobs.fire_due()
    warning = await emu.wait_for_bot_message(TEAM_CHAT_ID, since=since)
    assert "2 personnes" in (warning.plain_text or "")  # the team chat reads French
    assert warning.buttons()  # sign up right from the warning


async def test_a_check_in_near_a_planned_shift_is_linked_to_it(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    coordinator, ana, _ = await team(emu, clocked)
    await coordinator.say(PLAN)
    clock.current = clock.current.replace(day=2, hour=19, minute=15)  # 20:15 Paris
    started = await ana.say("/shift start maraude")
    assert "🔗" in (started.text or "")
    shift = await clocked.bot.storage.shifts.get(1)
    assert shift is not None
    assert shift.planned_id == 1
    clock.advance(hours=4)
    await ana.say("/shift end")
    await ana.say("/shift start distribution")  # no distribution planned: not linked
    other = await clocked.bot.storage.shifts.get(2)
    assert other is not None
    assert other.planned_id is None


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/plan 2026-11-30 21:00-02:00 maraude 4", "already past"),
        ("/plan 2026-12-02 25:00-02:00 maraude 4", "is not a time"),
        ("/plan 2026-12-32 21:00-02:00 maraude 4", "is not a date"),
        ("/plan 2026-12-02 21:00-02:00 swimming 4", "Unknown activity"),
        ("/plan 2026-12-02 21:00-02:00 maraude 0", "between 1 and 50"),
        ("/plan 2026-12-02 21:00-02:00 maraude -3", "between 1 and 50"),
        ("/plan 2026-12-02 21:00", "Usage"),
        ("/plan 2026-12-02 06:00-23:00 maraude", "16 hours"),
        # A place must be one of the antenna's places, matched as /distrib … @ PLACE does.
        ("/plan 2026-12-02 21:00-02:00 maraude 2 @ Nowhere", "Which place is “Nowhere”?"),
        ("/plan 2026-12-02 21:00-02:00 maraude @ Puythouck", "Choose one of:"),
        ("/plan 2026-12-02 21:00-02:00 maraude 2 @", "Usage"),
        ("/plan 2026-12-02 21:00-02:00 maraude 2 3 @ Marck", "Usage"),
        ("/plan 2026-12-02 21:00-02:00 maraude 2 @ <b>Marck", "&lt;b&gt;"),
    ],
)
async def test_bad_plans_are_refused_and_change_nothing(
    emu: BotApiEmulator, clocked: RunningBot, command: str, expected: str
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    since = len(emu.bot_messages(TEAM_CHAT_ID))
    answer = await coordinator.say(command)
    assert expected in (answer.text or "")
    assert await clocked.bot.storage.db.fetch_value("SELECT COUNT(*) FROM planned_shifts") == 0
    assert emu.bot_messages(TEAM_CHAT_ID)[since:] == []


async def test_a_planned_shift_with_a_place_shows_it_on_the_post_and_the_list(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    coordinator, ana, _ = await team(emu, clocked)
    since = len(emu.bot_messages(TEAM_CHAT_ID))
    confirmation = await coordinator.say("/plan 2026-12-02 21:00-23:00 distribution 3 @ marck")
    assert "✅" in (confirmation.text or "")
    post = await emu.wait_for_bot_message(TEAM_CHAT_ID, since=since)
    assert "📍 Marck" in (post.plain_text or "")
    await coordinator.say(PLAN)  # without a place: unchanged
    planned = await clocked.bot.services.planning.get(1)
    assert planned is not None
    assert planned.place_name == "Marck"
    listing = await ana.say("/planning")
    lines = (listing.plain_text or "").splitlines()
    assert any("Distribution" in line and line.endswith("📍 Marck") for line in lines)
    assert not any("Maraude" in line and "📍" in line for line in lines)
    await ana.press(listing, "pls:1:list")
    await emu.wait_until(lambda: "Ana" in (post.plain_text or ""))
    assert "📍 Marck" in (post.plain_text or "")


async def test_volunteers_cannot_plan_and_an_old_button_is_refused(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    coordinator, ana, _ = await team(emu, clocked)
    refused = await ana.say(PLAN)
    assert "🔒" in (refused.text or "")
    await coordinator.say(PLAN)
    listing = await ana.say("/planning")
    manage = await coordinator.say("/planning")
    confirm = await coordinator.press(manage, "plc:1:0")
    assert "?" in (confirm.text or "")
    await coordinator.press(confirm, "plc:1:1")
    # Ana still has the old list: its button now gets a clear answer and changes nothing.
    await emu.press(ANA, listing, "pls:1:list")
    await emu.wait_until(lambda: not emu.unanswered_callbacks())
    answers = list(emu.callback_answers.values())
    assert "no longer exists" in (answers[-1].get("text") or "")
    assert await clocked.bot.services.planning.signed_up(1) == []


async def test_planning_across_the_end_of_summer_time_lasts_an_hour_more(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    clock = FakeClock(FakeClock().current.replace(month=10, day=20))
    running = await start_bot(make_settings(emu, tmp_path / "dst.sqlite3"), clock)
    try:
        coordinator = await enrol(emu, running, COORDINATOR, "Claire", Role.COORDINATOR)
        await coordinator.say("/plan 2026-10-24 22:00-04:00 maraude 2")
        planned = await running.bot.storage.planning.get(1)
        assert planned is not None
        # 22:00 CEST to 04:00 CET: the clocks go back at 03:00, so seven hours.
        assert planned.ends_at - planned.starts_at == timedelta(hours=7)
    finally:
        await running.stop()


async def test_a_full_shift_refuses_one_more_and_a_long_planning_says_how_many_more(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    coordinator, ana, bob = await team(emu, clocked)
    await coordinator.say("/plan 2026-12-02 21:00-23:00 maraude 1")
    await ana.press(await ana.say("/planning"), "pls:1:list")
    full = await bob.say("/planning")
    since = len(emu.requests)
    await emu.press(BOB, full, "pls:1:list")
    await emu.wait_until(lambda: not emu.unanswered_callbacks())
    answers = [p for m, p in emu.requests[since:] if m == "answerCallbackQuery"]
    assert "complet" in str(answers[-1].get("text"))  # "full", in Bob's French
    assert [user.id for user in await clocked.bot.services.planning.signed_up(1)] == [ANA]
    # Withdrawing from a full shift still works, and frees the place.
    clock.advance(minutes=1)
    await ana.press(await ana.say("/planning"), "pls:1:list")
    await bob.press(await bob.say("/planning"), "pls:1:list")
    assert [user.id for user in await clocked.bot.services.planning.signed_up(1)] == [BOB]
    # Thirteen more, stored directly: posting them would meet the team chat's flood limit.
    storage = clocked.bot.storage
    async with storage.transaction():
        for day in range(2, 15):
            starts = clock.now() + timedelta(days=day)
            await storage.planning.add(
                "calais", "maraude", starts, starts + timedelta(hours=2), 2, COORDINATOR, starts
            )
    listed = await ana.say("/planning")
    assert "… and 4 more shifts" in (listed.plain_text or "")
