"""/incident: a guided report of a rights violation, in a private chat (issue 11, SPEC §5).

kind → when → where → people (number, minors, injuries) → description (several messages, until
✅ Done) → photos and videos (optional) → review (✏️ per field) → may we name you? → filed.
The draft is sealed in the database (`IncidentService`), so a restart loses nothing.

Nothing is left on the phone: every message of the form is sent with protect_content and named
(outbox ref); once the report is filed, the person's messages that carried details and the
bot's messages of the form are deleted, and the one kept shows the kind, the date and the
reference only.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import AuditPage, IncidentList, IncidentOpen, IncidentStep
from bot.context import BotContext, Services
from bot.handlers.common import error_text, person_name, refuse
from bot.i18n import Translator, escape
from bot.jobs import Commit, JobHandler
from bot.services.errors import DomainError, NotAllowed
from bot.services.incidents import (
    CANCEL,
    CONFIRM,
    DONE,
    KINDS,
    PAGE,
    PEOPLE_CHOICES,
    READY,
    Incident,
    IncidentDraft,
)
from bot.services.numerals import numeric_words
from bot.services.outbox import MAX_TEXT, Button, Keyboard, split_text, utf16_length
from bot.services.reports import parse_period
from bot.storage.models import IncidentRow, Job, Role

log = logging.getLogger(__name__)

CONSENT = "consent"
# The description shown in the review is cut here (UTF-16 units, once escaped): the review is
# one message, under Telegram's 4096, with room for the rest of the form around it.
REVIEW_DESCRIPTION = 2500
REVIEW_MARGIN = 300


def kind_label(t: Translator, kind: str) -> str:
    labels = {
        "police": t.p_("incident", "👮 Police violence"),
        "eviction": t.p_("incident", "⛺ Eviction / tents destroyed"),
        "seizure": t.p_("incident", "🎒 Belongings seized"),
        "teargas": t.p_("incident", "💨 Tear gas"),
        "refusal": t.p_("incident", "🚫 Refusal of transport or discrimination"),
        "sea": t.p_("incident", "🌊 Danger at sea"),
        "other": t.p_("incident", "❓ Other"),
    }
    return labels.get(kind, kind)


def _button(draft: IncidentDraft, label: str, value: str, step: str | None = None) -> Button:
    return Button(
        label, data=IncidentStep(draft.id, draft.nonce, step or draft.step, value).pack()
    )


def _rows(buttons: list[Button], per_row: int) -> Keyboard:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def _yes_no(t: Translator, draft: IncidentDraft) -> Keyboard:
    return [
        [
            _button(draft, t.p_("button", "✅ Yes"), "1"),
            _button(draft, t.p_("button", "❌ No"), "0"),
        ]
    ]


def _cut(text: str, room: int) -> str:
    """The text escaped, cut to `room` UTF-16 units without splitting an entity."""
    shown = escape(text)
    if utf16_length(shown) <= room:
        return shown
    pieces, used = [], 0
    for char in text:
        piece = escape(char)
        used += utf16_length(piece)
        if used > room - 1:
            break
        pieces.append(piece)
    return "".join(pieces) + "…"


def review_lines(context: BotContext, draft: IncidentDraft, room: int | None = None) -> list[str]:
    """Everything the report says, one line per field (only ever sent protected); the
    description cut to `room` (UTF-16 units, escaped), or whole (the caller splits)."""
    t = context.t
    details = draft.details
    lines = [kind_label(t, draft.kind or "other")]
    if draft.occurred_at is not None:
        lines.append("🕒 " + t.fmt_datetime(draft.occurred_at, "short"))
    # Among every place, retired ones too: a report keeps where it happened.
    place = context.services.distributions.catalogue.all_places.get(details.place_id or 0)
    if place is not None:
        lines.append("📍 " + escape(place.name))
    elif details.place_text:
        lines.append("📍 " + escape(details.place_text))
    elif details.latitude is not None and details.longitude is not None:
        lat, lon = format(details.latitude, ".5f"), format(details.longitude, ".5f")
        lines.append(t._("📍 Shared location ({lat}, {lon})", lat=lat, lon=lon))
    if details.people is not None:
        lines.append(t.n_("👥 {n} person affected", "👥 {n} people affected", details.people))
    if details.minors is not None:
        lines.append(t._("🧒 Minors present") if details.minors else t._("🧒 No minors"))
    if details.injuries is not None:
        lines.append(t._("🩹 Injuries") if details.injuries else t._("🩹 No injuries"))
    text = "\n".join(details.description)
    if text:
        lines.append("✍️ " + (escape(text) if room is None else _cut(text, room)))
    if details.media:
        lines.append(t.n_("📷 {n} photo or video", "📷 {n} photos or videos", len(details.media)))
    return lines


def render(  # noqa: PLR0912 -- one branch per step reads as the form
    context: BotContext, draft: IncidentDraft
) -> tuple[str, Keyboard]:
    """The form at its step: the question and its buttons."""
    t = context.t
    cancel = [_button(draft, t.p_("button", "❌ Cancel"), "", CANCEL)]
    rows: Keyboard = []
    step = draft.step
    if step == "kind":
        question = t._("🚨 Report a rights violation. What happened?")
        rows = _rows([_button(draft, kind_label(t, kind), kind) for kind in KINDS], 2)
    elif step == "when":
        question = t._("🕒 When did it happen?")
        rows = [
            [_button(draft, t.p_("button", "Now"), "now")],
            [_button(draft, t.p_("button", "🕒 Earlier today"), "today")],
            [_button(draft, t.p_("button", "📅 Another day"), "date")],
        ]
    elif step == "when_time":
        question = t._("⌨️ Type the time it happened today, for example 14:30.")
    elif step == "when_date":
        question = t._("⌨️ Type the day and time, for example 28/11 14:30 or 2026-11-28 14:30.")
    elif step == "where":
        question = t._(
            "📍 Where? Tap a place, share a location (📎 → Location), or type the place."
        )
        catalogue = context.services.distributions.catalogue
        buttons = [
            _button(draft, escape(catalogue.places[place_id].name), str(place_id))
            for place_id in context.services.planning.form_places(draft.antenna)
        ]
        rows = _rows(buttons[:30], 2)
    elif step == "people":
        question = t._("👥 How many people were affected? Tap or type a number.")
        rows = _rows([_button(draft, str(n), str(n)) for n in PEOPLE_CHOICES], 3)
    elif step == "minors":
        question = t._("🧒 Were minors among them?")
        rows = _yes_no(t, draft)
    elif step == "injuries":
        question = t._("🩹 Was anyone injured?")
        rows = _yes_no(t, draft)
    elif step == "description":
        count = len(draft.details.description)
        question = (
            t.n_(
                "✍️ {n} message noted. Write more, or tap ✅ Done.",
                "✍️ {n} messages noted. Write more, or tap ✅ Done.",
                count,
            )
            if count
            else t._(
                "✍️ Describe what happened, in one or several messages. "
                "Tap ✅ Done when you have finished."
            )
        )
        rows = [[_button(draft, t.p_("button", "✅ Done"), DONE)]] if count else []
    elif step == "media":
        count = len(draft.details.media)
        question = (
            t.n_(
                "📷 {n} photo or video received. Send more, or tap ✅ Done.",
                "📷 {n} photos or videos received. Send more, or tap ✅ Done.",
                count,
            )
            if count
            else t._("📷 Send photos or videos if you have some, or tap ✅ Done.")
        )
        label = t.p_("button", "✅ Done") if count else t.p_("button", "⏭ No photos")
        rows = [[_button(draft, label, DONE)]]
    elif step == "review":
        head, foot = t._("📋 Check the report:"), t._("Send it?")
        around = utf16_length("\n".join([head, *review_lines(context, draft, 0), foot]))
        room = min(REVIEW_DESCRIPTION, MAX_TEXT - REVIEW_MARGIN - around)
        question = "\n".join([head, *review_lines(context, draft, room), foot])
        edits = [
            ("kind", t.p_("button", "✏️ Type")),
            ("when", t.p_("button", "✏️ When")),
            ("where", t.p_("button", "✏️ Where")),
            ("people", t.p_("button", "✏️ People")),
            ("description", t.p_("button", "✏️ Description")),
            ("media", t.p_("button", "✏️ Photos")),
        ]
        rows = [
            *_rows([_button(draft, label, value) for value, label in edits], 3),
            [_button(draft, t.p_("button", "✅ Send the report"), CONFIRM)],
        ]
    else:  # consent
        question = t._(
            "⚖️ May we give your name if this report goes to the Défenseur des droits or a "
            "court? Without your yes, it stays anonymous."
        )
        rows = _yes_no(t, draft)
    if step in ("when_time", "when_date", "where", "people", "description", "media"):
        question = "\n".join([kind_label(t, draft.kind or "other"), question])
    return question, [*rows, cancel]


def _private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


async def _edit_pressed(
    update: Update, context: BotContext, text: str, keyboard: Keyboard
) -> bool:
    """Answer a press by editing its message (protected, no copy kept); False if no press."""
    query = update.callback_query
    if query is None or query.message is None:
        return False
    await context.answer(update)
    await context.services.outbox.edit_text(
        query.message.chat.id,
        query.message.message_id,
        text,
        keyboard=keyboard,
        ephemeral=True,
        protect=True,
    )
    return True


async def _show(
    update: Update, context: BotContext, draft: IncidentDraft, *, prefix: str | None = None
) -> None:
    """Show the form: the pressed message edited, else a new protected message."""
    text, keyboard = render(context, draft)
    if prefix:
        text = prefix + "\n" + text
    if await _edit_pressed(update, context, text, keyboard):
        return
    chat = update.effective_chat
    if chat is not None:
        ref = draft.next_ref()
        # Ephemeral: the outbox keeps no copy of the text once sent (the database must not
        # hold a report's details in clear).
        await context.services.outbox.send_text(
            chat.id, text, keyboard=keyboard, protect=True, ref=ref, ephemeral=True
        )
        # The ref is kept with the draft, to delete the message once the report is filed.
        await context.services.incidents.save_draft(context.user, draft)


async def incident(update: Update, context: BotContext) -> None:
    """Start a report, or resume the one left half-way."""
    services = context.services
    t = context.t
    try:
        if not context.user.has(Role.VOLUNTEER):
            raise NotAllowed
        services.incidents.require()
        if not _private(update):
            # Never in a group: the chat would show the details to everyone.
            await context.reply(update, t._("ℹ️ Write to me privately for this."))
            return
        draft = await services.incidents.draft_of(context.user)
        resumed = draft is not None and draft.step != "kind"
        if draft is None or not resumed:
            draft = await services.incidents.start_draft(context.user)
    except DomainError as error:
        await refuse(update, context, error)
        return
    _note(draft, update.message)
    prefix = t._("↩️ Your unfinished report, where you left it.") if resumed else None
    await _show(update, context, draft, prefix=prefix)


def _note(draft: IncidentDraft, message: Message | None) -> None:
    """Remember a message of the person that is to go once the report is filed."""
    if message is not None and message.message_id not in draft.messages:
        draft.messages.append(message.message_id)


async def pressed(update: Update, context: BotContext) -> None:
    """Apply a pressed answer; Cancel drops the draft; the last answer files the report."""
    services = context.services
    incidents = services.incidents
    t = context.t
    query = update.callback_query
    try:
        step = IncidentStep.unpack(query.data if query else None)
        draft = await incidents.pressed_draft(context.user, step.draft, step.nonce)
        if step.step == CANCEL:
            await incidents.cancel(context.user, draft)
            # As at filing: the typed words, cleared from the inbox, leave the log too.
            await services.scheduler.schedule(JOB_CHECKPOINT, JOB_CHECKPOINT, services.clock.now())
            await _clear(context, draft, keep=_pressed_id(update))
            await context.edit(update, t._("❌ Cancelled: nothing was saved."))
            return
        if step.step == CONSENT and step.value in ("0", "1") and draft.step == "consent":
            row = await incidents.confirm(context.user, draft, name_reporter=step.value == "1")
            await _filed(update, context, draft, row)
            return
        if step.step == "where" and step.value not in _place_values(context, draft):
            raise DomainError("stale_button")  # a place of no list the person was shown
        draft = incidents.answer(draft, step.step, step.value)
        await incidents.save_draft(context.user, draft)
    except DomainError as error:
        if error.code in ("already_answered", "incident_description_empty", "incident_draft_gone"):
            await context.answer(update, error_text(t, error))
        else:
            await refuse(update, context, error)
        return
    await _show(update, context, draft)


def _place_values(context: BotContext, draft: IncidentDraft) -> set[str]:
    return {str(place) for place in context.services.planning.form_places(draft.antenna)}


def _pressed_id(update: Update) -> int | None:
    query = update.callback_query
    return query.message.message_id if query and query.message else None


async def _clear(context: BotContext, draft: IncidentDraft, *, keep: int | None) -> None:
    """Delete the form's messages, the person's and the bot's, but the one kept."""
    outbox = context.services.outbox
    chat_id = context.user.id
    ids = set(draft.messages)
    for ref in draft.refs:
        found = await outbox.where(ref)
        if found is not None:
            ids.add(found[1])
    for message_id in sorted(ids - {keep}):
        await outbox.delete_message(chat_id, message_id)


