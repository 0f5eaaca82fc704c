"""Small helpers shared by the handlers: translating domain errors, keyboards, names."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Update
from telegram.constants import ChatType

from bot.callbacks import MenuTopic
from bot.context import BotContext, Services
from bot.i18n import N_, Markup, Translator
from bot.services import keywords
from bot.services.errors import DomainError
from bot.services.outbox import URGENT, Button, Keyboard
from bot.storage.models import Role, User

log = logging.getLogger(__name__)

# What a user reads for each refusal code of the services; nothing was changed.
ERRORS: dict[str, str] = {
    # Volunteer housing (issue 12).
    "housing_no_house": N_("🏠 No house is set up for your antenna. Ask a coordinator."),
    "housing_bad_amount": N_(
        "❌ Type an amount in euros, more than 0 and at most 10 000, with two decimals at "
        "most, e.g. 20 or 12.50."
    ),
    "stay_departure_before": N_("❌ The departure must be after the arrival."),
    "stay_in_past": N_(
        "❌ These dates are past. Type the dates of your stay, e.g. /stay 2026-12-01 2026-12-20."
    ),
    "stay_too_far": N_("❌ The arrival is more than a year away."),
    "stay_too_long": N_("❌ A stay is {most} nights at most."),
    "stay_overlap": N_("❌ These dates overlap another stay of yours. See it with /stay."),
    "stay_change_full": N_(
        "⚠️ The house is full on some of the nights you would add: your stay is unchanged. "
        "Talk to a coordinator."
    ),
    "stay_unchanged": N_("ℹ️ Your stay already has these dates: nothing changed."),
    "stay_gone": N_("ℹ️ This stay has changed since: nothing was done. See it with /stay."),
    "stay_none": N_("🏠 You have no current stay. Register one: /stay ARRIVAL DEPARTURE."),
    "stay_not_begun": N_("ℹ️ Your stay has not begun yet: to cancel it, send /stay cancel."),
    "stay_begun": N_("ℹ️ Your stay has begun: to leave early, send /stay end."),
    "reduce_too_early": N_(
        "🕐 A reduction can be asked once your stay has passed 30 nights (one month)."
    ),
    "reduce_open": N_("📨 Your reduction request is already with the coordinators."),
    "reduce_gone": N_("ℹ️ This reduction request no longer exists."),
    "reduce_amount_high": N_(
        "❌ The amount must be less than the usual contribution. To keep it, tap ✖ Refuse."
    ),
    "paid_no_stay": N_("❌ This person has no stay at the house: no payment recorded."),
    "paid_gone": N_("ℹ️ This payment no longer exists."),
    "paid_undone": N_("ℹ️ This payment was already undone: nothing changed."),
    "paid_too_late": N_(
        "⌛ A payment can be undone within {minutes} minutes only. Record a correction instead."
    ),
    # Rights-violation reports (issue 11).
    "incident_export_too_large": N_(
        "⚠️ The document of the incident reports would be too large to send (over 50 MB "
        "or 500 reports). Choose a shorter period, for example /incidents export 2026-11."
    ),
    "incident_key_missing": N_(
        "🔐 Incident reports are switched off: no encryption key is configured. "
        "Tell an admin (INCIDENT_KEY). Nothing was saved."
    ),
    "incident_key_wrong": N_(
        "🔐 Incident reports are switched off: the encryption key does not match the stored "
        "reports. Tell an admin. Nothing was saved."
    ),
    "incident_unreadable": N_("🔐 This report cannot be decrypted. Tell an admin."),
    "incident_kind_unknown": N_("❌ Unknown kind of incident."),
    "incident_draft_gone": N_("ℹ️ This report was already sent or cancelled. Send /incident."),
    "incident_future": N_("❌ This time is still to come. Type when it happened."),
    "incident_place_length": N_("❌ Type the place in at most 300 characters."),
    "incident_people": N_("❌ Type a number of people from 1 to {most}."),
    "incident_description_empty": N_("✍️ Write what happened first."),
    "incident_description_full": N_(
        "❌ The description has {most} messages already. Tap ✅ Done to go on."
    ),
    "incident_media_full": N_("❌ {most} photos or videos at most. Tap ✅ Done to go on."),
    "not_allowed": N_("🔒 Sorry, this is only for team members who have this role."),
    "invite_unknown": N_(
        "❌ This invitation code does not exist. Check it with your coordinator."
    ),
    "invite_used": N_("❌ This invitation was already used. Ask your coordinator for a new one."),
    "invite_expired": N_("⌛ This invitation has expired. Ask your coordinator for a new one."),
    "already_in_team": N_("✅ You are already in the {antenna} team. Nothing was changed."),
    "unknown_antenna": N_("❌ Unknown antenna: {antenna}."),
    "other_antenna_admin_only": N_("🔒 Only an admin can do this for another antenna."),
    "coordinators_admin_only": N_("🔒 Only an admin can name or remove coordinators."),
    "admin_by_settings": N_("🔒 Admins are set by ADMIN_IDS on the server, not here."),
    "user_unknown": N_("❌ I don't know {reference}. The person must first write to me."),
    "name_unknown": N_(
        "❌ Nobody in your team is called {reference}. Send /volunteers to see the team."
    ),
    "member_gone": N_("ℹ️ This person is no longer known here. Nothing was changed."),
    "role_unknown": N_("❌ Unknown role: {role}. Use coordinator or legal."),
    "plan_place_retired": N_(
        "❌ {place} was retired since you chose it: nothing was planned. Choose another place."
    ),
    "role_word_unknown": N_("❌ Unknown role: {role}. Write one of: {choices}."),
    "not_a_volunteer": N_("❌ This person is not a volunteer yet. Send them an invitation first."),
    "role_unchanged": N_("ℹ️ Nothing to change: this person already has this role."),
    "cannot_change_self": N_("❌ You cannot change your own role."),
    "stale_button": N_("This button is no longer valid. Send /menu."),
    "bad_time": N_("❌ {value} is not a time. Write it like 21:30."),
    "bad_date": N_("❌ {value} is not a date. Write it like 2026-12-02 or 02/12."),
    "bad_month": N_("❌ {value} is not a month. Write it like 2026-12."),
    "unknown_activity": N_("❌ Unknown activity: {value}. Choose one of: {choices}."),
    "return_too_far": N_("❌ The return time must be within the next 12 hours."),
    "not_on_shift": N_("ℹ️ You are not on shift. Send /shift start to begin."),
    "shift_gone": N_("ℹ️ This shift is already over."),
    "already_answered": N_("ℹ️ Already answered. Thank you."),
    "plan_usage": N_(
        "Usage: /plan DATE HH:MM-HH:MM ACTIVITY [PEOPLE] [@ PLACE], "
        "for example /plan 2026-12-02 21:00-02:00 maraude 4 @ Marck"
    ),
    "in_the_past": N_("❌ This time is already past. Choose a time to come."),
    "too_long": N_("❌ A planned shift lasts at most 16 hours."),
    "bad_needed": N_("❌ The number of people needed must be between 1 and 50, not {value}."),
    "planned_gone": N_("ℹ️ This planned shift no longer exists."),
    "planned_over": N_("ℹ️ This planned shift is already over."),
    "shift_full": N_("🙏 This shift is already full. Thank you! Look for another one."),
    "nothing_to_undo": N_("ℹ️ You have no log to remove."),
    "undo_too_late": N_(
        "ℹ️ Your last log is more than 15 minutes old. Ask a coordinator to correct it."
    ),
    "draft_gone": N_("ℹ️ This log was already saved or cancelled."),
    # The words of /distrib's answer to a retired name (`catalogue.retired_answer`).
    "place_retired_meanwhile": N_("🗑 {name} is a retired place: choose another one."),
    "item_retired_meanwhile": N_(
        "🗑 {name} was retired by a coordinator: it can no longer be logged."
    ),
    "too_much": N_("❌ {total} {item} in one log is over {max}: send several logs."),
    "unknown_place": N_("❌ Which place is “{value}”? Choose one of: {choices}."),
    "place_exists": N_("ℹ️ This place already exists: {name}."),
    "bad_unit": N_("❌ Unknown unit: {value}. Use piece, litre, portion or kg."),
    "name_empty": N_("❌ The name is missing: write it after the command."),
    "name_too_long": N_(
        "❌ This name is too long: {max} characters at most, so that it fits on a button."
    ),
    "name_too_short": N_("❌ This name is too short: {min} characters at least."),
    "name_markup": N_(
        "❌ A name is plain text: no HTML tags or entities, no invisible or control "
        "characters, and no / or @ at the start."
    ),
    "name_no_letters": N_("❌ A name needs letters or digits."),
    "name_separator": N_(
        "❌ A name cannot contain “{char}”: /distrib reads it as a separator between items "
        "or before the place. Write the name without it."
    ),
    "name_number": N_("❌ A name cannot be only a number: /distrib would read it as a quantity."),
    "name_connector": N_(
        "❌ “{name}” cannot be a name: /distrib reads it as the “and” between two items."
    ),
    "place_retired_exists": N_(
        "ℹ️ {name} is a retired place. Bring it back with /places restore {name}"
    ),
    "item_retired_exists": N_(
        "ℹ️ {name} is a retired item. Bring it back with /items restore {name}"
    ),
    "unknown_place_name": N_("❌ No place is called “{value}”. Send /places to see them."),
    "unknown_place_name_retired": N_(
        "❌ No retired place is called “{value}”. Send /places retired to see them."
    ),
    "unknown_item_name": N_("❌ No item is called “{value}”. Send /items to see them."),
    "unknown_item_name_retired": N_(
        "❌ No retired item is called “{value}”. Send /items retired to see them."
    ),
    "ambiguous_name": N_("❌ “{value}” means several entries: use the buttons of the list."),
    "rename_usage_place": N_("Usage: /places rename OLD NAME → NEW NAME"),
    "rename_usage_item": N_("Usage: /items rename OLD NAME → NEW NAME"),
    "entry_retired": N_("ℹ️ This was retired in the meantime: restore it first to rename it."),
    "item_exists": N_("ℹ️ This item already exists: {name}."),
    "too_many_items": N_("❌ No more items can be added: the list holds {max} at most."),
    "too_many_places": N_("❌ No more places can be added: an antenna holds {max} at most."),
    "bad_period": N_(
        "❌ {value} is not a period. Use one of: {choices}; or a month like 2026-12, or days "
        "like 2026-12-01..2026-12-15."
    ),
    "bad_plan_date": N_(
        "❌ {value} is not a date. Write it like 2026-12-02 or 02/12, or a word such as {choices}"
    ),
    "plan_form_gone": N_(
        "ℹ️ This form was already used, cancelled or replaced. Send /plan to plan a shift."
    ),
    # Team alerts (issue 10 §4).
    "bad_when": N_("❌ “{value}” is not a time I understand. {choices}"),
    "alert_usage": N_("Usage: /alert WHEN TEXT. {choices}"),
    "alert_too_long": N_("❌ An alert is {max} characters at most."),
    "too_many_alerts": N_("❌ {max} alerts at most: delete one first (/alerts)."),
    "unknown_alert": N_("❌ There is no alert #{value} here. See /alerts."),
    "alert_del_usage": N_("Usage: /alert del NUMBER (the numbers are in /alerts)"),
    # Wood-cutting sessions (issue 10 §3).
    "woodcut_usage": N_(
        "Usage: /woodcut DATE HH:MM [PLACE] [SLOTS], for example /woodcut tomorrow 09:30 Marck 8; "
        "/woodcut list; /woodcut cancel NUMBER"
    ),
    "bad_slots": N_("❌ The number of places must be between 1 and {max}, not {value}."),
    "woodcut_time_skipped": N_(
        "❌ {value} does not exist that day: the clocks jump forward an hour that night. "
        "Choose another time."
    ),
    "woodcut_full": N_(
        "🙏 This wood-cutting session is already full. Thank you! Watch for the next one."
    ),
    "woodcut_unknown": N_(
        "❌ There is no wood-cutting session #{value} to come. Send /woodcut list to see them."
    ),
    # /broadcast (issue 10, §2).
    "broadcast_usage": N_(
        "Usage: /broadcast [team|volunteers] TEXT, for example /broadcast volunteers "
        "Wood-cutting on Saturday at 9:00. Without a word, it goes to the team chat."
    ),
    "broadcast_too_long": N_(
        "❌ This message is too long: {max} characters at most. Nothing was sent."
    ),
    "broadcast_no_team_chat": N_(
        "❌ {antenna} has no team chat yet: nothing was sent. Send it to the volunteers "
        "with /broadcast volunteers TEXT, or ask an admin to set the team chat."
    ),
    "broadcast_nobody": N_("❌ No volunteer of {antenna} can be reached: nothing was sent."),
    "broadcast_gone": N_(
        "ℹ️ This preview was cancelled or replaced: nothing was sent. Send /broadcast again."
    ),
    "broadcast_stale": N_(
        "⌛ This preview is over {hours} hours old: nothing was sent. Check the text and "
        "send /broadcast again."
    ),
    "broadcast_already_sent": N_(
        "ℹ️ Already sent as broadcast #{number}: it cannot be sent again or called back."
    ),
}


def alert_forms(t: Translator) -> str:
    """The forms of /alert's WHEN, with examples (issue 10 §4)."""
    return t._(
        "Write it like this:\n"
        "• /alert 18:00 TEXT (the next 18:00; 18h30 and 18h work too)\n"
        "• /alert 2026-12-24 18:00 TEXT (or 24/12, tomorrow, monday…)\n"
        "• /alert daily 08:00 TEXT (or: every day, chaque jour)\n"
        "• /alert weekly monday 18:00 TEXT (or: every Monday, chaque lundi)\n"
        "• /alert del NUMBER to delete one; /alerts to see them."
    )


