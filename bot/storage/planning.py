"""Planned shifts and sign-ups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiosqlite

from bot.storage.database import Database, from_db, from_db_optional, to_db
from bot.storage.models import (
    PlannedShift,
    User,
)
from bot.storage.users import user_from_row


def _planned(row: aiosqlite.Row) -> PlannedShift:
    return PlannedShift(
        id=row["id"],
        antenna=row["antenna"],
        activity=row["activity"],
        starts_at=from_db(row["starts_at"]),
        ends_at=from_db(row["ends_at"]),
        needed=row["needed"],
        created_by=row["created_by"],
        cancelled_at=from_db_optional(row["cancelled_at"]),
        signed=row["signed"],
        place_id=row["place_id"],
        place_name=row["place_name"],
        kind=row["kind"],
    )


PLANNED_WITH_COUNT = (
    "SELECT p.*, (SELECT COUNT(*) FROM signups s WHERE s.planned_id = p.id) AS signed, "
    "(SELECT pl.name FROM places pl WHERE pl.id = p.place_id) AS place_name "
    "FROM planned_shifts AS p"
)


class PlanningRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        antenna: str,
        activity: str,
        starts_at: datetime,
        ends_at: datetime,
        needed: int,
        created_by: int,
        now: datetime,
        place_id: int | None = None,
        kind: str = "shift",
    ) -> PlannedShift:
        planned_id = await self.db.insert(
            "INSERT INTO planned_shifts (antenna, activity, starts_at, ends_at, needed, "
            "created_by, created_at, place_id, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                antenna,
                activity,
                to_db(starts_at),
                to_db(ends_at),
                needed,
                created_by,
                to_db(now),
                place_id,
                kind,
            ),
        )
        planned = await self.get(planned_id)
        assert planned is not None
        return planned

    async def get(self, planned_id: int) -> PlannedShift | None:
        row = await self.db.fetch_one(f"{PLANNED_WITH_COUNT} WHERE p.id = ?", (planned_id,))
        return None if row is None else _planned(row)

    async def upcoming(
        self, antenna: str | None, since: datetime, until: datetime, kind: str | None = None
    ) -> list[PlannedShift]:
        sql = (
            f"{PLANNED_WITH_COUNT} WHERE p.cancelled_at IS NULL "
            "AND p.ends_at > ? AND p.starts_at < ?"
        )
        params: list[Any] = [to_db(since), to_db(until)]
        if antenna is not None:
            sql += " AND p.antenna = ?"
            params.append(antenna)
        if kind is not None:
            sql += " AND p.kind = ?"
            params.append(kind)
        rows = await self.db.fetch_all(sql + " ORDER BY p.starts_at, p.id", params)
        return [_planned(row) for row in rows]

    async def near(
        self, antenna: str, activity: str, since: datetime, until: datetime
    ) -> list[PlannedShift]:
        """Planned shifts of an activity starting in [since, until], for linking a check-in."""
        rows = await self.db.fetch_all(
            f"{PLANNED_WITH_COUNT} WHERE p.cancelled_at IS NULL AND p.antenna = ? AND "
            "p.activity = ? AND p.starts_at >= ? AND p.starts_at <= ? ORDER BY p.starts_at",
            (antenna, activity, to_db(since), to_db(until)),
        )
        return [_planned(row) for row in rows]

    async def cancel(self, planned_id: int, now: datetime) -> bool:
        changed = await self.db.execute(
            "UPDATE planned_shifts SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL",
            (to_db(now), planned_id),
        )
        return changed == 1

    async def toggle_signup(self, planned_id: int, user_id: int, now: datetime) -> bool:
        """Sign up, or withdraw if already signed up; True when now signed up."""
        removed = await self.db.execute(
            "DELETE FROM signups WHERE planned_id = ? AND user_id = ?", (planned_id, user_id)
        )
        if removed:
            return False
        await self.db.execute(
            "INSERT INTO signups (planned_id, user_id, created_at) VALUES (?, ?, ?)",
            (planned_id, user_id, to_db(now)),
        )
        return True

    async def signed_up(self, planned_id: int) -> list[User]:
        rows = await self.db.fetch_all(
            "SELECT u.* FROM signups s JOIN users u ON u.id = s.user_id "
            "WHERE s.planned_id = ? ORDER BY s.created_at",
            (planned_id,),
        )
        return [user_from_row(row) for row in rows]

    async def signed_by(self, user_id: int, since: datetime) -> list[PlannedShift]:
        """The shifts not over yet that a person signed up for."""
        rows = await self.db.fetch_all(
            f"{PLANNED_WITH_COUNT} WHERE p.ends_at > ? AND p.id IN "  # noqa: S608 - a constant
            "(SELECT planned_id FROM signups WHERE user_id = ?) ORDER BY p.starts_at",
            (to_db(since), user_id),
        )
        return [_planned(row) for row in rows]

    async def signed_up_at(self, planned_id: int, user_id: int) -> datetime | None:
        value = await self.db.fetch_value(
            "SELECT created_at FROM signups WHERE planned_id = ? AND user_id = ?",
            (planned_id, user_id),
        )
        return from_db_optional(value)

    async def is_signed_up(self, planned_id: int, user_id: int) -> bool:
        value = await self.db.fetch_value(
            "SELECT 1 FROM signups WHERE planned_id = ? AND user_id = ?", (planned_id, user_id)
        )
        return value is not None
