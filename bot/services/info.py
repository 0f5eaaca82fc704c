"""Public information: the catalogue in memory, its freshness, confirmations and counts.

No Telegram types here. The catalogue is read from `content/` at start-up (an invalid one
stops the bot with the file and line) and on `/content reload`, where an invalid file never
replaces the catalogue in memory. An entry is *stale* when it is `to_confirm` and nobody
confirmed it since, or when its last check (the file's `verified` date, or a coordinator's
"✅ still true" if newer) is older than CONTENT_STALE_DAYS: it is still shown, with a caveat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.services.content import (
    COMMON,
    Catalogue,
    ContentError,
    Entry,
    Issue,
    load_catalogue,
)
from bot.services.errors import DomainError, NotAllowed
from bot.services.timeparse import at_local
from bot.storage.interface import Store
from bot.storage.models import Confirmation, InfoCount, PlannedShift, Role, Shift, User

# The weekly list of stale entries: Monday 10:00, local time.
WEEKLY_DAY = 0
WEEKLY_AT = time(10, 0)
JOB_STALE_WEEKLY = "content.stale_weekly"
TODAY_ACTIVITIES = ("distribution", "maraude")


@dataclass(frozen=True)
class Freshness:
    verified: date
    stale: bool
    confirmed: Confirmation | None


@dataclass(frozen=True)
class Shown:
    """An entry as an antenna shows it, with how fresh it is."""

    scope: str
    entry: Entry
    freshness: Freshness


@dataclass(frozen=True)
class Today:
    planned: list[PlannedShift]
    on_shift: dict[str, int]  # activity → how many volunteers now (never who)


def weekly_key(antenna: str) -> str:
    return f"content:stale:{antenna}"


def next_weekly(after: datetime, tz: ZoneInfo) -> datetime:
    """The first Monday 10:00 local strictly after `after` (right on both DST nights)."""
    day = after.astimezone(tz).date()
    for offset in range(8):
        candidate = day + timedelta(days=offset)
        if candidate.weekday() == WEEKLY_DAY:
            moment = at_local(candidate, WEEKLY_AT, tz)
            if moment > after:
                return moment
    raise AssertionError("a Monday comes within eight days")  # pragma: no cover


class InfoService:
    def __init__(
        self,
        storage: Store,
        clock: Clock,
        tz: ZoneInfo,
        directory: Path,
        stale_days: int,
        default_antenna: str,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.tz = tz
        self.directory = directory
        self.stale_days = stale_days
        self.default_antenna = default_antenna
        self._catalogue: Catalogue | None = None

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            raise RuntimeError("the catalogue is loaded at start-up")
        return self._catalogue

    async def _antennas(self) -> set[str]:
        return {antenna.code for antenna in await self.storage.antennas.all()}

    async def load(self) -> list[Issue]:
        """At start-up: the catalogue, or ContentError naming every file and line at fault."""
        catalogue, issues = load_catalogue(self.directory, await self._antennas())
        if catalogue is None:
            raise ContentError([issue for issue in issues if issue.error])
        self._catalogue = catalogue
        return issues

    async def reload(self, actor: User) -> tuple[bool, list[Issue]]:
        """Re-read the files; keep the catalogue in memory unless the new one is valid."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        catalogue, issues = load_catalogue(self.directory, await self._antennas())
        if catalogue is None:
            return False, issues
        self._catalogue = catalogue
        return True, issues

    # Freshness and confirmations.
    def today(self) -> date:
        return self.clock.now().astimezone(self.tz).date()

    def freshness(self, entry: Entry, confirmation: Confirmation | None) -> Freshness:
        # A date in the future (a typo) counts as today.
        verified = min(entry.verified, self.today())
        confirmed = None
        if confirmation is not None:
            day = confirmation.confirmed_at.astimezone(self.tz).date()
            # A confirmation older than the file's date was about an earlier version.
            if day >= verified:
                verified, confirmed = day, confirmation
        too_old = verified < self.today() - timedelta(days=self.stale_days)
        stale = too_old or (entry.status == "to_confirm" and confirmed is None)
        return Freshness(verified, stale, confirmed)

    async def shown(self, antenna: str, topic: str | None = None) -> list[Shown]:
        confirmations = await self.storage.info.confirmations()
        catalogue = self.catalogue
        pairs = catalogue.of(antenna) if topic is None else catalogue.for_topic(antenna, topic)
        return [
            Shown(scope, entry, self.freshness(entry, confirmations.get((scope, entry.id))))
            for scope, entry in pairs
        ]

    async def stale(self, antenna: str) -> list[Shown]:
        return [item for item in await self.shown(antenna) if item.freshness.stale]

    def scope_of(self, actor: User, requested: str | None = None) -> str:
        """The antenna whose entries a coordinator keeps (an admin may name another)."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        own = actor.antenna or self.default_antenna
        if requested is None or requested == own:
            return own
        if requested not in self.catalogue.antennas:
            # Said before the role: "/content foo" is a typo, not a request for rights.
            raise DomainError("unknown_antenna", antenna=requested[:40])
        if not actor.has(Role.ADMIN):
            raise NotAllowed
        return requested

    async def confirm(self, actor: User, scope: str, entry_id: str) -> tuple[Entry, bool]:
        """Stamp "still true" on a stale entry; (entry, False) if it needed nothing (a second
        tap). National entries may be confirmed by any antenna's coordinator."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        own = actor.antenna or self.default_antenna
        if scope not in (own, COMMON) and not actor.has(Role.ADMIN):
            raise NotAllowed
        entry = self.catalogue.get(scope, entry_id)
        if entry is None:
            raise DomainError("stale_button")
        confirmations = await self.storage.info.confirmations()
        if not self.freshness(entry, confirmations.get((scope, entry_id))).stale:
            return entry, False
        await self.storage.info.confirm(scope, entry_id, self.clock.now(), actor.id)
        return entry, True

    # Counts and today's team.
    async def count(self, antenna: str, topic: str, locale: str) -> None:
        await self.storage.info.count_request(self.today().isoformat(), antenna, topic, locale)

    async def counts(self, antenna: str | None, first: date, last: date) -> list[InfoCount]:
        return await self.storage.info.request_counts(antenna, first.isoformat(), last.isoformat())

    async def today_activity(self, antenna: str) -> Today:
        now = self.clock.now()
        day = self.today()
        since = at_local(day, time(0), self.tz)
        until = at_local(day + timedelta(days=1), time(0), self.tz)
        planned = [
            p
            for p in await self.storage.planning.upcoming(antenna, max(since, now), until)
            if p.activity in TODAY_ACTIVITIES
        ]
        running: list[Shift] = await self.storage.shifts.running_in(antenna)
        on_shift: dict[str, int] = {}
        for shift in running:
            on_shift[shift.activity] = on_shift.get(shift.activity, 0) + 1
        return Today(planned, on_shift)

    def nearest_antenna(self, latitude: float, longitude: float) -> str | None:
        return self.catalogue.nearest_antenna(latitude, longitude)