# Refusals that list the words a person may type: in the reader's own language, whatever the
# service put there.
CHOICES: dict[str, Callable[[Translator], str]] = {
    "unknown_activity": keywords.activity_choices,
    "bad_period": keywords.period_choices,
    "bad_plan_date": keywords.day_choices,
    "bad_when": alert_forms,
    "alert_usage": alert_forms,
}


FALLBACK_ERROR = N_("❌ This could not be done. Nothing was changed.")


def error_text(t: Translator, error: DomainError) -> str:
    """The sentence a user reads for a refusal; nothing was changed."""
    message = ERRORS.get(error.code)
    if message is None:
        return t._(FALLBACK_ERROR)
    params = {key: _cut(value) if key in ECHOED else value for key, value in error.params.items()}
    if error.code in CHOICES:
        params["choices"] = CHOICES[error.code](t)
    return t._(message, **params)


# What a person typed is echoed in a refusal to show what was not understood, never in full
# (a list of choices, also a parameter, is shown whole).
ECHOED = frozenset({"value", "reference", "role", "antenna"})
ECHO_MAX = 40


def _cut(value: object) -> object:
    if isinstance(value, str) and not isinstance(value, Markup) and len(value) > ECHO_MAX:
        return value[: ECHO_MAX - 1] + "…"
    return value


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


