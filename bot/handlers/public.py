"""First contact and the public menu: /start, /lang, /menu, /help, /forget (SPEC §2 Public)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import AntennaChoice, ForgetConfirm, LanguageChoice, MenuTopic, StaleButton
from bot.context import BotContext
from bot.handlers import broadcast, distributions, help_requests, info, planning, shifts, team
from bot.handlers.common import menu_button, refuse, role_name
from bot.i18n import LANGUAGES, Translator, isolate_ltr, pN_, resolve_language_code
from bot.services.errors import NotAllowed
from bot.services.menus import commands_for
from bot.services.outbox import Button, Keyboard
from bot.storage.models import Role, User

# Main-menu topics in display order: (key, button label).
TOPICS: list[tuple[str, tuple[str, str]]] = [
    ("health", pN_("button", "🏥 Health")),
    ("shelter", pN_("button", "🛏️ Shelter tonight")),
    ("legal", pN_("button", "⚖️ Legal rights")),
    ("staff", pN_("button", "🪪 Show this to staff")),
    ("food", pN_("button", "🍲 Food and water")),
    ("showers", pN_("button", "🚿 Showers")),
    ("charging", pN_("button", "🔌 Phone charging")),
    ("today", pN_("button", "📍 Today: distributions and team")),
    ("emergency", pN_("button", "🆘 Emergency numbers")),
    ("help", pN_("button", "🙋 I need help")),
]
# Team members' buttons, shown above the public topics.
TEAM_TOPICS: list[tuple[str, tuple[str, str]]] = [
    ("distrib", pN_("button", "📦 Log")),
    ("shift", pN_("button", "🟢 My shift")),
    ("planning", pN_("button", "📅 Planning")),
    ("hours", pN_("button", "🕒 My hours")),
]
# Coordinators' own buttons, below the team's: shown to coordinators and admins only, and
# re-authorised when pressed (each answer checks the role again).
COORDINATOR_TOPICS: list[tuple[str, tuple[str, str]]] = [
    ("report", pN_("button", "📊 Report")),
    ("plan", pN_("button", "🗓️ Plan")),
    ("invite", pN_("button", "🎟️ Invite")),
    ("volunteers", pN_("button", "👥 Volunteers")),
    ("export", pN_("button", "📎 Export")),
]
COORDINATOR_KEYS = frozenset(key for key, _ in COORDINATOR_TOPICS)
TOPIC_KEYS = {key for key, _ in [*TOPICS, *TEAM_TOPICS, *COORDINATOR_TOPICS]} | {
    "menu",
    "lang",
    "antenna",
}
# Topics whose answer depends on where the person is: the antenna is asked first, once.
LOCAL_TOPICS = frozenset({"health", "shelter", "legal", "food", "showers", "charging", "today"})
LANG_DEEP_LINK = "lang-"


def language_keyboard(selected: str | None) -> Keyboard:
    """Each language in its own script, two per row; the likely one is ticked."""
    buttons = [
        Button(
            f"✅ {language.native_name}" if code == selected else language.native_name,
            data=LanguageChoice(code).pack(),
        )
        for code, language in LANGUAGES.items()
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def main_menu(t: Translator, user: User) -> tuple[str, Keyboard]:
    """The public topics; team members get their own buttons first, the most used ones."""
    rows: Keyboard = []
    if user.has(Role.VOLUNTEER):
        team = [Button(t.marked(label), data=MenuTopic(key).pack()) for key, label in TEAM_TOPICS]
        rows += [team[i : i + 2] for i in range(0, len(team), 2)]  # two per row on a phone
    if user.has(Role.COORDINATOR):
        own = [
            Button(t.marked(label), data=MenuTopic(key).pack())
            for key, label in COORDINATOR_TOPICS
        ]
        rows += [own[i : i + 3] for i in range(0, len(own), 3)]
    buttons = [Button(t.marked(label), data=MenuTopic(key).pack()) for key, label in TOPICS]
    rows += [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    last = [Button(t.p_("button", "🌐 Language"), data=MenuTopic("lang").pack())]
    if not user.has(Role.VOLUNTEER) and user.antenna is not None:
        # Team members belong to their home antenna; a person in exile may move between towns.
        last.append(Button(t.p_("button", "📍 Change town"), data=MenuTopic("antenna").pack()))
    rows.append(last)
    return t._("What do you need? Tap a button."), rows


def emergency_numbers(t: Translator) -> str:
    lines = [
        t._("🆘 Emergency numbers. Calls are free."),
        t._("🚑 Medical emergency: {number}", number=t.phone("15")),
        t._("🚓 Police: {number}", number=t.phone("17")),
        t._("🚒 Fire or accident: {number}", number=t.phone("18")),
        t._("🌍 Any emergency, European number: {number}", number=t.phone("112")),
        t._("🛏️ Emergency shelter: {number}", number=t.phone("115")),
        t._("🧒 Child in danger: {number}", number=t.phone("119")),
        t._("🌊 Danger at sea: {number}", number=t.phone("196")),
    ]
    return "\n".join(lines)


def help_text(t: Translator, role: Role, *, in_group: bool = False) -> str:
    """What the role can send: everything in a private chat; in a group chat only what works
    there, and where to go for the rest."""
    intro = (
        t._("ℹ️ In this group, send a command:")
        if in_group
        else t._("ℹ️ Tap the buttons of the menu, or send a command:")
    )
    lines = [intro]
    for name, description in commands_for(role, t, in_group=in_group):
        # In right-to-left text a leading "/menu" would turn the whole line left-to-right.
        line = (
            t.right_to_left(f"{description} — {isolate_ltr('/' + name)}")
            if t.rtl
            else f"/{name} — {description}"
        )
        lines.append(line)
    if in_group:
        lines.append(
            t._("💬 For everything else (language, invitations, replies), write to me privately.")
        )
    return "\n".join(lines)


async def start(update: Update, context: BotContext) -> None:
    """Greet with the language picker (a team member as such), or follow a deep link
    (language or invitation)."""
    payload = context.args[0] if context.args else ""
    if payload.startswith(LANG_DEEP_LINK):
        locale = resolve_language_code(payload.removeprefix(LANG_DEEP_LINK))
        if locale is not None:
            await _choose_language(update, context, locale, edit=False)
            return
    elif payload and await context.services.users.invite_exists(payload):
        await team.redeem_invite(update, context, payload)
        return
    if context.user.has(Role.VOLUNTEER):
        await greet_team_member(update, context)
        return
    # Any other payload (a QR code's tag, a typo) still deserves a welcome, not an error.
    await show_language_picker(update, context, welcome=True)


async def greet_team_member(update: Update, context: BotContext) -> None:
    """A team member's /start: who they are in the team, and their menu (not the public
    welcome; the language stays theirs, changed with /lang)."""
    t = context.t
    user = context.user
    antenna = await context.services.users.antenna_of(user)
    await context.services.menus.sync_user(user, t)
    greeting = t._(
        "👋 Hello {name}! {antenna} team, your role: {role}.",
        name=team.shown_name(replace(user, username=None)),
        role=role_name(t, user.role),
        antenna=antenna.name,
    )
    text, keyboard = main_menu(t, user)
    hint = t._("Send /help for every command, /lang to change the language.")
    await context.reply(update, "\n".join([greeting, hint, text]), keyboard)


async def show_language_picker(update: Update, context: BotContext, *, welcome: bool) -> None:
    """Offer every language; pre-select the stored or Telegram one."""
    t = context.t
    sender = update.effective_user
    likely = context.user.locale or resolve_language_code(sender.language_code if sender else None)
    text = t._("🌐 Choose your language:")
    if welcome:
        text = t._("👋 Hello! I give information and help near Calais and Grande-Synthe.") + (
            "\n" + text
        )
    await context.reply(update, text, language_keyboard(likely))


async def change_language(update: Update, context: BotContext) -> None:
    """Show the language picker."""
    await show_language_picker(update, context, welcome=False)


async def language_chosen(update: Update, context: BotContext) -> None:
    """Store the chosen language and open the menu in it."""
    try:
        choice = LanguageChoice.unpack(update.callback_query.data if update.callback_query else "")
    except StaleButton:
        await stale_button(update, context)
        return
    if choice.locale not in LANGUAGES:
        await stale_button(update, context)
        return
    await _choose_language(update, context, choice.locale, edit=True)


async def _choose_language(
    update: Update, context: BotContext, locale: str, *, edit: bool
) -> None:
    services = context.services
    context.user = await services.users.set_locale(context.user, locale)
    context.t = services.translator(locale)
    await services.menus.sync_user(context.user, context.t)
    text, keyboard = main_menu(context.t, context.user)
    text = context.t._("✅ {language}", language=LANGUAGES[locale].native_name) + "\n" + text
    if edit:
        await context.edit(update, text, keyboard)
    else:
        await context.reply(update, text, keyboard)


async def menu(update: Update, context: BotContext) -> None:
    """Show the main menu."""
    text, keyboard = main_menu(context.t, context.user)
    await context.reply(update, text, keyboard)


async def antenna_or_ask(update: Update, context: BotContext, then: str) -> str | None:
    """The caller's antenna; if a public user has none yet, ask for it (then answer `then`)."""
    user = context.user
    if user.antenna is not None:
        return user.antenna
    await ask_antenna(update, context, then)
    return None


