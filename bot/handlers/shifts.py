"""/shift start|end|status, the night-round safety check, /hours (SPEC §2 Volunteers)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import SafetyAnswer, ShiftEnd, ShiftStart, StaleButton
from bot.context import BotContext, Services
from bot.handlers.common import alert_responders, in_confidence, person_name, refuse
from bot.i18n import Markup, Translator, escape
from bot.jobs import JobHandler
from bot.services.errors import DomainError
from bot.services.keywords import ACTIVITIES, ACTIVITY_LABELS
from bot.services.numerals import numeric_words
from bot.services.outbox import URGENT, Button, Keyboard
from bot.services.shifts import (
    JOB_AUTOCLOSE,
    JOB_ESCALATE,
    JOB_SAFETY_CHECK,
    SafetyState,
)
from bot.storage.models import Job, Role, Shift, User


def activity_label(t: Translator, activity: str) -> str:
    label = ACTIVITY_LABELS.get(activity)
    return t.marked(label) if label else escape(activity)


def activity_keyboard(t: Translator) -> Keyboard:
    buttons = [
        Button(activity_label(t, activity), data=ShiftStart(activity).pack())
        for activity in ACTIVITIES
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def end_keyboard(t: Translator) -> Keyboard:
    return [[Button(t.p_("button", "⏹️ End shift"), data=ShiftEnd().pack())]]


def render_running(t: Translator, shift: Shift, now_text: str) -> str:
    lines = [
        t._(
            "🟢 On shift since {time}: {activity}.",
            time=t.fmt_time(shift.started_at),
            activity=activity_label(t, shift.activity),
        ),
        t._("⏱️ So far: {duration}.", duration=now_text),
    ]
    if shift.expected_return_at is not None:
        lines.append(t._("🌙 Expected back at {time}.", time=t.fmt_time(shift.expected_return_at)))
    return "\n".join(lines)


def render_started(t: Translator, shift: Shift) -> str:
    lines = [
        t._(
            "▶️ Shift started at {time}: {activity}.",
            time=t.fmt_time(shift.started_at),
            activity=activity_label(t, shift.activity),
        )
    ]
    if shift.planned_id is not None:
        lines.append(t._("🔗 Linked to the planned shift."))
    if shift.expected_return_at is not None:
        lines.append(
            t._(
                "🌙 Expected back at {time}. If you are not back, I will ask if all is OK.",
                time=t.fmt_time(shift.expected_return_at),
            )
        )
    lines.append(t._("Send /shift end when you finish."))
    return "\n".join(lines)


def render_ended(t: Translator, shift: Shift, given: list[Markup]) -> str:
    assert shift.ended_at is not None
    text = t._(
        "⏹️ Shift ended at {time}. Duration: {duration}. Thank you!",
        time=t.fmt_time(shift.ended_at),
        duration=t.fmt_duration(shift.ended_at - shift.started_at),
    )
    if given:
        text += "\n" + t._("📦 Given during this shift: {what}.", what=Markup(", ".join(given)))
    return text


async def _already_on_shift(update: Update, context: BotContext, shift: Shift) -> None:
    t = context.t
    now = context.services.clock.now()
    text = (
        t._("ℹ️ You are already on shift.")
        + "\n"
        + render_running(t, shift, t.fmt_duration(shift.duration(now)))
    )
    await context.reply(update, text, end_keyboard(t))


async def shift_command(update: Update, context: BotContext) -> None:
    """Dispatch /shift start|end|status."""
    args = [arg.lower() for arg in numeric_words(context.args or [])]
    verb = args[0] if args else "status"
    if verb == "start":
        await start_shift(update, context, args[1:])
    elif verb == "end":
        await end_shift(update, context)
    elif verb == "status":
        await shift_status(update, context)
    else:
        await context.reply(
            update,
            context.t._("Usage: /shift start [activity] [HH:MM], /shift end, /shift status"),
        )


async def shift_button(update: Update, context: BotContext) -> None:
    """The menu's shift button: the running shift with its end button, or the activities."""
    try:
        running = await context.services.shifts.running(context.user)
    except DomainError as error:
        await refuse(update, context, error)
        return
    if running is None:
        await start_shift(update, context, [])
    else:
        await shift_status(update, context)


async def start_shift(update: Update, context: BotContext, args: list[str]) -> None:
    """Check in, asking for the activity when it is not given."""
    t = context.t
    services = context.services
    if not args:
        try:
            running = await services.shifts.running(context.user)
        except DomainError as error:
            await refuse(update, context, error)
            return
        if running is not None:
            await _already_on_shift(update, context, running)
            return
        await context.reply(
            update, t._("What is your shift? Tap the activity:"), activity_keyboard(t)
        )
        return
    # "/shift start découpe du bois 02:30": the activity may take several words (none with a
    # digit), and the expected return, when given, is the last one.
    back = None
    if len(args) > 1 and any(ch.isdigit() for ch in args[-1]):
        back = args[-1]
        args = args[:-1]
    await _start(update, context, " ".join(args), back)


