"""Every timed feature on both nights the clocks change (issue 7, defect 8).

Europe/Paris. Spring, 2027-03-28: at 02:00 winter time (01:00 UTC) the clocks jump to 03:00,
so the day has 23 hours and 02:00-02:59 never shows. Autumn, 2026-10-25: at 03:00 summer time
(01:00 UTC) the clocks go back to 02:00, so the day has 25 hours and 02:00-02:59 shows twice.
Jobs are stored as UTC instants: a delay ("30 minutes after", "12 hours after", "2 hours
before") is real time, whatever the wall clock does meanwhile.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.distributions import DistributionService
from bot.services.errors import DomainError
from bot.services.planning import JOB_REMINDER, PlanningService
from bot.services.reports import ReportService, parse_period
from bot.services.scheduler import Scheduler
from bot.services.shifts import JOB_AUTOCLOSE, JOB_ESCALATE, JOB_SAFETY_CHECK, ShiftService
from bot.storage import Storage
from bot.storage.models import Role, User
from tests.helpers.clock import FakeClock

PARIS = ZoneInfo("Europe/Paris")
SLOTS = (time(7), time(18), time(22))
# 21:00 on the evening before each change, when a night round sets off.
SPRING_EVENING = datetime(2027, 3, 27, 20, 0, tzinfo=UTC)  # 21:00 winter time
AUTUMN_EVENING = datetime(2026, 10, 24, 19, 0, tzinfo=UTC)  # 21:00 summer time


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def member(storage: Storage, clock: FakeClock, user_id: int, role: Role) -> User:
    await storage.users.touch(user_id, "fr", clock.now())
    await storage.users.set_role(user_id, role, antenna="calais")
    user = await storage.users.get(user_id)
    assert user is not None
    return user


def services(storage: Storage, clock: FakeClock) -> tuple[ShiftService, PlanningService]:
    scheduler = Scheduler(storage, clock)
    return (
        ShiftService(storage, clock, scheduler, PARIS, "calais"),
        PlanningService(storage, clock, scheduler, PARIS, timedelta(minutes=120), "calais"),
    )


# --- the night-round safety check -------------------------------------------------------------


@pytest.mark.parametrize(
    ("evening", "back", "expected", "shown"),
    [
        # 02:30 is skipped: back at the first instant after the gap, 03:00 summer time.
        (SPRING_EVENING, "02:30", utc(2027, 3, 28, 1, 0), "03:00"),
        (SPRING_EVENING, "02:00", utc(2027, 3, 28, 1, 0), "03:00"),
        (SPRING_EVENING, "01:59", utc(2027, 3, 28, 0, 59), "01:59"),
        (SPRING_EVENING, "03:30", utc(2027, 3, 28, 1, 30), "03:30"),
        # 02:30 shows twice: the first one, still in summer time.
        (AUTUMN_EVENING, "02:30", utc(2026, 10, 25, 0, 30), "02:30"),
        (AUTUMN_EVENING, "03:30", utc(2026, 10, 25, 2, 30), "03:30"),
    ],
)
async def test_the_safety_check_comes_30_real_minutes_after_the_return(
    storage: Storage, evening: datetime, back: str, expected: datetime, shown: str
) -> None:
    clock = FakeClock(evening)
    shifts, _ = services(storage, clock)
    user = await member(storage, clock, 1, Role.VOLUNTEER)
    shift = await shifts.start(user, "maraude", back)
    assert shift.expected_return_at == expected
    assert expected.astimezone(PARIS).strftime("%H:%M") == shown
    check = await storage.jobs.by_key(f"shift:{shift.id}:check")
    assert check is not None
    assert check.kind == JOB_SAFETY_CHECK
    assert check.due_at == expected + timedelta(minutes=30)
    # Unanswered, the team is alerted 15 real minutes later.
    clock.current = check.due_at
    assert await shifts.safety_check(shift.id) is not None
    escalate = await storage.jobs.by_key(f"shift:{shift.id}:escalate")
    assert escalate is not None
    assert escalate.kind == JOB_ESCALATE
    assert escalate.due_at == check.due_at + timedelta(minutes=15)
    # "30 min more" is 30 real minutes, even across the change.
    updated, _ = await shifts.answer_safety(user, shift.id, "extend")
    assert updated.expected_return_at == check.due_at + timedelta(minutes=30)


async def test_the_second_0230_of_the_autumn_night_is_taken_once_the_first_has_passed(
    storage: Storage,
) -> None:
    clock = FakeClock(utc(2026, 10, 25, 0, 40))  # 02:40 summer time, 20 minutes before 02:00
    shifts, _ = services(storage, clock)
    user = await member(storage, clock, 1, Role.VOLUNTEER)
    shift = await shifts.start(user, "maraude", "02:30")
    assert shift.expected_return_at == utc(2026, 10, 25, 1, 30)  # 02:30 winter time


@pytest.mark.parametrize(
    ("evening", "back", "accepted"),
    [
        # The safety check must fall within the 12 real hours before auto-close.
        (SPRING_EVENING, "09:00", True),  # 10 real hours: the night is an hour short
        (AUTUMN_EVENING, "08:00", False),  # 12 real hours: the night is an hour long
        (AUTUMN_EVENING, "07:00", True),
    ],
)
async def test_how_far_a_return_may_be_counts_real_hours(
    storage: Storage, evening: datetime, back: str, accepted: bool
) -> None:
    clock = FakeClock(evening)
    shifts, _ = services(storage, clock)
    user = await member(storage, clock, 1, Role.VOLUNTEER)
    if accepted:
        assert (await shifts.start(user, "maraude", back)).expected_return_at is not None
    else:
        with pytest.raises(DomainError) as caught:
            await shifts.start(user, "maraude", back)
        assert caught.value.code == "return_too_far"


# --- auto-close and hours ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("evening", "closed_local"),
    [(SPRING_EVENING, "10:00"), (AUTUMN_EVENING, "08:00")],  # 21:00 + 12 real hours
)
async def test_auto_close_comes_after_12_real_hours(
    storage: Storage, evening: datetime, closed_local: str
) -> None:
    clock = FakeClock(evening)
    shifts, _ = services(storage, clock)
    user = await member(storage, clock, 1, Role.VOLUNTEER)
    shift = await shifts.start(user, "permanence")
    job = await storage.jobs.by_key(f"shift:{shift.id}:autoclose")
    assert job is not None
    assert job.kind == JOB_AUTOCLOSE
    assert job.due_at == evening + timedelta(hours=12)
    clock.current = job.due_at
    closed = await shifts.auto_close(shift.id)
    assert closed is not None
    assert closed.ended_at == evening + timedelta(hours=12)
    assert closed.ended_at.astimezone(PARIS).strftime("%H:%M") == closed_local
    assert closed.duration(clock.now()) == timedelta(hours=12)


@pytest.mark.parametrize(
    ("evening", "morning", "worked", "month"),
    [
        (SPRING_EVENING, utc(2027, 3, 28, 2, 0), timedelta(hours=6), "2027-03"),  # 21:00-04:00
        (AUTUMN_EVENING, utc(2026, 10, 25, 3, 0), timedelta(hours=8), "2026-10"),  # 21:00-04:00
    ],
)
async def test_hours_across_the_change_are_the_real_hours(
    storage: Storage, evening: datetime, morning: datetime, worked: timedelta, month: str
) -> None:
    clock = FakeClock(evening)
    shifts, _ = services(storage, clock)
    user = await member(storage, clock, 1, Role.VOLUNTEER)
    await shifts.start(user, "maraude")
    clock.current = morning
    assert morning.astimezone(PARIS).strftime("%H:%M") == "04:00"
    await shifts.end(user)
    _, hours = await shifts.hours(user, month)
    assert hours.total == worked


# --- planned shifts and their reminders -------------------------------------------------------


@pytest.mark.parametrize(
    ("evening", "args", "starts_at", "ends_at"),
    [
        # 22:00 to 04:00 lasts 5 hours in spring and 7 in autumn.
        (SPRING_EVENING, ["2027-03-27", "22:00-04:00"], utc(2027, 3, 27, 21), utc(2027, 3, 28, 2)),
        (
            AUTUMN_EVENING,
            ["2026-10-24", "22:00-04:00"],
            utc(2026, 10, 24, 20),
            utc(2026, 10, 25, 3),
        ),
        # A start the clocks skip begins after the gap; one they show twice, at the first.
        (SPRING_EVENING, ["2027-03-28", "02:30-06:00"], utc(2027, 3, 28, 1), utc(2027, 3, 28, 4)),
        (
            AUTUMN_EVENING,
            ["2026-10-25", "02:30-06:00"],
            utc(2026, 10, 25, 0, 30),
            utc(2026, 10, 25, 5),
        ),
        # An end the clocks skip is the instant after the gap.
        (SPRING_EVENING, ["2027-03-28", "01:00-02:30"], utc(2027, 3, 28, 0), utc(2027, 3, 28, 1)),
    ],
)
async def test_planned_shifts_and_their_reminders_on_the_nights_of_change(
    storage: Storage,
    evening: datetime,
    args: list[str],
    starts_at: datetime,
    ends_at: datetime,
) -> None:
    clock = FakeClock(evening - timedelta(days=2))
    _, planning = services(storage, clock)
    coordinator = await member(storage, clock, 9, Role.COORDINATOR)
    volunteer = await member(storage, clock, 1, Role.VOLUNTEER)
    planned = await planning.plan(coordinator, [*args, "maraude", "2"])
    assert (planned.starts_at, planned.ends_at) == (starts_at, ends_at)
    short = await storage.jobs.by_key(f"plan:{planned.id}:short")
    assert short is not None
    assert short.due_at == starts_at - timedelta(hours=24)
    await planning.toggle(volunteer, planned.id)
    reminder = await storage.jobs.by_key(f"plan:{planned.id}:remind:{volunteer.id}")
    assert reminder is not None
    assert reminder.kind == JOB_REMINDER
    assert reminder.due_at == starts_at - timedelta(minutes=120)


# --- reports: a day of 23 hours, a day of 25 -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "now", "length"),
    [
        ("2027-03-28..2027-03-28", SPRING_EVENING, timedelta(hours=23)),
        ("today", utc(2027, 3, 28, 12), timedelta(hours=23)),
        ("2026-10-25..2026-10-25", AUTUMN_EVENING, timedelta(hours=25)),
        ("today", utc(2026, 10, 25, 12), timedelta(hours=25)),
        ("2027-10-31..2027-10-31", AUTUMN_EVENING, timedelta(hours=25)),
        ("2027-03", SPRING_EVENING, timedelta(days=31, hours=-1)),
        ("2026-10", AUTUMN_EVENING, timedelta(days=31, hours=1)),
        ("2027-03-27..2027-03-29", SPRING_EVENING, timedelta(days=3, hours=-1)),
    ],
)
def test_report_periods_follow_local_midnights(
    text: str, now: datetime, length: timedelta
) -> None:
    period = parse_period(text, now, PARIS)
    assert period.until - period.since == length
    assert period.since.astimezone(PARIS).time() == time(0)
    assert period.until.astimezone(PARIS).time() == time(0)


@pytest.mark.parametrize(
    ("day", "inside", "outside"),
    [
        (
            "2027-03-28",
            # 00:00 and 01:59 winter time, 03:00 and 23:59 summer time
            [
                utc(2027, 3, 27, 23, 0),
                utc(2027, 3, 28, 0, 59),
                utc(2027, 3, 28, 1),
                utc(2027, 3, 28, 21, 59),
            ],
            [utc(2027, 3, 27, 22, 59), utc(2027, 3, 28, 22, 0)],
        ),
        (
            "2026-10-25",
            # 00:00 summer time, both 02:30, 23:59 winter time
            [
                utc(2026, 10, 24, 22),
                utc(2026, 10, 25, 0, 30),
                utc(2026, 10, 25, 1, 30),
                utc(2026, 10, 25, 22, 59),
            ],
            [utc(2026, 10, 24, 21, 59), utc(2026, 10, 25, 23, 0)],
        ),
    ],
)
async def test_a_report_of_the_day_of_change_counts_its_logs_and_shifts(
    storage: Storage, day: str, inside: list[datetime], outside: list[datetime]
) -> None:
    clock = FakeClock(inside[0])
    distributions = DistributionService(storage, clock, PARIS, SLOTS, "calais")
    await distributions.load()
    user = await member(storage, clock, 1, Role.VOLUNTEER)
    coordinator = await member(storage, clock, 9, Role.COORDINATOR)
    for moment in inside + outside:
        clock.current = moment
        await distributions.log(user, [("blankets", 1 if moment in inside else 100)], None)
    # Shifts count by when they start: one at 23:00 the evening before is that day's; one
    # from local midnight to 07:00 lasts 6 real hours in spring, 8 in autumn.
    midnight = parse_period(f"{day}..{day}", clock.now(), PARIS).since
    seven = midnight + (timedelta(hours=6) if day.endswith("28") else timedelta(hours=8))
    assert seven.astimezone(PARIS).strftime("%H:%M") == "07:00"
    for user_id, start, end in (
        (1, midnight - timedelta(hours=1), midnight),
        (2, midnight, seven),
    ):
        await member(storage, clock, user_id, Role.VOLUNTEER)
        shift = await storage.shifts.start(user_id, "calais", "maraude", start, None, None)
        await storage.shifts.end(shift.id, end)
    clock.current = utc(2027, 12, 1, 12)
    report = await ReportService(storage, clock, PARIS, "calais").report(
        coordinator, f"{day}..{day}"
    )
    assert [(total.key, total.quantity) for total in report.items] == [("blankets", len(inside))]
    assert report.hours.total == seven - midnight
    assert report.hours.shifts == 1


# --- distribution time slots ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "slot"),
    [
        (utc(2027, 3, 28, 0, 59), "night"),  # 01:59 winter time
        (utc(2027, 3, 28, 1, 0), "night"),  # 03:00 summer time
        (utc(2027, 3, 28, 4, 59), "night"),  # 06:59 summer time
        (utc(2027, 3, 28, 5, 0), "day"),  # 07:00 summer time (06:00 by yesterday's clock)
        (utc(2027, 3, 28, 16, 0), "evening"),  # 18:00 summer time
        (utc(2027, 3, 28, 20, 0), "night"),  # 22:00 summer time
        (utc(2026, 10, 25, 0, 30), "night"),  # the first 02:30
        (utc(2026, 10, 25, 1, 30), "night"),  # the second 02:30
        (utc(2026, 10, 25, 5, 59), "night"),  # 06:59 winter time
        (utc(2026, 10, 25, 6, 0), "day"),  # 07:00 winter time (08:00 by yesterday's clock)
        (utc(2026, 10, 25, 17, 0), "evening"),  # 18:00 winter time
        (utc(2026, 10, 25, 21, 0), "night"),  # 22:00 winter time
    ],
)
async def test_distribution_slots_follow_the_wall_clock_on_both_nights(
    storage: Storage, moment: datetime, slot: str
) -> None:
    clock = FakeClock(moment)
    distributions = DistributionService(storage, clock, PARIS, SLOTS, "calais")
    await distributions.load()
    user = await member(storage, clock, 1, Role.VOLUNTEER)
    logged = await distributions.log(user, [("tea", 5)], None)
    assert distributions.slot_at(moment) == slot
    assert logged.rows[0].slot == slot
