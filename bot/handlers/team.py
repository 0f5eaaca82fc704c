"""The team: invitations, joining, roles and the list of volunteers (SPEC §2 Registration)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import quote

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import MemberHours, RoleGive, RoleTake, StaleButton, TeamPage
from bot.context import BotContext, Services
from bot.handlers import help_requests
from bot.handlers.common import (
    in_confidence,
    person_name,
    refuse,
    role_name,
    telegram_name,
)
from bot.i18n import Markup, Translator, escape
from bot.services.errors import DomainError
from bot.services.keywords import role_of
from bot.services.numerals import numeric
from bot.services.outbox import Button, Keyboard
from bot.services.users import GIVEN_ROLES, RoleChange, name_key
from bot.storage.models import Antenna, Role, User

log = logging.getLogger(__name__)


async def invite(update: Update, context: BotContext) -> None:
    """Create a one-time invitation link for a new volunteer."""
    t = context.t
    antenna_code = context.args[0].lower() if context.args else None
    try:
        created = await context.services.users.create_invite(context.user, antenna_code)
    except DomainError as error:
        await refuse(update, context, error)
        return
    antenna = await context.services.users.antenna(created.antenna)
    link = f"https://t.me/{context.services.bot_username}?start={created.code}"
    join_command = f"/join {created.code}"
    text = "\n".join(
        [
            t._(
                "🎟️ Invitation to the {antenna} team, valid until {date}.",
                antenna=antenna.name,
                date=t.fmt_date(created.expires_at),
            ),
            t._("Send this link to the new volunteer. It works once:"),
            link,
            t._("Or they can send: {command}", command=join_command),
        ]
    )
    share = f"https://t.me/share/url?url={quote(link, safe='')}"
    await context.reply(update, text, [[Button(t.p_("button", "📤 Share"), url=share)]])


async def join(update: Update, context: BotContext) -> None:
    """Join the team with an invitation code."""
    if not context.args:
        await context.reply(
            update, context.t._("Send /join followed by the code your coordinator gave you.")
        )
        return
    await redeem_invite(update, context, context.args[0])


async def redeem_invite(update: Update, context: BotContext, code: str) -> None:
    """Turn the caller into a volunteer with an invitation code, then tell the inviter."""
    services = context.services
    display_name, username = telegram_name(update)
    try:
        joined = await services.users.redeem_invite(context.user, code, display_name, username)
    except DomainError as error:
        await refuse(update, context, error)
        return
    context.user = joined.user
    await services.menus.sync_user(joined.user, context.t)
    t = context.t
    await context.reply(
        update,
        t._("🎉 Welcome to the {antenna} team!", antenna=joined.antenna.name)
        + "\n"
        + t._("Send /help to see what you can do."),
    )
    if joined.inviter is not None:
        it = services.translator_for(joined.inviter)
        await services.outbox.send_text(
            joined.inviter.id, it._("✅ {name} joined the team.", name=person_name(joined.user))
        )


# A name is cut there in lists and buttons: Telegram names run to 128 characters.
NAME_MAX = 40
BUTTON_NAME_MAX = 20
# People per page of /volunteers: three buttons each stays far below Telegram's 100 buttons,
# and their lines far below 4096 characters.
PAGE_SIZE = 8
# People offered when a name is ambiguous; more means the name is too short to be useful.
MAX_CHOICES = 10
FSI, PDI = "\u2068", "\u2069"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown_name(user: User) -> str:
    """A person's name and @username for a message (escaped by the Translator's placeholders):
    cut at a sane length, and isolated so that a right-to-left name does not reorder the line."""
    name = _cut(user.display_name or str(user.id), NAME_MAX)
    if user.username:
        name = f"{name} (@{user.username})"
    return f"{FSI}{name}{PDI}"


def _button_name(user: User) -> str:
    """A person's name on a button (buttons are plain text: nothing to escape)."""
    return _cut(user.display_name or user.username or str(user.id), BUTTON_NAME_MAX)


def typed_role(t: Translator, word: str) -> Role | None:
    """The role a typed word names: its English or French words ("coordinateur",
    "coordinatrice", "juriste", "legal"…), or its name in the caller's language (whole, or one
    of its longer words: "coordination", "juridique"). Case and accents do not matter."""
    found = role_of(word, {role.value: role_name(t, role) for role in GIVEN_ROLES})
    return Role(found) if found is not None else None


