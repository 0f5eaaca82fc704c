"""Team alerts (/alert, /alerts) and the weekly summary's switch (issue 10 §4–5).

An alert is a row of `alerts` and one pending job for its next occurrence, keyed
"alert:<id>" (`bot/jobs.py` runs it exactly once). A daily or weekly alert schedules its next
occurrence from the occurrence that fired (never from "now", which would drift), in the same
transaction; one skipped as too late after a restart is re-armed for the next one.

Occurrences are local wall times in TIMEZONE (`timeparse.at_local`):
- on the night the clocks jump (Europe/Paris, last Sunday of March, 02:00 → 03:00), a time
  inside the gap (02:30) fires once, at 03:00 summer time, the first instant that exists;
- on the night they go back (last Sunday of October, 03:00 → 02:00), a time shown twice fires
  once, the first time (summer time, fold=0).

The weekly summary: every Monday at 08:00 local, the figures of the week before (Monday to
Sunday) to each antenna's team chat; on unless a coordinator switched it off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.services.catalogue import normalize
from bot.services.errors import DomainError, NotAllowed
from bot.services.keywords import day_of, weekday_of
from bot.services.numerals import DIRECTION_MARKS, numeric
from bot.services.scheduler import Scheduler
from bot.services.timeparse import at_local, parse_clock, parse_date
from bot.storage.interface import Store
from bot.storage.models import Role, TeamAlert, User

JOB_ALERT = "alerts.fire"
JOB_WEEKLY_SUMMARY = "alerts.weekly_summary"
ONCE, DAILY, WEEKLY = "once", "daily", "weekly"
MAX_TEXT = 1000
# Active alerts per antenna: the /alerts list (one delete button each) stays one message.
MAX_ALERTS = 25
SUMMARY_DAY = 0  # Monday
SUMMARY_AT = time(8, 0)

# Words that start a recurring <when>, in English and French (matched as `normalize` does:
# case, accents, a final plural "s").
DAILY_WORDS = frozenset(
    normalize(word)
    for word in (
        "daily",
        "every day",
        "everyday",
        "each day",
        "quotidien",
        "quotidienne",
        "chaque jour",
        "tous les jours",
        "tlj",
    )
)
WEEKLY_WORDS = frozenset(
    normalize(word)
    for word in (
        "weekly",
        "every",
        "each",
        "every week",
        "hebdo",
        "hebdomadaire",
        "chaque",
        "chaque semaine",
        "tous les",
        "toutes les semaines",
    )
)
# A word; the direction marks an RTL keyboard slips around it are skipped like spaces.
TOKEN = re.compile(rf"[\s{DIRECTION_MARKS}]*([^\s{DIRECTION_MARKS}]\S*)")


@dataclass(frozen=True)
class When:
    kind: str
    at: time
    weekday: int | None = None
    day: date | None = None


def alert_key(alert_id: int) -> str:
    return f"alert:{alert_id}"


def summary_key(antenna: str) -> str:
    return f"weekly-summary:{antenna}"


def _tokens(text: str, count: int) -> tuple[list[str], str] | None:
    """The first `count` words of the text and what follows them (its line breaks kept)."""
    words: list[str] = []
    position = 0
    for _ in range(count):
        match = TOKEN.match(text, position)
        if match is None:
            return None
        words.append(match.group(1))
        position = match.end()
    return words, text[position:].strip()


def _clock(word: str) -> time | None:
    try:
        return parse_clock(word)
    except DomainError:
        return None


def parse_when(raw: str, now: datetime, tz: ZoneInfo) -> tuple[When, str]:
    """Read "<when> <text>"; return the when and the text (refused: `bad_when`).

    Forms: "HH:MM" (also 21h30, 21h; the next time it comes), "YYYY-MM-DD HH:MM" (or a day
    word: "demain 8h", "lundi 18:00", once), "daily HH:MM" ("chaque jour", "quotidien"…),
    "weekly DAY HH:MM" ("chaque lundi 18h", "every Monday 6:00"…), day names in any shipped
    language; Arabic-Indic digits read as digits.
    """
    raw = raw.strip()
    first = _tokens(raw, 1)
    if first is None:
        raise DomainError("alert_usage")
    today = now.astimezone(tz).date()
    # "HH:MM text": the next time the clock shows it.
    if (at := _clock(first[0][0])) is not None:
        day = today if at_local(today, at, tz) > now else today + timedelta(days=1)
        return When(ONCE, at, day=day), first[1]
    recurring = _recurring(raw)
    if recurring is not None:
        return recurring
    once = _once(raw, now, tz)
    if once is not None:
        return once
    raise DomainError("bad_when", value=raw.split("\n", 1)[0])


def _recurring(raw: str) -> tuple[When, str] | None:
    """ "daily 8h TEXT", "chaque lundi 18h TEXT"…; None if it does not start that way."""
    for size in (3, 2, 1):
        taken = _tokens(raw, size)
        if taken is None:
            continue
        words, rest = taken
        phrase = normalize(" ".join(words))
        if phrase in DAILY_WORDS:
            clock = _tokens(rest, 1)
            if clock and (at := _clock(clock[0][0])) is not None:
                return When(DAILY, at), clock[1]
            return None
        if phrase in WEEKLY_WORDS:
            # A day's name is one word or two ("Thứ Hai", Monday in Vietnamese).
            for length in (1, 2):
                found = _tokens(rest, length + 1)
                if found is None:
                    break
                weekday = weekday_of(" ".join(found[0][:length]))
                at = _clock(found[0][length])
                if weekday is not None and at is not None:
                    return When(WEEKLY, at, weekday=weekday), found[1]
            return None
    return None


def _once(raw: str, now: datetime, tz: ZoneInfo) -> tuple[When, str] | None:
    """ "2026-12-24 18:00 TEXT", "24/12 18h TEXT", "demain 8h TEXT", "lundi 18:00 TEXT",
    "ce soir 20h TEXT" (a day word may be up to three words: "day after tomorrow")."""
    today = now.astimezone(tz).date()
    for length in (1, 2, 3):
        found = _tokens(raw, length + 1)
        if found is None:
            return None
        if (at := _clock(found[0][length])) is None:
            continue
        word = numeric(" ".join(found[0][:length]))
        named = day_of(word, today)
        if named is None and length == 1:
            try:
                named = parse_date(word, today)
            except DomainError:
                return None
        if named is None:
            continue
        if at_local(named, at, tz) <= now:
            raise DomainError("in_the_past")
        return When(ONCE, at, day=named), found[1]
    return None


def next_after(when: When, after: datetime, tz: ZoneInfo) -> datetime | None:
    """The first occurrence strictly after `after` (None: a one-off already past)."""
    if when.kind == ONCE:
        assert when.day is not None
        moment = at_local(when.day, when.at, tz)
        return moment if moment > after else None
    start = after.astimezone(tz).date()
    for offset in range(9):
        day = start + timedelta(days=offset)
        if when.kind == WEEKLY and day.weekday() != when.weekday:
            continue
        moment = at_local(day, when.at, tz)
        if moment > after:
            return moment
    raise AssertionError("an occurrence comes within nine days")  # pragma: no cover


def when_of(alert: TeamAlert) -> When:
    return When(alert.kind, alert.at, alert.weekday, alert.day)


def next_summary(after: datetime, tz: ZoneInfo) -> datetime:
    moment = next_after(When(WEEKLY, SUMMARY_AT, weekday=SUMMARY_DAY), after, tz)
    assert moment is not None
    return moment


@dataclass(frozen=True)
class Listed:
    alert: TeamAlert
    due_at: datetime | None  # None: nothing pending (a one-off already fired)


class AlertService:
    def __init__(
        self, storage: Store, clock: Clock, scheduler: Scheduler, tz: ZoneInfo, default: str
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.scheduler = scheduler
        self.tz = tz
        self.default_antenna = default

    def scope(self, actor: User) -> str:
        """The antenna whose alerts a coordinator (or an admin, placed there) keeps."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        return actor.antenna or self.default_antenna

    async def create(self, actor: User, raw: str) -> tuple[TeamAlert, datetime]:
        antenna = self.scope(actor)
        now = self.clock.now()
        when, text = parse_when(raw, now, self.tz)
        if not text:
            raise DomainError("alert_usage")
        if len(text) > MAX_TEXT:
            raise DomainError("alert_too_long", max=MAX_TEXT)
        if len(await self._coming(antenna)) >= MAX_ALERTS:
            raise DomainError("too_many_alerts", max=MAX_ALERTS)
        due = next_after(when, now, self.tz)
        if due is None:
            raise DomainError("in_the_past")
        alert_id = await self.storage.alerts.add(
            antenna, when.kind, when.at, when.weekday, when.day, text, actor.id, now
        )
        await self.scheduler.schedule(JOB_ALERT, alert_key(alert_id), due, {"alert": alert_id})
        alert = await self.storage.alerts.get(alert_id)
        assert alert is not None
        return alert, due

    async def listed(self, actor: User) -> tuple[str, list[Listed], bool]:
        """The antenna, its alerts (next occurrence first) and whether its summary is on."""
        antenna = self.scope(actor)
        found = await self._coming(antenna)
        found.sort(key=lambda item: (item.due_at is None, item.due_at or item.alert.created_at))
        return antenna, found, await self.storage.alerts.summary_enabled(antenna)

    async def _coming(self, antenna: str) -> list[Listed]:
        """The antenna's alerts still to come: a one-off that fired (or was missed) is over."""
        found = []
        for alert in await self.storage.alerts.active(antenna):
            job = await self.storage.jobs.by_key(alert_key(alert.id))
            due = job.due_at if job is not None and job.status == "pending" else None
            if due is not None or alert.kind != ONCE:
                found.append(Listed(alert, due))
        return found

    async def delete(self, actor: User, alert_id: int) -> tuple[TeamAlert, bool]:
        """Delete an alert of the actor's antenna (an admin: any); False if already deleted."""
        antenna = self.scope(actor)
        alert = await self.storage.alerts.get(alert_id)
        if alert is None or (alert.antenna != antenna and not actor.has(Role.ADMIN)):
            raise DomainError("unknown_alert", value=str(alert_id))
        changed = await self.storage.alerts.delete(alert_id, self.clock.now())
        if changed:
            await self.scheduler.cancel(alert_key(alert_id))
        return alert, changed

    async def reschedule(self, alert_id: int, occurrence: datetime) -> datetime | None:
        """Arm a recurring alert's occurrence after `occurrence` (or after now, if that one
        is already past: a missed occurrence is not made up for)."""
        alert = await self.storage.alerts.get(alert_id)
        if alert is None or alert.deleted_at is not None or alert.kind == ONCE:
            return None
        when = when_of(alert)
        now = self.clock.now()
        due = next_after(when, occurrence, self.tz)
        if due is None or due <= now:
            due = next_after(when, now, self.tz)
        assert due is not None
        await self.scheduler.schedule(JOB_ALERT, alert_key(alert_id), due, {"alert": alert_id})
        return due

    async def arm_recurring(self) -> int:
        """At start-up: a daily or weekly alert left without a pending job (its last run
        failed, say) is armed for its next time; return how many were."""
        armed = 0
        now = self.clock.now()
        for alert in await self.storage.alerts.recurring():
            job = await self.storage.jobs.by_key(alert_key(alert.id))
            if job is not None and job.status == "pending":
                continue
            if await self.reschedule(alert.id, now) is not None:
                armed += 1
        return armed

    # The weekly summary.
    async def switch_summary(self, actor: User, antenna: str, enabled: bool) -> bool:
        """Switch an antenna's weekly summary (its coordinators, or an admin); False if it
        already was that way."""
        own = self.scope(actor)
        if antenna != own and not actor.has(Role.ADMIN):
            raise NotAllowed
        if await self.storage.antennas.get(antenna) is None:
            raise DomainError("stale_button")
        changed = await self.storage.alerts.set_summary(
            antenna, enabled, actor.id, self.clock.now()
        )
        if not changed:
            return False
        if enabled:
            await self.arm_summary(antenna)
        else:
            await self.scheduler.cancel(summary_key(antenna))
        return True

    async def arm_summary(self, antenna: str, after: datetime | None = None) -> None:
        due = next_summary(max(after or self.clock.now(), self.clock.now()), self.tz)
        await self.scheduler.schedule(
            JOB_WEEKLY_SUMMARY, summary_key(antenna), due, {"antenna": antenna}
        )

    async def arm_summaries(self, grace: timedelta) -> None:
        """At start-up: every antenna whose summary is on has its job, on time."""
        now = self.clock.now()
        for antenna in await self.storage.antennas.all():
            if not await self.storage.alerts.summary_enabled(antenna.code):
                await self.scheduler.cancel(summary_key(antenna.code))
                continue
            job = await self.storage.jobs.by_key(summary_key(antenna.code))
            if job is not None and job.status == "pending" and now - job.due_at <= grace:
                continue
            await self.arm_summary(antenna.code)
