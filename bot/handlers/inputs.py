"""Typed text and shared locations in a private chat, routed to the feature waiting for them.

Several features wait for the same kind of message (a guided log's "where?", a help request's
location, a relayed reply), and PTB lets only one handler of a group take an update: so one
handler asks each feature in turn, in the order below, and the first that was waiting answers.
Each answer returns False, having changed nothing, when it was not waiting.

A team member's typed text answers one thing: the typed wait they opened last (a name after
✏️, a number after ➕ Other number or a quick log's "how many?", a day or time after ⌨️ in
/plan, a message after ✉ Write). Each person has at most one (`bot.services.waits`): opening
one ends the others, so the answers of those waits never compete, whatever their order here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.context import BotContext
from bot.handlers import (
    catalogue,
    distributions,
    fallback,
    help_requests,
    incidents,
    plan_form,
    public,
    stay,
)
from bot.services.outbox import REMOVE_REPLY_KEYBOARD

Answer = Callable[[Update, BotContext], Awaitable[bool]]

# The most specific wait first: a form the person is filling in right now.
LOCATION_ANSWERS: list[Answer] = [
    help_requests.location_shared,  # a person in the help flow: the most urgent wait
    incidents.location_shared,  # a volunteer's report at its "where?" step (a typed wait)
    distributions.location_shared,
    # A person whose help request is open or taken: to the team, or their volunteer.
    help_requests.person_location,
    # The help flow's location step, hours later (the phone died): sent, or said not sent.
    help_requests.late_location_shared,
    public.location_shared,
]
TEXT_ANSWERS: list[Answer] = [
    help_requests.skip_typed,  # a person in the help flow, at the location step
    # A team member's one typed wait, whichever it is (see above).
    catalogue.rename_typed,  # a coordinator who pressed "✏️"
    distributions.number_typed,  # a volunteer who tapped "➕ Other number" in the guided form
    distributions.quick_number_typed,  # a quick log asking "how many?"
    plan_form.typed,  # a coordinator who pressed "⌨️ Another day" (time, number) in /plan
    incidents.typed,  # a volunteer writing a report (/incident): time, place, number, text
    stay.amount_typed,  # a coordinator who pressed "✏️ Other amount" on a reduction request
    help_requests.owner_typed,  # a volunteer who pressed "✉ Write"
    # Keep it after the specific waits: any text of a person whose request is open goes to
    # its volunteer.
    help_requests.person_typed,
]


async def location_received(update: Update, context: BotContext) -> None:
    """Give a shared location to the feature waiting for one, or thank and explain."""
    for answer in LOCATION_ANSWERS:
        if await answer(update, context):
            return
    t = context.t
    chat = update.effective_chat
    if chat is not None:
        # A location keyboard left under the chat goes with this answer.
        text = t._("📍 Thank you. I have no use for a location right now.")
        await context.services.outbox.send_text(
            chat.id, text, reply_keyboard=REMOVE_REPLY_KEYBOARD
        )


async def text_received(update: Update, context: BotContext) -> None:
    """Give typed text to the feature waiting for it, or invite the person to tap a button."""
    for answer in TEXT_ANSWERS:
        if await answer(update, context):
            return
    await fallback.unexpected_text(update, context)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(private & filters.LOCATION, location_received),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, text_received),
    ]
