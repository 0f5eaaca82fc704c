"""Reading dates and times typed by people, in the deployment's time zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.errors import DomainError

CLOCK = re.compile(r"^(\d{1,2})[:hH.](\d{2})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
DAY_MONTH = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{4}))?$")
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_clock(text: str) -> time:
    """'21:00', '2:30', '21h00' → a time of day; anything else (25:00, 9pm) is refused."""
    match = CLOCK.match(text.strip())
    if not match:
        raise DomainError("bad_time", value=text)
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise DomainError("bad_time", value=text)
    return time(hour, minute)


def parse_date(text: str, today: date) -> date:
    """'2026-12-02', '02/12' or '02/12/2026' (day first, as written in France)."""
    text = text.strip()
    try:
        if match := ISO_DATE.match(text):
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if match := DAY_MONTH.match(text):
            year = int(match.group(3)) if match.group(3) else today.year
            found = date(year, int(match.group(2)), int(match.group(1)))
            if not match.group(3) and found < today:
                found = found.replace(year=year + 1)  # "02/01" typed in December
            return found
    except ValueError:
        pass
    raise DomainError("bad_date", value=text)


def parse_month(text: str) -> tuple[int, int]:
    match = MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise DomainError("bad_month", value=text)
    return int(match.group(1)), int(match.group(2))


def at_local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """The instant a local date and time name, as aware UTC.

    Across the autumn change 02:30 happens twice: the first one is taken. In spring 02:30 does
    not exist: zoneinfo reads it with the winter offset, i.e. 03:30 summer time.
    """
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def next_occurrence(clock: time, now: datetime, tz: ZoneInfo) -> datetime:
    """The next time the local clock shows `clock` after `now` (on the night the clocks go
    back, 02:30 shows twice: the second one counts once the first has passed)."""
    today = now.astimezone(tz).date()
    candidates = [
        datetime.combine(day, clock, tzinfo=tz).replace(fold=fold).astimezone(UTC)
        for day in (today, today + timedelta(days=1))
        for fold in (0, 1)
    ]
    return min(candidate for candidate in candidates if candidate > now)


def month_bounds(year: int, month: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next one, local midnight, as UTC."""
    start = at_local(date(year, month, 1), time(0), tz)
    following = date(year + month // 12, month % 12 + 1, 1)
    return start, at_local(following, time(0), tz)
