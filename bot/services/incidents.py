"""Rights-violation reports (issue 11, SPEC §5): sealed at rest, read by those entitled, audited.

What describes the event and the people (place, coordinates, people affected, minors, injuries,
the description, the photos' and videos' file ids) is sealed with `INCIDENT_KEY` before it
reaches storage (`bot.services.sealing`), drafts included. Kind, antenna and times stay readable:
the statistics and the access rules need them, and they say nothing of who was there.

Without a key, or with a key that does not open the stored canary, every incident feature
refuses (`require`); nothing else of the bot depends on it.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.services.errors import DomainError, NotAllowed
from bot.services.numerals import numeric
from bot.services.sealing import KeyFormatError, Sealer, SealError
from bot.services.timeparse import at_local, last_occurrence, parse_clock, parse_date
from bot.services.waits import TypedWaits
from bot.storage.interface import Store
from bot.storage.models import AuditEntry, IncidentDraftRow, IncidentRow, Role, User

log = logging.getLogger(__name__)

KINDS = ("police", "eviction", "seizure", "teargas", "refusal", "sea", "other")
CANARY_KEY = "incident_canary"
CANARY_WHERE = "meta:incident_canary"
CANARY_TEXT = b"maraude incident key check"

# Key states (`IncidentService.status`).
READY = "ready"
MISSING = "missing"
WRONG = "wrong"

# The form's steps: kind, when (when_time, when_date), where, people, minors, injuries,
# description, media, review, consent. Those below read the person's next text.
# Where an edit from the review ends: the next section begins.
SECTION_STARTS = frozenset({"when", "where", "people", "description", "media", "review"})
# At the review, a typed text is more of the description (a detail remembered late).
TYPED_STEPS = frozenset({"when_time", "when_date", "where", "people", "description", "review"})
# Fields the review can send the person back to.
EDITABLE = {"kind": "kind", "when": "when", "where": "where", "people": "people"}
EDITABLE |= {"description": "description", "media": "media"}
# Answers that are not values.
DONE = "done"
CANCEL = "x"
CONFIRM = "ok"
PEOPLE_CHOICES = (1, 2, 3, 5, 10, 20)
MAX_PEOPLE = 10_000
MAX_PARTS = 30  # description messages
MAX_PART = 4096  # characters in one of them: a whole Telegram message, never cut
MAX_MEDIA = 20
# Purpose of the typed wait (bot.services.waits): the form's next text is its answer.
WAIT_PURPOSE = "incident"
WAIT_LIFE = timedelta(hours=2)
# "Earlier today at 23:40", typed at 01:30: yesterday evening's, up to this long ago.
EARLIER_TODAY = timedelta(hours=12)

# Reports per page of /incidents.
PAGE = 8

# Audit actions.
CREATED = "create"
READ = "read"
LISTED = "list"
EXPORTED = "export"
ROTATED = "rotate_key"


@dataclass
class IncidentDetails:
    """The sealed part of a report (and of a draft)."""

    place_id: int | None = None
    place_text: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    people: int | None = None
    minors: bool | None = None
    injuries: bool | None = None
    description: list[str] = field(default_factory=list)
    # (kind, Telegram file_id): kind is "photo" or "video".
    media: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IncidentDetails:
        values = dict(data)
        values["media"] = [(str(kind), str(file_id)) for kind, file_id in data.get("media", [])]
        values["description"] = [str(part) for part in data.get("description", [])]
        return cls(**values)


@dataclass(frozen=True)
class Incident:
    """A report opened for a reader entitled to it."""

    row: IncidentRow
    details: IncidentDetails

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def reference(self) -> str:
        return self.row.reference


@dataclass
class IncidentDraft:
    """A report being written: where the form is, what was answered, which chat messages carry
    details (deleted once the report is filed)."""

    id: int
    nonce: str
    antenna: str
    step: str = "kind"
    kind: str | None = None
    occurred_at: datetime | None = None
    details: IncidentDetails = field(default_factory=IncidentDetails)
    # From the review, an edit goes back there once answered.
    editing: bool = False
    # Chat message ids that show what was reported: the person's own and the bot's echoes
    # (these by outbox ref, their ids known once sent).
    messages: list[int] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)

    def next_ref(self) -> str:
        """A name for the next bot message of the form (deleted once the report is filed)."""
        ref = f"inc:{self.id}:{len(self.refs)}"
        self.refs.append(ref)
        return ref

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "kind": self.kind,
            "occurred_at": None if self.occurred_at is None else self.occurred_at.isoformat(),
            "details": self.details.to_json(),
            "editing": self.editing,
            "messages": self.messages,
            "refs": self.refs,
        }

    @classmethod
    def from_json(cls, row: IncidentDraftRow, data: dict[str, Any]) -> IncidentDraft:
        occurred = data.get("occurred_at")
        return cls(
            id=row.id,
            nonce=row.nonce,
            antenna=row.antenna,
            step=str(data.get("step", "kind")),
            kind=data.get("kind"),
            occurred_at=None if occurred is None else datetime.fromisoformat(occurred),
            details=IncidentDetails.from_json(data.get("details", {})),
            editing=bool(data.get("editing", False)),
            messages=[int(m) for m in data.get("messages", [])],
            refs=[str(ref) for ref in data.get("refs", [])],
        )


def incident_where(incident_id: int) -> str:
    return f"incidents:{incident_id}:details"


def draft_where(draft_id: int) -> str:
    return f"incident_drafts:{draft_id}"


def _reseal(old: Sealer, new: Sealer, sealed: bytes, where: str) -> bytes:
    try:
        return new.seal(old.open(sealed, where), where)
    except SealError:
        log.error("a sealed incident value did not open at %s", where)  # noqa: TRY400
        raise DomainError("incident_unreadable") from None


def can_read(user: User, row: IncidentRow) -> bool:
    """The reporter while still of the team (a volunteer removed, their phone maybe taken,
    reads nothing more); the antenna's coordinators and legal team; admins everywhere."""
    if row.reporter_id is not None and row.reporter_id == user.id:
        return user.has(Role.VOLUNTEER)
    if user.role is Role.ADMIN:
        return True
    return user.role in (Role.COORDINATOR, Role.LEGAL) and user.antenna == row.antenna


