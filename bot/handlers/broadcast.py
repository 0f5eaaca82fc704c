"""/broadcast: a coordinator's message to the team chat or to every volunteer, previewed,
confirmed once, and followed by a delivery summary edited as the copies go out."""

from __future__ import annotations

import math
import time

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import BroadcastAnswer
from bot.context import BotContext, Services
from bot.handlers.common import point_to_private_chat, refuse
from bot.handlers.team import NAME_MAX
from bot.i18n import Translator
from bot.services.broadcasts import (
    TEAM,
    Header,
    Preview,
    Progress,
    broadcast_of,
    summary_ref,
)
from bot.services.errors import DomainError
from bot.services.outbox import Button
from bot.storage.models import Antenna, OutboxEntry, User

# The summary is brought up to date at most this often while copies go out (each edit is a
# message against Telegram's budget), and once more when the last copy is done.
PROGRESS_EVERY = 3.0


def command_body(text: str | None) -> str:
    """What follows `/broadcast` (or `/broadcast@bot`), its lines kept as typed."""
    if not text:
        return ""
    parts = text.split(None, 1)
    return parts[1] if len(parts) > 1 else ""


def render_header(t: Translator, antenna: Antenna, sender: User | None) -> str:
    """The first line of each copy: an official message, and whose (none from the command
    line, or nameless). The Translator isolates the name: a right-to-left one does not reorder
    the line."""
    name = sender and (sender.display_name or sender.username)
    if not name:
        return t._("📣 Message from the {antenna} coordination:", antenna=antenna.name)
    if len(name) > NAME_MAX:
        name = name[: NAME_MAX - 1] + "…"
    return t._(
        "📣 Message from {name} ({antenna} coordination):",
        name=name,
        antenna=antenna.name,
    )


def copy_header(services: Services, sender: User | None) -> Header:
    """Each copy's header in its reader's language (the team chat's: the default one)."""

    def header(antenna: Antenna, reader: User | None) -> str:
        return render_header(services.translator_for(reader), antenna, sender)

    return header


def render_question(t: Translator, preview: Preview) -> str:
    if preview.target == TEAM:
        return t._(
            "📣 Post the message above in the team chat of {antenna}?",
            antenna=preview.antenna.name,
        )
    return t.n_(
        "📣 Send the message above privately to {n} volunteer of {antenna}?",
        "📣 Send the message above privately to {n} volunteers of {antenna}?",
        preview.recipients,
        antenna=preview.antenna.name,
    )


def render_summary(t: Translator, progress: Progress) -> str:
    """ "📣 Broadcast #12: 120/300 sent · 2 blocked · 0 failed", or its final form."""
    broadcast = progress.broadcast
    counts = progress.counts
    params = {
        "number": broadcast.id,
        "sent": counts.sent,
        "total": broadcast.recipients,
        "blocked": counts.blocked,
        "failed": counts.failed,
    }
    if progress.done:
        return t._(
            "✅ Broadcast #{number} done: {sent}/{total} sent · {blocked} blocked · "
            "{failed} failed",
            **params,
        )
    return t._(
        "📣 Broadcast #{number}: {sent}/{total} sent · {blocked} blocked · {failed} failed",
        **params,
    )


async def broadcast(update: Update, context: BotContext) -> None:
    """Show a broadcast as it will be received, with ✅ Send / ✖ Cancel; nothing is sent."""
    chat = update.effective_chat
    message = update.effective_message
    if chat is None or message is None:
        return
    if chat.type != ChatType.PRIVATE:
        # The preview would post the text in the group before anyone confirmed it.
        await point_to_private_chat(update, context)
        return
    t = context.t
    services = context.services
    try:
        preview = await services.broadcasts.prepare(context.user, command_body(message.text))
    except DomainError as error:
        await refuse(update, context, error)
        return
    header = render_header(t, preview.antenna, context.user)
    await services.outbox.send_text(chat.id, f"{header}\n{preview.html}")
    await context.reply(
        update,
        render_question(t, preview),
        [
            [
                Button(
                    t.p_("button", "✅ Send"),
                    data=BroadcastAnswer(preview.draft_id, send=True).pack(),
                ),
                Button(
                    t.p_("button", "✖ Cancel"),
                    data=BroadcastAnswer(preview.draft_id, send=False).pack(),
                ),
            ]
        ],
    )


