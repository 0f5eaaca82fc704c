"""A person asking for help through the bot, as they would: menu, town, need, location."""

from __future__ import annotations

from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from tests.helpers.harness import TEAM_CHAT_ID, Person, RunningBot, outbox_settled


def alerts(emu: BotApiEmulator, chat_id: int = TEAM_CHAT_ID) -> list[ChatMessage]:
    """The help alerts of a chat, oldest first."""
    return [m for m in emu.bot_messages(chat_id) if "🆘" in (m.text or "")]


async def ask_for_help(
    emu: BotApiEmulator,
    running: RunningBot | None,
    person: Person,
    need: str = "medical",
    *,
    antenna: str = "calais",
    location: tuple[float, float] | None = None,
) -> ChatMessage:
    """Go through "I need help" and return the bot's last message (the confirmation).

    `running` is None for a bot running in another process."""
    menu = await person.say("/menu")
    asked = await person.press(menu, "topic:help")
    if any((b.callback_data or "").startswith("ant:") for b in asked.buttons()):
        asked = await person.press(asked, f"ant:{antenna}:help")
    since = len(emu.bot_messages(person.chat_id))
    await emu.press(person.id, asked, f"hlpn:{need}")
    prompt = await emu.wait_for_bot_message(
        person.chat_id, lambda m: "reply_keyboard" in m.extra, since=since
    )
    assert emu.reply_keyboard(person.chat_id) is not None, prompt.text
    since = len(emu.bot_messages(person.chat_id))
    if location is not None:
        await emu.tap_reply_button(person.id, "📍", location=location)
    else:
        await emu.tap_reply_button(person.id, "⏭")
    await emu.wait_for_bot_message(person.chat_id, lambda m: bool(m.buttons()), since=since)
    if running is not None:
        await outbox_settled(running)
    return person.last()


async def press(emu: BotApiEmulator, user_id: int, message: ChatMessage, data: str) -> str:
    """Press a button (in any chat) and return the toast, once the press is handled."""
    answers = len(emu.callback_answers)
    await emu.press(user_id, message, data)
    await emu.wait_until(lambda: len(emu.callback_answers) > answers)
    return str(list(emu.callback_answers.values())[answers].get("text") or "")


def has_button(message: ChatMessage, data: str) -> bool:
    return any(button.callback_data == data for button in message.buttons())
