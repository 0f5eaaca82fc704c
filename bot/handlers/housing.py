"""/housing (issue 12): the house's next four weeks, this week's comings and goings, who owes
what and what waits for a decision, for the antenna's coordinators (admins name an antenna).

The nights are a monospace table (<pre>), kept left to right with Latin digits even in a
right-to-left language so that its columns stay columns. Waiting stays and reduction requests
come again as their own messages with their buttons (a few; beyond, the request messages
hold them), and with the charts extra a picture of the nights is drawn in a worker thread.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from babel.dates import format_date
from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.callbacks import StayDecide
from bot.context import BotContext
from bot.handlers.common import person_name, point_to_private_chat, refuse
from bot.handlers.reports import LATIN_SCRIPT
from bot.handlers.stay import (
    day,
    reduction_keyboard,
    reduction_request_text,
    waiting_text,
)
from bot.i18n import LRM, Translator
from bot.services.errors import DomainError
from bot.services.housing import ZERO, NightCount, StayRequest
from bot.services.housing_view import Overview, housing_scope, overview
from bot.services.numerals import numeric_words
from bot.services.outbox import Button
from bot.storage.models import HousingReduction, Stay

Record = TypeVar("Record", Stay, HousingReduction)
# Who owes what: at most this many lines, then "…and N more".
MAX_BALANCES = 30
# Waiting stays and reduction requests sent again with their buttons, at most.
MAX_REQUESTS = 5
BAR = 10


def bar(night: NightCount) -> str:
    """Ten cells, one per tenth of the beds; a + when more people than beds."""
    if night.booked <= 0:
        return "·" * BAR
    filled = min(BAR, max(1, round(night.booked * BAR / night.beds)))
    return "█" * filled + "·" * (BAR - filled) + ("+" if night.booked > night.beds else "")


def table(t: Translator, nights: list[NightCount]) -> str:
    """The nights as <pre> lines: weekday (left-to-right languages), dd/mm, booked/beds, bar,
    ⚠️ when full or over. Latin digits only, every line marked left to right."""
    width = max(len(str(n.booked)) for n in nights) if nights else 1
    beds = len(str(nights[0].beds)) if nights else 1
    weekdays = {n.day: "" if t.rtl else weekday(t, n.day) for n in nights}
    pad = max((len(w) for w in weekdays.values()), default=0)
    lines = []
    for night in nights:
        cells = [weekdays[night.day].ljust(pad)] if pad else []
        cells += [
            night.day.strftime("%d/%m"),
            f"{night.booked:>{width}}/{night.beds:<{beds}}",
            bar(night),
        ]
        line = " ".join(cells) + (" ⚠️" if night.full else "")
        lines.append((LRM if t.rtl else "") + line)
    # Marked before the tag too: the reply would mark the line right to left otherwise.
    return (LRM if t.rtl else "") + "<pre>" + "\n".join(lines) + "</pre>"


def weekday(t: Translator, value: date) -> str:
    return format_date(value, "EEE", locale=t.babel_locale).rstrip(".")


def name_of(view: Overview, user_id: int) -> str:
    user = view.names.get(user_id)
    return person_name(user) if user is not None else str(user_id)


def nights_text(t: Translator, view: Overview) -> str:
    house = view.house
    full = sum(1 for n in view.nights if n.full)
    lines = [
        t.n_(
            "🏠 {house}: {n} bed",
            "🏠 {house}: {n} beds",
            house.beds,
            house=house.name,
        ),
        t.n_(
            "🛏 The next {n} night, people booked / beds:",
            "🛏 The next {n} nights, people booked / beds:",
            len(view.nights),
        ),
        table(t, view.nights),
    ]
    if full:
        lines.append(
            t.n_(
                "⚠️ Full or over on {n} night.",
                "⚠️ Full or over on {n} nights.",
                full,
            )
        )
    return "\n".join(lines)


def people_text(t: Translator, view: Overview, viewer: int) -> str:
    """`viewer` decides nothing about their own stay or request: theirs get no buttons."""
    lines = [t._("🧳 This week")]
    if view.week.arrivals:
        lines.append(t._("➡️ Arrivals:"))
        lines += [
            t._("• {date}: {name}", date=day(t, s.arrival), name=name_of(view, s.user_id))
            for s in view.week.arrivals
        ]
    else:
        lines.append(t._("➡️ No arrivals."))
    if view.week.departures:
        lines.append(t._("⬅️ Departures:"))
        lines += [
            t._("• {date}: {name}", date=day(t, s.departure), name=name_of(view, s.user_id))
            for s in view.week.departures
        ]
    else:
        lines.append(t._("⬅️ No departures."))
    lines.append("")
    if view.balances:
        total = sum((a.balance for a in view.balances), ZERO)
        lines.append(
            t._("💶 Who owes what (total {amount}):", amount=t.fmt_money(total)),
        )
        lines += [
            t._("• {name}: {amount}", name=person_name(a.user), amount=t.fmt_money(a.balance))
            for a in view.balances[:MAX_BALANCES]
        ]
        more = len(view.balances) - MAX_BALANCES
        if more > 0:
            lines.append(t.n_("…and {n} more.", "…and {n} more.", more))
    else:
        lines.append(t._("💶 Nobody owes anything."))
    lines.append("")
    if view.waiting:
        lines.append(t._("⏳ Stays waiting for a decision:"))
        lines += [
            t._("• {name}: {dates}", name=name_of(view, s.user_id), dates=stay_dates(t, s))
            for s in view.waiting
        ]
    if view.reductions:
        lines.append(t._("📨 Reduction requests to decide:"))
        lines += [t._("• {name}", name=name_of(view, r.user_id)) for r in view.reductions]
    decidable = len(theirs(view.waiting, viewer)) + len(theirs(view.reductions, viewer))
    if not view.waiting and not view.reductions:
        lines.append(t._("✅ Nothing waits for a decision."))
    elif decidable > MAX_REQUESTS:
        lines.append(
            t._(
                "👉 The first ones follow with their buttons; for the others, use the buttons "
                "of the request messages."
            )
        )
    elif decidable:
        lines.append(t._("👉 Each one follows with its buttons."))
    return "\n".join(lines)


def theirs(records: list[Record], viewer: int) -> list[Record]:
    """The records about someone other than the viewer."""
    return [record for record in records if record.user_id != viewer]


def stay_dates(t: Translator, stay: Stay) -> str:
    return t._(
        "{arrival} → {departure}", arrival=day(t, stay.arrival), departure=day(t, stay.departure)
    )


async def housing(update: Update, context: BotContext) -> None:
    """`/housing [ANTENNA]`: the house at a glance."""
    t = context.t
    services = context.services
    chat = update.effective_chat
    if chat is None:
        return
    words = numeric_words(context.args or [])
    try:
        antenna = housing_scope(services.housing, context.user, words[0] if words else None)
        if antenna is None:
            codes = ", ".join(f"/housing {code}" for code in sorted(services.housing.houses))
            await context.reply(update, t._("🏠 Which house? Send {commands}", commands=codes))
            return
        view = await overview(services.housing, antenna)
    except DomainError as error:
        await refuse(update, context, error)
        return
    await context.reply(update, nights_text(t, view))
    await context.reply(update, people_text(t, view, context.user.id))
    await send_requests(context, chat.id, view)
    await send_chart(context, chat.id, view)


async def send_requests(context: BotContext, chat_id: int, view: Overview) -> None:
    """The first waiting stays and reduction requests again, each with its buttons (pressed
    here, they decide as on the request message, which then shows the decision too)."""
    t = context.t
    services = context.services
    housing = services.housing
    sent = 0
    for stay in theirs(view.waiting, context.user.id):
        if sent >= MAX_REQUESTS:
            return
        volunteer = view.names.get(stay.user_id)
        if volunteer is None:
            continue
        full = await housing.full_nights(stay.antenna, stay.arrival, stay.departure, stay.id)
        request = StayRequest(stay, stay.arrival, stay.departure, full, False, view.house)
        keyboard = [
            [
                Button(
                    t.p_("button", "✅ Accept anyway"),
                    data=StayDecide(stay.id, accept=True).pack(),
                ),
                Button(t.p_("button", "✖ Refuse"), data=StayDecide(stay.id, accept=False).pack()),
            ]
        ]
        await context.services.outbox.send_text(
            chat_id, waiting_text(t, volunteer, view.house, request), keyboard=keyboard
        )
        sent += 1
    for reduction in theirs(view.reductions, context.user.id):
        if sent >= MAX_REQUESTS:
            return
        volunteer = view.names.get(reduction.user_id)
        if volunteer is None:
            continue
        account = await housing.account(volunteer)
        if account.stay is None:
            continue
        await services.outbox.send_text(
            chat_id,
            reduction_request_text(t, volunteer, account, reduction),
            keyboard=reduction_keyboard(reduction.id)(t),
        )
        sent += 1


async def send_chart(context: BotContext, chat_id: int, view: Overview) -> None:
    """With the charts extra: the nights against the beds as a picture, drawn off the loop."""
    services = context.services
    nights = [(n.day.strftime("%d/%m"), n.booked) for n in view.nights]
    # The chart's font has Latin letters only: the house's name only in a Latin language.
    title = view.house.name if context.t.locale in LATIN_SCRIPT else view.house.code
    chart = await services.exports.occupancy_chart(nights, view.house.beds, title)
    if chart is not None:
        await services.outbox.send_document(chat_id, chart.path, chart.name, photo=True)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("housing", housing, filters=private),
        CommandHandler("housing", point_to_private_chat, filters=filters.ChatType.GROUPS),
    ]
