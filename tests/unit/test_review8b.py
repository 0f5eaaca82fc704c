"""Second outside review of issue 8: the help requests' keyed hash (failing tests)."""

from __future__ import annotations

import asyncio
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
