"""The guided /plan: day → time → activity → people → place → confirm, all by buttons.

The form is a draft in the database (`PlanningService.start_form`), so a restart in the middle
loses nothing; each button names the draft and its nonce, and is re-authorised when pressed.
The day, the time and the number of people can also be typed, after their "type it" button
(asked privately when pressed in a group, where typed text is not read): typed text reaches
`typed` through bot/handlers/inputs.py while it is the coordinator's latest typed wait.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time

from babel.dates import format_skeleton
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.callbacks import PlanStep
from bot.context import BotContext
from bot.handlers.common import ask_privately, asked_privately, error_text, refuse, typed_here
from bot.handlers.planning import publish, understood
from bot.handlers.shifts import activity_label
from bot.i18n import Markup, Translator, escape, isolate
from bot.services import keywords
from bot.services.errors import DomainError
from bot.services.outbox import Button, Keyboard
from bot.services.planning import FORM_NEEDED, FORM_SLOTS, TYPE_IT, PlanForm
from bot.storage.models import PlannedShift

TYPE = TYPE_IT
CONFIRM = "ok"
CANCEL = "x"


def day_text(t: Translator, day: date) -> Markup:
    """ "Sun 28 Mar 2027": the weekday always, the year too (a date may be months ahead)."""
    noon = datetime.combine(day, time(12), tzinfo=t.tz)
    text = escape(format_skeleton("yMMMEd", noon, locale=t.babel_locale))
    return Markup(isolate(text) if t.rtl else text)


def summary(context: BotContext, form: PlanForm) -> list[str]:
    """What was chosen so far, one line each."""
    t = context.t
    services = context.services
    lines: list[str] = []
    if form.day is not None and form.start is not None and form.end is not None:
        starts_at, ends_at = services.planning.form_span(form)
        lines.append(
            "📅 "
            + t._(
                "{day}, {start}–{end}",
                day=day_text(t, starts_at.astimezone(t.tz).date()),
                start=t.fmt_time(starts_at),
                end=t.fmt_time(ends_at),
            )
        )
    elif form.day is not None:
        lines.append("📅 " + day_text(t, form.day))
    if form.activity is not None:
        lines.append(activity_label(t, form.activity))
    if form.needed is not None:
        lines.append(
            t.n_("👥 {n} person needed", "👥 {n} people needed", form.needed),
        )
    if form.step in ("confirm", "done"):
        place = services.distributions.catalogue.places.get(form.place_id or 0)
        lines.append(f"📍 {escape(place.name)}" if place else t._("📍 No place"))
    return lines


def _button(form: PlanForm, label: str, value: str, step: str | None = None) -> Button:
    return Button(label, data=PlanStep(form.draft, form.nonce, step or form.step, value).pack())


def _rows(buttons: list[Button], per_row: int) -> Keyboard:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def render(context: BotContext, form: PlanForm) -> tuple[str, Keyboard]:
    """The form at its step: what was chosen, the question, and its buttons."""
    t = context.t
    services = context.services
    cancel = _button(form, t.p_("button", "❌ Cancel"), "", CANCEL)
    rows: Keyboard
    if form.step == "date":
        days = services.planning.form_days()
        buttons = []
        for index, day in enumerate(days):
            label: str = day_text(t, day)
            if index == 0:
                label = t.p_("button", "Today · {day}", day=label)
            elif index == 1:
                label = t.p_("button", "Tomorrow · {day}", day=label)
            buttons.append(_button(form, label, day.isoformat()))
        rows = [*_rows(buttons, 2), *_type_it(form, t.p_("button", "⌨️ Another day"))]
        question = t._("🗓️ Plan a shift. Which day?")
    elif form.step == "time":
        buttons = [
            _button(form, slot.replace("-", "–"), slot.replace(":", "h")) for slot in FORM_SLOTS
        ]
        rows = [*_rows(buttons, 2), *_type_it(form, t.p_("button", "⌨️ Another time"))]
        question = t._("🕒 What time?")
    elif form.step == "activity":
        buttons = [
            _button(form, activity_label(t, activity), activity)
            for activity in keywords.ACTIVITIES
        ]
        rows = _rows(buttons, 2)
        question = t._("Which activity?")
    elif form.step == "needed":
        buttons = [_button(form, str(n), str(n)) for n in FORM_NEEDED]
        for row in _type_it(form, t.p_("button", "⌨️ Other number")):
            buttons += row
        rows = _rows(buttons, 3)
        question = t._("👥 How many people are needed?")
    elif form.step == "place":
        catalogue = services.distributions.catalogue
        buttons = [
            _button(form, escape(catalogue.places[place_id].name), str(place_id))
            for place_id in services.planning.form_places(form.antenna)
        ]
        rows = _rows(buttons, 2)
        rows.append([_button(form, t.p_("button", "🚫 No place"), "0")])
        question = t._("📍 Where?")
    else:
        rows = [[_button(form, t.p_("button", "✅ Confirm"), "", CONFIRM), cancel]]
        return "\n".join([*summary(context, form), t._("Plan this shift?")]), rows
    if form.typing:
        question = typing_question(t, form.step)
    rows.append([cancel])
    return "\n".join([*summary(context, form), question]), rows


def _type_it(form: PlanForm, label: str) -> Keyboard:
    """The step's "⌨️" button, unless its typed answer is already awaited."""
    return [] if form.typing else [[_button(form, label, TYPE)]]


