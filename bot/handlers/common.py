"""Small helpers shared by the handlers: translating domain errors, keyboards, names."""

from __future__ import annotations

from telegram import Update

from bot.callbacks import MenuTopic
from bot.context import BotContext
from bot.i18n import Translator
from bot.services.errors import DomainError
from bot.services.outbox import Button, Keyboard
from bot.storage.models import Role, User


def error_text(t: Translator, error: DomainError) -> str:
    """The sentence a user reads for a refusal; nothing was changed."""
    p = error.params
    match error.code:
        case "not_allowed":
            return t._("🔒 Sorry, this is only for team members who have this role.")
        case "invite_unknown":
            return t._("❌ This invitation code does not exist. Check it with your coordinator.")
        case "invite_used":
            return t._("❌ This invitation was already used. Ask your coordinator for a new one.")
        case "invite_expired":
            return t._("⌛ This invitation has expired. Ask your coordinator for a new one.")
        case "already_volunteer":
            return t._("✅ You are already in the team.")
        case "unknown_antenna":
            return t._("❌ Unknown antenna: {antenna}.", antenna=p.get("antenna", ""))
        case "user_unknown":
            return t._(
                "❌ I don't know {reference}. The person must first write to me.",
                reference=p.get("reference", ""),
            )
        case "role_unknown":
            return t._(
                "❌ Unknown role: {role}. Use coordinator or legal.", role=p.get("role", "")
            )
        case "not_a_volunteer":
            return t._("❌ This person is not a volunteer yet. Send them an invitation first.")
        case "role_unchanged":
            return t._("ℹ️ Nothing to change: this person already has this role.")
        case "cannot_change_self":
            return t._("❌ You cannot change your own role.")
        case _:
            return t._("❌ This could not be done. Nothing was changed.")


async def refuse(update: Update, context: BotContext, error: DomainError) -> None:
    """Answer a refusal in the chat, or as an alert on the pressed button."""
    text = error_text(context.t, error)
    if update.callback_query is not None:
        await context.answer(update, text, alert=True)
    else:
        await context.reply(update, text)


def role_name(t: Translator, role: Role) -> str:
    match role:
        case Role.PUBLIC:
            return t.p_("role", "public")
        case Role.VOLUNTEER:
            return t.p_("role", "volunteer")
        case Role.LEGAL:
            return t.p_("role", "legal team")
        case Role.COORDINATOR:
            return t.p_("role", "coordinator")
        case Role.ADMIN:
            return t.p_("role", "admin")


def person_name(user: User) -> str:
    name = user.display_name or str(user.id)
    return f"{name} (@{user.username})" if user.username else name


def menu_button(t: Translator) -> Keyboard:
    return [[Button(t.p_("button", "🏠 Menu"), data=MenuTopic("menu").pack())]]


def telegram_name(update: Update) -> tuple[str, str | None]:
    """The sender's display name and username, for team members only (SPEC §6)."""
    user = update.effective_user
    if user is None:
        return "", None
    return user.full_name[:64], user.username
