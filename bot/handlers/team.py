"""The team: invitations, joining, roles and the list of volunteers (SPEC §2 Registration)."""

from __future__ import annotations

import logging
from urllib.parse import quote

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import BotContext, Services
from bot.handlers import help_requests
from bot.handlers.common import (
    in_confidence,
    person_name,
    refuse,
    role_name,
    telegram_name,
)
from bot.i18n import Markup, escape
from bot.services.errors import DomainError
from bot.services.outbox import Button
from bot.services.users import RoleChange
from bot.storage.models import Role

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


async def promote(update: Update, context: BotContext) -> None:
    """Give a volunteer the coordinator or legal role."""
    if len(context.args or []) != 2:
        await context.reply(update, context.t._("Usage: /promote @username coordinator|legal"))
        return
    reference, role = context.args or []
    try:
        change = await context.services.users.promote(context.user, reference, role)
    except DomainError as error:
        await refuse(update, context, error)
        return
    await _announce_role_change(update, context, change)


async def demote(update: Update, context: BotContext) -> None:
    """Take one role step away from a team member."""
    if len(context.args or []) != 1:
        await context.reply(update, context.t._("Usage: /demote @username"))
        return
    try:
        change = await context.services.users.demote(context.user, (context.args or [""])[0])
    except DomainError as error:
        await refuse(update, context, error)
        return
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
            name=person_name(change.user),
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
    """List the team members of the antenna with their roles."""
    t = context.t
    if not await in_confidence(update, context):
        return
    try:
        members = await context.services.users.team(context.user)
    except DomainError as error:
        await refuse(update, context, error)
        return
    if not members:
        await context.reply(update, t._("Nobody has joined the team yet. Use /invite."))
        return
    hours = await context.services.shifts.team_hours(context.user, members)
    lines = [t.n_("👥 {n} team member:", "👥 {n} team members:", len(members))]
    for member in members:
        line = f"• {escape(person_name(member))} — {role_name(t, member.role)}"
        worked = hours[member.id]
        if worked.shifts:
            line += " · " + t._("{duration} this month", duration=t.fmt_duration(worked.total))
        if not member.active:
            line += " " + t._("(unreachable)")
        lines.append(line)
    await context.reply(update, "\n".join(lines))


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
    ]
