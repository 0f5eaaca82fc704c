"""Broadcasts and their progress, read from the outbox rows of their batch."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.storage.database import Database, from_db, from_db_optional, to_db
from bot.storage.models import Broadcast, BroadcastProgress


def _broadcast(row: aiosqlite.Row) -> Broadcast:
    return Broadcast(
        id=row["id"],
        antenna=row["antenna"],
        target=row["target"],
        draft_id=row["draft_id"],
        created_by=row["created_by"],
        created_at=from_db(row["created_at"]),
        recipients=row["recipients"],
        summary_chat_id=row["summary_chat_id"],
        summary=row["summary"],
        sent=row["sent"],
        blocked=row["blocked"],
        failed=row["failed"],
        finished_at=from_db_optional(row["finished_at"]),
    )


class BroadcastRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        antenna: str,
        target: str,
        *,
        draft_id: int | None,
        created_by: int | None,
        now: datetime,
        summary_chat_id: int | None,
    ) -> int:
        """A new broadcast with no recipient yet (`set_recipients` once its copies are queued:
        their batch names the broadcast's id)."""
        return await self.db.insert(
            "INSERT INTO broadcasts (antenna, target, draft_id, created_by, created_at, "
            "recipients, summary_chat_id) VALUES (?, ?, ?, ?, ?, 0, ?)",
            (antenna, target, draft_id, created_by, to_db(now), summary_chat_id),
        )

    async def set_recipients(self, broadcast_id: int, recipients: int) -> None:
        await self.db.execute(
            "UPDATE broadcasts SET recipients = ? WHERE id = ?", (recipients, broadcast_id)
        )

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = await self.db.fetch_one("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return None if row is None else _broadcast(row)

    async def by_draft(self, draft_id: int) -> Broadcast | None:
        row = await self.db.fetch_one("SELECT * FROM broadcasts WHERE draft_id = ?", (draft_id,))
        return None if row is None else _broadcast(row)

    async def unfinished(self) -> list[Broadcast]:
        rows = await self.db.fetch_all(
            "SELECT * FROM broadcasts WHERE finished_at IS NULL ORDER BY id"
        )
        return [_broadcast(row) for row in rows]

    async def has_pending(self, batch: str) -> bool:
        value = await self.db.fetch_value(
            "SELECT 1 FROM outbox WHERE batch = ? AND status = 'pending' LIMIT 1", (batch,)
        )
        return value is not None

    async def progress(self, batch: str) -> BroadcastProgress:
        """Recipients by outcome: pending while any part is; else blocked (Telegram's 403) or
        failed (a final refusal) if any part was; else sent."""
        row = await self.db.fetch_one(
            "SELECT COALESCE(SUM(p > 0), 0), COALESCE(SUM(p = 0 AND b = 0 AND f = 0), 0), "
            "COALESCE(SUM(p = 0 AND b > 0), 0), COALESCE(SUM(p = 0 AND b = 0 AND f > 0), 0) "
            "FROM (SELECT chat_id, SUM(status = 'pending') AS p, SUM(status = 'blocked') AS b, "
            "SUM(status IN ('failed', 'dropped')) AS f FROM outbox WHERE batch = ? "
            "GROUP BY chat_id)",
            (batch,),
        )
        assert row is not None
        return BroadcastProgress(pending=row[0], sent=row[1], blocked=row[2], failed=row[3])

    async def set_summary(
        self, broadcast_id: int, summary: str, progress: BroadcastProgress
    ) -> None:
        await self.db.execute(
            "UPDATE broadcasts SET summary = ?, sent = ?, blocked = ?, failed = ? WHERE id = ?",
            (summary, progress.sent, progress.blocked, progress.failed, broadcast_id),
        )

    async def finish(self, broadcast_id: int, progress: BroadcastProgress, now: datetime) -> bool:
        """Record the final counts once; False if it was already finished."""
        changed = await self.db.execute(
            "UPDATE broadcasts SET sent = ?, blocked = ?, failed = ?, finished_at = ? "
            "WHERE id = ? AND finished_at IS NULL",
            (progress.sent, progress.blocked, progress.failed, to_db(now), broadcast_id),
        )
        return changed == 1
