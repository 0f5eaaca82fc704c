from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.errors import DomainError
from bot.services.timeparse import (
    at_local,
    month_bounds,
    next_occurrence,
    parse_clock,
    parse_date,
    parse_month,
)

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21:00", time(21)),
        ("2:30", time(2, 30)),
        ("21h15", time(21, 15)),
        ("07.05", time(7, 5)),
        # The French way (issue 9 review, point 15): a whole hour, a capital H, one digit.
        ("20h", time(20)),
        ("20H", time(20)),
        ("20H30", time(20, 30)),
        ("8h", time(8)),
        ("0h", time(0)),
        ("23h59", time(23, 59)),
        ("20.30", time(20, 30)),
        (" 21h ", time(21)),
    ],
)
def test_clock_times(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "25:00",
        "12:60",
        "9pm",
        "",
        "2130",
        "-1:00",
        # At the limits of the French way: no hour 24, no minute 60, minutes in two digits.
        "24h",
        "24h00",
        "23h60",
        "7h5",
        "h30",
        "20hh",
        "20h30h",
        "123h",
        "20 h",
        "20h 30",
    ],
)
def test_bad_clock_times(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_clock(text)
    assert caught.value.code == "bad_time"


def test_dates_iso_and_day_first() -> None:
    today = date(2026, 12, 20)
    assert parse_date("2026-12-02", today) == date(2026, 12, 2)
    assert parse_date("24/12", today) == date(2026, 12, 24)
    assert parse_date("02/01", today) == date(2027, 1, 2)  # typed in December: next January
    for bad in ("2026-02-30", "32/01", "tomorrow", "12-02"):
        with pytest.raises(DomainError, match=r"^bad_date$"):
            parse_date(bad, today)


def test_next_occurrence_rolls_over_midnight() -> None:
    now = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)  # 21:00 in Paris
    assert next_occurrence(time(2, 30), now, PARIS) == datetime(2026, 12, 2, 1, 30, tzinfo=UTC)
    assert next_occurrence(time(23, 0), now, PARIS) == datetime(2026, 12, 1, 22, 0, tzinfo=UTC)


def test_local_times_across_daylight_saving() -> None:
    # Clocks go back on 2026-10-25 at 03:00: 22:00 to 04:00 is seven hours.
    start = at_local(date(2026, 10, 24), time(22), PARIS)
    end = at_local(date(2026, 10, 25), time(4), PARIS)
    assert end - start == timedelta(hours=7)
    # Clocks go forward on 2026-03-29 at 02:00: 22:00 to 04:00 is five hours.
    start = at_local(date(2026, 3, 28), time(22), PARIS)
    end = at_local(date(2026, 3, 29), time(4), PARIS)
    assert end - start == timedelta(hours=5)


def test_months() -> None:
    assert parse_month("2026-12") == (2026, 12)
    with pytest.raises(DomainError, match=r"^bad_month$"):
        parse_month("2026-13")
    start, end = month_bounds(2026, 12, PARIS)
    assert start == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)


def test_the_second_0230_of_the_autumn_night() -> None:
    # 25 October 2026: at 02:40 summer time the clocks will go back to 02:00, so 02:30
    # comes again 50 minutes later.
    now = datetime(2026, 10, 25, 0, 40, tzinfo=UTC)  # 02:40 CEST
    assert next_occurrence(time(2, 30), now, PARIS) - now == timedelta(minutes=50)


