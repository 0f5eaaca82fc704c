"""/stay and /paid: volunteers' stays at the house, reductions and payments (issue 12).

`/stay ARRIVAL DEPARTURE` registers or changes (after ✅) the volunteer's stay; a stay on
nights the house is full waits for a coordinator (✅ Accept anyway / ✖ Refuse). `/stay` shows
the stay and the money, `/stay end` and `/stay cancel` end it (after ✅), `/stay reduce
[reason]` asks the coordinators for a reduction (🆓 / ½ / ✏️ / ✖). `/paid USER AMOUNT`
records a payment, with ↩️ Undo. Every press is re-authorised by the service.

Requests to coordinators go to the antenna's coordinators privately (the team chat when it has
none, the admins when it has neither), each copy sent with a reference so that, once decided,
every copy shows the decision and loses its buttons.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import PaidUndo, ReduceDecide, StayCancel, StayChange, StayDecide, StayEnd
from bot.context import BotContext, Services
from bot.handlers.common import error_text, person_name, point_to_private_chat, refuse
from bot.i18n import Translator
from bot.services.catalogue import normalize
from bot.services.errors import DomainError
from bot.services.housing import (
    AMOUNT,
    CANCEL_WORDS,
    CANCELLED,
    CONFIRMED,
    DECLINED,
    END_WORDS,
    HALF,
    REDUCE_WORDS,
    WAITING,
    WAIVED,
    Account,
    House,
    StayRequest,
    night_count,
    parse_amount,
)
from bot.services.numerals import numeric_words
from bot.services.outbox import Button, Keyboard
from bot.services.users import name_key
from bot.storage.models import HousingReduction, Stay, User

log = logging.getLogger(__name__)
# Most full nights listed one by one; more are counted.
LISTED_NIGHTS = 7


def day(t: Translator, value: date) -> str:
    """A stay's date with its weekday ("Tue 1 Dec")."""
    return t.fmt_day(datetime.combine(value, time(12), tzinfo=t.tz))


def dates_line(t: Translator, arrival: date, departure: date) -> str:
    nights = night_count(arrival, departure)
    return t.n_(
        "📅 {arrival} → {departure}, {n} night",
        "📅 {arrival} → {departure}, {n} nights",
        nights,
        arrival=day(t, arrival),
        departure=day(t, departure),
    )


def full_line(t: Translator, full: list[date]) -> str:
    days = ", ".join(day(t, night) for night in full[:LISTED_NIGHTS])
    if len(full) > LISTED_NIGHTS:
        days += " …"
    return t.n_(
        "⚠️ The house is full on {n} night: {days}.",
        "⚠️ The house is full on {n} nights: {days}.",
        len(full),
        days=days,
    )


def balance_line(t: Translator, balance: Decimal) -> str:
    if balance > 0:
        return t._("⚖️ Balance: {amount} to pay", amount=t.fmt_money(balance))
    if balance < 0:
        return t._("⚖️ Balance: {amount} paid ahead", amount=t.fmt_money(-balance))
    return t._("⚖️ Balance: nothing owed")


def reduction_line(t: Translator, reduction: HousingReduction | None) -> str | None:
    if reduction is None:
        return None
    if reduction.status == "open":
        return t._("📨 Reduction requested: a coordinator will decide.")
    if reduction.status == DECLINED:
        return t._("✖ Reduction refused.")
    assert reduction.effective_from is not None
    assert reduction.nightly is not None
    if reduction.status == WAIVED:
        return t._("🆓 Contribution waived from {date}.", date=day(t, reduction.effective_from))
    return t._(
        "💶 Reduced to {amount} a night from {date}.",
        amount=t.fmt_money(reduction.nightly),
        date=day(t, reduction.effective_from),
    )


