"""Command menus per role and language (setMyCommands), and the /help text built from them."""

from __future__ import annotations

import hashlib
import json

from bot.i18n import LANGUAGES, Translator, pN_
from bot.services.outbox import Outbox
from bot.storage.interface import Store
from bot.storage.models import Role, User

# (command, description, lowest role that sees it), in the order menus show them.
COMMANDS: list[tuple[str, tuple[str, str], Role]] = [
    ("menu", pN_("command", "Main menu"), Role.PUBLIC),
    ("lang", pN_("command", "Change language"), Role.PUBLIC),
    ("help", pN_("command", "What this bot can do"), Role.PUBLIC),
    ("start", pN_("command", "Start again"), Role.PUBLIC),
    ("forget", pN_("command", "Erase my data"), Role.PUBLIC),
    (
        "distrib",
        pN_("command", "Log a distribution: /distrib 40 blankets @ Marck"),
        Role.VOLUNTEER,
    ),
    ("undo", pN_("command", "Remove my last log (15 minutes)"), Role.VOLUNTEER),
    ("shift", pN_("command", "Start, end or see my shift"), Role.VOLUNTEER),
    ("planning", pN_("command", "Planned shifts and sign-up"), Role.VOLUNTEER),
    ("hours", pN_("command", "My volunteer hours"), Role.VOLUNTEER),
    # Issue 12.
    (
        "stay",
        pN_("command", "My stay at the house: /stay ARRIVAL DEPARTURE, end, cancel, reduce"),
        Role.VOLUNTEER,
    ),
    # Issue 11.
    ("incident", pN_("command", "Report a rights violation (encrypted)"), Role.VOLUNTEER),
    (
        "incidents",
        pN_("command", "Rights-violation reports: /incidents [KIND] [PERIOD]"),
        Role.VOLUNTEER,
    ),
    (
        "reply",
        pN_("command", "Write to the person of a help request: /reply NUMBER"),
        Role.VOLUNTEER,
    ),
    (
        "plan",
        pN_("command", "Plan a shift: /plan DATE HH:MM-HH:MM ACTIVITY [PEOPLE] [@ PLACE]"),
        Role.COORDINATOR,
    ),
    (
        "woodcut",
        pN_("command", "Wood-cutting session: /woodcut DATE HH:MM [PLACE] [SLOTS], list, cancel"),
        Role.COORDINATOR,
    ),
    ("places", pN_("command", "Distribution places"), Role.VOLUNTEER),
    ("items", pN_("command", "Items that can be logged"), Role.VOLUNTEER),
    ("report", pN_("command", "Figures: /report today|week|month|YYYY-MM"), Role.COORDINATOR),
    ("export", pN_("command", "Spreadsheets: /export month"), Role.COORDINATOR),
    ("housing", pN_("command", "The house: nights, arrivals, balances"), Role.COORDINATOR),
    ("paid", pN_("command", "Record a housing payment: /paid NAME AMOUNT"), Role.COORDINATOR),
    (
        "broadcast",
        pN_("command", "Message the team chat or every volunteer: /broadcast [team|volunteers]"),
        Role.COORDINATOR,
    ),
    (
        "content",
        pN_("command", "Information to check: /content, /content reload"),
        Role.COORDINATOR,
    ),
    ("alert", pN_("command", "Post to the team chat later: /alert 18:00 TEXT"), Role.COORDINATOR),
    ("alerts", pN_("command", "Planned alerts and the weekly summary"), Role.COORDINATOR),
    ("volunteers", pN_("command", "Team members of the antenna"), Role.COORDINATOR),
    ("invite", pN_("command", "Invite a volunteer"), Role.COORDINATOR),
    ("promote", pN_("command", "Give a role: /promote NAME coordinator|legal"), Role.COORDINATOR),
    ("demote", pN_("command", "Remove a role: /demote NAME"), Role.COORDINATOR),
    ("audit", pN_("command", "Who read or changed which incident report"), Role.COORDINATOR),
]


