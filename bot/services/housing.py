"""Volunteer housing (issue 12): stays at an antenna's house, contributions and reductions.

Nights are dates, never hours: a stay from arrival to departure has the nights arrival ..
departure - 1 (the departure morning is not a night), each night belonging to the local date
it starts on (TIMEZONE). A clock change therefore never adds or removes a night.

Money is `Decimal` only, quantized to the cent (ROUND_HALF_UP). A night costs the fee
(`HOUSING_DAILY_FEE_EUR`) or, from an approved reduction's `effective_from` (the local date of
the decision) on, that reduction's nightly amount: reductions are never retroactive, and the
same rule holds for everyone. "Due so far" counts the nights up to last night (a night is owed
once it has started: tonight is not yet); the balance is due so far minus the payments not
undone (negative: paid ahead).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.services.errors import DomainError, NotAllowed
from bot.services.keywords import day_of
from bot.services.numerals import numeric
from bot.services.timeparse import parse_date
from bot.services.waits import HOUSING_AMOUNT, TypedWaits
from bot.storage.interface import Store
from bot.storage.models import HousingPayment, HousingReduction, Role, Stay, User

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HOUSES_FILE = "houses.toml"
# The association's "past one month": a reduction may be asked once 30 nights have passed.
REDUCE_AFTER_NIGHTS = 30
MAX_NIGHTS = 366
MAX_AHEAD = timedelta(days=366)
# An arrival typed a few days late (the volunteer registers once settled in) is accepted.
PAST_GRACE = timedelta(days=7)
MAX_PAYMENT = Decimal("10000")
UNDO_WITHIN = timedelta(minutes=15)
# How long a coordinator's typed nightly amount is waited for after ✏️ Other amount.
AMOUNT_WAIT = timedelta(minutes=15)
MAX_REASON = 500
WAITING, CONFIRMED, REFUSED, CANCELLED = "waiting", "confirmed", "refused", "cancelled"
WAIVED, HALF, AMOUNT, DECLINED = "waived", "half", "amount", "refused"
DECISIONS = (WAIVED, HALF, AMOUNT, DECLINED)
END_WORDS = frozenset({"end", "fin", "finir", "terminer", "depart", "départ"})
CANCEL_WORDS = frozenset({"cancel", "annuler", "annule"})
REDUCE_WORDS = frozenset({"reduce", "reduction", "réduction", "reduire", "réduire"})
AMOUNT_TEXT = re.compile(r"^\d{1,5}(?:[.,]\d{1,2})?$")
CODE = re.compile(r"^[a-z0-9-]{1,32}$")


def money(value: Decimal) -> Decimal:
    """Round to the cent, half up (2.675 → 2.68), never through a float."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# Houses -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class House:
    code: str
    antenna: str
    name: str
    beds: int
    address: str | None = None


class HousesError(Exception):
    """content/houses.toml cannot be used: the message names the file and line at fault."""


def load_houses(path: Path) -> dict[str, House]:
    """The houses by antenna, from `houses.toml` (none if the file is missing)."""
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise HousesError(f"{path.name}: {error}") from None
    # The line of each [[house]] header, to name it in an error.
    lines = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[house]]"]
    entries = data.get("house", [])
    if not isinstance(entries, list):
        raise HousesError(f"{path.name}: [[house]] entries expected")
    houses: dict[str, House] = {}
    codes: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"{path.name}:{lines[index] if index < len(lines) else '?'}"
        house = _house(entry, where)
        if house.code in codes:
            raise HousesError(f"{where}: house {house.code!r} is defined twice")
        if house.antenna in houses:
            raise HousesError(f"{where}: antenna {house.antenna!r} already has a house")
        codes.add(house.code)
        houses[house.antenna] = house
    return houses