async def alert_responders(
    services: Services,
    antenna: str,
    render: Callable[[Translator], str],
    *,
    what: str,
    keyboard: Callable[[Translator], Keyboard | None] | None = None,
    excluding: int | None = None,
    people_too: bool = True,
    priority: int = URGENT,
) -> int:
    """Tell an antenna's team chat and, privately, its coordinators and every admin.

    With `people_too=False` the people are written to only when there is no team chat (a
    notice, not an alarm). Alerts jump every chat's queue of answers, bulk sends and files
    (`priority`). Returns how many chats were written to; reaching nobody is logged
    as an error, never silent.
    """
    responders = await services.users.responders(antenna, excluding=excluding)
    targets: list[tuple[int, Translator]] = []
    if responders.team_chat_id is not None:
        targets.append((responders.team_chat_id, services.translator(None)))
    if people_too or responders.team_chat_id is None:
        targets += [
            (chat_id, services.translator_for(user)) for chat_id, user in responders.people
        ]
    if not targets:
        log.error(
            "%s for antenna %s reached nobody: it has no team chat, no coordinator, "
            "and ADMIN_IDS is empty",
            what,
            antenna,
        )
    for chat_id, t in targets:
        await services.outbox.send_text(
            chat_id, render(t), keyboard=keyboard(t) if keyboard else None, priority=priority
        )
    return len(targets)


