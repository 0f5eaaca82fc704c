"""Figures for the yearly activity report: /report totals (spreadsheets: `exports.py`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.services.errors import DomainError, NotAllowed
from bot.services.help import HelpStats, summarise
from bot.services.keywords import period_of
from bot.services.numerals import numeric
from bot.services.timeparse import at_local, parse_date, parse_month
from bot.storage.interface import Store
from bot.storage.models import Hours, InfoCount, Role, Total, User

RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")
MAX_SPAN = timedelta(days=366)


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime
    first_day: date
    last_day: date


@dataclass(frozen=True)
class Report:
    period: Period
    antenna: str | None
    items: list[Total]
    slots: list[Total]
    places: list[Total]
    hours: Hours
    volunteers: int
    # Information requests per topic and language (counts only).
    info: list[InfoCount] = field(default_factory=list)
    # "I need help": requests per need and time to the first "I'll take it" (counts only).
    help: HelpStats | None = None

    @property
    def logs(self) -> int:
        return sum(total.logs for total in self.slots)


def parse_period(text: str | None, now: datetime, tz: ZoneInfo) -> Period:
    """today, yesterday, week (since Monday), last week, month (the default), last month, year
    (since 1 January) — in any shipped language (`keywords`) — or YYYY-MM or
    YYYY-MM-DD..YYYY-MM-DD, with years from 2000 to 2100; anything else is a bad period."""
    today = now.astimezone(tz).date()
    raw = numeric(text or "month").strip()
    word = period_of(raw)
    monday = today - timedelta(days=today.weekday())
    try:
        if word == "today":
            first, last = today, today
        elif word == "yesterday":
            first = last = today - timedelta(days=1)
        elif word == "week":
            first, last = monday, today
        elif word == "last_week":
            first, last = monday - timedelta(days=7), monday - timedelta(days=1)
        elif word == "month":
            first, last = today.replace(day=1), today
        elif word == "last_month":
            last = today.replace(day=1) - timedelta(days=1)
            first = last.replace(day=1)
        elif word == "year":
            first, last = today.replace(month=1, day=1), today
        elif match := RANGE.fullmatch(raw):
            first, last = parse_date(match.group(1), today), parse_date(match.group(2), today)
            if last < first or last - first > MAX_SPAN:
                raise DomainError("bad_period", value=text or "")
        else:
            year, month = parse_month(raw)
            first = date(year, month, 1)
            last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        since = at_local(first, time(0), tz)
        until = at_local(last + timedelta(days=1), time(0), tz)
    except DomainError:
        raise DomainError("bad_period", value=text or "") from None
    return Period(since, until, first, last)


class ReportService:
    """Adds up distributions and shifts over a period, for one antenna or all of them."""

    def __init__(self, storage: Store, clock: Clock, tz: ZoneInfo, default_antenna: str) -> None:
        self.storage = storage
        self.clock = clock
        self.tz = tz
        self.default_antenna = default_antenna

    def scope(self, actor: User) -> str | None:
        """The antenna a coordinator sees (None: all of them, for an admin)."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        return None if actor.has(Role.ADMIN) else (actor.antenna or self.default_antenna)

    async def report(self, actor: User, period_text: str | None) -> Report:
        antenna = self.scope(actor)
        period = parse_period(period_text, self.clock.now(), self.tz)
        return await self.build(antenna, period)

    async def build(self, antenna: str | None, period: Period) -> Report:
        distributions = self.storage.distributions
        first, last = period.first_day.isoformat(), period.last_day.isoformat()
        items = await distributions.totals("item", antenna, first, last)
        slots = await distributions.totals("slot", antenna, first, last)
        places = await distributions.totals("place", antenna, first, last)
        hours = await self.storage.shifts.hours_by_user(
            period.since, period.until, self.clock.now(), antenna=antenna
        )
        total = Hours(
            sum((h.total for h in hours.values()), timedelta(0)),
            sum(h.shifts for h in hours.values()),
        )
        # User 0 gathers the hours of people who erased their data: hours, not a volunteer.
        info = await self.storage.info.request_counts(antenna, first, last)
        volunteers = len(hours.keys() - {0})
        help_stats = await self.help_stats(antenna, period)
        return Report(period, antenna, items, slots, places, total, volunteers, info, help_stats)

    async def help_stats(self, antenna: str | None, period: Period) -> HelpStats:
        """Help requests made in the period: per need, and how fast one was taken."""
        return summarise(await self.storage.help.stats(antenna, period.since, period.until))

    def check(self, actor: User, period_text: str | None) -> Period:
        """Refuse at once what an export would refuse later: the role, the period."""
        self.scope(actor)
        return parse_period(period_text, self.clock.now(), self.tz)
