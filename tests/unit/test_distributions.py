"""The quick-form parser, the catalogue's matching, time slots and report arithmetic."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import SHIPPED_LOCALES
from bot.services.catalogue import load_content, normalize
from bot.services.distributions import MAX_LINES, DistributionService, QuickLog, parse_quantity
from bot.services.errors import DomainError
from bot.services.reports import ReportService, parse_period
from bot.storage import Storage
from bot.storage.database import available_migrations
from bot.storage.distributions import RECENT_PLACES_KEPT
from bot.storage.models import Role, User
from tests.helpers.clock import FakeClock
from tests.helpers.plans import query_plans

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
    for item in items:
        assert set(item["names"]) == set(SHIPPED_LOCALES), item["code"]


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
    # Yesterday, last week and last month are periods now, in French too (issue 9, point 5).
    assert parse_period("hier", now, PARIS).first_day.isoformat() == "2026-12-09"
    last_week = parse_period("semaine dernière", now, PARIS)
    assert (last_week.first_day.isoformat(), last_week.last_day.isoformat()) == (
        "2026-11-30",
        "2026-12-06",
    )
    last_month = parse_period("le mois dernier", now, PARIS)
    assert (last_month.first_day.isoformat(), last_month.last_day.isoformat()) == (
        "2026-11-01",
        "2026-11-30",
    )
    assert parse_period("٢٠٢٦-١١", now, PARIS).last_day.isoformat() == "2026-11-30"
    for bad in ("fortnight", "2026-13", "2026-12-10..2026-12-01", "2020-01-01..2026-01-01"):
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


# --- the guided form's reads: small tables kept beside the logs (issue 7, defect 9) ---------


async def calais_places(service: DistributionService, storage: Storage, count: int) -> list[int]:
    """At least `count` places in Calais (the content has five)."""
    now = datetime(2026, 11, 1, tzinfo=UTC)
    for number in range(count):
        await storage.catalogue.upsert_place(
            "calais", f"spot-{number}", f"Spot {number:02}", [], None, None, now
        )
    await service.reindex()
    return [place.id for place in service.catalogue.places_of("calais")]


async def test_a_guided_tap_never_reads_a_month_of_logs(
    service: DistributionService, storage: Storage, clock: FakeClock
) -> None:
    """Each step reads daily totals or the person's few recent places, by their keys."""
    places = await calais_places(service, storage, 0)
    users = [await volunteer(storage, clock, user_id) for user_id in (1, 2, 3)]
    for day in range(40):
        for index, user in enumerate(users):
            place = places[(day + index) % len(places)]
            await service.log(user, [("blankets", 5), ("tea", day + 1)], place)
        clock.advance(hours=23)
    user = users[0]
    steps = {
        "items": await query_plans(storage, lambda: service.items_for(user)),
        "last log": await query_plans(storage, lambda: service.last_log(user)),
        "places": await query_plans(storage, lambda: service.places_for(user)),
        "save": await query_plans(
            storage, lambda: service.log(user, [("water", 3)], places[0], "n0nce")
        ),
        "undo": await query_plans(storage, lambda: service.undo(user)),
    }
    shown = "\n".join(
        f"{step}: {' '.join(sql.split()[:6])} → {'; '.join(details)}"
        for step, plans in steps.items()
        for sql, details in plans
    )
    details = {step: [d for _, ds in plans for d in ds] for step, plans in steps.items()}
    # The readings of steps 1 and 3 do not touch the logs at all.
    assert details["items"] == [
        "SEARCH distribution_item_days USING PRIMARY KEY (antenna=? AND day>?)",
        "USE TEMP B-TREE FOR GROUP BY",
        "USE TEMP B-TREE FOR ORDER BY",
    ], shown
    assert details["places"] == [
        "SEARCH recent_places USING PRIMARY KEY (user_id=? AND antenna=?)",
        "USE TEMP B-TREE FOR ORDER BY",
        "SEARCH distribution_log_days USING PRIMARY KEY (antenna=? AND day>?)",
        "USE TEMP B-TREE FOR GROUP BY",
        "USE TEMP B-TREE FOR ORDER BY",
    ], shown
    # Nothing any step runs scans a table: every read goes through a key or an index.
    scans = [d for ds in details.values() for d in ds if d.startswith("SCAN")]
    assert scans == [], shown