async def _filed(
    update: Update, context: BotContext, draft: IncidentDraft, row: IncidentRow
) -> None:
    t = context.t
    # Once this update is committed: the person's typed details, cleared from the inbox, must
    # not linger in older pages of the write-ahead log.
    services = context.services
    await services.scheduler.schedule(JOB_CHECKPOINT, JOB_CHECKPOINT, services.clock.now())
    await _clear(context, draft, keep=_pressed_id(update))
    text = t._(
        "✅ Report {reference} saved: {kind}, {day}. "
        "Its details were removed from this chat. Thank you.",
        reference=row.reference,
        kind=kind_label(t, row.kind),
        day=t.fmt_date(row.occurred_at),
    )
    await context.edit(update, text)


async def typed(update: Update, context: BotContext) -> bool:
    """A typed answer (time, day, place, number, description) for the person's draft; False
    (nothing changed) when no draft waits for one."""
    message = update.message
    if message is None or message.text is None:
        return False
    incidents = context.services.incidents
    draft = await incidents.typing_draft(context.user)
    if draft is None:
        return False
    _note(draft, message)
    try:
        draft = incidents.typed(draft, message.text)
    except DomainError as error:
        # Still waiting: the person reads what is wrong and types again.
        await incidents.save_draft(context.user, draft)
        await _show(update, context, draft, prefix=error_text(context.t, error))
        return True
    await incidents.save_draft(context.user, draft)
    await _show(update, context, draft)
    return True


