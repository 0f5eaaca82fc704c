"""“I need help”: requests, who takes them, their timed re-alerts, retention (SPEC §2, §6).

The rules live here; what people read is in `bot/handlers/help_requests.py`. A request never
carries the person's name: only their Telegram id, kept to write back to them, removed after
RETENTION_DAYS or at once on /forget; and a keyed hash of that id (HMAC-SHA256, the key made
once and kept in `meta`), so that the daily limit and a coordinator's block survive /forget
without the id. The hash goes at retention too.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import statistics
import string
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.services.scheduler import Scheduler
from bot.services.timeparse import next_occurrence
from bot.services.waits import WRITE, TypedWaits
from bot.storage.interface import Store
from bot.storage.models import HelpRequest, Role, User

NEEDS = ("medical", "shelter", "legal", "minor", "other")
DRAFT = "help"  # a person between "need" and "location"
# A volunteer's "write" waits this long for the message; later text is theirs again. Like
# every typed wait (`bot.services.waits`), it ends when the volunteer opens another one.
WRITE_WINDOW = timedelta(minutes=15)
# A person's flow (need chosen, location not yet): for this long, any text they type is read
# as an answer to the location step ("Skip", or asked again).
DRAFT_WINDOW = timedelta(hours=2)
# After that, and for this long, the location step's own buttons (a location, "Skip") still
# send the request: a dead phone must not lose it. Other text is theirs again.
DRAFT_KEEP = timedelta(hours=24)
# A request cancelled this soon was a mistaken tap: it does not count towards the daily limit
# (a few times a day: asking and cancelling must not flood the team).
QUICK_CANCEL = timedelta(minutes=2)
QUICK_CANCEL_GRACE = 2
# The secret of the keyed hash of people's ids (generated once, in the `meta` table).
KEY_META = "help:person_key_secret"
LETTERS_FOR_DIGITS = str.maketrans("0123456789", "ghijklmnop")
PER_DAY_WINDOW = timedelta(hours=24)
# Beyond this many alerts posted in an hour to one antenna's team chat, re-alerts included (a
# flood, or a crisis), further alerts go to its coordinators and admins privately: the team
# chat stays readable.
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
        self.waits = TypedWaits(storage, clock)
        self._secret: bytes | None = None

    async def person_key(self, user_id: int) -> str:
        """HMAC-SHA256 of the id: without the database's secret, nobody can tell whose.
        Written in letters only (hex digits 0-9 as g-p), as is the secret: no run of digits
        in them can be taken for someone's id."""
        secret = self._secret or await self._stored_secret()
        digest = hmac.new(secret, str(user_id).encode(), hashlib.sha256).hexdigest()
        return digest.translate(LETTERS_FOR_DIGITS)

    async def ensure_secret(self) -> None:
        """Create the secret at start-up, in a transaction of its own, and keep it: a secret
        first made inside an update that rolls back must not live on in memory only."""
        async with self.storage.transaction():
            secret = await self._stored_secret()
        self._secret = secret

    async def _stored_secret(self) -> bytes:
        # Never overwritten: a second process (or a second request at the same first moment)
        # gets the secret the first one stored, so keys already written keep matching.
        candidate = "".join(secrets.choice(string.ascii_letters) for _ in range(48))
        return (await self.storage.meta.set_once(KEY_META, candidate)).encode()

    # --- the person ---------------------------------------------------------------------

    async def active(self, user: User) -> HelpRequest | None:
        return await self.storage.help.active_of(user.id)

    async def over_limit(self, user: User) -> bool:
        since = self.clock.now() - PER_DAY_WINDOW
        made = await self.storage.help.made_since(await self.person_key(user.id), since)
        quick = sum(
            1
            for status, created, closed in made
            if status == "cancelled" and closed is not None and closed - created <= QUICK_CANCEL
        )
        return len(made) - min(quick, QUICK_CANCEL_GRACE) >= self.max_per_day

    async def begin(self, user: User, need: str) -> None:
        """The need is chosen: kept as a draft until the location (or its skip) comes."""
        await self.storage.drafts.add(user.id, DRAFT, {"need": need}, self.clock.now())

    async def waiting_need(self, user: User, within: timedelta = DRAFT_WINDOW) -> str | None:
        """The need of the person's unfinished request, if they reached the location step
        less than `within` ago."""
        draft = await self.storage.drafts.latest(user.id, DRAFT)
        if draft is None or self.clock.now() - draft.created_at > within:
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

    async def team_posts_this_hour(self, antenna: str) -> int:
        """Help alerts (re-alerts included) posted to the antenna's team chat in the last hour."""
        since = self.clock.now() - timedelta(hours=1)
        return await self.storage.help.team_posts_since(antenna, since)

    async def posted_to_team(self, antenna: str) -> None:
        now = self.clock.now()
        await self.storage.help.add_team_post(antenna, now, now - timedelta(days=1))

    async def blocked(self, user: User) -> bool:
        return await self.storage.help.is_blocked(await self.person_key(user.id))

    async def create(
        self,
        user: User,
        antenna: str,
        need: str,
        locale: str,
        location: tuple[float, float] | None,
    ) -> HelpRequest:
        now = self.clock.now()
        key = await self.person_key(user.id)
        request_id = await self.storage.help.add(
            user.id, key, antenna, need, locale, location, now
        )
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
        await self.scheduler.cancel_under(job_prefix(request.id))
        return True

    async def close(self, request: HelpRequest, status: str = "closed") -> bool:
        if not await self.storage.help.close(request.id, status, self.clock.now()):
            return False
        await self.scheduler.cancel_under(job_prefix(request.id))
        return True

    async def block(self, request: HelpRequest) -> None:
        if request.person_key is not None:
            await self.storage.help.block(request.person_key, request.id, self.clock.now())
        await self.close(request)

    async def next_round(self, request: HelpRequest, round_: int) -> None:
        if round_ < LAST_ROUND:
            await self.scheduler.schedule(
                JOB_REALERT,
                job_prefix(request.id) + "realert",
                self.clock.now() + self.realert,
                {"request": request.id, "round": round_ + 1},
            )

    async def set_location(self, request: HelpRequest, location: tuple[float, float]) -> None:
        """A location shared after the request was made, while nobody took it yet."""
        await self.storage.help.set_location(request.id, *location)

    async def release_owned(self, owner: User) -> list[HelpRequest]:
        """Its owner left the team (/forget, /demote): their taken requests go back to the
        team, re-alerted, and they can no longer write to the people."""
        await self.waits.end(owner.id, WRITE)
        owned = await self.storage.help.owned_by(owner.id)
        for request in owned:
            await self.release(request)
        return owned

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
        await self.waits.open(owner.id, WRITE, WRITE_WINDOW, request=request.id)

    async def writing(self, owner: User) -> HelpRequest | None:
        """The request a volunteer is writing to, if "write" is the latest thing they pressed
        that waits for text, a moment ago; one message per press."""
        wait = await self.waits.waiting_for(owner.id, WRITE)
        if wait is None:
            return None
        await self.waits.end(owner.id, WRITE)
        request = await self.storage.help.get(int(wait.details.get("request") or 0))
        if request is None or request.status != "taken" or request.owner_id != owner.id:
            return None
        return request

    async def end_relay(self, request: HelpRequest, *, by_person: bool = False) -> None:
        await self.storage.help.set_relay(request.id, False, by_person=by_person)
        if request.owner_id is not None:
            # Ended (by either side) after "✉ Write": the message awaited no longer goes.
            await self.waits.end(request.owner_id, WRITE, request=request.id)

    # --- data protection ------------------------------------------------------------------

    async def forget(self, user: User) -> tuple[list[HelpRequest], list[HelpRequest]]:
        """/forget: the person's requests end and keep neither id nor place; a volunteer's
        taken requests go back to nobody. Returns (their own requests, those they owned)."""
        own = [r for r in [await self.storage.help.active_of(user.id)] if r is not None]
        for request in own:
            await self.scheduler.cancel_under(job_prefix(request.id))
        await self.storage.help.forget_person(user.id, self.clock.now())
        return own, await self.release_owned(user)

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
