"""/alert and /alerts for coordinators, and the weekly summary (issue 10 §4–5).

`/alert <when> <text>` posts the text to the antenna's team chat at that time, once or every
day or week (`bot/services/alerts.py` reads the <when> and computes the occurrences);
`/alerts` lists them with a 🗑 button each, and the weekly summary's switch; `/alert del <id>`
deletes one. Every Monday at 08:00 local each team chat gets last week's figures (the /report
of "last week") as a bulk message, with the bar chart when the `charts` extra is installed.
"""

from __future__ import annotations

import html
import logging
from datetime import date, datetime, time

from babel.dates import get_day_names
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import AlertDelete, SummarySwitch
from bot.context import BotContext, Services
from bot.handlers.common import person_name, refuse
from bot.handlers.reports import LATIN_SCRIPT, period_text, report_text
from bot.i18n import Markup, Translator, escape
from bot.jobs import Commit, JobHandler, SkipHandler
from bot.services.alerts import (
    DAILY,
    JOB_ALERT,
    JOB_WEEKLY_SUMMARY,
    ONCE,
    SUMMARY_AT,
    SUMMARY_DAY,
    Listed,
    next_summary,
    summary_key,
)
from bot.services.errors import DomainError
from bot.services.numerals import numeric_words
from bot.services.outbox import BULK, Button, Keyboard, utf16_length
from bot.services.outbox import MAX_TEXT as MAX_MESSAGE
from bot.services.reports import parse_period
from bot.storage.models import Job, TeamAlert

log = logging.getLogger(__name__)
PREVIEW = 40
PREVIEW_ON_BUTTON = 24
# A preview's length once escaped (what Telegram's 4096 and the outbox count): "&" is "&amp;",
# so 25 previews full of markup still fit in one message with every alert listed.
PREVIEW_HTML = 48


def wall_time(t: Translator, at: time) -> Markup:
    """A local wall time ("18:00", "6:00 PM") as the reader writes it."""
    return t.fmt_time(datetime.combine(date(2026, 1, 5), at, tzinfo=t.tz))


def weekday_name(t: Translator, weekday: int) -> str:
    return str(get_day_names("wide", "format", t.babel_locale)[weekday])


def recurrence(t: Translator, alert: TeamAlert) -> str:
    at = wall_time(t, alert.at)
    if alert.kind == DAILY:
        return t._("every day at {time}", time=at)
    if alert.kind == ONCE:
        return t._("once")
    assert alert.weekday is not None
    return t._("every {weekday} at {time}", weekday=weekday_name(t, alert.weekday), time=at)


def preview(text: str, size: int) -> str:
    """The first words of an alert, on one line (plain text: escape it for HTML)."""
    line = " ".join(text.split())
    return line if len(line) <= size else line[: size - 1] + "…"


def preview_html(text: str) -> str:
    """The preview escaped for HTML, shortened until it fits PREVIEW_HTML code units."""
    size = PREVIEW
    shown = escape(preview(text, size))
    while utf16_length(shown) > PREVIEW_HTML and size > 2:
        size -= 1
        shown = escape(preview(text, size))
    return shown


def when_text(t: Translator, due: datetime | None) -> str:
    if due is None:
        return t._("done")
    return t._("{day} at {time}", day=t.fmt_day(due), time=t.fmt_time(due))


def alerts_view(
    t: Translator,
    antenna: str,
    name: str,
    listed: list[Listed],
    summary_on: bool,
    team_chat: bool = True,
) -> tuple[str, Keyboard]:
    """The list (one message, within Telegram's limits) and its buttons."""
    if listed:
        head = t.n_(
            "⏰ {antenna}: {n} alert.",
            "⏰ {antenna}: {n} alerts.",
            len(listed),
            antenna=name,
        )
    else:
        head = t._(
            "⏰ {antenna}: no alert. Add one, for example: /alert 18:00 Distribution at 19:00",
            antenna=name,
        )
    lines = [head]
    keyboard: Keyboard = []
    for item in listed:
        alert = item.alert
        lines.append(
            t._(
                "#{id} — next: {when} ({recurrence})",
                id=str(alert.id),
                when=Markup(when_text(t, item.due_at)),
                recurrence=Markup(recurrence(t, alert)),
            )
        )
        lines.append(f"   <i>{preview_html(alert.text)}</i>")
        label = t.p_(
            "button",
            "🗑 #{id} {text}",
            id=str(alert.id),
            text=preview(alert.text, PREVIEW_ON_BUTTON),
        )
        # Button labels are plain text: the placeholders were escaped for HTML.
        keyboard.append([Button(html.unescape(label), data=AlertDelete(alert.id).pack())])
    summary = (
        t._(
            "📊 Weekly summary: on, {weekday} at {time}, to the team chat.",
            weekday=weekday_name(t, SUMMARY_DAY),
            time=wall_time(t, SUMMARY_AT),
        )
        if summary_on
        else t._("📊 Weekly summary: off.")
    )
    if summary_on and not team_chat:
        summary += "\n" + t._("⚠️ This antenna has no team chat: the weekly summary is not posted.")
    switch = (
        t.p_("button", "🔕 Weekly summary off")
        if summary_on
        else t.p_("button", "🔔 Weekly summary on")
    )
    keyboard.append([Button(switch, data=SummarySwitch(antenna, not summary_on).pack())])
    body = "\n".join(lines)
    # At most MAX_ALERTS lines of a bounded size: the cut is a safety net, never the rule.
    while utf16_length(body + "\n\n" + summary) > MAX_MESSAGE and "\n" in body:
        body = body.rsplit("\n", 1)[0]
    return body + "\n\n" + summary, keyboard