async def test_recent_places_mine_first_then_the_team(
    service: DistributionService, storage: Storage, clock: FakeClock
) -> None:
    first, second, third, *others = await calais_places(service, storage, 0)
    ana, bob = await volunteer(storage, clock, 1), await volunteer(storage, clock, 2)
    assert await service.places_for(ana) == [first, second, third, *others][:6]  # no history
    await service.log(bob, [("tea", 5)], third)
    clock.advance(minutes=1)
    await service.log(ana, [("tea", 5)], second)
    clock.advance(minutes=1)
    await service.log(ana, [("tea", 5)], others[0])
    mine_then_team = [others[0], second, third]
    assert (await service.places_for(ana))[:3] == mine_then_team
    # Taken back: the place is no longer recent for Ana nor for the team.
    await service.undo(ana)
    assert (await service.places_for(ana))[:2] == [second, third]
    # A month later, the team's places are old news; Ana's too.
    clock.advance(days=31)
    assert (await service.places_for(ana))[:3] == [first, second, third]


async def test_undo_gives_a_place_back_its_previous_use(
    service: DistributionService, storage: Storage, clock: FakeClock
) -> None:
    first, second, *_ = await calais_places(service, storage, 0)
    ana = await volunteer(storage, clock)
    await service.log(ana, [("tea", 5)], first)
    clock.advance(minutes=1)
    await service.log(ana, [("tea", 5)], second)
    clock.advance(minutes=1)
    await service.log(ana, [("tea", 5)], first)
    await service.undo(ana)  # the second log at `first` only
    rows = await storage.db.fetch_all("SELECT place_id FROM recent_places ORDER BY used_at DESC")
    assert [row[0] for row in rows] == [second, first]


async def test_recent_places_are_few_per_person_and_erased_with_them(
    service: DistributionService, storage: Storage, clock: FakeClock
) -> None:
    places = await calais_places(service, storage, 10)
    ana, bob = await volunteer(storage, clock, 1), await volunteer(storage, clock, 2)
    for place in places:  # fifteen places
        await service.log(ana, [("tea", 1)], place)
        clock.advance(minutes=1)
    await service.log(bob, [("tea", 1)], places[0])
    kept = await storage.db.fetch_all(
        "SELECT place_id FROM recent_places WHERE user_id = 1 ORDER BY used_at DESC"
    )
    assert [row[0] for row in kept] == places[::-1][:RECENT_PLACES_KEPT]
    await storage.users.delete(ana.id)  # what /forget does
    left = await storage.db.fetch_all("SELECT user_id FROM recent_places")
    assert [row[0] for row in left] == [bob.id]


async def test_what_the_form_reads_always_equals_a_rebuild_from_the_logs(
    service: DistributionService, storage: Storage, clock: FakeClock
) -> None:
    places = await calais_places(service, storage, 0)
    users = [await volunteer(storage, clock, user_id) for user_id in (1, 2)]
    for step in range(30):
        user = users[step % 2]
        await service.log(user, [("blankets", step + 1), ("tea", 2)], places[step % 4])
        if step % 7 == 3:
            await service.undo(user)
        clock.advance(hours=5)

    async def derived() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        days = await storage.db.fetch_all(
            "SELECT antenna, day, item_code, quantity, logs FROM distribution_item_days "
            "WHERE logs != 0 OR quantity != 0 ORDER BY 1, 2, 3"
        )
        recent = await storage.db.fetch_all("SELECT * FROM recent_places ORDER BY 1, 2, 3")
        return [tuple(r) for r in days], [tuple(r) for r in recent]

    kept = await derived()
    await storage.distributions.rebuild_days()
    await storage.distributions.rebuild_recent_places()
    assert await derived() == kept
    assert kept[0]
    assert kept[1]


