"""The quick-form parser, the catalogue's matching, time slots and report arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.catalogue import load_content, normalize
from bot.services.distributions import DistributionService, parse_quantity
from bot.services.errors import DomainError
from bot.services.reports import ReportService, parse_period
from bot.storage import Storage
from bot.storage.models import Role, User
from tests.helpers.clock import FakeClock

PARIS = ZoneInfo("Europe/Paris")
SLOTS = (time(7), time(18), time(22))


@pytest.fixture
async def service(storage: Storage, clock: FakeClock) -> DistributionService:
    distributions = DistributionService(storage, clock, PARIS, SLOTS, "calais")
    await distributions.load()
    return distributions


async def volunteer(storage: Storage, clock: FakeClock, user_id: int = 1) -> User:
    await storage.users.touch(user_id, "fr", clock.now())
    await storage.users.set_role(user_id, Role.VOLUNTEER, antenna="calais")
    user = await storage.users.get(user_id)
    assert user is not None
    return user


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("40", 40),
        ("٤٠", 40),
        ("۴۰", 40),
        ("40x", 40),
        ("10000", 10000),
        ("0", None),
        ("-3", None),
        ("1e9", None),
        ("2.5", None),
        ("forty", None),
        ("10001", None),
    ],
)
def test_quantities(text: str, expected: int | None) -> None:
    assert parse_quantity(text) == expected


def test_every_shipped_locale_names_every_item() -> None:
    items, _ = load_content()
    locales = {"fr", "en", "ar", "ps", "fa", "ti", "am", "ckb", "vi", "so"}
    for item in items:
        assert set(item["names"]) == locales, item["code"]


async def test_each_locales_display_names_find_their_item(service: DistributionService) -> None:
    items, _ = load_content()
    for item in items:
        for locale, names in item["names"].items():
            for name in names:
                assert service.catalogue.match_item(name).unique == item["code"], (locale, name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("40 blankets", [("blankets", 40)]),
        ("blankets 40", [("blankets", 40)]),
        ("40 Couvertures, 25 THÉ", [("blankets", 40), ("tea", 25)]),
        ("40 couverture; 25 tea", [("blankets", 40), ("tea", 25)]),
        ("3 sacs de couchage and 2 tentes", [("sleeping_bags", 3), ("tents", 2)]),
        ("12 bache", [("tarpaulins", 12)]),
        ("٤٠ بطانيات", [("blankets", 40)]),
        ("٤٠ بطانيات، ٢٥ شاي", [("blankets", 40), ("tea", 25)]),  # the Arabic comma
    ],
)
async def test_quick_lines_in_any_language(
    service: DistributionService, text: str, expected: list[tuple[str, int]]
) -> None:
    quick = service.parse_quick(text, "calais")
    assert quick.complete
    assert [(line.item, line.quantity) for line in quick.lines] == expected


async def test_a_place_after_at(service: DistributionService) -> None:
    quick = service.parse_quick("40 blankets @ Fort Nieulay", "calais")
    assert quick.place_id is not None
    assert service.catalogue.places[quick.place_id].name == "Fort-Nieulay"
    unknown = service.parse_quick("40 blankets @ Atlantis", "calais")
    assert unknown.place_unresolved
    assert not unknown.complete


@pytest.mark.parametrize(
    "text", ["0 blankets", "-3 blankets", "1e9 blankets", "forty blankets", "blankets", "2.5 wood"]
)
async def test_bad_quantities_are_caught(service: DistributionService, text: str) -> None:
    quick = service.parse_quick(text, "calais")
    assert quick.bad_quantities
    assert not quick.complete


async def test_unknown_names_get_suggestions_never_a_guess(service: DistributionService) -> None:
    quick = service.parse_quick("40 blanketz", "calais")
    line = quick.lines[0]
    assert line.item is None
    assert line.problem == "unknown_item"
    assert "blankets" in line.suggestions
    nothing = service.parse_quick("40 zzzzzz", "calais")
    assert nothing.lines[0].suggestions == []


def test_normalization() -> None:
    assert normalize("Couvertures") == normalize("couverture")
    assert normalize("BÂCHE") == normalize("bache")
    assert normalize("أغطية") == normalize("اغطيه")
    assert normalize("کتاب") == normalize("كتاب")


def test_time_slots_follow_the_local_clock(service: DistributionService) -> None:
    at = datetime(2026, 12, 1, tzinfo=UTC)
    assert service.slot_at(at.replace(hour=8)) == "day"  # 09:00 Paris
    assert service.slot_at(at.replace(hour=17)) == "evening"  # 18:00 Paris
    assert service.slot_at(at.replace(hour=21)) == "night"  # 22:00 Paris
    assert service.slot_at(at.replace(hour=5)) == "night"  # 06:00 Paris


async def test_a_pressed_button_logs_once(
    service: DistributionService, storage: Storage, clock: FakeClock
) -> None:
    user = await volunteer(storage, clock)
    first = await service.log(user, [("blankets", 40)], None, "abc123")
    again = await service.log(user, [("blankets", 40)], None, "abc123")
    assert not first.duplicate
    assert again.duplicate
    assert [row.id for row in again.rows] == [row.id for row in first.rows]
    total = await storage.db.fetch_value("SELECT SUM(quantity) FROM distributions")
    assert total == 40


async def test_undo_within_15_minutes_only(
    service: DistributionService, storage: Storage, clock: FakeClock
) -> None:
    user = await volunteer(storage, clock)
    await service.log(user, [("blankets", 40), ("tea", 25)], None)
    clock.advance(minutes=14)
    removed = await service.undo(user)
    assert {row.item_code for row in removed} == {"blankets", "tea"}
    await service.log(user, [("water", 30)], None)
    clock.advance(minutes=16)
    with pytest.raises(DomainError) as caught:
        await service.undo(user)
    assert caught.value.code == "undo_too_late"


async def test_a_log_during_a_shift_is_linked_to_it(
    service: DistributionService, storage: Storage, clock: FakeClock
) -> None:
    user = await volunteer(storage, clock)
    shift = await storage.shifts.start(user.id, "calais", "maraude", clock.now(), None, None)
    logged = await service.log(user, [("meals", 80)], None)
    assert logged.rows[0].shift_id == shift.id
    assert await service.during_shift(shift.id) == [("meals", 80)]


async def test_report_arithmetic(
    service: DistributionService, storage: Storage, clock: FakeClock
) -> None:
    ana = await volunteer(storage, clock, 1)
    bob = await volunteer(storage, clock, 2)
    place = service.parse_quick("1 tea @ Marck", "calais").place_id
    await service.log(ana, [("blankets", 40), ("tea", 25)], place)  # 21:00: evening
    clock.advance(hours=2)
    await service.log(bob, [("blankets", 10)], None)  # 23:00: night
    clock.advance(hours=1)
    undone = await service.log(bob, [("blankets", 1000)], None)
    await service.undo(bob)
    assert undone.rows
    await storage.users.touch(9, None, clock.now())
    await storage.users.set_role(9, Role.COORDINATOR, antenna="calais")
    coordinator = await storage.users.get(9)
    assert coordinator is not None
    reports = ReportService(storage, clock, PARIS, "calais")
    built = await reports.report(coordinator, "2026-12")
    assert [(t.key, t.quantity) for t in built.items] == [("blankets", 50), ("tea", 25)]
    assert {t.key: t.logs for t in built.slots} == {"evening": 1, "night": 1}
    assert {t.key: t.logs for t in built.places} == {str(place): 1, "": 1}
    empty = await reports.report(coordinator, "2026-11")
    assert empty.items == []


def test_periods() -> None:
    now = datetime(2026, 12, 10, 12, tzinfo=UTC)  # a Thursday
    week = parse_period("week", now, PARIS)
    assert week.first_day.isoformat() == "2026-12-07"
    assert week.until - week.since == timedelta(days=4)
    month = parse_period(None, now, PARIS)
    assert month.since == datetime(2026, 11, 30, 23, tzinfo=UTC)
    assert parse_period("2026-11", now, PARIS).last_day.isoformat() == "2026-11-30"
    span = parse_period("2026-10-20..2026-10-30", now, PARIS)
    # Across the end of summer time the span is one hour longer than 11 days.
    assert span.until - span.since == timedelta(days=11, hours=1)
    for bad in ("yesterday", "2026-13", "2026-12-10..2026-12-01", "2020-01-01..2026-01-01"):
        with pytest.raises(DomainError):
            parse_period(bad, now, PARIS)


async def test_nonces_belong_to_each_person(
    service: DistributionService, storage: Storage, clock: FakeClock
) -> None:
    ana = await volunteer(storage, clock, 1)
    bob = await volunteer(storage, clock, 2)
    await service.log(ana, [("blankets", 40)], None, "samecode")
    bobs = await service.log(bob, [("tea", 25)], None, "samecode")  # a chance meeting
    assert not bobs.duplicate
    assert [(row.item_code, row.user_id) for row in bobs.rows] == [("tea", 2)]


async def test_hours_of_people_who_erased_their_data_stay_in_the_report(
    service: DistributionService, storage: Storage, clock: FakeClock
) -> None:
    ana = await volunteer(storage, clock, 1)
    await storage.shifts.start(ana.id, "calais", "maraude", clock.now(), None, None)
    running = await storage.shifts.running(ana.id)
    assert running is not None
    await storage.shifts.end(running.id, clock.now() + timedelta(hours=4))
    await storage.users.delete(ana.id)
    await storage.users.touch(9, None, clock.now())
    await storage.users.set_role(9, Role.COORDINATOR, antenna="calais")
    coordinator = await storage.users.get(9)
    assert coordinator is not None
    built = await ReportService(storage, clock, PARIS, "calais").report(coordinator, "month")
    assert built.hours.total == timedelta(hours=4)
    assert built.volunteers == 0


async def test_logs_saved_before_daily_totals_are_backfilled(
    service: DistributionService, storage: Storage, clock: FakeClock
) -> None:
    user = await volunteer(storage, clock)
    await service.log(user, [("blankets", 7)], None)
    # As if saved by a version without daily totals: no day, no totals.
    await storage.db.execute("UPDATE distributions SET day = NULL")
    await storage.db.execute("DELETE FROM distribution_item_days")
    await storage.db.execute("DELETE FROM distribution_log_days")
    assert await service.backfill_days() == 1
    assert await service.backfill_days() == 0
    totals = await storage.distributions.totals("item", "calais", "2026-12-01", "2026-12-01")
    assert [(t.key, t.quantity) for t in totals] == [("blankets", 7)]