async def point_to_private_chat(update: Update, context: BotContext) -> None:
    """In a group, point to the private chat for a personal command."""
    t = context.t
    link = f"https://t.me/{context.services.bot_username}"
    await context.reply(
        update,
        t._("ℹ️ Write to me privately for this."),
        [[Button(t.p_("button", "💬 Open the private chat"), url=link)]],
    )


async def in_confidence(update: Update, context: BotContext) -> bool:
    """Names and spreadsheets are shown in a private chat or the caller's own team chat only
    (an admin's, which span every antenna, in a private chat only); anywhere else the caller is
    pointed to the private chat and False is returned."""
    chat = update.effective_chat
    if chat is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    # An admin's lists cover every antenna: only a private chat is confidential enough.
    user = context.user
    if user.has(Role.VOLUNTEER) and not user.has(Role.ADMIN):
        antenna = await context.services.users.antenna_of(user)
        if antenna.team_chat_id == chat.id:
            return True
    await point_to_private_chat(update, context)
    return False


def typed_here(update: Update) -> bool:
    """Typed text is read in private chats only (a group in privacy mode does not even pass it
    on): a question asked in a group is answered elsewhere."""
    chat = update.effective_chat
    return chat is None or chat.type == ChatType.PRIVATE


async def ask_privately(
    update: Update, context: BotContext, text: str, keyboard: Keyboard | None = None
) -> None:
    """A "type it" button pressed in a group: ask the question in the presser's private chat,
    where their answer is read, and say so on the button."""
    await context.services.outbox.send_text(context.user.id, text, keyboard=keyboard)
    await context.answer(update, asked_privately(context.t))


def asked_privately(t: Translator) -> str:
    """Said on the button, and in the group's message, once a question was asked privately."""
    return t._("⌨️ I asked you in our private chat: type it there.")