async def test_migration_0008_counts_the_logs_already_saved(tmp_path: Path) -> None:
    """A database from before 0008: its logs give the counts and the recent places."""
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at TEXT NOT NULL)"
        )
        for version, name, script in available_migrations():
            if version < 8:
                old.executescript(script)
                old.execute("INSERT INTO schema_migrations VALUES (?, ?, '')", (version, name))
        old.execute(
            "INSERT INTO users (id, role, antenna, created_at, last_seen_at) "
            "VALUES (1, 'volunteer', 'calais', '', '')"
        )
        old.execute(
            "INSERT INTO places (id, antenna, code, name, created_at) "
            "VALUES (7, 'calais', 'marck', 'Marck', ''), (8, 'calais', 'dunes', 'Dunes', '')"
        )
        logs = [
            ("blankets", 7, "2026-11-30T10:00:00.000000Z", None),
            ("blankets", 8, "2026-11-30T11:00:00.000000Z", None),
            ("tea", 8, "2026-11-30T12:00:00.000000Z", "2026-11-30T12:01:00.000000Z"),
        ]
        for index, (item, place, at, undone) in enumerate(logs):
            old.execute(
                "INSERT INTO distributions (antenna, user_id, item_code, quantity, place_id, "
                "slot, logged_at, batch, undone_at, day) "
                "VALUES ('calais', 1, ?, 10, ?, 'day', ?, ?, ?, '2026-11-30')",
                (item, place, at, f"b{index}", undone),
            )
        old.execute(
            "INSERT INTO distribution_item_days VALUES ('calais', '2026-11-30', 'blankets', 20)"
        )
    storage = Storage(path)
    assert (await storage.open())[0] == "0008_recent_places"
    days = await storage.db.fetch_all(
        "SELECT item_code, quantity, logs FROM distribution_item_days"
    )
    assert [tuple(row) for row in days] == [("blankets", 20, 2)]
    recent = await storage.db.fetch_all("SELECT * FROM recent_places ORDER BY used_at")
    assert [tuple(row) for row in recent] == [
        (1, "calais", 7, "2026-11-30T10:00:00.000000Z"),
        (1, "calais", 8, "2026-11-30T11:00:00.000000Z"),
    ]
    await storage.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Issue 9, point 1: no comma, and "and" in each shipped language.
        ("40 blankets 25 tea", [("blankets", 40), ("tea", 25)]),
        ("40 blankets and 25 tea", [("blankets", 40), ("tea", 25)]),
        ("40 couvertures et 25 thé", [("blankets", 40), ("tea", 25)]),
        ("40 couvertures ET 25 thé + 3 tentes", [("blankets", 40), ("tea", 25), ("tents", 3)]),
        ("٤٠ بطانيات و ٢٥ شاي", [("blankets", 40), ("tea", 25)]),
        ("۴۰ پتو و ۲۵ چای", [("blankets", 40), ("tea", 25)]),
        ("40 chăn và 25 trà", [("blankets", 40), ("tea", 25)]),
        ("40 buste iyo 25 shaah", [("blankets", 40), ("tea", 25)]),
        ("40 ጋቢ እና 25 ሻይ", [("blankets", 40), ("tea", 25)]),
        # Names of several words, with and without separators.
        ("3 sacs de couchage 2 tentes", [("sleeping_bags", 3), ("tents", 2)]),
        ("3 sleeping bags and 2 hygiene kits", [("sleeping_bags", 3), ("hygiene_kits", 2)]),
        # "و" inside a name is part of it: the longest known name wins.
        ("5 جل و بەرگ و 2 چا", [("clothes", 5), ("tea", 2)]),
        # The number after the name, when that reading understands everything.
        ("blankets 40 tea 25", [("blankets", 40), ("tea", 25)]),
        ("sacs de couchage 3", [("sleeping_bags", 3)]),
        # Empty parts and trailing separators.
        ("40 blankets,, 25 tea,", [("blankets", 40), ("tea", 25)]),
        (", ; 40 blankets ، ", [("blankets", 40)]),
        ("40× blankets", [("blankets", 40)]),
        ("40 blankets - 25 tea – 2 tents", [("blankets", 40), ("tea", 25), ("tents", 2)]),
        # A singular from content/items.toml is a name too.
        ("1 piece of clothing", [("clothes", 1)]),
    ],
)
async def test_several_pairs_with_or_without_separators(
    service: DistributionService, text: str, expected: list[tuple[str, int]]
) -> None:
    quick = service.parse_quick(text, "calais")
    assert [(line.item, line.quantity) for line in quick.lines] == expected
    assert quick.complete


