"""/broadcast (issue 10, §2): preview, one confirm, copies paced as bulk, a summary edited as
they go out, a restart in the middle, and `maraude broadcast` from the command line."""

from __future__ import annotations

import asyncio
import html
from datetime import timedelta
from pathlib import Path

import pytest

from bot import delivery
from bot.callbacks import BroadcastAnswer
from bot.handlers.broadcast import copy_header
from bot.sandbox.emulator import BotApiEmulator, Button, ChatMessage
from bot.services.outbox import MAX_TEXT, split_text, utf16_length
from bot.storage.database import to_db
from bot.storage.models import Role
from tests.e2e.test_cli import ROOT, maraude
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
from tests.helpers.help import press

SAM = 250  # coordinator of Calais
CLAIRE = 251  # another coordinator of Calais
GUS = 260  # coordinator of Grande-Synthe, which has no team chat
VERA = 400  # a volunteer
FIRST_VOLUNTEER = 10_000


async def add_volunteers(
    emu: BotApiEmulator,
    running: RunningBot,
    count: int,
    *,
    first: int = FIRST_VOLUNTEER,
    antenna: str = "calais",
) -> list[int]:
    """Many volunteers at once, stored as enrolment would store them (and known to Telegram)."""
    ids = list(range(first, first + count))
    storage = running.bot.storage
    async with storage.transaction():
        for user_id in ids:
            emu.add_user(user_id, f"V{user_id}", language_code="en")
            await storage.users.touch(user_id, "en", running.bot.clock.now())
            await storage.users.set_role(
                user_id, Role.VOLUNTEER, antenna=antenna, display_name=f"V{user_id}"
            )
    return ids


async def preview(person: Person, command: str) -> tuple[ChatMessage, ChatMessage]:
    """Send /broadcast; return the preview of the text and the question with its buttons."""
    emu = person.emu
    since = len(emu.bot_messages(person.id))
    await emu.send_text(person.id, command)
    question = await emu.wait_for_bot_message(person.id, lambda m: bool(m.buttons()), since=since)
    shown = emu.bot_messages(person.id)[since:]
    assert len(shown) >= 2, [m.text for m in shown]
    return shown[0], question


def from_sam(text: str) -> str:
    """A copy as an English reader gets it: who sends it, then the text."""
    return f"📣 Message from Sam (Calais coordination):\n{text}"


def copies(emu: BotApiEmulator, chat_id: int) -> list[str]:
    return [m.plain_text or "" for m in emu.bot_messages(chat_id)]


def draft_of(question: ChatMessage) -> int:
    return BroadcastAnswer.unpack(question.button("Send").callback_data).draft


