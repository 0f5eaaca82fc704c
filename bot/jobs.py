"""Running stored jobs on python-telegram-bot's JobQueue, exactly once, across restarts.

The JobQueue is a cache: at start-up every pending row is re-armed; a job missed while the bot
was down runs once if it is less than MISFIRE_GRACE_MINUTES late and is skipped (and logged)
otherwise. APScheduler's own misfire grace (one second by default) is switched off, since the
database decides. A sweeper runs due jobs every minute in case a timer was lost.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.context import BotApplication, BotContext, Services
from bot.delivery import Delivery
from bot.storage.models import Job

log = logging.getLogger(__name__)

JobHandler = Callable[[Job, Services], Awaitable[None]]
SWEEP_INTERVAL = 60.0
# A long job not finished after this long (the bot died under it) is taken again.
DETACHED_LEASE = timedelta(minutes=10)


class JobRunner:
    """Arms timers for stored jobs and runs them with their handlers."""

    def __init__(
        self,
        app: BotApplication,
        services: Services,
        delivery: Delivery,
        handlers: dict[str, JobHandler],
        report: Callable[[str, str], Awaitable[None]],
        always_run: frozenset[str] = frozenset(),
        detached: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.services = services
        self.delivery = delivery
        self.handlers = handlers
        self.report = report
        # Kinds that run however late (safety): the grace only applies to the others.
        self.always_run = always_run
        # Kinds whose work runs outside the claim's transaction: a long export must not hold
        # the database lock (and every update and alert) for seconds.
        self.detached = detached
        self.grace = timedelta(minutes=services.settings.misfire_grace_minutes)

    def arm(self, job: Job) -> None:
        queue = self.app.job_queue
        if queue is None or not queue.scheduler.running:
            return  # re-armed from the database when the queue starts
        delay = max(0.0, (job.due_at - self.services.clock.now()).total_seconds())
        queue.run_once(
            self._on_timer,
            when=delay,
            data=job.id,
            name=job.key,
            job_kwargs={"misfire_grace_time": None},
        )

    async def _on_timer(self, context: BotContext) -> None:
        job_id = context.job.data if context.job else None
        assert isinstance(job_id, int)
        await self.fire(job_id)

    async def _sweep(self, context: BotContext) -> None:
        await self.fire_due()

    async def start(self) -> None:
        """Re-arm every pending job (skipping those too late) and start the sweeper."""
        services = self.services
        now = services.clock.now()
        jobs = await services.storage.jobs.pending()
        async with services.storage.transaction():
            for job in jobs:
                if self._too_late(job, now):
                    log.warning("job %s missed by %s: skipped", job.key, now - job.due_at)
                    await services.storage.jobs.finish(job.id, "skipped", "missed", now)
        for job in jobs:
            if not self._too_late(job, now):
                self.arm(job)
        queue = self.app.job_queue
        assert queue is not None
        queue.run_repeating(
            self._sweep, interval=SWEEP_INTERVAL, first=SWEEP_INTERVAL, name="jobs:sweep"
        )

    def _too_late(self, job: Job, now: datetime) -> bool:
        return job.kind not in self.always_run and now - job.due_at > self.grace

    async def fire_due(self) -> int:
        """Run every job due now; return how many ran."""
        due = await self.services.storage.jobs.due(self.services.clock.now())
        ran = 0
        for job in due:
            ran += await self.fire(job.id)
        return ran

    async def fire(self, job_id: int) -> bool:
        """Claim and run one job in a single transaction; False if there was nothing to run.

        A detached (long) job is leased instead, run outside any transaction, and marked done
        afterwards: a crash in the middle makes it run again, never vanish.
        """
        services = self.services
        storage = services.storage
        now = services.clock.now()
        async with storage.transaction():
            kind = await self._kind(job_id)
            if kind in self.detached:
                job = await storage.jobs.lease(job_id, now, DETACHED_LEASE)
            else:
                job = await storage.jobs.claim(job_id, now)
            if job is None:
                return False
            if self._too_late(job, now):
                log.warning("job %s late by %s: skipped", job.key, now - job.due_at)
                await storage.jobs.finish(job.id, "skipped", "late", now)
                return False
            if job.kind not in self.detached:
                await self._run(job, inside=True)
        if job.kind in self.detached and await self._run(job, inside=False):
            async with storage.transaction():
                await storage.jobs.finish(job.id, "done", "", services.clock.now())
        self.delivery.wake()
        return True

    async def _kind(self, job_id: int) -> str | None:
        job = await self.services.storage.jobs.get(job_id)
        return job.kind if job else None

    async def _run(self, job: Job, *, inside: bool) -> bool:
        """Run the job's handler; on failure mark it failed and tell the admins."""
        storage = self.services.storage
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            if inside:
                # A savepoint: a failing job leaves nothing half done, and is marked failed.
                async with storage.transaction():
                    await handler(job, self.services)
            else:
                await handler(job, self.services)
        except Exception as exc:
            log.exception("job %s failed", job.key)
            async with storage.transaction():
                now = self.services.clock.now()
                await storage.jobs.finish(job.id, "failed", type(exc).__name__, now)
            await self.report(f"{type(exc).__name__} in job {job.kind}", job.key)
            return False
        return True