async def test_one_part_not_understood_leaves_the_log_incomplete(
    service: DistributionService,
) -> None:
    quick = service.parse_quick("40 blankets 25 teaz, 0 tents", "calais")
    assert [(line.text, line.item, line.quantity) for line in quick.lines] == [
        ("40 blankets", "blankets", 40),
        ("25 teaz", None, 25),
        ("0 tents", "tents", None),
    ]
    assert not quick.complete
    assert quick.merged() == [("blankets", 40)]  # what was understood, only that
    assert quick.next_question is quick.lines[1]
    assert "tea" in quick.lines[1].suggestions


async def test_a_number_alone_lacks_its_item(service: DistributionService) -> None:
    quick = service.parse_quick("40", "calais")
    [line] = quick.lines
    assert (line.quantity, line.item, line.problem) == (40, None, "no_item")
    # Answers apply to that line: the item from the whole list, any catalogue item.
    assert quick.answer("i", "tents", list(service.catalogue.items))
    assert quick.complete
    assert quick.merged() == [("tents", 40)]


async def test_answers_that_answer_nothing_change_nothing(service: DistributionService) -> None:
    items = list(service.catalogue.items)
    quick = service.parse_quick("40 blanketz, forty tea @ Nowhere", "calais")
    before = quick.to_payload()
    assert not quick.answer("i", "gold", items)  # not among the suggestions
    assert not quick.answer("q", "20", items)  # the first question is the item
    assert not quick.answer("p", "1", items)  # items are asked before the place
    assert not quick.answer("s", "", items)  # nothing understood yet to save alone
    assert quick.to_payload() == before
    assert quick.answer("i", "blankets", items)
    assert not quick.answer("q", "0", items)
    assert not quick.answer("q", "10001", items)
    assert quick.answer("q", "20", items)
    # "forty tea" is no name: its item is chosen from the whole list.
    assert quick.next_question is quick.lines[1]
    assert quick.answer("i", "tea", items)
    assert not quick.answer("p", "999", items)  # not one of the places offered
    assert quick.answer("p", str(quick.place_suggestions[0]), items)
    assert quick.complete
    assert quick.merged() == [("blankets", 40), ("tea", 20)]


async def test_save_only_what_was_understood(service: DistributionService) -> None:
    quick = service.parse_quick("40 blankets 25 zzqq @ Nowhere", "calais")
    assert quick.answer("s", "", list(service.catalogue.items))
    assert quick.complete
    assert (quick.merged(), quick.place_id, quick.place_text) == ([("blankets", 40)], None, None)


async def test_an_item_named_twice_adds_up(service: DistributionService) -> None:
    quick = service.parse_quick("40 tea, 10 thé and 5 blankets", "calais")
    assert quick.merged() == [("tea", 50), ("blankets", 5)]
    assert service.over_cap(quick) == []
    huge = service.parse_quick("6000 tea 6000 tea", "calais")
    assert service.over_cap(huge) == [("tea", 12000)]


async def test_two_places_are_seen(service: DistributionService) -> None:
    quick = service.parse_quick("40 tea @ Marck @ Coquelles", "calais")
    assert quick.places_typed == ["Marck", "Coquelles"]
    assert quick.place_id is None


async def test_an_unknown_place_offers_every_place_nearest_first(
    service: DistributionService,
) -> None:
    quick = service.parse_quick("40 tea @ Coquels", "calais")
    assert quick.place_unresolved
    names = [service.catalogue.places[p].name for p in quick.place_suggestions]
    assert names[0] == "Coquelles"
    assert sorted(names) == sorted(p.name for p in service.catalogue.places_of("calais"))
    assert "Puythouck" not in names  # another antenna's


@pytest.mark.parametrize(
    "text",
    [
        "99999999999999999999999 blankets",
        "9" * 5000 + " blankets",
        "٩٩٩٩٩ blankets",
        "-0 blankets",
        "blankets 0",
        "<b>40</b> blankets",
        "40 " + "é" * 200,
        "40 <b>blankets</b>",
    ],
)
async def test_edge_cases_are_not_understood_and_never_raise(
    service: DistributionService, text: str
) -> None:
    quick = service.parse_quick(text, "calais")
    assert quick.lines
    assert not quick.complete
    assert all(line.quantity is None or 1 <= line.quantity <= 10_000 for line in quick.lines)