def account_text(t: Translator, account: Account) -> str:
    """The volunteer's stay and money, as /stay shows it (and the coordinator's view)."""
    stay = account.stay
    if stay is None:
        lines = [t._("🏠 No stay registered. To register one: /stay 2026-12-01 2026-12-20")]
        if account.paid or account.due_so_far:
            lines.append(balance_line(t, account.balance))
        return "\n".join(lines)
    house = account.house.name if account.house else stay.house
    lines = [t._("🏠 {house}", house=house), dates_line(t, stay.arrival, stay.departure)]
    if stay.status == WAITING:
        lines.append(t._("⏳ Waiting for a coordinator: the house is full on some nights."))
    lines.append(
        t._(
            "🌙 Nights: {so_far} so far of {total}",
            so_far=t.fmt_number(account.nights_so_far),
            total=t.fmt_number(account.nights_total),
        )
    )
    lines.append(t._("💶 Contribution: {amount} a night", amount=t.fmt_money(account.rate_now)))
    lines.append(t._("🧾 Due so far: {amount}", amount=t.fmt_money(account.due_so_far)))
    lines.append(t._("🧾 Due for the whole stay: {amount}", amount=t.fmt_money(account.due_total)))
    lines.append(t._("✅ Paid: {amount}", amount=t.fmt_money(account.paid)))
    lines.append(balance_line(t, account.balance))
    reduction = reduction_line(t, account.reduction)
    if reduction:
        lines.append(reduction)
    return "\n".join(lines)


# --- Whom coordinators' requests go to -------------------------------------------------------


async def deciders(services: Services, antenna: str, person: int) -> list[tuple[int, Translator]]:
    """The antenna's active coordinators privately; else its team chat; else the admins. Never
    `person`, whom the request is about (nobody decides their own: a sole coordinator's own
    request goes where it would without them)."""
    people = [
        user
        for user in await services.users.coordinators_of(antenna)
        if user.active and user.id != person
    ]
    if people:
        return [(user.id, services.translator_for(user)) for user in people]
    found = await services.users.antenna(antenna)
    if found.team_chat_id is not None:
        return [(found.team_chat_id, services.translator(None))]
    admins = [user for user in await services.users.reachable_admins() if user.id != person]
    if not admins:
        log.error("a housing request for antenna %s reached nobody", antenna)
    return [(user.id, services.translator_for(user)) for user in admins]


def copy_ref(kind: str, record: int, chat_id: int) -> str:
    return f"{kind}:{record}:{chat_id}"


async def send_copies(
    services: Services,
    antenna: str,
    kind: str,
    record: int,
    person: int,
    render: Callable[[Translator], str],
    keyboard: Callable[[Translator], Keyboard],
) -> None:
    for chat_id, t in await deciders(services, antenna, person):
        await services.outbox.send_text(
            chat_id, render(t), keyboard=keyboard(t), ref=copy_ref(kind, record, chat_id)
        )


async def edit_copies(
    update: Update,
    context: BotContext,
    antenna: str,
    kind: str,
    record: int,
    person: int,
    render: Callable[[Translator], str],
) -> None:
    """Every copy of a decided request shows the decision, without buttons; the pressed
    message too (a copy, or a list where the buttons were offered)."""
    services = context.services
    pressed = None
    query = update.callback_query
    if query is not None and query.message is not None:
        pressed = (query.message.chat.id, query.message.message_id)
    chats = {chat_id for chat_id, _ in await deciders(services, antenna, person)}
    if pressed is not None:
        chats.add(pressed[0])
    for chat_id in sorted(chats):
        ref = copy_ref(kind, record, chat_id)
        where = await services.outbox.where(ref)
        if where is None or where == pressed:
            continue
        t = services.translator(None)
        user = await services.users.get(chat_id)
        if user is not None:
            t = services.translator_for(user)
        await services.outbox.edit_ref(chat_id, ref, render(t))
    if pressed is not None:
        await context.edit(update, render(context.t))
    else:
        await context.answer(update)


# --- /stay ----------------------------------------------------------------------------------


async def stay(update: Update, context: BotContext) -> None:
    """`/stay`, `/stay ARRIVAL DEPARTURE`, `/stay end`, `/stay cancel`, `/stay reduce [why]`."""
    raw = context.args or []
    args = numeric_words(raw)
    verb = normalize(args[0]) if args else ""
    if not args:
        await show(update, context)
    elif verb in {normalize(word) for word in REDUCE_WORDS}:
        await reduce(update, context, " ".join(raw[1:]))
    elif verb in {normalize(word) for word in END_WORDS} and len(args) == 1:
        await ask_end(update, context)
    elif verb in {normalize(word) for word in CANCEL_WORDS} and len(args) == 1:
        await ask_cancel(update, context)
    elif len(args) == 2:
        await register(update, context, args[0], args[1])
    else:
        await context.reply(update, usage(context.t))


