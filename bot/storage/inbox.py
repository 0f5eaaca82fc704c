"""The durable inbox of updates (SPEC §8)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.storage.database import Database, from_db, to_db
from bot.storage.models import (
    InboxEntry,
)


class InboxRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def store(self, updates: Iterable[tuple[int, dict[str, Any]]], now: datetime) -> int:
        """Store updates not seen before; return how many were new."""
        stored = 0
        for update_id, payload in updates:
            stored += await self.db.execute(
                "INSERT INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?) "
                "ON CONFLICT (update_id) DO NOTHING",
                (update_id, json.dumps(payload, ensure_ascii=False), to_db(now)),
            )
        return stored

    async def pending(self, limit: int = 100) -> list[InboxEntry]:
        rows = await self.db.fetch_all(
            "SELECT update_id, payload, received_at FROM inbox "
            "WHERE handled_at IS NULL ORDER BY update_id LIMIT ?",
            (limit,),
        )
        return [
            InboxEntry(r["update_id"], json.loads(r["payload"]), from_db(r["received_at"]))
            for r in rows
        ]

    async def mark_handled(self, update_id: int, outcome: str, now: datetime) -> None:
        await self.db.execute(
            "UPDATE inbox SET handled_at = ?, outcome = ?, payload = NULL WHERE update_id = ?",
            (to_db(now), outcome, update_id),
        )

    async def count_restart(self, give_up_after: int, now: datetime) -> list[InboxEntry]:
        """Mark the first unhandled update; set it aside once it was first too many times."""
        row = await self.db.fetch_one(
            "SELECT update_id FROM inbox WHERE handled_at IS NULL ORDER BY update_id LIMIT 1"
        )
        if row is None:
            return []
        await self.db.execute(
            "UPDATE inbox SET attempts = attempts + 1 WHERE update_id = ?", (row[0],)
        )
        poisoned = await self.db.fetch_all(
            "SELECT update_id, payload, received_at FROM inbox "
            "WHERE handled_at IS NULL AND attempts > ?",
            (give_up_after,),
        )
        entries = [
            InboxEntry(r["update_id"], json.loads(r["payload"]), from_db(r["received_at"]))
            for r in poisoned
        ]
        for entry in entries:
            await self.mark_handled(entry.update_id, "poison", now)
        return entries

    async def clear_restart_marks(self) -> None:
        await self.db.execute("UPDATE inbox SET attempts = 0 WHERE handled_at IS NULL")

    async def outcomes(self) -> dict[int, str | None]:
        rows = await self.db.fetch_all("SELECT update_id, outcome FROM inbox")
        return {r["update_id"]: r["outcome"] for r in rows}

    async def prune(self, before: datetime) -> int:
        return await self.db.execute(
            "DELETE FROM inbox WHERE handled_at IS NOT NULL AND handled_at < ?", (to_db(before),)
        )