async def test_a_paste_stops_being_read_past_the_cap(service: DistributionService) -> None:
    quick = service.parse_quick("1 tea " * 1000, "calais")
    assert MAX_LINES < len(quick.lines) <= MAX_LINES + 1


async def test_names_follow_the_quantity_in_french_and_english(
    service: DistributionService,
) -> None:
    catalogue = service.catalogue
    assert catalogue.item_name("tents", "fr", 1) == "tente"
    assert catalogue.item_name("tents", "fr", 2) == "tentes"
    assert catalogue.item_name("tents", "fr", 0) == "tente"  # French: 0 is singular too
    assert catalogue.item_name("tents", "en", 1) == "tent"
    assert catalogue.item_name("tents", "en", 40) == "tents"
    assert catalogue.item_name("tents", "fr") == "tentes"  # a label, no quantity
    # A locale without a singular keeps its name whatever the quantity.
    assert catalogue.item_name("tents", "ar", 1) == "خيام"
    assert catalogue.item_name("tea", "fr", 1) == "thé/café"


async def test_a_draft_saved_by_the_previous_release_still_reads(
    service: DistributionService,
) -> None:
    """Drafts outlive a restart: one saved before lines had a problem field is read."""
    old = {
        "lines": [["40 blanketz", 40, None, ["blankets"]], ["2 tea", 2, "tea", []]],
        "place_text": None,
        "place_id": None,
        "place_suggestions": [],
    }
    quick = QuickLog.from_payload(old)
    assert quick.next_question is quick.lines[0]
    assert quick.answer("i", "blankets", list(service.catalogue.items))
    assert quick.merged() == [("blankets", 40), ("tea", 2)]
    assert QuickLog.from_payload(quick.to_payload()) == quick


def test_french_item_names_use_the_typographic_apostrophe() -> None:
    items, _ = load_content()
    shown = [item["names"]["fr"][0] for item in items] + [
        item["singular"]["fr"] for item in items if "fr" in item.get("singular", {})
    ]
    assert "kits d’hygiène" in shown
    assert [name for name in shown if "'" in name] == []
    # People type the straight one: both find the same item.
    assert normalize("kits d'hygiène") == normalize("kits d’hygiène")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A "/" glued before a number, or standing alone, parts two pairs; "tea/coffee" stays.
        ("40 blankets/25 tea", [("blankets", 40), ("tea", 25)]),
        ("40 blankets / 25 tea", [("blankets", 40), ("tea", 25)]),
        ("40 blankets /٢٥ tea", [("blankets", 40), ("tea", 25)]),
        ("5 tea/coffee/2 tents", [("tea", 5), ("tents", 2)]),
        # A comma is a separator unless it stands between two digits.
        ("40 couvertures,25 thé", [("blankets", 40), ("tea", 25)]),
        # A unit word between the number and the item, glued or not, with or without "of".
        ("40 litres water", [("water", 40)]),
        ("40 L water", [("water", 40)]),
        ("40L water", [("water", 40)]),
        ("12 kg wood", [("wood", 12)]),
        ("12kg bois", [("wood", 12)]),
        ("12 kilos de bois, 3 litres d'eau", [("wood", 12), ("water", 3)]),
    ],
)
async def test_slashes_decimal_commas_and_units(
    service: DistributionService, text: str, expected: list[tuple[str, int]]
) -> None:
    quick = service.parse_quick(text, "calais")
    assert [(line.item, line.quantity) for line in quick.lines] == expected
    assert quick.complete


@pytest.mark.parametrize("text", ["1,5 couvertures", "2,5 kg bois", "١,٥ couvertures"])
async def test_a_decimal_comma_is_one_quantity_asked_for(
    service: DistributionService, text: str
) -> None:
    """Never "5 × couvertures" and "1 of what?": the one number, not whole, is asked."""
    quick = service.parse_quick(text, "calais")
    [line] = quick.lines
    assert (line.quantity, line.problem) == (None, "quantity")
    assert line.item in ("blankets", "wood")


@pytest.mark.parametrize("text", ["12 kg blankets", "40 litres tents", "1/2 blankets"])
async def test_a_unit_or_fraction_that_does_not_fit_is_asked(
    service: DistributionService, text: str
) -> None:
    quick = service.parse_quick(text, "calais")
    [line] = quick.lines
    assert not line.understood


