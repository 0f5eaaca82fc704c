"""SPEC §8: every update takes effect exactly once, through crashes, errors and flood control."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import httpx
import pytest

from bot.delivery import SEND_AT_ONCE
from bot.sandbox.emulator import BotApiEmulator
from bot.services.users import UserService
from bot.storage import Storage
from tests.helpers.crash import (
    assert_burst_took_effect_once,
    bot_env,
    count_invites,
    invitations,
    launch,
)
from tests.helpers.harness import ADMIN_ID, Person, RunningBot, make_settings, start_bot


async def test_a_redelivered_update_changes_nothing(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    admin = Person(emu, ADMIN_ID)
    await admin.say("/invite")
    update_id = max(emu.confirmed_offset - 1, 0)
    sent_before = len(emu.bot_messages(ADMIN_ID))
    # Telegram re-sends an update it believes unconfirmed: same update_id, second time.
    invite_update = next(u for u in range(update_id, 0, -1) if u < emu.confirmed_offset)
    await emu.redeliver(invite_update)
    await emu.wait_until(
        lambda: emu.pending_updates() == 0 and emu.confirmed_offset > invite_update
    )
    await admin.say("/help")  # a later update is handled, so the duplicate was seen and skipped
    assert await count_invites(running.bot.storage) == 1
    assert len(emu.bot_messages(ADMIN_ID)) == sent_before + 1


async def test_update_numbering_restarting_lower_loses_nothing(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    """After a week without updates Telegram numbers them from a random, maybe lower, value."""
    database = tmp_path / "renumbered.sqlite3"
    first = await start_bot(make_settings(emu, database))
    await Person(emu, ADMIN_ID).say("/invite")
    await first.stop()
    async with BotApiEmulator(first_update_id=7) as renumbered:
        renumbered.add_user(ADMIN_ID, "Admin", language_code="fr")
        second = await start_bot(make_settings(renumbered, database))
        try:
            await Person(renumbered, ADMIN_ID).say("/invite")
            assert await count_invites(second.bot.storage) == 2
        finally:
            await second.stop()
        assert renumbered.refused == []


async def test_a_failing_handler_rolls_back_apologises_and_reports_once(
    emu: BotApiEmulator, running: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = UserService.create_invite

    async def half_done_then_crash(self: UserService, *args: object, **kwargs: object) -> object:
        await original(self, *args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("boom after writing")

    monkeypatch.setattr(UserService, "create_invite", half_done_then_crash)
    admin = Person(emu, ADMIN_ID)
    since = len(emu.bot_messages(ADMIN_ID))
    await emu.send_text(ADMIN_ID, "/invite")
    await emu.wait_until(lambda: len(emu.bot_messages(ADMIN_ID)) >= since + 2)
    texts = [m.text or "" for m in emu.bot_messages(ADMIN_ID)[since:]]
    assert any("Nothing was changed" in text or "Rien n" in text for text in texts)
    report = [text for text in texts if "RuntimeError" in text]
    assert len(report) == 1
    assert "boom" not in report[0]  # the report names the kind, not the content
    assert "Traceback" not in "".join(texts)
    assert await count_invites(running.bot.storage) == 0  # the half-done write was rolled back

    # The same kind of error again within ten minutes: apology, but no second report.
    since = len(emu.bot_messages(ADMIN_ID))
    await admin.say("/invite")
    await admin.say("/help")
    later = [m.text or "" for m in emu.bot_messages(ADMIN_ID)[since:]]
    assert not any("RuntimeError" in text for text in later)


async def test_flood_control_is_waited_out(emu: BotApiEmulator, running: RunningBot) -> None:
    emu.limits.global_per_second = 1
    for user_id in (401, 402, 403):
        emu.add_user(user_id, f"P{user_id}", language_code="en")
    for user_id in (401, 402, 403):
        await emu.send_text(user_id, "/menu")
    await emu.wait_until(lambda: all(emu.bot_messages(u) for u in (401, 402, 403)), timeout=15)
    assert emu.throttled  # Telegram said 429 at least once, and the bot waited and retried
    assert all(len(emu.bot_messages(u)) == 1 for u in (401, 402, 403))


async def test_a_person_who_blocked_the_bot_is_marked_unreachable(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    emu.add_user(404, "Blocked", language_code="en")
    await Person(emu, 404).say("/start")
    emu.block(404)
    await emu.send_text(404, "/menu")
    await emu.wait_until(lambda: bool(emu.blocked_sends))

    async def unreachable() -> bool:
        user = await running.bot.services.users.get(404)
        return user is not None and not user.active

    for _ in range(200):
        if await unreachable():
            break
        await asyncio.sleep(0.01)
    assert await unreachable()


async def test_webhook_mode_checks_the_secret(emu: BotApiEmulator, tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    settings = make_settings(
        emu,
        tmp_path / "hook.sqlite3",
        webhook_url=url,
        webhook_secret="s3cret-value",
        webhook_port=port,
    )
    running = await start_bot(settings)
    try:
        await emu.wait_until(lambda: emu.webhook_url == url)
        assert emu.webhook_secret == "s3cret-value"
        emu.add_user(501, "Hook", language_code="en")
        menu = await Person(emu, 501).say("/menu")
        assert menu.keyboard is not None

        forged = {
            "update_id": 999_999,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 501, "type": "private"},
                "from": {"id": 501, "is_bot": False, "first_name": "X"},
                "text": "/invite",
            },
        }
        async with httpx.AsyncClient() as client:
            wrong = await client.post(
                url, json=forged, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
            )
            missing = await client.post(url, json=forged)
        assert wrong.status_code == 403
        assert missing.status_code == 403
        stored = await running.bot.storage.db.fetch_value(
            "SELECT COUNT(*) FROM inbox WHERE update_id = 999999"
        )
        assert stored == 0
    finally:
        await running.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


BURST = 60


async def test_a_killed_bot_loses_nothing_and_repeats_nothing(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    database = tmp_path / "crash.sqlite3"
    env = bot_env(emu, database)

    process = await launch(env, tmp_path, "-m", "bot", "run")
    try:
        await emu.wait_until(
            lambda: any(method == "getUpdates" for method, _ in emu.requests), timeout=20
        )
        for index in range(BURST):
            await emu.send_text(ADMIN_ID, "/invite")
            user_id = 600 + index
            emu.add_user(user_id, f"P{index}", language_code="en")
            await emu.send_text(user_id, "/start lang-so")
        # Kill it the hard way while the burst is being handled.
        await emu.wait_until(lambda: invitations(emu) >= 1, timeout=20)
        process.send_signal(signal.SIGKILL)
        await asyncio.wait_for(process.wait(), timeout=10)
        handled_before_crash = invitations(emu)
        # The kill left updates stored but unhandled: the restart must handle them first.
        left = Storage(database)
        await left.open()
        try:
            unhandled = await left.db.fetch_value(
                "SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL"
            )
        finally:
            await left.close()
        process = await launch(env, tmp_path, "-m", "bot", "run")
        await emu.wait_until(
            lambda: (
                invitations(emu) >= BURST and all(emu.bot_messages(600 + i) for i in range(BURST))
            ),
            timeout=60,
        )
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), timeout=15)

    await assert_burst_took_effect_once(database, 600, BURST)
    # Nobody got a reply twice, except possibly the one message in flight to them at the kill:
    # the sender writes to several chats at once (SEND_AT_ONCE), one message per chat.
    assert invitations(emu) <= BURST + 1  # all to the admin's chat: one in flight at a time
    assert all(len(emu.bot_messages(600 + i)) <= 2 for i in range(BURST))
    assert sum(len(emu.bot_messages(600 + i)) for i in range(BURST)) <= BURST + SEND_AT_ONCE
    assert handled_before_crash < BURST, "the kill came too late to test anything"
    assert unhandled > 0, "no update was left in the inbox at the kill"


async def test_an_update_whose_apology_fails_does_not_hold_up_the_others(
    emu: BotApiEmulator, running: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def crash(*args: object, **kwargs: object) -> object:
        raise RuntimeError("handler bug")

    def broken_apology(t: object) -> str:
        raise KeyError("a translation with a stray brace")

    monkeypatch.setattr(UserService, "create_invite", crash)
    monkeypatch.setattr("bot.runtime.apology", broken_apology)
    emu.add_user(801, "Other", language_code="en")
    await emu.send_text(ADMIN_ID, "/invite")
    menu = await Person(emu, 801).say("/menu")  # handled although the one before failed
    assert menu.keyboard is not None
    outcomes = await running.bot.storage.inbox.outcomes()
    assert sorted(outcomes.values()) == ["error", "ok"]


async def test_the_first_error_is_the_one_reported(
    emu: BotApiEmulator, running: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken_touch(*args: object, **kwargs: object) -> object:
        raise KeyError("the gatekeeper failed")

    monkeypatch.setattr(UserService, "touch", broken_touch)
    emu.add_user(802, "Someone", language_code="ar")
    since = len(emu.bot_messages(ADMIN_ID))
    await emu.send_text(802, "/menu")
    apology = await emu.wait_for_bot_message(802)
    assert "😔" in (apology.text or "")
    assert not any("a" <= ch <= "z" for ch in (apology.text or "").lower())  # in Arabic
    report = await emu.wait_for_bot_message(ADMIN_ID, since=since)
    assert "KeyError" in (report.text or "")