async def _view(context: BotContext) -> tuple[str, Keyboard]:
    services = context.services
    antenna, listed, summary_on = await services.alerts.listed(context.user)
    found = await services.users.antenna(antenna)
    return alerts_view(
        context.t, antenna, found.name, listed, summary_on, found.team_chat_id is not None
    )


async def alert(update: Update, context: BotContext) -> None:
    """/alert <when> <text>, or /alert del <id>."""
    t = context.t
    services = context.services
    message = update.effective_message
    raw = (message.text or "") if message else ""
    raw = raw.split(None, 1)[1] if len(raw.split(None, 1)) > 1 else ""
    try:
        services.alerts.scope(context.user)
        words = numeric_words(raw.split())
        if words and words[0].lower() in ("del", "delete", "suppr", "supprimer"):
            await _delete_typed(update, context, words[1:])
            return
        if not raw.strip():
            raise DomainError("alert_usage")
        created, due = await services.alerts.create(context.user, raw)
    except DomainError as error:
        await refuse(update, context, error)
        return
    antenna = await services.users.antenna(created.antenna)
    lines = [
        t._(
            "⏰ Alert #{id} saved ({recurrence}). Next: {when}.",
            id=str(created.id),
            recurrence=Markup(recurrence(t, created)),
            when=Markup(when_text(t, due)),
        )
    ]
    if antenna.team_chat_id is None:
        lines.append(t._("⚠️ This antenna has no team chat: the alert will come to you here."))
    lines.append(t._("See or delete alerts: /alerts"))
    await context.reply(update, "\n".join(lines))


async def _delete_typed(update: Update, context: BotContext, args: list[str]) -> None:
    t = context.t
    number = args[0].lstrip("#") if args else ""
    if not number.isascii() or not number.isdecimal() or len(number) > 12:
        raise DomainError("alert_del_usage")
    found, changed = await context.services.alerts.delete(context.user, int(number))
    if changed:
        await context.reply(update, t._("🗑 Alert #{id} deleted.", id=str(found.id)))
    else:
        await context.reply(update, t._("ℹ️ Alert #{id} was already deleted.", id=str(found.id)))


async def alerts(update: Update, context: BotContext) -> None:
    """/alerts: the antenna's alerts and the weekly summary's switch."""
    try:
        text, keyboard = await _view(context)
    except DomainError as error:
        await refuse(update, context, error)
        return
    await context.reply(update, text, keyboard)


async def delete_pressed(update: Update, context: BotContext) -> None:
    """🗑: delete once; a second tap or a forged press changes nothing."""
    t = context.t
    try:
        data = AlertDelete.unpack(update.callback_query.data if update.callback_query else "")
        found, changed = await context.services.alerts.delete(context.user, data.alert)
    except DomainError as error:
        await refuse(update, context, error)
        return
    if not changed:
        await context.answer(
            update, t._("ℹ️ Alert #{id} was already deleted.", id=str(found.id)), alert=True
        )
        return
    await context.answer(update, t._("🗑 Alert #{id} deleted.", id=str(found.id)))
    text, keyboard = await _view(context)
    await context.edit(update, text, keyboard)


async def summary_pressed(update: Update, context: BotContext) -> None:
    """The weekly summary switched on or off; pressing twice changes nothing the second time."""
    t = context.t
    try:
        data = SummarySwitch.unpack(update.callback_query.data if update.callback_query else "")
        changed = await context.services.alerts.switch_summary(context.user, data.antenna, data.on)
    except DomainError as error:
        await refuse(update, context, error)
        return
    if not changed:
        already = (
            t._("ℹ️ The weekly summary is already on.")
            if data.on
            else t._("ℹ️ The weekly summary is already off.")
        )
        await context.answer(update, already, alert=True)
        return
    done = t._("🔔 Weekly summary on.") if data.on else t._("🔕 Weekly summary off.")
    await context.answer(update, done)
    text, keyboard = await _view(context)
    await context.edit(update, text, keyboard)


