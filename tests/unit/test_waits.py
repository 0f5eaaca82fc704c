"""One typed wait per person, the latest winning, on a real SQLite file."""

from __future__ import annotations

from datetime import timedelta

from bot.services.waits import PLAN, RENAME, WRITE, TypedWaits
from bot.storage import Storage
from tests.helpers.clock import FakeClock

ANA, BOB = 401, 402


async def people(storage: Storage, clock: FakeClock) -> None:
    for user_id in (ANA, BOB):
        await storage.users.touch(user_id, "en", clock.now())


async def test_the_latest_wait_replaces_the_others_and_each_person_has_their_own(
    storage: Storage, clock: FakeClock
) -> None:
    await people(storage, clock)
    waits = TypedWaits(storage, clock)
    await waits.open(ANA, WRITE, timedelta(minutes=15), request=1)
    await waits.open(ANA, RENAME, timedelta(minutes=15), kind="place", key="7")
    await waits.open(BOB, WRITE, timedelta(minutes=15), request=2)
    assert await waits.waiting_for(ANA, WRITE) is None
    rename = await waits.waiting_for(ANA, RENAME)
    assert rename is not None
    assert rename.details == {"kind": "place", "key": "7"}
    assert rename.opened_at == clock.now()
    bob = await waits.waiting_for(BOB, WRITE)
    assert bob is not None
    assert bob.details == {"request": 2}
    # Another process (a restart) reads the same waits.
    assert await TypedWaits(storage, clock).current(ANA) == rename


async def test_a_form_ends_only_its_own_wait(storage: Storage, clock: FakeClock) -> None:
    await people(storage, clock)
    waits = TypedWaits(storage, clock)
    await waits.open(ANA, PLAN, timedelta(minutes=30), form=5, nonce="ab12")
    assert not await waits.end(ANA, RENAME)  # another feature's Cancel
    assert not await waits.end(ANA, PLAN, form=4)  # an older form's button
    assert await waits.waiting_for(ANA, PLAN) is not None
    assert await waits.end(ANA, RENAME, PLAN, form=5)
    assert await waits.current(ANA) is None
    assert not await waits.end(ANA, PLAN)  # nothing left: a second Cancel says so


async def test_a_wait_lives_from_its_opening_and_an_older_one_never_comes_back(
    storage: Storage, clock: FakeClock
) -> None:
    await people(storage, clock)
    waits = TypedWaits(storage, clock)
    await waits.open(ANA, WRITE, timedelta(minutes=15), request=1)
    clock.advance(minutes=10)
    await waits.open(ANA, RENAME, timedelta(minutes=15), kind="item", key="tea")
    clock.advance(minutes=14, seconds=59)
    assert await waits.waiting_for(ANA, RENAME) is not None
    clock.advance(seconds=1)
    assert await waits.current(ANA) is None
    assert await waits.waiting_for(ANA, WRITE) is None
    assert await storage.drafts.latest(ANA, "wait") is None  # and its row is gone