class IncidentService:
    def __init__(
        self,
        storage: Store,
        clock: Clock,
        tz: ZoneInfo,
        key_text: str | None,
        default_antenna: str,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.tz = tz
        self.default_antenna = default_antenna
        self._key_text = key_text
        self._sealer: Sealer | None = None
        self.status = MISSING
        self.waits = TypedWaits(storage, clock)

    # The key.

    async def check_key(self) -> str:
        """Check the configured key against the stored canary (storing one on first use);
        return and remember the status. Called once at start-up, in its own transaction."""
        self._sealer = None
        if not self._key_text:
            self.status = MISSING
            log.warning("INCIDENT_KEY is not set: incident reports are refused")
            return self.status
        try:
            sealer = Sealer.from_text(self._key_text)
        except KeyFormatError as error:
            self.status = WRONG
            log.error("INCIDENT_KEY refused: %s", error)  # noqa: TRY400 -- no traceback
            return self.status
        async with self.storage.transaction():
            self.status = await self._check(sealer)
        if self.status == READY:
            self._sealer = sealer
        return self.status

    async def _check(self, sealer: Sealer) -> str:
        stored = await self.storage.meta.get(CANARY_KEY)
        if stored is None:
            store = self.storage.incidents
            if await store.count() or await store.drafts_sealed():
                # Data sealed with some key, and no canary to say which: refuse to guess.
                log.error("incident data without a key canary: incident reports are refused")
                return WRONG
            await self.storage.meta.set(CANARY_KEY, sealer.seal(CANARY_TEXT, CANARY_WHERE).hex())
            return READY
        try:
            sealer.open(bytes.fromhex(stored), CANARY_WHERE)
        except (SealError, ValueError):
            log.error("INCIDENT_KEY does not open the stored data: reports are refused")  # noqa: TRY400
            return WRONG
        return READY

    def require(self) -> Sealer:
        """The sealer, or the refusal every incident feature answers without a usable key."""
        if self._sealer is None:
            code = "incident_key_missing" if self.status == MISSING else "incident_key_wrong"
            raise DomainError(code)
        return self._sealer

    def _seal(self, value: dict[str, Any], where: str) -> bytes:
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self.require().seal(plain, where)

    def _open(self, sealed: bytes, where: str) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.require().open(sealed, where))
        except SealError:
            log.error("a sealed incident value did not open at %s", where)  # noqa: TRY400
            raise DomainError("incident_unreadable") from None
        return data

    async def rotate(self, new_key_text: str) -> tuple[int, int]:
        """Re-seal every report, draft and the canary with a new key, in one transaction;
        return how many reports and drafts. The current key must be the right one."""
        old = self.require()
        new = Sealer.from_text(new_key_text)
        store = self.storage.incidents
        async with self.storage.transaction():
            reports = await store.all_sealed()
            for incident_id, sealed in reports:
                where = incident_where(incident_id)
                await store.set_sealed(incident_id, _reseal(old, new, sealed, where))
            drafts = await store.drafts_sealed()
            for draft_id, sealed in drafts:
                where = draft_where(draft_id)
                await store.draft_set_sealed(draft_id, _reseal(old, new, sealed, where))
            await self.storage.meta.set(CANARY_KEY, new.seal(CANARY_TEXT, CANARY_WHERE).hex())
            await store.audit(self.clock.now(), None, ROTATED, detail=f"{len(reports)} reports")
        self._key_text = new_key_text
        self._sealer = new
        return len(reports), len(drafts)

    # Reports.

    async def _reference(self, now: datetime) -> str:
        year = now.astimezone(self.tz).year
        start = datetime(year, 1, 1, tzinfo=self.tz)
        end = datetime(year + 1, 1, 1, tzinfo=self.tz)
        number = await self.storage.incidents.count_created_between(start, end) + 1
        while await self.storage.incidents.reference_taken(f"INC-{year}-{number:04d}"):
            number += 1
        return f"INC-{year}-{number:04d}"

    async def file(
        self,
        reporter: User,
        *,
        kind: str,
        occurred_at: datetime,
        details: IncidentDetails,
        name_reporter: bool,
        antenna: str | None = None,
    ) -> IncidentRow:
        """Store a report, sealed, and audit it (inside the caller's transaction)."""
        self.require()
        if kind not in KINDS:
            raise DomainError("incident_kind_unknown")
        now = self.clock.now()
        store = self.storage.incidents
        async with self.storage.transaction():
            incident_id = await store.add(
                reference=await self._reference(now),
                antenna=antenna or reporter.antenna or self.default_antenna,
                reporter_id=reporter.id,
                kind=kind,
                occurred_at=occurred_at,
                created_at=now,
                name_reporter=name_reporter,
            )
            await store.set_sealed(
                incident_id, self._seal(details.to_json(), incident_where(incident_id))
            )
            row = await store.get(incident_id)
            assert row is not None
            await store.audit(now, reporter.id, CREATED, incident_id=row.id, antenna=row.antenna)
        return row

    async def read(self, reader: User, incident_id: int) -> Incident:
        """One report for a reader entitled to it; the read is audited."""
        self.require()
        row = await self.storage.incidents.get(incident_id)
        if row is None or not can_read(reader, row):
            # The same refusal for a report that does not exist: ids are not to be probed.
            raise NotAllowed
        details = IncidentDetails.from_json(self._open(row.sealed, incident_where(row.id)))
        await self.storage.incidents.audit(
            self.clock.now(), reader.id, READ, incident_id=row.id, antenna=row.antenna
        )
        return Incident(row, details)

    async def listing(
        self,
        reader: User,
        *,
        kind: str | None,
        since: datetime | None,
        until: datetime | None,
        page: int,
        detail: str,
    ) -> tuple[list[IncidentRow], int]:
        """A page of the reports the reader may see (kind, time and reference only: nothing
        sealed is opened), and how many in all; the listing is audited."""
        self.require()
        if not reader.has(Role.VOLUNTEER):
            raise NotAllowed
        if kind is not None and kind not in KINDS:
            raise DomainError("incident_kind_unknown")
        entitled = reader.role in (Role.COORDINATOR, Role.LEGAL)
        rows, total = await self.storage.incidents.visible(
            antenna=(reader.antenna or self.default_antenna) if entitled else None,
            reporter_id=reader.id,
            everything=reader.role is Role.ADMIN,
            kind=kind,
            since=since,
            until=until,
            limit=PAGE,
            offset=max(page, 0) * PAGE,
        )
        await self.storage.incidents.audit(
            self.clock.now(),
            reader.id,
            LISTED,
            antenna=reader.antenna or self.default_antenna,
            detail=f"{detail} page {page}: {len(rows)} of {total}",
        )
        return rows, total

    async def counts(
        self, antenna: str | None, since: datetime, until: datetime
    ) -> list[tuple[str, str, int]]:
        """(YYYY-MM in TIMEZONE, kind, how many) of the reports of a period, for /report and
        the weekly summary: counts only, readable without the key."""
        found: dict[tuple[str, str], int] = {}
        for moment, kind in await self.storage.incidents.kinds_between(antenna, since, until):
            key = (moment.astimezone(self.tz).strftime("%Y-%m"), kind)
            found[key] = found.get(key, 0) + 1
        return [
            (month, kind, found[month, kind])
            for month, kind in sorted(found, key=lambda k: (k[0], KINDS.index(k[1])))
        ]

    async def for_export(
        self,
        reader: User,
        *,
        since: datetime | None,
        until: datetime | None,
        kind: str | None = None,
        limit: int = 500,
        audit: bool = True,
    ) -> list[Incident]:
        """Every report of a period the reader may export, opened, oldest event first; each is
        audited as exported (unless `audit` is False: a detached job audits with
        `audit_exported` in the transaction that sends the document, so a retry counts once).
        Coordinators and the legal team of the antenna, admins: a volunteer exports nothing,
        not even their own (a legal referral is the team's)."""
        self.check_export(reader)
        rows, _ = await self.storage.incidents.visible(
            antenna=None if reader.role is Role.ADMIN else reader.antenna or self.default_antenna,
            reporter_id=reader.id,
            everything=reader.role is Role.ADMIN,
            kind=kind,
            since=since,
            until=until,
            limit=limit,
            offset=0,
        )
        now = self.clock.now()
        opened = []
        for row in sorted(rows, key=lambda r: (r.occurred_at, r.id)):
            details = IncidentDetails.from_json(self._open(row.sealed, incident_where(row.id)))
            if audit:
                await self.storage.incidents.audit(
                    now, reader.id, EXPORTED, incident_id=row.id, antenna=row.antenna
                )
            opened.append(Incident(row, details))
        return opened

    def check_export(self, reader: User) -> None:
        """May this person export reports at all (the key configured, the role)?"""
        self.require()
        if reader.role not in (Role.COORDINATOR, Role.LEGAL, Role.ADMIN):
            raise NotAllowed

    async def audit_exported(self, reader: User, incidents: list[Incident]) -> None:
        """Record that these reports left in a document (once, as it is queued)."""
        now = self.clock.now()
        for incident in incidents:
            await self.storage.incidents.audit(
                now, reader.id, EXPORTED, incident_id=incident.id, antenna=incident.row.antenna
            )

    async def reference_of(self, incident_id: int | None) -> str | None:
        if incident_id is None:
            return None
        row = await self.storage.incidents.get(incident_id)
        return None if row is None else row.reference

    async def audit_log(
        self, reader: User, *, limit: int = 20, before_id: int | None = None
    ) -> list[AuditEntry]:
        """The audit log: an antenna's for its coordinators, everything for admins."""
        if reader.role is Role.ADMIN:
            antenna = None
        elif reader.role is Role.COORDINATOR:
            antenna = reader.antenna or self.default_antenna
        else:
            raise NotAllowed
        return await self.storage.incidents.audit_entries(
            antenna, limit=limit, before_id=before_id
        )

    # Drafts: the guided form (bot/handlers/incidents.py renders it).

    async def start_draft(self, user: User) -> IncidentDraft:
        """A fresh draft (an older one of the person goes, its buttons stale)."""
        self.require()
        if not user.has(Role.VOLUNTEER):
            raise NotAllowed
        now = self.clock.now()
        row = await self.storage.incidents.draft_save(
            user.id, user.antenna or self.default_antenna, secrets.token_hex(4), now
        )
        draft = IncidentDraft(row.id, row.nonce, row.antenna)
        await self.save_draft(user, draft)
        return draft

    async def draft_of(self, user: User) -> IncidentDraft | None:
        """The person's draft, if they have one (and may still write reports)."""
        self.require()
        if not user.has(Role.VOLUNTEER):
            raise NotAllowed
        row = await self.storage.incidents.draft_of(user.id)
        if row is None:
            return None
        return IncidentDraft.from_json(row, self._open(row.sealed, draft_where(row.id)))

    async def pressed_draft(self, user: User, draft_id: int, nonce: str) -> IncidentDraft:
        """The draft a pressed button names: the caller's own current one, or a refusal."""
        draft = await self.draft_of(user)
        if draft is None or draft.id != draft_id or draft.nonce != nonce:
            raise DomainError("incident_draft_gone")
        return draft

    async def save_draft(self, user: User, draft: IncidentDraft) -> IncidentDraft:
        """Seal and store the draft, and open (or end) the typed wait its step needs."""
        await self.storage.incidents.draft_update(
            draft.id,
            draft.nonce,
            self._seal(draft.to_json(), draft_where(draft.id)),
            self.clock.now(),
        )
        if draft.step in TYPED_STEPS:
            await self.waits.open(user.id, WAIT_PURPOSE, WAIT_LIFE, draft=draft.id)
        else:
            await self.waits.end(user.id, WAIT_PURPOSE, draft=draft.id)
        return draft

    async def typing_draft(self, user: User) -> IncidentDraft | None:
        """The draft whose typed answer the person's next text is, if any."""
        if self._sealer is None or not user.has(Role.VOLUNTEER):
            return None
        wait = await self.waits.waiting_for(user.id, WAIT_PURPOSE)
        if wait is None:
            return None
        draft = await self.draft_of(user)
        if draft is None or draft.id != wait.details.get("draft"):
            return None
        return draft if draft.step in TYPED_STEPS else None

    async def cancel(self, user: User, draft: IncidentDraft) -> None:
        await self.waits.end(user.id, WAIT_PURPOSE, draft=draft.id)
        await self.storage.incidents.draft_delete(draft.id)

    def _advance(self, draft: IncidentDraft, following: str) -> None:
        """Go on to `following`; an edit from the review goes back there once its section
        (when, where, people with minors and injuries, description, media) is answered."""
        if draft.editing and following in SECTION_STARTS:
            following = "review"
        draft.step = following
        if following == "review":
            draft.editing = False

    def _now_local(self) -> datetime:
        return self.clock.now().astimezone(self.tz)

    def _past(self, moment: datetime) -> datetime:
        if moment > self.clock.now():
            raise DomainError("incident_future")
        return moment

    def answer(  # noqa: PLR0912 -- one branch per step and answer reads as the form
        self, draft: IncidentDraft, step: str, value: str
    ) -> IncidentDraft:
        """Apply a pressed answer to the draft's current step (nothing stored yet)."""
        if step != draft.step:
            raise DomainError("already_answered")
        if step == "kind" and value in KINDS:
            draft.kind = value
            self._advance(draft, "when")
        elif step == "when" and value == "now":
            draft.occurred_at = self.clock.now()
            self._advance(draft, "where")
        elif step == "when" and value in ("today", "date"):
            draft.step = "when_time" if value == "today" else "when_date"
        elif step == "where" and value.isdigit():
            draft.details.place_id = int(value)
            draft.details.place_text = None
            draft.details.latitude = draft.details.longitude = None
            self._advance(draft, "people")
        elif step == "people" and value.isdigit() and 0 < int(value) <= MAX_PEOPLE:
            draft.details.people = int(value)
            self._advance(draft, "minors")
        elif step in ("minors", "injuries") and value in ("0", "1"):
            setattr(draft.details, step, value == "1")
            self._advance(draft, "injuries" if step == "minors" else "description")
        elif step == "description" and value == DONE:
            if not draft.details.description:
                raise DomainError("incident_description_empty")
            self._advance(draft, "media")
        elif step == "media" and value == DONE:
            self._advance(draft, "review")
        elif step == "review" and value in EDITABLE:
            draft.editing = True
            draft.step = EDITABLE[value]
            if value == "description":
                draft.details.description = []
            elif value == "media":
                draft.details.media = []
        elif step == "review" and value == CONFIRM:
            draft.step = "consent"
        else:
            raise DomainError("stale_button")
        return draft

    def typed(self, draft: IncidentDraft, text: str) -> IncidentDraft:
        """Apply typed text to the draft's current step (nothing stored yet)."""
        text = text.strip()
        if draft.step == "when_time":
            clock = parse_clock(text)
            moment = last_occurrence(clock, self.clock.now(), self.tz, EARLIER_TODAY)
            if moment is None:
                raise DomainError("incident_future")
            draft.occurred_at = moment
            self._advance(draft, "where")
        elif draft.step == "when_date":
            draft.occurred_at = self._past(self._date_time(text))
            self._advance(draft, "where")
        elif draft.step == "where":
            if not text or len(text) > 300:
                raise DomainError("incident_place_length")
            draft.details.place_text = text
            draft.details.place_id = None
            draft.details.latitude = draft.details.longitude = None
            self._advance(draft, "people")
        elif draft.step == "people":
            # "²" is a digit to str.isdigit(), not to int(): decimal digits only.
            digits = numeric(text).strip()
            if not digits.isdecimal() or len(digits) > 9 or not 0 < int(digits) <= MAX_PEOPLE:
                raise DomainError("incident_people", most=MAX_PEOPLE)
            draft.details.people = int(digits)
            self._advance(draft, "minors")
        elif draft.step in ("description", "review"):
            if not text:
                raise DomainError("incident_description_empty")
            if len(draft.details.description) >= MAX_PARTS:
                raise DomainError("incident_description_full", most=MAX_PARTS)
            draft.details.description.append(text[:MAX_PART])
        else:
            raise DomainError("stale_button")
        return draft

    def _date_time(self, text: str) -> datetime:
        """ "28/11 14:30", "2026-11-28 14:30": a day and time in the past."""
        day_text, _, clock_text = numeric(text).strip().rpartition(" ")
        if not day_text:
            raise DomainError("bad_date", value=text)
        today = self._now_local().date()
        # A day without a year is the latest one not after today: parse_date rolls "02/12"
        # forward from the day it is given, so it is given a year ago.
        day: date = parse_date(day_text.strip(), today - timedelta(days=365))
        return at_local(day, parse_clock(clock_text), self.tz)

    def located(self, draft: IncidentDraft, latitude: float, longitude: float) -> IncidentDraft:
        if draft.step != "where":
            raise DomainError("stale_button")
        draft.details.latitude, draft.details.longitude = latitude, longitude
        draft.details.place_id = None
        draft.details.place_text = None
        self._advance(draft, "people")
        return draft

    def media_added(
        self, draft: IncidentDraft, kind: str, file_id: str, caption: str | None = None
    ) -> IncidentDraft:
        """A photo or video, at any step (it goes with the media; its caption, testimony too,
        with the description). At the description step, the description is taken as done."""
        if len(draft.details.media) >= MAX_MEDIA:
            raise DomainError("incident_media_full", most=MAX_MEDIA)
        caption = (caption or "").strip()
        if caption and len(draft.details.description) >= MAX_PARTS:
            raise DomainError("incident_description_full", most=MAX_PARTS)
        draft.details.media.append((kind, file_id))
        if caption:
            draft.details.description.append(caption[:MAX_PART])
        if draft.step == "description" and draft.details.description:
            # Photos after the text: the description is taken as done.
            self._advance(draft, "media")
        return draft

    async def confirm(
        self, user: User, draft: IncidentDraft, *, name_reporter: bool
    ) -> IncidentRow:
        """File the draft as a report and drop the draft (one transaction: the caller's)."""
        if draft.step != "consent" or draft.kind is None or draft.occurred_at is None:
            raise DomainError("stale_button")
        row = await self.file(
            user,
            kind=draft.kind,
            occurred_at=draft.occurred_at,
            details=draft.details,
            name_reporter=name_reporter,
            antenna=draft.antenna,
        )
        await self.cancel(user, draft)
        return row
