"""/woodcut: wood-cutting sessions with the partner wood-yard (issue 10 §3).

A session is a planned shift of its own kind: it is posted, signed up for, cancelled and
reminded by bot/handlers/planning.py. Here: the one-line announcement, the coordinators' list
of who comes (`/woodcut list`, and the post's "👥 Participants" button) and `/woodcut cancel`.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import PlanCancel, PlanList, WoodcutPeople
from bot.context import BotContext
from bot.handlers.common import person_name, refuse
from bot.handlers.planning import headline, names_line, publish, woodcut_cancel_question
from bot.i18n import Translator
from bot.services.errors import DomainError
from bot.services.numerals import numeric_words
from bot.services.outbox import Button, Keyboard
from bot.services.woodcut import CANCEL_WORDS, LIST_WORDS, LISTED
from bot.storage.models import PlannedShift, User


async def woodcut(update: Update, context: BotContext) -> None:
    """`/woodcut <date> <HH:MM> [place] [slots]`, `/woodcut list`, `/woodcut cancel <id>`."""
    # A date, time or number typed with direction marks standing alone: those words dropped.
    args = numeric_words(context.args or [])
    verb = args[0].casefold() if args else ""
    if verb in LIST_WORDS and len(args) == 1:
        await show_list(update, context)
    elif verb in CANCEL_WORDS:
        await ask_cancel(update, context, args[1] if len(args) == 2 else None)
    else:
        await announce(update, context, args)


async def announce(update: Update, context: BotContext, args: list[str]) -> None:
    """Announce a session in the team chat, with its "🪵 I'm in" button."""
    t = context.t
    try:
        # Without arguments: the usage, or the refusal for someone who may not announce one.
        planned = await context.services.woodcut.create(context.user, args)
    except DomainError as error:
        await refuse(update, context, error)
        return
    done = await publish(update, context, planned)
    if done is not None:
        # What was understood ("demain", "9h"), said back in full, with the session's number.
        understood = (
            headline(t, planned) + "\n" + t.n_("👥 {n} place.", "👥 {n} places.", planned.needed)
        )
        await context.reply(update, understood + "\n" + done)


async def show_list(update: Update, context: BotContext) -> None:
    """The coming sessions with who signed up, and a cancel button for each."""
    t = context.t
    try:
        sessions = await context.services.woodcut.sessions(context.user)
    except DomainError as error:
        await refuse(update, context, error)
        return
    if not sessions:
        await context.reply(update, t._("🪵 No wood-cutting session is planned."))
        return
    lines = [t._("🪵 Wood-cutting sessions to come:")]
    buttons: list[Button] = []
    for planned, people in sessions[:LISTED]:
        lines.append("")
        lines.append(headline(t, planned))
        lines.append(signed_line(t, planned, people))
        buttons.append(
            Button(f"🗑️ #{planned.id}", data=PlanCancel(planned.id, confirmed=False).pack())
        )
    if len(sessions) > LISTED:
        lines.append("")
        lines.append(
            t.n_(
                "… and {n} more session later in the month.",
                "… and {n} more sessions later in the month.",
                len(sessions) - LISTED,
            )
        )
    keyboard: Keyboard = [buttons[i : i + 5] for i in range(0, len(buttons), 5)]
    await context.reply(update, "\n".join(lines), keyboard)


def signed_line(t: Translator, planned: PlannedShift, people: list[User]) -> str:
    count = t._("👥 {signed}/{slots}", signed=planned.signed, slots=planned.needed)
    if not people:
        return count + " · " + t._("nobody yet")
    return count + " · " + names_line(t, people)


async def ask_cancel(update: Update, context: BotContext, id_text: str | None) -> None:
    """`/woodcut cancel <id>`: the session said back, cancelled only once confirmed (the
    planned shifts' own confirmation, which tells the participants)."""
    t = context.t
    try:
        planned = await context.services.woodcut.to_cancel(context.user, id_text)
    except DomainError as error:
        await refuse(update, context, error)
        return
    keyboard = [
        [
            Button(
                t.p_("button", "🗑️ Yes, cancel it"),
                data=PlanCancel(planned.id, confirmed=True).pack(),
            ),
            Button(t.p_("button", "↩️ No"), data=PlanList().pack()),
        ]
    ]
    await context.reply(update, woodcut_cancel_question(t, planned), keyboard)


async def people_pressed(update: Update, context: BotContext) -> None:
    """ "👥 Participants": who comes, sent privately to the coordinator who pressed."""
    t = context.t
    query = update.callback_query
    try:
        pressed = WoodcutPeople.unpack(query.data if query else None)
        planned, people = await context.services.woodcut.participants(
            context.user, pressed.planned
        )
    except DomainError as error:
        await refuse(update, context, error)
        return
    lines = [headline(t, planned)]
    lines.append(
        t._("👥 {signed}/{slots} signed up:", signed=planned.signed, slots=planned.needed)
    )
    lines += [f"{number}. {t.value(person_name(user))}" for number, user in enumerate(people, 1)]
    if not people:
        lines.append(t._("nobody yet"))
    in_private = update.effective_chat is not None and update.effective_chat.id == (
        context.user.id
    )
    await context.answer(update, None if in_private else t._("📬 Sent to you privately."))
    await context.services.outbox.send_text(context.user.id, t.right_to_left("\n".join(lines)))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CommandHandler("woodcut", woodcut),
        CallbackQueryHandler(people_pressed, pattern=WoodcutPeople.pattern()),
    ]