# Stored jobs.
async def alert_job(job: Job, services: Services) -> Commit | None:
    """Post the alert to its team chat (or its author, without one); arm the next one."""
    alert_id = int(job.payload["alert"])
    found = await services.storage.alerts.get(alert_id)
    if found is None or found.deleted_at is not None:
        return None
    # From the occurrence, in this transaction: the next one is armed exactly when this fires.
    await services.alerts.reschedule(alert_id, job.due_at)
    antenna = await services.storage.antennas.get(found.antenna)
    author = await services.users.get(found.created_by) if found.created_by else None
    chat = antenna.team_chat_id if antenna else None
    t = services.translator(None)
    if chat is None:
        if author is None:
            log.warning("alert #%s: no team chat and no author to tell", alert_id)
            return None
        chat, t = author.id, services.translator_for(author)
    name = person_name(author) if author else t._("a coordinator")
    text = t._("⏰ {text}\n\n— {name}, /alerts", text=found.text, name=name)
    # One message to one chat, at a time someone chose: as prompt as an answer (not bulk).
    await services.outbox.send_text(chat, text)
    return None


async def alert_skipped(job: Job, services: Services) -> None:
    """A recurring alert missed while the bot was down: armed for its next occurrence."""
    await services.alerts.reschedule(int(job.payload["alert"]), job.due_at)


async def summary_job(job: Job, services: Services) -> Commit | None:
    """Last week's figures (and chart) for the antenna's team chat; runs outside any
    transaction (the chart is drawn in a worker thread), posted and re-armed as it is done."""
    antenna_code = str(job.payload["antenna"])
    if not await services.storage.alerts.summary_enabled(antenna_code):
        return None  # switched off meanwhile: not re-armed either
    tz = services.settings.tz
    # The week before the occurrence, even if it runs a little late.
    period = parse_period("last_week", job.due_at, tz)
    antenna = await services.storage.antennas.get(antenna_code)
    following = next_summary(max(job.due_at, services.clock.now()), tz)

    async def rearm() -> None:
        if await services.storage.alerts.summary_enabled(antenna_code):
            await services.scheduler.schedule(
                JOB_WEEKLY_SUMMARY, summary_key(antenna_code), following, job.payload
            )

    if antenna is None or antenna.team_chat_id is None:
        return rearm
    chat = antenna.team_chat_id
    built = await services.reports.build(antenna_code, period)
    t = services.translator(None)
    head = t._("🗓️ Weekly summary: last week, Monday to Sunday.")
    text = head + "\n" + await report_text(services, t, built)
    catalogue = services.distributions.catalogue
    labels = t.locale if t.locale in LATIN_SCRIPT else "en"
    caption = t._("🗓️ {where}, {period}", where=antenna.name, period=period_text(t, built.period))
    chart = await services.exports.chart(
        [(catalogue.item_name(total.key, labels), total.quantity) for total in built.items],
        html.unescape(period_text(t, built.period)) if labels == t.locale else "",
    )

    async def post() -> None:
        await rearm()
        await services.outbox.send_text(chat, text, priority=BULK)
        if chart is not None:
            # A file may overtake the paced bulk text: its caption says what it is.
            await services.outbox.send_document(
                chat, chart.path, chart.name, caption=caption, photo=True
            )

    return post


async def summary_skipped(job: Job, services: Services) -> None:
    """A summary missed while the bot was down: next Monday's is armed (if still on)."""
    antenna = str(job.payload["antenna"])
    if await services.storage.alerts.summary_enabled(antenna):
        await services.alerts.arm_summary(antenna)


JOBS: dict[str, JobHandler] = {JOB_ALERT: alert_job, JOB_WEEKLY_SUMMARY: summary_job}
ON_SKIP: dict[str, SkipHandler] = {JOB_ALERT: alert_skipped, JOB_WEEKLY_SUMMARY: summary_skipped}
DETACHED = frozenset({JOB_WEEKLY_SUMMARY})


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CommandHandler("alert", alert),
        CommandHandler("alerts", alerts),
        CallbackQueryHandler(delete_pressed, pattern=AlertDelete.pattern()),
        CallbackQueryHandler(summary_pressed, pattern=SummarySwitch.pattern()),
    ]
