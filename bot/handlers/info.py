"""Answers of the public menu from the information catalogue; `/content` for coordinators.

An answer fits one phone screen (ANSWER_BUDGET): the entries of the topic for the person's
antenna, in their language (else English, else French, said in one line), a caveat line if
any entry was not confirmed recently, and "Verified on <date>"; then one venue pin per place,
two at most. Every content value is escaped: the files are data, not HTML.
"""

from __future__ import annotations

import html
import logging
from datetime import date, datetime, time

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import ContentConfirm, MenuTopic, StaleButton
from bot.context import BotContext, Services
from bot.handlers.common import menu_button, refuse
from bot.handlers.planning import place_suffix
from bot.handlers.shifts import activity_label
from bot.i18n import Markup, Translator, escape
from bot.jobs import Commit, JobHandler
from bot.services.content import COMMON, pick
from bot.services.errors import DomainError
from bot.services.info import JOB_STALE_WEEKLY, Shown, next_weekly, weekly_key
from bot.services.outbox import BULK, MAX_TEXT, Button, Keyboard, utf16_length
from bot.storage.models import Job, Place, PlannedShift

MAX_PINS = 2
MAX_TODAY_PINS = 2
# Topics whose answer offers a card to show to staff (handled by the "staff" topic).
STAFF_TOPICS = frozenset({"health", "shelter", "legal"})
# The list is edited in place at every "✅": it must stay one message (a split list would be
# edited into its first part and leave its second behind). The header says how many in all.
log = logging.getLogger(__name__)

MAX_LISTED = 20
TITLE_ON_BUTTON = 32


def fmt_day(t: Translator, value: date) -> Markup:
    """A calendar date in the person's language."""
    return t.fmt_date(datetime.combine(value, time(12), tzinfo=t.tz))


def _lines(t: Translator, lines: list[str]) -> str:
    """Lines of an answer, some from the content files rather than the catalogue: each starts
    right to left in a right-to-left language, as translated messages do."""
    return t.right_to_left("\n".join(lines))


def render_answer(t: Translator, items: list[Shown], prefix: str | None = None) -> str:
    """One screen: each entry, then the caveat, fallback and verified lines (once each)."""
    blocks: list[str] = [prefix] if prefix else []
    if not items and not prefix:
        # A topic the antenna's file no longer answers (the showers closed): never an empty
        # message, which Telegram refuses and the person would never see.
        nothing = t._(
            "ℹ️ I have no information on this here now. Ask the team: tap 🙋 I need help."
        )
        return _lines(t, [nothing])
    fell_back = False
    for item in items:
        entry = item.entry
        title, fb_title = pick(entry.title, t.locale)
        text, fb_text = pick(entry.text, t.locale)
        lines = [f"<b>{escape(title)}</b>", escape(text)]
        fell_back = fell_back or fb_title or fb_text
        if entry.hours:
            hours, fb_hours = pick(entry.hours, t.locale)
            fell_back = fell_back or fb_hours
            lines.append(f"🕒 {escape(hours)}")
        if entry.phones:
            lines.append("📞 " + ", ".join(t.phone(number) for number in entry.phones))
        if entry.address:
            lines.append(f"📍 {escape(entry.address)}")
        blocks.append(_lines(t, lines))
    footer: list[str] = []
    if any(item.freshness.stale for item in items):
        footer.append(t._("⚠️ Not confirmed recently: ask the team."))
    if fell_back:
        footer.append(t._("🌐 This part is not yet in your language."))
    if items:
        oldest = min(item.freshness.verified for item in items)
        footer.append(t._("✅ Verified on {date}", date=fmt_day(t, oldest)))
    if footer:
        blocks.append(_lines(t, footer))
    return "\n\n".join(blocks)


def answer_keyboard(t: Translator, topic: str) -> Keyboard:
    rows: Keyboard = []
    if topic in STAFF_TOPICS:
        rows.append(
            [Button(t.p_("button", "🪪 Show this to staff"), data=MenuTopic("staff").pack())]
        )
    return rows + menu_button(t)


async def answer_info(
    update: Update, context: BotContext, topic: str, antenna: str, prefix: str | None = None
) -> None:
    """Answer a topic for an antenna: one message, then the pins."""
    services = context.services
    t = context.t
    items = await services.info.shown(antenna, topic)
    await services.info.count(antenna, topic, t.locale)
    await context.reply(update, render_answer(t, items, prefix), answer_keyboard(t, topic))
    chat = update.effective_chat
    if chat is None:
        return
    pins = [item.entry for item in items if item.entry.has_place][:MAX_PINS]
    for entry in pins:
        assert entry.latitude is not None
        assert entry.longitude is not None
        await services.outbox.send_location(
            chat.id,
            entry.latitude,
            entry.longitude,
            title=escape(pick(entry.title, t.locale)[0]),
            address=escape(entry.address or ""),
        )


