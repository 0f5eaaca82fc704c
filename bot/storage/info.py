"""The information catalogue's confirmations, and the counts of information requests."""

from __future__ import annotations

from datetime import datetime

from bot.storage.database import Database, from_db, to_db
from bot.storage.models import Confirmation, InfoCount


class InfoRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def confirmations(self) -> dict[tuple[str, str], Confirmation]:
        rows = await self.db.fetch_all("SELECT * FROM content_confirmations")
        return {
            (row["scope"], row["entry_id"]): Confirmation(
                row["scope"], row["entry_id"], from_db(row["confirmed_at"]), row["confirmed_by"]
            )
            for row in rows
        }

    async def confirm(self, scope: str, entry_id: str, at: datetime, by: int | None) -> None:
        await self.db.execute(
            "INSERT INTO content_confirmations (scope, entry_id, confirmed_at, confirmed_by) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (scope, entry_id) DO UPDATE SET "
            "confirmed_at = excluded.confirmed_at, confirmed_by = excluded.confirmed_by",
            (scope, entry_id, to_db(at), by),
        )

    async def count_request(self, day: str, antenna: str, topic: str, locale: str) -> None:
        await self.db.execute(
            "INSERT INTO info_requests (day, antenna, topic, locale, count) "
            "VALUES (?, ?, ?, ?, 1) ON CONFLICT (day, antenna, topic, locale) "
            "DO UPDATE SET count = count + 1",
            (day, antenna, topic, locale),
        )

    async def request_counts(self, antenna: str | None, first: str, last: str) -> list[InfoCount]:
        sql = (
            "SELECT topic, locale, SUM(count) AS n FROM info_requests WHERE day >= ? AND day <= ?"
        )
        params: list[str] = [first, last]
        if antenna is not None:
            sql += " AND antenna = ?"
            params.append(antenna)
        rows = await self.db.fetch_all(
            sql + " GROUP BY topic, locale ORDER BY topic, locale", params
        )
        return [InfoCount(row["topic"], row["locale"], row["n"]) for row in rows]