async def ask_antenna(update: Update, context: BotContext, then: str) -> None:
    """Two buttons, one per town (or a shared location): asked once, changeable in the menu."""
    t = context.t
    antennas = await context.services.users.antennas()
    keyboard = [
        [Button(f"📍 {antenna.name}", data=AntennaChoice(antenna.code, then).pack())]
        for antenna in antennas
    ]
    text = t._("📍 Where are you? Tap the town you are near.")
    await context.reply(update, text, keyboard)


async def location_shared(update: Update, context: BotContext) -> bool:
    """A public user with no town yet shared where they are: the nearest antenna is theirs,
    then the menu. (Forms waiting for a location come before this in bot/handlers/inputs.py.)"""
    user = context.user
    message = update.effective_message
    location = message.location if message is not None else None
    if location is None or user.has(Role.VOLUNTEER) or user.antenna is not None:
        return False
    services = context.services
    code = services.info.nearest_antenna(location.latitude, location.longitude)
    if code is None:
        # Far from every town this bot serves: let the person say which one they mean.
        await ask_antenna(update, context, "menu")
        return True
    context.user = await services.users.set_public_antenna(user, code)
    antenna = await services.users.antenna(code)
    text, keyboard = main_menu(context.t, context.user)
    near = context.t._("📍 You are near {town}.", town=antenna.name)
    await context.reply(update, near + "\n" + text, keyboard)
    return True