def usage(t: Translator) -> str:
    return t._(
        "Usage: /stay ARRIVAL DEPARTURE (e.g. /stay 2026-12-01 2026-12-20), /stay to see "
        "your stay, /stay end to leave today, /stay cancel, /stay reduce [REASON]."
    )


async def show(update: Update, context: BotContext) -> None:
    try:
        account = await context.services.housing.my_account(context.user)
    except DomainError as error:
        await refuse(update, context, error)
        return
    await context.reply(update, account_text(context.t, account))


def stay_done_text(t: Translator, request: StayRequest) -> str:
    """What the volunteer reads once a stay is stored or changed."""
    house = request.house
    lines = []
    if request.stay.status == WAITING:
        lines.append(
            t._("⏳ Stay at {house} stored, waiting for a coordinator:", house=house.name)
        )
        lines.append(dates_line(t, request.arrival, request.departure))
        lines.append(full_line(t, request.full))
        lines.append(t._("A coordinator decides; I will tell you."))
    else:
        lines.append(t._("✅ Stay at {house} registered:", house=house.name))
        lines.append(dates_line(t, request.arrival, request.departure))
    return "\n".join(lines)


async def register(update: Update, context: BotContext, arrival: str, departure: str) -> None:
    t = context.t
    try:
        request = await context.services.housing.request(context.user, arrival, departure)
    except DomainError as error:
        await refuse(update, context, error)
        return
    if request.change:
        old = request.stay
        lines = [
            t._("✏️ Change your stay?"),
            dates_line(t, old.arrival, old.departure),
            t._("becomes"),
            dates_line(t, request.arrival, request.departure),
        ]
        if request.full:
            lines.append(full_line(t, request.full))
            lines.append(t._("It will then wait for a coordinator's decision."))
        keyboard = [
            [
                Button(
                    t.p_("button", "✅ Change"),
                    data=StayChange(
                        old.id, _packed(request.arrival), _packed(request.departure), ok=True
                    ).pack(),
                ),
                Button(
                    t.p_("button", "✖ Keep"),
                    data=StayChange(
                        old.id, _packed(request.arrival), _packed(request.departure), ok=False
                    ).pack(),
                ),
            ]
        ]
        await context.reply(update, "\n".join(lines), keyboard)
        return
    await context.reply(update, stay_done_text(t, request))
    if request.stay.status == WAITING:
        await ask_coordinators(context.services, context.user, request)


def _packed(value: date) -> str:
    return value.strftime("%Y%m%d")


