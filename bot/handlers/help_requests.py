"""“I need help”: the person's few taps, the team's anonymised alert, the relay (SPEC §2, §6).

The alert names the need, the language and the time, never the person: the team answers
through the bot, which copies texts (never forwards them), so neither side sees the other's
account. Relayed texts leave no row behind once sent, and are never logged.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import (
    HelpBlock,
    HelpCancel,
    HelpClose,
    HelpEnd,
    HelpNeed,
    HelpTake,
    HelpWrite,
    MenuTopic,
    StaleButton,
)
from bot.context import BotContext, Services
from bot.handlers.common import menu_button, point_to_private_chat
from bot.i18n import LANGUAGES, Markup, Translator, escape, pN_
from bot.jobs import JobHandler
from bot.services import help as help_rules
from bot.services.help import DRAFT_KEEP, JOB_REALERT, JOB_RETENTION, NEEDS
from bot.services.numerals import numeric_words
from bot.services.outbox import (
    REMOVE_REPLY_KEYBOARD,
    URGENT,
    Button,
    Keyboard,
    ReplyButton,
    ReplyKeyboard,
    utf16_length,
)
from bot.storage.models import HelpRequest, Job, Role, User

log = logging.getLogger(__name__)

NEED_LABELS: dict[str, tuple[str, str]] = {
    "medical": pN_("button", "🏥 Medical care"),
    "shelter": pN_("button", "🛏️ A place to sleep tonight"),
    "legal": pN_("button", "⚖️ Legal problem"),
    "minor": pN_("button", "🧒 I am under 18 and alone"),
    "other": pN_("button", "🙋 Something else"),
}
# A relayed text stays within one Telegram message, header included, once escaped.
RELAY_BUDGET = 3800
SKIP_WORDS = frozenset({"skip", "passer", "⏭"})


def need_label(t: Translator, need: str) -> str:
    label = NEED_LABELS.get(need)
    return t.marked(label) if label else escape(need)


def language_text(locale: str) -> str:
    language = LANGUAGES.get(locale)
    return f"{language.native_name} ({locale})" if language else locale


def relay_body(header: str, text: str) -> str:
    """The header and the text, escaped, trimmed to fit one message."""
    raw = text.strip()
    body = f"{header}\n{escape(raw)}"
    while utf16_length(body) > RELAY_BUDGET and raw:
        raw = raw[: max(0, len(raw) - max(50, len(raw) // 10))]
        body = f"{header}\n{escape(raw)}…"
    return body


# --- the person ---------------------------------------------------------------------------


def need_keyboard(t: Translator) -> Keyboard:
    rows = [[Button(need_label(t, need), data=HelpNeed(need).pack())] for need in NEEDS]
    return rows + menu_button(t)


def location_keyboard(t: Translator) -> ReplyKeyboard:
    return ReplyKeyboard(
        [
            [ReplyButton(t.p_("button", "📍 Send my location"), request_location=True)],
            [ReplyButton(t.p_("button", "⏭ Skip"))],
        ]
    )


def cancel_keyboard(t: Translator, request: HelpRequest) -> Keyboard:
    return [
        [Button(t.p_("button", "❌ Cancel my request"), data=HelpCancel(request.id).pack())],
        *menu_button(t),
    ]


async def _refused_before_start(update: Update, context: BotContext) -> bool:
    """One open request at a time, a few a day: say so (and change nothing)."""
    t = context.t
    services = context.services
    active = await services.help.active(context.user)
    if active is not None:
        text = t._("ℹ️ Your request number {n} is open. The team knows.", n=active.id)
        await context.reply(update, text, cancel_keyboard(t, active))
        return True
    if await services.help.over_limit(context.user):
        text = t._(
            "ℹ️ You already asked for help today. The team knows. In an emergency, call {number}.",
            number=t.phone("112"),
        )
        await context.reply(update, text, menu_button(t))
        return True
    return False


async def in_private(update: Update, context: BotContext) -> bool:
    """The help flow runs in a private chat only (its location button, the person's own
    words): in a group, point to the private chat and change nothing."""
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE:
        return True
    await point_to_private_chat(update, context)
    return False


async def need_step(update: Update, context: BotContext) -> None:
    """Step 1: what is needed (the antenna is already known)."""
    if not await in_private(update, context) or await _refused_before_start(update, context):
        return
    t = context.t
    text = t._("🙋 What do you need? Tap one button.")
    await context.reply(update, text, need_keyboard(t))


async def need_chosen(update: Update, context: BotContext) -> None:
    """Step 2: offer to share the location (Telegram's button), or skip."""
    t = context.t
    try:
        need = HelpNeed.unpack(update.callback_query.data if update.callback_query else "").need
    except StaleButton:
        need = ""
    if need not in NEEDS:
        await context.answer(
            update, t._("This button is no longer valid. Send /menu."), alert=True
        )
        return
    if not await in_private(update, context) or await _refused_before_start(update, context):
        return
    services = context.services
    await services.help.begin(context.user, need)
    await context.edit(update, t._("✅ {need}", need=need_label(t, need)))
    chat = update.effective_chat
    if chat is not None:
        text = t._("📍 Can you share where you are? It helps the team find you. Or tap “Skip”.")
        await services.outbox.send_text(chat.id, text, reply_keyboard=location_keyboard(t))


async def location_shared(update: Update, context: BotContext) -> bool:
    """A person at step 2 shared their location: the request goes to the team."""
    message = update.message
    if message is None or message.location is None:
        return False
    need = await context.services.help.waiting_need(context.user)
    if need is None:
        return False
    location = (message.location.latitude, message.location.longitude)
    await _submit(update, context, need, location)
    return True


async def late_location_shared(update: Update, context: BotContext) -> bool:
    """A location from the location step's button, after its first hours (the phone died):
    the request still goes, within DRAFT_KEEP; later, the person is told it did not."""
    message = update.message
    if message is None or message.location is None:
        return False
    services = context.services
    need = await services.help.waiting_need(context.user, DRAFT_KEEP)
    if need is not None:
        location = (message.location.latitude, message.location.longitude)
        await _submit(update, context, need, location)
        return True
    if await services.storage.drafts.latest(context.user.id, help_rules.DRAFT) is None:
        return False
    await _not_sent(update, context)
    return True


def keyboard_texts(services: Services) -> frozenset[str]:
    """The location step's own button texts, in every language (casefolded): a client
    without the location button sends its text."""
    texts = set()
    for locale in LANGUAGES:
        t = services.translator(locale)
        texts.add(t.p_("button", "⏭ Skip").casefold())
        texts.add(t.p_("button", "📍 Send my location").casefold())
    return frozenset(texts)


async def _not_sent(update: Update, context: BotContext) -> None:
    """The location step was lost (too old): say so, remove its keyboard, offer to ask."""
    services = context.services
    t = context.t
    chat = update.effective_chat
    await services.help.drop_draft(context.user)
    if chat is None:
        return
    text = t._("⚠️ Your help request was not sent: it waited too long.")
    await services.outbox.send_text(chat.id, text, reply_keyboard=REMOVE_REPLY_KEYBOARD)
    again = t._("🙋 To ask for help, tap the button.")
    label = t.p_("button", "🙋 I need help")
    button = Button(label, data=MenuTopic("help").pack())
    await services.outbox.send_text(chat.id, again, keyboard=[[button], *menu_button(t)])


async def skip_typed(update: Update, context: BotContext) -> bool:
    """A person at step 2 typed (or tapped) "Skip"; anything else asks again. Later, only the
    step's own buttons are read: the request still goes (or they are told it did not)."""
    message = update.message
    if message is None or message.text is None:
        return False
    services = context.services
    typed = message.text.strip().casefold()
    own_button = typed in keyboard_texts(services) or typed.startswith("⏭")
    need = await services.help.waiting_need(context.user)
    if need is None:
        if not own_button or await services.help.active(context.user) is not None:
            return False
        late = await services.help.waiting_need(context.user, DRAFT_KEEP)
        if late is None:
            await _not_sent(update, context)
        else:
            await _submit(update, context, late, None)
        return True
    t = context.t
    skip = t.p_("button", "⏭ Skip").casefold()
    if typed == skip or typed in SKIP_WORDS or typed.startswith("⏭") or own_button:
        await _submit(update, context, need, None)
        return True
    text = t._("📍 Tap “Send my location”, or “Skip”.")
    chat = update.effective_chat
    if chat is not None:
        await context.services.outbox.send_text(chat.id, text, reply_keyboard=location_keyboard(t))
    return True


async def _submit(
    update: Update, context: BotContext, need: str, location: tuple[float, float] | None
) -> None:
    services = context.services
    t = context.t
    user = context.user
    chat = update.effective_chat
    if chat is None:
        return
    await services.help.drop_draft(user)
    told = t._("✅ The team was told.")
    if await services.help.blocked(user):
        # Blocked by a coordinator: they read the same words, and nothing reaches the team.
        await services.outbox.send_text(chat.id, told, reply_keyboard=REMOVE_REPLY_KEYBOARD)
        # The emergency number stays theirs, whatever they did.
        emergency = t._(
            "📱 Keep your phone on. In an emergency, call {number}.", number=t.phone("112")
        )
        await services.outbox.send_text(chat.id, emergency, keyboard=menu_button(t))
        return
    if await services.help.active(user) is not None:
        await services.outbox.send_text(
            chat.id, t._("ℹ️ The team already knows."), reply_keyboard=REMOVE_REPLY_KEYBOARD
        )
        return
    if await services.help.over_limit(user):
        text = t._(
            "⚠️ Your request was not sent: you already asked for help today. "
            "In an emergency, call {number}.",
            number=t.phone("112"),
        )
        await services.outbox.send_text(chat.id, text, reply_keyboard=REMOVE_REPLY_KEYBOARD)
        return
    antenna = user.antenna or (await services.users.antenna_of(user)).code
    request = await services.help.create(user, antenna, need, t.locale, location)
    await alert_team(services, request)
    first = told + "\n" + t._("🔢 Your request number: {n}.", n=request.id)
    await services.outbox.send_text(chat.id, first, reply_keyboard=REMOVE_REPLY_KEYBOARD)
    second = (
        t._("🙋 Someone from the team will write to you here, or come.")
        + "\n"
        + t._("📱 Keep your phone on. In an emergency, call {number}.", number=t.phone("112"))
    )
    await services.outbox.send_text(chat.id, second, keyboard=cancel_keyboard(t, request))


async def cancelled_by_person(update: Update, context: BotContext) -> None:
    t = context.t
    request = await _pressed(update, context, HelpCancel)
    if request is None:
        return
    if request.user_id != context.user.id:
        await _toast(update, context, t._("This button is no longer valid. Send /menu."))
        return
    services = context.services
    if not await services.help.close(request, "cancelled"):
        await context.edit(update, t._("ℹ️ This request is already closed."), menu_button(t))
        return
    await context.edit(update, t._("✅ Your request is cancelled."), menu_button(t))
    await refresh_alerts(services, request.id)
    await _tell_owner(services, request, "cancelled")


# --- the alert ----------------------------------------------------------------------------


async def _owner(services: Services, request: HelpRequest) -> User | None:
    return await services.users.get(request.owner_id) if request.owner_id else None


def render_alert(
    t: Translator,
    request: HelpRequest,
    owner: User | None,
    *,
    blocked: bool,
    on_shift: list[str] | None = None,
) -> tuple[str, Keyboard]:
    """The team's view of a request: what, which language, when; never who."""
    lines = [
        t._("🆘 Help request number {n}", n=request.id),
        t._("Need: {need}", need=need_label(t, request.need)),
        t._("Language: {language}", language=language_text(request.locale)),
        t._("Asked at {time}", time=t.fmt_time(request.created_at)),
    ]
    if request.latitude is not None:
        lines.append(t._("📍 Location shared: see the pin."))
    if on_shift is not None:
        names = Markup(", ".join(t.value(name) for name in on_shift))
        lines.insert(0, t._("🔁 Still nobody has taken it."))
        lines.append(
            t._("🟢 On shift now: {names}", names=names)
            if on_shift
            else t._("🟢 Nobody is on shift now.")
        )
    close = Button(t.p_("button", "✖ Close"), data=HelpClose(request.id).pack())
    block = Button(t.p_("button", "⛔ Block"), data=HelpBlock(request.id, True).pack())
    keyboard: Keyboard = []
    if request.status == "open":
        take = Button(t.p_("button", "🙋 I'll take it"), data=HelpTake(request.id).pack())
        keyboard = [[take], [close, block]]
    elif request.status == "taken":
        name = owner.display_name if owner and owner.display_name else t._("a volunteer")
        lines.append(t._("🙋 Taken by {name} at {time}.", name=name, time=_time(t, request)))
        write = Button(t.p_("button", "✉ Write"), data=HelpWrite(request.id).pack())
        keyboard = [[write], [close, block]]
    elif request.status == "cancelled":
        lines.append(t._("❌ Cancelled by the person."))
    else:
        lines.append(t._("✅ Closed."))
    if blocked:
        lines.append(t._("⛔ The person is blocked: their requests no longer reach the team."))
        keyboard = [
            [Button(t.p_("button", "🔓 Unblock"), data=HelpBlock(request.id, False).pack())]
        ]
    return "\n".join(lines), keyboard


def _time(t: Translator, request: HelpRequest) -> Markup:
    return t.fmt_time(request.taken_at) if request.taken_at else Markup("")


async def _send_alert(
    services: Services,
    request: HelpRequest,
    targets: list[tuple[int, Translator]],
    on_shift: list[str] | None = None,
) -> None:
    team_chat = (await services.users.antenna(request.antenna)).team_chat_id
    for chat_id, t in targets:
        if chat_id == team_chat:
            await services.help.posted_to_team(request.antenna)
        text, keyboard = render_alert(t, request, None, blocked=False, on_shift=on_shift)
        # A counter, never a chat id: the row must not name anyone.
        ref = f"help:{request.id}:{len(request.alerts)}"
        request = _with_alert(request, ref, t.locale)
        await services.outbox.send_text(chat_id, text, keyboard=keyboard, priority=URGENT, ref=ref)
        await services.storage.help.add_alert(request.id, ref, t.locale)
        if request.latitude is not None and request.longitude is not None:
            await services.outbox.send_location(
                chat_id, request.latitude, request.longitude, priority=URGENT
            )


def _with_alert(request: HelpRequest, ref: str, locale: str) -> HelpRequest:
    return replace(request, alerts=[*request.alerts, (ref, locale)])


async def _team_targets(services: Services, antenna: str) -> list[tuple[int, Translator]]:
    """The antenna's team chat; without one, its coordinators and the admins, privately."""
    responders = await services.users.responders(antenna)
    if responders.team_chat_id is not None:
        return [(responders.team_chat_id, services.translator(None))]
    return await _people_targets(services, antenna)


async def _people_targets(services: Services, antenna: str) -> list[tuple[int, Translator]]:
    responders = await services.users.responders(antenna)
    targets = [(chat_id, services.translator_for(user)) for chat_id, user in responders.people]
    if not targets:
        log.error("a help request for antenna %s reached nobody", antenna)
    return targets


async def _team_or_people(services: Services, antenna: str) -> list[tuple[int, Translator]]:
    """The team chat, unless it already got its share of help alerts this hour."""
    if await services.help.team_posts_this_hour(antenna) >= help_rules.TEAM_CHAT_PER_HOUR:
        return await _people_targets(services, antenna)
    return await _team_targets(services, antenna)


async def alert_team(services: Services, request: HelpRequest) -> None:
    posts = await services.help.team_posts_this_hour(request.antenna)
    if posts == help_rules.TEAM_CHAT_PER_HOUR:
        # Said as the cap is reached (the notice counts as a post: said once): where the next
        # alerts go.
        team_chat = (await services.users.antenna(request.antenna)).team_chat_id
        if team_chat is not None:
            t = services.translator(None)
            notice = t._(
                "⚠️ {n} help requests in the last hour. The next ones go to the "
                "coordinators privately, for an hour.",
                n=await services.help.requests_this_hour(request.antenna),
            )
            await services.outbox.send_text(team_chat, notice, priority=URGENT)
            await services.help.posted_to_team(request.antenna)
    await _send_alert(services, request, await _team_or_people(services, request.antenna))


async def refresh_alerts(services: Services, request_id: int) -> None:
    """Bring every message showing the request up to date (taken, closed, blocked)."""
    request = await services.help.get(request_id)
    if request is None:
        return
    owner = await _owner(services, request)
    blocked = await services.storage.help.blocked_by_request(request.id)
    for ref, locale in request.alerts:
        where = await services.outbox.where(ref)
        if where is None:
            continue  # never sent (the chat was unreachable): nothing to edit
        t = services.translator(locale)
        text, keyboard = render_alert(t, request, owner, blocked=blocked)
        await services.outbox.edit_ref(where[0], ref, text, keyboard=keyboard)


async def _on_shift_names(services: Services, antenna: str) -> list[str]:
    names = []
    for shift in await services.storage.shifts.running_in(antenna):
        user = await services.users.get(shift.user_id) if shift.user_id else None
        if user is not None and user.display_name:
            names.append(user.display_name)
    return names


async def realert_job(job: Job, services: Services) -> None:
    """Nobody took it: once more to the team (naming who is on shift), then privately to the
    antenna's coordinators and admins. Then it stays quiet: the team chat is never flooded."""
    request = await services.help.get(int(job.payload.get("request", 0)))
    if request is None or request.status != "open":
        return
    round_ = int(job.payload.get("round", 1))
    on_shift = await _on_shift_names(services, request.antenna)
    if round_ <= 1:
        targets = await _team_or_people(services, request.antenna)
    else:
        targets = await _people_targets(services, request.antenna)
    await _send_alert(services, request, targets, on_shift=on_shift)
    await services.help.next_round(request, round_)


async def retention_job(job: Job, services: Services) -> None:
    """Daily: requests older than RETENTION_DAYS keep no person and no place."""
    count = await services.help.anonymise()
    if count:
        log.info("anonymised %d help requests", count)
    await services.help.schedule_retention()


# --- the team's buttons -------------------------------------------------------------------


async def _toast(update: Update, context: BotContext, text: str) -> None:
    await context.answer(update, text, alert=True)


async def _pressed(
    update: Update,
    context: BotContext,
    kind: type[HelpCancel | HelpTake | HelpClose | HelpWrite | HelpEnd],
) -> HelpRequest | None:
    try:
        request_id = kind.unpack(update.callback_query.data if update.callback_query else "")
    except StaleButton:
        request_id = None
    request = await context.services.help.get(request_id.request) if request_id else None
    if request is None:
        await _toast(update, context, context.t._("This button is no longer valid. Send /menu."))
    return request


async def take(update: Update, context: BotContext) -> None:
    t = context.t
    services = context.services
    request = await _pressed(update, context, HelpTake)
    if request is None:
        return
    actor = context.user
    if not services.help.in_team(actor, request) or request.user_id == actor.id:
        await _toast(update, context, t._("🔒 Sorry, this is only for the team of this town."))
        return
    if request.status == "taken":
        if request.owner_id == actor.id:
            await _toast(update, context, t._("ℹ️ You already took it."))
        else:
            await _toast(update, context, t._("ℹ️ Someone already took it. Thank you."))
        return
    if request.status != "open" or not await services.help.take(actor, request):
        await _toast(update, context, t._("ℹ️ This request is already closed."))
        return
    await context.answer(update, t._("✅ It is yours. Tap “✉ Write” to write to the person."))
    await refresh_alerts(services, request.id)
    if request.user_id is not None:
        person = await services.users.get(request.user_id)
        pt = services.translator_for(person)
        text = pt._("🙋 A volunteer saw your request number {n}.", n=request.id) + "\n"
        text += pt._("They will write to you here, or come. You can write to them here too.")
        await services.outbox.send_text(request.user_id, text, priority=URGENT)


async def close(update: Update, context: BotContext) -> None:
    t = context.t
    services = context.services
    request = await _pressed(update, context, HelpClose)
    if request is None:
        return
    actor = context.user
    owner = (
        request.status == "taken" and request.owner_id == actor.id and actor.has(Role.VOLUNTEER)
    )
    if not (owner or services.help.coordinates(actor, request)):
        await _toast(
            update,
            context,
            t._("🔒 Only the volunteer who took it, or a coordinator, can close it."),
        )
        return
    if not await services.help.close(request):
        await _toast(update, context, t._("ℹ️ This request is already closed."))
        return
    await context.answer(update, t._("✅ Closed."))
    await refresh_alerts(services, request.id)
    await _tell_person(services, request, "closed")
    if request.owner_id != actor.id:
        await _tell_owner(services, request, "closed")  # a coordinator closed it


async def block(update: Update, context: BotContext) -> None:
    t = context.t
    services = context.services
    try:
        data = HelpBlock.unpack(update.callback_query.data if update.callback_query else "")
    except StaleButton:
        data = None
    request = await services.help.get(data.request) if data else None
    if data is None or request is None:
        await _toast(update, context, t._("This button is no longer valid. Send /menu."))
        return
    if not services.help.coordinates(context.user, request):
        await _toast(update, context, t._("🔒 Only a coordinator can block or unblock."))
        return
    if data.block:
        if request.user_id is None:
            await _toast(update, context, t._("ℹ️ This person's data was erased."))
            return
        was_taken = request.status == "taken"
        await services.help.block(request)
        await context.answer(update, t._("⛔ Blocked. Their requests no longer reach the team."))
        if was_taken:
            await _tell_owner(services, request, "closed")
    else:
        if not await services.storage.help.unblock_request(request.id):
            await _toast(update, context, t._("ℹ️ Not blocked."))
            return
        await context.answer(update, t._("🔓 Unblocked."))
    await refresh_alerts(services, request.id)


# --- the relay ----------------------------------------------------------------------------


async def write(update: Update, context: BotContext) -> None:
    """ "✉ Write": the owner's next private message goes to the person."""
    request = await _pressed(update, context, HelpWrite)
    if request is not None:
        await _start_writing(update, context, request)


async def reply_command(update: Update, context: BotContext) -> None:
    """/reply N: as the "✉ Write" button of request N."""
    t = context.t
    if not context.user.has(Role.VOLUNTEER):
        # The same answer whether the number exists or not.
        text = t._("🔒 Only the volunteer who took this open request can write to the person.")
        await context.reply(update, text)
        return
    args = numeric_words(context.args or [])
    number = args[0].lstrip("#") if args else ""
    request = None
    if re.fullmatch(r"[0-9]{1,9}", number):
        request = await context.services.help.get(int(number))
    if request is None:
        await context.reply(update, t._("Usage: /reply NUMBER, the number of a help request."))
        return
    await _start_writing(update, context, request)


async def _start_writing(update: Update, context: BotContext, request: HelpRequest) -> None:
    t = context.t
    services = context.services
    actor = context.user
    if (
        request.status != "taken"
        or request.owner_id != actor.id
        or request.user_id is None
        or not actor.has(Role.VOLUNTEER)
    ):
        text = t._("🔒 Only the volunteer who took this open request can write to the person.")
        if update.callback_query is not None:
            await _toast(update, context, text)
        else:
            await context.reply(update, text)
        return
    if request.ended_by_person:
        # Their choice: the volunteer does not reopen it (the person can ask again).
        text = t._("🔚 The person of request {n} ended the conversation.", n=request.id)
        if update.callback_query is not None:
            await _toast(update, context, text)
        else:
            await context.reply(update, text)
        return
    await services.help.start_writing(actor, request)
    await context.answer(update)
    prompt = t._(
        "✍️ Write your message to the person of request {n} now. I will send it as from "
        "the team: they will not see your name or account.",
        n=request.id,
    )
    await services.outbox.send_text(actor.id, prompt)
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE and update.callback_query is None:
        await point_to_private_chat(update, context)


def owner_keyboard(t: Translator, request: HelpRequest) -> Keyboard:
    return [
        [
            Button(t.p_("button", "✉ Write"), data=HelpWrite(request.id).pack()),
            Button(t.p_("button", "🔚 End conversation"), data=HelpEnd(request.id).pack()),
        ]
    ]


def person_keyboard(t: Translator, request: HelpRequest) -> Keyboard:
    return [[Button(t.p_("button", "🔚 End conversation"), data=HelpEnd(request.id).pack())]]


async def owner_typed(update: Update, context: BotContext) -> bool:
    """The owner's text after "✉ Write": copied to the person (never forwarded)."""
    message = update.message
    if message is None or message.text is None or not context.user.has(Role.VOLUNTEER):
        return False
    services = context.services
    request = await services.help.writing(context.user)
    if request is None or request.user_id is None:
        return False
    person = await services.users.get(request.user_id)
    pt = services.translator_for(person)
    body = relay_body(pt._("💬 Message from the team:"), message.text)
    await services.outbox.send_text(
        request.user_id, body, keyboard=person_keyboard(pt, request), ephemeral=True
    )
    t = context.t
    await context.reply(
        update,
        t._("✅ Sent to the person of request {n}.", n=request.id),
        owner_keyboard(t, request),
    )
    return True


async def person_typed(update: Update, context: BotContext) -> bool:
    """A person's text while their request is taken: copied to its owner."""
    message = update.message
    if message is None or message.text is None:
        return False
    request = await context.services.help.active(context.user)
    if request is None:
        return False
    owner = await _relay_owner(update, context, request)
    if owner is None:
        return True
    ot = context.services.translator_for(owner)
    header = ot._("💬 Request {n}, the person writes:", n=request.id)
    await context.services.outbox.send_text(
        owner.id,
        relay_body(header, message.text),
        keyboard=owner_keyboard(ot, request),
        ephemeral=True,
    )
    t = context.t
    await context.reply(update, t._("✅ Sent to the team."), person_keyboard(t, request))
    return True


async def _relay_owner(update: Update, context: BotContext, request: HelpRequest) -> User | None:
    """The volunteer the person's message may go to: the request's owner, still in the team,
    with the conversation open. Otherwise the person is told why not, and None returned."""
    services = context.services
    t = context.t
    owner = await _owner(services, request) if request.status == "taken" else None
    if request.status == "taken" and (owner is None or not services.help.in_team(owner, request)):
        # Its owner left the team: back to the team, as when they use /forget.
        await services.help.release(request)
        await refresh_alerts(services, request.id)
        owner = None
    elif request.status == "taken" and not request.relay_open:
        text = t._(
            "🔚 The conversation has ended. The team still knows your request number {n}.",
            n=request.id,
        )
        await context.reply(update, text, cancel_keyboard(t, request))
        return None
    if owner is None:
        text = t._("⏳ Your request number {n} is waiting for a volunteer.", n=request.id)
        await context.reply(update, text, cancel_keyboard(t, request))
    return owner


async def person_location(update: Update, context: BotContext) -> bool:
    """A location shared by a person whose request is active: a pin for its volunteer (the
    conversation open), or, nobody took it yet, attached to the request and shown to the team."""
    message = update.message
    if message is None or message.location is None:
        return False
    services = context.services
    request = await services.help.active(context.user)
    if request is None:
        return False
    t = context.t
    latitude, longitude = message.location.latitude, message.location.longitude
    if request.status == "open":
        await services.help.set_location(request, (latitude, longitude))
        await refresh_alerts(services, request.id)
        team_chat = (await services.users.antenna(request.antenna)).team_chat_id
        for chat_id, tt in await _team_or_people(services, request.antenna):
            if chat_id == team_chat:
                await services.help.posted_to_team(request.antenna)
            header = tt._("📍 Request {n}: the person shared their location.", n=request.id)
            await services.outbox.send_text(chat_id, header, priority=URGENT)
            await services.outbox.send_location(chat_id, latitude, longitude, priority=URGENT)
        await context.reply(update, t._("✅ Sent to the team."), cancel_keyboard(t, request))
        return True
    owner = await _relay_owner(update, context, request)
    if owner is None:
        return True
    ot = services.translator_for(owner)
    header = ot._("📍 Request {n}: the person shared their location.", n=request.id)
    await services.outbox.send_text(owner.id, header, keyboard=owner_keyboard(ot, request))
    await services.outbox.send_location(owner.id, latitude, longitude)
    await context.reply(update, t._("✅ Sent to the team."), person_keyboard(t, request))
    return True


async def person_media(update: Update, context: BotContext) -> bool:
    """A voice message, photo, sticker... during the conversation: never forwarded (it could
    show who they are); both sides are told to use text, or a location."""
    message = update.message
    if message is None or message.text is not None or message.location is not None:
        return False
    services = context.services
    request = await services.help.active(context.user)
    if request is None or request.status != "taken" or not request.relay_open:
        return False
    owner = await _owner(services, request)
    if owner is None or not services.help.in_team(owner, request):
        return False
    ot = services.translator_for(owner)
    notice = ot._(
        "🎙️ The person of request {n} sent a voice message, a photo or a sticker. I cannot "
        "pass it on: ask them to write, or to share their location.",
        n=request.id,
    )
    await services.outbox.send_text(owner.id, notice, keyboard=owner_keyboard(ot, request))
    t = context.t
    text = t._("✍️ The team can only read text. Please write, or share your location.")
    await context.reply(update, text, person_keyboard(t, request))
    return True


async def end(update: Update, context: BotContext) -> None:
    """Either side ends the conversation; the other is told."""
    t = context.t
    services = context.services
    request = await _pressed(update, context, HelpEnd)
    if request is None:
        return
    actor = context.user
    is_person = request.user_id == actor.id
    is_owner = request.owner_id == actor.id and request.status == "taken"
    if not (is_person or is_owner):
        await _toast(update, context, t._("This button is no longer valid. Send /menu."))
        return
    if not request.relay_open:
        await _toast(update, context, t._("ℹ️ This conversation has already ended."))
        return
    await services.help.end_relay(request, by_person=is_person)
    await context.answer(update, t._("🔚 The conversation has ended."))
    if is_person:
        await _tell_owner(services, request, "ended")
    else:
        await _tell_person(services, request, "ended")


async def _tell_person(services: Services, request: HelpRequest, what: str) -> None:
    if request.user_id is None:
        return
    person = await services.users.get(request.user_id)
    t = services.translator_for(person)
    if what == "closed":
        text = t._("✅ Your request number {n} is closed.", n=request.id) + "\n"
        text += t._("If you need help again, send /menu.")
    else:
        text = t._("🔚 The team ended the conversation.")
    await services.outbox.send_text(request.user_id, text, keyboard=menu_button(t))


async def _tell_owner(services: Services, request: HelpRequest, what: str) -> None:
    if request.owner_id is None or request.status != "taken":
        return
    owner = await services.users.get(request.owner_id)
    t = services.translator_for(owner)
    if what == "ended":
        text = t._("🔚 The person of request {n} ended the conversation.", n=request.id)
    elif what == "cancelled":
        text = t._("❌ The person cancelled request {n}.", n=request.id)
    elif what == "forgot":
        text = t._(
            "🔚 The person of request {n} erased their data: the conversation has ended.",
            n=request.id,
        )
    else:
        text = t._("✅ Request {n} is closed.", n=request.id)
    await services.outbox.send_text(request.owner_id, text)


# --- /forget ------------------------------------------------------------------------------


async def forget(services: Services, user: User) -> None:
    """Before a person is erased: their requests end (their volunteer is told); a volunteer's
    taken requests go back to nobody and are re-alerted."""
    own, owned = await services.help.forget(user)
    for request in own:
        await _tell_owner(services, request, "forgot")
        await refresh_alerts(services, request.id)
    await _released(services, owned)


async def left_team(services: Services, user: User) -> None:
    """A volunteer demoted out of the team: the requests they took go back to the team."""
    await _released(services, await services.help.release_owned(user))


async def _released(services: Services, owned: list[HelpRequest]) -> None:
    for request in owned:
        await refresh_alerts(services, request.id)
        if request.user_id is not None:
            person = await services.users.get(request.user_id)
            t = services.translator_for(person)
            text = t._(
                "ℹ️ The volunteer of your request number {n} is no longer available. "
                "The team was told again.",
                n=request.id,
            )
            await services.outbox.send_text(request.user_id, text)


JOBS: dict[str, JobHandler] = {JOB_REALERT: realert_job, JOB_RETENTION: retention_job}
# However late the bot comes back, a waiting person is re-alerted and old data goes.
ALWAYS_RUN = frozenset({JOB_REALERT, JOB_RETENTION})


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CommandHandler("reply", reply_command),
        CallbackQueryHandler(need_chosen, pattern=HelpNeed.pattern()),
        CallbackQueryHandler(cancelled_by_person, pattern=HelpCancel.pattern()),
        CallbackQueryHandler(take, pattern=HelpTake.pattern()),
        CallbackQueryHandler(close, pattern=HelpClose.pattern()),
        CallbackQueryHandler(write, pattern=HelpWrite.pattern()),
        CallbackQueryHandler(end, pattern=HelpEnd.pattern()),
        CallbackQueryHandler(block, pattern=HelpBlock.pattern()),
    ]