async def answer_local(update: Update, context: BotContext, topic: str, antenna: str) -> None:
    """A topic that depends on the town: today's team, or the catalogue's entries."""
    if topic == "today":
        await answer_today(update, context, antenna)
    else:
        await answer_info(update, context, topic, antenna)


async def answer_today(update: Update, context: BotContext, antenna: str) -> None:
    """Today's planned distributions and rounds, and who is on shift now (activities only)."""
    services = context.services
    t = context.t
    today = await services.info.today_activity(antenna)
    await services.info.count(antenna, "today", t.locale)
    lines = [t._("📍 Today: distributions and team")]
    for planned in today.planned:
        when = t._(
            "{activity}: {start}–{end}",
            activity=activity_label(t, planned.activity),
            start=t.fmt_time(planned.starts_at),
            end=t.fmt_time(planned.ends_at),
        )
        lines.append(when + place_suffix(planned))
    if today.on_shift:
        labels = ", ".join(activity_label(t, activity) for activity in sorted(today.on_shift))
        lines.append(t._("🟢 The team is out now: {activities}", activities=labels))
    if not today.planned and not today.on_shift:
        lines.append(t._("Nothing more is planned today."))
        lines.append(
            t._(
                "In an emergency, call {number}. Emergency shelter: {shelter}.",
                number=t.phone("112"),
                shelter=t.phone("115"),
            )
        )
    await context.reply(update, _lines(t, lines), menu_button(t))
    await _today_pins(update, context, antenna, today.planned)


async def _today_pins(
    update: Update, context: BotContext, antenna: str, planned: list[PlannedShift]
) -> None:
    """A venue pin for the first places of today that have coordinates (at most two)."""
    chat = update.effective_chat
    if chat is None:
        return
    services = context.services
    places = services.distributions.catalogue.all_places
    pinned: list[Place] = []
    for shift in planned:
        place = places.get(shift.place_id) if shift.place_id is not None else None
        if place is None or place.latitude is None or place.longitude is None:
            continue
        if place not in pinned:
            pinned.append(place)
    if not pinned:
        return
    town = (await services.users.antenna(antenna)).name
    for place in pinned[:MAX_TODAY_PINS]:
        assert place.latitude is not None
        assert place.longitude is not None
        await services.outbox.send_location(
            chat.id,
            place.latitude,
            place.longitude,
            title=escape(place.name),
            address=escape(f"{place.name}, {town}"),
        )


# /content for coordinators.
def stale_lines(t: Translator, items: list[Shown]) -> list[str]:
    lines = []
    for number, item in enumerate(items[:MAX_LISTED], start=1):
        title = escape(pick(item.entry.title, t.locale)[0])
        if item.entry.status == "to_confirm" and item.freshness.confirmed is None:
            why = t._("to confirm")
        else:
            why = t._("checked {date}", date=fmt_day(t, item.freshness.verified))
        where = t._("national") if item.scope == COMMON else ""
        lines.append(f"{number}. {title} — {why}" + (f" ({where})" if where else ""))
    return lines


async def content_view(services: Services, t: Translator, antenna: str) -> tuple[str, Keyboard]:
    items = await services.info.stale(antenna)
    name = (await services.users.antenna(antenna)).name
    if not items:
        return t._("✅ {antenna}: every entry was checked recently.", antenna=name), []
    text = "\n".join(
        [
            t.n_(
                "🗓️ {antenna}: {n} entry to check. Tap ✅ when it is still true.",
                "🗓️ {antenna}: {n} entries to check. Tap ✅ when they are still true.",
                len(items),
                antenna=name,
            ),
            *stale_lines(t, items),
        ]
    )
    while utf16_length(text) > MAX_TEXT and "\n" in text:
        text = text.rsplit("\n", 1)[0]  # titles full of escaped '&' could still overflow
    keyboard: Keyboard = []
    for number, item in enumerate(items[:MAX_LISTED], start=1):
        title = pick(item.entry.title, t.locale)[0]
        if len(title) > TITLE_ON_BUTTON:
            title = title[: TITLE_ON_BUTTON - 1] + "…"
        # Button labels and alerts are plain text: the placeholders were escaped for HTML.
        label = html.unescape(t.p_("button", "✅ {n}. Still true: {title}", n=number, title=title))
        data = ContentConfirm(antenna, item.scope, item.entry.id).pack()
        keyboard.append([Button(label, data=data)])
    return text, keyboard