# Commands answered only in a private chat (in a group the bot points to the private chat):
# bot/handlers/fallback.py's PRIVATE_ONLY, and /reply, whose conversation is private.
PRIVATE_ONLY = frozenset(
    {"start", "lang", "forget", "invite", "join", "reply", "broadcast"}
    | {"incident", "incidents", "audit"}
    | {"stay", "paid", "housing"}
)


def commands_for(role: Role, t: Translator, *, in_group: bool = False) -> list[tuple[str, str]]:
    """The commands a role sees, in a private chat or (`in_group`) in a group chat."""
    return [
        (name, t.marked(description))
        for name, description, lowest in COMMANDS
        if role.includes(lowest) and not (in_group and name in PRIVATE_ONLY)
    ]


def _signature(menus: object) -> str:
    return hashlib.sha256(json.dumps(menus, ensure_ascii=False).encode()).hexdigest()[:16]


class MenuService:
    """Keeps Telegram's command menus in line with roles and languages, sending only changes."""

    def __init__(self, storage: Store, outbox: Outbox, default_locale: str) -> None:
        self.storage = storage
        self.outbox = outbox
        self.default_locale = default_locale
        # A role's menu in a language, and its signature: the same for every update of every
        # member of the team (the catalogues are read once, at start-up).
        self._menus: dict[tuple[Role, str], tuple[list[tuple[str, str]], str]] = {}

    def _menu(self, role: Role, t: Translator) -> tuple[list[tuple[str, str]], str]:
        found = self._menus.get((role, t.locale))
        if found is None:
            commands = commands_for(role, t)
            found = commands, _signature([*commands, (role.value, t.locale)])
            self._menus[(role, t.locale)] = found
        return found

    async def sync_defaults(self, t_for: dict[str, Translator]) -> bool:
        """Set the public menu for each two-letter language and the default; False if unchanged."""
        menus: list[tuple[str | None, list[tuple[str, str]]]] = [
            (None, commands_for(Role.PUBLIC, t_for[self.default_locale]))
        ]
        menus += [
            (language.telegram_code, commands_for(Role.PUBLIC, t_for[code]))
            for code, language in LANGUAGES.items()
            if language.telegram_code is not None
        ]
        signature = _signature(menus)
        if await self.storage.meta.get("menus:default") == signature:
            return False
        for language, commands in menus:
            await self.outbox.set_commands(commands, scope_chat_id=None, language=language)
        await self.storage.meta.set("menus:default", signature)
        return True

    async def sync_team_chat(self, chat_id: int, t_for: dict[str, Translator]) -> bool:
        """Give a team chat the menu of what works there for its members, in each language;
        False if unchanged. Set once the bot is known to be in the chat (Telegram refuses a
        menu for a chat it is not in)."""
        menus: list[tuple[str | None, list[tuple[str, str]]]] = [
            (None, commands_for(Role.VOLUNTEER, t_for[self.default_locale], in_group=True))
        ]
        menus += [
            (language.telegram_code, commands_for(Role.VOLUNTEER, t_for[code], in_group=True))
            for code, language in LANGUAGES.items()
            if language.telegram_code is not None
        ]
        key = f"menus:chat:{chat_id}"
        signature = _signature(menus)
        if await self.storage.meta.get(key) == signature:
            return False
        for language, commands in menus:
            await self.outbox.set_commands(commands, scope_chat_id=chat_id, language=language)
        await self.storage.meta.set(key, signature)
        return True

    async def sync_user(self, user: User, t: Translator) -> bool:
        """Give a member of the team their own menu in their language, when it changed."""
        if user.role is Role.PUBLIC:
            if user.menu_signature is None:
                return False
            # Back to the public menu, which follows the person's Telegram language.
            await self.outbox.delete_commands(scope_chat_id=user.id)
            await self.storage.users.set_menu_signature(user.id, None)
            return True
        commands, signature = self._menu(user.role, t)
        if signature == user.menu_signature:
            return False
        await self.outbox.set_commands(commands, scope_chat_id=user.id, language=None)
        await self.storage.users.set_menu_signature(user.id, signature)
        return True