async def location_shared(update: Update, context: BotContext) -> bool:
    """A shared location at the "where?" step."""
    message = update.message
    if message is None or message.location is None:
        return False
    incidents = context.services.incidents
    draft = await incidents.typing_draft(context.user)
    if draft is None or draft.step != "where":
        return False
    _note(draft, message)
    draft = incidents.located(draft, message.location.latitude, message.location.longitude)
    await incidents.save_draft(context.user, draft)
    await _show(update, context, draft)
    return True


def _media_of(message: Message) -> tuple[str, str | None]:
    """(kind, file_id) of what a message carries that a report keeps: a photo, a video, a
    file (a photo sent uncompressed), a voice or round video message, a recording."""
    if message.photo:
        return "photo", message.photo[-1].file_id
    for kind, media in (
        ("video", message.video),
        ("document", message.document),
        ("voice", message.voice),
        ("video", message.video_note),
        ("audio", message.audio),
    ):
        if media is not None:
            return kind, media.file_id
    return "", None


async def media_received(update: Update, context: BotContext) -> bool:
    """A photo or video for the person's draft, at its description or media step."""
    message = update.message
    if message is None or not _private(update):
        return False
    kind, file_id = _media_of(message)
    if file_id is None:
        return False
    incidents = context.services.incidents
    if incidents.status != READY or not context.user.has(Role.VOLUNTEER):
        return False
    draft = await incidents.draft_of(context.user)
    if draft is None:
        return False
    # At any step: sent early or late, it is kept, and deleted from the chat with the rest.
    _note(draft, message)
    try:
        draft = incidents.media_added(draft, kind, file_id, message.caption)
    except DomainError as error:
        await incidents.save_draft(context.user, draft)
        await _show(update, context, draft, prefix=error_text(context.t, error))
        return True
    await incidents.save_draft(context.user, draft)
    kept = None if draft.step == "media" else context.t._("📷 Kept with the report.")
    await _show(update, context, draft, prefix=kept)
    return True


