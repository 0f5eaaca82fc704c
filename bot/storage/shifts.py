"""Shifts: check-ins, check-outs, safety state and hours."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.storage.database import Database, from_db, from_db_optional, to_db
from bot.storage.models import (
    Hours,
    Shift,
)


def _shift(row: aiosqlite.Row) -> Shift:
    return Shift(
        id=row["id"],
        user_id=row["user_id"],
        antenna=row["antenna"],
        activity=row["activity"],
        started_at=from_db(row["started_at"]),
        ended_at=from_db_optional(row["ended_at"]),
        expected_return_at=from_db_optional(row["expected_return_at"]),
        planned_id=row["planned_id"],
        auto_closed=bool(row["auto_closed"]),
        safety_state=row["safety_state"],
    )


class ShiftRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def start(
        self,
        user_id: int,
        antenna: str,
        activity: str,
        started_at: datetime,
        expected_return_at: datetime | None,
        planned_id: int | None,
    ) -> Shift:
        shift_id = await self.db.insert(
            "INSERT INTO shifts (user_id, antenna, activity, started_at, expected_return_at, "
            "planned_id) VALUES (?, ?, ?, ?, ?, ?)",
            (
                user_id,
                antenna,
                activity,
                to_db(started_at),
                None if expected_return_at is None else to_db(expected_return_at),
                planned_id,
            ),
        )
        shift = await self.get(shift_id)
        assert shift is not None
        return shift

    async def get(self, shift_id: int) -> Shift | None:
        row = await self.db.fetch_one("SELECT * FROM shifts WHERE id = ?", (shift_id,))
        return None if row is None else _shift(row)

    async def running(self, user_id: int) -> Shift | None:
        row = await self.db.fetch_one(
            "SELECT * FROM shifts WHERE user_id = ? AND ended_at IS NULL", (user_id,)
        )
        return None if row is None else _shift(row)

    async def end(self, shift_id: int, ended_at: datetime, *, auto_closed: bool = False) -> bool:
        """Close a running shift; False if it was already closed."""
        changed = await self.db.execute(
            "UPDATE shifts SET ended_at = ?, auto_closed = ? WHERE id = ? AND ended_at IS NULL",
            (to_db(ended_at), int(auto_closed), shift_id),
        )
        return changed == 1

    async def set_expected_return(self, shift_id: int, at: datetime) -> None:
        await self.db.execute(
            "UPDATE shifts SET expected_return_at = ? WHERE id = ?", (to_db(at), shift_id)
        )

    async def set_safety_state(self, shift_id: int, state: str | None) -> None:
        await self.db.execute("UPDATE shifts SET safety_state = ? WHERE id = ?", (state, shift_id))

    async def running_in(self, antenna: str | None) -> list[Shift]:
        """Running shifts, of one antenna or of all, earliest first."""
        if antenna is None:
            rows = await self.db.fetch_all(
                "SELECT * FROM shifts WHERE ended_at IS NULL ORDER BY antenna, started_at"
            )
        else:
            rows = await self.db.fetch_all(
                "SELECT * FROM shifts WHERE ended_at IS NULL AND antenna = ? ORDER BY started_at",
                (antenna,),
            )
        return [_shift(row) for row in rows]

    async def hours_by_user(
        self,
        since: datetime,
        until: datetime,
        now: datetime,
        user_id: int | None = None,
        antenna: str | None = None,
    ) -> dict[int, Hours]:
        """Time on shift per volunteer for shifts started in [since, until); running ones
        count until now."""
        # Shifts of volunteers who erased their data count under user 0: still hours given.
        sql = (
            "SELECT COALESCE(user_id, 0) AS user_id, COUNT(*) AS shifts, "
            "SUM(auto_closed) AS auto_closed, "
            "SUM(julianday(COALESCE(ended_at, ?)) - julianday(started_at)) * 86400 AS seconds "
            "FROM shifts WHERE started_at >= ? AND started_at < ?"
        )
        params: list[Any] = [to_db(now), to_db(since), to_db(until)]
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        if antenna is not None:
            sql += " AND antenna = ?"
            params.append(antenna)
        rows = await self.db.fetch_all(sql + " GROUP BY COALESCE(user_id, 0)", params)
        return {
            row["user_id"]: Hours(
                timedelta(seconds=round(row["seconds"] or 0)), row["shifts"], row["auto_closed"]
            )
            for row in rows
        }
