"""Typed dependency injection: the services every handler reaches through `BotContext`."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import Catalogs, Translator, has_rtl, negotiate
from bot.services.alerts import AlertService
from bot.services.broadcasts import BroadcastService
from bot.services.catalogue_admin import CatalogueAdmin
from bot.services.distributions import DistributionService
from bot.services.exports import ExportService
from bot.services.help import HelpService
from bot.services.housing import HousingService
from bot.services.incident_export import Fetch, IncidentExporter
from bot.services.incidents import IncidentService
from bot.services.info import InfoService
from bot.services.menus import MenuService
from bot.services.outbox import Keyboard, Outbox
from bot.services.planning import PlanningService
from bot.services.reporting import ErrorReporter
from bot.services.reports import ReportService
from bot.services.scheduler import Scheduler
from bot.services.shifts import ShiftService
from bot.services.users import UserService
from bot.services.woodcut import WoodcutService
from bot.storage import Storage
from bot.storage.models import User


@dataclass
class Services:
    """Everything opened in `post_init` and closed in `post_shutdown`."""

    settings: Settings
    storage: Storage
    clock: Clock
    catalogs: Catalogs
    outbox: Outbox
    users: UserService
    menus: MenuService
    errors: ErrorReporter
    scheduler: Scheduler
    shifts: ShiftService
    planning: PlanningService
    # Wood-cutting sessions: planned shifts of their own kind (issue 10 §3).
    woodcut: WoodcutService
    distributions: DistributionService
    # Coordinators' changes to the places and items the distributions use.
    catalogue: CatalogueAdmin
    reports: ReportService
    help: HelpService
    # Spreadsheets, read through read-only connections and written in a worker thread.
    exports: ExportService
    info: InfoService
    # Team alerts and the weekly summary (issue 10 §4–5).
    alerts: AlertService
    # Issue 10, §2.
    broadcasts: BroadcastService
    # Rights-violation reports, sealed with INCIDENT_KEY (issue 11).
    incidents: IncidentService
    # The PDF of a period's reports for a legal referral (issue 11).
    incident_export: IncidentExporter
    # Volunteer housing: stays, contributions, reductions (issue 12).
    housing: HousingService
    bot_username: str = ""
    # A file's bytes by Telegram file_id (getFile), for the incident export; None offline.
    fetch_file: Fetch | None = None

    def translator(self, locale: str | None) -> Translator:
        return self.catalogs.translator(locale or self.settings.default_locale, self.settings.tz)

    def translator_for(self, user: User | None) -> Translator:
        """Speak to someone other than the caller in their language (jobs, notices)."""
        if user is None:
            return self.translator(None)
        locale = negotiate(user.locale, user.telegram_language, self.settings.default_locale)
        return self.translator(locale)


class AppState:
    """`bot_data`: holds the services once `post_init` has opened them."""

    def __init__(self) -> None:
        self._services: Services | None = None

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("services are opened in post_init")
        return self._services

    @services.setter
    def services(self, value: Services | None) -> None:
        self._services = value


@dataclass
class UpdateScope:
    """What the gatekeeper learnt about one update, and what happened while handling it."""

    update_id: int
    user: User | None = None
    t: Translator | None = None
    answered: bool = False
    error: BaseException | None = None


current_scope: ContextVar[UpdateScope | None] = ContextVar("current_scope", default=None)


class BotContext(
    CallbackContext[ExtBot[Any], dict[object, object], dict[object, object], AppState]
):
    """The context every handler receives."""

    @property
    def services(self) -> Services:
        return self.bot_data.services

    @property
    def scope(self) -> UpdateScope:
        scope = current_scope.get()
        if scope is None:
            raise RuntimeError("no update is being handled")
        return scope

    @property
    def user(self) -> User:
        user = self.scope.user
        if user is None:
            raise RuntimeError("the gatekeeper did not run")
        return user

    @user.setter
    def user(self, value: User) -> None:
        self.scope.user = value

    @property
    def t(self) -> Translator:
        translator = self.scope.t
        if translator is None:
            raise RuntimeError("the gatekeeper did not run")
        return translator

    @t.setter
    def t(self, value: Translator) -> None:
        self.scope.t = value

    async def reply(self, update: Update, text: str, keyboard: Keyboard | None = None) -> None:
        """Answer in the chat the update came from (after the update's transaction commits)."""
        chat = update.effective_chat
        if chat is None:
            return
        await self.answer(update)
        text, keyboard = self._directed(text, keyboard)
        await self.services.outbox.send_text(chat.id, text, keyboard=keyboard)

    async def answer(
        self, update: Update, text: str | None = None, *, alert: bool = False
    ) -> None:
        """Answer the button press once (Telegram refuses a second answer)."""
        query = update.callback_query
        if query is None or self.scope.answered:
            return
        self.scope.answered = True
        await self.services.outbox.answer_callback(query.id, text, alert=alert)

    async def edit(self, update: Update, text: str, keyboard: Keyboard | None = None) -> None:
        """Replace the text of the message whose button was pressed; for a typed command,
        answer with a new message instead."""
        query = update.callback_query
        if query is None or query.message is None:
            await self.reply(update, text, keyboard)
            return
        await self.answer(update)
        text, keyboard = self._directed(text, keyboard)
        await self.services.outbox.edit_text(
            query.message.chat.id, query.message.message_id, text, keyboard=keyboard
        )

    def _directed(self, text: str, keyboard: Keyboard | None) -> tuple[str, Keyboard | None]:
        """In a right-to-left language every line of a reply and every button with a
        right-to-left word starts right to left, the lines the code joins (lists of names,
        places) as well as translated ones."""
        translator = self.scope.t
        if translator is None or not translator.rtl:
            return text, keyboard
        if keyboard is not None:
            # A label without a right-to-left letter (a Latin place name, a language's own
            # name in the picker) keeps its own direction.
            keyboard = [
                [
                    replace(button, text=translator.right_to_left(button.text))
                    if has_rtl(button.text)
                    else button
                    for button in row
                ]
                for row in keyboard
            ]
        return translator.right_to_left(text), keyboard


BotApplication = Application[
    ExtBot[Any],
    BotContext,
    dict[object, object],
    dict[object, object],
    AppState,
    JobQueue[BotContext],
]
