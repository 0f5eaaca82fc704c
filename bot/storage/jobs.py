"""Stored timed jobs and small settings kept in the database."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.storage.database import Database, from_db, to_db
from bot.storage.models import (
    Job,
)


class MetaRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, key: str) -> str | None:
        value = await self.db.fetch_value("SELECT value FROM meta WHERE key = ?", (key,))
        return None if value is None else str(value)

    async def set_once(self, key: str, value: str) -> str:
        """Store `value` unless the key has one; return the value that is stored."""
        await self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
            (key, value),
        )
        stored = await self.get(key)
        assert stored is not None
        return stored

    async def set(self, key: str, value: str) -> None:
        await self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def _job(row: aiosqlite.Row) -> Job:
    return Job(
        id=row["id"],
        kind=row["kind"],
        key=row["key"],
        due_at=from_db(row["due_at"]),
        payload=json.loads(row["payload"]),
        status=row["status"],
    )


class JobRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def upsert(
        self, kind: str, key: str, due_at: datetime, payload: dict[str, Any], now: datetime
    ) -> Job:
        """Schedule a job, or move the pending job of that key to the new time."""
        await self.db.execute(
            "INSERT INTO jobs (kind, key, due_at, payload, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, due_at = excluded.due_at, "
            "payload = excluded.payload, status = 'pending', fired_at = NULL, note = NULL",
            (kind, key, to_db(due_at), json.dumps(payload), to_db(now)),
        )
        row = await self.db.fetch_one("SELECT * FROM jobs WHERE key = ?", (key,))
        assert row is not None
        return _job(row)

    async def get(self, job_id: int) -> Job | None:
        row = await self.db.fetch_one("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return None if row is None else _job(row)

    async def by_key(self, key: str) -> Job | None:
        row = await self.db.fetch_one("SELECT * FROM jobs WHERE key = ?", (key,))
        return None if row is None else _job(row)

    async def cancel(self, key: str) -> int:
        """Cancel the pending job of exactly that key (0 or 1)."""
        return await self.db.execute(
            "UPDATE jobs SET status = 'cancelled' WHERE status = 'pending' AND key = ?", (key,)
        )

    async def cancel_under(self, key_prefix: str) -> int:
        """Cancel the pending jobs whose key starts with the prefix, which ends with ":" so
        that "shift:1:" never reaches "shift:12:check"."""
        if not key_prefix.endswith(":"):
            raise ValueError(f"a job family's prefix ends with a colon: {key_prefix!r}")
        # A range on the key's unique index (":" + 1 is ";"), not substr(), which reads every
        # pending job: this runs under the write lock each time a shift ends (issue 13).
        return await self.db.execute(
            "UPDATE jobs SET status = 'cancelled' WHERE status = 'pending' AND "
            "key >= ? AND key < ?",
            (key_prefix, key_prefix[:-1] + ";"),
        )

    async def pending(self) -> list[Job]:
        rows = await self.db.fetch_all(
            "SELECT * FROM jobs WHERE status = 'pending' ORDER BY due_at, id"
        )
        return [_job(row) for row in rows]

    async def due(self, now: datetime) -> list[Job]:
        rows = await self.db.fetch_all(
            "SELECT * FROM jobs WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id",
            (to_db(now),),
        )
        return [_job(row) for row in rows]

    async def claim(self, job_id: int, now: datetime) -> Job | None:
        """Take a due job for running; None if it already ran, was cancelled or moved later."""
        changed = await self.db.execute(
            "UPDATE jobs SET status = 'done', fired_at = ? "
            "WHERE id = ? AND status = 'pending' AND due_at <= ?",
            (to_db(now), job_id, to_db(now)),
        )
        return await self.get(job_id) if changed else None

    async def lease(self, job_id: int, now: datetime, lease: timedelta) -> Job | None:
        """Take a due long job for a while without marking it done: if the bot dies while it
        runs, the lease runs out and the job is taken again."""
        changed = await self.db.execute(
            "UPDATE jobs SET fired_at = ? WHERE id = ? AND status = 'pending' AND due_at <= ? "
            "AND (fired_at IS NULL OR fired_at < ?)",
            (to_db(now), job_id, to_db(now), to_db(now - lease)),
        )
        return await self.get(job_id) if changed else None

    async def renew(self, job_id: int, leased_at: datetime, now: datetime) -> bool:
        """Move a running long job's lease on; False if it is no longer held with `leased_at`."""
        changed = await self.db.execute(
            "UPDATE jobs SET fired_at = ? WHERE id = ? AND status = 'pending' AND fired_at = ?",
            (to_db(now), job_id, to_db(leased_at)),
        )
        return changed > 0

    async def finish(
        self,
        job_id: int,
        status: str,
        note: str,
        now: datetime,
        *,
        leased_at: datetime | None = None,
    ) -> bool:
        """Close a job; with `leased_at`, only if that lease still holds it (else False)."""
        sql = "UPDATE jobs SET status = ?, note = ?, fired_at = ? WHERE id = ?"
        params: list[Any] = [status, note, to_db(now), job_id]
        if leased_at is not None:
            sql += " AND status = 'pending' AND fired_at = ?"
            params.append(to_db(leased_at))
        return await self.db.execute(sql, params) > 0

    async def prune(self, before: datetime) -> int:
        """Forget finished jobs due before then (pending ones always stay)."""
        return await self.db.execute(
            "DELETE FROM jobs WHERE status != 'pending' AND due_at < ?", (to_db(before),)
        )
