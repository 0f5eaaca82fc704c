from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services.scheduler import Scheduler
from bot.storage import Storage
from tests.helpers.clock import FakeClock


async def test_a_job_is_claimed_once(storage: Storage, clock: FakeClock) -> None:
    scheduler = Scheduler(storage, clock)
    job = await scheduler.schedule("k", "thing:1", clock.now() + timedelta(minutes=5))
    assert await storage.jobs.claim(job.id, clock.now()) is None  # not due yet
    clock.advance(minutes=5)
    assert await storage.jobs.claim(job.id, clock.now()) is not None
    assert await storage.jobs.claim(job.id, clock.now()) is None


async def test_scheduling_the_same_key_moves_the_job(storage: Storage, clock: FakeClock) -> None:
    scheduler = Scheduler(storage, clock)
    first = await scheduler.schedule("k", "thing:1", clock.now() + timedelta(minutes=5))
    moved = await scheduler.schedule("k", "thing:1", clock.now() + timedelta(minutes=30))
    assert moved.id == first.id
    clock.advance(minutes=10)
    # The timer armed for the old time finds nothing to run.
    assert await storage.jobs.claim(first.id, clock.now()) is None
    assert [job.key for job in await storage.jobs.pending()] == ["thing:1"]


async def test_cancel_by_prefix(storage: Storage, clock: FakeClock) -> None:
    scheduler = Scheduler(storage, clock)
    armed: list[str] = []
    scheduler.arm = lambda job: armed.append(job.key)
    await scheduler.schedule("k", "shift:1:check", clock.now())
    await scheduler.schedule("k", "shift:1:autoclose", clock.now())
    await scheduler.schedule("k", "shift:10:check", clock.now())
    assert armed == ["shift:1:check", "shift:1:autoclose", "shift:10:check"]
    assert await scheduler.cancel_under("shift:1:") == 2
    assert [job.key for job in await storage.jobs.pending()] == ["shift:10:check"]


async def test_cancel_by_prefix_takes_exactly_the_keys_under_it(
    storage: Storage, clock: FakeClock
) -> None:
    """The prefix is matched as a key range (issue 13): its edges, a done job, non-ASCII."""
    scheduler = Scheduler(storage, clock)
    keys = [
        "shift:1",
        "shift:1:",
        "shift:1:check",
        "shift:1:é",
        "shift:1:\U0010ffff",
        "shift:1;",
        "shift:10:check",
        "shift:0:check",
        "shift:2:check",
        "shift:",
    ]
    for key in keys:
        await scheduler.schedule("k", key, clock.now())
    done = await scheduler.schedule("k", "shift:1:done", clock.now())
    assert await storage.jobs.claim(done.id, clock.now()) is not None
    assert await scheduler.cancel_under("shift:1:") == 4
    left = {job.key for job in await storage.jobs.pending()}
    assert left == set(keys) - {"shift:1:", "shift:1:check", "shift:1:é", "shift:1:\U0010ffff"}
    assert (await storage.jobs.by_key("shift:1:done")).status == "done"  # type: ignore[union-attr]


async def test_a_long_jobs_lease_runs_out_if_the_bot_dies(
    storage: Storage, clock: FakeClock
) -> None:
    scheduler = Scheduler(storage, clock)
    job = await scheduler.schedule("reports.export", "export:1:ab", clock.now())
    lease = timedelta(minutes=10)
    assert await storage.jobs.lease(job.id, clock.now(), lease) is not None
    assert await storage.jobs.lease(job.id, clock.now(), lease) is None  # someone runs it
    clock.advance(minutes=11)  # ... and died: taken again
    assert await storage.jobs.lease(job.id, clock.now(), lease) is not None
    await storage.jobs.finish(job.id, "done", "", clock.now())
    clock.advance(minutes=11)
    assert await storage.jobs.lease(job.id, clock.now(), lease) is None


async def test_a_renewed_lease_keeps_the_job_and_only_its_holder_finishes_it(
    storage: Storage, clock: FakeClock
) -> None:
    scheduler = Scheduler(storage, clock)
    job = await scheduler.schedule("reports.export", "export:1:cd", clock.now())
    lease = timedelta(minutes=10)
    first = clock.now()
    assert await storage.jobs.lease(job.id, first, lease) is not None
    clock.advance(minutes=8)
    assert await storage.jobs.renew(job.id, first, clock.now())
    renewed = clock.now()
    clock.advance(minutes=8)  # sixteen minutes since it began, eight since the renewal
    assert await storage.jobs.lease(job.id, clock.now(), lease) is None
    clock.advance(minutes=3)  # the holder stopped renewing: it died
    second = clock.now()
    assert await storage.jobs.lease(job.id, second, lease) is not None
    # The first holder, back from the dead, can neither renew nor finish it.
    assert not await storage.jobs.renew(job.id, renewed, clock.now())
    assert not await storage.jobs.finish(job.id, "done", "", clock.now(), leased_at=renewed)
    assert await storage.jobs.finish(job.id, "done", "", clock.now(), leased_at=second)


async def test_cancel_hits_exactly_one_key(storage: Storage, clock: FakeClock) -> None:
    scheduler = Scheduler(storage, clock)
    for key in ("plan:1:remind:123456789", "plan:1:remind:1234567890", "alert:1", "alert:12"):
        await scheduler.schedule("k", key, clock.now())
    assert await scheduler.cancel("plan:1:remind:123456789") == 1
    assert await scheduler.cancel("alert:1") == 1
    assert [job.key for job in await storage.jobs.pending()] == [
        "plan:1:remind:1234567890",
        "alert:12",
    ]


async def test_a_family_of_jobs_is_named_by_a_prefix_ending_in_a_colon(
    storage: Storage, clock: FakeClock
) -> None:
    scheduler = Scheduler(storage, clock)
    with pytest.raises(ValueError, match="colon"):
        await scheduler.cancel_under("shift:1")