async def content(update: Update, context: BotContext) -> None:
    """/content: the entries to check; /content reload: re-read the files."""
    services = context.services
    t = context.t
    args = context.args or []
    try:
        if args and args[0] == "reload":
            await reload(update, context)
            return
        antenna = services.info.scope_of(context.user, args[0] if args else None)
    except DomainError as error:
        await refuse(update, context, error)
        return
    text, keyboard = await content_view(services, t, antenna)
    await context.reply(update, text, keyboard or None)


async def reload(update: Update, context: BotContext) -> None:
    t = context.t
    ok, issues = await context.services.info.reload(context.user)
    errors = [issue for issue in issues if issue.error]
    if ok:
        warnings = len(issues) - len(errors)
        text = t._("✅ Information reloaded from the files.")
        if warnings:
            text += "\n" + t.n_(
                "ℹ️ {n} translation is missing or not reviewed (maraude content check).",
                "ℹ️ {n} translations are missing or not reviewed (maraude content check).",
                warnings,
            )
        await context.reply(update, text)
        return
    lines = [
        t._("❌ The files have errors. Nothing was changed: the bot keeps the old information.")
    ]
    lines += [f"• {escape(str(issue))}" for issue in errors[:10]]
    await context.reply(update, "\n".join(lines))


async def confirm_pressed(update: Update, context: BotContext) -> None:
    """ "✅ still true": stamp today and who, once; a second tap or a forged press changes
    nothing."""
    t = context.t
    services = context.services
    try:
        data = ContentConfirm.unpack(update.callback_query.data if update.callback_query else "")
        antenna = services.info.scope_of(context.user, data.antenna)
        if data.scope not in (antenna, COMMON):
            raise StaleButton("scope")
        entry, changed = await services.info.confirm(context.user, data.scope, data.entry)
    except DomainError as error:
        await refuse(update, context, error)
        return
    if not changed:
        await context.answer(update, t._("ℹ️ Already confirmed. Thank you."), alert=True)
        return
    await context.answer(
        update, t._("✅ Confirmed: {title}", title=pick(entry.title, t.locale)[0])
    )
    text, keyboard = await content_view(services, t, antenna)
    await context.edit(update, text, keyboard or None)


# The weekly list.
async def schedule_weekly_lists(services: Services) -> None:
    """At start-up: one weekly job per antenna, unless one is already waiting on time."""
    now = services.clock.now()
    grace = services.settings.misfire_grace_minutes
    for antenna in services.info.catalogue.antennas:
        job = await services.storage.jobs.by_key(weekly_key(antenna))
        if job is not None and job.status == "pending":
            late = (now - job.due_at).total_seconds() / 60
            if late <= grace:
                continue
        due = next_weekly(now, services.settings.tz)
        await services.scheduler.schedule(
            JOB_STALE_WEEKLY, weekly_key(antenna), due, {"antenna": antenna}
        )


async def stale_weekly_job(job: Job, services: Services) -> Commit | None:
    """Post the antenna's stale entries to its team chat (or its coordinators), then rearm."""
    antenna_code = str(job.payload["antenna"])
    await services.scheduler.schedule(
        JOB_STALE_WEEKLY,
        weekly_key(antenna_code),
        next_weekly(job.due_at, services.settings.tz),
        {"antenna": antenna_code},
    )
    if antenna_code not in services.info.catalogue.antennas:
        return None
    items = await services.info.stale(antenna_code)
    if not items:
        return None
    antenna = await services.users.antenna(antenna_code)

    def message(t: Translator) -> str:
        head = t.n_(
            "🗓️ {antenna}: {n} information entry to check this week.",
            "🗓️ {antenna}: {n} information entries to check this week.",
            len(items),
            antenna=antenna.name,
        )
        tail = t._("A coordinator confirms them with /content.")
        return t.right_to_left("\n".join([head, *stale_lines(t, items), tail]))

    # A weekly reminder: behind any answer or alert waiting for the same chat.
    if antenna.team_chat_id is not None:
        text = message(services.translator(None))
        await services.outbox.send_text(antenna.team_chat_id, text, priority=BULK)
        return None
    coordinators = await services.users.coordinators_of(antenna_code)
    if not coordinators:
        log.warning(
            "%s: %d information entries to check, and nobody to tell", antenna_code, len(items)
        )
    for coordinator in coordinators:
        text = message(services.translator_for(coordinator))
        await services.outbox.send_text(coordinator.id, text, priority=BULK)
    return None


JOBS: dict[str, JobHandler] = {JOB_STALE_WEEKLY: stale_weekly_job}


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CommandHandler("content", content),
        CallbackQueryHandler(confirm_pressed, pattern=ContentConfirm.pattern()),
    ]
