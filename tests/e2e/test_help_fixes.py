"""“I need help”, after the outside review of issue 8: a volunteer leaving the team, a location
step that waited too long, locations and media during a request, who is told what, the
limits (SPEC §2 Public, §6). The review's own tests are in test_review8.py."""

from __future__ import annotations

import re

import pytest

from bot.callbacks import RoleTake
from bot.sandbox.emulator import BotApiEmulator
from bot.services import help as help_rules
from bot.storage.models import Role
from tests.e2e.test_help import (
    AHMAD,
    COORDINATOR,
    VOLUNTEER,
    breathe,
    has_button,
    newcomer,
    press,
    row,
    settled,
)
from tests.e2e.test_privacy import traces_of
from tests.helpers.clock import FakeClock
from tests.helpers.harness import TEAM_CHAT_ID, RunningBot, enrol
from tests.helpers.help import alerts, ask_for_help


async def test_a_demoted_volunteer_gives_the_request_back_and_the_person_is_told(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await ask_for_help(emu, clocked, newcomer(emu))
    [alert] = alerts(emu)
    await press(emu, VOLUNTEER, alert, "hlpt:1")
    await emu.wait_until(lambda: has_button(alert, "hlpw:1"))
    await ana.say("/reply 1")  # about to write
    since = len(emu.bot_messages(AHMAD))
    # Out of the team takes a second tap (issue 9 review).
    question = await claire.say("/demote @ana")
    await claire.press(question, RoleTake(VOLUNTEER, "volunteer", sure=True).pack())
    told = await emu.wait_for_bot_message(AHMAD, since=since)
    assert "1" in (told.plain_text or "")
    await emu.wait_until(lambda: has_button(alert, "hlpt:1"))  # anyone may take it again
    assert (await row(clocked))["status"] == "open"
    # Their next words are theirs: nothing reaches the person.
    since = len(emu.bot_messages(AHMAD))
    await ana.say("Je suis là")
    await settled(clocked)
    assert len(emu.bot_messages(AHMAD)) == since
    await clocked.bot.jobs.fire_due()
    await emu.wait_until(lambda: len(alerts(emu)) == 2)  # re-alerted at once


async def test_a_lost_location_step_says_the_request_was_not_sent(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    person = newcomer(emu)
    menu = await person.say("/menu")
    asked = await person.press(menu, "topic:help")
    asked = await person.press(asked, "ant:calais:help")
    since = len(emu.bot_messages(AHMAD))
    await emu.press(AHMAD, asked, "hlpn:medical")
    await emu.wait_for_bot_message(AHMAD, lambda m: "reply_keyboard" in m.extra, since=since)
    clock.advance(hours=25)
    since = len(emu.bot_messages(AHMAD))
    await emu.tap_reply_button(AHMAD, "⏭")
    offer = await emu.wait_for_bot_message(AHMAD, lambda m: bool(m.buttons()), since=since)
    assert offer.button("topic:help")  # "🙋 I need help", to ask again
    ar = clocked.bot.services.translator("ar")
    texts = [m.plain_text for m in emu.bot_messages(AHMAD)[since:]]
    assert ar._("⚠️ Your help request was not sent: it waited too long.") in texts
    assert emu.reply_keyboard(AHMAD) is None
    await settled(clocked)
    assert alerts(emu) == []
    # Asking again works.
    await ask_for_help(emu, clocked, person)
    assert len(alerts(emu)) == 1


async def test_hours_later_the_skip_button_in_another_language_still_sends_the_request(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    """The phone's language changed meanwhile, or the person changed it: the button's text
    is read in every language. Other text, hours later, is not taken for the step."""
    person = newcomer(emu)
    menu = await person.say("/menu")
    asked = await person.press(menu, "topic:help")
    asked = await person.press(asked, "ant:calais:help")
    since = len(emu.bot_messages(AHMAD))
    await emu.press(AHMAD, asked, "hlpn:shelter")
    await emu.wait_for_bot_message(AHMAD, lambda m: "reply_keyboard" in m.extra, since=since)
    clock.advance(hours=5)
    hello = await person.say("hello")
    assert "📍" not in (hello.plain_text or "")  # not asked for the location again
    assert alerts(emu) == []
    skip = clocked.bot.services.translator("fr").p_("button", "⏭ Skip")
    since = len(emu.bot_messages(AHMAD))
    await emu.send_text(AHMAD, skip)
    await emu.wait_for_bot_message(AHMAD, lambda m: bool(m.buttons()), since=since)
    await settled(clocked)
    assert len(alerts(emu)) == 1
    assert (await row(clocked))["need"] == "shelter"
    assert emu.reply_keyboard(AHMAD) is None


async def test_a_location_shared_while_nobody_took_it_reaches_the_team(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    await ask_for_help(emu, clocked, newcomer(emu))
    [alert] = alerts(emu)
    since = len(emu.bot_messages(TEAM_CHAT_ID))
    answered = len(emu.bot_messages(AHMAD))
    await emu.send_location(AHMAD, 50.9581, 1.8512)
    await emu.wait_for_bot_message(AHMAD, since=answered)
    await settled(clocked)
    posted = emu.bot_messages(TEAM_CHAT_ID)[since:]
    assert [m.kind for m in posted] == ["text", "location"]
    assert "1" in (posted[0].plain_text or "")
    saved = await row(clocked)
    assert (saved["latitude"], saved["longitude"]) == (50.9581, 1.8512)
    await emu.wait_until(lambda: "📍" in (alert.plain_text or ""))


async def test_a_coordinator_closing_a_taken_request_tells_its_volunteer(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await ask_for_help(emu, clocked, newcomer(emu))
    [alert] = alerts(emu)
    await press(emu, VOLUNTEER, alert, "hlpt:1")
    await emu.wait_until(lambda: has_button(alert, "hlpw:1"))
    since = len(emu.bot_messages(VOLUNTEER))
    await press(emu, COORDINATOR, alert, "hlpx:1")
    told = await emu.wait_for_bot_message(VOLUNTEER, since=since)
    assert "1" in (told.plain_text or "")
    assert "✅" in (told.plain_text or "")


async def test_media_during_the_relay_are_not_passed_on_and_both_sides_are_told(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await ask_for_help(emu, clocked, newcomer(emu))
    await press(emu, VOLUNTEER, alerts(emu)[0], "hlpt:1")
    await ana.say("/reply 1")
    await ana.say("Où es-tu ?")
    await settled(clocked)
    since = len(emu.bot_messages(VOLUNTEER))
    answered = len(emu.bot_messages(AHMAD))
    await emu.send_sticker(AHMAD)
    told = await emu.wait_for_bot_message(AHMAD, since=answered)
    assert told.button("hlpe:1")  # still in the conversation
    await settled(clocked)
    received = emu.bot_messages(VOLUNTEER)[since:]
    assert [m.kind for m in received] == ["text"]  # a notice, never the sticker
    assert "1" in (received[0].plain_text or "")


async def test_mistaken_taps_do_not_count_towards_the_daily_limit(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    person = newcomer(emu)
    # Three requests cancelled at once: only the first two are forgiven.
    for number in (1, 2, 3):
        done = await ask_for_help(emu, clocked, person)
        await person.press(done, f"hlpc:{number}")
        await breathe(clock)
    for number in (4, 5):
        done = await ask_for_help(emu, clocked, person)
        clock.advance(minutes=3)
        await person.press(done, f"hlpc:{number}")
        await breathe(clock)
    assert len(alerts(emu)) == 5
    menu = await person.say("/menu")
    refused = await person.press(menu, "topic:help")
    assert "112" in (refused.plain_text or "")
    assert len(alerts(emu)) == 5


async def test_re_alerts_count_towards_the_team_chats_hourly_share(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(help_rules, "TEAM_CHAT_PER_HOUR", 2)
    await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await ask_for_help(emu, clocked, newcomer(emu, 601))
    clock.advance(minutes=10)
    await clocked.bot.jobs.fire_due()
    await emu.wait_until(lambda: len(alerts(emu)) == 2)  # the alert and its re-alert
    await ask_for_help(emu, clocked, newcomer(emu, 602))
    await emu.wait_until(lambda: len(alerts(emu, COORDINATOR)) == 1)
    assert alerts(emu, COORDINATOR)[0].button("hlpt:2")
    assert len(alerts(emu)) == 2
    assert "⚠️" in (emu.bot_messages(TEAM_CHAT_ID)[-1].plain_text or "")


async def test_a_block_keeps_no_id_survives_forget_and_lapses_at_retention(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    person = newcomer(emu)
    await ask_for_help(emu, clocked, person)
    [alert] = alerts(emu)
    await press(emu, COORDINATOR, alert, "hlpb:1:1")
    await emu.wait_until(lambda: "⛔" in (alert.plain_text or ""))
    confirm = await person.say("/forget")
    await person.press(confirm, "forget:1")
    await settled(clocked)
    assert await traces_of(clocked, AHMAD) == []
    db = clocked.bot.storage.db
    key = await db.fetch_value("SELECT person_key FROM help_blocks")
    assert re.fullmatch(r"[a-p]{64}", str(key))  # a keyed hash, no digits
    assert key == await db.fetch_value("SELECT person_key FROM help_requests WHERE id = 1")
    # Past retention, the block and the key are gone: the person is heard again.
    clock.advance(days=32)
    await clocked.bot.jobs.fire_due()
    await settled(clocked)
    assert await db.fetch_value("SELECT COUNT(*) FROM help_blocks") == 0
    assert await db.fetch_value("SELECT person_key FROM help_requests WHERE id = 1") is None
    await ask_for_help(emu, clocked, person)
    assert len(alerts(emu)) == 2