async def test_preview_sends_nothing_and_one_confirm_sends_once(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    sam = await enrol(emu, running, SAM, "Sam", Role.COORDINATOR)
    volunteers = await add_volunteers(emu, running, 3)
    # Left out: a volunteer who blocked the bot, one of another antenna, a member of the public.
    gone, elsewhere = await add_volunteers(emu, running, 2, first=20_000)
    async with running.bot.storage.transaction():
        await running.bot.storage.users.set_active(gone, False)
        await running.bot.storage.users.set_role(
            elsewhere, Role.VOLUNTEER, antenna="grande-synthe"
        )
    text = "Wood-cutting on Saturday, 9:00 <b>sharp</b> & bring gloves 🧤\n\n  Thanks!"
    shown, question = await preview(sam, f"/broadcast volunteers\n{text}")

    # The text exactly as it will be received (markup shown, lines kept, who sends it above),
    # then the question.
    assert shown.plain_text == from_sam(text)
    assert question.plain_text == "📣 Send the message above privately to 3 volunteers of Calais?"
    assert [b.text for b in question.buttons()] == ["✅ Send", "✖ Cancel"]
    await asyncio.sleep(0.3)
    assert all(copies(emu, v) == [] for v in (*volunteers, gone, elsewhere))
    assert await running.bot.storage.db.fetch_value("SELECT COUNT(*) FROM broadcasts") == 0

    # A double tap: both presses reach the bot before it edits the question.
    keyboard = question.keyboard
    first = emu.press(SAM, question, "✅ Send")
    second = emu.press(SAM, question, "✅ Send")
    await asyncio.gather(first, second)
    await emu.wait_until(lambda: "done" in (question.plain_text or ""), timeout=20)
    assert question.plain_text == "✅ Broadcast #1 done: 3/3 sent · 0 blocked · 0 failed"
    assert question.buttons() == []
    for volunteer in volunteers:
        assert copies(emu, volunteer) == [from_sam(text.strip())]
    assert all(copies(emu, v) == [] for v in (gone, elsewhere))
    # The sender saw the preview: no copy for them.
    assert [m.plain_text for m in emu.bot_messages(SAM)].count(from_sam(text)) == 1

    # A late press on the old buttons, either of them, changes nothing and says why.
    question.keyboard = keyboard
    toast = await press(emu, SAM, question, "✅ Send")
    assert toast == "ℹ️ Already sent as broadcast #1: it cannot be sent again or called back."
    question.keyboard = keyboard
    toast = await press(emu, SAM, question, "✖ Cancel")
    assert "cannot be sent again or called back" in toast
    await asyncio.sleep(0.3)
    for volunteer in volunteers:
        assert len(copies(emu, volunteer)) == 1
    row = await running.bot.storage.db.fetch_one("SELECT * FROM broadcasts")
    assert row is not None
    assert (row["recipients"], row["sent"], row["blocked"], row["failed"]) == (3, 3, 0, 0)
    assert row["finished_at"] is not None
    # Nothing left of the draft: the text is in no table once sent.
    assert await running.bot.storage.drafts.latest(SAM, "broadcast") is None


async def test_cancel_sends_nothing_and_a_stale_send_is_refused(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    sam = await enrol(emu, running, SAM, "Sam", Role.COORDINATOR)
    volunteers = await add_volunteers(emu, running, 2)
    _, question = await preview(sam, "/broadcast volunteers Meeting moved to 19:00")
    keyboard = question.keyboard
    answered = await sam.press(question, "✖ Cancel")
    assert answered.plain_text == "✖ Cancelled: nothing was sent."
    question.keyboard = keyboard
    toast = await press(emu, SAM, question, "✅ Send")
    assert toast.startswith("ℹ️ This preview was cancelled or replaced")
    # A new /broadcast replaces the previous preview: its buttons are stale.
    _, older = await preview(sam, "/broadcast volunteers One")
    _, newer = await preview(sam, "/broadcast volunteers Two")
    toast = await press(emu, SAM, older, "✅ Send")
    assert toast.startswith("ℹ️ This preview was cancelled or replaced")
    await sam.press(newer, "✅ Send")
    await emu.wait_until(lambda: all(copies(emu, v) == [from_sam("Two")] for v in volunteers))
    assert await running.bot.storage.db.fetch_value("SELECT COUNT(*) FROM broadcasts") == 1


async def test_a_preview_found_hours_later_is_refused(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    sam = await enrol(emu, running, SAM, "Sam", Role.COORDINATOR)
    (volunteer,) = await add_volunteers(emu, running, 1)
    _, question = await preview(sam, "/broadcast volunteers Soup tonight at 18:00")
    storage = running.bot.storage
    # The next morning, scrolling back through the chat.
    async with storage.transaction():
        late = running.bot.clock.now() - timedelta(hours=3, minutes=1)
        await storage.db.execute("UPDATE drafts SET created_at = ?", (to_db(late),))
    toast = await press(emu, SAM, question, "✅ Send")
    assert toast == (
        "⌛ This preview is over 3 hours old: nothing was sent. Check the text and "
        "send /broadcast again."
    )
    await asyncio.sleep(0.3)
    assert copies(emu, volunteer) == []
    assert await storage.db.fetch_value("SELECT COUNT(*) FROM broadcasts") == 0
    answered = await sam.press(question, "✖ Cancel")
    assert answered.plain_text == "✖ Cancelled: nothing was sent."


async def test_only_the_coordinator_who_previewed_can_send(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    sam = await enrol(emu, running, SAM, "Sam", Role.COORDINATOR)
    claire = await enrol(emu, running, CLAIRE, "Claire", Role.COORDINATOR)
    vera = await enrol(emu, running, VERA, "Vera", Role.VOLUNTEER)
    refused = await vera.say("/broadcast volunteers Free pizza")
    assert refused.plain_text == "🔒 Sorry, this is only for team members who have this role."
    _, question = await preview(sam, "/broadcast volunteers Hello")
    draft = draft_of(question)
    before = await running.bot.storage.db.fetch_all("SELECT * FROM drafts")
    for person, expected in (
        (vera, "🔒 Sorry, this is only for team members who have this role."),
        (claire, "ℹ️ This preview was cancelled or replaced: nothing was sent."),
    ):
        for send in (True, False):
            forged = BroadcastAnswer(draft, send=send).pack()
            message = person.last()
            message.keyboard = [[Button(text="forged", callback_data=forged)]]
            toast = await press(emu, person.id, message, forged)
            assert toast.startswith(expected), toast
    assert await running.bot.storage.db.fetch_all("SELECT * FROM drafts") == before
    # A coordinator demoted since the preview can no longer send it.
    async with running.bot.storage.transaction():
        await running.bot.storage.users.set_role(SAM, Role.VOLUNTEER)
    toast = await press(emu, SAM, question, "✅ Send")
    assert toast == "🔒 Sorry, this is only for team members who have this role."
    await asyncio.sleep(0.3)
    assert from_sam("Hello") not in copies(emu, VERA)
    assert from_sam("Hello") not in copies(emu, CLAIRE)


async def test_a_preview_nobody_can_receive_any_more_is_kept_and_refused(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    sam = await enrol(emu, running, SAM, "Sam", Role.COORDINATOR)
    (volunteer,) = await add_volunteers(emu, running, 1)
    _, question = await preview(sam, "/broadcast volunteers Hello")
    storage = running.bot.storage
    async with storage.transaction():
        await storage.users.set_active(volunteer, False)  # blocked the bot meanwhile
    toast = await press(emu, SAM, question, "✅ Send")
    assert toast == "❌ No volunteer of Calais can be reached: nothing was sent."
    assert await storage.drafts.latest(SAM, "broadcast") is not None
    assert await storage.db.fetch_value("SELECT COUNT(*) FROM broadcasts") == 0
    # Back again: the same preview can be sent.
    async with storage.transaction():
        await storage.users.set_active(volunteer, True)
    await sam.press(question, "✅ Send")
    await emu.wait_until(lambda: copies(emu, volunteer) == [from_sam("Hello")])


async def test_team_is_the_default_target_and_usage_when_empty(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    sam = await enrol(emu, running, SAM, "Sam", Role.COORDINATOR)
    gus = await enrol(emu, running, GUS, "Gus", Role.COORDINATOR, antenna="grande-synthe")
    for command in ("/broadcast", "/broadcast team", "/broadcast volunteers   \n  "):
        answer = await sam.say(command)
        assert (answer.plain_text or "").startswith("Usage: /broadcast [team|volunteers] TEXT")
    # Grande-Synthe has no team chat: said clearly, nothing stored.
    answer = await gus.say("/broadcast Soup at 18:00")
    assert answer.plain_text == (
        "❌ Grande-Synthe has no team chat yet: nothing was sent. Send it to the volunteers "
        "with /broadcast volunteers TEXT, or ask an admin to set the team chat."
    )
    # In a group the preview would show the text before anyone confirmed: private chat only.
    group = Person(emu, SAM, TEAM_CHAT_ID)
    pointed = await group.say("/broadcast Soup at 18:00")
    assert pointed.plain_text == "ℹ️ Write to me privately for this."
    before = len(emu.bot_messages(TEAM_CHAT_ID))

    text = "Calais team: soup at 18:00 & tea 🍵"
    shown, question = await preview(sam, f"/broadcast {text}")
    assert shown.plain_text == from_sam(text)
    assert question.plain_text == "📣 Post the message above in the team chat of Calais?"
    await sam.press(question, "✅ Send")
    await emu.wait_until(lambda: "done" in (question.plain_text or ""))
    assert question.plain_text == "✅ Broadcast #1 done: 1/1 sent · 0 blocked · 0 failed"
    posted = emu.bot_messages(TEAM_CHAT_ID)[before:]
    # The team chat reads the header in the default language (French).
    header = running.bot.services.translator("fr")._(
        "📣 Message from {name} ({antenna} coordination):",
        name="Sam",
        antenna="Calais",
    )
    assert [m.plain_text for m in posted] == [f"{header}\n{text}"]


async def test_admin_may_broadcast_to_another_antenna_a_coordinator_may_not(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    sam = await enrol(emu, running, SAM, "Sam", Role.COORDINATOR)
    others = await add_volunteers(emu, running, 2, antenna="grande-synthe")
    refused = await sam.say("/broadcast grande-synthe volunteers Hi")
    assert refused.plain_text == "🔒 Only an admin can do this for another antenna."
    # "Calais" is an antenna's name in a sentence, not a request about it.
    _, question = await preview(sam, "/broadcast calais is cold tonight")
    assert "team chat of Calais" in (question.plain_text or "")
    admin = Person(emu, ADMIN_ID)
    await admin.say("/help")
    async with running.bot.storage.transaction():
        await running.bot.storage.users.set_locale(ADMIN_ID, "en")
    _, question = await preview(admin, "/broadcast grande-synthe volunteers Hi")
    assert question.plain_text == (
        "📣 Send the message above privately to 2 volunteers of Grande-Synthe?"
    )
    await emu.press(ADMIN_ID, question, "✅ Send")
    from_admin = "📣 Message from Admin (Grande-Synthe coordination):\nHi"
    await emu.wait_until(lambda: all(copies(emu, v) == [from_admin] for v in others))
    await emu.wait_until(lambda: "done" in (question.plain_text or ""))
    assert question.plain_text == "✅ Broadcast #1 done: 2/2 sent · 0 blocked · 0 failed"


async def test_a_french_coordinator_reads_french(emu: BotApiEmulator, running: RunningBot) -> None:
    fr = running.bot.services.translator("fr")
    header = "📣 Message from {name} ({antenna} coordination):"
    if fr.p_("button", "✅ Send") == "✅ Send" or fr._(header) == header:
        pytest.skip("the French catalogue gets these sentences when the branch is merged")
    sam = await enrol(emu, running, SAM, "Sam", Role.COORDINATOR, language="fr")
    english = await add_volunteers(emu, running, 1)
    vera = await enrol(emu, running, VERA, "Vera", Role.VOLUNTEER, language="fr")
    shown, question = await preview(sam, "/broadcast volunteers Bonjour")
    french_copy = "📣 Message de Sam (coordination Calais)\u202f:\nBonjour"
    assert shown.plain_text == french_copy
    assert question.plain_text == (
        "📣 Envoyer le message ci-dessus en privé à 2 bénévoles de Calais\u202f?"
    )
    assert [b.text for b in question.buttons()] == ["✅ Envoyer", "✖ Annuler"]
    await sam.press(question, "✅ Envoyer")
    await emu.wait_until(lambda: "terminée" in (question.plain_text or ""))
    assert question.plain_text == (
        "✅ Diffusion n°\u202f1 terminée\u202f: envoyés 2/2 · bloqués 0 · échecs 0"
    )
    # Each reader gets the header in their own language.
    assert copies(emu, vera.id)[-1] == french_copy
    assert copies(emu, english[0]) == [from_sam("Bonjour")]
    refused = await sam.say("/broadcast volunteers")
    assert (refused.plain_text or "").startswith("Utilisation\u202f: /broadcast")


async def test_blocked_and_refused_recipients_are_counted(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    sam = await enrol(emu, running, SAM, "Sam", Role.COORDINATOR)
    ok, blocked = await add_volunteers(emu, running, 2)
    # A volunteer Telegram no longer knows (account deleted): a final refusal, not a block.
    storage = running.bot.storage
    async with storage.transaction():
        await storage.users.touch(30_000, "en", running.bot.clock.now())
        await storage.users.set_role(30_000, Role.VOLUNTEER, antenna="calais")
    emu.block(blocked)
    _, question = await preview(sam, "/broadcast volunteers Hello")
    assert "3 volunteers" in (question.plain_text or "")
    await sam.press(question, "✅ Send")
    await emu.wait_until(lambda: "done" in (question.plain_text or ""))
    assert question.plain_text == "✅ Broadcast #1 done: 1/3 sent · 1 blocked · 1 failed"
    assert copies(emu, ok) == [from_sam("Hello")]
    user = await storage.users.get(blocked)
    assert user is not None
    assert not user.active  # the next broadcast leaves them out
    # The emulator's refusal of the unknown chat is what this test provoked.
    assert [r.description for r in emu.refused] == ["Bad Request: chat not found"]
    emu.refused.clear()


async def test_300_volunteers_with_flood_limits_get_exactly_one_copy_each(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    assert emu.limits.global_per_second == 30  # Telegram's flood limits are on
    sam = await enrol(emu, running, SAM, "Sam", Role.COORDINATOR)
    volunteers = await add_volunteers(emu, running, 300)
    _, question = await preview(sam, "/broadcast volunteers Distribution moved to 18:00")
    assert "300 volunteers" in (question.plain_text or "")
    summaries: list[str] = []

    def follow() -> bool:
        text = question.plain_text or ""
        if not summaries or summaries[-1] != text:
            summaries.append(text)
        return "done" in text

    await sam.press(question, "✅ Send")
    await emu.wait_until(follow, timeout=90)
    assert question.plain_text == "✅ Broadcast #1 done: 300/300 sent · 0 blocked · 0 failed"
    received = [copies(emu, v) for v in volunteers]
    assert all(got == [from_sam("Distribution moved to 18:00")] for got in received)
    sent = [r for r in emu.requests if r[0] == "sendMessage" and int(r[1]["chat_id"]) >= 10_000]
    assert len(sent) == 300
    assert emu.refused == []
    assert emu.throttled == []
    # Edited as it went (every few seconds, never the same text twice), then the final edit.
    assert 3 <= question.edits <= 12
    assert any("📣 Broadcast #1: " in s and "/300 sent" in s for s in summaries)


async def test_a_broadcast_stopped_midway_completes_after_a_restart(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    settings = make_settings(emu, tmp_path / "restart.sqlite3")
    running = await start_bot(settings)
    sam = await enrol(emu, running, SAM, "Sam", Role.COORDINATOR)
    volunteers = await add_volunteers(emu, running, 300)
    _, question = await preview(sam, "/broadcast volunteers Shelter open tonight")

    # The preview survives a restart too: confirmed by the next run.
    await running.stop()
    running = await start_bot(settings)
    await emu.press(SAM, question, "✅ Send")

    def served() -> int:
        return sum(1 for v in volunteers if copies(emu, v))

    await emu.wait_until(lambda: served() >= 40, timeout=30)
    await running.stop()
    stopped_at = served()
    assert stopped_at < 300, "the stop came too late to interrupt anything"
    assert "done" not in (question.plain_text or "")

    running = await start_bot(settings)
    try:
        await emu.wait_until(lambda: served() == 300, timeout=60)
        await emu.wait_until(lambda: "done" in (question.plain_text or ""), timeout=20)
    finally:
        await running.stop()
    counts = [len(copies(emu, v)) for v in volunteers]
    assert min(counts) == 1
    # Only the copy in flight at the stop may go twice.
    assert sum(count - 1 for count in counts) <= 1
    assert question.plain_text == "✅ Broadcast #1 done: 300/300 sent · 0 blocked · 0 failed"


async def test_a_long_text_from_the_command_line_is_split_cleanly(
    emu: BotApiEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bot looks at the outbox by itself now and then: rows another process wrote are sent
    # without anyone waking the sender (shortened here from half a minute).
    monkeypatch.setattr(delivery, "IDLE_WAKE", 0.2)
    running = await start_bot(make_settings(emu, tmp_path / "cli.sqlite3"))
    try:
        await cli_broadcast(emu, running, tmp_path)
    finally:
        await running.stop()


async def cli_broadcast(emu: BotApiEmulator, running: RunningBot, tmp_path: Path) -> None:
    volunteers = await add_volunteers(emu, running, 2)
    line = "Soup <hot> & bread 🥖👨‍👩‍👧 "  # markup to escape, a ZWJ emoji family
    text = "Programme:\n" + line * (10_000 // len(line)) + "\nEnd."
    env = {
        "BOT_TOKEN": emu.token,
        "BOT_API_BASE_URL": emu.base_url,
        "DATABASE_URL": f"sqlite:///{running.bot.settings.database_path}",
        "ADMIN_IDS": str(ADMIN_ID),
    }
    result = await asyncio.to_thread(
        maraude, "broadcast", "--to", "volunteers", "-", env=env, cwd=tmp_path, stdin=text
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("broadcast #1 queued for 2 volunteer(s) of calais")
    sent_as = "📣 Message from the Calais coordination:\n" + html.escape(text, quote=False)
    expected = split_text(sent_as)
    assert len(expected) == 4  # over 15 000 UTF-16 units once escaped
    # Who sends it and the heading start the first part, with the text they head.
    assert expected[0].startswith(
        "📣 Message from the Calais coordination:\nProgramme:\nSoup &lt;hot&gt;"
    )
    await emu.wait_until(lambda: all(len(copies(emu, v)) == len(expected) for v in volunteers))
    await asyncio.sleep(0.3)
    for volunteer in volunteers:
        parts = [m.text or "" for m in emu.bot_messages(volunteer)]
        assert parts == expected
        assert all(utf16_length(part) <= MAX_TEXT for part in parts)
        # Cut at line breaks and spaces: nothing lost, no entity or emoji cut in two (the
        # emulator parses each part as Telegram does and refused none).
        assert "".join(parts).replace("\n", "") == sent_as.replace("\n", "")
        assert all(part.endswith(" ") for part in parts[:-1])
        assert parts[-1].endswith("End.")
    row = await running.bot.storage.db.fetch_one("SELECT * FROM broadcasts")
    assert row is not None
    assert (row["created_by"], row["summary_chat_id"], row["recipients"]) == (None, None, 2)
    # The sender closes the broadcast right after recording its last copy.
    for _ in range(100):
        row = await running.bot.storage.db.fetch_one("SELECT * FROM broadcasts")
        if row is not None and row["finished_at"] is not None:
            break
        await asyncio.sleep(0.05)
    assert row is not None
    assert row["sent"] == 2


def test_the_command_line_refuses_clearly(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "PYTHONPATH": str(ROOT)}
    result = maraude("broadcast", "--antenna", "nowhere", "Hello", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == "❌ Unknown antenna: nowhere."
    result = maraude("broadcast", "--to", "volunteers", "Hello", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "❌ No volunteer of Calais can be reached: nothing was sent."
    )
    result = maraude("broadcast", "-", env=env, cwd=tmp_path, stdin="  \n ")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Usage: /broadcast")
    assert "Traceback" not in result.stderr
    assert (tmp_path / "cli.sqlite3").exists()


async def test_a_broadcast_given_up_with_a_blocked_recipient_is_closed(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    """B blocked the bot; their copy of #2 waits behind their copy of #1. When #1's copy is
    refused, the sender gives up #2's at once: no copy of #2 goes out, yet #2 is closed."""
    a, b = await add_volunteers(emu, running, 2)
    emu.block(b)
    storage = running.bot.storage
    services = running.bot.services
    header = copy_header(services, None)
    async with storage.transaction():
        first = await services.broadcasts.from_command_line("calais", "volunteers", "One", header)
        await storage.users.set_active(a, False)
        second = await services.broadcasts.from_command_line("calais", "volunteers", "Two", header)
    assert (first.recipients, second.recipients) == (2, 1)
    running.bot.delivery.wake()
    await emu.wait_until(
        lambda: copies(emu, a) == ["📣 Message from the Calais coordination:\nOne"]
    )
    for _ in range(100):
        unfinished = await services.broadcasts.unfinished()
        if not unfinished:
            break
        await asyncio.sleep(0.05)
    assert unfinished == []
    row = await storage.db.fetch_one(
        "SELECT sent, blocked, failed FROM broadcasts WHERE id = ?", (second.id,)
    )
    assert row is not None
    assert tuple(row) == (0, 1, 0)


async def test_a_broadcast_whose_last_copy_was_to_someone_who_forgot_is_closed(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    """Vera's copy is still waiting when she asks to be forgotten: her rows go with her, and
    the broadcast, nothing left to send, is closed (not left "in progress" until a restart)."""
    (other,) = await add_volunteers(emu, running, 1)
    vera = await enrol(emu, running, VERA, "Vera", Role.VOLUNTEER)
    storage = running.bot.storage
    services = running.bot.services
    async with storage.transaction():
        sent = await services.broadcasts.from_command_line(
            "calais", "volunteers", "One", copy_header(services, None)
        )
        later = to_db(running.bot.clock.now() + timedelta(hours=1))
        await storage.db.execute(
            "UPDATE outbox SET not_before = ? WHERE chat_id = ? AND batch = ?",
            (later, VERA, f"bc:{sent.id}"),
        )
    running.bot.delivery.wake()
    await emu.wait_until(lambda: len(copies(emu, other)) == 1)
    assert await services.broadcasts.unfinished() == [sent.id]
    confirm = await vera.say("/forget")
    await vera.press(confirm, "forget:1")
    for _ in range(100):
        if not await services.broadcasts.unfinished():
            break
        await asyncio.sleep(0.05)
    assert await services.broadcasts.unfinished() == []


async def test_a_safety_alert_during_a_broadcast_overtakes_it(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    """Issue 10: a volunteer's "I need help" while 300 copies are going out at Telegram's pace
    reaches the team chat at once, not after the broadcast."""
    assert emu.limits.global_per_second == 30  # Telegram's flood limits are on
    ana = await enrol(emu, clocked, VERA, "Ana", Role.VOLUNTEER)
    await ana.say("/shift start maraude 23:00")
    clock.advance(hours=2, minutes=30)
    since = len(emu.bot_messages(VERA))
    await clocked.bot.jobs.fire_due()
    ask = await emu.wait_for_bot_message(VERA, lambda m: bool(m.buttons()), since=since)
    sam = await enrol(emu, clocked, SAM, "Sam", Role.COORDINATOR)
    volunteers = await add_volunteers(emu, clocked, 300)
    _, question = await preview(sam, "/broadcast volunteers Wood-cutting moved to Sunday")
    await sam.press(question, "✅ Send")

    def served() -> int:
        return sum(1 for v in volunteers if copies(emu, v))

    await emu.wait_until(lambda: served() >= 20, timeout=30)
    team_since = len(emu.bot_messages(TEAM_CHAT_ID))
    await emu.press(VERA, ask, "saf:1:help")
    await emu.wait_for_bot_message(
        TEAM_CHAT_ID, lambda m: "🆘" in (m.text or ""), since=team_since
    )
    await emu.wait_until(lambda: served() == 300, timeout=60)

    # In the order Telegram received them: the alert, then most of the broadcast still.
    sends = [
        (int(p["chat_id"]), str(p.get("text"))) for m, p in emu.requests if m == "sendMessage"
    ]
    alert_at = next(
        i for i, (chat, text) in enumerate(sends) if chat == TEAM_CHAT_ID and "🆘" in text
    )
    copies_after = sum(1 for chat, _ in sends[alert_at:] if chat >= FIRST_VOLUNTEER)
    assert copies_after >= 100, copies_after
    assert all(len(copies(emu, v)) == 1 for v in volunteers)
    assert emu.refused == []
