"""Incident reports at rest (issue 11): sealed, bound to their row, keyed, rotated, audited."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.services.errors import DomainError
from bot.services.incidents import (
    MISSING,
    READY,
    WRONG,
    IncidentDetails,
    IncidentService,
    incident_where,
)
from bot.services.sealing import KeyFormatError, Sealer, SealError, new_key, parse_key
from bot.storage import Storage
from bot.storage.models import Role, User
from tests.helpers.clock import FakeClock

TZ = ZoneInfo("Europe/Paris")
KEY = new_key()
WORDS = ("Zanzibarquoise", "Quetzalpommier", "Moussaillonade")


def service(storage: Storage, clock: FakeClock, key: str | None = KEY) -> IncidentService:
    return IncidentService(storage, clock, TZ, key, "calais")


async def member(storage: Storage, clock: FakeClock, user_id: int, role: Role) -> User:
    await storage.users.touch(user_id, "en", clock.now())
    await storage.users.set_role(user_id, role, antenna="calais")
    user = await storage.users.get(user_id)
    assert user is not None
    return user


def read_both(path: Path, wal: Path | None) -> bytes:
    """The raw bytes of the database file and of its write-ahead log (which must exist)."""
    if wal is not None:
        assert wal.exists()
    return path.read_bytes() + (wal.read_bytes() if wal is not None else b"")


def details(text: str = "Three tents slashed near the bridge") -> IncidentDetails:
    return IncidentDetails(
        place_text="Rue des Verrotières",
        latitude=50.95,
        longitude=1.87,
        people=4,
        minors=True,
        injuries=False,
        description=[text, "second message"],
        media=[("photo", "AgACAgQAAxkBAAIB"), ("video", "BAACAgQAAxkBAAIC")],
    )


def test_a_sealed_value_opens_only_with_its_key_and_place() -> None:
    sealer = Sealer.from_text(KEY)
    sealed = sealer.seal(b"a description", "incidents:1:details")
    assert b"description" not in sealed
    assert sealer.open(sealed, "incidents:1:details") == b"a description"
    with pytest.raises(SealError):
        Sealer.from_text(new_key()).open(sealed, "incidents:1:details")
    with pytest.raises(SealError):
        sealer.open(sealed, "incidents:2:details")
    tampered = bytearray(sealed)
    tampered[-20] ^= 0x01
    with pytest.raises(SealError):
        sealer.open(bytes(tampered), "incidents:1:details")
    with pytest.raises(SealError):
        sealer.open(b"\x01short", "incidents:1:details")
    # Two seals of the same text differ (a fresh nonce each time).
    assert sealer.seal(b"x", "w") != sealer.seal(b"x", "w")


@pytest.mark.parametrize("text", ["", "short", "!!!!" * 11, new_key()[:-4], "é" * 44])
def test_malformed_keys_are_refused(text: str) -> None:
    with pytest.raises(KeyFormatError):
        parse_key(text)
    assert len(parse_key(new_key())) == 32
    assert repr(Sealer.from_text(KEY)) == "Sealer(<key>)"


async def test_round_trip_through_storage_and_audit(storage: Storage, clock: FakeClock) -> None:
    incidents = service(storage, clock)
    assert await incidents.check_key() == READY
    reporter = await member(storage, clock, 10, Role.VOLUNTEER)
    row = await incidents.file(
        reporter,
        kind="eviction",
        occurred_at=clock.now() - timedelta(hours=1),
        details=details(),
        name_reporter=True,
    )
    assert row.reference == "INC-2026-0001"
    assert row.name_reporter
    second = await incidents.file(
        reporter, kind="other", occurred_at=clock.now(), details=details(), name_reporter=False
    )
    assert second.reference == "INC-2026-0002"
    coordinator = await member(storage, clock, 20, Role.COORDINATOR)
    report = await incidents.read(coordinator, row.id)
    assert report.details == details()
    assert report.row.kind == "eviction"
    entries = await incidents.audit_log(coordinator)
    actions = [(e.actor_id, e.action, e.incident_id) for e in entries]
    assert actions == [(20, "read", row.id), (10, "create", second.id), (10, "create", row.id)]


async def test_only_the_entitled_read_a_report(storage: Storage, clock: FakeClock) -> None:
    incidents = service(storage, clock)
    await incidents.check_key()
    reporter = await member(storage, clock, 10, Role.VOLUNTEER)
    row = await incidents.file(
        reporter, kind="police", occurred_at=clock.now(), details=details(), name_reporter=False
    )
    other = await member(storage, clock, 11, Role.VOLUNTEER)
    public = await member(storage, clock, 12, Role.PUBLIC)
    elsewhere = await member(storage, clock, 13, Role.COORDINATOR)
    await storage.users.set_role(13, Role.COORDINATOR, antenna="grande-synthe")
    elsewhere = await storage.users.get(13)
    assert elsewhere is not None
    for reader in (other, public, elsewhere):
        with pytest.raises(DomainError) as refused:
            await incidents.read(reader, row.id)
        assert refused.value.code == "not_allowed"
    legal = await member(storage, clock, 14, Role.LEGAL)
    assert (await incidents.read(legal, row.id)).details.people == 4
    assert (await incidents.read(reporter, row.id)).row.id == row.id
    with pytest.raises(DomainError):
        await incidents.read(legal, row.id + 100)
    for reader in (reporter, other, legal):
        with pytest.raises(DomainError):
            await incidents.audit_log(reader)


async def test_a_missing_key_refuses(storage: Storage, clock: FakeClock) -> None:
    incidents = service(storage, clock, None)
    assert await incidents.check_key() == MISSING
    reporter = await member(storage, clock, 10, Role.VOLUNTEER)
    with pytest.raises(DomainError) as refused:
        await incidents.start_draft(reporter)
    assert refused.value.code == "incident_key_missing"
    assert await storage.incidents.count() == 0


async def test_a_wrong_key_is_detected_and_refused(storage: Storage, clock: FakeClock) -> None:
    first = service(storage, clock)
    assert await first.check_key() == READY
    reporter = await member(storage, clock, 10, Role.VOLUNTEER)
    await first.file(
        reporter, kind="sea", occurred_at=clock.now(), details=details(), name_reporter=False
    )
    canary = await storage.meta.get("incident_canary")
    second = service(storage, clock, new_key())
    assert await second.check_key() == WRONG
    with pytest.raises(DomainError) as refused:
        await second.file(
            reporter, kind="sea", occurred_at=clock.now(), details=details(), name_reporter=False
        )
    assert refused.value.code == "incident_key_wrong"
    # Nothing written under the second key, the canary untouched.
    assert await storage.incidents.count() == 1
    assert await storage.meta.get("incident_canary") == canary
    assert await service(storage, clock, "not a key").check_key() == WRONG


async def test_data_without_a_canary_is_not_guessed(storage: Storage, clock: FakeClock) -> None:
    incidents = service(storage, clock)
    await incidents.check_key()
    reporter = await member(storage, clock, 10, Role.VOLUNTEER)
    await incidents.file(
        reporter, kind="sea", occurred_at=clock.now(), details=details(), name_reporter=False
    )
    await storage.db.execute("DELETE FROM meta WHERE key = 'incident_canary'")
    assert await service(storage, clock, new_key()).check_key() == WRONG


async def test_tampered_and_swapped_ciphertexts_are_refused(
    storage: Storage, clock: FakeClock
) -> None:
    incidents = service(storage, clock)
    await incidents.check_key()
    reporter = await member(storage, clock, 10, Role.VOLUNTEER)
    one = await incidents.file(
        reporter,
        kind="police",
        occurred_at=clock.now(),
        details=details("one"),
        name_reporter=False,
    )
    two = await incidents.file(
        reporter,
        kind="police",
        occurred_at=clock.now(),
        details=details("two"),
        name_reporter=False,
    )
    # Row two's sealed details copied into row one: they do not open there.
    await storage.db.execute(
        "UPDATE incidents SET sealed = (SELECT sealed FROM incidents WHERE id = ?) WHERE id = ?",
        (two.id, one.id),
    )
    with pytest.raises(DomainError) as refused:
        await incidents.read(reporter, one.id)
    assert refused.value.code == "incident_unreadable"
    sealed = bytearray((await storage.incidents.get(two.id)).sealed)  # type: ignore[union-attr]
    sealed[20] ^= 0x80
    await storage.incidents.set_sealed(two.id, bytes(sealed))
    with pytest.raises(DomainError):
        await incidents.read(reporter, two.id)


async def test_rotation_reseals_everything_in_one_go(storage: Storage, clock: FakeClock) -> None:
    old_key, fresh = KEY, new_key()
    incidents = service(storage, clock, old_key)
    await incidents.check_key()
    reporter = await member(storage, clock, 10, Role.VOLUNTEER)
    row = await incidents.file(
        reporter, kind="teargas", occurred_at=clock.now(), details=details(), name_reporter=False
    )
    draft = await incidents.start_draft(reporter)
    draft.details.description.append("draft words")
    await incidents.save_draft(reporter, draft)
    assert await incidents.rotate(fresh) == (1, 1)
    # The old key no longer opens anything; the new one opens all, data intact.
    assert await service(storage, clock, old_key).check_key() == WRONG
    with pytest.raises(SealError):
        Sealer.from_text(old_key).open(
            (await storage.incidents.get(row.id)).sealed,  # type: ignore[union-attr]
            incident_where(row.id),
        )
    rotated = service(storage, clock, fresh)
    assert await rotated.check_key() == READY
    assert (await rotated.read(reporter, row.id)).details == details()
    resumed = await rotated.draft_of(reporter)
    assert resumed is not None
    assert resumed.details.description == ["draft words"]
    assert [e.action for e in await storage.incidents.audit_entries(None, limit=9)][1] == (
        "rotate_key"
    )


async def test_a_failed_rotation_changes_nothing(storage: Storage, clock: FakeClock) -> None:
    incidents = service(storage, clock)
    await incidents.check_key()
    reporter = await member(storage, clock, 10, Role.VOLUNTEER)
    one = await incidents.file(
        reporter, kind="police", occurred_at=clock.now(), details=details(), name_reporter=False
    )
    two = await incidents.file(
        reporter, kind="police", occurred_at=clock.now(), details=details(), name_reporter=False
    )
    await storage.incidents.set_sealed(two.id, b"\x01" + b"0" * 40)
    before = (await storage.incidents.get(one.id)).sealed  # type: ignore[union-attr]
    with pytest.raises(DomainError):
        await incidents.rotate(new_key())
    assert (await storage.incidents.get(one.id)).sealed == before  # type: ignore[union-attr]
    assert await service(storage, clock).check_key() == READY


async def test_the_audit_log_is_append_only(storage: Storage, clock: FakeClock) -> None:
    await storage.incidents.audit(clock.now(), 1, "read", incident_id=1, antenna="calais")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await storage.db.execute("UPDATE incident_audit SET action = 'nothing'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await storage.db.execute("DELETE FROM incident_audit")
    assert len(await storage.incidents.audit_entries(None, limit=5)) == 1


async def test_a_forgotten_reporter_leaves_the_report_and_the_log(
    storage: Storage, clock: FakeClock
) -> None:
    incidents = service(storage, clock)
    await incidents.check_key()
    reporter = await member(storage, clock, 10, Role.VOLUNTEER)
    row = await incidents.file(
        reporter, kind="police", occurred_at=clock.now(), details=details(), name_reporter=False
    )
    await storage.incidents.draft_save(10, "calais", "n", clock.now())
    await storage.db.execute("DELETE FROM users WHERE id = 10")
    kept = await storage.incidents.get(row.id)
    assert kept is not None
    assert kept.reporter_id is None
    assert await storage.incidents.draft_of(10) is None
    assert len(await storage.incidents.audit_entries(None, limit=5)) == 1


async def test_the_database_file_reveals_no_word_of_a_report(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "raw.sqlite3"
    storage = Storage(path)
    await storage.open()
    incidents = service(storage, clock)
    await incidents.check_key()
    reporter = await member(storage, clock, 10, Role.VOLUNTEER)
    report = IncidentDetails(
        place_text=f"{WORDS[1]} corner",
        people=3,
        description=[f"{WORDS[0]} happened", f"then {WORDS[2]}"],
        media=[("photo", "AgACQuetzalpommierPhoto")],
    )
    await incidents.file(
        reporter, kind="police", occurred_at=clock.now(), details=report, name_reporter=False
    )
    draft = await incidents.start_draft(reporter)
    draft.details.description.append(f"{WORDS[0]} in a draft")
    await incidents.save_draft(reporter, draft)
    wal = Path(f"{path}-wal")
    # The words would be in the WAL first: it is read before any checkpoint.
    raw = read_both(path, wal)
    for word in (*WORDS, "happened", "corner"):
        for encoded in (word.encode("utf-8"), word.encode("utf-16-le")):
            assert encoded not in raw, word
    assert b"INC-2026-0001" in raw  # the reading is real: what is not sealed is found
    await storage.close()
    # Checkpointed into the main file as well.
    raw = read_both(path, None)
    assert not any(word.encode() in raw for word in WORDS)


async def test_drafts_left_for_a_week_are_pruned(storage: Storage, clock: FakeClock) -> None:
    incidents = service(storage, clock)
    await incidents.check_key()
    old = await member(storage, clock, 10, Role.VOLUNTEER)
    recent = await member(storage, clock, 11, Role.VOLUNTEER)
    await incidents.start_draft(old)
    clock.advance(days=6)
    draft = await incidents.start_draft(recent)
    clock.advance(days=2)
    await incidents.save_draft(recent, draft)
    assert await storage.incidents.drafts_prune(clock.now() - timedelta(days=7)) == 1
    assert await storage.incidents.draft_of(10) is None
    assert await storage.incidents.draft_of(11) is not None


async def test_an_export_opens_the_period_for_the_entitled_and_audits_each(
    storage: Storage, clock: FakeClock
) -> None:
    incidents = service(storage, clock)
    await incidents.check_key()
    reporter = await member(storage, clock, 10, Role.VOLUNTEER)
    first = await incidents.file(
        reporter,
        kind="police",
        occurred_at=clock.now() - timedelta(days=40),
        details=details("old"),
        name_reporter=True,
    )
    second = await incidents.file(
        reporter, kind="sea", occurred_at=clock.now(), details=details("new"), name_reporter=False
    )
    legal = await member(storage, clock, 14, Role.LEGAL)
    records = await incidents.for_export(legal, since=None, until=None)
    assert [r.id for r in records] == [first.id, second.id]  # oldest event first
    assert records[0].details.description[0] == "old"
    recent = await incidents.for_export(legal, since=clock.now() - timedelta(days=1), until=None)
    assert [r.id for r in recent] == [second.id]
    exported = [
        e
        for e in await incidents.audit_log(await member(storage, clock, 20, Role.COORDINATOR))
        if e.action == "export"
    ]
    assert len(exported) == 3
    for reader in (reporter, await member(storage, clock, 12, Role.PUBLIC)):
        with pytest.raises(DomainError):
            await incidents.for_export(reader, since=None, until=None)


@pytest.mark.parametrize(
    ("now", "typed", "expected"),
    [
        # Autumn night: at 02:20 the second time (01:20 UTC), "02:10" is ten minutes ago.
        ("2026-10-25T01:20:00+00:00", "02:10", "2026-10-25T01:10:00+00:00"),
        # ... and at 02:20 the first time, the only 02:10 yet.
        ("2026-10-25T00:20:00+00:00", "02:10", "2026-10-25T00:10:00+00:00"),
        # Spring night: 02:30 never showed; the instant after the gap stands for it.
        ("2027-03-28T02:30:00+00:00", "02:30", "2027-03-28T01:00:00+00:00"),
        # At 01:30 in Paris, "earlier today at 23:40" is last evening, not refused.
        ("2026-12-02T00:30:00+00:00", "23:40", "2026-12-01T22:40:00+00:00"),
        ("2027-03-28T00:30:00+00:00", "23:40", "2027-03-27T22:40:00+00:00"),
    ],
)
async def test_earlier_today_on_the_nights_the_clocks_change_and_after_midnight(
    storage: Storage, now: str, typed: str, expected: str
) -> None:
    clock = FakeClock(datetime.fromisoformat(now))
    incidents = service(storage, clock)
    await incidents.check_key()
    user = await member(storage, clock, 10, Role.VOLUNTEER)
    draft = await incidents.start_draft(user)
    draft.step = "when_time"
    draft = incidents.typed(draft, typed)
    assert draft.occurred_at is not None
    assert draft.occurred_at.isoformat() == expected
    assert draft.step == "where"


@pytest.mark.parametrize("typed", ["22:30", "21:01"])
async def test_earlier_today_refuses_a_time_to_come(storage: Storage, typed: str) -> None:
    clock = FakeClock()  # 21:00 in Paris
    incidents = service(storage, clock)
    await incidents.check_key()
    user = await member(storage, clock, 10, Role.VOLUNTEER)
    draft = await incidents.start_draft(user)
    draft.step = "when_time"
    with pytest.raises(DomainError) as raised:
        incidents.typed(draft, typed)
    assert raised.value.code == "incident_future"
