"""Typed rows: what repositories return, so no SQL row ever leaves `bot/storage`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    """Roles are ordered: each includes the rights of the ones before it (SPEC §1)."""

    PUBLIC = "public"
    VOLUNTEER = "volunteer"
    LEGAL = "legal"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def includes(self, other: Role) -> bool:
        return self.rank >= other.rank


@dataclass(frozen=True)
class Antenna:
    code: str
    name: str
    team_chat_id: int | None


@dataclass(frozen=True)
class User:
    id: int
    locale: str | None
    telegram_language: str | None
    role: Role
    antenna: str | None
    display_name: str | None
    username: str | None
    active: bool
    created_at: datetime
    last_seen_at: datetime
    menu_signature: str | None

    def has(self, role: Role) -> bool:
        return self.role.includes(role)


@dataclass(frozen=True)
class Invite:
    code: str
    antenna: str
    created_by: int
    created_at: datetime
    expires_at: datetime
    used_by: int | None
    used_at: datetime | None


@dataclass(frozen=True)
class InboxEntry:
    update_id: int
    payload: dict[str, Any]
    received_at: datetime


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    chat_id: int | None
    method: str
    payload: dict[str, Any]
    priority: int
    batch: str | None
    created_at: datetime
    not_before: datetime
    attempts: int
    status: str
    ref: str | None = None


@dataclass(frozen=True)
class Job:
    """A timed job; the database row is the truth, the JobQueue only a cache of it."""

    id: int
    kind: str
    key: str
    due_at: datetime
    payload: dict[str, Any]
    status: str


@dataclass(frozen=True)
class Shift:
    id: int
    user_id: int | None
    antenna: str
    activity: str
    started_at: datetime
    ended_at: datetime | None
    expected_return_at: datetime | None
    planned_id: int | None
    auto_closed: bool
    safety_state: str | None

    @property
    def running(self) -> bool:
        return self.ended_at is None

    def duration(self, now: datetime) -> timedelta:
        return (self.ended_at or now) - self.started_at


@dataclass(frozen=True)
class PlannedShift:
    id: int
    antenna: str
    activity: str
    starts_at: datetime
    ends_at: datetime
    needed: int
    created_by: int | None
    cancelled_at: datetime | None
    signed: int
    place_id: int | None = None
    place_name: str | None = None  # the place's name, for showing it
    # "shift", or "woodcut": a wood-cutting session with the partner wood-yard (issue 10 §3).
    kind: str = "shift"

    @property
    def missing(self) -> int:
        return max(0, self.needed - self.signed)


@dataclass(frozen=True)
class Hours:
    """Time volunteered over a period, and in how many shifts."""

    total: timedelta
    shifts: int
    auto_closed: int = 0


@dataclass(frozen=True)
class Item:
    code: str
    unit: str
    position: int
    names: dict[str, list[str]]  # locale -> names, the first one shown
    retired: bool = False  # offered and matched nowhere, still named in reports


@dataclass(frozen=True)
class Place:
    id: int
    antenna: str
    code: str
    name: str
    aliases: list[str]
    latitude: float | None
    longitude: float | None
    retired: bool = False  # offered and matched nowhere, still named in reports
    old_names: list[str] = field(default_factory=list)  # before coordinators renamed it


@dataclass(frozen=True)
class Distribution:
    id: int
    antenna: str
    user_id: int | None
    item_code: str
    quantity: int
    place_id: int | None
    slot: str
    logged_at: datetime
    shift_id: int | None
    batch: str
    undone_at: datetime | None


@dataclass(frozen=True)
class Draft:
    id: int
    user_id: int
    kind: str
    payload: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class Total:
    """A quantity summed over a report's period, for one key (item, slot or place)."""

    key: str
    quantity: int
    logs: int


@dataclass(frozen=True)
class Confirmation:
    """A coordinator said an entry of the information catalogue is still true."""

    scope: str
    entry_id: str
    confirmed_at: datetime
    confirmed_by: int | None


