"""“I need help”: requests, who takes them, their timed re-alerts, retention (SPEC §2, §6).

The rules live here; what people read is in `bot/handlers/help.py`. A request never carries the
person's name: only their Telegram id, kept to write back to them, removed after
RETENTION_DAYS or at once on /forget.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.services.scheduler import Scheduler
from bot.services.timeparse import next_occurrence
from bot.storage.interface import Store
from bot.storage.models import HelpRequest, Role, User

NEEDS = ("medical", "shelter", "legal", "minor", "other")
DRAFT = "help"  # a person between "need" and "location"
WRITE_DRAFT = "help_write"  # a volunteer about to write to the person
# A volunteer's "write" waits this long for the message; later text is theirs again.
WRITE_WINDOW = timedelta(minutes=15)
# A person's flow (need chosen, location not yet) is kept this long across restarts.
DRAFT_WINDOW = timedelta(hours=2)
PER_DAY_WINDOW = timedelta(hours=24)
# Beyond this many requests in an hour for one antenna (a flood, or a crisis), further alerts
# go to its coordinators and admins privately: the team chat stays readable.
TEAM_CHAT_PER_HOUR = 10
# Re-alerts: once to the team, once to the coordinators and admins; then it stays quiet.
LAST_ROUND = 2
# The daily anonymisation, at a quiet local hour.
RETENTION_AT = time(4, 30)

JOB_REALERT = "help.realert"
JOB_RETENTION = "help.retention"
RETENTION_KEY = "help:retention"


def job_prefix(request_id: int) -> str:
    return f"help:{request_id}:"


@dataclass(frozen=True)
class HelpStats:
    """Counts only: requests per need, and minutes to the first "I'll take it"."""

    per_need: dict[str, int]
    taken: int
    median_minutes: float | None
    p90_minutes: float | None

    @property
    def total(self) -> int:
        return sum(self.per_need.values())


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile of sorted values (`share` in 0..1)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def summarise(rows: list[tuple[str, datetime, datetime | None]]) -> HelpStats:
    per_need: dict[str, int] = {}
    waits: list[float] = []
    for need, created, taken in rows:
        per_need[need] = per_need.get(need, 0) + 1
        if taken is not None:
            waits.append((taken - created).total_seconds() / 60)
    return HelpStats(
        per_need,
        len(waits),
        statistics.median(waits) if waits else None,
        percentile(waits, 0.9),
    )


class HelpService:
    """Opens, hands over and closes help requests, and keeps their timed jobs in step."""

    def __init__(
        self,
        storage: Store,
        clock: Clock,
        scheduler: Scheduler,
        tz: ZoneInfo,
        *,
        realert: timedelta,
        max_per_day: int,
        retention: timedelta,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.scheduler = scheduler
        self.tz = tz
        self.realert = realert
        self.max_per_day = max_per_day
        self.retention = retention

    # --- the person ---------------------------------------------------------------------

    async def active(self, user: User) -> HelpRequest | None:
        return await self.storage.help.active_of(user.id)

    async def over_limit(self, user: User) -> bool:
        since = self.clock.now() - PER_DAY_WINDOW
        return await self.storage.help.count_since(user.id, since) >= self.max_per_day

    async def begin(self, user: User, need: str) -> None:
        """The need is chosen: kept as a draft until the location (or its skip) comes."""
        await self.storage.drafts.add(user.id, DRAFT, {"need": need}, self.clock.now())

    async def waiting_need(self, user: User) -> str | None:
        """The need of the person's unfinished request, if they are at the location step."""
        draft = await self.storage.drafts.latest(user.id, DRAFT)
        if draft is None or self.clock.now() - draft.created_at > DRAFT_WINDOW:
            return None
        need = draft.payload.get("need")
        return need if need in NEEDS else None

    async def drop_draft(self, user: User) -> None:
        draft = await self.storage.drafts.latest(user.id, DRAFT)
        if draft is not None:
            await self.storage.drafts.delete(draft.id)

    async def requests_this_hour(self, antenna: str) -> int:
        since = self.clock.now() - timedelta(hours=1)
        return await self.storage.help.count_antenna_since(antenna, since)

    async def blocked(self, user: User) -> bool:
        return await self.storage.help.is_blocked(user.id)

    async def create(
        self,
        user: User,
        antenna: str,
        need: str,
        locale: str,
        location: tuple[float, float] | None,
    ) -> HelpRequest:
        now = self.clock.now()
        request_id = await self.storage.help.add(user.id, antenna, need, locale, location, now)
        await self.scheduler.schedule(
            JOB_REALERT,
            job_prefix(request_id) + "realert",
            now + self.realert,
            {"request": request_id, "round": 1},
        )
        request = await self.storage.help.get(request_id)
        assert request is not None
        return request

    # --- the team -----------------------------------------------------------------------

    async def get(self, request_id: int) -> HelpRequest | None:
        return await self.storage.help.get(request_id)

    @staticmethod
    def in_team(actor: User, request: HelpRequest) -> bool:
        """A team member of the request's antenna (admins answer for every antenna)."""
        if actor.has(Role.ADMIN):
            return True
        return actor.has(Role.VOLUNTEER) and actor.antenna == request.antenna

    @staticmethod
    def coordinates(actor: User, request: HelpRequest) -> bool:
        if actor.has(Role.ADMIN):
            return True
        return actor.has(Role.COORDINATOR) and actor.antenna == request.antenna

    async def take(self, actor: User, request: HelpRequest) -> bool:
        if not await self.storage.help.take(request.id, actor.id, self.clock.now()):
            return False
        await self.scheduler.cancel(job_prefix(request.id))
        return True

    async def close(self, request: HelpRequest, status: str = "closed") -> bool:
        if not await self.storage.help.close(request.id, status, self.clock.now()):
            return False
        await self.scheduler.cancel(job_prefix(request.id))
        return True

    async def block(self, request: HelpRequest) -> None:
        if request.user_id is not None:
            await self.storage.help.block(request.user_id, request.id, self.clock.now())
        await self.close(request)

    async def next_round(self, request: HelpRequest, round_: int) -> None:
        if round_ < LAST_ROUND:
            await self.scheduler.schedule(
                JOB_REALERT,
                job_prefix(request.id) + "realert",
                self.clock.now() + self.realert,
                {"request": request.id, "round": round_ + 1},
            )

    async def release(self, request: HelpRequest) -> None:
        """Its owner left the team: open again, and re-alerted at once."""
        await self.storage.help.release(request.id)
        await self.scheduler.schedule(
            JOB_REALERT,
            job_prefix(request.id) + "realert",
            self.clock.now(),
            {"request": request.id, "round": 1},
        )

    # --- writing through the bot ----------------------------------------------------------

    async def start_writing(self, owner: User, request: HelpRequest) -> None:
        await self.storage.help.set_relay(request.id, True)
        await self.storage.drafts.add(
            owner.id, WRITE_DRAFT, {"request": request.id}, self.clock.now()
        )

    async def writing(self, owner: User) -> HelpRequest | None:
        """The request a volunteer is writing to, if they pressed "write" a moment ago."""
        draft = await self.storage.drafts.latest(owner.id, WRITE_DRAFT)
        if draft is None:
            return None
        await self.storage.drafts.delete(draft.id)
        if self.clock.now() - draft.created_at > WRITE_WINDOW:
            return None
        request = await self.storage.help.get(int(draft.payload.get("request", 0)))
        if request is None or request.status != "taken" or request.owner_id != owner.id:
            return None
        return request

    async def end_relay(self, request: HelpRequest) -> None:
        await self.storage.help.set_relay(request.id, False)

    # --- data protection ------------------------------------------------------------------

    async def forget(self, user: User) -> tuple[list[HelpRequest], list[HelpRequest]]:
        """/forget: the person's requests end and keep neither id nor place; a volunteer's
        taken requests go back to nobody. Returns (their own requests, those they owned)."""
        own = [r for r in [await self.storage.help.active_of(user.id)] if r is not None]
        for request in own:
            await self.scheduler.cancel(job_prefix(request.id))
        await self.storage.help.forget_person(user.id, self.clock.now())
        owned = await self.storage.help.owned_by(user.id)
        for request in owned:
            await self.release(request)
        return own, owned

    async def anonymise(self) -> int:
        now = self.clock.now()
        return await self.storage.help.anonymise_before(now - self.retention, now)

    async def arm_retention(self) -> None:
        """The daily anonymisation exists once, at the next quiet local hour."""
        job = await self.storage.jobs.by_key(RETENTION_KEY)
        if job is not None and job.status == "pending":
            return
        await self.schedule_retention()

    async def schedule_retention(self) -> None:
        due = next_occurrence(RETENTION_AT, self.clock.now(), self.tz)
        await self.scheduler.schedule(JOB_RETENTION, RETENTION_KEY, due, {})

    async def stats(self, antenna: str | None, since: datetime, until: datetime) -> HelpStats:
        return summarise(await self.storage.help.stats(antenna, since, until))