@pytest.mark.parametrize(
    ("text", "place", "expected"),
    [
        ("40 blankets @ Marck, 25 tea", "Marck", [("blankets", 40), ("tea", 25)]),
        ("40 blankets @ Marck 25 tea", "Marck", [("blankets", 40), ("tea", 25)]),
        ("40 blankets @ Marck and 25 tea", "Marck", [("blankets", 40), ("tea", 25)]),
        ("40 blankets @ Fort Nieulay; 25 tea, 2 tents", "Fort-Nieulay", None),
        ("@ Beau Marais 40 blankets", "Beau-Marais", [("blankets", 40)]),
    ],
)
async def test_pairs_after_the_place_are_read(
    service: DistributionService,
    text: str,
    place: str,
    expected: list[tuple[str, int]] | None,
) -> None:
    quick = service.parse_quick(text, "calais")
    assert quick.place_id is not None
    assert service.catalogue.places[quick.place_id].name == place
    pairs = [(line.item, line.quantity) for line in quick.lines]
    assert pairs == (expected or [("blankets", 40), ("tea", 25), ("tents", 2)])
    assert quick.complete


async def test_a_place_unknown_or_named_with_a_number_keeps_what_follows(
    service: DistributionService, storage: Storage, clock: FakeClock
) -> None:
    unknown = service.parse_quick("40 blankets @ Nowhere, 25 tea", "calais")
    assert unknown.place_text == "Nowhere"
    assert [(line.item, line.quantity) for line in unknown.lines] == [
        ("blankets", 40),
        ("tea", 25),
    ]
    # A place whose name holds a number or a separator is read whole.
    for name in ("Extra 107", "Quai - Est"):
        await storage.catalogue.upsert_place("calais", name, name, [], None, None, clock.now())
    await service.reindex()
    for name in ("Extra 107", "Quai - Est"):
        quick = service.parse_quick(f"40 blankets @ {name}, 2 tents", "calais")
        assert quick.place_id is not None
        assert service.catalogue.places[quick.place_id].name == name
        assert [(line.item, line.quantity) for line in quick.lines] == [
            ("blankets", 40),
            ("tents", 2),
        ]
    # Two places, however written, are still two.
    assert (
        len(service.parse_quick("4 tea @ Marck, 2 tents @ Coquelles", "calais").places_typed) == 2
    )


async def test_an_answer_names_its_question_and_a_second_one_changes_nothing(
    service: DistributionService, storage: Storage, clock: FakeClock
) -> None:
    user = await volunteer(storage, clock)
    draft_id, dropped = await service.save_draft(user, service.parse_quick("4 blankez 5 tez", "x"))
    assert dropped == []
    quick = await service.answer_draft(user, draft_id, 0, "i", "blankets")
    assert (quick.step, quick.next_question) == (1, quick.lines[1])
    before = await storage.drafts.get(draft_id)
    with pytest.raises(DomainError) as error:
        await service.answer_draft(user, draft_id, 0, "i", "blankets")  # the same tap again
    assert error.value.code == "already_answered"
    assert await storage.drafts.get(draft_id) == before
    done = await service.answer_draft(user, draft_id, 1, "i", "tea")
    assert done.complete
    # Complete, it is kept until saved: a log that cannot be saved keeps its question.
    assert await storage.drafts.get(draft_id) == before
    logged = await service.finish_draft(user, draft_id, done)
    assert [(row.item_code, row.quantity) for row in logged.rows] == [("blankets", 4), ("tea", 5)]
    assert await storage.drafts.get(draft_id) is None


async def test_at_most_five_quick_logs_wait_per_person(
    service: DistributionService, storage: Storage, clock: FakeClock
) -> None:
    ana = await volunteer(storage, clock, 1)
    bob = await volunteer(storage, clock, 2)
    await service.save_draft(bob, service.parse_quick("9 blankez", "calais"))
    ids = []
    for n in range(1, 7):
        draft_id, dropped = await service.save_draft(
            ana, service.parse_quick(f"{n} blankez", "calais")
        )
        ids.append(draft_id)
        assert [old.lines[0].text for old in dropped] == (["1 blankez"] if n == 6 else [])
    assert [d.id for d in await storage.drafts.all_of(ana.id, "quick")] == ids[1:]
    assert len(await storage.drafts.all_of(bob.id, "quick")) == 1