def typing_question(t: Translator, step: str) -> str:
    """What to type at a step whose "⌨️" was pressed."""
    if step == "date":
        return t._(
            "⌨️ Type the day, for example 24/12, 2026-12-24, or a word such as {choices}",
            choices=keywords.day_choices(t),
        )
    if step == "time":
        return t._("⌨️ Type the start and end, for example 19:30-23:00.")
    return t._("⌨️ Type the number of people needed, from 1 to 50.")


async def start(update: Update, context: BotContext) -> None:
    """Open a new form at its first step (the menu's Plan button, or /plan alone)."""
    try:
        form = await context.services.planning.start_form(context.user)
    except DomainError as error:
        await refuse(update, context, error)
        return
    text, keyboard = render(context, form)
    # A new message: the menu (or an older form) stays where it was.
    await context.reply(update, text, keyboard)


async def pressed(update: Update, context: BotContext) -> None:
    """Apply the pressed answer and show the next step; Confirm plans the shift once."""
    services = context.services
    t = context.t
    query = update.callback_query
    try:
        step = PlanStep.unpack(query.data if query else None)
        form = await services.planning.form(context.user, step.draft, step.nonce)
        if step.step == CANCEL:
            if await services.planning.cancel_form(context.user, form):
                await context.edit(update, t._("Nothing was planned."))
            else:
                await context.answer(update, t._("ℹ️ Already planned."))
            return
        if step.step == CONFIRM:
            planned, created = await services.planning.confirm_form(context.user, form)
            await _confirmed(update, context, planned, created=created)
            return
        value = step.value.replace("h", ":") if step.step == "time" else step.value
        asked = form.typing and value == TYPE
        form = await services.planning.answer_form(context.user, form, step.step, value)
    except DomainError as error:
        if error.code == "already_answered":
            # A double tap: a toast, not an alert to dismiss.
            await context.answer(update, error_text(t, error))
        elif error.code == "plan_place_retired":
            # Nothing planned: the form is back at its place step, saying why.
            await refuse(update, context, error)
            text, keyboard = render(context, form)
            await context.edit(update, error_text(t, error) + "\n" + text, keyboard)
        else:
            await refuse(update, context, error)
        return
    if asked:
        # "⌨️" again (a double tap, a group's message): the question is already asked, and
        # an edit with the same text would be refused.
        elsewhere = not typed_here(update)
        await context.answer(update, asked_privately(t) if elsewhere else None)
        return
    text, keyboard = render(context, form)
    if form.typing and not typed_here(update):
        # A group does not pass typed text on: the question goes to the private chat.
        await ask_privately(update, context, text, keyboard)
        text, keyboard = render(context, dataclasses.replace(form, typing=False))
        text += "\n" + asked_privately(t)
    await context.edit(update, text, keyboard)


async def _confirmed(
    update: Update, context: BotContext, planned: PlannedShift, *, created: bool
) -> None:
    t = context.t
    if not created:
        # A double tap, or an old Confirm: the shift exists once, and the message says so.
        await context.answer(update, t._("ℹ️ Already planned."))
        return
    done = await publish(update, context, planned)
    text = understood(t, planned)
    if done is not None:
        text += "\n" + done
    await context.edit(update, text)


async def typed(update: Update, context: BotContext) -> bool:
    """A typed day, time or number for the caller's form, after its "type it" button; False
    (nothing changed) when no form waits for one."""
    message = update.message
    if message is None or message.text is None:
        return False
    services = context.services
    form = await services.planning.typing_form(context.user)
    if form is None:
        return False
    try:
        form = await services.planning.answer_form(
            context.user, form, form.step, message.text, typed=True
        )
    except DomainError as error:
        # Still waiting: the person reads what is wrong and types again.
        await context.reply(update, error_text(context.t, error))
        return True
    text, keyboard = render(context, form)
    await context.reply(update, text, keyboard)
    return True


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [CallbackQueryHandler(pressed, pattern=PlanStep.pattern())]