def _house(entry: object, where: str) -> House:
    if not isinstance(entry, dict):
        raise HousesError(f"{where}: a house is a table")
    unknown = set(entry) - {"code", "antenna", "name", "beds", "address"}
    if unknown:
        raise HousesError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    code, antenna, name = entry.get("code"), entry.get("antenna"), entry.get("name")
    beds, address = entry.get("beds"), entry.get("address")
    if not isinstance(code, str) or not CODE.fullmatch(code):
        raise HousesError(f"{where}: code must be a-z, 0-9 and - (32 at most)")
    if not isinstance(antenna, str) or not CODE.fullmatch(antenna):
        raise HousesError(f"{where}: antenna must be an antenna's code")
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise HousesError(f"{where}: name must be a text of 1 to 100 characters")
    if isinstance(beds, bool) or not isinstance(beds, int) or not 1 <= beds <= 500:
        raise HousesError(f"{where}: beds must be a whole number from 1 to 500")
    if address is not None and (not isinstance(address, str) or len(address) > 200):
        raise HousesError(f"{where}: address must be a text of 200 characters at most")
    return House(code, antenna, name.strip(), beds, address)


# Nights and amounts (pure) ------------------------------------------------------------------


def nights(arrival: date, departure: date) -> list[date]:
    """The nights of a stay: arrival .. departure - 1."""
    return [arrival + timedelta(days=n) for n in range((departure - arrival).days)]


def night_count(arrival: date, departure: date, upto: date | None = None) -> int:
    """How many nights of the stay start before `upto` (all of them without it)."""
    end = departure if upto is None else min(departure, upto)
    return max(0, (end - arrival).days)


def decided(reductions: list[HousingReduction]) -> list[HousingReduction]:
    """The approved reductions in the order they took effect."""
    approved = [
        r
        for r in reductions
        if r.status in (WAIVED, HALF, AMOUNT)
        and r.nightly is not None
        and r.effective_from is not None
    ]
    # One request is open at a time: a later id is a later decision.
    return sorted(approved, key=lambda r: (r.effective_from or date.min, r.id))


def rate_on(night: date, fee: Decimal, reductions: list[HousingReduction]) -> Decimal:
    """The contribution for one night: the fee, or the latest reduction in force that night."""
    rate = fee
    for reduction in decided(reductions):
        if reduction.effective_from is not None and reduction.effective_from <= night:
            rate = reduction.nightly if reduction.nightly is not None else rate
    return money(rate)


def amount_due(
    arrival: date,
    departure: date,
    fee: Decimal,
    reductions: list[HousingReduction],
    upto: date | None = None,
) -> Decimal:
    """The sum of the nightly rates of the stay's nights starting before `upto` (every night
    without it)."""
    end = departure if upto is None else min(departure, upto)
    total = sum((rate_on(night, fee, reductions) for night in nights(arrival, end)), ZERO)
    return money(total)


def parse_amount(text: str) -> Decimal:
    """A typed amount of euros: "12", "12.5", "12,50", Arabic-Indic digits; > 0, ≤ 10 000,
    two decimals at most (refused: `housing_bad_amount`)."""
    cleaned = numeric(text).strip().removesuffix("€").removesuffix("EUR").strip()
    if not AMOUNT_TEXT.fullmatch(cleaned):
        raise DomainError("housing_bad_amount", value=text)
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        raise DomainError("housing_bad_amount", value=text) from None
    if not ZERO < value <= MAX_PAYMENT:
        raise DomainError("housing_bad_amount", value=text)
    return money(value)


# Results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """One volunteer's stay and money, as /stay shows it (all amounts in euros)."""

    user: User
    stay: Stay | None
    house: House | None
    nights_so_far: int
    nights_total: int
    fee: Decimal
    rate_now: Decimal
    due_so_far: Decimal
    due_total: Decimal
    paid: Decimal
    balance: Decimal
    reduction: HousingReduction | None  # the latest request for the stay

    @property
    def reduce_from(self) -> date | None:
        """The first day a reduction may be asked for this stay."""
        if self.stay is None:
            return None
        return self.stay.arrival + timedelta(days=REDUCE_AFTER_NIGHTS)


@dataclass(frozen=True)
class StayRequest:
    """What `/stay ARRIVAL DEPARTURE` leads to: a new stay stored, or a change to confirm."""

    stay: Stay  # the stored stay (new), or the stay to change (change)
    arrival: date
    departure: date
    full: list[date]  # nights on which the house is full (a waiting stay)
    change: bool
    house: House
    # A change applied: the stay as it was (its coordinators' copies may ask about it).
    before: Stay | None = None


