"""Last group: whatever no feature took gets a helpful answer instead of silence."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.handlers import help_requests, incidents
from bot.handlers.common import menu_button, point_to_private_chat
from bot.handlers.public import stale_button


async def unknown_command(update: Update, context: BotContext) -> None:
    """Say the command is unknown and point to /help."""
    t = context.t
    await context.reply(
        update,
        t._("🤔 I don't know this command. Send /help to see what I can do."),
        menu_button(t),
    )


async def unexpected_text(update: Update, context: BotContext) -> None:
    """Invite a person who typed freely to use the buttons."""
    t = context.t
    await context.reply(update, t._("👇 Please tap a button, or send /menu."), menu_button(t))


async def unsupported_message(update: Update, context: BotContext) -> None:
    """Explain what kinds of messages the bot understands."""
    if await help_requests.person_media(update, context):
        return
    # A photo or video for a report being written (/incident).
    if await incidents.media_received(update, context):
        return
    t = context.t
    await context.reply(
        update, t._("🙂 I can read text and buttons. Tap a button below."), menu_button(t)
    )


# Commands that only make sense between the bot and one person.
PRIVATE_ONLY = ["start", "lang", "forget", "invite", "join"]


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler(PRIVATE_ONLY, point_to_private_chat, filters=filters.ChatType.GROUPS),
        MessageHandler(private & filters.COMMAND, unknown_command),
        MessageHandler(private & filters.TEXT, unexpected_text),
        MessageHandler(private & ~filters.StatusUpdate.ALL, unsupported_message),
        # Buttons whose prefix no feature knows: old messages, or forged data.
        CallbackQueryHandler(stale_button),
    ]
