"""/report and /export for coordinators (SPEC §2 Coordinators)."""

from __future__ import annotations

import html
import secrets
from datetime import date, datetime, time, timedelta

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import ReportPeriod
from bot.context import BotContext, Services
from bot.handlers.common import error_text, in_confidence, refuse
from bot.handlers.distributions import SLOT_NAMES, item_quantity
from bot.handlers.help_requests import need_label
from bot.handlers.incidents import kind_label
from bot.handlers.public import TOPICS
from bot.i18n import Markup, Translator, escape, pN_
from bot.jobs import Commit, JobHandler
from bot.runtime import apology
from bot.services.errors import DomainError
from bot.services.exports import discard
from bot.services.help import NEEDS, HelpStats
from bot.services.keywords import PERIODS
from bot.services.numerals import numeric_words
from bot.services.outbox import Button, Keyboard
from bot.services.reports import Period, Report
from bot.storage.models import Job

LATIN_SCRIPT = frozenset({"fr", "en", "vi", "so", "kmr", "om"})


def period_text(t: Translator, period: Period) -> Markup:
    """ "1 Dec 2026 to 31 Dec 2026", HTML-safe."""

    def day(value: date) -> Markup:
        return t.fmt_date(datetime.combine(value, time(12), tzinfo=t.tz))

    if period.first_day == period.last_day:
        return day(period.first_day)
    first, last = day(period.first_day), day(period.last_day)
    return Markup(t._("{first} to {last}", first=first, last=last))


def count_line(t: Translator, label: str, count: int) -> str:
    """ "• Evening: 12": a report line, its label capitalised, the colon as the locale sets it."""
    if not isinstance(label, Markup):
        label = label[:1].upper() + label[1:]
    return t._("• {label}: {count}", label=label, count=t.fmt_number(count))


async def render_report(context: BotContext, report: Report) -> str:
    return await report_text(context.services, context.t, report)


async def report_text(services: Services, t: Translator, report: Report) -> str:
    """The report in any reader's language (the caller's, or a team chat's from a job)."""
    catalogue = services.distributions.catalogue
    where = (
        (await services.users.antenna(report.antenna)).name
        if report.antenna
        else t._("All antennas")
    )
    lines = [t._("📊 {where}, {period}", where=where, period=period_text(t, report.period))]
    if not report.items:
        lines.append(t._("No distribution was logged in this period."))
    else:
        lines.append(t._("📦 Given:"))
        lines += [
            f"• {item_quantity(services, t, total.key, total.quantity)}" for total in report.items
        ]
        lines.append(t._("🕒 When (number of logs):"))
        lines += [
            count_line(t, t.marked(SLOT_NAMES[total.key]), total.logs)
            for total in report.slots
            if total.key in SLOT_NAMES
        ]
        lines.append(t._("📍 Where (number of logs):"))
        for total in report.places:
            place = catalogue.all_places.get(int(total.key)) if total.key else None
            name = place.name if place else t._("No place given")
            lines.append(count_line(t, name, total.logs))
    # Two lines, each with the plural of its own number.
    lines.append(
        t.n_(
            "👥 {n} volunteer gave {duration}.",
            "👥 {n} volunteers gave {duration}.",
            report.volunteers,
            duration=t.fmt_duration(report.hours.total),
        )
    )
    lines.append(t.n_("🕒 {n} shift.", "🕒 {n} shifts.", report.hours.shifts))
    lines += info_lines(t, report)
    if report.help is not None:
        lines += render_help_stats(t, report.help)
    lines += await incident_lines(services, t, report)
    return "\n".join(lines)


async def incident_lines(services: Services, t: Translator, report: Report) -> list[str]:
    """Rights-violation reports per month and kind (issue 11): counts, nothing else."""
    counts = await services.incidents.counts(
        report.antenna, report.period.since, report.period.until
    )
    if not counts:
        return []
    lines = [t._("⚖️ Rights violations documented:")]
    months: dict[str, list[str]] = {}
    for month, kind, count in counts:
        months.setdefault(month, []).append(f"{kind_label(t, kind)} {count}")
    lines += [f"• {month}: " + ", ".join(parts) for month, parts in months.items()]
    return lines


def info_lines(t: Translator, report: Report) -> list[str]:
    """Information asked by the public, per topic and per language (counts, no person)."""
    total = sum(count.count for count in report.info)
    lines = [t.n_("ℹ️ {n} information request.", "ℹ️ {n} information requests.", total)]
    if not total:
        return lines
    topics: dict[str, int] = {}
    locales: dict[str, int] = {}
    for count in report.info:
        topics[count.topic] = topics.get(count.topic, 0) + count.count
        locales[count.locale] = locales.get(count.locale, 0) + count.count
    by_topic = sorted(topics.items(), key=lambda pair: (-pair[1], pair[0]))
    labels = dict(TOPICS)
    lines += [
        count_line(t, t.marked(labels[topic]) if topic in labels else topic, n)
        for topic, n in by_topic
    ]
    by_locale = sorted(locales.items(), key=lambda pair: (-pair[1], pair[0]))
    languages = ", ".join(f"{escape(locale)} {t.fmt_number(n)}" for locale, n in by_locale)
    lines.append(t._("🌐 Languages: {languages}", languages=Markup(languages)))
    return lines


