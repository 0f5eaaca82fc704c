"""Housing (issue 12): nights and amounts, reductions from the decision date, Decimal
rounding, balances with payments and undo, and the houses file."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.services.errors import DomainError, NotAllowed
from bot.services.housing import (
    HALF,
    WAIVED,
    House,
    HousesError,
    HousingService,
    amount_due,
    load_houses,
    money,
    night_count,
    nights,
    parse_amount,
    rate_on,
)
from bot.services.users import UserService
from bot.storage import Storage
from bot.storage.models import HousingReduction, Role, User
from tests.helpers.clock import FakeClock

PARIS = ZoneInfo("Europe/Paris")
FEE = Decimal("5")
HOUSES = {
    "calais": House("calais", "calais", "Maison de Calais", 2),
    "grande-synthe": House("gs", "grande-synthe", "Maison GS", 1),
}


def reduction(nightly: str, effective: date, status: str = HALF, rid: int = 1) -> HousingReduction:
    return HousingReduction(
        id=rid,
        stay_id=1,
        user_id=10,
        requested_at=datetime(2026, 1, 1, tzinfo=UTC),
        reason="",
        status=status,
        nightly=Decimal(nightly),
        decided_by=2,
        decided_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=rid),
        effective_from=effective,
    )


# Nights ------------------------------------------------------------------------------------


def test_the_departure_morning_is_not_a_night() -> None:
    assert nights(date(2026, 12, 1), date(2026, 12, 2)) == [date(2026, 12, 1)]
    assert night_count(date(2026, 12, 1), date(2026, 12, 1)) == 0


def test_month_and_year_boundaries() -> None:
    assert night_count(date(2026, 11, 28), date(2026, 12, 3)) == 5
    assert night_count(date(2026, 12, 30), date(2027, 1, 2)) == 3
    assert nights(date(2026, 12, 31), date(2027, 1, 1)) == [date(2026, 12, 31)]
    # February of a leap year and of a common year.
    assert night_count(date(2028, 2, 28), date(2028, 3, 1)) == 2
    assert night_count(date(2027, 2, 28), date(2027, 3, 1)) == 1


@pytest.mark.parametrize(
    ("arrival", "departure"),
    [
        # Summer time starts (29 March 2026, a 23-hour day) and ends (25 October, 25 hours).
        (date(2026, 3, 28), date(2026, 3, 31)),
        (date(2026, 10, 24), date(2026, 10, 27)),
    ],
)
def test_clock_changes_add_no_night(arrival: date, departure: date) -> None:
    assert night_count(arrival, departure) == 3
    assert amount_due(arrival, departure, FEE, []) == Decimal("15.00")


def test_nights_so_far_count_up_to_last_night() -> None:
    arrival, departure = date(2026, 12, 1), date(2026, 12, 10)
    assert night_count(arrival, departure, date(2026, 12, 1)) == 0  # tonight is not owed yet
    assert night_count(arrival, departure, date(2026, 12, 4)) == 3
    assert night_count(arrival, departure, date(2027, 1, 1)) == 9
    assert night_count(arrival, departure, date(2026, 11, 1)) == 0


# Amounts -----------------------------------------------------------------------------------


def test_reduction_applies_from_its_decision_date_only() -> None:
    arrival, departure = date(2026, 11, 1), date(2026, 12, 11)  # 40 nights
    half = reduction("2.50", date(2026, 12, 1))
    assert rate_on(date(2026, 11, 30), FEE, [half]) == Decimal("5.00")
    assert rate_on(date(2026, 12, 1), FEE, [half]) == Decimal("2.50")
    # 30 nights at 5 €, 10 at 2.50 €.
    assert amount_due(arrival, departure, FEE, [half]) == Decimal("175.00")
    # Up to 1 December (nights of November): unchanged by the reduction.
    assert amount_due(arrival, departure, FEE, [half], date(2026, 12, 1)) == Decimal("150.00")


def test_waived_and_later_reductions() -> None:
    arrival, departure = date(2026, 11, 1), date(2026, 12, 11)
    half = reduction("2.50", date(2026, 12, 1), HALF, 1)
    free = reduction("0", date(2026, 12, 6), WAIVED, 2)
    # 30 × 5 + 5 × 2.50 + 5 × 0.
    assert amount_due(arrival, departure, FEE, [free, half]) == Decimal("162.50")


def test_refused_or_open_requests_change_nothing() -> None:
    refused = HousingReduction(
        1, 1, 10, datetime(2026, 1, 1, tzinfo=UTC), "", "refused", None, 2, None, None
    )
    assert amount_due(date(2026, 11, 1), date(2026, 11, 11), FEE, [refused]) == Decimal("50.00")


def test_decimal_rounding_half_up() -> None:
    assert money(Decimal("2.675")) == Decimal("2.68")
    assert money(Decimal("2.665")) == Decimal("2.67")
    # An odd fee halved: 3.35 → 1.675 → 1.68 a night; 10 nights = 16.80 exactly.
    half = reduction(str(money(Decimal("3.35") / 2)), date(2026, 1, 1))
    assert amount_due(date(2026, 1, 1), date(2026, 1, 11), Decimal("3.35"), [half]) == Decimal(
        "16.80"
    )
    # No float anywhere: 0.1 + 0.2 stays 0.30.
    assert amount_due(date(2026, 1, 1), date(2026, 1, 4), Decimal("0.1"), []) == Decimal("0.30")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", "12.00"),
        ("12.5", "12.50"),
        ("12,50", "12.50"),
        ("١٢٫٥", "12.50"),
        ("١٢,٥", "12.50"),
        ("10000", "10000.00"),
        ("7 €", "7.00"),
        ("0", None),
        ("-5", None),
        ("10000.01", None),
        ("1.234", None),
        ("abc", None),
        ("", None),
        ("1e3", None),
    ],
)
def test_parse_amount(text: str, value: str | None) -> None:
    if value is None:
        with pytest.raises(DomainError):
            parse_amount(text)
    else:
        assert parse_amount(text) == Decimal(value)


# Houses file -------------------------------------------------------------------------------


def test_shipped_houses_file() -> None:
    houses = load_houses(Path(__file__).resolve().parents[2] / "content" / "houses.toml")
    assert houses["calais"].beds == 14
    assert houses["grande-synthe"].beds == 10


def test_bad_houses_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "houses.toml"
    path.write_text(
        '[[house]]\ncode = "a"\nantenna = "calais"\nname = "A"\nbeds = 3\n\n'
        '[[house]]\ncode = "b"\nantenna = "dunkerque"\nname = "B"\nbeds = 0\n',
        encoding="utf-8",
    )
    with pytest.raises(HousesError, match=r"houses.toml:7: beds"):
        load_houses(path)
    assert load_houses(tmp_path / "missing.toml") == {}


# The service over a real database ----------------------------------------------------------


@pytest.fixture
def users(storage: Storage, clock: FakeClock) -> UserService:
    return UserService(storage, clock, frozenset(), "calais")


@pytest.fixture
def housing(storage: Storage, clock: FakeClock) -> HousingService:
    return HousingService(storage, clock, PARIS, FEE, HOUSES)


async def make(users: UserService, user_id: int, role: Role, antenna: str = "calais") -> User:
    await users.touch(user_id, "en")
    await users.storage.users.set_role(user_id, role, antenna=antenna, username=f"user{user_id}")
    found = await users.get(user_id)
    assert found is not None
    return found


async def test_full_house_waits_and_occupancy(housing: HousingService, users: UserService) -> None:
    # Today is 1 December 2026 (21:00 in Paris).
    a = await make(users, 10, Role.VOLUNTEER)
    b = await make(users, 11, Role.VOLUNTEER)
    c = await make(users, 12, Role.VOLUNTEER)
    first = await housing.request(a, "2026-12-01", "2026-12-05")
    second = await housing.request(b, "02/12", "2026-12-04")
    assert first.stay.status == second.stay.status == "confirmed"
    third = await housing.request(c, "2026-12-03", "2026-12-06")
    assert third.stay.status == "waiting"
    assert third.full == [date(2026, 12, 3)]
    counts = await housing.occupancy("calais", date(2026, 12, 1), 6)
    assert [(n.booked, n.full) for n in counts] == [
        (1, False),
        (2, True),
        (2, True),
        (1, False),
        (0, False),
        (0, False),
    ]
    assert [s.id for s in await housing.waiting("calais")] == [third.stay.id]
    moves = await housing.stays_for("calais", date(2026, 12, 1), date(2026, 12, 8))
    assert [s.user_id for s in moves.arrivals] == [10, 11]
    assert [s.user_id for s in moves.departures] == [11, 10]


async def test_refusals(housing: HousingService, users: UserService) -> None:
    a = await make(users, 10, Role.VOLUNTEER)
    with pytest.raises(DomainError, match="stay_departure_before"):
        await housing.request(a, "2026-12-05", "2026-12-05")
    with pytest.raises(DomainError, match="stay_departure_before"):
        await housing.request(a, "2026-12-05", "2026-12-03")
    with pytest.raises(DomainError, match="stay_in_past"):
        await housing.request(a, "2026-11-01", "2026-12-03")
    with pytest.raises(DomainError, match="stay_too_far"):
        await housing.request(a, "2028-01-01", "2028-01-03")
    with pytest.raises(DomainError, match="bad_date"):
        await housing.request(a, "2026-13-01", "2026-12-03")
    public = await make(users, 20, Role.PUBLIC)
    with pytest.raises(NotAllowed):
        await housing.request(public, "2026-12-02", "2026-12-03")


async def test_change_is_proposed_then_applied(
    housing: HousingService, users: UserService, clock: FakeClock
) -> None:
    a = await make(users, 10, Role.VOLUNTEER)
    stay = (await housing.request(a, "2026-12-01", "2026-12-05")).stay
    proposal = await housing.request(a, "2026-12-01", "2026-12-08")
    assert proposal.change
    assert (await housing.storage.housing.stay(stay.id)).departure == date(2026, 12, 5)  # type: ignore[union-attr]
    changed = await housing.apply_change(a, stay.id, proposal.arrival, proposal.departure)
    assert changed.stay.departure == date(2026, 12, 8)
    with pytest.raises(DomainError, match="stay_unchanged"):
        await housing.apply_change(a, stay.id, proposal.arrival, proposal.departure)
    # Ongoing: the arrival stays whatever is typed.
    clock.advance(days=2)
    ongoing = await housing.request(a, "2026-12-03", "2026-12-09")
    assert ongoing.arrival == date(2026, 12, 1)
    other = await make(users, 11, Role.VOLUNTEER)
    with pytest.raises(NotAllowed):
        await housing.apply_change(other, stay.id, ongoing.arrival, ongoing.departure)


async def test_balance_with_reduction_payments_and_undo(
    housing: HousingService, users: UserService, clock: FakeClock
) -> None:
    a = await make(users, 10, Role.VOLUNTEER)
    coordinator = await make(users, 2, Role.COORDINATOR)
    foreign = await make(users, 3, Role.COORDINATOR, "grande-synthe")
    stay = (await housing.request(a, "2026-12-01", "2027-02-01")).stay
    with pytest.raises(DomainError, match="reduce_too_early"):
        await housing.request_reduction(a, "no money")
    # 31 December 2026 evening: 30 nights so far.
    clock.advance(days=30)
    account = await housing.my_account(a)
    assert account.nights_so_far == 30
    assert account.due_so_far == Decimal("150.00")
    assert account.due_total == Decimal("310.00")
    request, _ = await housing.request_reduction(a, "  no   money ")
    assert request.reason == "no money"
    with pytest.raises(DomainError, match="reduce_open"):
        await housing.request_reduction(a, "again")
    with pytest.raises(NotAllowed):
        await housing.decide_reduction(foreign, request.id, HALF)
    decision = await housing.decide_reduction(coordinator, request.id, HALF)
    assert decision.done
    assert decision.reduction.effective_from == date(2026, 12, 31)
    late = await housing.decide_reduction(coordinator, request.id, WAIVED)
    assert not late.done
    assert late.reduction.status == HALF
    assert late.by is not None
    account = await housing.my_account(a)
    # Nights before the decision unchanged; from 31 December on, 2.50 €.
    assert account.due_so_far == Decimal("150.00")
    assert account.due_total == Decimal("150.00") + 32 * Decimal("2.50")
    clock.advance(days=2)  # 2 January 2027: nights of 31 Dec and 1 Jan at 2.50 €.
    account = await housing.my_account(a)
    assert account.due_so_far == Decimal("155.00")
    paid = await housing.record_payment(coordinator, a, "100,50", "n1")
    again = await housing.record_payment(coordinator, a, "100,50", "n1")
    assert paid.new
    assert not again.new
    assert paid.account.paid == Decimal("100.50")
    assert again.account.balance == Decimal("54.50")
    with pytest.raises(NotAllowed):
        await housing.record_payment(foreign, a, "10", "n2")
    undone = await housing.undo_payment(coordinator, paid.payment.id)
    assert undone.account.balance == Decimal("155.00")
    with pytest.raises(DomainError, match="paid_undone"):
        await housing.undo_payment(coordinator, paid.payment.id)
    late_payment = await housing.record_payment(coordinator, a, "5", "n3")
    clock.advance(minutes=16)
    with pytest.raises(DomainError, match="paid_too_late"):
        await housing.undo_payment(coordinator, late_payment.payment.id)
    balances = await housing.balances("calais")
    assert [(b.user.id, b.balance) for b in balances] == [(10, Decimal("150.00"))]
    assert stay.id == balances[0].stay.id  # type: ignore[union-attr]


async def test_decide_a_waiting_stay_once(housing: HousingService, users: UserService) -> None:
    a = await make(users, 10, Role.VOLUNTEER, "grande-synthe")
    b = await make(users, 11, Role.VOLUNTEER, "grande-synthe")
    coordinator = await make(users, 2, Role.COORDINATOR, "grande-synthe")
    calais = await make(users, 3, Role.COORDINATOR)
    await housing.request(a, "2026-12-02", "2026-12-04")
    waiting = (await housing.request(b, "2026-12-03", "2026-12-05")).stay
    assert waiting.status == "waiting"
    with pytest.raises(NotAllowed):
        await housing.decide_stay(calais, waiting.id, True)
    decision = await housing.decide_stay(coordinator, waiting.id, True)
    assert decision.done
    assert decision.stay.status == "confirmed"
    second = await housing.decide_stay(coordinator, waiting.id, False)
    assert not second.done
    assert second.stay.status == "confirmed"
    assert [n.booked for n in await housing.occupancy("grande-synthe", date(2026, 12, 3), 1)] == [
        2
    ]


async def test_end_and_cancel_around_the_first_night(
    housing: HousingService, users: UserService, clock: FakeClock
) -> None:
    a = await make(users, 10, Role.VOLUNTEER)
    stay = (await housing.request(a, "2026-12-01", "2026-12-05")).stay
    # Arrived today: no night has passed, so it is cancelled, not ended.
    with pytest.raises(DomainError, match="stay_not_begun"):
        await housing.to_end(a)
    assert (await housing.to_cancel(a)).id == stay.id
    clock.advance(days=1)
    with pytest.raises(DomainError, match="stay_begun"):
        await housing.to_cancel(a)
    with pytest.raises(DomainError, match="stay_begun"):
        await housing.cancel(a, stay.id)
    ended = await housing.end(a, (await housing.to_end(a)).id)
    assert (ended.departure, ended.ended_early) == (date(2026, 12, 2), True)
    with pytest.raises(DomainError, match="stay_gone"):
        await housing.end(a, stay.id)  # a second tap
    assert (await housing.my_account(a)).due_so_far == Decimal("5.00")
