"""Planned shifts with sign-ups, reminders and short-staffing warnings (SPEC §2, §4)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.services.catalogue import Catalogue
from bot.services.errors import DomainError, NotAllowed
from bot.services.scheduler import Scheduler
from bot.services.shifts import parse_activity
from bot.services.timeparse import at_local, parse_clock, parse_date
from bot.storage.interface import Store
from bot.storage.models import PlannedShift, Role, User

MAX_NEEDED = 50
MAX_LENGTH = timedelta(hours=16)
SHORT_WARNING_BEFORE = timedelta(hours=24)
LISTED_AHEAD = timedelta(days=31)
# An unknown place is refused with at most this many names to choose from (one message).
PLACE_CHOICES = 10
PLACE_TEXT_SHOWN = 60
# Pressing "I'm in" again withdraws (issue 3), but not within seconds of signing up.
DOUBLE_TAP = timedelta(seconds=10)

JOB_REMINDER = "planning.reminder"
JOB_SHORT = "planning.short"


@dataclass(frozen=True)
class SignupChange:
    planned: PlannedShift
    signed_up: bool
    changed: bool = True


def parse_needed(text: str | None) -> int:
    if text is None:
        return 1
    try:
        needed = int(text)
    except ValueError:
        raise DomainError("bad_needed", value=text) from None
    if not 1 <= needed <= MAX_NEEDED:
        raise DomainError("bad_needed", value=text)
    return needed


def parse_span(
    date_text: str, span_text: str, now: datetime, tz: ZoneInfo
) -> tuple[datetime, datetime]:
    """`2026-12-02` and `21:00-02:00` → when the shift starts and ends; an end before the start
    is the next day."""
    day = parse_date(date_text, now.astimezone(tz).date())
    start_text, separator, end_text = span_text.partition("-")
    if not separator:
        raise DomainError("bad_time", value=span_text)
    start, end = parse_clock(start_text), parse_clock(end_text)
    starts_at, ends_at = at_local(day, start, tz), at_local(day, end, tz)
    if ends_at <= starts_at:
        ends_at = at_local(day + timedelta(days=1), end, tz)
    return starts_at, ends_at


class PlanningService:
    """Plans shifts, takes sign-ups and keeps their reminders scheduled."""

    def __init__(
        self,
        storage: Store,
        clock: Clock,
        scheduler: Scheduler,
        tz: ZoneInfo,
        reminder_before: timedelta,
        default_antenna: str,
        catalogue: Callable[[], Catalogue] | None = None,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.scheduler = scheduler
        self.tz = tz
        self.reminder_before = reminder_before
        self.default_antenna = default_antenna
        # The distribution places, read when needed: /places add changes them at run time.
        self.catalogue = catalogue or (lambda: Catalogue([], []))

    def match_place(self, antenna: str, text: str) -> int:
        """One of the antenna's places, matched as /distrib … @ PLACE matches it; else refused
        with the names to choose from."""
        catalogue = self.catalogue()
        match = catalogue.match_place(antenna, text)
        if match.unique is not None:
            return int(match.unique)
        codes = match.found or match.suggestions
        names = [catalogue.places[int(code)].name for code in codes]
        if not names:
            names = sorted(place.name for place in catalogue.places_of(antenna))
        shown = text if len(text) <= PLACE_TEXT_SHOWN else text[:PLACE_TEXT_SHOWN] + "…"
        raise DomainError(
            "unknown_place",
            value=shown,
            choices=", ".join(names[:PLACE_CHOICES]) or "/places",
        )

    async def plan(self, actor: User, args: list[str]) -> PlannedShift:
        """`<date> <HH:MM>-<HH:MM> <activity> [needed] [@ place]`; an end before the start is
        next day."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        text = " ".join(args)
        place_text = None
        if "@" in text:
            head, _, place_text = text.partition("@")
            args = head.split()
            place_text = " ".join(place_text.split())
            if not place_text:
                raise DomainError("plan_usage")
        if len(args) not in (3, 4):
            raise DomainError("plan_usage")
        now = self.clock.now()
        starts_at, ends_at = parse_span(args[0], args[1], now, self.tz)
        if starts_at <= now:
            raise DomainError("in_the_past")
        if ends_at - starts_at > MAX_LENGTH:
            raise DomainError("too_long")
        activity = parse_activity(args[2])
        needed = parse_needed(args[3] if len(args) == 4 else None)
        antenna = actor.antenna or self.default_antenna
        place_id = self.match_place(antenna, place_text) if place_text is not None else None
        planned = await self.storage.planning.add(
            antenna, activity, starts_at, ends_at, needed, actor.id, now, place_id
        )
        warn_at = starts_at - SHORT_WARNING_BEFORE
        if warn_at > now:
            await self.scheduler.schedule(
                JOB_SHORT, f"plan:{planned.id}:short", warn_at, {"planned": planned.id}
            )
        return planned

    async def get(self, planned_id: int) -> PlannedShift | None:
        return await self.storage.planning.get(planned_id)

    async def get_open(self, planned_id: int) -> PlannedShift:
        """A planned shift still ahead; an old button behind it gets a clear refusal."""
        planned = await self.storage.planning.get(planned_id)
        if planned is None or planned.cancelled_at is not None:
            raise DomainError("planned_gone")
        if planned.ends_at <= self.clock.now():
            raise DomainError("planned_over")
        return planned

    async def toggle(self, user: User, planned_id: int) -> SignupChange:
        """Sign up, or withdraw when already signed up; the reminder follows."""
        if not user.has(Role.VOLUNTEER):
            raise NotAllowed
        planned = await self.get_open(planned_id)
        if planned.antenna != (user.antenna or self.default_antenna) and not user.has(Role.ADMIN):
            raise NotAllowed
        now = self.clock.now()
        since = await self.storage.planning.signed_up_at(planned.id, user.id)
        if since is not None and now - since < DOUBLE_TAP:
            # The second tap of a double tap on a weak network: "I'm in" stays "I'm in".
            return SignupChange(planned, signed_up=True, changed=False)
        if since is None and planned.signed >= planned.needed:
            raise DomainError("shift_full", needed=planned.needed)
        signed_up = await self.storage.planning.toggle_signup(planned.id, user.id, now)
        key = f"plan:{planned.id}:remind:{user.id}"
        remind_at = planned.starts_at - self.reminder_before
        if signed_up and remind_at > now:
            await self.scheduler.schedule(
                JOB_REMINDER, key, remind_at, {"planned": planned.id, "user": user.id}
            )
        elif not signed_up:
            await self.scheduler.cancel(key)
        updated = await self.storage.planning.get(planned.id)
        assert updated is not None
        return SignupChange(updated, signed_up)

    async def cancel(self, actor: User, planned_id: int) -> tuple[PlannedShift, list[User]]:
        """Cancel a planned shift; returns it and the people who had signed up."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        planned = await self.get_open(planned_id)
        if planned.antenna != actor.antenna and not actor.has(Role.ADMIN):
            raise NotAllowed
        await self.storage.planning.cancel(planned.id, self.clock.now())
        await self.scheduler.cancel(f"plan:{planned.id}:")
        cancelled = await self.storage.planning.get(planned.id)
        assert cancelled is not None
        return cancelled, await self.storage.planning.signed_up(planned.id)

    async def upcoming(self, user: User) -> list[PlannedShift]:
        """The next month of the user's antenna (every antenna for admins)."""
        if not user.has(Role.VOLUNTEER):
            raise NotAllowed
        now = self.clock.now()
        antenna = None if user.has(Role.ADMIN) else (user.antenna or self.default_antenna)
        return await self.storage.planning.upcoming(antenna, now, now + LISTED_AHEAD)

    async def signed_by(self, user: User) -> list[PlannedShift]:
        """The shifts to come that the person signed up for (their posts name them)."""
        return await self.storage.planning.signed_by(user.id, self.clock.now())

    async def signed_up(self, planned_id: int) -> list[User]:
        return await self.storage.planning.signed_up(planned_id)

    async def is_signed_up(self, planned_id: int, user_id: int) -> bool:
        return await self.storage.planning.is_signed_up(planned_id, user_id)

    async def reminder_target(
        self, planned_id: int, user_id: int
    ) -> tuple[PlannedShift, User] | None:
        """For the reminder job: the shift and the volunteer, if both still stand."""
        planned = await self.storage.planning.get(planned_id)
        user = await self.storage.users.get(user_id)
        if planned is None or planned.cancelled_at is not None or user is None:
            return None
        if not await self.storage.planning.is_signed_up(planned_id, user_id):
            return None
        return planned, user

    async def still_short(self, planned_id: int) -> PlannedShift | None:
        """For the 24-hour warning: the shift, if it still lacks people."""
        planned = await self.storage.planning.get(planned_id)
        if planned is None or planned.cancelled_at is not None or planned.missing == 0:
            return None
        return planned