@dataclass(frozen=True)
class Decision:
    """The outcome of a pressed decision button: done now, or already done by someone."""

    done: bool
    stay: Stay
    by: User | None


@dataclass(frozen=True)
class ReductionDecision:
    done: bool
    reduction: HousingReduction
    stay: Stay
    by: User | None


@dataclass(frozen=True)
class Payment:
    payment: HousingPayment
    new: bool
    account: Account


@dataclass(frozen=True)
class NightCount:
    day: date
    booked: int
    beds: int

    @property
    def full(self) -> bool:
        return self.booked >= self.beds


@dataclass(frozen=True)
class Movements:
    arrivals: list[Stay]
    departures: list[Stay]


@dataclass(frozen=True)
class ExportRows:
    stays: list[tuple[Stay, User | None, Account]]
    payments: list[HousingPayment]
    reductions: list[HousingReduction]


class HousingService:
    def __init__(
        self,
        storage: Store,
        clock: Clock,
        tz: ZoneInfo,
        fee: Decimal,
        houses: dict[str, House],
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.tz = tz
        self.fee = money(fee)
        self.houses = houses
        self.waits = TypedWaits(storage, clock)

    # Basics.
    def today(self) -> date:
        return self.clock.now().astimezone(self.tz).date()

    def house(self, antenna: str) -> House:
        found = self.houses.get(antenna)
        if found is None:
            raise DomainError("housing_no_house", antenna=antenna)
        return found

    def _check_volunteer(self, actor: User) -> None:
        if not actor.has(Role.VOLUNTEER) or actor.antenna is None:
            raise NotAllowed

    def _check_coordinator(self, actor: User, antenna: str) -> None:
        """Coordinators of the antenna, and admins for every antenna."""
        if actor.has(Role.ADMIN):
            return
        if not actor.has(Role.COORDINATOR) or actor.antenna != antenna:
            raise NotAllowed

    def parse_day(self, text: str) -> date:
        today = self.today()
        word = day_of(text, today)
        return word if word is not None else parse_date(text, today)

    async def current(self, user_id: int) -> Stay | None:
        """The person's current or coming stay (departure after today), waiting or confirmed."""
        today = self.today()
        for stay in await self.storage.housing.stays_of(user_id):
            if stay.departure > today:
                return stay
        return None

    async def latest(self, user_id: int) -> Stay | None:
        """The current or coming stay, else the last one that ended."""
        found = await self.current(user_id)
        if found is not None:
            return found
        stays = [s for s in await self.storage.housing.stays_of(user_id) if s.status == CONFIRMED]
        return stays[-1] if stays else None

    async def full_nights(
        self, antenna: str, arrival: date, departure: date, excluding: int | None = None
    ) -> list[date]:
        """The nights of arrival .. departure - 1 on which confirmed stays fill every bed."""
        beds = self.house(antenna).beds
        stays = await self.storage.housing.stays_between(antenna, arrival, departure, (CONFIRMED,))
        full = []
        for night in nights(arrival, departure):
            booked = sum(
                1 for s in stays if s.id != excluding and s.arrival <= night < s.departure
            )
            if booked >= beds:
                full.append(night)
        return full

    # Accounts.
    async def account(self, user: User) -> Account:
        """A person's stay (current, coming, else last) and their money over every stay."""
        today = self.today()
        stays = [s for s in await self.storage.housing.stays_of(user.id) if s.status == CONFIRMED]
        due_so_far = ZERO
        for stay in stays:
            reductions = await self.storage.housing.reductions_of(stay.id)
            due_so_far += amount_due(stay.arrival, stay.departure, self.fee, reductions, today)
        payments = await self.storage.housing.payments_of(user.id)
        paid = money(sum((p.amount for p in payments), ZERO))
        shown = await self.latest(user.id)
        reduction = None
        nights_so_far = nights_total = 0
        due_total = ZERO
        rate_now = self.fee
        house = None
        if shown is not None:
            reductions = await self.storage.housing.reductions_of(shown.id)
            reduction = reductions[-1] if reductions else None
            nights_so_far = night_count(shown.arrival, shown.departure, today)
            nights_total = night_count(shown.arrival, shown.departure)
            due_total = amount_due(shown.arrival, shown.departure, self.fee, reductions)
            rate_now = rate_on(today, self.fee, reductions)
            house = self.houses.get(shown.antenna)
        due_so_far = money(due_so_far)
        return Account(
            user=user,
            stay=shown,
            house=house,
            nights_so_far=nights_so_far,
            nights_total=nights_total,
            fee=self.fee,
            rate_now=rate_now,
            due_so_far=due_so_far,
            due_total=due_total,
            paid=paid,
            balance=money(due_so_far - paid),
            reduction=reduction,
        )

    async def my_account(self, actor: User) -> Account:
        self._check_volunteer(actor)
        return await self.account(actor)

    # Registering and changing.
    async def request(self, actor: User, arrival_text: str, departure_text: str) -> StayRequest:
        """`/stay ARRIVAL DEPARTURE`: a new stay is stored at once (confirmed, or waiting when
        the house is full some night); a change of the current stay is returned to confirm."""
        self._check_volunteer(actor)
        assert actor.antenna is not None
        house = self.house(actor.antenna)
        arrival = self.parse_day(arrival_text)
        departure = self.parse_day(departure_text)
        current = await self.current(actor.id)
        today = self.today()
        if current is not None and current.arrival < today:
            # An ongoing stay (a night already passed) keeps its arrival: only its departure
            # moves.
            arrival = current.arrival
        # A stay not begun moves like a new one: never more than a few days back.
        begun = current is not None and current.arrival < today
        self._check_dates(arrival, departure, today, ongoing=begun)
        await self._check_overlap(actor.id, arrival, departure, current)
        full = await self.full_nights(
            actor.antenna, arrival, departure, current.id if current else None
        )
        if current is not None:
            full = self._full_for_change(current, full, today)
            if (current.arrival, current.departure) == (arrival, departure):
                raise DomainError("stay_unchanged")
            return StayRequest(current, arrival, departure, full, True, house)
        status = WAITING if full else CONFIRMED
        now = self.clock.now()
        stay_id = await self.storage.housing.add_stay(
            actor.id, actor.antenna, house.code, arrival, departure, status, now
        )
        stay = await self.storage.housing.stay(stay_id)
        assert stay is not None
        return StayRequest(stay, arrival, departure, full, False, house)

    def _check_dates(self, arrival: date, departure: date, today: date, *, ongoing: bool) -> None:
        if departure <= arrival:
            raise DomainError("stay_departure_before")
        if departure <= today:
            raise DomainError("stay_in_past")
        if not ongoing and arrival < today - PAST_GRACE:
            raise DomainError("stay_in_past")
        if arrival > today + MAX_AHEAD:
            raise DomainError("stay_too_far")
        if (departure - arrival).days > MAX_NIGHTS:
            raise DomainError("stay_too_long", most=MAX_NIGHTS)

    @staticmethod
    def _full_for_change(stay: Stay, full: list[date], today: date) -> list[date]:
        """A confirmed stay under way keeps its nights: waiting as a whole, it would drop the
        nights slept from what is owed and from the house's count (and a refusal would erase
        them). Its nights already confirmed count as free; a full night added refuses the
        change."""
        if stay.status != CONFIRMED or stay.arrival >= today:
            return full
        if any(night >= stay.departure for night in full):
            raise DomainError("stay_change_full")
        return []

    async def _check_overlap(
        self, user_id: int, arrival: date, departure: date, current: Stay | None
    ) -> None:
        for other in await self.storage.housing.stays_of(user_id):
            if current is not None and other.id == current.id:
                continue
            if other.arrival < departure and arrival < other.departure:
                raise DomainError("stay_overlap")

    async def apply_change(
        self, actor: User, stay_id: int, arrival: date, departure: date
    ) -> StayRequest:
        """The ✅ of a change: re-checked now (the house may have filled since); a second tap
        or a stale button changes nothing (`stay_unchanged`, `stay_gone`)."""
        self._check_volunteer(actor)
        stay = await self.storage.housing.stay(stay_id)
        if stay is None or stay.user_id != actor.id:
            raise NotAllowed
        current = await self.current(actor.id)
        if current is None or current.id != stay.id:
            raise DomainError("stay_gone")
        if (stay.arrival, stay.departure) == (arrival, departure):
            raise DomainError("stay_unchanged")
        today = self.today()
        if stay.arrival < today and arrival != stay.arrival:
            raise DomainError("stay_gone")
        self._check_dates(arrival, departure, today, ongoing=stay.arrival < today)
        await self._check_overlap(actor.id, arrival, departure, stay)
        house = self.house(stay.antenna)
        full = await self.full_nights(stay.antenna, arrival, departure, stay.id)
        full = self._full_for_change(stay, full, today)
        status = WAITING if full else CONFIRMED
        await self.storage.housing.change_dates(
            stay.id, arrival, departure, status, self.clock.now()
        )
        changed = await self.storage.housing.stay(stay.id)
        assert changed is not None
        return StayRequest(changed, arrival, departure, full, True, house, before=stay)

    async def to_end(self, actor: User) -> Stay:
        """`/stay end`: the ongoing stay whose departure would become today."""
        self._check_volunteer(actor)
        stay = await self.current(actor.id)
        today = self.today()
        if stay is None:
            raise DomainError("stay_none")
        # Begun: at least one night passed (arriving today and leaving today is a cancel).
        if stay.arrival >= today:
            raise DomainError("stay_not_begun")
        return stay

    async def end(self, actor: User, stay_id: int) -> Stay:
        """The ✅ of `/stay end`: departure today (tonight is not a night of the stay)."""
        self._check_volunteer(actor)
        stay = await self.storage.housing.stay(stay_id)
        if stay is None or stay.user_id != actor.id:
            raise NotAllowed
        today = self.today()
        if not await self.storage.housing.end_early(stay.id, today, self.clock.now()):
            raise DomainError("stay_gone")
        ended = await self.storage.housing.stay(stay.id)
        assert ended is not None
        return ended

    async def to_cancel(self, actor: User) -> Stay:
        """`/stay cancel`: a stay not begun yet."""
        self._check_volunteer(actor)
        stay = await self.current(actor.id)
        if stay is None:
            raise DomainError("stay_none")
        if stay.arrival < self.today():
            raise DomainError("stay_begun")
        return stay

    async def cancel(self, actor: User, stay_id: int) -> Stay:
        self._check_volunteer(actor)
        stay = await self.storage.housing.stay(stay_id)
        if stay is None or stay.user_id != actor.id:
            raise NotAllowed
        if stay.arrival < self.today():
            raise DomainError("stay_begun")
        if not await self.storage.housing.set_status(
            stay.id, CANCELLED, (WAITING, CONFIRMED), None, self.clock.now()
        ):
            raise DomainError("stay_gone")
        return stay

    # The coordinators' decision on a waiting stay.
    async def decide_stay(self, actor: User, stay_id: int, accept: bool) -> Decision:
        stay = await self.storage.housing.stay(stay_id)
        if stay is None:
            raise DomainError("stay_gone")
        self._check_coordinator(actor, stay.antenna)
        if stay.user_id == actor.id:
            raise NotAllowed
        status = CONFIRMED if accept else REFUSED
        done = await self.storage.housing.set_status(
            stay.id, status, (WAITING,), actor.id, self.clock.now()
        )
        after = await self.storage.housing.stay(stay.id)
        assert after is not None
        by = actor if done else await self._user(after.decided_by)
        return Decision(done, after, by)

    async def _user(self, user_id: int | None) -> User | None:
        return None if user_id is None else await self.storage.users.get(user_id)

    # Reductions.
    async def request_reduction(
        self, actor: User, reason: str
    ) -> tuple[HousingReduction, Account]:
        """`/stay reduce [reason]`: refused before 30 nights (`reduce_too_early`, the handler
        says from when), with a request already open, or without a confirmed stay."""
        self._check_volunteer(actor)
        account = await self.account(actor)
        stay = account.stay
        if stay is None or stay.status != CONFIRMED or stay.departure <= self.today():
            raise DomainError("stay_none")
        if account.nights_so_far < REDUCE_AFTER_NIGHTS:
            raise DomainError("reduce_too_early")
        reason = " ".join(reason.split())[:MAX_REASON]
        reduction_id = await self.storage.housing.add_reduction(
            stay.id, actor.id, reason, self.clock.now()
        )
        if reduction_id is None:
            raise DomainError("reduce_open")
        reduction = await self.storage.housing.reduction(reduction_id)
        assert reduction is not None
        return reduction, account

    async def reduction_for(self, actor: User, reduction_id: int) -> tuple[HousingReduction, Stay]:
        """A request a coordinator is about to decide (checked: their antenna, still open)."""
        reduction = await self.storage.housing.reduction(reduction_id)
        stay = None if reduction is None else await self.storage.housing.stay(reduction.stay_id)
        if reduction is None or stay is None:
            raise DomainError("reduce_gone")
        self._check_coordinator(actor, stay.antenna)
        # The same rule for everyone: nobody decides their own contribution.
        if stay.user_id == actor.id:
            raise NotAllowed
        return reduction, stay

    async def decide_reduction(
        self, actor: User, reduction_id: int, kind: str, amount: Decimal | None = None
    ) -> ReductionDecision:
        """Waive (0), half the fee, a nightly amount, or refuse; effective from today's date.
        The first decision wins: a later one changes nothing and says who decided."""
        if kind not in DECISIONS:
            raise DomainError("reduce_gone")
        reduction, stay = await self.reduction_for(actor, reduction_id)
        nightly: Decimal | None
        if kind == WAIVED:
            nightly = ZERO
        elif kind == HALF:
            nightly = money(self.fee / 2)
        elif kind == AMOUNT:
            if amount is None or amount < ZERO:
                raise DomainError("housing_bad_amount", value="")
            if amount >= self.fee:
                raise DomainError("reduce_amount_high")
            nightly = money(amount)
        else:
            nightly = None
        effective = None if kind == DECLINED else self.today()
        done = await self.storage.housing.decide_reduction(
            reduction.id, kind, nightly, actor.id, effective, self.clock.now()
        )
        after = await self.storage.housing.reduction(reduction.id)
        assert after is not None
        by = actor if done else await self._user(after.decided_by)
        return ReductionDecision(done, after, stay, by)

    async def ask_amount(self, actor: User, reduction_id: int) -> tuple[HousingReduction, Stay]:
        """✏️ Other amount: the coordinator's next typed text is the nightly amount."""
        reduction, stay = await self.reduction_for(actor, reduction_id)
        if reduction.status == "open":
            await self.waits.open(actor.id, HOUSING_AMOUNT, AMOUNT_WAIT, reduction=reduction.id)
        return reduction, stay

    async def amount_wait(self, actor: User) -> int | None:
        """The request whose nightly amount the coordinator was asked to type, if that is the
        latest thing asked."""
        wait = await self.waits.waiting_for(actor.id, HOUSING_AMOUNT)
        if wait is None:
            return None
        value = wait.details.get("reduction")
        return value if isinstance(value, int) else None

    async def forget_amount(self, actor: User) -> bool:
        return await self.waits.end(actor.id, HOUSING_AMOUNT)

    # Payments.
    async def payee(self, actor: User, user: User) -> None:
        """May `actor` record a payment of `user`: coordinators of their antenna, admins."""
        if user.antenna is None or user.id == actor.id:
            raise NotAllowed
        self._check_coordinator(actor, user.antenna)

    async def record_payment(
        self, actor: User, user: User, amount_text: str, nonce: str
    ) -> Payment:
        await self.payee(actor, user)
        amount = parse_amount(amount_text)
        stays = await self.storage.housing.stays_of(user.id)
        if not stays:
            raise DomainError("paid_no_stay")
        stay = await self.latest(user.id)
        payment, new = await self.storage.housing.add_payment(
            user.id, stay.id if stay else None, amount, actor.id, nonce, self.clock.now()
        )
        return Payment(payment, new, await self.account(user))

    async def undo_payment(self, actor: User, payment_id: int) -> Payment:
        """↩️ Undo, once, within 15 minutes of recording."""
        payment = await self.storage.housing.payment(payment_id)
        if payment is None:
            raise DomainError("paid_gone")
        user = await self.storage.users.get(payment.user_id)
        if user is None:
            raise DomainError("paid_gone")
        await self.payee(actor, user)
        if payment.undone_at is not None:
            raise DomainError("paid_undone")
        if self.clock.now() - payment.recorded_at > UNDO_WITHIN:
            raise DomainError("paid_too_late", minutes=int(UNDO_WITHIN.total_seconds() // 60))
        if not await self.storage.housing.undo_payment(payment.id, actor.id, self.clock.now()):
            raise DomainError("paid_undone")
        after = await self.storage.housing.payment(payment.id)
        assert after is not None
        return Payment(after, True, await self.account(user))

    # Read methods for /housing and the export (coordinators' views).
    async def occupancy(self, antenna: str, first_day: date, days: int) -> list[NightCount]:
        """Confirmed stays per night from `first_day`, against the house's beds."""
        beds = self.house(antenna).beds
        end = first_day + timedelta(days=days)
        stays = await self.storage.housing.stays_between(antenna, first_day, end, (CONFIRMED,))
        return [
            NightCount(night, sum(1 for s in stays if s.arrival <= night < s.departure), beds)
            for night in nights(first_day, end)
        ]

    async def stays_for(self, antenna: str, first: date, end: date) -> Movements:
        """Confirmed stays arriving, and leaving (departure morning), in first .. end - 1."""
        stays = await self.storage.housing.stays_between(
            antenna, first - timedelta(days=MAX_NIGHTS + 1), end + timedelta(days=1), (CONFIRMED,)
        )
        arrivals = [s for s in stays if first <= s.arrival < end]
        departures = sorted(
            (s for s in stays if first <= s.departure < end), key=lambda s: (s.departure, s.id)
        )
        return Movements(arrivals, departures)

    async def balances(self, antenna: str, today: date | None = None) -> list[Account]:
        """Every volunteer with a confirmed stay at the antenna that has begun (current, or
        ended within the last year), largest balance first. `today` is informative: accounts
        are always counted up to the service's today."""
        del today
        now = self.today()
        stays = await self.storage.housing.stays_between(
            antenna, now - timedelta(days=365), now + timedelta(days=1), (CONFIRMED,)
        )
        accounts: list[Account] = []
        for user_id in dict.fromkeys(s.user_id for s in stays):
            user = await self.storage.users.get(user_id)
            if user is not None:
                accounts.append(await self.account(user))
        return sorted(accounts, key=lambda a: (-a.balance, a.user.id))

    async def open_reductions(self, antenna: str) -> list[HousingReduction]:
        return await self.storage.housing.open_reductions(antenna)

    async def waiting(self, antenna: str) -> list[Stay]:
        return await self.storage.housing.waiting(antenna)

    async def export_rows(self, antenna: str | None, start: datetime, end: datetime) -> ExportRows:
        """Stays with a night in the period (local dates of start .. end), every payment
        recorded in it, and the reductions of those stays. `antenna` None: every antenna."""
        first = start.astimezone(self.tz).date()
        last = end.astimezone(self.tz).date() + timedelta(days=1)
        antennas = [antenna] if antenna is not None else sorted(self.houses)
        rows: list[tuple[Stay, User | None, Account]] = []
        reductions: list[HousingReduction] = []
        stay_ids: set[int] = set()
        for code in antennas:
            for stay in await self.storage.housing.stays_between(
                code, first, last, (WAITING, CONFIRMED, REFUSED, CANCELLED)
            ):
                user = await self.storage.users.get(stay.user_id)
                stay_reductions = await self.storage.housing.reductions_of(stay.id)
                reductions += stay_reductions
                stay_ids.add(stay.id)
                if user is not None:
                    rows.append((stay, user, await self.account(user)))
        payments = [
            p
            for p in await self.storage.housing.payments_between(start, end)
            if antenna is None or p.stay_id in stay_ids
        ]
        return ExportRows(rows, payments, reductions)

    def stay_due(self, stay: Stay, reductions: list[HousingReduction]) -> tuple[Decimal, Decimal]:
        """(due so far, due for the whole stay) of one stay."""
        today = self.today()
        return (
            amount_due(stay.arrival, stay.departure, self.fee, reductions, today),
            amount_due(stay.arrival, stay.departure, self.fee, reductions),
        )