@dataclass(frozen=True)
class InfoCount:
    """How many times a topic was asked in a language (no person behind it)."""

    topic: str
    locale: str
    count: int


@dataclass(frozen=True)
class HelpRequest:
    """A person's "I need help", as the team sees it: never their name (SPEC §2, §6)."""

    id: int
    user_id: int | None  # None once anonymised or forgotten
    antenna: str
    need: str
    locale: str
    latitude: float | None
    longitude: float | None
    status: str  # open | taken | closed | cancelled
    created_at: datetime
    taken_at: datetime | None
    closed_at: datetime | None
    owner_id: int | None
    relay_open: bool
    alerts: list[tuple[str, str]]  # (message ref, locale) of every message showing it
    person_key: str | None = None  # keyed hash of the person's id; None after retention
    ended_by_person: bool = False  # the person ended the conversation

    @property
    def active(self) -> bool:
        return self.status in ("open", "taken")


# Team alerts and the weekly summary (issue 10 §4–5).
@dataclass(frozen=True)
class TeamAlert:
    """A text posted to an antenna's team chat: once (`day`), daily, or weekly (`weekday`)."""

    id: int
    antenna: str
    kind: str  # once | daily | weekly
    at: time  # local wall time
    weekday: int | None  # 0 is Monday
    day: date | None
    text: str
    created_by: int | None
    created_at: datetime
    deleted_at: datetime | None


@dataclass(frozen=True)
class Broadcast:
    """A coordinator's message to a team chat or to every reachable member of an antenna;
    its copies are the outbox rows of the batch `bc:<id>`."""

    id: int
    antenna: str
    target: str
    draft_id: int | None
    created_by: int | None
    created_at: datetime
    recipients: int
    summary_chat_id: int | None
    summary: str | None
    sent: int
    blocked: int
    failed: int
    finished_at: datetime | None


@dataclass(frozen=True)
class BroadcastProgress:
    """Recipients of a broadcast by outcome (a recipient of a long text has several rows)."""

    pending: int
    sent: int
    blocked: int
    failed: int


# Rights-violation reports (issue 11): rows as stored, the sensitive part still sealed.
@dataclass(frozen=True)
class IncidentRow:
    id: int
    reference: str
    antenna: str
    reporter_id: int | None
    kind: str
    occurred_at: datetime
    created_at: datetime
    name_reporter: bool
    sealed: bytes


@dataclass(frozen=True)
class IncidentDraftRow:
    id: int
    user_id: int
    antenna: str
    nonce: str
    sealed: bytes
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor_id: int | None
    action: str
    incident_id: int | None
    antenna: str | None
    detail: str | None


# Volunteer housing (issue 12).
@dataclass(frozen=True)
class Stay:
    """Nights arrival .. departure - 1 at an antenna's house (dates local to TIMEZONE)."""

    id: int
    user_id: int
    antenna: str
    house: str
    arrival: date
    departure: date
    status: str  # 'waiting' | 'confirmed' | 'refused' | 'cancelled'
    created_at: datetime
    updated_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    ended_early: bool


@dataclass(frozen=True)
class HousingPayment:
    id: int
    user_id: int
    stay_id: int | None
    amount: Decimal
    recorded_by: int | None
    recorded_at: datetime
    nonce: str
    undone_at: datetime | None


@dataclass(frozen=True)
class HousingReduction:
    id: int
    stay_id: int
    user_id: int
    requested_at: datetime
    reason: str
    status: str  # 'open' | 'waived' | 'half' | 'amount' | 'refused'
    nightly: Decimal | None
    decided_by: int | None
    decided_at: datetime | None
    effective_from: date | None


@dataclass(frozen=True)
class Taken:
    """A message Telegram took: its outbox row, and what to remember of it."""

    entry_id: int
    message_id: int | None
    # A row that leaves no trace once sent (a passing notice): deleted, not marked.
    ephemeral: bool = False
    # (ref, chat_id, message_id): where a message the bot may edit later went.
    ref: tuple[str, int, int] | None = None
    # The ref of a message just edited: still in use.
    touched: str | None = None