def role_choices(t: Translator) -> str:
    """The role words a refusal offers: the reader's own, and the English ones."""
    words = [role_name(t, role) for role in GIVEN_ROLES]
    words += [role.value for role in GIVEN_ROLES if role.value not in words]
    return ", ".join(words)


def _is_handle(word: str) -> bool:
    handle = " ".join(numeric(word).split())
    return handle.startswith("@") or handle.isdecimal()


def _named_exactly(reference: str, person: User) -> bool:
    """An id, an @username, or the person's whole name: no doubt about whom is meant."""
    return _is_handle(reference) or name_key(person.display_name or "") == name_key(reference)


async def _resolve_with_role(context: BotContext, args: list[str], role_said: bool) -> list[User]:
    """The people a /promote line names. When nobody is called the whole line but someone
    is called all of it but its last word, that word is a role that was not understood:
    say so, with the accepted words, not that nobody has the name."""
    users = context.services.users
    try:
        return await users.resolve(context.user, " ".join(args))
    except DomainError as error:
        if error.code != "name_unknown" or role_said or len(args) < 2:
            raise
        try:
            await users.resolve(context.user, " ".join(args[:-1]))
        except DomainError:
            raise error from None
        raise DomainError(
            "role_word_unknown", role=args[-1], choices=role_choices(context.t)
        ) from None


async def promote(update: Update, context: BotContext) -> None:
    """Give a team member, named by name, @username or id, the coordinator or legal role."""
    t = context.t
    args = context.args or []
    # Names, and the buttons that choose between them, stay in a private or the team chat.
    if not await in_confidence(update, context):
        return
    if not args:
        await context.reply(
            update, t._("Usage: /promote NAME coordinator|legal, or the buttons of /volunteers.")
        )
        return
    # The role is the last word when it names one (or follows an @username or an id).
    role_text = ""
    last = typed_role(t, args[-1]) if len(args) >= 2 else None
    services = context.services
    try:
        if last is None and len(args) == 2 and _is_handle(args[0]):
            raise DomainError("role_word_unknown", role=args[-1], choices=role_choices(t))
        if last is not None:
            role_text = last.value
            args = args[:-1]
        reference = " ".join(args)
        people = await _resolve_with_role(context, args, bool(role_text))
        if len(people) > 1 or not _named_exactly(reference, people[0]):
            # Ambiguous, or a part of a name ("Jo" for "Johanna"): the person is chosen by
            # a button naming them, never guessed.
            await _offer_people(
                update,
                context,
                reference,
                people,
                lambda person: RoleGive(person.id, role_text, person.role.value).pack(),
            )
            return
        if not role_text:
            await _offer_roles(update, context, people[0])
            return
        change = await services.users.give_role(context.user, people[0], role_text)
    except DomainError as error:
        await refuse(update, context, error)
        return
    await _announce_role_change(update, context, change)


async def demote(update: Update, context: BotContext) -> None:
    """Take one role step away from a team member, named by name, @username or id."""
    if not await in_confidence(update, context):
        return
    if not context.args:
        await context.reply(
            update, context.t._("Usage: /demote NAME, or the buttons of /volunteers.")
        )
        return
    reference = " ".join(context.args)
    services = context.services
    try:
        people = await services.users.resolve(context.user, reference)
        if len(people) > 1 or not _named_exactly(reference, people[0]):
            # Ambiguous, or a part of a name: the person is chosen by a button naming them.
            await _offer_people(
                update,
                context,
                reference,
                people,
                lambda person: RoleTake(person.id, person.role.value, sure=False).pack(),
            )
            return
        # Named exactly: the same questions as the buttons ask (out of the team, or the last
        # coordinator of an antenna, takes a second tap).
        target = people[0]
        await _take(update, context, target, target.role, sure=False)
    except DomainError as error:
        await refuse(update, context, error)


async def _offer_people(
    update: Update,
    context: BotContext,
    reference: str,
    people: list[User],
    data: Callable[[User], str],
) -> None:
    """Several people answer to the name: one button each, to choose."""
    t = context.t
    antennas = {antenna.code: antenna.name for antenna in await context.services.users.antennas()}
    keyboard: Keyboard = []
    for person in people[:MAX_CHOICES]:
        parts = [_button_name(person)]
        if person.username:
            parts[0] += f" @{person.username}"
        parts.append(antennas.get(person.antenna or "", person.antenna or ""))
        parts.append(role_name(t, person.role))
        keyboard.append([Button(" · ".join(parts), data=data(person))])
    if len(people) == 1:
        text = t._(
            "🤔 Nobody is called exactly “{name}”. Is this the person you mean? Tap to go on.",
            name=_cut(reference, NAME_MAX),
        )
    else:
        text = t.n_(
            "🤔 {n} person is called “{name}”. Which one?",
            "🤔 {n} people are called “{name}”. Which one?",
            len(people),
            name=_cut(reference, NAME_MAX),
        )
    if len(people) > MAX_CHOICES:
        text += "\n" + t._("Here are the first {max}: write more of the name.", max=MAX_CHOICES)
    await context.reply(update, text, keyboard)