JOB_CHECKPOINT = "incident_checkpoint"


async def checkpoint_job(job: Job, services: Services) -> Commit | None:
    """Empty the database's write-ahead log (run outside any transaction)."""
    if not await services.storage.db.checkpoint():
        log.info("the write-ahead log could not be emptied entirely (a reader held it)")
    return None


JOB_FORGET_READ = "incident_forget_read"
# How long a report opened with 🔎 stays in the reader's chat.
READ_SHOWN = timedelta(hours=1)


async def forget_read_job(job: Job, services: Services) -> Commit | None:
    """Delete the messages that showed a report in full (🔎), an hour after."""
    chat_id = int(job.payload["chat"])
    for ref in job.payload["refs"]:
        found = await services.outbox.where(str(ref))
        if found is not None:
            await services.outbox.delete_message(chat_id, found[1])
    return None


JOBS: dict[str, JobHandler] = {
    JOB_CHECKPOINT: checkpoint_job,
    JOB_FORGET_READ: forget_read_job,
}
DETACHED = frozenset({JOB_CHECKPOINT})


# /incidents: the reports the caller may see; /audit: who read what.

PERIODS = ("all", "week", "month", "year")
AUDIT_PAGE = 20


async def _send_protected(update: Update, context: BotContext, text: str, kb: Keyboard) -> None:
    """Edit the pressed message, or send a new one; details are never forwardable."""
    if await _edit_pressed(update, context, text, kb):
        return
    chat = update.effective_chat
    if chat is not None:
        await context.services.outbox.send_text(
            chat.id, text, keyboard=kb, protect=True, ephemeral=True
        )


