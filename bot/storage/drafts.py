"""Drafts of multi-step forms, kept across restarts."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite

from bot.storage.database import Database, from_db, to_db
from bot.storage.models import (
    Draft,
)


class DraftRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        user_id: int,
        kind: str,
        payload: dict[str, Any],
        now: datetime,
        *,
        replace: bool = True,
    ) -> int:
        """Save a draft; it replaces the caller's other drafts of the kind unless `replace` is
        False (the caller then bounds them)."""
        if replace:
            await self.db.execute(
                "DELETE FROM drafts WHERE user_id = ? AND kind = ?", (user_id, kind)
            )
        return await self.db.insert(
            "INSERT INTO drafts (user_id, kind, payload, created_at) VALUES (?, ?, ?, ?)",
            (user_id, kind, json.dumps(payload, ensure_ascii=False), to_db(now)),
        )

    async def get(self, draft_id: int) -> Draft | None:
        row = await self.db.fetch_one("SELECT * FROM drafts WHERE id = ?", (draft_id,))
        return None if row is None else _draft(row)

    async def latest(self, user_id: int, kind: str) -> Draft | None:
        row = await self.db.fetch_one(
            "SELECT * FROM drafts WHERE user_id = ? AND kind = ? ORDER BY id DESC LIMIT 1",
            (user_id, kind),
        )
        return None if row is None else _draft(row)

    async def all_of(self, user_id: int, kind: str) -> list[Draft]:
        """The caller's drafts of a kind, the oldest first."""
        rows = await self.db.fetch_all(
            "SELECT * FROM drafts WHERE user_id = ? AND kind = ? ORDER BY id", (user_id, kind)
        )
        return [_draft(row) for row in rows]

    async def update(self, draft_id: int, payload: dict[str, Any]) -> None:
        await self.db.execute(
            "UPDATE drafts SET payload = ? WHERE id = ?",
            (json.dumps(payload, ensure_ascii=False), draft_id),
        )

    async def delete(self, draft_id: int) -> bool:
        return await self.db.execute("DELETE FROM drafts WHERE id = ?", (draft_id,)) == 1

    async def prune(self, before: datetime) -> int:
        return await self.db.execute("DELETE FROM drafts WHERE created_at < ?", (to_db(before),))


def _draft(row: aiosqlite.Row) -> Draft:
    return Draft(
        row["id"],
        row["user_id"],
        row["kind"],
        json.loads(row["payload"]),
        from_db(row["created_at"]),
    )
