"""A job skipped as too late lets its kind re-arm what comes next (bot/jobs.py `on_skip`)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any, cast

from bot.jobs import JobRunner
from bot.services.scheduler import Scheduler
from bot.storage import Storage
from bot.storage.models import Job
from tests.helpers.clock import FakeClock


def runner(storage: Storage, clock: FakeClock, on_skip: dict[str, Any]) -> JobRunner:
    services = SimpleNamespace(
        storage=storage,
        clock=clock,
        settings=SimpleNamespace(misfire_grace_minutes=60),
        scheduler=Scheduler(storage, clock),
    )
    ran: list[Job] = []

    async def handler(job: Job, _services: Any) -> None:
        ran.append(job)

    async def report(_title: str, _detail: str) -> None:
        return None

    return JobRunner(
        cast(Any, SimpleNamespace(job_queue=None)),
        cast(Any, services),
        cast(Any, SimpleNamespace(wake=lambda: None)),
        {"tick": handler, "plain": handler},
        report,
        on_skip=on_skip,
    )


async def test_a_late_job_is_skipped_and_its_hook_rearms_it(
    storage: Storage, clock: FakeClock
) -> None:
    async def rearm(job: Job, services: Any) -> None:
        await services.scheduler.schedule(job.kind, job.key, job.due_at + timedelta(days=1))

    jobs = runner(storage, clock, {"tick": rearm})
    due = clock.now()
    async with storage.transaction():
        tick = await storage.jobs.upsert("tick", "tick:1", due, {}, due)
        plain = await storage.jobs.upsert("plain", "plain:1", due, {}, due)
    clock.advance(hours=2)
    assert await jobs.fire(tick.id) is False
    assert await jobs.fire(plain.id) is False
    again = await storage.jobs.by_key("tick:1")
    assert again is not None
    assert (again.status, again.due_at) == ("pending", due + timedelta(days=1))
    skipped = await storage.jobs.by_key("plain:1")
    assert skipped is not None
    assert skipped.status == "skipped"  # a kind without a hook stays skipped


async def test_a_failing_hook_leaves_the_job_skipped(storage: Storage, clock: FakeClock) -> None:
    async def broken(job: Job, services: Any) -> None:
        await services.scheduler.schedule(job.kind, job.key, job.due_at + timedelta(days=1))
        raise RuntimeError("boom")

    jobs = runner(storage, clock, {"tick": broken})
    due = clock.now()
    async with storage.transaction():
        tick = await storage.jobs.upsert("tick", "tick:1", due, {}, due)
    clock.advance(hours=2)
    assert await jobs.fire(tick.id) is False
    job = await storage.jobs.by_key("tick:1")
    assert job is not None
    # The hook's half-done work was undone with its savepoint.
    assert (job.status, job.due_at) == ("skipped", due)


async def test_a_failed_job_lets_its_hook_arm_the_next_occurrence(
    storage: Storage, clock: FakeClock
) -> None:
    """A daily alert whose run failed once still comes the next day (without a restart)."""

    async def rearm(job: Job, services: Any) -> None:
        await services.scheduler.schedule(job.kind, job.key, job.due_at + timedelta(days=1))

    jobs = runner(storage, clock, {"boom": rearm, "plain": rearm})

    async def broken(job: Job, _services: Any) -> None:
        await _services.scheduler.schedule(job.kind, job.key, job.due_at + timedelta(hours=1))
        raise RuntimeError("boom")

    jobs.handlers["boom"] = broken
    due = clock.now()
    async with storage.transaction():
        boom = await storage.jobs.upsert("boom", "boom:1", due, {}, due)
    assert await jobs.fire(boom.id) is True
    again = await storage.jobs.by_key("boom:1")
    assert again is not None
    # The run's own half-done work was undone; the hook armed the next day's.
    assert (again.status, again.due_at) == ("pending", due + timedelta(days=1))
    clock.advance(days=1)
    assert await jobs.fire(boom.id) is True  # it fails again, and is armed again
    again = await storage.jobs.by_key("boom:1")
    assert again is not None
    assert (again.status, again.due_at) == ("pending", due + timedelta(days=2))