def _period_label(t: Translator, period: str) -> str:
    labels = {
        "all": t.p_("button", "All time"),
        "week": t.p_("button", "This week"),
        "month": t.p_("button", "This month"),
        "year": t.p_("button", "This year"),
    }
    return labels.get(period, period)


async def incidents_list(update: Update, context: BotContext) -> None:
    """List the reports the caller may see: /incidents [kind] [period]."""
    kind = ""
    words = []
    for word in numeric_words(context.args or []):
        if word.lower() in KINDS and not kind:
            kind = word.lower()
        else:
            words.append(word)
    await _listing(update, context, kind, " ".join(words) or "all", 0)


async def list_pressed(update: Update, context: BotContext) -> None:
    """Another page, kind or period of /incidents."""
    query = update.callback_query
    try:
        data = IncidentList.unpack(query.data if query else None)
    except DomainError as error:
        await refuse(update, context, error)
        return
    await _listing(update, context, data.kind, data.period, data.page)


async def _listing(update: Update, context: BotContext, kind: str, period: str, page: int) -> None:
    services = context.services
    t = context.t
    try:
        if not context.user.has(Role.VOLUNTEER):
            raise NotAllowed
        services.incidents.require()
        if not _private(update):
            await context.reply(update, t._("ℹ️ Write to me privately for this."))
            return
        since = until = None
        if period != "all":
            span = parse_period(period, services.clock.now(), services.settings.tz)
            since, until = span.since, span.until
            if period not in PERIODS:
                # Written in full in the buttons: a typed word may not fit in 64 bytes.
                period = f"{span.first_day.isoformat()}..{span.last_day.isoformat()}"
        rows, total = await services.incidents.listing(
            context.user,
            kind=kind or None,
            since=since,
            until=until,
            page=page,
            detail=f"kind {kind or 'all'}, period {period}",
        )
    except DomainError as error:
        await refuse(update, context, error)
        return
    lines = [t.n_("🗂️ {n} report", "🗂️ {n} reports", total)]
    buttons: Keyboard = []
    for row in rows:
        lines.append(
            f"{escape(row.reference)} · {kind_label(t, row.kind)} · "
            + t.fmt_datetime(row.occurred_at, "short")
        )
        buttons.append([Button("🔎 " + row.reference, data=IncidentOpen(row.id).pack())])
    nav = []
    if page > 0:
        nav.append(Button("◀️", data=IncidentList(kind, period, page - 1).pack()))
    if (page + 1) * PAGE < total:
        nav.append(Button("▶️", data=IncidentList(kind, period, page + 1).pack()))
    if nav:
        buttons.append(nav)
    kinds = [Button(t.p_("button", "All types"), data=IncidentList("", period, 0).pack())]
    kinds += [
        Button(kind_label(t, code), data=IncidentList(code, period, 0).pack()) for code in KINDS
    ]
    buttons += _rows([b for b in kinds if b.data != IncidentList(kind, period, 0).pack()], 2)
    buttons.append(
        [
            Button(_period_label(t, code), data=IncidentList(kind, code, 0).pack())
            for code in PERIODS
            if code != period
        ]
    )
    await _send_protected(update, context, "\n".join(lines), buttons)


