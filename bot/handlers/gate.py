"""Group −1: load the caller, resolve their language, drop what the bot must not handle."""

from __future__ import annotations

import logging

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext
from bot.i18n import negotiate

log = logging.getLogger(__name__)

# Telegram caps a message at 4096 characters; anything longer did not come from a person.
MAX_INPUT = 4096


def _addressed_to_bot(update: Update, username: str) -> bool:
    """In group chats only button presses and commands for this bot are for the bot."""
    if update.callback_query is not None:
        return True
    message = update.effective_message
    if not (message and message.text and message.text.startswith("/")):
        return False
    command = message.text.split(maxsplit=1)[0]
    _, _, target = command.partition("@")
    return not target or target.lower() == username.lower()


async def gatekeeper(update: Update, context: BotContext) -> None:
    """Identify the caller and their language once per update, before any feature runs."""
    if update.my_chat_member is not None:
        await _membership_changed(update.my_chat_member, context)
        raise ApplicationHandlerStop
    message = update.message
    if message is not None and message.migrate_to_chat_id is not None:
        # The team chat became a supergroup: it has a new id from now on.
        await context.services.users.move_team_chat(message.chat.id, message.migrate_to_chat_id)
        raise ApplicationHandlerStop
    sender = update.effective_user
    chat = update.effective_chat
    if update.edited_message is not None or sender is None or sender.is_bot or chat is None:
        raise ApplicationHandlerStop
    services = context.services
    if chat.type != ChatType.PRIVATE and not _addressed_to_bot(update, services.bot_username):
        raise ApplicationHandlerStop
    user = await services.users.touch(sender.id, sender.language_code)
    await services.users.set_profile(user, sender.full_name[:64], sender.username)
    locale = negotiate(user.locale, sender.language_code, services.settings.default_locale)
    context.user = user
    context.t = services.translator(locale)
    if chat.type == ChatType.PRIVATE:
        await services.menus.sync_user(user, context.t)
    if message is not None and message.text is not None and len(message.text) > MAX_INPUT:
        await context.reply(update, context.t._("✂️ This message is too long for me."))
        raise ApplicationHandlerStop


async def _membership_changed(change: ChatMemberUpdated, context: BotContext) -> None:
    """A person blocked or unblocked the bot: stop or resume writing to them."""
    if change.chat.type != ChatType.PRIVATE:
        log.info(
            "bot membership in chat %s is now %s", change.chat.id, change.new_chat_member.status
        )
        return
    reachable = change.new_chat_member.status != ChatMemberStatus.BANNED
    await context.services.users.set_reachable(change.chat.id, reachable)