async def _start(update: Update, context: BotContext, activity: str, back: str | None) -> None:
    t = context.t
    try:
        shift = await context.services.shifts.start(context.user, activity, back)
    except DomainError as error:
        if error.code == "already_on_shift":
            await _already_on_shift(update, context, error.params["shift"])
        else:
            await refuse(update, context, error)
        return
    await context.edit(update, render_started(t, shift), end_keyboard(t))


async def activity_chosen(update: Update, context: BotContext) -> None:
    """Start the shift whose activity button was pressed."""
    try:
        choice = ShiftStart.unpack(update.callback_query.data if update.callback_query else None)
    except StaleButton as error:
        await refuse(update, context, error)
        return
    await _start(update, context, choice.activity, None)


async def end_shift(update: Update, context: BotContext) -> None:
    """Check out and show how long the shift lasted."""
    t = context.t
    try:
        shift = await context.services.shifts.end(context.user)
    except DomainError as error:
        if error.code == "not_on_shift":
            await context.reply(update, t._("ℹ️ You are not on shift. Send /shift start to begin."))
        else:
            await refuse(update, context, error)
        return
    from bot.handlers.distributions import quantity_text

    given = [
        quantity_text(context, code, quantity)
        for code, quantity in await context.services.distributions.during_shift(shift.id)
    ]
    await context.edit(update, render_ended(t, shift, given))


async def end_pressed(update: Update, context: BotContext) -> None:
    """The "End shift" button."""
    await end_shift(update, context)


async def shift_status(update: Update, context: BotContext) -> None:
    """Show the caller's running shift, and for coordinators who is on shift now."""
    t = context.t
    if not await in_confidence(update, context):
        return
    services = context.services
    now = services.clock.now()
    try:
        running = await services.shifts.running(context.user)
    except DomainError as error:
        await refuse(update, context, error)
        return
    lines = []
    if running is None:
        lines.append(t._("ℹ️ You are not on shift. Send /shift start to begin."))
    else:
        lines.append(render_running(t, running, t.fmt_duration(running.duration(now))))
    if context.user.has(Role.COORDINATOR):
        lines.append("")
        lines.extend(await _who_is_on_shift(context))
    keyboard = end_keyboard(t) if running is not None else None
    await context.reply(update, "\n".join(lines), keyboard)


async def _who_is_on_shift(context: BotContext) -> list[str]:
    t = context.t
    services = context.services
    on_shift = await services.shifts.on_shift(context.user)
    if not on_shift:
        return [t._("👥 Nobody is on shift now.")]
    lines: list[str] = []
    current = ""
    for entry in on_shift:
        if entry.shift.antenna != current:
            current = entry.shift.antenna
            antenna = await services.users.antenna(current)
            lines.append(t._("👥 On shift now in {antenna}:", antenna=antenna.name))
        name = person_name(entry.user) if entry.user else "?"
        line = t._(
            "• {name}: {activity} since {time}",
            name=name,
            activity=activity_label(t, entry.shift.activity),
            time=t.fmt_time(entry.shift.started_at),
        )
        if entry.shift.expected_return_at is not None:
            line += " · " + t._("back at {time}", time=t.fmt_time(entry.shift.expected_return_at))
        lines.append(line)
    return lines


async def hours(update: Update, context: BotContext) -> None:
    """Show the caller's volunteered hours for a month."""
    t = context.t
    words = numeric_words(context.args or [])
    month_text = words[0] if words else None
    try:
        (year, month), found = await context.services.shifts.hours(context.user, month_text)
    except DomainError as error:
        await refuse(update, context, error)
        return
    lines = [
        t.n_(
            "🕒 {month}: {duration} in {n} shift.",
            "🕒 {month}: {duration} in {n} shifts.",
            found.shifts,
            month=t.fmt_month(year, month),
            duration=t.fmt_duration(found.total),
        )
    ]
    if found.auto_closed:
        lines.append(
            t.n_(
                "⚠️ {n} shift was closed automatically: check it with your coordinator.",
                "⚠️ {n} shifts were closed automatically: check them with your coordinator.",
                found.auto_closed,
            )
        )
    await context.reply(update, "\n".join(lines))


# --- safety on night rounds -----------------------------------------------------------------


def safety_keyboard(t: Translator, shift_id: int) -> Keyboard:
    return [
        [
            Button(t.p_("button", "✅ All OK"), data=SafetyAnswer(shift_id, "ok").pack()),
            Button(t.p_("button", "⏱️ 30 min more"), data=SafetyAnswer(shift_id, "extend").pack()),
        ],
        [Button(t.p_("button", "🆘 I need help"), data=SafetyAnswer(shift_id, "help").pack())],
    ]


