"""The composition root: builds the Application and its services from a `Settings` object."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, cast

from telegram.error import NetworkError
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import AppState, BotApplication, BotContext, Services
from bot.delivery import Delivery
from bot.handlers import ALWAYS_RUN_JOBS, DETACHED_JOBS, JOB_HANDLERS, SKIP_HANDLERS, register
from bot.handlers.broadcast import SummaryPacer
from bot.handlers.broadcast import catch_up as broadcast_summaries_catch_up
from bot.handlers.broadcast import close_done as broadcast_summaries_close_done
from bot.handlers.info import schedule_weekly_lists
from bot.handlers.team import warn_uncovered_antennas
from bot.i18n import LANGUAGES, Catalogs
from bot.jobs import JobRunner
from bot.runtime import Runtime
from bot.services import keywords
from bot.services.alerts import AlertService
from bot.services.broadcasts import BroadcastService
from bot.services.catalogue_admin import CatalogueAdmin
from bot.services.content import CONTENT_DIR, ContentError
from bot.services.distributions import DistributionService
from bot.services.exports import ExportService
from bot.services.help import HelpService
from bot.services.housing import HOUSES_FILE, HousingService, load_houses
from bot.services.incident_export import IncidentExporter
from bot.services.incidents import IncidentService
from bot.services.info import InfoService
from bot.services.menus import MenuService
from bot.services.outbox import Outbox
from bot.services.planning import PlanningService
from bot.services.reporting import ErrorReporter
from bot.services.reports import ReportService
from bot.services.scheduler import Scheduler
from bot.services.shifts import ShiftService
from bot.services.users import UserService
from bot.services.woodcut import WoodcutService
from bot.storage import Storage
from bot.storage.exports import ExportReader
from bot.storage.models import Job, OutboxEntry
from bot.transport import AiohttpRequest

log = logging.getLogger(__name__)

DEFAULT_ANTENNA = "calais"
START_RETRY_MAX = 60.0
SHUTDOWN_DRAIN_SECONDS = 5.0
PRUNE_INTERVAL = 3600.0
PRUNE_FIRST = 5.0


class MaraudeBot:
    """One running bot: the PTB Application, its services, the inbox runtime and the sender."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        if settings.bot_token is None:
            raise ValueError("BOT_TOKEN is required to build the bot")
        self.settings = settings
        self.clock = clock or SystemClock()
        # Opt in to PTB 23's timedelta retry_after now: otherwise every 429 logs a deprecation
        # warning from inside RetryAfter itself. bot/delivery.py reads both forms.
        os.environ.setdefault("PTB_TIMEDELTA", "1")
        context_types = ContextTypes(context=BotContext, bot_data=AppState)
        self.poll_request = AiohttpRequest(connections=1)
        self.app = cast(
            BotApplication,
            ApplicationBuilder()
            .token(settings.bot_token.get_secret_value())
            .base_url(settings.bot_api_base_url)
            .base_file_url(settings.file_base_url)
            # aiohttp instead of httpx: a quarter of the CPU per request (bot/transport.py).
            # The long poll has a connection of its own.
            .request(AiohttpRequest())
            .get_updates_request(self.poll_request)
            .context_types(context_types)
            # Paces the whole bot (30/s) and each group (20/min); the outbox retries 429s
            # itself, so the limiter must not sleep-and-retry on its own.
            .rate_limiter(AIORateLimiter(max_retries=0))
            # Our own intake replaces the Updater: see bot/runtime.py.
            .updater(None)
            .build(),
        )
        register(self.app)
        self.storage = Storage(settings.database_path)
        self.reader = Storage(settings.database_path, read_only=True)
        self.delivery = Delivery(
            self.app.bot,
            self.storage,
            self.clock,
            self._recipient_blocked,
            self._chat_migrated,
            self._urgent_lost,
            on_batch_done=self._batch_done,
            reader=self.reader,
        )
        self._broadcast_pacer = SummaryPacer()
        self._services: Services | None = None
        self._runtime: Runtime | None = None
        self._jobs: JobRunner | None = None

    @property
    def services(self) -> Services:
        assert self._services is not None, "the bot is not started"
        return self._services

    @property
    def runtime(self) -> Runtime:
        assert self._runtime is not None, "the bot is not started"
        return self._runtime

    @property
    def jobs(self) -> JobRunner:
        assert self._jobs is not None, "the bot is not started"
        return self._jobs

    def _arm(self, job: Job) -> None:
        if self._jobs is not None:
            self._jobs.arm(job)

    async def _recipient_blocked(self, user_id: int) -> None:
        async with self.storage.transaction():
            await self.services.users.set_reachable(user_id, False)
            await broadcast_summaries_close_done(self.services)

    async def _urgent_lost(self, chat_id: int | None, error: str) -> None:
        """An alert did not reach someone: the admins hear it (once per ten minutes)."""
        async with self.storage.transaction():
            await self.runtime.report_error(
                "an alert could not be delivered", f"chat {chat_id}: {error}"
            )

    def _wake_sender(self) -> None:
        """A message was queued: nudge the sender once it is committed, never before."""
        self.storage.db.after_commit(self.delivery.wake)

    async def _batch_done(self, entry: OutboxEntry) -> None:
        """A copy of a broadcast is done: its summary follows (every few seconds)."""
        if self._services is not None:
            await self._broadcast_pacer.copy_done(self._services, entry)

    async def _chat_migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        await self.services.users.move_team_chat(old_chat_id, new_chat_id)

    async def _fetch_file(self, file_id: str) -> bytes:
        """A file sent to the bot, by its file_id (getFile then download, over HTTP)."""
        file = await self.app.bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())

    async def open(self) -> None:
        """Open storage and services (PTB's post_init moment)."""
        # An invalid houses file stops the bot here, naming its line (nothing opened yet).
        houses = load_houses((self.settings.content_dir or CONTENT_DIR) / HOUSES_FILE)
        applied = await self.storage.open()
        if applied:
            log.info("database upgraded: %s", ", ".join(applied))
        await self.reader.open()
        settings = self.settings
        outbox = Outbox(self.storage, self.clock, self._wake_sender)
        catalogs = Catalogs()
        scheduler = Scheduler(self.storage, self.clock, self._arm)
        distributions = DistributionService(
            self.storage, self.clock, settings.tz, settings.slot_starts, DEFAULT_ANTENNA
        )
        planning = PlanningService(
            self.storage,
            self.clock,
            scheduler,
            settings.tz,
            timedelta(minutes=settings.shift_reminder_minutes),
            DEFAULT_ANTENNA,
            lambda: distributions.catalogue,
        )
        incidents = IncidentService(
            self.storage,
            self.clock,
            settings.tz,
            settings.incident_key.get_secret_value() if settings.incident_key else None,
            DEFAULT_ANTENNA,
        )
        services = Services(
            settings=settings,
            storage=self.storage,
            clock=self.clock,
            catalogs=catalogs,
            outbox=outbox,
            users=UserService(self.storage, self.clock, settings.admin_ids, DEFAULT_ANTENNA),
            menus=MenuService(self.storage, outbox, settings.default_locale),
            errors=ErrorReporter(self.clock),
            scheduler=scheduler,
            shifts=ShiftService(self.storage, self.clock, scheduler, settings.tz, DEFAULT_ANTENNA),
            planning=planning,
            woodcut=WoodcutService(planning),
            distributions=distributions,
            catalogue=CatalogueAdmin(self.storage, self.clock, distributions),
            reports=ReportService(self.storage, self.clock, settings.tz, DEFAULT_ANTENNA),
            help=HelpService(
                self.storage,
                self.clock,
                scheduler,
                settings.tz,
                realert=timedelta(minutes=settings.help_realert_minutes),
                max_per_day=settings.help_max_per_day,
                retention=timedelta(days=settings.retention_days),
            ),
            exports=ExportService(
                ReportService(self.reader, self.clock, settings.tz, DEFAULT_ANTENNA),
                lambda: ExportReader(settings.database_path),
                self.clock,
                settings.tz,
                settings.outgoing_path,
            ),
            info=InfoService(
                self.storage,
                self.clock,
                settings.tz,
                settings.content_dir or CONTENT_DIR,
                settings.content_stale_days,
                DEFAULT_ANTENNA,
            ),
            # Team alerts and the weekly summary (issue 10 §4–5).
            alerts=AlertService(self.storage, self.clock, scheduler, settings.tz, DEFAULT_ANTENNA),
            bot_username=self.app.bot.username,
            broadcasts=BroadcastService(self.storage, self.clock, outbox, DEFAULT_ANTENNA),
            incidents=incidents,
            incident_export=IncidentExporter(
                incidents,
                self.storage,
                lambda: distributions.catalogue,
                self.clock,
                settings.tz,
                settings.outgoing_path,
            ),
            housing=HousingService(
                self.storage,
                self.clock,
                settings.tz,
                settings.housing_daily_fee_eur,
                houses,
            ),
            fetch_file=self._fetch_file,
        )
        keywords.warm_up()
        # An invalid catalogue stops the bot here, naming each file and line at fault.
        try:
            await services.info.load()
        except ContentError:
            await self.reader.close()
            await self.storage.close()
            raise
        # Ready for updates only once the data is in place (tests wait for _services).
        async with self.storage.transaction():
            if settings.team_chat_id is not None:
                await self.storage.antennas.set_team_chat(DEFAULT_ANTENNA, settings.team_chat_id)
            await services.menus.sync_defaults(
                {code: services.translator(code) for code in LANGUAGES}
            )
            await services.distributions.load()
            await services.distributions.backfill_days()
            await warn_uncovered_antennas(services)
            await schedule_weekly_lists(services)
            await services.alerts.arm_summaries(timedelta(minutes=settings.misfire_grace_minutes))
            await services.alerts.arm_recurring()
            await services.help.arm_retention()
            await broadcast_summaries_catch_up(services)
        await services.help.ensure_secret()
        # A missing or wrong INCIDENT_KEY refuses the incident features only (logged).
        await services.incidents.check_key()
        self._services = services
        self.app.bot_data.services = services
        self._runtime = Runtime(self.app, services, self.delivery, self.poll_request)
        self._jobs = JobRunner(
            self.app,
            services,
            self.delivery,
            JOB_HANDLERS,
            self._runtime.report_error,
            ALWAYS_RUN_JOBS,
            DETACHED_JOBS,
            SKIP_HANDLERS,
        )

    async def _prune(self, context: BotContext) -> None:
        await self.runtime.prune()

    async def close(self) -> None:
        """Close what `open` opened (PTB's post_shutdown moment)."""
        self.app.bot_data.services = None
        await self.reader.close()
        await self.storage.close()

    async def _initialize(self, stop: asyncio.Event) -> bool:
        """getMe until Telegram answers: a bot started during a network outage must wait."""
        delay = 1.0
        while not stop.is_set():
            try:
                await self.app.initialize()
            except NetworkError as exc:
                log.warning("Telegram is unreachable (%s); retrying in %.0f s", exc, delay)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):  # not wait_for: see Delivery
                        await stop.wait()
                delay = min(START_RETRY_MAX, delay * 2)
            else:
                return True
        return False

    async def run(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set; a crashed component stops the whole bot loudly."""
        if not await self._initialize(stop):
            return
        tasks: list[asyncio.Task[Any]] = []
        clean = False
        try:
            await self.open()
            await self.app.start()
            assert self.app.job_queue is not None
            # Idempotent housekeeping: a plain repeating job, nothing to persist.
            self.app.job_queue.run_repeating(
                self._prune, interval=PRUNE_INTERVAL, first=PRUNE_FIRST, name="maintenance:prune"
            )
            await self.jobs.start()
            intake: Coroutine[Any, Any, None] = (
                self.runtime.serve_webhook()
                if self.settings.webhook_url
                else self.runtime.poll_forever()
            )
            tasks = [
                asyncio.create_task(self.runtime.work_forever(), name="inbox"),
                asyncio.create_task(self.delivery.run(), name="outbox"),
                asyncio.create_task(intake, name="intake"),
            ]
            stopper = asyncio.create_task(stop.wait(), name="stop")
            done, _ = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            for task in done:
                if task is not stopper and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
            clean = True
        finally:
            # Stop taking updates, then give the replies already decided a moment to go out.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if tasks:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.delivery.drain_due(), SHUTDOWN_DRAIN_SECONDS)
            if clean:
                await self.runtime.clean_shutdown()
            if self.app.running:
                await self.app.stop()
            if self._services is not None:
                await self.close()
            await self.app.shutdown()