def detail_text(context: BotContext, report: Incident) -> str:
    """A report in full (only ever sent protected, to someone entitled)."""
    t = context.t
    row = report.row
    shown = IncidentDraft(
        row.id,
        "",
        row.antenna,
        kind=row.kind,
        occurred_at=row.occurred_at,
        details=report.details,
    )
    lines = [f"<b>{escape(row.reference)}</b>", *review_lines(context, shown)]
    lines.append(
        t._("⚖️ The reporter may be named.")
        if row.name_reporter
        else t._("⚖️ Anonymous: the reporter is not to be named.")
    )
    return "\n".join(lines)


async def open_pressed(update: Update, context: BotContext) -> None:
    """Show one report in full to someone entitled to it (the read is audited)."""
    query = update.callback_query
    try:
        data = IncidentOpen.unpack(query.data if query else None)
        if not _private(update):
            raise NotAllowed
        report = await context.services.incidents.read(context.user, data.incident)
    except DomainError as error:
        await refuse(update, context, error)
        return
    await context.answer(update)
    chat = update.effective_chat
    if chat is None:
        return
    # Not left readable on the phone: each part named, and deleted after a while.
    services = context.services
    text = "\n".join(
        [detail_text(context, report), context.t._("🕒 Deleted from this chat in an hour.")]
    )
    token = secrets.token_hex(4)
    refs = []
    for number, part in enumerate(split_text(text)):
        refs.append(f"incread:{token}:{number}")
        await services.outbox.send_text(chat.id, part, protect=True, ephemeral=True, ref=refs[-1])
    await services.scheduler.schedule(
        JOB_FORGET_READ,
        f"incread:{token}",
        services.clock.now() + READ_SHOWN,
        {"chat": chat.id, "refs": refs},
    )


async def audit(update: Update, context: BotContext) -> None:
    """Show who created, listed and read which report: /audit (coordinators, admins)."""
    await _audit_page(update, context, None)


async def audit_pressed(update: Update, context: BotContext) -> None:
    """Older entries of /audit."""
    query = update.callback_query
    try:
        data = AuditPage.unpack(query.data if query else None)
    except DomainError as error:
        await refuse(update, context, error)
        return
    await _audit_page(update, context, data.before)


async def _audit_page(update: Update, context: BotContext, before: int | None) -> None:
    services = context.services
    t = context.t
    try:
        if not _private(update) and context.user.has(Role.COORDINATOR):
            await context.reply(update, t._("ℹ️ Write to me privately for this."))
            return
        entries = await services.incidents.audit_log(
            context.user, limit=AUDIT_PAGE, before_id=before
        )
    except DomainError as error:
        await refuse(update, context, error)
        return
    lines = [t._("🧾 Incident audit log, newest first:")]
    for entry in entries:
        who = await services.storage.users.get(entry.actor_id) if entry.actor_id else None
        name = person_name(who) if who else (str(entry.actor_id) if entry.actor_id else "—")
        reference = await services.incidents.reference_of(entry.incident_id)
        lines.append(
            " · ".join(
                [
                    t.fmt_datetime(entry.at, "short"),
                    t.value(name),
                    escape(entry.action),
                    escape(reference or ""),
                ]
            ).rstrip(" ·")
        )
    if not entries:
        lines.append(t._("Nothing recorded yet."))
    keyboard: Keyboard = []
    if len(entries) == AUDIT_PAGE:
        keyboard = [[Button(t.p_("button", "◀️ Older"), data=AuditPage(entries[-1].id).pack())]]
    await _send_protected(update, context, "\n".join(lines), keyboard)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CommandHandler("incident", incident),
        CommandHandler("incidents", incidents_list),
        CommandHandler("audit", audit),
        CallbackQueryHandler(pressed, pattern=IncidentStep.pattern()),
        CallbackQueryHandler(list_pressed, pattern=IncidentList.pattern()),
        CallbackQueryHandler(open_pressed, pattern=IncidentOpen.pattern()),
        CallbackQueryHandler(audit_pressed, pattern=AuditPage.pattern()),
    ]