async def safety_answered(update: Update, context: BotContext) -> None:
    """Record the answer to "all OK?"; "need help" alerts the team at once."""
    t = context.t
    services = context.services
    try:
        pressed = SafetyAnswer.unpack(
            update.callback_query.data if update.callback_query else None
        )
        shift, before = await services.shifts.answer_safety(
            context.user, pressed.shift, pressed.answer
        )
    except DomainError as error:
        code = error
        await refuse(update, context, code)
        return
    if pressed.answer == "ok":
        await context.edit(update, t._("✅ Thank you. Take care!"))
        if before == SafetyState.ESCALATED:
            await _alert_team(services, shift, context.user, "ok")
    elif pressed.answer == "extend":
        assert shift.expected_return_at is not None
        await context.edit(
            update,
            t._(
                "⏱️ Noted. I will ask again at {time}.",
                time=t.fmt_time(shift.expected_return_at),
            ),
        )
        if before == SafetyState.ESCALATED:
            await _alert_team(services, shift, context.user, "extend")
    else:
        await context.edit(update, t._("🆘 The team has been alerted. Stay where you are safe."))
        await _alert_team(services, shift, context.user, "help")


async def _alert_team(services: Services, shift: Shift, user: User | None, kind: str) -> None:
    """Write to the antenna's team chat, its coordinators and every admin."""
    name = person_name(user) if user else "?"

    def render(t: Translator) -> str:
        if kind == "help":
            return t._(
                "🆘 {name} needs help now! Shift: {activity} since {time}. Call or write to them.",
                name=name,
                activity=activity_label(t, shift.activity),
                time=t.fmt_time(shift.started_at),
            )
        if kind == "silent":
            assert shift.expected_return_at is not None
            return t._(
                "⚠️ {name} did not answer the safety check. Expected back at {time} ({activity}). "
                "Try to reach them now.",
                name=name,
                time=t.fmt_time(shift.expected_return_at),
                activity=activity_label(t, shift.activity),
            )
        if kind == "extend":
            assert shift.expected_return_at is not None
            return t._(
                "⏱️ {name} answered the safety check: back by {time}.",
                name=name,
                time=t.fmt_time(shift.expected_return_at),
            )
        return t._("✅ {name} answered the safety check: all OK.", name=name)

    await alert_responders(
        services,
        shift.antenna,
        render,
        what=f"safety alert ({kind}) for shift {shift.id}",
        excluding=user.id if user else None,
    )


# --- jobs -----------------------------------------------------------------------------------


async def _shift_owner(services: Services, shift: Shift) -> User | None:
    return await services.users.get(shift.user_id) if shift.user_id else None


async def autoclose_job(job: Job, services: Services) -> None:
    """Close a shift left open for 12 hours and tell the volunteer."""
    shift = await services.shifts.auto_close(int(job.payload["shift"]))
    if shift is None:
        return
    owner = await _shift_owner(services, shift)
    if owner is not None:
        t = services.translator_for(owner)
        await services.outbox.send_text(
            owner.id,
            t._(
                "⏹️ Your shift that started at {time} was closed automatically after 12 hours. "
                "If that is wrong, tell your coordinator.",
                time=t.fmt_datetime(shift.started_at, "short"),
            ),
        )


async def safety_check_job(job: Job, services: Services) -> None:
    """Ask a volunteer still out after their expected return whether all is OK."""
    shift = await services.shifts.safety_check(int(job.payload["shift"]))
    if shift is None or shift.expected_return_at is None:
        return
    owner = await _shift_owner(services, shift)
    if owner is None:
        return
    t = services.translator_for(owner)
    await services.outbox.send_text(
        owner.id,
        t._(
            "🌙 Are you OK? You planned to be back at {time}.",
            time=t.fmt_time(shift.expected_return_at),
        ),
        keyboard=safety_keyboard(t, shift.id),
        priority=URGENT,
    )


async def escalate_job(job: Job, services: Services) -> None:
    """Nobody answered "all OK?" in 15 minutes: alert the team chat and the coordinators."""
    shift = await services.shifts.escalate(int(job.payload["shift"]))
    if shift is None:
        return
    await _alert_team(services, shift, await _shift_owner(services, shift), "silent")


JOBS: dict[str, JobHandler] = {
    JOB_AUTOCLOSE: autoclose_job,
    JOB_SAFETY_CHECK: safety_check_job,
    JOB_ESCALATE: escalate_job,
}


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CommandHandler("shift", shift_command),
        CommandHandler("hours", hours),
        CallbackQueryHandler(activity_chosen, pattern=ShiftStart.pattern()),
        CallbackQueryHandler(end_pressed, pattern=ShiftEnd.pattern()),
        CallbackQueryHandler(safety_answered, pattern=SafetyAnswer.pattern()),
    ]
