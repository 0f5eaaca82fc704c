"""Second outside review of issue 8: the help requests' keyed hash (failing tests)."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.services.help import KEY_META, HelpService
from bot.services.scheduler import Scheduler
from bot.storage import Storage
from tests.helpers.clock import FakeClock


def service(storage: Storage, clock: FakeClock) -> HelpService:
    return HelpService(
        storage,
        clock,
        Scheduler(storage, clock),
        ZoneInfo("Europe/Paris"),
        realert=timedelta(minutes=10),
        max_per_day=3,
        retention=timedelta(days=30),
    )


async def test_the_first_two_keys_computed_at_once_use_one_secret(
    storage: Storage, clock: FakeClock
) -> None:
    """The secret is created on first use by read-then-write: two help requests (or two
    processes) at the same first moment each make a secret, the second overwrites the first
    in `meta`, and the first request's key (its daily limit, a block placed from its alert)
    never matches the same person again."""
    first = service(storage, clock)
    second = service(storage, clock)  # another process on the same database
    keys = await asyncio.gather(first.person_key(42), second.person_key(42), first.person_key(42))
    assert len(set(keys)) == 1, keys
    # And what a fresh process computes later matches what was stored.
    assert await service(storage, clock).person_key(42) == keys[0]
    assert await storage.meta.get(KEY_META) is not None


async def test_a_secret_made_in_a_rolled_back_update_is_not_kept_only_in_memory(
    storage: Storage, clock: FakeClock
) -> None:
    """The first key is computed inside an update's transaction: if that update fails, the
    secret's row is rolled back but the service keeps the secret in memory. Every key
    stored afterwards (blocks, daily limits) uses a secret the database does not hold, and
    the next start-up makes another: the blocks no longer match anyone."""
    running = service(storage, clock)
    with contextlib.suppress(RuntimeError):
        async with storage.transaction():
            await running.person_key(42)
            raise RuntimeError("the update failed")
    async with storage.transaction():
        stored = await running.person_key(42)  # e.g. the key of a block, committed
    restarted = service(storage, clock)
    assert await restarted.person_key(42) == stored