async def antenna_chosen(update: Update, context: BotContext) -> None:
    """Store the public user's town and answer the topic they had asked for."""
    try:
        choice = AntennaChoice.unpack(update.callback_query.data if update.callback_query else "")
    except StaleButton:
        await stale_button(update, context)
        return
    from bot.handlers import cards

    known = {antenna.code for antenna in await context.services.users.antennas()}
    then_known = choice.then in TOPIC_KEYS or cards.is_card_topic(choice.then)
    if choice.antenna not in known or not then_known:
        await stale_button(update, context)
        return
    context.user = await context.services.users.set_public_antenna(context.user, choice.antenna)
    await answer_topic(update, context, choice.then)


async def topic_chosen(update: Update, context: BotContext) -> None:
    """Answer a main-menu button."""
    try:
        topic = MenuTopic.unpack(update.callback_query.data if update.callback_query else "").topic
    except StaleButton:
        topic = ""
    if topic not in TOPIC_KEYS:
        await stale_button(update, context)
        return
    await answer_topic(update, context, topic)


async def answer_topic(update: Update, context: BotContext, topic: str) -> None:
    """Answer one topic of the menu (a button, or the topic asked before the town)."""
    from bot.handlers import cards  # it answers through this module's helpers

    if topic == cards.TOPIC or cards.is_card_topic(topic):
        await cards.answer_topic(update, context, topic)
        return
    if topic in LOCAL_TOPICS:
        antenna = await antenna_or_ask(update, context, topic)
        if antenna is not None:
            await info.answer_local(update, context, topic, antenna)
        return
    if topic in COORDINATOR_KEYS and not context.user.has(Role.COORDINATOR):
        await refuse(update, context, NotAllowed())
        return
    answer = _direct_answers().get(topic)
    if answer is None:
        await stale_button(update, context)
        return
    await answer(update, context)


def _direct_answers() -> dict[str, Callable[[Update, BotContext], Awaitable[None]]]:
    """Topics answered the same wherever the caller is (or that ask the town themselves)."""
    from bot.handlers import reports  # it reads this module's topics

    return {
        "report": reports.report,
        "plan": planning.plan,
        "invite": team.invite,
        "volunteers": team.volunteers,
        "export": reports.export,
        "menu": menu,
        "lang": change_language,
        "distrib": distributions.item_step,
        "shift": shifts.shift_button,
        "planning": planning.planning,
        "hours": shifts.hours,
        "antenna": lambda update, context: ask_antenna(update, context, "menu"),
        "help": help_topic,
        "emergency": emergency_topic,
    }