# --- far-off dates (issue 7, defect 5) --------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["9999-12-31", "0001-01-01", "0000-01-01", "1999-12-31", "2101-01-01", "31/12/9999"]
)
def test_dates_outside_2000_to_2100_are_refused(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_date(text, date(2026, 12, 20))
    assert caught.value.code == "bad_date"
    assert caught.value.params == {"value": text}


def test_the_first_and_last_years_are_accepted() -> None:
    today = date(2026, 12, 20)
    assert parse_date("2000-01-01", today) == date(2000, 1, 1)
    assert parse_date("31/12/2100", today) == date(2100, 12, 31)
    assert parse_month("2000-01") == (2000, 1)
    assert parse_month("2100-12") == (2100, 12)


def test_a_day_and_month_typed_in_december_2100_has_no_next_year() -> None:
    with pytest.raises(DomainError) as caught:
        parse_date("02/01", date(2100, 12, 20))
    assert caught.value.code == "bad_date"


@pytest.mark.parametrize("text", ["0000-01", "0001-01", "9999-12", "1999-12", "2101-01"])
def test_months_outside_2000_to_2100_are_refused(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_month(text)
    assert caught.value.code == "bad_month"


def test_date_arithmetic_at_the_ends_of_the_calendar_is_a_bad_date() -> None:
    # Whatever reaches them, the conversions refuse instead of overflowing.
    for day in (date(1, 1, 1), date(9999, 12, 31)):
        with pytest.raises(DomainError) as caught:
            at_local(day, time(0), PARIS)
        assert caught.value.code == "bad_date"
    for year, month in ((9999, 12), (0, 1), (1, 1)):
        with pytest.raises(DomainError) as caught:
            month_bounds(year, month, PARIS)
        assert caught.value.code == "bad_month"


# --- the nights the clocks change (issue 7, defect 8) -----------------------------------------
# Europe/Paris: on 2027-03-28 the clocks jump from 02:00 to 03:00 (01:00 UTC), so 02:00-02:59
# never shows; on 2026-10-25 they go back from 03:00 to 02:00 (01:00 UTC), so 02:00-02:59
# shows twice.


@pytest.mark.parametrize("clock", [time(2, 0), time(2, 30), time(2, 59)])
def test_a_time_inside_the_spring_gap_is_the_instant_after_the_gap(clock: time) -> None:
    after_the_gap = datetime(2027, 3, 28, 1, 0, tzinfo=UTC)  # 03:00 summer time
    assert at_local(date(2027, 3, 28), clock, PARIS) == after_the_gap
    evening_before = datetime(2027, 3, 27, 20, 0, tzinfo=UTC)  # 21:00 winter time
    assert next_occurrence(clock, evening_before, PARIS) == after_the_gap


def test_times_around_the_spring_gap_keep_their_own_offset() -> None:
    day = date(2027, 3, 28)
    assert at_local(day, time(1, 59), PARIS) == datetime(2027, 3, 28, 0, 59, tzinfo=UTC)
    assert at_local(day, time(3, 0), PARIS) == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    assert at_local(day, time(3, 30), PARIS) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    # A volunteer already out at 01:45 winter time who says "back at 02:30": 03:00 too.
    now = datetime(2027, 3, 28, 0, 45, tzinfo=UTC)
    assert next_occurrence(time(2, 30), now, PARIS) == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    # Once past the gap, "02:30" is the next night's.
    now = datetime(2027, 3, 28, 1, 10, tzinfo=UTC)
    assert next_occurrence(time(2, 30), now, PARIS) == datetime(2027, 3, 29, 0, 30, tzinfo=UTC)


def test_the_autumn_repeated_hour_takes_the_first_then_the_second() -> None:
    day = date(2026, 10, 25)
    # at_local (planned shifts, report bounds) names the first 02:30, in summer time.
    assert at_local(day, time(2, 30), PARIS) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert at_local(day, time(3, 0), PARIS) == datetime(2026, 10, 25, 2, 0, tzinfo=UTC)
    # next_occurrence (return times) takes the first one still to come.
    evening_before = datetime(2026, 10, 24, 19, 0, tzinfo=UTC)  # 21:00 summer time
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert next_occurrence(time(2, 30), evening_before, PARIS) == first
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert next_occurrence(time(2, 30), first, PARIS) == second
    # The same on the 2027 night.
    evening_before = datetime(2027, 10, 30, 19, 0, tzinfo=UTC)
    assert next_occurrence(time(2, 30), evening_before, PARIS) == datetime(
        2027, 10, 31, 0, 30, tzinfo=UTC
    )


def test_months_with_a_clock_change_are_an_hour_short_or_long() -> None:
    march_start, march_end = month_bounds(2027, 3, PARIS)
    assert march_end - march_start == timedelta(days=31, hours=-1)
    october_start, october_end = month_bounds(2026, 10, PARIS)
    assert october_end - october_start == timedelta(days=31, hours=1)
