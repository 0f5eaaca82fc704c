"""Volunteer housing (issue 12): stays, contributions paid and reduction requests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import aiosqlite

from bot.storage.database import Database, from_db, from_db_optional, to_db
from bot.storage.models import HousingPayment, HousingReduction, Stay

# Stays that hold a bed or may: a refused or cancelled one holds nothing.
LIVE = ("waiting", "confirmed")


def _stay(row: aiosqlite.Row) -> Stay:
    return Stay(
        id=row["id"],
        user_id=row["user_id"],
        antenna=row["antenna"],
        house=row["house"],
        arrival=date.fromisoformat(row["arrival"]),
        departure=date.fromisoformat(row["departure"]),
        status=row["status"],
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
        decided_by=row["decided_by"],
        decided_at=from_db_optional(row["decided_at"]),
        ended_early=bool(row["ended_early"]),
    )


def _payment(row: aiosqlite.Row) -> HousingPayment:
    return HousingPayment(
        id=row["id"],
        user_id=row["user_id"],
        stay_id=row["stay_id"],
        amount=Decimal(row["amount"]),
        recorded_by=row["recorded_by"],
        recorded_at=from_db(row["recorded_at"]),
        nonce=row["nonce"],
        undone_at=from_db_optional(row["undone_at"]),
    )


def _reduction(row: aiosqlite.Row) -> HousingReduction:
    return HousingReduction(
        id=row["id"],
        stay_id=row["stay_id"],
        user_id=row["user_id"],
        requested_at=from_db(row["requested_at"]),
        reason=row["reason"],
        status=row["status"],
        nightly=None if row["nightly"] is None else Decimal(row["nightly"]),
        decided_by=row["decided_by"],
        decided_at=from_db_optional(row["decided_at"]),
        effective_from=(
            None if row["effective_from"] is None else date.fromisoformat(row["effective_from"])
        ),
    )


class HousingRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # Stays.
    async def add_stay(
        self,
        user_id: int,
        antenna: str,
        house: str,
        arrival: date,
        departure: date,
        status: str,
        now: datetime,
    ) -> int:
        return await self.db.insert(
            "INSERT INTO stays (user_id, antenna, house, arrival, departure, status, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                user_id,
                antenna,
                house,
                arrival.isoformat(),
                departure.isoformat(),
                status,
                to_db(now),
                to_db(now),
            ),
        )

    async def stay(self, stay_id: int) -> Stay | None:
        row = await self.db.fetch_one("SELECT * FROM stays WHERE id = ?", (stay_id,))
        return None if row is None else _stay(row)

    async def stays_of(self, user_id: int) -> list[Stay]:
        """Every stay of a person, waiting or confirmed, by arrival."""
        rows = await self.db.fetch_all(
            "SELECT * FROM stays WHERE user_id = ? AND status IN (?, ?) ORDER BY arrival, id",
            (user_id, *LIVE),
        )
        return [_stay(row) for row in rows]

    async def stays_between(
        self, antenna: str, first: date, end: date, statuses: tuple[str, ...] = LIVE
    ) -> list[Stay]:
        """The antenna's stays with at least one night in first .. end - 1."""
        marks = ", ".join("?" for _ in statuses)
        sql = (
            f"SELECT * FROM stays WHERE antenna = ? AND status IN ({marks}) "  # noqa: S608
            "AND arrival < ? AND departure > ? ORDER BY arrival, id"
        )
        rows = await self.db.fetch_all(
            sql, (antenna, *statuses, end.isoformat(), first.isoformat())
        )
        return [_stay(row) for row in rows]

    async def waiting(self, antenna: str) -> list[Stay]:
        rows = await self.db.fetch_all(
            "SELECT * FROM stays WHERE antenna = ? AND status = 'waiting' ORDER BY arrival, id",
            (antenna,),
        )
        return [_stay(row) for row in rows]

    async def change_dates(
        self, stay_id: int, arrival: date, departure: date, status: str, now: datetime
    ) -> bool:
        changed = await self.db.execute(
            "UPDATE stays SET arrival = ?, departure = ?, status = ?, updated_at = ?, "
            "decided_by = NULL, decided_at = NULL WHERE id = ? AND status IN (?, ?)",
            (arrival.isoformat(), departure.isoformat(), status, to_db(now), stay_id, *LIVE),
        )
        return changed > 0

    async def end_early(self, stay_id: int, departure: date, now: datetime) -> bool:
        changed = await self.db.execute(
            "UPDATE stays SET departure = ?, ended_early = 1, updated_at = ? "
            "WHERE id = ? AND status IN (?, ?) AND departure > ? AND arrival < ?",
            (
                departure.isoformat(),
                to_db(now),
                stay_id,
                *LIVE,
                departure.isoformat(),
                departure.isoformat(),
            ),
        )
        return changed > 0

    async def set_status(
        self,
        stay_id: int,
        status: str,
        from_statuses: tuple[str, ...],
        by: int | None,
        now: datetime,
    ) -> bool:
        """Move a stay to `status` if it is in one of `from_statuses`; False otherwise (the
        first decision wins)."""
        marks = ", ".join("?" for _ in from_statuses)
        sql = (
            "UPDATE stays SET status = ?, updated_at = ?, decided_by = ?, decided_at = ? "  # noqa: S608
            f"WHERE id = ? AND status IN ({marks})"
        )
        changed = await self.db.execute(
            sql,
            (
                status,
                to_db(now),
                by,
                to_db(now) if by is not None else None,
                stay_id,
                *from_statuses,
            ),
        )
        return changed > 0

    # Payments.
    async def add_payment(
        self,
        user_id: int,
        stay_id: int | None,
        amount: Decimal,
        recorded_by: int,
        nonce: str,
        now: datetime,
    ) -> tuple[HousingPayment, bool]:
        """Record a payment once per nonce: (the payment, True if recorded by this call)."""
        changed = await self.db.execute(
            "INSERT INTO housing_payments (user_id, stay_id, amount, recorded_by, recorded_at, "
            "nonce) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (nonce) DO NOTHING",
            (user_id, stay_id, str(amount), recorded_by, to_db(now), nonce),
        )
        row = await self.db.fetch_one("SELECT * FROM housing_payments WHERE nonce = ?", (nonce,))
        assert row is not None
        return _payment(row), changed > 0

    async def payment(self, payment_id: int) -> HousingPayment | None:
        row = await self.db.fetch_one("SELECT * FROM housing_payments WHERE id = ?", (payment_id,))
        return None if row is None else _payment(row)

    async def undo_payment(self, payment_id: int, by: int, now: datetime) -> bool:
        changed = await self.db.execute(
            "UPDATE housing_payments SET undone_at = ?, undone_by = ? "
            "WHERE id = ? AND undone_at IS NULL",
            (to_db(now), by, payment_id),
        )
        return changed > 0

    async def payments_of(self, user_id: int) -> list[HousingPayment]:
        """A person's payments not undone, oldest first."""
        rows = await self.db.fetch_all(
            "SELECT * FROM housing_payments WHERE user_id = ? AND undone_at IS NULL "
            "ORDER BY recorded_at, id",
            (user_id,),
        )
        return [_payment(row) for row in rows]

    async def payments_between(self, start: datetime, end: datetime) -> list[HousingPayment]:
        """Every payment recorded in [start, end), undone ones included (they show undone)."""
        rows = await self.db.fetch_all(
            "SELECT * FROM housing_payments WHERE recorded_at >= ? AND recorded_at < ? "
            "ORDER BY recorded_at, id",
            (to_db(start), to_db(end)),
        )
        return [_payment(row) for row in rows]

    # Reductions.
    async def add_reduction(
        self, stay_id: int, user_id: int, reason: str, now: datetime
    ) -> int | None:
        """Open a request; None if the stay already has an open one."""
        changed = await self.db.execute(
            "INSERT INTO housing_reductions (stay_id, user_id, requested_at, reason, status) "
            "VALUES (?, ?, ?, ?, 'open') ON CONFLICT DO NOTHING",
            (stay_id, user_id, to_db(now), reason),
        )
        if not changed:
            return None
        value = await self.db.fetch_value(
            "SELECT id FROM housing_reductions WHERE stay_id = ? AND status = 'open'", (stay_id,)
        )
        return int(value)

    async def reduction(self, reduction_id: int) -> HousingReduction | None:
        row = await self.db.fetch_one(
            "SELECT * FROM housing_reductions WHERE id = ?", (reduction_id,)
        )
        return None if row is None else _reduction(row)

    async def reductions_of(self, stay_id: int) -> list[HousingReduction]:
        rows = await self.db.fetch_all(
            "SELECT * FROM housing_reductions WHERE stay_id = ? ORDER BY requested_at, id",
            (stay_id,),
        )
        return [_reduction(row) for row in rows]

    async def open_reductions(self, antenna: str) -> list[HousingReduction]:
        rows = await self.db.fetch_all(
            "SELECT r.* FROM housing_reductions r JOIN stays s ON s.id = r.stay_id "
            "WHERE s.antenna = ? AND r.status = 'open' ORDER BY r.requested_at, r.id",
            (antenna,),
        )
        return [_reduction(row) for row in rows]

    async def decide_reduction(
        self,
        reduction_id: int,
        status: str,
        nightly: Decimal | None,
        by: int,
        effective_from: date | None,
        now: datetime,
    ) -> bool:
        """Decide an open request; False if it was already decided (the first wins)."""
        changed = await self.db.execute(
            "UPDATE housing_reductions SET status = ?, nightly = ?, decided_by = ?, "
            "decided_at = ?, effective_from = ? WHERE id = ? AND status = 'open'",
            (
                status,
                None if nightly is None else str(nightly),
                by,
                to_db(now),
                None if effective_from is None else effective_from.isoformat(),
                reduction_id,
            ),
        )
        return changed > 0
