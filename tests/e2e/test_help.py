"""“I need help”: the person's taps, the team's anonymised alert, re-alerts, the relay,
abuse limits and data protection (SPEC §2 Public, §6)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.logs import WORDY_AT_DEBUG
from bot.sandbox.emulator import BotApiEmulator
from bot.services import help as help_rules
from bot.storage import Storage
from bot.storage.models import Role
from tests.e2e.test_cli import ROOT, maraude
from tests.e2e.test_privacy import traces_of
from tests.helpers.clock import FakeClock
from tests.helpers.harness import (
    ADMIN_ID,
    TEAM_CHAT_ID,
    Person,
    RunningBot,
    enrol,
    make_settings,
    outbox_settled,
    start_bot,
)
from tests.helpers.help import alerts, ask_for_help, has_button, press

AHMAD = 501  # a person in exile, phone in Arabic
SECRET_NAMES = ("501", "Ahmad", "Karimi", "ahmad_k99")
VOLUNTEER = 401
OTHER_VOLUNTEER = 402
COORDINATOR = 251
GS_COORDINATOR = 261


def newcomer(emu: BotApiEmulator, user_id: int = AHMAD, language: str = "ar") -> Person:
    emu.add_user(user_id, "Ahmad Karimi", language_code=language, username="ahmad_k99")
    return Person(emu, user_id)


async def row(running: RunningBot, request_id: int = 1) -> dict[str, object]:
    found = await running.bot.storage.db.fetch_one(
        "SELECT * FROM help_requests WHERE id = ?", (request_id,)
    )
    assert found is not None
    return {key: found[key] for key in found.keys()}  # noqa: SIM118


async def pending_jobs(running: RunningBot, prefix: str = "help:1:") -> int:
    value = await running.bot.storage.db.fetch_value(
        "SELECT COUNT(*) FROM jobs WHERE status = 'pending' AND key LIKE ?", (prefix + "%",)
    )
    return int(value)


async def settled(running: RunningBot) -> None:
    await outbox_settled(running)


async def breathe(clock: FakeClock) -> None:
    """Let a second pass, on both clocks: a burst of requests stays under Telegram's global
    limit of 30 messages a second (the emulator's), which a fake clock alone cannot lift."""
    clock.advance(seconds=2)
    await asyncio.sleep(1.05)


# --- asking and taking ----------------------------------------------------------------------


async def test_the_alert_names_nobody_and_the_first_volunteer_takes_it(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    person = newcomer(emu)
    done = await ask_for_help(emu, clocked, person, "shelter", location=(50.95, 1.85))
    ar = clocked.bot.services.translator("ar")
    confirmation = emu.bot_messages(AHMAD)[-2].plain_text or ""
    assert confirmation.startswith(ar._("✅ The team was told."))
    assert ar._("🔢 Your request number: {n}.", n=1) in confirmation
    assert emu.reply_keyboard(AHMAD) is None  # the location keyboard is gone
    assert done.button("hlpc:1")  # the person can cancel
    [alert] = alerts(emu)
    text = alert.plain_text or ""
    assert "🛏️" in text  # the need
    assert "العربية (ar)" in text  # the language, in its own script, and its code
    assert "21:00" in text  # the time, in Paris
    pin = emu.bot_messages(TEAM_CHAT_ID)[-1]
    assert pin.kind == "location"
    assert (pin.extra["latitude"], pin.extra["longitude"]) == (50.95, 1.85)
    labels = [b.text for b in alert.buttons()]
    assert any("🙋" in label for label in labels)
    assert any("✖" in label for label in labels)
    # Nothing in the team chat names the person: texts, buttons, their data, the pin.
    for message in emu.bot_messages(TEAM_CHAT_ID):
        shown = " ".join(
            [message.text or "", repr(message.extra)]
            + [f"{b.text} {b.callback_data} {b.url}" for b in message.buttons()]
        )
        for secret in SECRET_NAMES:
            assert secret not in shown, (secret, shown)
    row_before = await row(clocked)
    assert row_before["status"] == "open"
    assert await pending_jobs(clocked) == 1  # the re-alert

    toast = await press(emu, VOLUNTEER, alert, "hlpt:1")
    assert "✅" in toast
    await emu.wait_until(lambda: "Ana" in (alert.plain_text or ""))
    assert alert.button("hlpw:1")  # "✉ Write" for the owner
    told = await emu.wait_for_bot_message(AHMAD, lambda m: "🙋" in (m.text or ""), since=3)
    assert "Ana" not in (told.text or "")  # the person never learns who
    taken = await row(clocked)
    assert taken["status"] == "taken"
    assert taken["owner_id"] == VOLUNTEER
    assert taken["taken_at"] is not None
    assert await pending_jobs(clocked) == 0  # no re-alert once taken


async def test_a_second_volunteer_is_told_it_is_taken_and_the_owner_twice_changes_nothing(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await enrol(emu, clocked, OTHER_VOLUNTEER, "Bilal", Role.VOLUNTEER)
    await ask_for_help(emu, clocked, newcomer(emu))
    [alert] = alerts(emu)
    await press(emu, VOLUNTEER, alert, "hlpt:1")
    await emu.wait_until(lambda: "Ana" in (alert.plain_text or ""))
    await settled(clocked)
    edits = alert.edits
    # The second volunteer pressed the button of a message not yet edited on their phone.
    alert.keyboard = [[type(alert.buttons()[0])(text="🙋", callback_data="hlpt:1")]]
    toast = await press(emu, OTHER_VOLUNTEER, alert, "hlpt:1")
    assert "already took it" in toast
    toast = await press(emu, VOLUNTEER, alert, "hlpt:1")
    assert "You already took it" in toast
    await settled(clocked)
    assert alert.edits == edits
    assert (await row(clocked))["owner_id"] == VOLUNTEER
    # A public user, or a volunteer of another town, is refused.
    outsider = await enrol(
        emu, clocked, GS_COORDINATOR, "Gus", Role.COORDINATOR, antenna="grande-synthe"
    )
    assert outsider
    toast = await press(emu, GS_COORDINATOR, alert, "hlpt:1")
    assert "🔒" in toast


# --- re-alerts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "local"),
    [
        (datetime(2026, 12, 1, 20, 0, tzinfo=UTC), "21:00"),
        (datetime(2026, 3, 29, 0, 55, tzinfo=UTC), "01:55"),  # before the spring gap
        (datetime(2026, 10, 25, 0, 55, tzinfo=UTC), "02:55"),  # CEST, the first of two
    ],
    ids=["december", "spring-gap", "autumn-doubled-hour"],
)
async def test_a_request_nobody_takes_is_re_alerted_then_sent_to_coordinators(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock, start: datetime, local: str
) -> None:
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await Person(emu, ADMIN_ID).say("/help")
    clock.current = start
    await ana.say("/shift start distribution")
    await ask_for_help(emu, clocked, newcomer(emu), "minor")
    assert len(alerts(emu)) == 1
    # Ten minutes of elapsed time, whatever the clocks on the wall do that night.
    clock.advance(minutes=9, seconds=59)
    await clocked.bot.jobs.fire_due()
    await settled(clocked)
    assert len(alerts(emu)) == 1
    clock.advance(seconds=1)
    await clocked.bot.jobs.fire_due()
    await emu.wait_until(lambda: len(alerts(emu)) == 2)
    again = alerts(emu)[1]
    assert "🔁" in (again.plain_text or "")
    assert local in (again.plain_text or "")  # asked at, on the wall clock of that night
    assert "Ana" in (again.plain_text or "")  # who is on shift now
    assert again.button("hlpt:1")
    coordinator_before = len(alerts(emu, COORDINATOR))
    admin_before = len(alerts(emu, ADMIN_ID))
    assert coordinator_before == admin_before == 0
    # A second silence: the coordinators and admins, privately.
    clock.advance(minutes=10)
    await clocked.bot.jobs.fire_due()
    await emu.wait_until(lambda: len(alerts(emu, COORDINATOR)) == 1)
    await emu.wait_until(lambda: len(alerts(emu, ADMIN_ID)) == 1)
    private = alerts(emu, COORDINATOR)[0]
    assert private.button("hlpt:1")
    for secret in SECRET_NAMES:
        assert secret not in (private.text or "")
    # Then quiet: the team chat is never flooded.
    clock.advance(hours=3)
    await clocked.bot.jobs.fire_due()
    await settled(clocked)
    assert len(alerts(emu)) == 2
    assert len(alerts(emu, COORDINATOR)) == 1
    assert await pending_jobs(clocked) == 0
    # A coordinator takes it from the private message: every copy says so.
    await press(emu, COORDINATOR, private, "hlpt:1")
    await emu.wait_until(lambda: all("Claire" in (m.plain_text or "") for m in alerts(emu)))


async def test_nobody_on_shift_is_said_and_without_a_team_chat_people_hear_it(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    await enrol(emu, clocked, GS_COORDINATOR, "Gus", Role.COORDINATOR, antenna="grande-synthe")
    await Person(emu, ADMIN_ID).say("/help")
    await ask_for_help(emu, clocked, newcomer(emu), antenna="grande-synthe")
    assert alerts(emu) == []  # not Calais's team chat
    await emu.wait_until(lambda: len(alerts(emu, GS_COORDINATOR)) == 1)
    await emu.wait_until(lambda: len(alerts(emu, ADMIN_ID)) == 1)
    clock.advance(minutes=10)
    await clocked.bot.jobs.fire_due()
    await emu.wait_until(lambda: len(alerts(emu, GS_COORDINATOR)) == 2)
    assert "Nobody is on shift" in (alerts(emu, GS_COORDINATOR)[1].plain_text or "")


# --- closing --------------------------------------------------------------------------------


async def test_the_owner_closes_and_a_volunteer_who_does_not_own_it_cannot(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await enrol(emu, clocked, OTHER_VOLUNTEER, "Bilal", Role.VOLUNTEER)
    await ask_for_help(emu, clocked, newcomer(emu))
    [alert] = alerts(emu)
    # Before anyone took it, a volunteer cannot close it either.
    assert "🔒" in await press(emu, OTHER_VOLUNTEER, alert, "hlpx:1")
    await press(emu, VOLUNTEER, alert, "hlpt:1")
    await emu.wait_until(lambda: "Ana" in (alert.plain_text or ""))
    assert "🔒" in await press(emu, OTHER_VOLUNTEER, alert, "hlpx:1")
    assert (await row(clocked))["status"] == "taken"
    since = len(emu.bot_messages(AHMAD))
    await press(emu, VOLUNTEER, alert, "hlpx:1")
    await emu.wait_until(lambda: "✅" in (alert.plain_text or "").splitlines()[-1])
    assert alert.buttons() == []
    closed = await emu.wait_for_bot_message(AHMAD, since=since)
    assert "1" in (closed.plain_text or "")
    assert (await row(clocked))["status"] == "closed"


async def test_a_coordinator_closes_and_the_person_can_cancel(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    person = newcomer(emu)
    done = await ask_for_help(emu, clocked, person)
    cancelled = await person.press(done, "hlpc:1")
    assert "✅" in (cancelled.plain_text or "")
    [alert] = alerts(emu)
    await emu.wait_until(lambda: "❌" in (alert.plain_text or ""))
    assert (await row(clocked))["status"] == "cancelled"
    assert await pending_jobs(clocked) == 0
    # A new request, closed by a coordinator who never took it.
    await ask_for_help(emu, clocked, person)
    second = alerts(emu)[1]
    await press(emu, COORDINATOR, second, "hlpx:2")
    await emu.wait_until(lambda: "✅" in (second.plain_text or ""))
    assert (await row(clocked, 2))["status"] == "closed"


# --- the relay ------------------------------------------------------------------------------


async def test_the_relay_works_both_ways_each_side_in_its_language(
    emu: BotApiEmulator, clocked: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    # Everything the bot logs, at its most detailed; the libraries that log whole updates at
    # DEBUG are kept at INFO, as `configure_logging` does whatever the level.
    caplog.set_level(logging.DEBUG)
    for name in WORDY_AT_DEBUG:
        caplog.set_level(logging.INFO, logger=name)
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER, language="fr")
    person = newcomer(emu)
    await ask_for_help(emu, clocked, person)
    [alert] = alerts(emu)
    await press(emu, VOLUNTEER, alert, "hlpt:1")
    await emu.wait_until(lambda: has_button(alert, "hlpw:1"))
    since = len(emu.bot_messages(VOLUNTEER))
    await press(emu, VOLUNTEER, alert, "hlpw:1")
    prompt = await emu.wait_for_bot_message(VOLUNTEER, since=since)
    assert "1" in (prompt.plain_text or "")
    # The volunteer writes in French, with characters HTML would choke on.
    since = len(emu.bot_messages(AHMAD))
    sent = await ana.say("J'arrive au pont <sous> & près du 🌉 dans 10 minutes")
    assert "✅" in (sent.plain_text or "")
    relayed = await emu.wait_for_bot_message(AHMAD, since=since)
    ar = clocked.bot.services.translator("ar")
    header = ar._("💬 Message from the team:")
    plain = relayed.plain_text or ""
    assert plain.startswith(header)
    assert "J'arrive au pont <sous> & près du 🌉 dans 10 minutes" in plain
    assert "Ana" not in plain
    assert str(VOLUNTEER) not in repr(relayed.extra)
    assert "forward_origin" not in relayed.extra  # copied, never forwarded
    assert relayed.button("hlpe:1")
    # The person answers in Arabic: it reaches the volunteer, with a French header.
    since = len(emu.bot_messages(VOLUNTEER))
    await person.say("شكرا، أنا عند الجسر")
    back = await emu.wait_for_bot_message(VOLUNTEER, since=since)
    fr = clocked.bot.services.translator("fr")
    assert (back.plain_text or "").startswith(fr._("💬 Request {n}, the person writes:", n=1))
    assert "شكرا، أنا عند الجسر" in (back.plain_text or "")
    for secret in SECRET_NAMES:
        assert secret not in (back.text or "") + repr(back.extra)
    assert back.button("hlpw:1")
    # /reply works too (here privately).
    prompt = await ana.say("/reply 1")
    assert "✍️" in (prompt.plain_text or "")
    await ana.say("Je suis là.")
    await settled(clocked)
    # Nothing relayed is kept once delivered, and nothing of it reached the logs.
    db = clocked.bot.storage.db
    for words in ("pont", "الجسر", "Je suis là"):
        kept = await db.fetch_value(
            "SELECT COUNT(*) FROM outbox WHERE payload LIKE ?", (f"%{words}%",)
        )
        assert kept == 0, words
        assert words not in caplog.text


async def test_either_side_ends_the_conversation(emu: BotApiEmulator, clocked: RunningBot) -> None:
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER, language="fr")
    person = newcomer(emu)
    await ask_for_help(emu, clocked, person)
    await press(emu, VOLUNTEER, alerts(emu)[0], "hlpt:1")
    await ana.say("/reply 1")
    since = len(emu.bot_messages(AHMAD))
    await ana.say("Bonjour")
    relayed = await emu.wait_for_bot_message(AHMAD, since=since)
    # The person ends the conversation: the volunteer is told; their next text is not relayed.
    since = len(emu.bot_messages(VOLUNTEER))
    await press(emu, AHMAD, relayed, "hlpe:1")
    ended = await emu.wait_for_bot_message(VOLUNTEER, since=since)
    assert "🔚" in (ended.plain_text or "")
    since = len(emu.bot_messages(VOLUNTEER))
    answer = await person.say("encore")
    assert "🔚" in (answer.plain_text or "")
    await settled(clocked)
    assert len(emu.bot_messages(VOLUNTEER)) == since
    # Ended twice: said so, nothing changes.
    ended = clocked.bot.services.translator("ar")._("ℹ️ This conversation has already ended.")
    assert ended == await press(emu, AHMAD, relayed, "hlpe:1")

    # The person's choice holds: the volunteer cannot silently reopen it.
    since = len(emu.bot_messages(AHMAD))
    refused = await ana.say("/reply 1")
    assert "🔚" in (refused.plain_text or "")
    assert "✍️" not in (refused.plain_text or "")
    assert "🔚" in await press(emu, VOLUNTEER, alerts(emu)[0], "hlpw:1")
    await ana.say("Je reviens demain")
    await settled(clocked)
    assert len(emu.bot_messages(AHMAD)) == since


async def test_the_volunteer_ends_the_conversation_and_may_open_it_again(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER, language="fr")
    await ask_for_help(emu, clocked, newcomer(emu))
    await press(emu, VOLUNTEER, alerts(emu)[0], "hlpt:1")
    await ana.say("/reply 1")
    since = len(emu.bot_messages(AHMAD))
    sent = await ana.say("Bonjour")
    await emu.wait_for_bot_message(AHMAD, since=since)
    since = len(emu.bot_messages(AHMAD))
    await press(emu, VOLUNTEER, sent, "hlpe:1")
    ended = await emu.wait_for_bot_message(AHMAD, since=since)
    assert "🔚" in (ended.plain_text or "")
    # The volunteer writes again: the conversation opens again.
    await ana.say("/reply 1")
    since = len(emu.bot_messages(AHMAD))
    await ana.say("Je reviens demain")
    again = await emu.wait_for_bot_message(AHMAD, since=since)
    assert "Je reviens demain" in (again.plain_text or "")


async def test_a_long_relayed_text_fits_one_message(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await ask_for_help(emu, clocked, newcomer(emu))
    [alert] = alerts(emu)
    await press(emu, VOLUNTEER, alert, "hlpt:1")
    await ana.say("/reply 1")
    since = len(emu.bot_messages(AHMAD))
    await ana.say("<&>" * 1300)  # 3900 characters, 13000 once escaped
    relayed = await emu.wait_for_bot_message(AHMAD, since=since)
    assert (relayed.plain_text or "").endswith("…")
    await settled(clocked)
    assert len(emu.bot_messages(AHMAD)) == since + 1


async def test_a_stranger_cannot_write_to_the_person(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    bilal = await enrol(emu, clocked, OTHER_VOLUNTEER, "Bilal", Role.VOLUNTEER)
    await ask_for_help(emu, clocked, newcomer(emu))
    await press(emu, VOLUNTEER, alerts(emu)[0], "hlpt:1")
    refused = await bilal.say("/reply 1")
    assert "🔒" in (refused.plain_text or "")
    since = len(emu.bot_messages(AHMAD))
    await bilal.say("hello")  # not relayed: Bilal is not writing to anyone
    await settled(clocked)
    assert len(emu.bot_messages(AHMAD)) == since
    assert "Usage" in ((await bilal.say("/reply x")).plain_text or "")


# --- abuse ----------------------------------------------------------------------------------


async def test_one_open_request_and_a_few_a_day(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    person = newcomer(emu)
    done = await ask_for_help(emu, clocked, person)
    menu = await person.say("/menu")
    again = await person.press(menu, "topic:help")
    assert again.button("hlpc:1")  # "your request 1 is open", and nothing new
    assert len(alerts(emu)) == 1
    clock.advance(minutes=3)  # not a mistaken tap: it counts
    await person.press(done, "hlpc:1")
    await breathe(clock)
    for number in (2, 3):
        last = await ask_for_help(emu, clocked, person)
        clock.advance(minutes=3)
        await person.press(last, f"hlpc:{number}")
        await breathe(clock)
    menu = await person.say("/menu")
    refused = await person.press(menu, "topic:help")
    assert "112" in (refused.plain_text or "")
    assert not any(
        b.callback_data and b.callback_data.startswith("hlpn") for b in refused.buttons()
    )
    assert len(alerts(emu)) == 3
    clock.advance(hours=24)
    await ask_for_help(emu, clocked, person)
    assert len(alerts(emu)) == 4


async def test_a_blocked_person_only_reads_that_the_team_was_told(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    person = newcomer(emu)
    await ask_for_help(emu, clocked, person)
    [alert] = alerts(emu)
    assert "🔒" in await press(emu, VOLUNTEER, alert, "hlpb:1:1")  # a volunteer cannot
    await press(emu, COORDINATOR, alert, "hlpb:1:1")
    await emu.wait_until(lambda: "⛔" in (alert.plain_text or ""))
    assert alert.button("hlpb:1:0")  # unblock
    assert (await row(clocked))["status"] == "closed"
    menu = await person.say("/menu")
    asked = await person.press(menu, "topic:help")
    since = len(emu.bot_messages(AHMAD))
    await emu.press(AHMAD, asked, "hlpn:legal")
    await emu.wait_for_bot_message(AHMAD, lambda m: "reply_keyboard" in m.extra, since=since)
    told = await person.say("⏭ Skip")
    assert (told.plain_text or "") == clocked.bot.services.translator("ar")._(
        "✅ The team was told."
    )
    await settled(clocked)
    assert len(alerts(emu)) == 1
    count = await clocked.bot.storage.db.fetch_value("SELECT COUNT(*) FROM help_requests")
    assert count == 1
    # Unblocked: the next request reaches the team.
    await press(emu, COORDINATOR, alert, "hlpb:1:0")
    await emu.wait_until(lambda: not alert.buttons())
    await ask_for_help(emu, clocked, person)
    assert len(alerts(emu)) == 2


# --- data protection ------------------------------------------------------------------------


async def test_forget_during_a_relay_ends_it_and_leaves_no_trace(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    person = newcomer(emu)
    await ask_for_help(emu, clocked, person, location=(50.95, 1.85))
    [alert] = alerts(emu)
    await press(emu, VOLUNTEER, alert, "hlpt:1")
    await ana.say("/reply 1")
    await ana.say("Où es-tu ?")
    await person.say("près de la gare")
    since = len(emu.bot_messages(VOLUNTEER))
    confirm = await person.say("/forget")
    await person.press(confirm, "forget:1")
    told = await emu.wait_for_bot_message(
        VOLUNTEER, lambda m: "erased" in (m.plain_text or ""), since=since
    )
    assert "1" in (told.plain_text or "")
    await settled(clocked)
    erased = await row(clocked)
    assert erased["user_id"] is None
    assert erased["latitude"] is None
    assert erased["longitude"] is None
    assert erased["status"] == "cancelled"
    assert erased["need"] == "medical"
    assert erased["locale"] == "ar"
    assert await traces_of(clocked, AHMAD, "Karimi", "ahmad_k99") == []
    # The volunteer's next words reach nobody.
    refused = await ana.say("/reply 1")
    assert "🔒" in (refused.plain_text or "")


async def test_a_volunteer_who_forgets_gives_the_request_back(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await ask_for_help(emu, clocked, newcomer(emu))
    await press(emu, VOLUNTEER, alerts(emu)[0], "hlpt:1")
    confirm = await ana.say("/forget")
    since = len(emu.bot_messages(AHMAD))
    await ana.press(confirm, "forget:1")
    await emu.wait_for_bot_message(AHMAD, since=since)  # "your volunteer is no longer..."
    back = await row(clocked)
    assert back["status"] == "open"
    assert back["owner_id"] is None
    await clocked.bot.jobs.fire_due()
    await emu.wait_until(lambda: len(alerts(emu)) == 2)
    assert "🔁" in (alerts(emu)[1].plain_text or "")
    assert await traces_of(clocked, VOLUNTEER) == []


async def test_retention_anonymises_old_requests_every_night(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await ask_for_help(emu, clocked, newcomer(emu), location=(50.95, 1.85))
    await press(emu, VOLUNTEER, alerts(emu)[0], "hlpt:1")
    job = await clocked.bot.storage.jobs.by_key("help:retention")
    assert job is not None
    assert job.status == "pending"
    # Armed at 04:30 in Paris, the next night.
    assert job.due_at == datetime(2026, 12, 2, 3, 30, tzinfo=UTC)
    clock.advance(days=29, hours=8)  # 30 Dec 04:00 Paris: not yet 30 days old at 04:30
    await clocked.bot.jobs.fire_due()
    assert (await row(clocked))["user_id"] == AHMAD
    # 31 Dec, 04:30 in Paris: 30 days before is 1 Dec 04:30, the request came at 21:00.
    clock.current = datetime(2026, 12, 31, 3, 30, tzinfo=UTC)
    await clocked.bot.jobs.fire_due()
    assert (await row(clocked))["user_id"] == AHMAD
    newer = newcomer(emu, 502)
    await ask_for_help(emu, clocked, newer)
    clock.current = datetime(2027, 1, 1, 3, 30, tzinfo=UTC)  # the next night
    await clocked.bot.jobs.fire_due()
    old = await row(clocked)
    assert old["user_id"] is None
    assert old["latitude"] is None
    assert old["longitude"] is None
    assert old["owner_id"] is None
    assert old["status"] == "closed"
    assert (old["need"], old["locale"], old["antenna"]) == ("medical", "ar", "calais")
    assert old["created_at"]
    assert old["taken_at"]
    recent = await row(clocked, 2)
    assert recent["user_id"] == 502
    job = await clocked.bot.storage.jobs.by_key("help:retention")
    assert job is not None
    assert job.status == "pending"
    assert job.due_at == datetime(2027, 1, 2, 3, 30, tzinfo=UTC)


async def test_a_restart_in_the_middle_loses_nothing(
    emu: BotApiEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    settings = make_settings(emu, tmp_path / "restart.sqlite3")
    first = await start_bot(settings, clock)
    person = newcomer(emu)
    menu = await person.say("/menu")
    asked = await person.press(menu, "topic:help")
    asked = await person.press(asked, "ant:calais:help")
    since = len(emu.bot_messages(AHMAD))
    await emu.press(AHMAD, asked, "hlpn:legal")
    await emu.wait_for_bot_message(AHMAD, lambda m: "reply_keyboard" in m.extra, since=since)
    await first.stop()
    second = await start_bot(settings, clock)
    try:
        since = len(emu.bot_messages(AHMAD))
        await emu.tap_reply_button(AHMAD, "📍", location=(51.03, 2.29))
        await emu.wait_for_bot_message(AHMAD, lambda m: bool(m.buttons()), since=since)
        await emu.wait_until(lambda: len(alerts(emu)) == 1)
        assert "⚖️" in (alerts(emu)[0].plain_text or "")
        # Its re-alert survives a restart too.
        await second.stop()
        second = await start_bot(settings, clock)
        clock.advance(minutes=10)
        await second.bot.jobs.fire_due()
        await emu.wait_until(lambda: len(alerts(emu)) == 2)
    finally:
        await second.stop()


async def test_the_report_counts_requests_and_time_to_first_answer(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await ask_for_help(emu, clocked, newcomer(emu), "medical")
    clock.advance(minutes=4)
    await press(emu, COORDINATOR, alerts(emu)[0], "hlpt:1")
    await breathe(clock)  # 4 minutes 2 seconds
    await ask_for_help(emu, clocked, newcomer(emu, 502), "shelter")
    await breathe(clock)
    await ask_for_help(emu, clocked, newcomer(emu, 503), "shelter")
    clock.advance(minutes=12)
    await press(emu, COORDINATOR, alerts(emu)[1], "hlpt:2")
    report = (await claire.say("/report today")).plain_text or ""
    assert "3 help requests" in report
    assert "🏥 Medical care: 1" in report
    assert "🛏️ A place to sleep tonight: 2" in report
    # Taken after 4 min 2 s and 12 min 2 s: median 8 min 2 s, 9 in 10 within 12 min 2 s.
    assert "8 mins (median)" in report
    assert "within 12 mins" in report
    assert "1 was never taken" in report
    for secret in SECRET_NAMES:
        assert secret not in report


async def test_the_real_process_logs_nothing_people_wrote_to_each_other(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    """The bot as deployed (`python -m bot run`, its own logging set-up), through a relay."""
    database = tmp_path / "process.sqlite3"
    storage = Storage(database)
    await storage.open()
    async with storage.transaction():
        now = datetime.now(UTC)
        await storage.users.touch(VOLUNTEER, "fr", now)
        await storage.users.set_role(
            VOLUNTEER, Role.VOLUNTEER, antenna="calais", display_name="Ana"
        )
    await storage.close()
    emu.add_user(VOLUNTEER, "Ana", language_code="fr", username="ana")
    emu.add_group(TEAM_CHAT_ID, "Équipe Calais", [VOLUNTEER])
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": emu.token,
        "BOT_API_BASE_URL": emu.base_url,
        "BOT_API_FILE_URL": emu.base_file_url,
        "DATABASE_URL": f"sqlite:///{database}",
        "ADMIN_IDS": str(ADMIN_ID),
        "TEAM_CHAT_ID": str(TEAM_CHAT_ID),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        person = newcomer(emu)
        await ask_for_help(emu, None, person, "legal", location=(50.9513, 1.8587))
        await emu.wait_until(lambda: len(alerts(emu)) == 1, timeout=30)
        await press(emu, VOLUNTEER, alerts(emu)[0], "hlpt:1")
        ana = Person(emu, VOLUNTEER)
        await ana.say("/reply 1")
        since = len(emu.bot_messages(AHMAD))
        await ana.say("Rendez-vous derrière la halle Verlaine")
        await emu.wait_for_bot_message(AHMAD, since=since, timeout=30)
        since = len(emu.bot_messages(VOLUNTEER))
        await person.say("أنا مريض جدا وأنام تحت الجسر")
        await emu.wait_for_bot_message(VOLUNTEER, since=since, timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        raw, _ = await asyncio.wait_for(process.communicate(), timeout=20)
    output = raw.decode()
    assert process.returncode == 0, output
    assert "INFO" in output  # the bot does log
    for words in ("Verlaine", "الجسر", "Karimi", "ahmad_k99", "50.9513"):
        assert words not in output, words


def test_the_sandbox_shows_the_location_keyboard_and_shares_a_location(tmp_path: Path) -> None:
    # Ahmad: menu, "I need help" (10th button), Calais, medical, then the keyboard's 📍.
    result = maraude("sandbox", stdin="/menu\n10\n1\n1\nk1\n:team\n:quit\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[k1]" in out
    assert "📍 أرسل موقعي" in out  # the location button, in Ahmad's language
    assert "[k2]" in out
    assert "your phone shares" in out
    assert "🆘" in out  # the team chat got the alert
    assert "📍 50.9513, 1.8587" in out  # and the pin
    assert "would have refused" not in out


async def test_a_volunteer_may_ask_for_help_and_is_not_named_either(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await enrol(emu, clocked, OTHER_VOLUNTEER, "Bilal", Role.VOLUNTEER)
    await ask_for_help(emu, clocked, ana, "other")  # no town asked: her antenna's team
    [alert] = alerts(emu)
    assert "Ana" not in (alert.text or "")
    assert str(VOLUNTEER) not in (alert.text or "") + repr(alert.extra)
    assert "🔒" in await press(emu, VOLUNTEER, alert, "hlpt:1")  # not her own
    await press(emu, OTHER_VOLUNTEER, alert, "hlpt:1")
    await emu.wait_until(lambda: "Bilal" in (alert.plain_text or ""))


async def test_past_a_few_requests_an_hour_alerts_go_to_the_coordinators_privately(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(help_rules, "TEAM_CHAT_PER_HOUR", 2)
    await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    for user_id in (601, 602, 603):
        await ask_for_help(emu, clocked, newcomer(emu, user_id))
        await breathe(clock)
    assert len(alerts(emu)) == 2  # the team chat got two
    notice = emu.bot_messages(TEAM_CHAT_ID)[-1]
    assert "⚠️" in (notice.plain_text or "")
    assert "3" in (notice.plain_text or "")
    await emu.wait_until(lambda: len(alerts(emu, COORDINATOR)) == 1)
    assert alerts(emu, COORDINATOR)[0].button("hlpt:3")
    # While the hour is busy, the re-alerts of all three go there too.
    clock.advance(minutes=10)
    await clocked.bot.jobs.fire_due()
    await settled(clocked)
    assert len(alerts(emu, COORDINATOR)) == 4
    assert len(alerts(emu)) == 2
    # An hour later the team chat hears new requests again.
    clock.advance(hours=1)
    await breathe(clock)
    await ask_for_help(emu, clocked, newcomer(emu, 604))
    await emu.wait_until(lambda: any("4" in (m.text or "") for m in alerts(emu)[-1:]))
    assert "🆘" in (alerts(emu)[-1].plain_text or "")


def test_a_button_the_current_person_may_not_press_is_said_not_a_crash(tmp_path: Path) -> None:
    # Ahmad asks for help, goes to the team chat and presses "I'll take it": not a member.
    result = maraude("sandbox", stdin="/menu\n10\n1\n1\nk1\n:team\n1\n:quit\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-400:]
    assert "Traceback" not in result.stderr
    assert "Telegram would not let you" in result.stdout