async def _offer_roles(update: Update, context: BotContext, person: User) -> None:
    """The role to give was not said: offer those the caller may give this person."""
    t = context.t
    roles = context.services.users.roles_to_offer(context.user, person)
    keyboard = [
        [
            Button(
                t.p_("button", "⬆️ {role}", role=role_name(t, role)),
                data=RoleGive(person.id, role.value, person.role.value).pack(),
            )
            for role in roles
        ]
    ]
    text = t._(
        "Which role for {name}? Now: {role}.",
        name=shown_name(person),
        role=role_name(t, person.role),
    )
    await context.edit(update, text, keyboard)


async def role_given(update: Update, context: BotContext) -> None:
    """Give the role of a pressed button, if the presser may (checked again on every press)."""
    try:
        choice = RoleGive.unpack(update.callback_query.data if update.callback_query else "")
    except StaleButton as error:
        await refuse(update, context, error)
        return
    users = context.services.users
    try:
        target = await users.member(context.user, choice.user)
        if target.role.value not in (choice.current, choice.role):
            # Someone changed this person's role since the button was shown: pressing it
            # would act on what the presser no longer sees. (Their role being the one the
            # button gives is a second tap: answered as already done.)
            raise DomainError("stale_button")
        if not choice.role:
            await _offer_roles(update, context, target)
            return
        change = await users.give_role(context.user, target, choice.role)
    except DomainError as error:
        await _refuse_press(update, context, error, choice.user)
        return
    await _role_changed(update, context, change)


async def role_taken(update: Update, context: BotContext) -> None:
    """Take one role step from the person of a pressed button, if the presser may."""
    try:
        choice = RoleTake.unpack(update.callback_query.data if update.callback_query else "")
        expected = Role(choice.role)
    except (StaleButton, ValueError):
        await refuse(update, context, DomainError("stale_button"))
        return
    users = context.services.users
    try:
        target = await users.member(context.user, choice.user)
        await _take(update, context, target, expected, sure=choice.sure)
    except DomainError as error:
        await _refuse_press(update, context, error, choice.user)


async def _take(
    update: Update, context: BotContext, target: User, expected: Role, *, sure: bool
) -> None:
    """One role step down from `expected`, by a button or a typed name. Out of the team takes
    a second tap (a stray one would cost a new invitation), and so does the last coordinator
    of an antenna (its safety alerts would reach fewer people): both say why first."""
    users = context.services.users
    if not sure and expected is Role.VOLUNTEER:
        users.check_can_take(context.user, target, expected)
        await _confirm_removal(update, context, target)
        return
    if not sure and expected is Role.COORDINATOR:
        current = await users.get(target.id) or target
        antenna = await users.left_uncovered_by(current)
        if antenna is not None:
            users.check_can_take(context.user, current, expected)
            await _confirm_last_coordinator(update, context, current, antenna)
            return
    change = await users.take_role(context.user, target, expected=expected)
    await _role_changed(update, context, change)


async def _confirm_last_coordinator(
    update: Update, context: BotContext, target: User, antenna: Antenna
) -> None:
    t = context.t
    if antenna.team_chat_id is None:
        text = t._(
            "⚠️ {name} is the last coordinator of {antenna}: its safety alerts will reach "
            "only the admins. Make them a volunteer anyway?",
            name=shown_name(target),
            antenna=antenna.name,
        )
    else:
        text = t._(
            "⚠️ {name} is the last coordinator of {antenna}: its safety alerts will reach "
            "only its team chat and the admins. Make them a volunteer anyway?",
            name=shown_name(target),
            antenna=antenna.name,
        )
    keyboard = [
        [
            Button(
                t.p_("button", "⬇️ {role}", role=role_name(t, Role.VOLUNTEER)),
                data=RoleTake(target.id, Role.COORDINATOR.value, sure=True).pack(),
            )
        ]
    ]
    await context.reply(update, text, keyboard)


