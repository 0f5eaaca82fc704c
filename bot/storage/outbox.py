"""The outbox of messages to send, and where sent messages ended up."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

import aiosqlite

from bot.storage.database import Database, from_db, from_db_optional, to_db
from bot.storage.models import (
    OutboxEntry,
    Taken,
)

# What was said to people is not kept once it is out (or never will be): names, texts and
# buttons go, and where someone was; the method, file name and outcome stay for the record.
WORDS = (
    "text",
    "caption",
    "keyboard",
    "reply_keyboard",
    "if_refused",
    "commands",
    "latitude",
    "longitude",
    "title",
    "address",
)
WITHOUT_WORDS = "json_remove(payload, " + ", ".join(f"'$.{key}'" for key in WORDS) + ")"


def _outbox(row: aiosqlite.Row) -> OutboxEntry:
    return OutboxEntry(
        id=row["id"],
        chat_id=row["chat_id"],
        method=row["method"],
        payload=json.loads(row["payload"]),
        priority=row["priority"],
        batch=row["batch"],
        created_at=from_db(row["created_at"]),
        not_before=from_db(row["not_before"]),
        attempts=row["attempts"],
        status=row["status"],
        ref=row["ref"],
    )


# No earlier entry is still pending in the same queue (same chat, same priority). Entries
# without a chat (answers to button presses) are in no queue: NULL equals nothing.
_AT_HEAD = (
    " AND NOT EXISTS (SELECT 1 FROM outbox AS e WHERE e.status = 'pending' "
    "AND e.chat_id = o.chat_id AND e.priority = o.priority AND e.id < o.id)"
)


def _kind(uploads: bool | None) -> str:
    if uploads is None:
        return ""
    return " AND o.method = 'send_file'" if uploads else " AND o.method != 'send_file'"


MARK_SENT = (
    f"UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?, attempts = "  # noqa: S608
    f"attempts + 1, payload = {WITHOUT_WORDS} WHERE id = ?"
)
SET_REF = (
    "INSERT INTO message_refs (ref, chat_id, message_id, updated_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (ref) DO UPDATE SET chat_id = excluded.chat_id, "
    "message_id = excluded.message_id, updated_at = excluded.updated_at"
)
TOUCH_REF = "UPDATE message_refs SET updated_at = ? WHERE ref = ?"


class OutboxRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        chat_id: int | None,
        method: str,
        payload: dict[str, Any],
        *,
        now: datetime,
        priority: int = 0,
        batch: str | None = None,
        not_before: datetime | None = None,
        ref: str | None = None,
    ) -> int:
        return await self.db.insert(
            "INSERT INTO outbox (chat_id, method, payload, priority, batch, created_at, "
            "not_before, ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                chat_id,
                method,
                json.dumps(payload, ensure_ascii=False),
                priority,
                batch,
                to_db(now),
                to_db(not_before or now),
                ref,
            ),
        )

    async def due(
        self, now: datetime, limit: int = 20, *, uploads: bool | None = None
    ) -> list[OutboxEntry]:
        """Pending entries ready to send, most urgent first: the oldest pending entry of each
        (chat, priority) queue, so that an alert never waits behind a chat's bulk messages.

        `uploads` keeps only files (True) or everything else (False): each has its sender.
        """
        sql = "SELECT * FROM outbox AS o WHERE o.status = 'pending' AND o.not_before <= ?"
        sql += _kind(uploads) + _AT_HEAD + " ORDER BY o.priority, o.id LIMIT ?"
        rows = await self.db.fetch_all(sql, (to_db(now), limit))
        return [_outbox(row) for row in rows]

    async def next_wake(self, *, uploads: bool | None = None) -> datetime | None:
        # Only the head of each queue can be sent, as in due(): a later message that is due
        # behind one in back-off must not wake the sender in a loop.
        sql = "SELECT MIN(o.not_before) FROM outbox AS o WHERE o.status = 'pending'"
        value = await self.db.fetch_value(sql + _kind(uploads) + _AT_HEAD)
        return from_db_optional(value)

    async def pending_files(self) -> set[str]:
        """The paths of files still to be sent."""
        rows = await self.db.fetch_all(
            "SELECT json_extract(payload, '$.path') FROM outbox "
            "WHERE status = 'pending' AND method = 'send_file'"
        )
        return {row[0] for row in rows if row[0] is not None}

    async def mark_sent(self, entry_id: int, message_id: int | None, now: datetime) -> None:
        await self.db.execute(MARK_SENT, (to_db(now), message_id, entry_id))

    async def record_taken(self, taken: list[Taken], now: datetime) -> None:
        """What Telegram took, all in one trip to the database's thread (the caller's
        transaction): rows marked sent (a passing one deleted), where messages went
        remembered, references of edited messages kept in use."""
        stamp = to_db(now)

        def record(db: sqlite3.Connection) -> None:
            db.executemany(
                "DELETE FROM outbox WHERE id = ?", [(t.entry_id,) for t in taken if t.ephemeral]
            )
            db.executemany(
                MARK_SENT,
                [(stamp, t.message_id, t.entry_id) for t in taken if not t.ephemeral],
            )
            db.executemany(
                SET_REF,
                [
                    (ref, chat_id, message_id, stamp)
                    for t in taken
                    if t.ref
                    for ref, chat_id, message_id in [t.ref]
                ],
            )
            db.executemany(TOUCH_REF, [(stamp, t.touched) for t in taken if t.touched])

        await self.db.run(record)

    async def mark_final(self, entry_id: int, status: str, error: str, now: datetime) -> None:
        await self.db.execute(
            f"UPDATE outbox SET status = ?, last_error = ?, sent_at = ?, "  # noqa: S608
            f"attempts = attempts + 1, payload = {WITHOUT_WORDS} WHERE id = ?",
            (status, error, to_db(now), entry_id),
        )

    async def postpone(
        self, entry_id: int, until: datetime, error: str, *, count_attempt: bool
    ) -> None:
        await self.db.execute(
            "UPDATE outbox SET not_before = ?, last_error = ?, attempts = attempts + ? "
            "WHERE id = ?",
            (to_db(until), error, int(count_attempt), entry_id),
        )

    async def drop_pending_for_chat(self, chat_id: int, error: str) -> None:
        await self.db.execute(
            f"UPDATE outbox SET status = 'blocked', last_error = ?, "  # noqa: S608
            f"payload = {WITHOUT_WORDS} WHERE chat_id = ? AND status = 'pending'",
            (error, chat_id),
        )

    async def counts_by_status(self, batch: str | None = None) -> dict[str, int]:
        if batch is None:
            rows = await self.db.fetch_all("SELECT status, COUNT(*) FROM outbox GROUP BY status")
        else:
            rows = await self.db.fetch_all(
                "SELECT status, COUNT(*) FROM outbox WHERE batch = ? GROUP BY status", (batch,)
            )
        return {row[0]: row[1] for row in rows}

    async def prune(self, before: datetime) -> int:
        """Forget finished rows: they hold what was said to people (data minimisation)."""
        return await self.db.execute(
            "DELETE FROM outbox WHERE status != 'pending' AND created_at < ?", (to_db(before),)
        )

    async def delete(self, entry_id: int) -> None:
        await self.db.execute("DELETE FROM outbox WHERE id = ?", (entry_id,))

    async def delete_for_chat(self, chat_id: int) -> None:
        """Forget what was sent, or was still to be sent, to a chat."""
        await self.db.execute("DELETE FROM outbox WHERE chat_id = ?", (chat_id,))

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its queued messages go to the new id."""
        await self.db.execute(
            "UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND status = 'pending'",
            (new_chat_id, old_chat_id),
        )


class MessageRefRepo:
    """Where a message the bot may edit later ended up (chat and message id)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def set(self, ref: str, chat_id: int, message_id: int, now: datetime) -> None:
        await self.db.execute(SET_REF, (ref, chat_id, message_id, to_db(now)))

    async def get(self, ref: str) -> tuple[int, int] | None:
        row = await self.db.fetch_one(
            "SELECT chat_id, message_id FROM message_refs WHERE ref = ?", (ref,)
        )
        return None if row is None else (row[0], row[1])

    async def touch(self, ref: str, now: datetime) -> None:
        """The message was just edited: it is still in use."""
        await self.db.execute(TOUCH_REF, (to_db(now), ref))

    async def prune(self, before: datetime) -> int:
        """Forget where messages went that were neither sent nor edited since `before`."""
        return await self.db.execute(
            "DELETE FROM message_refs WHERE updated_at < ?", (to_db(before),)
        )