async def answer_pressed(update: Update, context: BotContext) -> None:
    """Send the previewed broadcast (once, whoever presses what), or drop it."""
    t = context.t
    services = context.services
    query = update.callback_query
    try:
        pressed = BroadcastAnswer.unpack(query.data if query else None)
        if query is None or query.message is None:
            raise DomainError("broadcast_gone")
        if not pressed.send:
            await services.broadcasts.cancel(context.user, pressed.draft)
            await context.edit(update, t._("✖ Cancelled: nothing was sent."))
            return
        sent = await services.broadcasts.confirm(
            context.user,
            pressed.draft,
            query.message.chat.id,
            query.message.message_id,
            copy_header(services, context.user),
        )
    except DomainError as error:
        await refuse(update, context, error)
        return
    progress = await services.broadcasts.progress(sent.id)
    if progress is None:
        return
    text = render_summary(t, progress)
    await services.broadcasts.record(progress, text)
    await context.edit(update, text)


async def refresh_summary(services: Services, broadcast_id: int) -> None:
    """Bring a broadcast's summary up to date (never the same text twice: Telegram refuses
    "message is not modified"); close the broadcast once every copy is done."""
    progress = await services.broadcasts.progress(broadcast_id)
    if progress is None:
        return
    broadcast = progress.broadcast
    chat_id = broadcast.summary_chat_id
    if chat_id is None:
        # From the command line: nobody to show it to; the counts are still kept.
        await services.broadcasts.record(progress, None)
        return
    creator = await services.users.get(broadcast.created_by) if broadcast.created_by else None
    text = render_summary(services.translator_for(creator), progress)
    if text == broadcast.summary:
        await services.broadcasts.record(progress, None)
        return
    await services.broadcasts.record(progress, text)
    await services.outbox.edit_ref(chat_id, summary_ref(broadcast.id), text)


async def catch_up(services: Services) -> None:
    """At start-up: a summary whose last edit was lost in a stop is brought up to date."""
    for broadcast_id in await services.broadcasts.unfinished():
        await refresh_summary(services, broadcast_id)


async def close_done(services: Services) -> None:
    """A recipient blocked the bot (the sender gave up every row still waiting for them at
    once) or asked to be forgotten (their rows were erased): no copy of theirs goes out, so
    a broadcast they were the last one of is closed here."""
    for broadcast_id in await services.broadcasts.unfinished():
        if not await services.broadcasts.has_pending(broadcast_id):
            await refresh_summary(services, broadcast_id)


class SummaryPacer:
    """Called by the sender as each copy of a broadcast is done (sent, blocked or refused):
    refreshes the summary every few seconds, and when the last copy is done."""

    def __init__(self) -> None:
        self._refreshed: dict[int, float] = {}

    async def copy_done(self, services: Services, entry: OutboxEntry) -> None:
        broadcast_id = broadcast_of(entry.batch)
        if broadcast_id is None:
            return
        now = time.monotonic()
        due = now - self._refreshed.get(broadcast_id, -math.inf) >= PROGRESS_EVERY
        async with services.storage.transaction():
            if not due and await services.broadcasts.has_pending(broadcast_id):
                return
            self._refreshed[broadcast_id] = now
            await refresh_summary(services, broadcast_id)
        if not await services.broadcasts.has_pending(broadcast_id):
            self._refreshed.pop(broadcast_id, None)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CommandHandler("broadcast", broadcast),
        CallbackQueryHandler(answer_pressed, pattern=BroadcastAnswer.pattern()),
    ]
