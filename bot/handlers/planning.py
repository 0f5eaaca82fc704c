"""/plan and /planning: planned shifts posted to the team chat with sign-up buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import PlanCancel, PlanList, PlanSignup, WoodcutPeople
from bot.context import BotContext, Services
from bot.handlers.common import alert_responders, person_name, refuse
from bot.handlers.shifts import activity_label
from bot.i18n import Translator, escape
from bot.jobs import JobHandler
from bot.services.errors import DomainError
from bot.services.outbox import BULK, INTERACTIVE, Button, Keyboard
from bot.services.planning import JOB_REMINDER, JOB_SHORT, KIND_WOODCUT
from bot.storage.models import Job, PlannedShift, Role, User

POST = "post"
LIST = "list"
# The planning list shows the next ten shifts: two rows of five buttons each, for sign-up and
# cancel, on a phone screen.
LISTED = 10


def post_ref(planned_id: int) -> str:
    return f"plan:{planned_id}"


def when(t: Translator, planned: PlannedShift) -> str:
    return t._(
        "{day}, {start}–{end}",
        day=t.fmt_day(planned.starts_at),
        start=t.fmt_time(planned.starts_at),
        end=t.fmt_time(planned.ends_at),
    )


def planned_label(t: Translator, planned: PlannedShift) -> str:
    """What a planned shift is: its activity, or "wood-cutting session" for one (issue 10 §3)."""
    if planned.kind == KIND_WOODCUT:
        return t._("🪵 Wood-cutting session")
    return activity_label(t, planned.activity)


def headline(t: Translator, planned: PlannedShift) -> str:
    """ "#3 · 🪵 Wood-cutting session: Sat 5 Dec, 09:00–12:00 · 📍 Marck" """
    return t._(
        "#{id} · {activity}: {when}",
        id=planned.id,
        activity=planned_label(t, planned),
        when=when(t, planned),
    ) + place_suffix(planned)


def woodcut_cancel_question(t: Translator, planned: PlannedShift) -> str:
    """Asked by `/woodcut cancel N` and by the 🗑️ of `/woodcut list` alike."""
    question = (
        t.n_(
            "Cancel this session? {n} person signed up will be told.",
            "Cancel this session? {n} people signed up will be told.",
            planned.signed,
        )
        if planned.signed
        else t._("Cancel this session? Nobody has signed up yet.")
    )
    return question + "\n" + headline(t, planned)


def place_suffix(planned: PlannedShift) -> str:
    """ " · 📍 Marck" when the shift has a place: a proper noun, shown as written."""
    return f" · 📍 {escape(planned.place_name)}" if planned.place_name else ""


def render_post(t: Translator, planned: PlannedShift, people: list[User]) -> str:
    """The team-chat post of a planned shift: what, when, who."""
    if planned.cancelled_at is not None:
        return t._(
            "❌ Cancelled: {activity}, {when}.",
            activity=planned_label(t, planned),
            when=when(t, planned),
        ) + place_suffix(planned)
    lines = [
        t._(
            "📅 {activity}: {when}",
            activity=planned_label(t, planned),
            when=when(t, planned),
        )
        + place_suffix(planned),
        t._("👥 {signed}/{needed} signed up.", signed=planned.signed, needed=planned.needed),
    ]
    if people:
        lines.append(names_line(t, people))
    return t.right_to_left("\n".join(lines))


# Room for names in a post, well under Telegram's 4096 characters with the lines around them.
NAMES_BUDGET = 3000


def names_line(t: Translator, people: list[User]) -> str:
    """The names, comma-separated; past the budget, "and N more" instead of a cut message."""
    shown: list[str] = []
    used = 0
    for index, user in enumerate(people):
        name = t.value(person_name(user))
        if used + len(name) > NAMES_BUDGET:
            rest = len(people) - index
            shown.append(t.n_("and {n} more", "and {n} more", rest))
            break
        shown.append(name)
        used += len(name) + 2
    return ", ".join(shown)


def post_keyboard(t: Translator, planned: PlannedShift) -> Keyboard | None:
    if planned.cancelled_at is not None:
        return None
    if planned.kind == KIND_WOODCUT:
        # Who comes is for the coordinators: the press is re-checked, and answered privately.
        return [
            [
                Button(
                    t.p_(
                        "button",
                        "🪵 I'm in ({signed}/{slots})",
                        signed=planned.signed,
                        slots=planned.needed,
                    ),
                    data=PlanSignup(planned.id, POST).pack(),
                )
            ],
            [Button(t.p_("button", "👥 Participants"), data=WoodcutPeople(planned.id).pack())],
        ]
    label = t.p_(
        "button", "✋ I'm in ({signed}/{needed})", signed=planned.signed, needed=planned.needed
    )
    return [[Button(label, data=PlanSignup(planned.id, POST).pack())]]


async def plan(update: Update, context: BotContext) -> None:
    """Plan a shift from one line and post it to the team chat; without one, open the form."""
    if not context.args:
        from bot.handlers import plan_form  # the form posts through this module

        await plan_form.start(update, context)
        return
    services = context.services
    t = context.t
    try:
        planned = await services.planning.plan(context.user, context.args)
    except DomainError as error:
        await refuse(update, context, error)
        return
    done = await publish(update, context, planned)
    if done is not None:
        # What was understood ("demain", "lundi", "bois"), said back in full.
        await context.reply(update, understood(t, planned) + "\n" + done)


def understood(t: Translator, planned: PlannedShift) -> str:
    """ "📅 Distribution: Wed 2 Dec, 18:00–20:00 · 📍 Marck": what was planned."""
    return t._(
        "📅 {activity}: {when}",
        activity=planned_label(t, planned),
        when=when(t, planned),
    ) + place_suffix(planned)


async def publish(update: Update, context: BotContext, planned: PlannedShift) -> str | None:
    """Post a new planned shift to its team chat (or here, when it has none); returns the
    sentence that tells the coordinator where it went, None when posted in this very chat."""
    services = context.services
    t = context.t
    antenna = await services.users.antenna(planned.antenna)
    posted_here = update.effective_chat is not None and update.effective_chat.id == (
        antenna.team_chat_id
    )
    target = antenna.team_chat_id
    if target is None or posted_here:
        target = update.effective_chat.id if update.effective_chat else context.user.id
    tt = services.translator(None) if target == antenna.team_chat_id else t
    await services.outbox.send_text(
        target,
        render_post(tt, planned, []),
        keyboard=post_keyboard(tt, planned),
        ref=post_ref(planned.id),
    )
    if posted_here:
        await context.answer(update)
        return None
    if antenna.team_chat_id is None:
        return t._("ℹ️ This antenna has no team chat yet: share this message yourself.")
    return t._("✅ Planned and posted in the team chat.")


async def refresh_post(services: Services, planned: PlannedShift) -> None:
    found = await services.outbox.where(post_ref(planned.id))
    if found is None:
        return
    chat_id, _ = found
    # The team chat reads the deployment's language; a post kept in a private chat, its owner's.
    owner = await services.users.get(chat_id) if chat_id > 0 else None
    t = services.translator_for(owner)
    people = await services.planning.signed_up(planned.id)
    await services.outbox.edit_ref(
        chat_id,
        post_ref(planned.id),
        render_post(t, planned, people),
        keyboard=post_keyboard(t, planned),
    )


async def signup_pressed(update: Update, context: BotContext) -> None:
    """Sign up for a planned shift, or withdraw; every view of it is updated."""
    t = context.t
    services = context.services
    query = update.callback_query
    try:
        pressed = PlanSignup.unpack(query.data if query else None)
        change = await services.planning.toggle(context.user, pressed.planned)
    except DomainError as error:
        await refuse(
            update,
            context,
            error,
        )
        return
    if not change.signed_up:
        toast = t._("↩️ You withdrew.")
    elif change.planned.kind == KIND_WOODCUT:
        # Only the reminders still ahead are promised: a late sign-up gets fewer.
        toast = (
            t._("🪵 You are in. I will remind you the day before and an hour before.")
            if change.reminders >= 2
            else t._("🪵 You are in. I will remind you an hour before.")
            if change.reminders == 1
            else t._("🪵 You are in. See you there!")
        )
    else:
        toast = t._("✅ You are in. I will remind you.")
    await context.answer(update, toast)
    if not change.changed:
        return  # a double tap: every view already shows this
    await refresh_post(services, change.planned)
    message = query.message if query else None
    found = await services.outbox.where(post_ref(change.planned.id))
    is_post = (
        found is not None
        and message is not None
        and found == (message.chat.id, message.message_id)
    )
    if message is not None and not is_post:
        if pressed.view == LIST:
            text, keyboard = await render_list(context)
        else:
            people = await services.planning.signed_up(change.planned.id)
            text = render_post(t, change.planned, people)
            keyboard = post_keyboard(t, change.planned)
        await services.outbox.edit_text(
            message.chat.id, message.message_id, text, keyboard=keyboard
        )


async def render_list(context: BotContext) -> tuple[str, Keyboard | None]:
    """The coming month, numbered, with a sign-up button per shift."""
    t = context.t
    services = context.services
    user = context.user
    upcoming = await services.planning.upcoming(user)
    if not upcoming:
        return t._("📅 Nothing is planned for the coming month."), None
    lines = [t._("📅 Planned shifts:")]
    signup_row: list[Button] = []
    cancel_row: list[Button] = []
    for number, planned in enumerate(upcoming[:LISTED], start=1):
        mine = await services.planning.is_signed_up(planned.id, user.id)
        line = t._(
            "{number}. {when} · {activity} · {signed}/{needed}",
            number=number,
            when=when(t, planned),
            activity=planned_label(t, planned),
            signed=planned.signed,
            needed=planned.needed,
        )
        line += place_suffix(planned)
        lines.append(line + (" " + t._("✅ you") if mine else ""))
        icon = "↩️" if mine else "✋"
        signup_row.append(Button(f"{icon} {number}", data=PlanSignup(planned.id, LIST).pack()))
        if user.has(Role.COORDINATOR):
            cancel_row.append(
                Button(f"🗑️ {number}", data=PlanCancel(planned.id, confirmed=False).pack())
            )
    keyboard = [signup_row[i : i + 5] for i in range(0, len(signup_row), 5)]
    keyboard += [cancel_row[i : i + 5] for i in range(0, len(cancel_row), 5)]
    if len(upcoming) > LISTED:
        lines.append(
            t.n_(
                "… and {n} more shift later in the month.",
                "… and {n} more shifts later in the month.",
                len(upcoming) - LISTED,
            )
        )
    lines.append(t._("Tap ✋ to sign up, ↩️ to withdraw."))
    return "\n".join(lines), keyboard


async def planning(update: Update, context: BotContext) -> None:
    """List upcoming planned shifts with sign-up buttons."""
    await _show_list(update, context, edit=False)


async def _show_list(update: Update, context: BotContext, *, edit: bool) -> None:
    try:
        text, keyboard = await render_list(context)
    except DomainError as error:
        await refuse(update, context, error)
        return
    if edit:
        await context.edit(update, text, keyboard)
    else:
        # From the menu too: a new message, the menu stays where it was.
        await context.reply(update, text, keyboard)


async def cancel_pressed(update: Update, context: BotContext) -> None:
    """Ask, then cancel a planned shift and tell those who had signed up."""
    t = context.t
    services = context.services
    query = update.callback_query
    try:
        pressed = PlanCancel.unpack(query.data if query else None)
        if not context.user.has(Role.COORDINATOR):
            raise DomainError("not_allowed")
        planned = await services.planning.get_open(pressed.planned)
        if not pressed.confirmed:
            keyboard = [
                [
                    Button(
                        t.p_("button", "🗑️ Yes, cancel it"),
                        data=PlanCancel(planned.id, confirmed=True).pack(),
                    ),
                    Button(t.p_("button", "↩️ No"), data=PlanList().pack()),
                ]
            ]
            text = (
                woodcut_cancel_question(t, planned)
                if planned.kind == KIND_WOODCUT
                else t._(
                    "Cancel this shift? {activity}, {when}",
                    activity=planned_label(t, planned),
                    when=when(t, planned),
                )
            )
            await context.edit(update, text, keyboard)
            return
        cancelled, people = await services.planning.cancel(context.user, planned.id)
    except DomainError as error:
        await refuse(
            update,
            context,
            error,
        )
        return
    await refresh_post(services, cancelled)
    for person in people:
        pt = services.translator_for(person)
        # One of many at once: behind any answer or alert (issue 10 §1).
        await services.outbox.send_text(person.id, render_post(pt, cancelled, []), priority=BULK)
    await context.edit(update, t._("✅ Cancelled. Those who had signed up were told."))


async def back_pressed(update: Update, context: BotContext) -> None:
    """Answer "no" to the cancel question: show the list again."""
    await _show_list(update, context, edit=True)


async def reminder_job(job: Job, services: Services) -> None:
    """Remind a signed-up volunteer privately, in their language."""
    target = await services.planning.reminder_target(
        int(job.payload["planned"]), int(job.payload["user"])
    )
    if target is None:
        return
    planned, user = target
    t = services.translator_for(user)
    if planned.kind == KIND_WOODCUT:
        text = woodcut_reminder(t, planned, int(job.payload.get("before") or 0))
    else:
        text = t._(
            "⏰ Reminder: {activity}, {when}. Thank you for coming!",
            activity=planned_label(t, planned),
            when=when(t, planned),
        )
    if planned.place_name:
        # On its own line: the sentences end with a full stop.
        text = t.right_to_left(f"{text}\n📍 {t.value(planned.place_name)}")
    await services.outbox.send_text(
        user.id,
        text,
        # One of many due at the same time before a shift: behind any answer or alert.
        priority=BULK,
    )


# A wood-cutting session's reminders: the day before, and an hour before (in minutes).
DAY_BEFORE = 24 * 60


def woodcut_reminder(t: Translator, planned: PlannedShift, before: int) -> str:
    if before >= DAY_BEFORE:
        return t._(
            "⏰🪵 Tomorrow: wood-cutting session at the wood-yard, {when}. "
            "If you can no longer come, withdraw in /planning.",
            when=when(t, planned),
        )
    return t._(
        "⏰🪵 In an hour: wood-cutting session at the wood-yard, {when}. See you there!",
        when=when(t, planned),
    )


async def short_job(job: Job, services: Services) -> None:
    """Warn the team chat a day before a shift that still lacks people."""
    planned = await services.planning.still_short(int(job.payload["planned"]))
    if planned is None:
        return

    def render(t: Translator) -> str:
        return t.n_(
            "⚠️ {n} more person needed: {activity}, {when}.",
            "⚠️ {n} more people needed: {activity}, {when}.",
            planned.missing,
            activity=planned_label(t, planned),
            when=when(t, planned),
        )

    # The team chat if there is one; otherwise its coordinators and the admins, never nobody.
    await alert_responders(
        services,
        planned.antenna,
        render,
        what=f"short-staffing warning for planned shift {planned.id}",
        keyboard=lambda t: post_keyboard(t, planned),
        people_too=False,
        priority=INTERACTIVE,
    )


JOBS: dict[str, JobHandler] = {JOB_REMINDER: reminder_job, JOB_SHORT: short_job}


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CommandHandler("plan", plan),
        CommandHandler("planning", planning),
        CallbackQueryHandler(back_pressed, pattern=PlanList.pattern()),
        CallbackQueryHandler(signup_pressed, pattern=PlanSignup.pattern()),
        CallbackQueryHandler(cancel_pressed, pattern=PlanCancel.pattern()),
    ]
