"""Wood-cutting sessions (issue 10 §3): announced, signed up for, reminded, listed, cancelled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.sandbox.emulator import BotApiEmulator, ChatMessage
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
from tests.helpers.help import has_button, press

COORDINATOR = 250
OUTSIDER = 260  # a coordinator of grande-synthe
ANA, BOB, CLEO = 201, 202, 203
PUBLIC = 777
# The fake clock starts on Tuesday 2026-12-01 at 21:00 in Paris; Saturday 5 December at 09:30
# in Paris is 08:30 UTC.
SESSION = "/woodcut 2026-12-05 09:30 Marck 2"
STARTS = datetime(2026, 12, 5, 8, 30, tzinfo=UTC)


async def team(emu: BotApiEmulator, running: RunningBot) -> tuple[Person, Person, Person, Person]:
    coordinator = await enrol(emu, running, COORDINATOR, "Claire", Role.COORDINATOR)
    ana = await enrol(emu, running, ANA, "Ana", Role.VOLUNTEER)
    bob = await enrol(emu, running, BOB, "Bob", Role.VOLUNTEER, language="fr")
    cleo = await enrol(emu, running, CLEO, "Cleo", Role.VOLUNTEER)
    return coordinator, ana, bob, cleo


async def announce(emu: BotApiEmulator, coordinator: Person, command: str) -> ChatMessage:
    """The coordinator announces a session; returns its post in the team chat."""
    since = len(emu.bot_messages(TEAM_CHAT_ID))
    confirmation = await coordinator.say(command)
    assert "✅" in (confirmation.text or ""), confirmation.text
    return await emu.wait_for_bot_message(TEAM_CHAT_ID, since=since)


async def signed(running: RunningBot, planned: int = 1) -> list[int]:
    return [user.id for user in await running.bot.services.planning.signed_up(planned)]


async def job_status(running: RunningBot, key: str) -> str | None:
    job = await running.bot.storage.jobs.by_key(key)
    return None if job is None else job.status


async def statuses(running: RunningBot, planned: int, *people: int) -> set[str | None]:
    """The states of the two reminders of each person (other jobs, such as the daily clean-up,
    may fall due as the clock moves: they are not counted)."""
    return {
        await job_status(running, f"plan:{planned}:remind:{who}:{name}")
        for who in people
        for name in ("24h", "1h")
    }


def reminders(emu: BotApiEmulator, chat_id: int) -> list[ChatMessage]:
    return [m for m in emu.bot_messages(chat_id) if "⏰🪵" in (m.text or "")]


async def first_session(emu: BotApiEmulator, running: RunningBot) -> ChatMessage:
    """The team, and SESSION announced as the coordinator sees it: its post in the team chat."""
    coordinator, _, _, _ = await team(emu, running)
    confirmation = await coordinator.say(SESSION)
    assert "#1" in (confirmation.text or "")
    assert "09:30–12:30" in (confirmation.plain_text or "")  # three hours unless told
    assert "📍 Marck" in (confirmation.plain_text or "")
    post = emu.last_bot_message(TEAM_CHAT_ID)
    assert "🪵" in (post.plain_text or "")
    assert post.buttons()[0].text.startswith("🪵")
    assert "(0/2)" in post.buttons()[0].text
    assert has_button(post, "wcp:1")
    stored = await running.bot.services.planning.get(1)
    assert stored is not None
    assert (stored.kind, stored.activity, stored.needed) == ("woodcut", "woodyard", 2)
    assert (stored.starts_at, stored.ends_at) == (STARTS, STARTS + timedelta(hours=3))
    return post


async def test_a_session_with_sign_ups_a_full_session_a_withdrawal_and_both_reminders(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    post = await first_session(emu, clocked)
    ana, bob, cleo = (Person(emu, who, TEAM_CHAT_ID) for who in (ANA, BOB, CLEO))
    await ana.press(post, "pls:1:post")
    await emu.wait_until(lambda: "(1/2)" in post.buttons()[0].text)
    await bob.press(post, "pls:1:post")
    await emu.wait_until(lambda: "(2/2)" in post.buttons()[0].text)
    assert "Ana" in (post.plain_text or "")
    assert "Bob" in (post.plain_text or "")
    # A double tap of Bob's counts once: still in, still 2/2.
    toast = await press(emu, BOB, post, "pls:1:post")
    assert "🪵" in toast
    assert await signed(clocked) == [ANA, BOB]
    # Full: Cleo is refused politely, and nothing changes.
    toast = await press(emu, CLEO, post, "pls:1:post")
    assert "already full" in toast
    assert await signed(clocked) == [ANA, BOB]
    assert "(2/2)" in post.buttons()[0].text
    # Both reminders are stored for each participant.
    for who in (ANA, BOB):
        for name in ("24h", "1h"):
            assert await job_status(clocked, f"plan:1:remind:{who}:{name}") == "pending"

    # A minute later Ana withdraws (a second press): her reminders go, and Cleo gets the place.
    clock.advance(minutes=1)
    toast = await press(emu, ANA, post, "pls:1:post")
    assert "withdrew" in toast
    await emu.wait_until(lambda: "(1/2)" in post.buttons()[0].text)
    assert "Ana" not in (post.plain_text or "")
    assert await job_status(clocked, f"plan:1:remind:{ANA}:24h") == "cancelled"
    assert await job_status(clocked, f"plan:1:remind:{ANA}:1h") == "cancelled"
    await cleo.press(post, "pls:1:post")
    await emu.wait_until(lambda: "(2/2)" in post.buttons()[0].text)
    assert await signed(clocked) == [BOB, CLEO]

    # The day before, to the minute: Bob and Cleo are reminded (bulk sends), Ana is not.
    clock.current = STARTS - timedelta(hours=24, minutes=1)
    await clocked.bot.jobs.fire_due()
    assert await statuses(clocked, 1, BOB, CLEO) == {"pending"}
    clock.advance(minutes=1)
    await clocked.bot.jobs.fire_due()
    for who in (BOB, CLEO):
        assert await job_status(clocked, f"plan:1:remind:{who}:24h") == "done"
        assert await job_status(clocked, f"plan:1:remind:{who}:1h") == "pending"
    await emu.wait_until(lambda: bool(reminders(emu, BOB)) and bool(reminders(emu, CLEO)))
    day_before = reminders(emu, CLEO)[-1]
    assert "Tomorrow" in (day_before.plain_text or "")
    assert "09:30" in (day_before.plain_text or "")
    # The place on its own line, not glued after the sentence's full stop.
    assert (day_before.plain_text or "").splitlines()[-1] == "📍 Marck"
    assert ". · " not in (day_before.plain_text or "")
    priority = await clocked.bot.storage.db.fetch_value(
        "SELECT priority FROM outbox WHERE chat_id = ? ORDER BY id DESC LIMIT 1", (CLEO,)
    )
    assert priority == BULK
    # An hour before: the second reminder, once.
    clock.current = STARTS - timedelta(hours=1)
    await clocked.bot.jobs.fire_due()
    assert await statuses(clocked, 1, BOB, CLEO) == {"done"}
    await emu.wait_until(lambda: len(reminders(emu, BOB)) == 2 and len(reminders(emu, CLEO)) == 2)
    assert "In an hour" in (reminders(emu, CLEO)[-1].plain_text or "")
    await clocked.bot.jobs.fire_due()
    assert reminders(emu, ANA) == []


async def test_a_check_in_at_the_wood_yard_is_linked_and_its_hours_count(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    post = await first_session(emu, clocked)
    await Person(emu, CLEO, TEAM_CHAT_ID).press(post, "pls:1:post")
    # A quarter of an hour late: linked to the session; the hours count as a shift's.
    clock.current = STARTS + timedelta(minutes=15)
    cleo_private = Person(emu, CLEO)
    started = await cleo_private.say("/shift start woodyard")
    assert "🔗" in (started.text or "")
    shift = await clocked.bot.storage.shifts.running(CLEO)
    assert shift is not None
    assert shift.planned_id == 1
    clock.advance(hours=3)
    await cleo_private.say("/shift end")
    cleo_user = await clocked.bot.services.users.get(CLEO)
    assert cleo_user is not None
    _, hours = await clocked.bot.services.shifts.hours(cleo_user)
    assert (hours.total, hours.shifts) == (timedelta(hours=3), 1)
    # After the session, its button is refused politely.
    toast = await press(emu, ANA, post, "pls:1:post")
    assert "already over" in toast


async def test_the_coordinator_sees_who_comes(emu: BotApiEmulator, clocked: RunningBot) -> None:
    coordinator, ana, _, _ = await team(emu, clocked)
    outsider = await enrol(
        emu, clocked, OUTSIDER, "Gus", Role.COORDINATOR, antenna="grande-synthe"
    )
    post = await announce(emu, coordinator, SESSION)
    await announce(emu, coordinator, "/woodcut 2026-12-12 14:00-17:00 6")
    await coordinator.say("/plan 2026-12-03 21:00-23:00 maraude 2")
    # The sessions are in /planning next to the shifts, with their sign-up buttons.
    listing = await ana.say("/planning")
    lines = (listing.plain_text or "").splitlines()
    assert any("Maraude" in line for line in lines)
    assert len([line for line in lines if "Wood-cutting session" in line]) == 2
    await ana.press(listing, "pls:1:list")
    assert await signed(clocked) == [ANA]
    await emu.wait_until(lambda: "Ana" in (post.plain_text or ""))

    # /woodcut list: each session with who comes, and a cancel button.
    sessions = await coordinator.say("/woodcut list")
    text = sessions.plain_text or ""
    assert "#1" in text
    assert "#2" in text
    assert "Ana" in text
    assert "nobody yet" in text
    assert "Maraude" not in text
    assert has_button(sessions, "plc:1:0")
    # Its 🗑️ asks the same question as /woodcut cancel: a session, and who will be told.
    question = await coordinator.press(sessions, "plc:1:0")
    assert "Cancel this session? 1 person signed up will be told." in (question.text or "")
    assert "#1 · 🪵 Wood-cutting session" in (question.plain_text or "")
    sessions = await coordinator.say("/woodcut list")

    # "👥 Participants" on the post: sent privately to the coordinator who pressed.
    since = len(emu.bot_messages(COORDINATOR))
    toast = await press(emu, COORDINATOR, post, "wcp:1")
    assert "privately" in toast
    private = await emu.wait_for_bot_message(COORDINATOR, since=since)
    assert "1. Ana" in (private.plain_text or "")
    # Nobody else may see it: a volunteer, a public user, a coordinator of another antenna.
    await enrol(emu, clocked, PUBLIC, "Someone", Role.PUBLIC)
    for who in (ANA, PUBLIC, OUTSIDER):
        since = len(emu.bot_messages(who))
        toast = await press(emu, who, post, "wcp:1")
        assert "🔒" in toast
        assert len(emu.bot_messages(who)) == since
    # Nor cancel it, nor list them.
    refused = await outsider.say("/woodcut cancel 1")
    assert "🔒" in (refused.text or "")
    refused = await ana.say("/woodcut list")
    assert "🔒" in (refused.text or "")


async def test_a_cancelled_session_tells_its_participants(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    coordinator, ana, _, _ = await team(emu, clocked)
    post = await announce(emu, coordinator, SESSION)
    await announce(emu, coordinator, "/woodcut 2026-12-12 14:00-17:00 6")
    await coordinator.say("/plan 2026-12-03 21:00-23:00 maraude 2")
    listing = await ana.say("/planning")
    await ana.press(listing, "pls:1:list")

    # /woodcut cancel 1: asked first, then cancelled; Ana is told (a bulk send), the post too.
    question = await coordinator.say("/woodcut cancel #1")
    assert "1 person" in (question.text or "")
    since = len(emu.bot_messages(ANA))
    # A bulk send keeps a second after the last message to the same chat (the fake clock
    # moves only by hand).
    clock.advance(seconds=2)
    done = await coordinator.press(question, "plc:1:1")
    assert "Cancelled" in (done.text or "")
    notice = await emu.wait_for_bot_message(ANA, since=since)
    assert "❌" in (notice.text or "")
    assert "Wood-cutting session" in (notice.plain_text or "")
    priority = await clocked.bot.storage.db.fetch_value(
        "SELECT priority FROM outbox WHERE chat_id = ? ORDER BY id DESC LIMIT 1", (ANA,)
    )
    assert priority == BULK
    await emu.wait_until(lambda: "❌" in (post.text or ""))
    assert post.buttons() == []
    assert await job_status(clocked, f"plan:1:remind:{ANA}:24h") == "cancelled"
    # Ana's old list: its button gets a clear answer and changes nothing.
    toast = await press(emu, ANA, listing, "pls:1:list")
    assert "no longer exists" in toast
    assert await signed(clocked) == [ANA]  # kept, for the record; the session is cancelled
    # Cancelling again, or a number that is no session (a shift, nothing), changes nothing.
    for number in ("1", "3", "99"):
        again = await coordinator.say(f"/woodcut cancel {number}")
        assert f"no wood-cutting session #{number}" in (again.text or "")
    again = await coordinator.say("/woodcut cancel")
    assert "Usage" in (again.text or "")
    sessions = await coordinator.say("/woodcut list")
    assert "#1" not in (sessions.plain_text or "")
    assert "#2" in (sessions.plain_text or "")


async def test_words_of_any_language_and_arabic_digits_are_understood(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await announce(emu, coordinator, "/woodcut samedi ٩:٣٠ @ marck ١٢")
    await announce(emu, coordinator, "/woodcut tomorrow 8h")
    first = await clocked.bot.services.planning.get(1)
    second = await clocked.bot.services.planning.get(2)
    assert first is not None
    assert second is not None
    assert (first.starts_at, first.needed, first.place_name) == (STARTS, 12, "Marck")
    # Tomorrow at 08:00 in Paris, eight places and no place by default.
    assert second.starts_at == datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
    assert (second.needed, second.place_name) == (8, None)


async def test_a_late_sign_up_gets_only_the_reminders_still_ahead(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    coordinator, _, _, _ = await team(emu, clocked)
    # Today at 23:30 in Paris: two and a half hours away.
    post = await announce(emu, coordinator, "/woodcut today 23:30")
    # Only the reminder still ahead is promised.
    toast = await press(emu, ANA, post, "pls:1:post")
    assert toast == "🪵 You are in. I will remind you an hour before."
    assert await job_status(clocked, f"plan:1:remind:{ANA}:24h") is None
    assert await job_status(clocked, f"plan:1:remind:{ANA}:1h") == "pending"
    clock.advance(minutes=90)  # 22:30: Ana's reminder
    await clocked.bot.jobs.fire_due()
    assert await job_status(clocked, f"plan:1:remind:{ANA}:1h") == "done"
    clock.advance(minutes=30)  # 23:00: half an hour before, nothing is left to remind
    toast = await press(emu, CLEO, post, "pls:1:post")
    assert toast == "🪵 You are in. See you there!"
    toast = await press(emu, CLEO, post, "pls:1:post")  # a double tap: the same promise
    assert toast == "🪵 You are in. See you there!"
    clock.advance(minutes=1)
    await press(emu, CLEO, post, "pls:1:post")  # Cleo withdraws: Bob takes her place
    # Bob's own toast says his press is handled (Cleo's edit of the post may land after hers).
    toast = await press(emu, BOB, post, "pls:1:post")
    assert toast.startswith("🪵 Vous êtes inscrit")  # Bob reads French
    assert await signed(clocked) == [ANA, BOB]
    assert await job_status(clocked, f"plan:1:remind:{BOB}:1h") is None
    await emu.wait_until(lambda: len(reminders(emu, ANA)) == 1)
    assert reminders(emu, BOB) == []


async def test_strangers_and_the_public_cannot_announce_nor_sign_up(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    coordinator, ana, _, _ = await team(emu, clocked)
    public = await enrol(emu, clocked, PUBLIC, "Someone", Role.PUBLIC)
    for person in (ana, public):
        refused = await person.say(SESSION)
        assert "🔒" in (refused.text or "")
    assert await clocked.bot.storage.db.fetch_value("SELECT COUNT(*) FROM planned_shifts") == 0
    post = await announce(emu, coordinator, SESSION)
    toast = await press(emu, PUBLIC, post, "pls:1:post")
    assert "🔒" in toast
    # A volunteer of another antenna neither.
    await enrol(emu, clocked, 270, "Zoe", Role.VOLUNTEER, antenna="grande-synthe")
    toast = await press(emu, 270, post, "pls:1:post")
    assert "🔒" in toast
    assert await signed(clocked) == []
    assert "(0/2)" in post.buttons()[0].text
    usage = await coordinator.say("/woodcut")
    assert "Usage: /woodcut" in (usage.text or "")
    # In the coordinators' /help (and command menu), not in a volunteer's.
    assert "/woodcut" in ((await coordinator.say("/help")).text or "")
    assert "/woodcut" not in ((await ana.say("/help")).text or "")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/woodcut 2026-11-30 09:30", "already past"),
        ("/woodcut today 20:00", "already past"),
        ("/woodcut 2026-12-05 25:00", "is not a time"),
        ("/woodcut 2026-12-05 9pm", "Usage"),
        ("/woodcut 2026-12-32 09:30", "is not a date"),
        ("/woodcut someday 09:30", "is not a date"),
        ("/woodcut 09:30", "Usage"),
        ("/woodcut 2026-12-05 09:30 0", "between 1 and 100, not 0"),
        ("/woodcut 2026-12-05 09:30 101", "between 1 and 100, not 101"),
        ("/woodcut 2026-12-05 09:30 Marck -3", "between 1 and 100, not -3"),
        ("/woodcut 2026-12-05 09:30 Marck 4 5", "Usage"),
        ("/woodcut 2026-12-05 09:30 Nowhere 4", "Which place is “Nowhere”?"),
        ("/woodcut 2026-12-05 09:30 <b>Marck</b>", "&lt;b&gt;"),
        ("/woodcut 2026-12-05 06:00-23:00", "16 hours"),
        ("/woodcut list please", "Usage"),
    ],
)
async def test_bad_sessions_are_refused_and_change_nothing(
    emu: BotApiEmulator, clocked: RunningBot, command: str, expected: str
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    since = len(emu.bot_messages(TEAM_CHAT_ID))
    answer = await coordinator.say(command)
    assert expected in (answer.text or "")
    assert await clocked.bot.storage.db.fetch_value("SELECT COUNT(*) FROM planned_shifts") == 0
    assert (
        await clocked.bot.storage.db.fetch_value(
            "SELECT COUNT(*) FROM jobs WHERE key LIKE 'plan:%'"
        )
        == 0
    )
    assert emu.bot_messages(TEAM_CHAT_ID)[since:] == []


async def test_a_session_across_the_spring_clock_change(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    """Europe/Paris jumps from 02:00 to 03:00 on 2027-03-28: 02:30 does not exist that night,
    and the reminders come 24 hours and one hour before in real time."""
    clock = FakeClock(datetime(2027, 3, 26, 12, 0, tzinfo=UTC))
    running = await start_bot(make_settings(emu, tmp_path / "dst.sqlite3"), clock)
    try:
        coordinator = await enrol(emu, running, COORDINATOR, "Claire", Role.COORDINATOR)
        refused = await coordinator.say("/woodcut 2027-03-28 02:30")
        assert "does not exist" in (refused.text or "")
        assert (
            await running.bot.storage.db.fetch_value(
                "SELECT COUNT(*) FROM jobs WHERE key LIKE 'plan:%'"
            )
            == 0
        )
        await enrol(emu, running, ANA, "Ana", Role.VOLUNTEER)
        # 10:00 summer time on the Sunday is 08:00 UTC.
        post = await announce(emu, coordinator, "/woodcut 2027-03-28 10:00")
        planned = await running.bot.services.planning.get(1)
        assert planned is not None
        starts = datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
        assert planned.starts_at == starts
        await Person(emu, ANA, TEAM_CHAT_ID).press(post, "pls:1:post")
        # The day before is still winter time: 24 hours earlier is 09:00 there.
        clock.current = starts - timedelta(hours=24, seconds=1)
        await running.bot.jobs.fire_due()
        assert await statuses(running, 1, ANA) == {"pending"}
        clock.current = datetime(2027, 3, 27, 8, 0, tzinfo=UTC)
        await running.bot.jobs.fire_due()
        assert await statuses(running, 1, ANA) == {"done", "pending"}
        await emu.wait_until(lambda: len(reminders(emu, ANA)) == 1)
        assert "10:00" in (reminders(emu, ANA)[0].plain_text or "")
        clock.current = datetime(2027, 3, 28, 7, 0, tzinfo=UTC) - timedelta(seconds=1)
        await running.bot.jobs.fire_due()
        assert await statuses(running, 1, ANA) == {"done", "pending"}
        clock.current = datetime(2027, 3, 28, 7, 0, tzinfo=UTC)  # 09:00 summer time
        await running.bot.jobs.fire_due()
        assert await statuses(running, 1, ANA) == {"done"}
        await emu.wait_until(lambda: len(reminders(emu, ANA)) == 2)
        assert "In an hour" in (reminders(emu, ANA)[1].plain_text or "")
        await running.bot.jobs.fire_due()
    finally:
        await running.stop()


async def test_the_team_chat_and_a_french_volunteer_read_it_in_french(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    """(Needs the French catalogue filled: /work/notes/i18n-woodcut.json.)"""
    post = await first_session(emu, clocked)  # the team chat reads the deployment's French
    assert "🪵 J’en suis (0/2)" in post.buttons()[0].text
    assert "Chantier bois" in (post.plain_text or "")
    toast = await press(emu, BOB, post, "pls:1:post")  # Bob reads French
    assert "la veille et une heure avant" in toast
    await press(emu, ANA, post, "pls:1:post")
    toast = await press(emu, CLEO, post, "pls:1:post")
    assert "already full" in toast  # Cleo reads English
    bob = Person(emu, BOB)
    refused = await bob.say("/woodcut demain 9h")
    assert "🔒" in (refused.text or "")


async def test_the_day_before_reminder_across_the_autumn_clock_change(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    """Europe/Paris goes back from 03:00 to 02:00 on 2026-10-25: a session at 10:00 that
    Sunday (09:00 UTC) is reminded 24 real hours before, 11:00 summer time on the Saturday."""
    clock = FakeClock(datetime(2026, 10, 20, 12, 0, tzinfo=UTC))
    running = await start_bot(make_settings(emu, tmp_path / "autumn.sqlite3"), clock)
    try:
        coordinator = await enrol(emu, running, COORDINATOR, "Claire", Role.COORDINATOR)
        await enrol(emu, running, ANA, "Ana", Role.VOLUNTEER)
        post = await announce(emu, coordinator, "/woodcut 2026-10-25 10:00")
        await Person(emu, ANA, TEAM_CHAT_ID).press(post, "pls:1:post")
        day_before = datetime(2026, 10, 24, 9, 0, tzinfo=UTC)
        job = await running.bot.storage.jobs.by_key(f"plan:1:remind:{ANA}:24h")
        assert job is not None
        assert job.due_at == day_before
        clock.current = day_before
        await running.bot.jobs.fire_due()
        await emu.wait_until(lambda: len(reminders(emu, ANA)) == 1)
        assert "10:00" in (reminders(emu, ANA)[0].plain_text or "")
        job = await running.bot.storage.jobs.by_key(f"plan:1:remind:{ANA}:1h")
        assert job is not None
        assert job.due_at == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # 09:00 winter time
    finally:
        await running.stop()


async def test_a_withdrawal_cancels_only_that_persons_reminders(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    """Reminder keys are cancelled whole, not by prefix: when 123456789 withdraws,
    1234567890 (whose key begins with the same characters) keeps their reminders."""
    short, long = 123456789, 1234567890
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await enrol(emu, clocked, short, "Short", Role.VOLUNTEER)
    await enrol(emu, clocked, long, "Long", Role.VOLUNTEER)
    shift = await announce(emu, coordinator, "/plan 2026-12-03 21:00-23:00 maraude 3")
    session = await announce(emu, coordinator, SESSION)
    for post, planned in ((shift, 1), (session, 2)):
        for who in (short, long):
            await Person(emu, who, TEAM_CHAT_ID).press(post, f"pls:{planned}:post")
    assert await job_status(clocked, f"plan:1:remind:{long}") == "pending"
    assert await statuses(clocked, 2, long) == {"pending"}
    clock.advance(minutes=1)
    for post, planned in ((shift, 1), (session, 2)):
        toast = await press(emu, short, post, f"pls:{planned}:post")
        assert "withdrew" in toast
    assert await job_status(clocked, f"plan:1:remind:{short}") == "cancelled"
    assert await statuses(clocked, 2, short) == {"cancelled"}
    assert await job_status(clocked, f"plan:1:remind:{long}") == "pending"
    assert await statuses(clocked, 2, long) == {"pending"}


async def test_a_double_tap_on_withdrawing_counts_once(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    """A tired volunteer taps "I'm in" twice to withdraw: the second tap does not sign them
    up again (nor bring their reminders back); a deliberate press later does."""
    post = await first_session(emu, clocked)
    await Person(emu, ANA, TEAM_CHAT_ID).press(post, "pls:1:post")
    await emu.wait_until(lambda: "(1/2)" in post.buttons()[0].text)
    clock.advance(minutes=1)
    assert "withdrew" in await press(emu, ANA, post, "pls:1:post")
    clock.advance(seconds=2)
    assert "withdrew" in await press(emu, ANA, post, "pls:1:post")
    await emu.wait_until(lambda: "(0/2)" in post.buttons()[0].text)
    assert await signed(clocked) == []
    assert await statuses(clocked, 1, ANA) == {"cancelled"}
    clock.advance(minutes=1)
    assert "You are in" in await press(emu, ANA, post, "pls:1:post")
    assert await signed(clocked) == [ANA]
    assert await statuses(clocked, 1, ANA) == {"pending"}