async def help_topic(update: Update, context: BotContext) -> None:
    """Start a help request, once the town is known."""
    # Team members too (a volunteer trying it, or in need): the alert names nobody.
    if not await help_requests.in_private(update, context):
        return
    if await antenna_or_ask(update, context, "help") is not None:
        await help_requests.need_step(update, context)


async def emergency_topic(update: Update, context: BotContext) -> None:
    """The national numbers (translated in every language), then the catalogue's own."""
    where = context.user.antenna or context.services.users.default_antenna
    prefix = emergency_numbers(context.t)
    await info.answer_info(update, context, "emergency", where, prefix=prefix)


async def help_command(update: Update, context: BotContext) -> None:
    """List what this caller can do, according to their role and where they ask."""
    t = context.t
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        await context.reply(update, help_text(t, context.user.role), menu_button(t))
        return
    services = context.services
    if await services.users.team_chat_antenna(chat.id) is not None:
        # The bot is in this chat (it was just written to): its menu can be set now.
        await services.menus.sync_team_chat(
            chat.id, {code: services.translator(code) for code in LANGUAGES}
        )
    link = f"https://t.me/{services.bot_username}"
    keyboard = [[Button(t.p_("button", "💬 Open the private chat"), url=link)]]
    await context.reply(update, help_text(t, context.user.role, in_group=True), keyboard)


async def forget(update: Update, context: BotContext) -> None:
    """Ask for confirmation before erasing the caller's data."""
    t = context.t
    text = t._("🗑️ Erase your language and everything I keep about you?")
    if context.user.has(Role.VOLUNTEER):
        text += "\n" + t._("⚠️ You will also leave the team. You will need a new invitation.")
    keyboard = [
        [
            Button(t.p_("button", "🗑️ Yes, erase"), data=ForgetConfirm(True).pack()),
            Button(t.p_("button", "↩️ No"), data=ForgetConfirm(False).pack()),
        ]
    ]
    await context.reply(update, text, keyboard)


async def forget_confirmed(update: Update, context: BotContext) -> None:
    """Erase the caller's data, or keep it if they changed their mind."""
    try:
        confirmed = ForgetConfirm.unpack(
            update.callback_query.data if update.callback_query else ""
        ).confirmed
    except StaleButton:
        await stale_button(update, context)
        return
    t = context.t
    if not confirmed:
        await context.edit(update, t._("👍 Nothing was erased."))
        return
    user = context.user
    # Answer the press before the chat's queued messages are erased with the rest.
    await context.answer(update)
    services = context.services
    signed = await services.planning.signed_by(user)
    await services.shifts.forget(user)
    await help_requests.forget(services, user)
    await services.users.forget(user)
    # A broadcast whose last copy waiting was theirs has nothing left to send.
    await broadcast.close_done(services)
    # The posts of the shifts they had signed up for no longer name them, nor count them.
    for planned in signed:
        updated = await services.planning.get(planned.id)
        if updated is not None:
            await planning.refresh_post(services, updated)
    # The last words to them leave no row with their id behind once sent.
    if user.menu_signature is not None:
        await context.services.outbox.delete_commands(scope_chat_id=user.id, ephemeral=True)
    query = update.callback_query
    if query is not None and query.message is not None:
        await context.services.outbox.edit_text(
            query.message.chat.id,
            query.message.message_id,
            t._("✅ Everything was erased. Send /start to begin again."),
            ephemeral=True,
        )


async def stale_button(update: Update, context: BotContext) -> None:
    """A button from an old message, or forged data: say so, change nothing."""
    await context.answer(
        update, context.t._("This button is no longer valid. Send /menu."), alert=True
    )


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("start", start, filters=private),
        CommandHandler("lang", change_language, filters=private),
        CommandHandler("menu", menu),
        CommandHandler("help", help_command),
        CommandHandler("forget", forget, filters=private),
        CallbackQueryHandler(language_chosen, pattern=LanguageChoice.pattern()),
        CallbackQueryHandler(topic_chosen, pattern=MenuTopic.pattern()),
        CallbackQueryHandler(antenna_chosen, pattern=AntennaChoice.pattern()),
        CallbackQueryHandler(forget_confirmed, pattern=ForgetConfirm.pattern()),
    ]