async def _confirm_removal(update: Update, context: BotContext, target: User) -> None:
    t = context.t
    text = t._(
        "Remove {name} from the team? They will need a new invitation to come back.",
        name=shown_name(target),
    )
    keyboard = [
        [
            Button(
                t.p_("button", "🚪 Yes, remove from the team"),
                data=RoleTake(target.id, Role.VOLUNTEER.value, sure=True).pack(),
            )
        ]
    ]
    await context.reply(update, text, keyboard)


async def _refuse_press(
    update: Update, context: BotContext, error: DomainError, user_id: int
) -> None:
    """A refused press; a second tap on a role already given says who has which role now."""
    target = await context.services.users.get(user_id)
    t = context.t
    if error.code == "role_unchanged" and target is not None and target.role is Role.PUBLIC:
        text = t._("ℹ️ Already done: this person is no longer in the team. Nothing was changed.")
        await context.answer(update, text, alert=True)
        return
    if error.code == "role_unchanged" and target is not None:
        await context.answer(
            update,
            t._(
                "ℹ️ Already done: {name} is now: {role}. Nothing was changed.",
                name=_button_name(target),
                role=role_name(t, target.role),
            ),
            alert=True,
        )
        return
    await refuse(update, context, error)


async def _role_changed(update: Update, context: BotContext, change: RoleChange) -> None:
    if change.after is Role.PUBLIC:
        # Out of the team: the people they were helping go back to the team.
        await help_requests.left_team(context.services, change.user)
    await _announce_role_change(update, context, change)


async def _announce_role_change(update: Update, context: BotContext, change: RoleChange) -> None:
    services = context.services
    t = context.t
    await context.reply(
        update,
        t._(
            "✅ {name} is now: {role}.",
            name=shown_name(change.user),
            role=role_name(t, change.after),
        ),
    )
    target = await services.users.get(change.user.id)
    assert target is not None
    tt = services.translator_for(target)
    await services.menus.sync_user(target, tt)
    await services.outbox.send_text(
        target.id,
        tt._("ℹ️ Your role is now: {role}. Send /help.", role=role_name(tt, change.after)),
    )


async def volunteers(update: Update, context: BotContext) -> None:
    """List the team members of the antenna with their hours and buttons to manage them."""
    if not await in_confidence(update, context):
        return
    # A new message, also from the menu's button: the menu stays for the next tap.
    await _show_team(update, context, 0, edit=False)


async def team_page(update: Update, context: BotContext) -> None:
    """Show another page of /volunteers (to a coordinator or admin only)."""
    try:
        page = TeamPage.unpack(update.callback_query.data if update.callback_query else "").page
    except StaleButton as error:
        await refuse(update, context, error)
        return
    await _show_team(update, context, page, edit=True)