def render_help_stats(t: Translator, stats: HelpStats) -> list[str]:
    """ "I need help" over the period: requests per need, minutes to the first answer."""
    lines = [t.n_("🙋 {n} help request.", "🙋 {n} help requests.", stats.total)]
    for need in NEEDS:
        if stats.per_need.get(need):
            lines.append(count_line(t, need_label(t, need), stats.per_need[need]))
    if stats.median_minutes is not None and stats.p90_minutes is not None:
        lines.append(
            t._(
                "⏱️ Taken after {median} (median); 9 in 10 within {p90}.",
                median=t.fmt_duration(timedelta(minutes=stats.median_minutes)),
                p90=t.fmt_duration(timedelta(minutes=stats.p90_minutes)),
            )
        )
    untaken = stats.total - stats.taken
    if untaken:
        lines.append(t.n_("⚠️ {n} was never taken.", "⚠️ {n} were never taken.", untaken))
    return lines


PERIOD_BUTTONS: dict[str, tuple[str, str]] = {
    "today": pN_("button", "📅 Today"),
    "yesterday": pN_("button", "📅 Yesterday"),
    "week": pN_("button", "🗓️ This week"),
    "last_week": pN_("button", "🗓️ Last week"),
    "month": pN_("button", "📆 This month"),
    "last_month": pN_("button", "📆 Last month"),
    "year": pN_("button", "📈 This year"),
}


def period_keyboard(t: Translator) -> Keyboard:
    buttons = [
        Button(t.marked(PERIOD_BUTTONS[period]), data=ReportPeriod(period).pack())
        for period in PERIODS
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


async def report(update: Update, context: BotContext) -> None:
    """Totals for a typed period ("/report semaine"); without one, ask with buttons."""
    t = context.t
    words = numeric_words(context.args or [])
    if not words:
        try:
            context.services.reports.scope(context.user)
        except DomainError as error:
            await refuse(update, context, error)
            return
        text = t._(
            "📊 Which period? Tap it, or send for example /report 2026-11 or "
            "/report 2026-11-01..2026-11-15."
        )
        await context.reply(update, text, period_keyboard(t))
        return
    await _report(update, context, " ".join(words))


async def period_pressed(update: Update, context: BotContext) -> None:
    """Send the report of the period whose button was pressed (the buttons stay for another)."""
    try:
        pressed = ReportPeriod.unpack(
            update.callback_query.data if update.callback_query else None
        )
        if pressed.period not in PERIODS:
            raise DomainError("stale_button")
    except DomainError as error:
        await refuse(update, context, error)
        return
    await _report(update, context, pressed.period)


async def _report(update: Update, context: BotContext, period: str) -> None:
    try:
        built = await context.services.reports.report(context.user, period)
    except DomainError as error:
        await refuse(update, context, error)
        return
    # Long reports are split at line breaks by the outbox, never cut mid-line.
    await context.reply(update, await render_report(context, built))


async def export(update: Update, context: BotContext) -> None:
    """Check the request, then prepare the files beside the bot (they may take a while)."""
    t = context.t
    services = context.services
    chat = update.effective_chat
    if chat is None or not await in_confidence(update, context):
        return
    words = numeric_words(context.args or [])
    try:
        period = services.reports.check(context.user, words[0] if words else None)
    except DomainError as error:
        await refuse(update, context, error)
        return
    # The period as understood now: "month" asked at 23:59 on the 31st stays that month.
    period_arg = f"{period.first_day.isoformat()}..{period.last_day.isoformat()}"
    await services.scheduler.schedule(
        JOB_EXPORT,
        f"export:{context.user.id}:{secrets.token_hex(4)}",
        services.clock.now(),
        {"user": context.user.id, "period": period_arg, "chat": chat.id, "locale": t.locale},
    )
    await context.reply(update, t._("⏳ Preparing the spreadsheets…"))


async def export_job(job: Job, services: Services) -> Commit | None:
    """Build the files (and chart) beside the bot; they are queued as the job is marked done."""
    payload = job.payload
    user = await services.users.get(int(payload["user"]))
    if user is None:
        return None
    t = services.translator(str(payload["locale"]))
    chat_id = int(payload["chat"])
    catalogue = services.distributions.catalogue
    try:
        built, files = await services.exports.export(
            user, payload["period"], catalogue, t.locale, services.housing
        )
    except DomainError as error:  # e.g. no longer a coordinator since asking
        refusal = error_text(t, error)

        async def refuse_export() -> None:
            await services.outbox.send_text(chat_id, refusal)

        return refuse_export
    except Exception:
        async with services.storage.transaction():
            await services.outbox.send_text(chat_id, apology(t))
        raise
    caption = t._("📎 {period}", period=period_text(t, built.period))
    # The chart's font has Latin letters only, and matplotlib does not shape Arabic script:
    # other languages get the English names there (the CSV keeps theirs).
    labels = t.locale if t.locale in LATIN_SCRIPT else "en"
    try:
        chart = await services.exports.chart(
            [(catalogue.item_name(total.key, labels), total.quantity) for total in built.items],
            html.unescape(period_text(t, built.period)) if labels == t.locale else "",
        )
    except BaseException:
        discard(files)  # names of volunteers: not left lying around
        raise

    async def send_files() -> None:
        for file in files:
            refused = t._(
                "⚠️ The file {name} could not be sent: Telegram refused it (it may be too "
                "large). Try a shorter period.",
                name=file.name,
            )
            await services.outbox.send_document(
                chat_id, file.path, file.name, caption=caption, if_refused=refused
            )
        if chart is not None:
            await services.outbox.send_document(chat_id, chart.path, chart.name, photo=True)

    return send_files


JOB_EXPORT = "reports.export"
JOBS: dict[str, JobHandler] = {JOB_EXPORT: export_job}


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CommandHandler("report", report),
        CommandHandler("export", export),
        CallbackQueryHandler(period_pressed, pattern=ReportPeriod.pattern()),
    ]
