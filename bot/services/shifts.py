"""Shifts: check-in and check-out, safety on night rounds, hours (SPEC §2 Volunteers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.services.errors import DomainError, NotAllowed
from bot.services.keywords import ACTIVITIES, activity_of
from bot.services.scheduler import Scheduler
from bot.services.timeparse import month_bounds, next_occurrence, parse_clock, parse_month
from bot.storage.interface import Store
from bot.storage.models import Hours, Role, Shift, User

AUTO_CLOSE_AFTER = timedelta(hours=12)
# A check-in this close to a planned shift of the same activity belongs to it.
LINK_WINDOW = timedelta(hours=2)
# Night rounds: ask "all OK?" this long after the expected return, alert the team if no answer.
SAFETY_GRACE = timedelta(minutes=30)
ESCALATE_AFTER = timedelta(minutes=15)
EXTENSION = timedelta(minutes=30)
# How long auto-close waits for an unanswered safety question before closing anyway.
GIVE_UP_WAITING = timedelta(hours=24)

# Job kinds, handled in bot/handlers/shifts.py.
JOB_AUTOCLOSE = "shift.autoclose"
JOB_SAFETY_CHECK = "shift.safety_check"
JOB_ESCALATE = "shift.escalate"


class SafetyState:
    ASKED = "asked"
    OK = "ok"
    HELP = "help"
    ESCALATED = "escalated"


UNANSWERED = (SafetyState.ASKED, SafetyState.ESCALATED, SafetyState.HELP)
# Safety jobs run however late the bot comes back (they check the shift's state first);
# only reminders go stale.
SAFETY_JOBS = frozenset({JOB_AUTOCLOSE, JOB_SAFETY_CHECK, JOB_ESCALATE})


@dataclass(frozen=True)
class OnShift:
    shift: Shift
    user: User | None


def parse_activity(text: str) -> str:
    """An activity named in any shipped language ("accompagnement", "bois", "توزيع")."""
    activity = activity_of(text)
    if activity is None:
        raise DomainError("unknown_activity", value=text, choices=", ".join(ACTIVITIES))
    return activity


class ShiftService:
    """Starts and ends shifts and keeps their timed jobs in step."""

    def __init__(
        self,
        storage: Store,
        clock: Clock,
        scheduler: Scheduler,
        tz: ZoneInfo,
        default_antenna: str,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.scheduler = scheduler
        self.tz = tz
        self.default_antenna = default_antenna

    @staticmethod
    def _require_volunteer(user: User) -> None:
        if not user.has(Role.VOLUNTEER):
            raise NotAllowed

    async def running(self, user: User) -> Shift | None:
        self._require_volunteer(user)
        return await self.storage.shifts.running(user.id)

    async def start(self, user: User, activity_text: str, return_text: str | None = None) -> Shift:
        """Check in; a running shift is answered, never doubled."""
        self._require_volunteer(user)
        activity = parse_activity(activity_text)
        now = self.clock.now()
        expected = None
        if return_text is not None:
            expected = next_occurrence(parse_clock(return_text), now, self.tz)
            # The safety check comes SAFETY_GRACE after the return: it must fall inside the
            # twelve hours after which a forgotten shift is closed.
            if expected - now >= AUTO_CLOSE_AFTER - SAFETY_GRACE:
                raise DomainError("return_too_far", value=return_text)
        running = await self.storage.shifts.running(user.id)
        if running is not None:
            raise DomainError("already_on_shift", shift=running)
        antenna = user.antenna or self.default_antenna
        planned = await self.storage.planning.near(
            antenna, activity, now - LINK_WINDOW, now + LINK_WINDOW
        )
        planned_id = min(planned, key=lambda p: abs(p.starts_at - now)).id if planned else None
        shift = await self.storage.shifts.start(
            user.id, antenna, activity, now, expected, planned_id
        )
        await self.scheduler.schedule(
            JOB_AUTOCLOSE,
            f"shift:{shift.id}:autoclose",
            now + AUTO_CLOSE_AFTER,
            {"shift": shift.id},
        )
        if expected is not None:
            await self._schedule_check(shift.id, expected + SAFETY_GRACE)
        return shift

    async def _schedule_check(self, shift_id: int, at: datetime) -> None:
        await self.scheduler.schedule(
            JOB_SAFETY_CHECK, f"shift:{shift_id}:check", at, {"shift": shift_id}
        )

    async def forget(self, user: User) -> None:
        """A volunteer erases their data: no safety job may run for them after that."""
        running = await self.storage.shifts.running(user.id)
        if running is not None:
            await self._close(running, self.clock.now(), auto=False)

    async def end(self, user: User) -> Shift:
        """Check out of the running shift."""
        self._require_volunteer(user)
        running = await self.storage.shifts.running(user.id)
        if running is None:
            raise DomainError("not_on_shift")
        return await self._close(running, self.clock.now(), auto=False)

    async def _close(self, shift: Shift, at: datetime, *, auto: bool) -> Shift:
        await self.storage.shifts.end(shift.id, at, auto_closed=auto)
        await self.scheduler.cancel_under(f"shift:{shift.id}:")
        closed = await self.storage.shifts.get(shift.id)
        assert closed is not None
        return closed

    async def auto_close(self, shift_id: int) -> Shift | None:
        """Close a shift left open 12 hours, at the 12-hour mark, flagged for review.

        Not while the night-round safety is still in play (a question open, or a return time
        whose check has not come yet): closing would call the check or the alert off. It is
        tried again an hour later; after a day the team has long been alerted, and it closes.
        """
        shift = await self.storage.shifts.get(shift_id)
        if shift is None or not shift.running:
            return None
        now = self.clock.now()
        check_pending = (
            shift.expected_return_at is not None
            and shift.expected_return_at + SAFETY_GRACE + ESCALATE_AFTER > now
        )
        waiting = shift.safety_state in UNANSWERED or check_pending
        if waiting and now - shift.started_at < GIVE_UP_WAITING:
            await self.scheduler.schedule(
                JOB_AUTOCLOSE,
                f"shift:{shift.id}:autoclose",
                self.clock.now() + timedelta(hours=1),
                {"shift": shift.id},
            )
            return None
        return await self._close(shift, shift.started_at + AUTO_CLOSE_AFTER, auto=True)

    async def safety_check(self, shift_id: int) -> Shift | None:
        """Time to ask "all OK?": returns the shift if it is still running."""
        shift = await self.storage.shifts.get(shift_id)
        if shift is None or not shift.running:
            return None
        await self.storage.shifts.set_safety_state(shift.id, SafetyState.ASKED)
        await self.scheduler.schedule(
            JOB_ESCALATE,
            f"shift:{shift.id}:escalate",
            self.clock.now() + ESCALATE_AFTER,
            {"shift": shift.id},
        )
        return shift

    async def escalate(self, shift_id: int) -> Shift | None:
        """No answer to "all OK?": returns the shift when the team must be alerted."""
        shift = await self.storage.shifts.get(shift_id)
        if shift is None or not shift.running or shift.safety_state != SafetyState.ASKED:
            return None
        await self.storage.shifts.set_safety_state(shift.id, SafetyState.ESCALATED)
        return shift

    async def answer_safety(self, user: User, shift_id: int, answer: str) -> tuple[Shift, str]:
        """The volunteer answered "all OK?"; returns the shift and the state before."""
        self._require_volunteer(user)
        if answer not in ("ok", "extend", "help"):
            raise DomainError("stale_button")
        shift = await self.storage.shifts.get(shift_id)
        if shift is None or shift.user_id != user.id or not shift.running:
            raise DomainError("shift_gone")
        # Only an open question takes an answer: a second tap on a weak network changes
        # nothing (no second alert, no second extension).
        if shift.safety_state not in (SafetyState.ASKED, SafetyState.ESCALATED):
            raise DomainError("already_answered")
        before = shift.safety_state or ""
        now = self.clock.now()
        await self.scheduler.cancel(f"shift:{shift.id}:escalate")
        if answer == "ok":
            await self.storage.shifts.set_safety_state(shift.id, SafetyState.OK)
        elif answer == "extend":
            expected = max(now, shift.expected_return_at or now) + EXTENSION
            await self.storage.shifts.set_expected_return(shift.id, expected)
            await self.storage.shifts.set_safety_state(shift.id, None)
            # Asked again when the extension runs out: they just told us they are out late.
            await self._schedule_check(shift.id, expected)
        else:
            await self.storage.shifts.set_safety_state(shift.id, SafetyState.HELP)
        updated = await self.storage.shifts.get(shift.id)
        assert updated is not None
        return updated, before

    async def on_shift(self, actor: User) -> list[OnShift]:
        """Who is on shift now: the actor's antenna, or every antenna for admins."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        antenna = None if actor.has(Role.ADMIN) else actor.antenna
        shifts = await self.storage.shifts.running_in(antenna)
        return [
            OnShift(shift, await self.storage.users.get(shift.user_id) if shift.user_id else None)
            for shift in shifts
        ]

    def month(self, text: str | None) -> tuple[int, int]:
        if text:
            return parse_month(text)
        local = self.clock.now().astimezone(self.tz)
        return local.year, local.month

    async def hours(
        self, user: User, month_text: str | None = None
    ) -> tuple[tuple[int, int], Hours]:
        """The caller's hours for a month (default: this month)."""
        self._require_volunteer(user)
        year, month = self.month(month_text)
        since, until = month_bounds(year, month, self.tz)
        found = await self.storage.shifts.hours_by_user(
            since, until, self.clock.now(), user_id=user.id
        )
        return (year, month), found.get(user.id, Hours(timedelta(0), 0))

    async def team_hours(self, actor: User, members: list[User]) -> dict[int, Hours]:
        """This month's hours of each team member."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        year, month = self.month(None)
        since, until = month_bounds(year, month, self.tz)
        hours = await self.storage.shifts.hours_by_user(since, until, self.clock.now())
        return {member.id: hours.get(member.id, Hours(timedelta(0), 0)) for member in members}