def _unpacked(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y%m%d").date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        raise DomainError("stale_button") from None


def waiting_text(t: Translator, volunteer: User, house: House, request: StayRequest) -> str:
    return "\n".join(
        [
            t._(
                "🏠 {name} asks to stay at {house}:",
                name=person_name(volunteer),
                house=house.name,
            ),
            dates_line(t, request.arrival, request.departure),
            full_line(t, request.full),
            t._("Accept anyway (more people than beds on those nights) or refuse?"),
        ]
    )


async def ask_coordinators(services: Services, volunteer: User, request: StayRequest) -> None:
    stay = request.stay

    def keyboard(t: Translator) -> Keyboard:
        return [
            [
                Button(
                    t.p_("button", "✅ Accept anyway"),
                    data=StayDecide(stay.id, accept=True).pack(),
                ),
                Button(t.p_("button", "✖ Refuse"), data=StayDecide(stay.id, accept=False).pack()),
            ]
        ]

    await send_copies(
        services,
        stay.antenna,
        "hsw",
        stay.id,
        stay.user_id,
        lambda t: waiting_text(t, volunteer, request.house, request),
        keyboard,
    )


async def change_pressed(update: Update, context: BotContext) -> None:
    t = context.t
    query = update.callback_query
    try:
        pressed = StayChange.unpack(query.data if query else None)
        if not pressed.ok:
            # ✖ Keep: only the presser's own question is answered (the stay is not touched).
            await context.edit(update, t._("👌 Nothing changed."))
            return
        request = await context.services.housing.apply_change(
            context.user, pressed.stay, _unpacked(pressed.arrival), _unpacked(pressed.departure)
        )
    except DomainError as error:
        await refuse(update, context, error)
        return
    await context.edit(update, stay_done_text(t, request))
    before = request.before
    if before is not None and before.status == WAITING:
        # The coordinators' copies about the old dates lose their buttons.
        await retire_copies(context.services, context.user, before, cancelled=False)
    if request.stay.status == WAITING:
        await ask_coordinators(context.services, context.user, request)


async def retire_copies(
    services: Services, volunteer: User, before: Stay, *, cancelled: bool
) -> None:
    """A waiting stay changed or cancelled: its coordinators' copies say so, without buttons."""
    for chat_id, tr in await deciders(services, before.antenna, before.user_id):
        ref = copy_ref("hsw", before.id, chat_id)
        if await services.outbox.where(ref) is None:
            continue
        name = person_name(volunteer)
        note = (
            tr._("ℹ️ {name} cancelled this stay.", name=name)
            if cancelled
            else tr._("ℹ️ {name} changed these dates since.", name=name)
        )
        text = "\n".join([dates_line(tr, before.arrival, before.departure), note])
        await services.outbox.edit_ref(chat_id, ref, text)


async def ask_end(update: Update, context: BotContext) -> None:
    t = context.t
    try:
        current = await context.services.housing.to_end(context.user)
    except DomainError as error:
        await refuse(update, context, error)
        return
    today = context.services.housing.today()
    text = "\n".join(
        [
            t._("🚪 Leave the house today, {date}?", date=day(t, today)),
            t.n_(
                "Your stay then counts {n} night.",
                "Your stay then counts {n} nights.",
                night_count(current.arrival, today),
            ),
        ]
    )
    keyboard = [
        [
            Button(t.p_("button", "✅ Yes, I leave"), data=StayEnd(current.id, ok=True).pack()),
            Button(t.p_("button", "✖ No"), data=StayEnd(current.id, ok=False).pack()),
        ]
    ]
    await context.reply(update, text, keyboard)


async def end_pressed(update: Update, context: BotContext) -> None:
    t = context.t
    query = update.callback_query
    try:
        pressed = StayEnd.unpack(query.data if query else None)
        if not pressed.ok:
            await context.edit(update, t._("👌 Nothing changed."))
            return
        ended = await context.services.housing.end(context.user, pressed.stay)
        account = await context.services.housing.my_account(context.user)
    except DomainError as error:
        await refuse(update, context, error)
        return
    text = (
        t._("🚪 Stay ended today. Thank you!")
        + "\n"
        + dates_line(t, ended.arrival, ended.departure)
    )
    await context.edit(update, text + "\n" + balance_line(t, account.balance))


async def ask_cancel(update: Update, context: BotContext) -> None:
    t = context.t
    try:
        current = await context.services.housing.to_cancel(context.user)
    except DomainError as error:
        await refuse(update, context, error)
        return
    text = t._("🗑️ Cancel your stay?") + "\n" + dates_line(t, current.arrival, current.departure)
    keyboard = [
        [
            Button(
                t.p_("button", "🗑️ Yes, cancel it"), data=StayCancel(current.id, ok=True).pack()
            ),
            Button(t.p_("button", "✖ No"), data=StayCancel(current.id, ok=False).pack()),
        ]
    ]
    await context.reply(update, text, keyboard)


async def cancel_pressed(update: Update, context: BotContext) -> None:
    t = context.t
    query = update.callback_query
    try:
        pressed = StayCancel.unpack(query.data if query else None)
        if not pressed.ok:
            await context.edit(update, t._("👌 Nothing changed."))
            return
        cancelled = await context.services.housing.cancel(context.user, pressed.stay)
    except DomainError as error:
        await refuse(update, context, error)
        return
    await context.edit(update, t._("🗑️ Stay cancelled."))
    if cancelled.status == WAITING:
        await retire_copies(context.services, context.user, cancelled, cancelled=True)


async def decide_stay_pressed(update: Update, context: BotContext) -> None:
    """✅ Accept anyway / ✖ Refuse on a waiting stay; the first decision wins."""
    t = context.t
    services = context.services
    query = update.callback_query
    try:
        pressed = StayDecide.unpack(query.data if query else None)
        decision = await services.housing.decide_stay(context.user, pressed.stay, pressed.accept)
    except DomainError as error:
        await refuse(update, context, error)
        return
    stay = decision.stay
    if not decision.done:
        await context.answer(update, already_text(t, decision.by, stay.status), alert=True)
        return
    volunteer = await services.users.get(stay.user_id)
    house = services.housing.house(stay.antenna)

    def render(tr: Translator) -> str:
        who = person_name(volunteer) if volunteer else str(stay.user_id)
        head = tr._("🏠 {name} at {house}:", name=who, house=house.name)
        lines = [head, dates_line(tr, stay.arrival, stay.departure)]
        if stay.status == CONFIRMED:
            lines.append(tr._("✅ Accepted by {name}.", name=person_name(context.user)))
        else:
            lines.append(tr._("✖ Refused by {name}.", name=person_name(context.user)))
        return "\n".join(lines)

    await edit_copies(update, context, stay.antenna, "hsw", stay.id, stay.user_id, render)
    if volunteer is not None:
        tv = services.translator_for(volunteer)
        if stay.status == CONFIRMED:
            text = tv._("✅ A coordinator accepted your stay at {house}:", house=house.name)
        else:
            text = tv._(
                "✖ Sorry, the house is full: your stay at {house} was refused. "
                "Talk to a coordinator.",
                house=house.name,
            )
        text += "\n" + dates_line(tv, stay.arrival, stay.departure)
        await services.outbox.send_text(volunteer.id, text)


def already_text(t: Translator, by: User | None, status: str) -> str:
    if by is None or status == CANCELLED:
        return t._("ℹ️ This request is no longer waiting: nothing changed.")
    if status in (CONFIRMED, WAIVED, HALF, AMOUNT):
        return t._("ℹ️ Already accepted by {name}: nothing changed.", name=person_name(by))
    return t._("ℹ️ Already refused by {name}: nothing changed.", name=person_name(by))


# --- /stay reduce ---------------------------------------------------------------------------


async def reduce(update: Update, context: BotContext, reason: str) -> None:
    t = context.t
    services = context.services
    try:
        reduction, account = await services.housing.request_reduction(context.user, reason)
    except DomainError as error:
        if error.code == "reduce_too_early":
            await too_early_reply(update, context)
            return
        await refuse(update, context, error)
        return
    await context.reply(
        update,
        t._("📨 Your request was sent to the coordinators. I will tell you their decision."),
    )
    stay = account.stay
    assert stay is not None
    await send_copies(
        services,
        stay.antenna,
        "hrr",
        reduction.id,
        reduction.user_id,
        lambda tr: reduction_request_text(tr, context.user, account, reduction),
        reduction_keyboard(reduction.id),
    )


def too_early_text(context: BotContext) -> str:
    t = context.t
    return t._(
        "🕐 A reduction can be asked once your stay has passed 30 nights (one month): the "
        "contribution is the same for everyone until then."
    )


async def too_early_reply(update: Update, context: BotContext) -> None:
    account = await context.services.housing.my_account(context.user)
    text = too_early_text(context)
    if account.reduce_from is not None:
        text += "\n" + context.t._(
            "You can ask from {date}.", date=day(context.t, account.reduce_from)
        )
    await context.reply(update, text)


def reduction_request_text(
    t: Translator, volunteer: User, account: Account, reduction: HousingReduction
) -> str:
    stay = account.stay
    assert stay is not None
    lines = [
        t._("💶 {name} asks for a housing reduction.", name=person_name(volunteer)),
        dates_line(t, stay.arrival, stay.departure),
        t._(
            "🌙 Nights: {so_far} so far of {total}",
            so_far=t.fmt_number(account.nights_so_far),
            total=t.fmt_number(account.nights_total),
        ),
        balance_line(t, account.balance),
    ]
    if reduction.reason:
        lines.append(t._("💬 Reason: {reason}", reason=reduction.reason))
    return "\n".join(lines)


def reduction_keyboard(reduction_id: int) -> Callable[[Translator], Keyboard]:
    def keyboard(t: Translator) -> Keyboard:
        return [
            [
                Button(t.p_("button", "🆓 Waive"), data=ReduceDecide(reduction_id, WAIVED).pack()),
                Button(t.p_("button", "½ 50 %"), data=ReduceDecide(reduction_id, HALF).pack()),
            ],
            [
                Button(
                    t.p_("button", "✏️ Other amount"),
                    data=ReduceDecide(reduction_id, AMOUNT).pack(),
                ),
                Button(
                    t.p_("button", "✖ Refuse"), data=ReduceDecide(reduction_id, DECLINED).pack()
                ),
            ],
        ]

    return keyboard


async def reduce_pressed(update: Update, context: BotContext) -> None:
    t = context.t
    services = context.services
    query = update.callback_query
    try:
        pressed = ReduceDecide.unpack(query.data if query else None)
        if pressed.kind == AMOUNT:
            reduction, _ = await services.housing.ask_amount(context.user, pressed.reduction)
            if reduction.status == "open":
                await context.answer(update)
                await services.outbox.send_text(
                    context.user.id,
                    t._(
                        "✏️ Type the nightly contribution in euros from today on, less than "
                        "{fee} (e.g. 2.50). For nothing at all, tap 🆓 Waive.",
                        fee=t.fmt_money(services.housing.fee),
                    ),
                )
                return
            decided_by = await services.users.get(reduction.decided_by or 0)
            await context.answer(update, already_text(t, decided_by, reduction.status), alert=True)
            return
        await decide(update, context, pressed.reduction, pressed.kind, None)
    except DomainError as error:
        await refuse(update, context, error)


async def decide(
    update: Update, context: BotContext, reduction_id: int, kind: str, amount: Decimal | None
) -> None:
    """Record a reduction decision, edit every copy, tell the volunteer (raises DomainError)."""
    t = context.t
    services = context.services
    decision = await services.housing.decide_reduction(context.user, reduction_id, kind, amount)
    # Decided, now or before: a typed amount is no longer waited for.
    await services.housing.forget_amount(context.user)
    reduction, stay = decision.reduction, decision.stay
    if not decision.done:
        text = already_text(t, decision.by, reduction.status)
        if update.callback_query is not None:
            await context.answer(update, text, alert=True)
        else:
            await context.reply(update, text)
        return
    volunteer = await services.users.get(reduction.user_id)

    def render(tr: Translator) -> str:
        who = person_name(volunteer) if volunteer else str(reduction.user_id)
        lines = [tr._("💶 Housing reduction request of {name}:", name=who)]
        if reduction.reason:
            lines.append(tr._("💬 Reason: {reason}", reason=reduction.reason))
        lines.append(decision_line(tr, reduction))
        lines.append(tr._("Decided by {name}.", name=person_name(context.user)))
        return "\n".join(lines)

    await edit_copies(
        update, context, stay.antenna, "hrr", reduction.id, reduction.user_id, render
    )
    if update.callback_query is None:
        # A typed amount: the coordinator's own copy was edited; say it here too.
        await context.reply(update, render(t))
    if volunteer is not None:
        tv = services.translator_for(volunteer)
        await services.outbox.send_text(volunteer.id, volunteer_decision_text(tv, reduction))


def decision_line(t: Translator, reduction: HousingReduction) -> str:
    if reduction.status == DECLINED or reduction.effective_from is None:
        return t._("✖ Refused: the contribution stays the same.")
    nightly = reduction.nightly if reduction.nightly is not None else Decimal(0)
    if reduction.status == WAIVED:
        return t._("🆓 Waived from {date}.", date=day(t, reduction.effective_from))
    return t._(
        "💶 {amount} a night from {date}.",
        amount=t.fmt_money(nightly),
        date=day(t, reduction.effective_from),
    )


def volunteer_decision_text(t: Translator, reduction: HousingReduction) -> str:
    if reduction.status == DECLINED or reduction.effective_from is None:
        return t._(
            "✖ Your reduction request was refused: your contribution stays the same. "
            "Talk to a coordinator if you need to."
        )
    if reduction.status == WAIVED:
        return t._(
            "🆓 Your housing contribution is waived from {date} on. The nights before are "
            "unchanged.",
            date=day(t, reduction.effective_from),
        )
    nightly = reduction.nightly if reduction.nightly is not None else Decimal(0)
    return t._(
        "💶 Your housing contribution is {amount} a night from {date} on. The nights before "
        "are unchanged.",
        amount=t.fmt_money(nightly),
        date=day(t, reduction.effective_from),
    )


async def amount_typed(update: Update, context: BotContext) -> bool:
    """A coordinator's text after ✏️ Other amount: the nightly amount; False if not waited."""
    message = update.message
    if message is None or message.text is None:
        return False
    services = context.services
    reduction_id = await services.housing.amount_wait(context.user)
    if reduction_id is None:
        return False
    t = context.t
    try:
        amount = parse_amount(message.text)
        await decide(update, context, reduction_id, AMOUNT, amount)
    except DomainError as error:
        if error.code in ("housing_bad_amount", "reduce_amount_high"):
            # Keep waiting for a usable amount.
            await context.reply(update, error_text(t, error) + "\n" + t._("Type another amount."))
            return True
        await services.housing.forget_amount(context.user)
        await refuse(update, context, error)
    return True


# --- /paid ------------------------------------------------------------------------------------


async def paid(update: Update, context: BotContext) -> None:
    """`/paid USER AMOUNT`: a payment recorded once (per update), with ↩️ Undo."""
    t = context.t
    services = context.services
    args = context.args or []
    if len(args) < 2:
        await context.reply(update, t._("Usage: /paid NAME AMOUNT, e.g. /paid @sam 20"))
        return
    reference = " ".join(args[:-1])
    try:
        people = await services.users.resolve(context.user, reference)
        exact = [p for p in people if _named(reference, p)]
        if len(exact) != 1:
            await context.reply(update, several_text(t, reference, people))
            return
        person = exact[0]
        result = await services.housing.record_payment(
            context.user, person, args[-1], f"paid:{update.update_id}"
        )
    except DomainError as error:
        await refuse(update, context, error)
        return
    payment, account = result.payment, result.account
    text = "\n".join(
        [
            t._(
                "💶 Payment of {amount} recorded for {name}.",
                amount=t.fmt_money(payment.amount),
                name=person_name(person),
            ),
            balance_line(t, account.balance),
        ]
    )
    keyboard = [[Button(t.p_("button", "↩️ Undo"), data=PaidUndo(payment.id).pack())]]
    await context.reply(update, text, keyboard)
    if result.new and person.id != context.user.id:
        tv = services.translator_for(person)
        told = tv._(
            "💶 Your payment of {amount} for the house was recorded.",
            amount=tv.fmt_money(payment.amount),
        )
        await services.outbox.send_text(person.id, told + "\n" + balance_line(tv, account.balance))


def _named(reference: str, person: User) -> bool:
    handle = reference.strip()
    if handle.startswith("@") or numeric_words([handle])[0].isdecimal():
        return True
    return name_key(reference) == name_key(person.display_name or "")


def several_text(t: Translator, reference: str, people: list[User]) -> str:
    lines = [
        t._("🤔 Whom do you mean by {reference}? Write /paid with one of:", reference=reference)
    ]
    for person in people[:10]:
        handle = f"@{person.username}" if person.username else str(person.id)
        label = t._("{name}: {handle}", name=person.display_name or "", handle=handle)
        lines.append("• " + label)
    return "\n".join(lines)


async def undo_pressed(update: Update, context: BotContext) -> None:
    t = context.t
    services = context.services
    query = update.callback_query
    try:
        pressed = PaidUndo.unpack(query.data if query else None)
        result = await services.housing.undo_payment(context.user, pressed.payment)
    except DomainError as error:
        await refuse(update, context, error)
        return
    person = result.account.user
    amount = result.payment.amount
    await context.edit(
        update,
        t._(
            "↩️ Payment of {amount} for {name} undone.",
            amount=t.fmt_money(amount),
            name=person_name(person),
        )
        + "\n"
        + balance_line(t, result.account.balance),
    )
    if person.id != context.user.id:
        tv = services.translator_for(person)
        told = tv._(
            "↩️ The payment of {amount} recorded for you was a mistake and was removed.",
            amount=tv.fmt_money(amount),
        )
        await services.outbox.send_text(
            person.id, told + "\n" + balance_line(tv, result.account.balance)
        )


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    return [
        CommandHandler("stay", stay, filters=private),
        CommandHandler("paid", paid, filters=private),
        # Money and stays are personal: in a group, the private chat.
        CommandHandler(["stay", "paid"], point_to_private_chat, filters=groups),
        CallbackQueryHandler(change_pressed, pattern=StayChange.pattern()),
        CallbackQueryHandler(end_pressed, pattern=StayEnd.pattern()),
        CallbackQueryHandler(cancel_pressed, pattern=StayCancel.pattern()),
        CallbackQueryHandler(decide_stay_pressed, pattern=StayDecide.pattern()),
        CallbackQueryHandler(reduce_pressed, pattern=ReduceDecide.pattern()),
        CallbackQueryHandler(undo_pressed, pattern=PaidUndo.pattern()),
    ]
