"""Reading dates and times typed by people, in the deployment's time zone.

Years run from 2000 to 2100: further off is a typing slip (9999-12, 0001-01-01), and would
overflow the calendar's arithmetic near its ends; it gets the same answer as any malformed date.

Wall times and the clock changes (Europe/Paris: 2027-03-28 the clocks jump from 02:00 to 03:00,
2026-10-25 they go back from 03:00 to 02:00):
- a time the clocks skip (02:00 to 02:59 that spring night) names the instant after the gap,
  the first one that exists: 03:00 summer time, whatever minute inside the gap was typed;
- a time the clocks show twice (02:00 to 02:59 that autumn night) names the first one, in
  summer time, for a date (`at_local`); as the next time the clock shows it (`next_occurrence`),
  it is the first one, or the second once the first has passed.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.errors import DomainError
from bot.services.numerals import numeric

# "21:00", "2:30", "21.30", and the French "21h30", "21H30", "21h", "8h" (a whole hour). The
# minutes, when written, are two digits ("7h5" is a slip, not 07:05); four bare digits
# ("2030") are refused: a year or a count as much as a time.
CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2})|[hH](\d{2})?)")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
DAY_MONTH = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}))?")
MONTH = re.compile(r"(\d{4})-(\d{1,2})")
MIN_YEAR, MAX_YEAR = 2000, 2100


def parse_clock(text: str) -> time:
    """'21:00', '2:30', '21h00', '21h', '21.30' → a time of day; anything else (25:00, 24h,
    23h60, 7h5, 9pm) is refused. Digits of any script, direction marks ignored (`numeric`)."""
    match = CLOCK.fullmatch(numeric(text).strip())
    if not match:
        raise DomainError("bad_time", value=text)
    hour, minute = int(match.group(1)), int(match.group(2) or match.group(3) or 0)
    if hour > 23 or minute > 59:
        raise DomainError("bad_time", value=text)
    return time(hour, minute)


def parse_date(text: str, today: date) -> date:
    """'2026-12-02', '02/12' or '02/12/2026' (day first, as written in France); digits of
    any script, direction marks ignored (`numeric`)."""
    stripped = numeric(text).strip()
    found = None
    try:
        if match := ISO_DATE.fullmatch(stripped):
            found = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        elif match := DAY_MONTH.fullmatch(stripped):
            year = int(match.group(3)) if match.group(3) else today.year
            found = date(year, int(match.group(2)), int(match.group(1)))
            if not match.group(3) and found < today:
                found = found.replace(year=year + 1)  # "02/01" typed in December
    except ValueError:  # 2026-02-30, year 0, or 29/02 typed after it in a leap year
        found = None
    if found is None or not MIN_YEAR <= found.year <= MAX_YEAR:
        raise DomainError("bad_date", value=text)
    return found


def parse_month(text: str) -> tuple[int, int]:
    """'2026-12' → (2026, 12); digits of any script, direction marks ignored (`numeric`)."""
    match = MONTH.fullmatch(numeric(text).strip())
    if not match:
        raise DomainError("bad_month", value=text)
    year, month = int(match.group(1)), int(match.group(2))
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        raise DomainError("bad_month", value=text)
    return year, month


def _instant(wall: datetime, tz: ZoneInfo, fold: int) -> datetime:
    """The UTC instant a naive local wall time names (`fold` picks one of a repeated hour);
    the instant after the gap for a wall time the clocks skip."""
    moment = wall.replace(tzinfo=tz, fold=fold).astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) == wall:
        return moment
    # Skipped: read with the offset before the jump the wall time lands after it, with the
    # offset after the jump before it. The jump lies between; zones jump at whole seconds.
    before = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    after = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    before, after = min(before, after), max(before, after)
    offset_after = after.astimezone(tz).utcoffset()
    while after - before > timedelta(seconds=1):
        middle = before + timedelta(seconds=(after - before) // timedelta(seconds=2))
        if middle.astimezone(tz).utcoffset() == offset_after:
            after = middle
        else:
            before = middle
    return after


def at_local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """The instant a local date and time name, as aware UTC (see the module's docstring for
    the nights the clocks change)."""
    # Up to 1 January 2101, where the last month, day or night shift of 2100 ends; this also
    # keeps the arithmetic away from year 1 and 9999, where it overflows.
    if not MIN_YEAR <= day.year <= MAX_YEAR + 1:
        raise DomainError("bad_date", value=day.isoformat())
    return _instant(datetime.combine(day, clock), tz, fold=0)


def next_occurrence(clock: time, now: datetime, tz: ZoneInfo) -> datetime:
    """The next time the local clock shows `clock` after `now`: on the night the clocks go
    back, 02:30 shows twice and the second one counts once the first has passed; on the night
    they jump over it, the instant after the gap stands for it."""
    today = now.astimezone(tz).date()
    candidates = [
        _instant(datetime.combine(day, clock), tz, fold)
        for day in (today, today + timedelta(days=1))
        for fold in (0, 1)
    ]
    return min(candidate for candidate in candidates if candidate > now)


def last_occurrence(
    clock: time, now: datetime, tz: ZoneInfo, within: timedelta
) -> datetime | None:
    """The last time the local clock showed `clock`, at most `within` before `now`: on the night
    the clocks go back, the second 02:30 once it has passed; a time still to come today is the
    day before's, if recent enough (23:40 typed at 01:30). None if there is none."""
    today = now.astimezone(tz).date()
    candidates = [
        _instant(datetime.combine(day, clock), tz, fold)
        for day in (today, today - timedelta(days=1))
        for fold in (0, 1)
    ]
    past = [candidate for candidate in candidates if candidate <= now]
    if not past or now - max(past) > within:
        return None
    return max(past)


def month_bounds(year: int, month: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next one, local midnight, as UTC."""
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        raise DomainError("bad_month", value=f"{year:04d}-{month:02d}")
    following = date(year + month // 12, month % 12 + 1, 1)
    return at_local(date(year, month, 1), time(0), tz), at_local(following, time(0), tz)