async def _show_team(update: Update, context: BotContext, page: int, *, edit: bool) -> None:
    t = context.t
    services = context.services
    actor = context.user
    try:
        members = await services.users.team(actor)
    except DomainError as error:
        await refuse(update, context, error)
        return
    reachable = [member for member in members if member.active]
    if not reachable:
        empty = t._("Nobody has joined the team yet. Use /invite.")
        await (context.edit(update, empty) if edit else context.reply(update, empty))
        return
    pages = (len(reachable) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 0), pages - 1)
    shown = reachable[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    hours = await services.shifts.team_hours(actor, shown)
    antennas = {antenna.code: antenna.name for antenna in await services.users.antennas()}
    lines = [t.n_("👥 {n} team member:", "👥 {n} team members:", len(reachable))]
    keyboard: Keyboard = []
    for member in shown:
        worked = hours[member.id]
        line = t._(
            "• {name} — {role} · {duration} this month",
            name=shown_name(member),
            role=role_name(t, member.role),
            duration=t.fmt_duration(worked.total),
        )
        if actor.has(Role.ADMIN):
            line += " · " + escape(antennas.get(member.antenna or "", member.antenna or ""))
        lines.append(line)
        keyboard.append(_member_buttons(context, member))
    unreachable = len(members) - len(reachable)
    if unreachable:
        lines.append(
            t.n_(
                "({n} member blocked the bot and is not listed.)",
                "({n} members blocked the bot and are not listed.)",
                unreachable,
            )
        )
    if pages > 1:
        lines.append(t._("Page {page} of {pages}", page=page + 1, pages=pages))
        nav = []
        if page > 0:
            nav.append(Button(t.p_("button", "◀️ Previous"), data=TeamPage(page - 1).pack()))
        if page < pages - 1:
            nav.append(Button(t.p_("button", "Next ▶️"), data=TeamPage(page + 1).pack()))
        keyboard.append(nav)
    text = "\n".join(lines)
    if not edit:
        await context.reply(update, text, keyboard)
        return
    query = update.callback_query
    pressed = query.message if query is not None else None
    if isinstance(pressed, Message) and pressed.text_html == text:
        # A double tap on the same page: Telegram refuses an edit that changes nothing.
        await context.answer(update)
        return
    await context.edit(update, text, keyboard)


def _member_buttons(context: BotContext, member: User) -> list[Button]:
    """Hours, and the promotion and demotion the caller may give (checked again when pressed)."""
    t = context.t
    users = context.services.users
    row = [Button(f"🕒 {_button_name(member)}", data=MemberHours(member.id).pack())]
    up = users.promotion_for(context.user, member)
    if up is not None:
        label = t.p_("button", "⬆️ {role}", role=role_name(t, up))
        row.append(Button(label, data=RoleGive(member.id, up.value, member.role.value).pack()))
    down = users.demotion_for(context.user, member)
    if down is Role.PUBLIC:
        label = t.p_("button", "🚪 Remove")
        row.append(Button(label, data=RoleTake(member.id, member.role.value, sure=False).pack()))
    elif down is not None:
        label = t.p_("button", "⬇️ {role}", role=role_name(t, down))
        # A coordinator's demotion asks again only when they are their antenna's last.
        sure = member.role is not Role.COORDINATOR
        row.append(Button(label, data=RoleTake(member.id, member.role.value, sure=sure).pack()))
    return row


async def member_hours(update: Update, context: BotContext) -> None:
    """Show a team member's hours this month (to a coordinator of their antenna or an admin)."""
    t = context.t
    services = context.services
    try:
        user_id = MemberHours.unpack(update.callback_query.data if update.callback_query else "")
        member = await services.users.member(context.user, user_id.user)
        worked = (await services.shifts.team_hours(context.user, [member]))[member.id]
    except DomainError as error:
        await refuse(update, context, error)
        return
    year, month = services.shifts.month(None)
    text = t.n_(
        "🕒 {name}, {month}: {duration} in {n} shift.",
        "🕒 {name}, {month}: {duration} in {n} shifts.",
        worked.shifts,
        name=shown_name(member),
        month=t.fmt_month(year, month),
        duration=t.fmt_duration(worked.total),
    )
    await context.reply(update, text)


async def warn_uncovered_antennas(services: Services) -> None:
    """At start-up: say which antennas' safety alerts reach only the admins (SPEC §2 Safety)."""
    uncovered = await services.users.uncovered_antennas()
    admins = await services.users.reachable_admins()
    for antenna in uncovered:
        if admins:
            log.warning(
                "antenna %s has no team chat and no coordinator: its safety alerts go to the "
                "admins only",
                antenna.code,
            )
        else:
            log.error(
                "antenna %s has no team chat, no coordinator, and no admin of ADMIN_IDS who "
                "wrote to the bot: its safety alerts reach NOBODY",
                antenna.code,
            )
    # Told once per change, not at every restart.
    if not await services.users.coverage_changed(uncovered) or not uncovered:
        return
    for admin_id in sorted(services.settings.admin_ids):
        t = services.translator_for(await services.users.get(admin_id))
        await services.outbox.send_text(
            admin_id,
            t._(
                "⚠️ {antennas}: no team chat and no coordinator. Only admins will receive "
                "their safety alerts. Name a coordinator, or set the team chat with: {command}",
                antennas=", ".join(antenna.name for antenna in uncovered),
                command=Markup("<code>maraude admin team-chat ANTENNA CHAT_ID</code>"),
            ),
        )


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("invite", invite, filters=private),
        CommandHandler("join", join, filters=private),
        CommandHandler("promote", promote),
        CommandHandler("demote", demote),
        CommandHandler("volunteers", volunteers),
        CallbackQueryHandler(role_given, pattern=RoleGive.pattern()),
        CallbackQueryHandler(role_taken, pattern=RoleTake.pattern()),
        CallbackQueryHandler(member_hours, pattern=MemberHours.pattern()),
        CallbackQueryHandler(team_page, pattern=TeamPage.pattern()),
    ]
