"""Planned shifts with sign-ups, reminders and short-staffing warnings (SPEC §2, §4)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.services.catalogue import Catalogue
from bot.services.errors import DomainError, NotAllowed
from bot.services.keywords import ACTIVITIES, day_of
from bot.services.numerals import numeric
from bot.services.scheduler import Scheduler
from bot.services.shifts import parse_activity
from bot.services.timeparse import CLOCK, at_local, parse_clock, parse_date
from bot.services.waits import PLAN, TypedWaits
from bot.storage.interface import Store
from bot.storage.models import Draft, PlannedShift, Role, User

MAX_NEEDED = 50
MAX_LENGTH = timedelta(hours=16)
SHORT_WARNING_BEFORE = timedelta(hours=24)
LISTED_AHEAD = timedelta(days=31)
# An unknown place is refused with at most this many names to choose from (one message).
PLACE_CHOICES = 10
PLACE_TEXT_SHOWN = 60
# Pressing "I'm in" again withdraws (issue 3), but not within seconds of signing up.
DOUBLE_TAP = timedelta(seconds=10)
MINUTE = timedelta(minutes=1)

JOB_REMINDER = "planning.reminder"
JOB_SHORT = "planning.short"

# The kinds of planned shift: a shift of any activity (/plan), or a wood-cutting session with
# the partner wood-yard (/woodcut, issue 10 §3), reminded a day and an hour before (the key's
# last part names each reminder).
KIND_SHIFT = "shift"
KIND_WOODCUT = "woodcut"
WOODCUT_REMINDERS = (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1)))

# "21:00-02:00", "21h00–02h00": the span of a planned shift, one word once spaces around the
# dash are gone.
SPAN = re.compile(rf"{CLOCK.pattern}-{CLOCK.pattern}")
NUMBER = re.compile(r"[-+]?\d+")
DASHES = re.compile(r"(\d)\s*[-–—]\s*(\d)")

# The guided /plan form, kept as a draft so that it survives a restart.
FORM = "plan"
# Its steps, in order; "done" once the shift is planned (a second Confirm finds it there).
STEPS = ("date", "time", "activity", "needed", "place", "confirm", "done")
# Answers a step takes by typing, after its "type it" button.
TYPED_STEPS = frozenset({"date", "time", "needed"})
# A "type it" tap waits this long for the typed answer (its buttons work longer).
FORM_TYPING_WAIT = timedelta(minutes=30)
# The value of the "type it" buttons.
TYPE_IT = "t"
# Days offered as buttons, today first; others are typed.
FORM_DAYS = 7
# Usual slots, offered as buttons: a day, an afternoon, an evening, a night round.
FORM_SLOTS = ("09:00-12:00", "14:00-17:00", "18:00-21:00", "21:00-02:00")
FORM_NEEDED = (1, 2, 3, 4, 6)


@dataclass(frozen=True)
class SignupChange:
    planned: PlannedShift
    signed_up: bool
    changed: bool = True
    # How many of the person's reminders are still ahead (none for a late sign-up).
    reminders: int = 0


def parse_needed(text: str | None) -> int:
    if text is None:
        return 1
    try:
        needed = int(numeric(text))
    except ValueError:
        raise DomainError("bad_needed", value=text) from None
    if not 1 <= needed <= MAX_NEEDED:
        raise DomainError("bad_needed", value=text)
    return needed


def parse_day(text: str, today: date) -> date:
    """`2026-12-02`, `02/12`, or a word in any shipped language: "demain", "lundi", "today"."""
    found = day_of(text, today)
    if found is not None:
        return found
    try:
        return parse_date(numeric(text), today)
    except DomainError:
        # Not a date, nor a day's name: say which words work.
        raise DomainError("bad_plan_date", value=text) from None


def parse_clocks(span_text: str) -> tuple[time, time]:
    """ "21:00-02:00" → the start and end times of day."""
    start_text, separator, end_text = DASHES.sub(r"\1-\2", numeric(span_text)).partition("-")
    if not separator:
        raise DomainError("bad_time", value=span_text)
    return parse_clock(start_text), parse_clock(end_text)


def span_at(day: date, start: time, end: time, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """When a shift of that day starts and ends; an end before the start is the next day."""
    starts_at, ends_at = at_local(day, start, tz), at_local(day, end, tz)
    if ends_at <= starts_at:
        ends_at = at_local(day + timedelta(days=1), end, tz)
    return starts_at, ends_at


def parse_span(
    date_text: str, span_text: str, now: datetime, tz: ZoneInfo
) -> tuple[datetime, datetime]:
    """`2026-12-02` (or "demain") and `21:00-02:00` → when the shift starts and ends."""
    day = parse_day(date_text, now.astimezone(tz).date())
    start, end = parse_clocks(span_text)
    return span_at(day, start, end, tz)


@dataclass
class PlanRequest:
    """What a quick `/plan …` says, read word by word."""

    date_text: str
    span_text: str
    activity_text: str
    needed_text: str | None
    place_text: str | None


def split_plan(text: str) -> PlanRequest:
    """`demain 18:00 - 20:00 découpe du bois 3 @ Marck` → its parts: the date is what comes
    before the span, the activity what follows it (several words), the number of people last."""
    place_text = None
    if "@" in text:
        text, _, place_text = text.partition("@")
        place_text = " ".join(place_text.split())
        if not place_text:
            raise DomainError("plan_usage")
    words = DASHES.sub(r"\1-\2", numeric(text)).split()
    at = next((i for i, word in enumerate(words) if SPAN.fullmatch(word)), None)
    if at is None:
        # No span: the old shape, read as before, so that its refusals stay the same.
        if len(words) not in (3, 4):
            raise DomainError("plan_usage")
        at = 1
    before, after = words[:at], words[at + 1 :]
    needed_text = after.pop() if len(after) > 1 and NUMBER.fullmatch(after[-1]) else None
    # No activity, or two numbers ("maraude 2 3"): not a shape this command knows.
    if not before or not after or any(NUMBER.fullmatch(word) for word in after):
        raise DomainError("plan_usage")
    return PlanRequest(" ".join(before), words[at], " ".join(after), needed_text, place_text)


@dataclass
class PlanForm:
    """The guided /plan form: what was chosen so far, and the step it is at."""

    draft: int
    nonce: str
    step: str
    antenna: str
    day: date | None = None
    start: time | None = None
    end: time | None = None
    activity: str | None = None
    needed: int | None = None
    place_id: int | None = None
    # Its typed answer awaited: the person's latest typed wait (`bot.services.waits`), never
    # stored with the form.
    typing: bool = False
    planned: int | None = None

    def to_payload(self) -> dict[str, Any]:
        return {
            "nonce": self.nonce,
            "step": self.step,
            "antenna": self.antenna,
            "day": self.day.isoformat() if self.day else None,
            "start": self.start.strftime("%H:%M") if self.start else None,
            "end": self.end.strftime("%H:%M") if self.end else None,
            "activity": self.activity,
            "needed": self.needed,
            "place": self.place_id,
            "planned": self.planned,
        }

    @classmethod
    def from_draft(cls, draft: Draft) -> PlanForm:
        payload = draft.payload
        return cls(
            draft=draft.id,
            nonce=str(payload["nonce"]),
            step=str(payload["step"]),
            antenna=str(payload["antenna"]),
            day=date.fromisoformat(payload["day"]) if payload.get("day") else None,
            start=time.fromisoformat(payload["start"]) if payload.get("start") else None,
            end=time.fromisoformat(payload["end"]) if payload.get("end") else None,
            activity=payload.get("activity"),
            needed=payload.get("needed"),
            place_id=payload.get("place"),
            planned=payload.get("planned"),
        )


def _check_step(form: PlanForm, step: str) -> None:
    """An answer for the step the form is at; an earlier step's is a double tap."""
    if step == form.step:
        return
    if step in STEPS and STEPS.index(step) < STEPS.index(form.step):
        raise DomainError("already_answered")
    raise DomainError("plan_form_gone")


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
        self.waits = TypedWaits(storage, clock)
        # When each person last withdrew from each planned shift: the second tap of a double
        # tap meant to withdraw must not sign them up again. Seconds matter only, so memory
        # is enough (a restart between two taps of a finger is not worth a table).
        self.withdrawn_at: dict[tuple[int, int], datetime] = {}

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
        next day. The date may be a word ("demain", "lundi"), the activity several words, in
        any shipped language."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        # A new /plan: a day or time asked by a form's "⌨️" is no longer awaited.
        await self.waits.end(actor.id, PLAN)
        request = split_plan(" ".join(args))
        now = self.clock.now()
        starts_at, ends_at = parse_span(request.date_text, request.span_text, now, self.tz)
        self.check_span(starts_at, ends_at, now)
        activity = parse_activity(request.activity_text)
        needed = parse_needed(request.needed_text)
        antenna = actor.antenna or self.default_antenna
        place_id = (
            self.match_place(antenna, request.place_text)
            if request.place_text is not None
            else None
        )
        return await self.create(
            actor, antenna, activity, starts_at, ends_at, needed, place_id, now
        )

    @staticmethod
    def check_span(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
        if starts_at <= now:
            raise DomainError("in_the_past")
        if ends_at - starts_at > MAX_LENGTH:
            raise DomainError("too_long")

    async def create(
        self,
        actor: User,
        antenna: str,
        activity: str,
        starts_at: datetime,
        ends_at: datetime,
        needed: int,
        place_id: int | None,
        now: datetime,
        kind: str = KIND_SHIFT,
    ) -> PlannedShift:
        planned = await self.storage.planning.add(
            antenna, activity, starts_at, ends_at, needed, actor.id, now, place_id, kind
        )
        warn_at = starts_at - SHORT_WARNING_BEFORE
        # A wood-cutting session has no "short of people" warning: its coordinator follows
        # its participants with /woodcut list.
        if warn_at > now and kind == KIND_SHIFT:
            await self.scheduler.schedule(
                JOB_SHORT, f"plan:{planned.id}:short", warn_at, {"planned": planned.id}
            )
        return planned

    # --- the guided form ------------------------------------------------------------------

    def form_days(self) -> list[date]:
        """The days offered as buttons: today and the next ones."""
        today = self.clock.now().astimezone(self.tz).date()
        return [today + timedelta(days=n) for n in range(FORM_DAYS)]

    def form_places(self, antenna: str) -> list[int]:
        return sorted(
            (place.id for place in self.catalogue().places_of(antenna)),
            key=lambda place_id: self.catalogue().places[place_id].name.casefold(),
        )

    async def start_form(self, actor: User) -> PlanForm:
        """A new guided form (any earlier one of the caller is dropped: its buttons go stale)."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        form = PlanForm(0, secrets.token_hex(4), "date", actor.antenna or self.default_antenna)
        await self.waits.end(actor.id, PLAN)
        form.draft = await self.storage.drafts.add(
            actor.id, FORM, form.to_payload(), self.clock.now()
        )
        return form

    async def form(self, actor: User, draft_id: int, nonce: str) -> PlanForm:
        """The caller's own form behind a pressed button, re-authorised; else refused."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        draft = await self.storage.drafts.get(draft_id)
        if draft is None or draft.user_id != actor.id or draft.kind != FORM:
            raise DomainError("plan_form_gone")
        form = PlanForm.from_draft(draft)
        if form.nonce != nonce:
            raise DomainError("plan_form_gone")
        wait = await self.waits.waiting_for(actor.id, PLAN)
        awaited = wait is not None and wait.details == {"form": draft_id, "nonce": nonce}
        form.typing = awaited and form.step in TYPED_STEPS
        return form

    async def typing_form(self, actor: User) -> PlanForm | None:
        """The caller's form whose typed answer is awaited, if that is the latest thing they
        were asked to type (a "⌨️" tapped less than FORM_TYPING_WAIT ago)."""
        if not actor.has(Role.COORDINATOR):
            return None
        wait = await self.waits.waiting_for(actor.id, PLAN)
        if wait is None:
            return None
        draft = await self.storage.drafts.get(int(wait.details.get("form") or 0))
        if draft is None or draft.user_id != actor.id or draft.kind != FORM:
            await self.waits.end(actor.id, PLAN)
            return None
        form = PlanForm.from_draft(draft)
        if form.nonce != wait.details.get("nonce") or form.step not in TYPED_STEPS:
            return None
        form.typing = True
        return form

    async def answer_form(
        self, actor: User, form: PlanForm, step: str, value: str, *, typed: bool = False
    ) -> PlanForm:
        """Apply one answer (a button's value, or typed text) to the step it belongs to.

        An answer for another step than the form's (an old message's button) is refused; "t"
        asks to type the answer of the date, time and needed steps. After a typed answer, the
        next step's answer is awaited typed too, when it can be (the day typed, the time
        follows); a tapped one ends the wait."""
        _check_step(form, step)
        if value == TYPE_IT and step in TYPED_STEPS and not typed:
            form.typing = True
        else:
            self._apply(form, step, value)
            form.typing = typed and form.step in TYPED_STEPS
        if form.typing:
            # Counted from this question: the tap, or the typed answer before it.
            await self.waits.open(
                actor.id, PLAN, FORM_TYPING_WAIT, form=form.draft, nonce=form.nonce
            )
        else:
            await self.waits.end(actor.id, PLAN, form=form.draft)
        await self.storage.drafts.update(form.draft, form.to_payload())
        return form

    def _apply(self, form: PlanForm, step: str, value: str) -> None:
        """Fill in one step of the form and move it to the next; refused if it cannot."""
        now = self.clock.now()
        today = now.astimezone(self.tz).date()
        if step == "date":
            form.day = parse_day(value, today)
            if form.day < today:
                raise DomainError("in_the_past")
            form.step = "time"
        elif step == "time":
            assert form.day is not None
            start, end = parse_clocks(value)
            starts_at, ends_at = span_at(form.day, start, end, self.tz)
            self.check_span(starts_at, ends_at, now)
            form.start, form.end, form.step = start, end, "activity"
        elif step == "activity":
            if value not in ACTIVITIES:
                raise DomainError("stale_button")
            form.activity, form.step = value, "needed"
        elif step == "needed":
            form.needed = parse_needed(value)
            form.step = "place"
        elif step == "place":
            place_id = int(value) if value.isdigit() else -1
            if place_id != 0 and place_id not in self.form_places(form.antenna):
                raise DomainError("stale_button")
            form.place_id, form.step = place_id or None, "confirm"
        else:
            raise DomainError("stale_button")

    def form_span(self, form: PlanForm) -> tuple[datetime, datetime]:
        assert form.day is not None
        assert form.start is not None
        assert form.end is not None
        return span_at(form.day, form.start, form.end, self.tz)

    async def confirm_form(self, actor: User, form: PlanForm) -> tuple[PlannedShift, bool]:
        """Plan the shift the form describes, once: a second Confirm finds it planned already
        (and False says nothing new was made)."""
        if form.step == "done" and form.planned is not None:
            planned = await self.storage.planning.get(form.planned)
            if planned is None:
                raise DomainError("planned_gone")
            return planned, False
        if form.step != "confirm" or form.activity is None or form.needed is None:
            raise DomainError("plan_form_gone")
        if form.place_id is not None and form.place_id not in self.form_places(form.antenna):
            # Retired (or gone) since it was chosen: nothing is planned; the form goes back
            # to the place step, for another place or none.
            place = self.catalogue().all_places.get(form.place_id)
            form.place_id, form.step, form.typing = None, "place", False
            await self.storage.drafts.update(form.draft, form.to_payload())
            raise DomainError("plan_place_retired", place=place.name if place else "?")
        now = self.clock.now()
        starts_at, ends_at = self.form_span(form)
        self.check_span(starts_at, ends_at, now)
        planned = await self.create(
            actor, form.antenna, form.activity, starts_at, ends_at, form.needed, form.place_id, now
        )
        form.step, form.planned = "done", planned.id
        await self.storage.drafts.update(form.draft, form.to_payload())
        await self.waits.end(actor.id, PLAN, form=form.draft)
        return planned, True

    async def cancel_form(self, actor: User, form: PlanForm) -> bool:
        """Drop the form; False if it had already planned its shift (that stays)."""
        if form.step == "done":
            return False
        await self.storage.drafts.delete(form.draft)
        await self.waits.end(actor.id, PLAN, form=form.draft)
        return True

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
        reminders = self.reminders(planned, user.id)
        if since is not None and now - since < DOUBLE_TAP:
            # The second tap of a double tap on a weak network: "I'm in" stays "I'm in".
            ahead = sum(planned.starts_at - before > now for _, before in reminders)
            return SignupChange(planned, signed_up=True, changed=False, reminders=ahead)
        withdrew = self.withdrawn_at.get((planned.id, user.id))
        if since is None and withdrew is not None and now - withdrew < DOUBLE_TAP:
            # ... and of one meant to withdraw: "withdrew" stays "withdrew".
            return SignupChange(planned, signed_up=False, changed=False)
        if since is None and planned.signed >= planned.needed:
            full = "woodcut_full" if planned.kind == KIND_WOODCUT else "shift_full"
            raise DomainError(full, needed=planned.needed)
        signed_up = await self.storage.planning.toggle_signup(planned.id, user.id, now)
        self.withdrawn_at = {
            pair: at for pair, at in self.withdrawn_at.items() if now - at < DOUBLE_TAP
        }
        if not signed_up:
            self.withdrawn_at[(planned.id, user.id)] = now
        ahead = 0
        for key, before in reminders:
            remind_at = planned.starts_at - before
            if signed_up and remind_at > now:
                payload = {"planned": planned.id, "user": user.id, "before": before // MINUTE}
                await self.scheduler.schedule(JOB_REMINDER, key, remind_at, payload)
                ahead += 1
            elif not signed_up:
                await self.scheduler.cancel(key)
        updated = await self.storage.planning.get(planned.id)
        assert updated is not None
        return SignupChange(updated, signed_up, reminders=ahead)

    def reminders(self, planned: PlannedShift, user_id: int) -> list[tuple[str, timedelta]]:
        """The reminders a person signed up for gets: their job keys and how long before the
        start each comes. A shift's one key is kept as it was; a wood-cutting session's two
        keys end with their name."""
        key = f"plan:{planned.id}:remind:{user_id}"
        if planned.kind == KIND_WOODCUT:
            return [(f"{key}:{name}", before) for name, before in WOODCUT_REMINDERS]
        return [(key, self.reminder_before)]

    async def cancel(self, actor: User, planned_id: int) -> tuple[PlannedShift, list[User]]:
        """Cancel a planned shift; returns it and the people who had signed up."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        planned = await self.get_open(planned_id)
        if planned.antenna != actor.antenna and not actor.has(Role.ADMIN):
            raise NotAllowed
        await self.storage.planning.cancel(planned.id, self.clock.now())
        await self.scheduler.cancel_under(f"plan:{planned.id}:")
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
