"""Team alerts and the weekly summary's switch (issue 10 §4–5)."""

from __future__ import annotations

from datetime import date, datetime, time

import aiosqlite

from bot.storage.database import Database, from_db, from_db_optional, to_db
from bot.storage.models import TeamAlert


def _alert(row: aiosqlite.Row) -> TeamAlert:
    return TeamAlert(
        id=row["id"],
        antenna=row["antenna"],
        kind=row["kind"],
        at=time.fromisoformat(row["at"]),
        weekday=row["weekday"],
        day=date.fromisoformat(row["day"]) if row["day"] else None,
        text=row["text"],
        created_by=row["created_by"],
        created_at=from_db(row["created_at"]),
        deleted_at=from_db_optional(row["deleted_at"]),
    )


class AlertRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        antenna: str,
        kind: str,
        at: time,
        weekday: int | None,
        day: date | None,
        text: str,
        created_by: int,
        now: datetime,
    ) -> int:
        return await self.db.insert(
            "INSERT INTO alerts (antenna, kind, at, weekday, day, text, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                antenna,
                kind,
                at.strftime("%H:%M"),
                weekday,
                day.isoformat() if day else None,
                text,
                created_by,
                to_db(now),
            ),
        )

    async def get(self, alert_id: int) -> TeamAlert | None:
        row = await self.db.fetch_one("SELECT * FROM alerts WHERE id = ?", (alert_id,))
        return None if row is None else _alert(row)

    async def active(self, antenna: str) -> list[TeamAlert]:
        rows = await self.db.fetch_all(
            "SELECT * FROM alerts WHERE antenna = ? AND deleted_at IS NULL ORDER BY id",
            (antenna,),
        )
        return [_alert(row) for row in rows]

    async def recurring(self) -> list[TeamAlert]:
        """Every antenna's daily and weekly alerts not deleted."""
        rows = await self.db.fetch_all(
            "SELECT * FROM alerts WHERE kind != 'once' AND deleted_at IS NULL ORDER BY id"
        )
        return [_alert(row) for row in rows]

    async def delete(self, alert_id: int, now: datetime) -> bool:
        """Mark an alert deleted; False if it already was (a second tap)."""
        changed = await self.db.execute(
            "UPDATE alerts SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
            (to_db(now), alert_id),
        )
        return changed > 0

    async def summary_enabled(self, antenna: str) -> bool:
        value = await self.db.fetch_value(
            "SELECT enabled FROM weekly_summaries WHERE antenna = ?", (antenna,)
        )
        return value is None or bool(value)

    async def set_summary(self, antenna: str, enabled: bool, by: int, now: datetime) -> bool:
        """Switch the weekly summary; False if it already was that way."""
        if await self.summary_enabled(antenna) == enabled:
            return False
        await self.db.execute(
            "INSERT INTO weekly_summaries (antenna, enabled, changed_by, changed_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (antenna) DO UPDATE SET enabled = excluded.enabled, "
            "changed_by = excluded.changed_by, changed_at = excluded.changed_at",
            (antenna, int(enabled), by, to_db(now)),
        )
        return True
