"""Wood-cutting sessions with the partner wood-yard (issue 10 §3).

A session is a planned shift of the "woodcut" kind (`bot.services.planning`): its team-chat
post, its "I'm in" button (a second press withdraws, a double tap counts once, a full session
refuses), its cancellation and its place in /planning are the planned shifts' own. What is its
own: the one-line `/woodcut <date> <HH:MM> [place] [slots]`, a default length and number of
places, reminders a day and an hour before, and the coordinators' list of who comes.

A check-in with `/shift start woodyard` within two hours of a session's start links to it
(`ShiftService.start`, as for any planned shift of that activity), so its hours count as
shift hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.services.errors import DomainError, NotAllowed
from bot.services.numerals import numeric
from bot.services.planning import (
    DASHES,
    KIND_WOODCUT,
    LISTED_AHEAD,
    NUMBER,
    SPAN,
    PlanningService,
    parse_clocks,
    parse_day,
    span_at,
)
from bot.services.timeparse import CLOCK, at_local, parse_clock
from bot.storage.models import PlannedShift, Role, User

# The wood-yard's activity: a check-in with `/shift start woodyard` links to the session.
ACTIVITY = "woodyard"
# A session lasts three hours unless its end is written (`09:00-12:00`), and takes eight people
# unless told otherwise: what the partner wood-yard usually welcomes on a morning.
DEFAULT_LENGTH = timedelta(hours=3)
DEFAULT_SLOTS = 8
MAX_SLOTS = 100
# /woodcut list shows this many sessions (one message, each with its names).
LISTED = 10

LIST_WORDS = frozenset({"list", "liste", "ls"})
CANCEL_WORDS = frozenset({"cancel", "annuler", "annule"})


@dataclass(frozen=True)
class WoodcutRequest:
    """What a `/woodcut …` line says, read word by word."""

    date_text: str
    time_text: str
    place_text: str | None
    slots_text: str | None


def split_woodcut(text: str) -> WoodcutRequest:
    """`demain 9h30 Marck 6` → its parts: the date is what comes before the time (or a span
    `09:00-12:00`), the place what follows it (several words, an "@" allowed), the number of
    places last."""
    words = DASHES.sub(r"\1-\2", numeric(text)).replace("@", " ").split()
    at = next(
        (i for i, word in enumerate(words) if CLOCK.fullmatch(word) or SPAN.fullmatch(word)),
        None,
    )
    if not at:  # no time, or nothing before it
        raise DomainError("woodcut_usage")
    after = words[at + 1 :]
    slots_text = after.pop() if after and NUMBER.fullmatch(after[-1]) else None
    if any(NUMBER.fullmatch(word) for word in after):  # two numbers: not a shape this reads
        raise DomainError("woodcut_usage")
    return WoodcutRequest(" ".join(words[:at]), words[at], " ".join(after) or None, slots_text)


def parse_slots(text: str | None) -> int:
    if text is None:
        return DEFAULT_SLOTS
    try:
        slots = int(numeric(text))
    except ValueError:
        raise DomainError("bad_slots", value=text, max=MAX_SLOTS) from None
    if not 1 <= slots <= MAX_SLOTS:
        raise DomainError("bad_slots", value=text, max=MAX_SLOTS)
    return slots


def parse_when(
    date_text: str, time_text: str, now: datetime, tz: ZoneInfo
) -> tuple[datetime, datetime]:
    """When the session starts and ends. A start the clocks skip (02:30 on the spring-forward
    night) is refused rather than moved: a session is announced at the time people will read."""
    day = parse_day(date_text, now.astimezone(tz).date())
    if SPAN.fullmatch(time_text):
        start, end = parse_clocks(time_text)
        starts_at, ends_at = span_at(day, start, end, tz)
    else:
        start = parse_clock(time_text)
        starts_at = at_local(day, start, tz)
        ends_at = starts_at + DEFAULT_LENGTH
    if starts_at.astimezone(tz).time() != start:
        raise DomainError("woodcut_time_skipped", value=time_text)
    PlanningService.check_span(starts_at, ends_at, now)
    return starts_at, ends_at


class WoodcutService:
    """Announces wood-cutting sessions and tells their coordinators who comes."""

    def __init__(self, planning: PlanningService) -> None:
        self.planning = planning
        self.storage = planning.storage
        self.clock = planning.clock

    @staticmethod
    def _require_coordinator(actor: User) -> None:
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed

    async def create(self, actor: User, args: list[str]) -> PlannedShift:
        """`<date> <HH:MM>[-<HH:MM>] [place] [slots]`: a new session, not yet posted."""
        self._require_coordinator(actor)
        request = split_woodcut(" ".join(args))
        now = self.clock.now()
        starts_at, ends_at = parse_when(
            request.date_text, request.time_text, now, self.planning.tz
        )
        slots = parse_slots(request.slots_text)
        antenna = actor.antenna or self.planning.default_antenna
        place_id = (
            self.planning.match_place(antenna, request.place_text)
            if request.place_text is not None
            else None
        )
        return await self.planning.create(
            actor, antenna, ACTIVITY, starts_at, ends_at, slots, place_id, now, KIND_WOODCUT
        )

    async def sessions(self, actor: User) -> list[tuple[PlannedShift, list[User]]]:
        """The coming month's sessions of the actor's antenna (every antenna for admins), each
        with who signed up, first come first."""
        self._require_coordinator(actor)
        now = self.clock.now()
        antenna = None if actor.has(Role.ADMIN) else self._antenna(actor)
        found = await self.storage.planning.upcoming(
            antenna, now, now + LISTED_AHEAD, KIND_WOODCUT
        )
        return [(session, await self.storage.planning.signed_up(session.id)) for session in found]

    def _antenna(self, actor: User) -> str:
        return actor.antenna or self.planning.default_antenna

    async def session(self, actor: User, planned_id: int) -> PlannedShift:
        """One session still ahead, for a coordinator of its antenna (or an admin); refused
        otherwise, whatever a pressed button or a typed number claims."""
        self._require_coordinator(actor)
        planned = await self.planning.get_open(planned_id)
        if planned.kind != KIND_WOODCUT:
            raise DomainError("woodcut_unknown", value=str(planned_id))
        if planned.antenna != self._antenna(actor) and not actor.has(Role.ADMIN):
            raise NotAllowed
        return planned

    async def participants(self, actor: User, planned_id: int) -> tuple[PlannedShift, list[User]]:
        planned = await self.session(actor, planned_id)
        return planned, await self.storage.planning.signed_up(planned.id)

    async def to_cancel(self, actor: User, id_text: str | None) -> PlannedShift:
        """The session `/woodcut cancel <id>` names (its number in /woodcut list)."""
        number = numeric(id_text or "").strip().lstrip("#")
        if not re.fullmatch(r"\d{1,9}", number):
            raise DomainError("woodcut_usage")
        try:
            return await self.session(actor, int(number))
        except DomainError as error:
            if error.code in ("planned_gone", "planned_over"):
                raise DomainError("woodcut_unknown", value=number) from None
            raise
