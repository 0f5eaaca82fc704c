from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.errors import DomainError, NotAllowed
from bot.services.scheduler import Scheduler
from bot.services.shifts import ShiftService
from bot.storage import Storage
from bot.storage.models import Role, User
from tests.helpers.clock import FakeClock

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def shifts(storage: Storage, clock: FakeClock) -> ShiftService:
    return ShiftService(storage, clock, Scheduler(storage, clock), PARIS, "calais")


async def volunteer(storage: Storage, clock: FakeClock, user_id: int = 1) -> User:
    await storage.users.touch(user_id, "fr", clock.now())
    await storage.users.set_role(user_id, Role.VOLUNTEER, antenna="calais")
    user = await storage.users.get(user_id)
    assert user is not None
    return user


async def test_a_shift_across_midnight_counts_its_real_length(
    shifts: ShiftService, storage: Storage, clock: FakeClock
) -> None:
    user = await volunteer(storage, clock)
    await shifts.start(user, "maraude")
    clock.advance(hours=5, minutes=45)
    ended = await shifts.end(user)
    assert ended.duration(clock.now()) == timedelta(hours=5, minutes=45)
    (year, month), hours = await shifts.hours(user, "2026-12")
    assert (year, month) == (2026, 12)
    assert hours.total == timedelta(hours=5, minutes=45)
    assert hours.shifts == 1


async def test_a_night_shift_across_the_clock_change_is_one_hour_longer_than_it_looks(
    storage: Storage,
) -> None:
    # 22:00 CEST on 24 October to 04:00 CET on 25 October: seven hours were worked.
    clock = FakeClock(datetime(2026, 10, 24, 20, 0, tzinfo=UTC))
    shifts = ShiftService(storage, clock, Scheduler(storage, clock), PARIS, "calais")
    user = await volunteer(storage, clock)
    await shifts.start(user, "maraude")
    clock.current = datetime(2026, 10, 25, 3, 0, tzinfo=UTC)
    ended = await shifts.end(user)
    assert ended.ended_at is not None
    assert ended.ended_at - ended.started_at == timedelta(hours=7)
    _, hours = await shifts.hours(user, "2026-10")
    assert hours.total == timedelta(hours=7)


async def test_a_return_time_schedules_the_safety_check(
    shifts: ShiftService, storage: Storage, clock: FakeClock
) -> None:
    user = await volunteer(storage, clock)
    shift = await shifts.start(user, "maraude", "02:30")
    assert shift.expected_return_at == datetime(2026, 12, 2, 1, 30, tzinfo=UTC)
    check = await storage.jobs.by_key(f"shift:{shift.id}:check")
    assert check is not None
    assert check.due_at == datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    await shifts.end(user)
    cancelled = await storage.jobs.by_key(f"shift:{shift.id}:check")
    assert cancelled is not None
    assert cancelled.status == "cancelled"


async def test_a_return_more_than_12_hours_away_is_refused(
    shifts: ShiftService, storage: Storage, clock: FakeClock
) -> None:
    user = await volunteer(storage, clock)
    with pytest.raises(DomainError) as caught:
        await shifts.start(user, "maraude", "20:30")  # tomorrow evening
    assert caught.value.code == "return_too_far"
    assert await shifts.running(user) is None


async def test_the_nearest_planned_shift_of_the_same_activity_is_linked(
    shifts: ShiftService, storage: Storage, clock: FakeClock
) -> None:
    user = await volunteer(storage, clock)
    now = clock.now()
    await storage.planning.add(
        "calais", "maraude", now - timedelta(minutes=110), now + timedelta(hours=2), 2, 1, now
    )
    near = await storage.planning.add(
        "calais", "maraude", now + timedelta(minutes=90), now + timedelta(hours=5), 2, 1, now
    )
    await storage.planning.add("calais", "distribution", now, now + timedelta(hours=2), 2, 1, now)
    shift = await shifts.start(user, "maraude")
    assert shift.planned_id == near.id


async def test_auto_close_happens_once_at_the_12_hour_mark(
    shifts: ShiftService, storage: Storage, clock: FakeClock
) -> None:
    user = await volunteer(storage, clock)
    shift = await shifts.start(user, "permanence")
    clock.advance(hours=14)
    closed = await shifts.auto_close(shift.id)
    assert closed is not None
    assert closed.auto_closed
    assert closed.ended_at == shift.started_at + timedelta(hours=12)
    assert await shifts.auto_close(shift.id) is None


async def test_safety_answers_belong_to_the_shifts_owner(
    shifts: ShiftService, storage: Storage, clock: FakeClock
) -> None:
    owner = await volunteer(storage, clock, 1)
    other = await volunteer(storage, clock, 2)
    shift = await shifts.start(owner, "maraude", "23:00")
    with pytest.raises(DomainError, match=r"^shift_gone$"):
        await shifts.answer_safety(other, shift.id, "ok")
    with pytest.raises(DomainError, match=r"^stale_button$"):
        await shifts.answer_safety(owner, shift.id, "dance")


async def test_only_volunteers_have_shifts(
    shifts: ShiftService, storage: Storage, clock: FakeClock
) -> None:
    public = await storage.users.touch(9, None, clock.now())
    with pytest.raises(NotAllowed):
        await shifts.start(public, "maraude")
    with pytest.raises(NotAllowed):
        await shifts.on_shift(public)


async def test_one_running_shift_per_volunteer_even_at_the_database(
    storage: Storage, clock: FakeClock
) -> None:
    await volunteer(storage, clock)
    await storage.shifts.start(1, "calais", "maraude", clock.now(), None, None)
    with pytest.raises(Exception, match="UNIQUE"):
        await storage.shifts.start(1, "calais", "other", clock.now(), None, None)


async def test_auto_close_waits_for_a_check_still_to_come_then_gives_up_after_a_day(
    shifts: ShiftService, storage: Storage, clock: FakeClock
) -> None:
    user = await volunteer(storage, clock)
    shift = await shifts.start(user, "maraude", "08:00")  # 11 h after 21:00
    clock.advance(hours=11, minutes=30)  # 08:30: the check is due; asked
    assert await shifts.safety_check(shift.id) is not None
    await shifts.answer_safety(user, shift.id, "extend")  # back by 09:00
    clock.advance(minutes=31)  # 09:01: past the 12-hour mark, the new check not yet answered
    assert await shifts.auto_close(shift.id) is None  # waits: the extension is in play
    still = await storage.shifts.get(shift.id)
    assert still is not None
    assert still.running
    clock.advance(hours=24)
    closed = await shifts.auto_close(shift.id)  # nobody ended it for a day: closed anyway
    assert closed is not None
    assert closed.ended_at == shift.started_at + timedelta(hours=12)


async def test_a_check_exactly_at_the_12_hour_mark_is_refused(
    shifts: ShiftService, storage: Storage, clock: FakeClock
) -> None:
    user = await volunteer(storage, clock)
    with pytest.raises(DomainError, match=r"^return_too_far$"):
        await shifts.start(user, "maraude", "08:30")  # check at 09:00, the 12-hour mark
