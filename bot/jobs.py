"""Running stored jobs on python-telegram-bot's JobQueue, exactly once, across restarts.

The JobQueue is a cache: at start-up every pending row is re-armed; a job missed while the bot
was down runs once if it is less than MISFIRE_GRACE_MINUTES late and is skipped (and logged)
otherwise. APScheduler's own misfire grace (one second by default) is switched off, since the
database decides. A sweeper runs due jobs every minute in case a timer was lost, and renews the
leases of the long jobs still running.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.context import BotApplication, BotContext, Services
from bot.delivery import Delivery
from bot.storage.models import Job

log = logging.getLogger(__name__)

# What a job writes when it is marked done, in the same transaction: a long job prepares its
# results outside any transaction, and they count only if the job is still its own.
Commit = Callable[[], Awaitable[None]]
JobHandler = Callable[[Job, Services], Awaitable[Commit | None]]
# What a kind does when one of its jobs is skipped as too late or failed, in the same
# transaction: a recurring job (a daily alert) arms its next occurrence instead of stopping
# for good.
SkipHandler = Callable[[Job, Services], Awaitable[None]]
SWEEP_INTERVAL = 60.0
# A long job whose lease was not renewed for this long (the bot died under it) is taken again.
# The sweeper renews the leases of running jobs every minute.
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
        on_skip: dict[str, SkipHandler] | None = None,
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
        self.on_skip = on_skip or {}
        self.grace = timedelta(minutes=services.settings.misfire_grace_minutes)
        # Long jobs running now, and the lease each holds (its `fired_at`).
        self._leases: dict[int, datetime] = {}

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
        await self.sweep()

    async def sweep(self) -> int:
        """Keep the running long jobs' leases, then run every job due; return how many ran."""
        await self.renew_leases()
        return await self.fire_due()

    async def renew_leases(self) -> None:
        """A long job still running is not dead: move its lease on, so nobody takes it again."""
        storage = self.services.storage
        for job_id in list(self._leases):
            async with storage.transaction():
                # Checked once the lock is held: a job that ended meanwhile (even by a crash of
                # its last transaction) must not be kept alive, or it would never run again.
                leased_at = self._leases.get(job_id)
                if leased_at is None:
                    continue
                now = self.services.clock.now()
                if await storage.jobs.renew(job_id, leased_at, now):
                    self._leases[job_id] = now
                    continue
            log.warning("job #%s lost its lease while running", job_id)

    async def start(self) -> None:
        """Re-arm every pending job (skipping those too late) and start the sweeper."""
        services = self.services
        now = services.clock.now()
        jobs = await services.storage.jobs.pending()
        async with services.storage.transaction():
            for job in jobs:
                if self._too_late(job, now):
                    log.warning("job %s missed by %s: skipped", job.key, now - job.due_at)
                    await self._skip(job, "missed", now)
        # Read again: a skipped recurring job may be pending again, for its next occurrence.
        for job in await services.storage.jobs.pending():
            if not self._too_late(job, now):
                self.arm(job)
        queue = self.app.job_queue
        assert queue is not None
        queue.run_repeating(
            self._sweep, interval=SWEEP_INTERVAL, first=SWEEP_INTERVAL, name="jobs:sweep"
        )

    async def _skip(self, job: Job, note: str, now: datetime) -> None:
        """Mark a job skipped, then let its kind re-arm what comes next (in a savepoint: a
        failing hook leaves the job skipped, and is reported)."""
        await self.services.storage.jobs.finish(job.id, "skipped", note, now)
        await self._rearm(job)

    async def _rearm(self, job: Job) -> None:
        """Let a skipped or failed job's kind arm what comes next (a failing hook is logged)."""
        hook = self.on_skip.get(job.kind)
        if hook is None:
            return
        try:
            async with self.services.storage.transaction():
                await hook(job, self.services)
        except Exception as exc:
            log.exception("job %s: re-arming after the skip failed", job.key, exc_info=exc)

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

        A detached (long) job is leased instead and run outside any transaction; its results
        are written in the transaction that marks it done. A crash in the middle makes it run
        again, never vanish, and never count twice.
        """
        services = self.services
        storage = services.storage
        now = services.clock.now()
        async with storage.transaction():
            detached = await self._kind(job_id) in self.detached
            if detached:
                job = await storage.jobs.lease(job_id, now, DETACHED_LEASE)
            else:
                job = await storage.jobs.claim(job_id, now)
            if job is None:
                return False
            if self._too_late(job, now):
                log.warning("job %s late by %s: skipped", job.key, now - job.due_at)
                await self._skip(job, "late", now)
                return False
            if not detached:
                await self._run_inside(job)
        if detached:
            await self._run_detached(job, now)
        self.delivery.wake()
        return True

    async def _kind(self, job_id: int) -> str | None:
        job = await self.services.storage.jobs.get(job_id)
        return job.kind if job else None

    async def _handle(self, job: Job) -> Commit | None:
        handler = self.handlers.get(job.kind)
        if handler is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        return await handler(job, self.services)

    async def _run_inside(self, job: Job) -> None:
        """Run a short job inside the claim's transaction."""
        try:
            # A savepoint: a failing job leaves nothing half done, and is marked failed.
            async with self.services.storage.transaction():
                commit = await self._handle(job)
                if commit is not None:
                    await commit()
        except Exception as exc:
            await self._failed(job, exc)

    async def _run_detached(self, job: Job, leased_at: datetime) -> None:
        """Run a long job outside any transaction; write its results as it is marked done."""
        storage = self.services.storage
        self._leases[job.id] = leased_at
        try:
            try:
                commit = await self._handle(job)
            except Exception as exc:
                await self._failed(job, exc)
                return
            async with storage.transaction():
                now = self.services.clock.now()
                leased_at = self._leases[job.id]
                if not await storage.jobs.finish(job.id, "done", "", now, leased_at=leased_at):
                    log.warning("job %s was taken again while it ran: results dropped", job.key)
                    return
                if commit is not None:
                    await commit()
        finally:
            self._leases.pop(job.id, None)

    async def _failed(self, job: Job, exc: Exception) -> None:
        """Mark the job failed (a recurring one is armed for its next time) and tell the
        admins."""
        storage = self.services.storage
        log.error("job %s failed", job.key, exc_info=exc)
        async with storage.transaction():
            now = self.services.clock.now()
            await storage.jobs.finish(job.id, "failed", type(exc).__name__, now)
            await self._rearm(job)
        await self.report(f"{type(exc).__name__} in job {job.kind}", job.key)
