"""Repositories over SQLite: parameterised SQL in, typed models out."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.storage.database import Database, from_db, from_db_optional, to_db
from bot.storage.models import (
    Antenna,
    Distribution,
    Draft,
    Hours,
    InboxEntry,
    Invite,
    Item,
    Job,
    OutboxEntry,
    Place,
    PlannedShift,
    Role,
    Shift,
    Total,
    User,
)


def _user(row: aiosqlite.Row) -> User:
    return User(
        id=row["id"],
        locale=row["locale"],
        telegram_language=row["telegram_language"],
        role=Role(row["role"]),
        antenna=row["antenna"],
        display_name=row["display_name"],
        username=row["username"],
        active=bool(row["active"]),
        created_at=from_db(row["created_at"]),
        last_seen_at=from_db(row["last_seen_at"]),
        menu_signature=row["menu_signature"],
    )


class UserRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user_id: int) -> User | None:
        row = await self.db.fetch_one("SELECT * FROM users WHERE id = ?", (user_id,))
        return None if row is None else _user(row)

    async def find_by_username(self, username: str) -> User | None:
        """The one user holding a username; None if nobody or, ambiguously, several do."""
        rows = await self.db.fetch_all(
            "SELECT * FROM users WHERE username = ? COLLATE NOCASE LIMIT 2",
            (username.lstrip("@"),),
        )
        return _user(rows[0]) if len(rows) == 1 else None

    async def touch(self, user_id: int, telegram_language: str | None, now: datetime) -> User:
        """Create the user on first contact, or record that they were seen again."""
        await self.db.execute(
            "INSERT INTO users (id, telegram_language, created_at, last_seen_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "telegram_language = excluded.telegram_language, "
            "last_seen_at = excluded.last_seen_at, active = 1",
            (user_id, telegram_language, to_db(now), to_db(now)),
        )
        user = await self.get(user_id)
        assert user is not None
        return user

    async def set_locale(self, user_id: int, locale: str) -> None:
        await self.db.execute("UPDATE users SET locale = ? WHERE id = ?", (locale, user_id))

    async def set_role(
        self,
        user_id: int,
        role: Role,
        *,
        antenna: str | None = None,
        display_name: str | None = None,
        username: str | None = None,
    ) -> None:
        if username:
            await self._release_username(username, user_id)
        await self.db.execute(
            "UPDATE users SET role = ?, antenna = COALESCE(?, antenna), "
            "display_name = COALESCE(?, display_name), username = COALESCE(?, username) "
            "WHERE id = ?",
            (role.value, antenna, display_name, username, user_id),
        )

    async def set_profile(self, user_id: int, display_name: str, username: str | None) -> None:
        if username:
            # Telegram usernames are reused: whoever held it before no longer does.
            await self._release_username(username, user_id)
        await self.db.execute(
            "UPDATE users SET display_name = ?, username = ? WHERE id = ?",
            (display_name, username, user_id),
        )

    async def _release_username(self, username: str, keeper: int) -> None:
        await self.db.execute(
            "UPDATE users SET username = NULL WHERE username = ? COLLATE NOCASE AND id != ?",
            (username, keeper),
        )

    async def clear_profile(self, user_id: int) -> None:
        """A person back to public keeps no name here (SPEC §6)."""
        await self.db.execute(
            "UPDATE users SET display_name = NULL, username = NULL WHERE id = ?", (user_id,)
        )

    async def set_active(self, user_id: int, active: bool) -> None:
        await self.db.execute("UPDATE users SET active = ? WHERE id = ?", (int(active), user_id))

    async def set_menu_signature(self, user_id: int, signature: str | None) -> None:
        await self.db.execute(
            "UPDATE users SET menu_signature = ? WHERE id = ?", (signature, user_id)
        )

    async def delete(self, user_id: int) -> None:
        """Erase a person: their row, and their id wherever it was kept as a plain number."""
        await _forget_invites(self.db, user_id)
        await self.db.execute("DELETE FROM users WHERE id = ?", (user_id,))

    async def with_role_at_least(self, role: Role, antenna: str | None = None) -> list[User]:
        roles = [r.value for r in Role if r.includes(role)]
        marks = ",".join("?" * len(roles))
        sql = f"SELECT * FROM users WHERE role IN ({marks})"  # noqa: S608 - only '?' marks
        params: list[Any] = list(roles)
        if antenna is not None:
            sql += " AND antenna = ?"
            params.append(antenna)
        rows = await self.db.fetch_all(sql + " ORDER BY display_name, id", params)
        return [_user(row) for row in rows]


class AntennaRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def all(self) -> list[Antenna]:
        rows = await self.db.fetch_all("SELECT * FROM antennas ORDER BY code")
        return [Antenna(r["code"], r["name"], r["team_chat_id"]) for r in rows]

    async def get(self, code: str) -> Antenna | None:
        row = await self.db.fetch_one("SELECT * FROM antennas WHERE code = ?", (code,))
        return None if row is None else Antenna(row["code"], row["name"], row["team_chat_id"])

    async def by_team_chat(self, chat_id: int) -> Antenna | None:
        row = await self.db.fetch_one("SELECT * FROM antennas WHERE team_chat_id = ?", (chat_id,))
        return None if row is None else Antenna(row["code"], row["name"], row["team_chat_id"])

    async def set_team_chat(self, code: str, chat_id: int | None) -> None:
        if chat_id is not None:
            # A chat is the team chat of one antenna only.
            await self.db.execute(
                "UPDATE antennas SET team_chat_id = NULL WHERE team_chat_id = ? AND code != ?",
                (chat_id, code),
            )
        await self.db.execute(
            "UPDATE antennas SET team_chat_id = ? WHERE code = ?", (chat_id, code)
        )

    async def add(self, code: str, name: str) -> None:
        await self.db.execute(
            "INSERT INTO antennas (code, name) VALUES (?, ?) ON CONFLICT (code) DO NOTHING",
            (code, name),
        )


def _invite(row: aiosqlite.Row) -> Invite:
    return Invite(
        code=row["code"],
        antenna=row["antenna"],
        created_by=row["created_by"],
        created_at=from_db(row["created_at"]),
        expires_at=from_db(row["expires_at"]),
        used_by=row["used_by"],
        used_at=from_db_optional(row["used_at"]),
    )


class InviteRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, invite: Invite) -> None:
        await self.db.execute(
            "INSERT INTO invites (code, antenna, created_by, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                invite.code,
                invite.antenna,
                invite.created_by,
                to_db(invite.created_at),
                to_db(invite.expires_at),
            ),
        )

    async def get(self, code: str) -> Invite | None:
        row = await self.db.fetch_one("SELECT * FROM invites WHERE code = ?", (code,))
        return None if row is None else _invite(row)

    async def use(self, code: str, user_id: int, now: datetime) -> bool:
        """Mark the invite used; False when someone else used it first."""
        changed = await self.db.execute(
            "UPDATE invites SET used_by = ?, used_at = ? WHERE code = ? AND used_by IS NULL",
            (user_id, to_db(now), code),
        )
        return changed == 1


async def _forget_invites(db: Database, user_id: int) -> None:
    await db.execute("UPDATE invites SET used_by = NULL WHERE used_by = ?", (user_id,))
    await db.execute("UPDATE invites SET created_by = 0 WHERE created_by = ?", (user_id,))


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

    async def due(self, now: datetime, limit: int = 20) -> list[OutboxEntry]:
        """Pending entries ready to send, each the oldest pending one of its chat."""
        rows = await self.db.fetch_all(
            "SELECT * FROM outbox AS o WHERE o.status = 'pending' AND o.not_before <= ? "
            "AND NOT EXISTS (SELECT 1 FROM outbox AS e WHERE e.status = 'pending' "
            "AND e.chat_id = o.chat_id AND e.id < o.id) "
            "ORDER BY o.priority, o.id LIMIT ?",
            (to_db(now), limit),
        )
        return [_outbox(row) for row in rows]

    async def next_wake(self) -> datetime | None:
        # Only the head of each chat's queue can be sent, as in due(): a later message that is
        # due behind one in back-off must not wake the sender in a loop.
        value = await self.db.fetch_value(
            "SELECT MIN(o.not_before) FROM outbox AS o WHERE o.status = 'pending' "
            "AND NOT EXISTS (SELECT 1 FROM outbox AS e WHERE e.status = 'pending' "
            "AND e.chat_id = o.chat_id AND e.id < o.id)"
        )
        return from_db_optional(value)

    async def mark_sent(self, entry_id: int, message_id: int | None, now: datetime) -> None:
        await self.db.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?, attempts = "
            "attempts + 1 WHERE id = ?",
            (to_db(now), message_id, entry_id),
        )

    async def mark_final(self, entry_id: int, status: str, error: str, now: datetime) -> None:
        await self.db.execute(
            "UPDATE outbox SET status = ?, last_error = ?, sent_at = ?, attempts = attempts + 1 "
            "WHERE id = ?",
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
            "UPDATE outbox SET status = 'blocked', last_error = ? "
            "WHERE chat_id = ? AND status = 'pending'",
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

    async def delete_for_chat(self, chat_id: int) -> None:
        """Forget what was sent, or was still to be sent, to a chat."""
        await self.db.execute("DELETE FROM outbox WHERE chat_id = ?", (chat_id,))

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its queued messages go to the new id."""
        await self.db.execute(
            "UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND status = 'pending'",
            (new_chat_id, old_chat_id),
        )


class MetaRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, key: str) -> str | None:
        value = await self.db.fetch_value("SELECT value FROM meta WHERE key = ?", (key,))
        return None if value is None else str(value)

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

    async def cancel(self, key_prefix: str) -> int:
        """Cancel the pending jobs whose key starts with the prefix."""
        return await self.db.execute(
            "UPDATE jobs SET status = 'cancelled' WHERE status = 'pending' AND "
            "substr(key, 1, ?) = ?",
            (len(key_prefix), key_prefix),
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

    async def finish(self, job_id: int, status: str, note: str, now: datetime) -> None:
        await self.db.execute(
            "UPDATE jobs SET status = ?, note = ?, fired_at = ? WHERE id = ?",
            (status, note, to_db(now), job_id),
        )


class MessageRefRepo:
    """Where a message the bot may edit later ended up (chat and message id)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def set(self, ref: str, chat_id: int, message_id: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO message_refs (ref, chat_id, message_id, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (ref) DO UPDATE SET chat_id = excluded.chat_id, "
            "message_id = excluded.message_id, updated_at = excluded.updated_at",
            (ref, chat_id, message_id, to_db(now)),
        )

    async def get(self, ref: str) -> tuple[int, int] | None:
        row = await self.db.fetch_one(
            "SELECT chat_id, message_id FROM message_refs WHERE ref = ?", (ref,)
        )
        return None if row is None else (row[0], row[1])


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

    async def between(self, antenna: str | None, since: datetime, until: datetime) -> list[Shift]:
        """Shifts started in [since, until), of one antenna or all, for exports."""
        sql = "SELECT * FROM shifts WHERE started_at >= ? AND started_at < ?"
        params: list[Any] = [to_db(since), to_db(until)]
        if antenna is not None:
            sql += " AND antenna = ?"
            params.append(antenna)
        rows = await self.db.fetch_all(sql + " ORDER BY started_at, id", params)
        return [_shift(row) for row in rows]

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
    )


PLANNED_WITH_COUNT = (
    "SELECT p.*, (SELECT COUNT(*) FROM signups s WHERE s.planned_id = p.id) AS signed "
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
    ) -> PlannedShift:
        planned_id = await self.db.insert(
            "INSERT INTO planned_shifts (antenna, activity, starts_at, ends_at, needed, "
            "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (antenna, activity, to_db(starts_at), to_db(ends_at), needed, created_by, to_db(now)),
        )
        planned = await self.get(planned_id)
        assert planned is not None
        return planned

    async def get(self, planned_id: int) -> PlannedShift | None:
        row = await self.db.fetch_one(f"{PLANNED_WITH_COUNT} WHERE p.id = ?", (planned_id,))
        return None if row is None else _planned(row)

    async def upcoming(
        self, antenna: str | None, since: datetime, until: datetime
    ) -> list[PlannedShift]:
        sql = (
            f"{PLANNED_WITH_COUNT} WHERE p.cancelled_at IS NULL "
            "AND p.ends_at > ? AND p.starts_at < ?"
        )
        params: list[Any] = [to_db(since), to_db(until)]
        if antenna is not None:
            sql += " AND p.antenna = ?"
            params.append(antenna)
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
        return [_user(row) for row in rows]

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


class CatalogueRepo:
    """Items and places: data files seed them, coordinators add to them."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def upsert_item(
        self,
        code: str,
        unit: str,
        position: int,
        names: dict[str, list[str]],
        now: datetime,
        created_by: int | None = None,
    ) -> None:
        """Create or update an item; the locales given replace their names."""
        await self.db.execute(
            "INSERT INTO items (code, unit, position, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET unit = excluded.unit, "
            "position = excluded.position",
            (code, unit, position, created_by, to_db(now)),
        )
        for locale, localized in names.items():
            await self.db.execute(
                "DELETE FROM item_names WHERE item_code = ? AND locale = ?", (code, locale)
            )
            await self.db.execute_many(
                "INSERT INTO item_names (item_code, locale, position, name) VALUES (?, ?, ?, ?)",
                [(code, locale, index, name) for index, name in enumerate(localized)],
            )

    async def items(self) -> list[Item]:
        rows = await self.db.fetch_all("SELECT * FROM items ORDER BY position, code")
        names = await self.db.fetch_all(
            "SELECT item_code, locale, name FROM item_names ORDER BY item_code, locale, position"
        )
        by_item: dict[str, dict[str, list[str]]] = {}
        for row in names:
            by_item.setdefault(row[0], {}).setdefault(row[1], []).append(row[2])
        return [
            Item(row["code"], row["unit"], row["position"], by_item.get(row["code"], {}))
            for row in rows
        ]

    async def upsert_place(
        self,
        antenna: str,
        code: str,
        name: str,
        aliases: list[str],
        latitude: float | None,
        longitude: float | None,
        now: datetime,
        created_by: int | None = None,
    ) -> int:
        await self.db.execute(
            "INSERT INTO places (antenna, code, name, aliases, latitude, longitude, created_by, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (antenna, code) DO UPDATE "
            "SET name = excluded.name, aliases = excluded.aliases, "
            "latitude = COALESCE(excluded.latitude, latitude), "
            "longitude = COALESCE(excluded.longitude, longitude)",
            (
                antenna,
                code,
                name,
                json.dumps(aliases, ensure_ascii=False),
                latitude,
                longitude,
                created_by,
                to_db(now),
            ),
        )
        value = await self.db.fetch_value(
            "SELECT id FROM places WHERE antenna = ? AND code = ?", (antenna, code)
        )
        return int(value)

    async def places(self, antenna: str | None = None) -> list[Place]:
        if antenna is None:
            rows = await self.db.fetch_all("SELECT * FROM places ORDER BY antenna, name")
        else:
            rows = await self.db.fetch_all(
                "SELECT * FROM places WHERE antenna = ? ORDER BY name", (antenna,)
            )
        return [
            Place(
                row["id"],
                row["antenna"],
                row["code"],
                row["name"],
                json.loads(row["aliases"]),
                row["latitude"],
                row["longitude"],
            )
            for row in rows
        ]


def _distribution(row: aiosqlite.Row) -> Distribution:
    return Distribution(
        id=row["id"],
        antenna=row["antenna"],
        user_id=row["user_id"],
        item_code=row["item_code"],
        quantity=row["quantity"],
        place_id=row["place_id"],
        slot=row["slot"],
        logged_at=from_db(row["logged_at"]),
        shift_id=row["shift_id"],
        batch=row["batch"],
        undone_at=from_db_optional(row["undone_at"]),
    )


class DistributionRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        antenna: str,
        user_id: int | None,
        lines: list[tuple[str, int]],
        place_id: int | None,
        slot: str,
        logged_at: datetime,
        shift_id: int | None,
        batch: str,
        day: str,
    ) -> list[Distribution]:
        """Save one log and add it to the daily totals, in the caller's transaction."""
        at = to_db(logged_at)
        await self.db.execute_many(
            "INSERT INTO distributions (antenna, user_id, item_code, quantity, place_id, slot, "
            "logged_at, shift_id, batch, day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (antenna, user_id, code, quantity, place_id, slot, at, shift_id, batch, day)
                for code, quantity in lines
            ],
        )
        await self._count(antenna, day, lines, slot, place_id, +1)
        return await self.batch(batch)

    async def _count(
        self,
        antenna: str,
        day: str,
        lines: list[tuple[str, int]],
        slot: str,
        place_id: int | None,
        sign: int,
    ) -> None:
        await self.db.execute_many(
            "INSERT INTO distribution_item_days (antenna, day, item_code, quantity) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (antenna, day, item_code) "
            "DO UPDATE SET quantity = quantity + excluded.quantity",
            [(antenna, day, code, sign * quantity) for code, quantity in lines],
        )
        await self.db.execute(
            "INSERT INTO distribution_log_days (antenna, day, slot, place_id, logs) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (antenna, day, slot, place_id) "
            "DO UPDATE SET logs = logs + excluded.logs",
            (antenna, day, slot, place_id or 0, sign),
        )

    async def rebuild_days(self) -> None:
        """Recompute the daily totals from the logs (after their days were filled in)."""
        await self.db.execute("DELETE FROM distribution_item_days")
        await self.db.execute("DELETE FROM distribution_log_days")
        await self.db.execute(
            "INSERT INTO distribution_item_days (antenna, day, item_code, quantity) "
            "SELECT antenna, day, item_code, SUM(quantity) FROM distributions "
            "WHERE undone_at IS NULL GROUP BY antenna, day, item_code"
        )
        await self.db.execute(
            "INSERT INTO distribution_log_days (antenna, day, slot, place_id, logs) "
            "SELECT antenna, day, slot, COALESCE(place_id, 0), COUNT(DISTINCT batch) "
            "FROM distributions WHERE undone_at IS NULL "
            "GROUP BY antenna, day, slot, COALESCE(place_id, 0)"
        )

    async def without_day(self, limit: int) -> list[tuple[int, datetime]]:
        rows = await self.db.fetch_all(
            "SELECT id, logged_at FROM distributions WHERE day IS NULL LIMIT ?", (limit,)
        )
        return [(row[0], from_db(row[1])) for row in rows]

    async def clear_days(self) -> None:
        await self.db.execute("UPDATE distributions SET day = NULL")

    async def set_days(self, days: list[tuple[str, int]]) -> None:
        await self.db.execute_many("UPDATE distributions SET day = ? WHERE id = ?", days)

    async def batch(self, batch: str) -> list[Distribution]:
        rows = await self.db.fetch_all(
            "SELECT * FROM distributions WHERE batch = ? ORDER BY id", (batch,)
        )
        return [_distribution(row) for row in rows]

    async def use_nonce(self, user_id: int, nonce: str, batch: str, now: datetime) -> str | None:
        """Record a person's button nonce; if they used it before, return the batch it made."""
        earlier = await self.db.fetch_value(
            "SELECT batch FROM used_nonces WHERE user_id = ? AND nonce = ?", (user_id, nonce)
        )
        if earlier is not None:
            return str(earlier)
        await self.db.execute(
            "INSERT INTO used_nonces (user_id, nonce, batch, used_at) VALUES (?, ?, ?, ?)",
            (user_id, nonce, batch, to_db(now)),
        )
        return None

    async def prune_nonces(self, before: datetime) -> int:
        return await self.db.execute("DELETE FROM used_nonces WHERE used_at < ?", (to_db(before),))

    async def last_batch(self, user_id: int) -> list[Distribution]:
        """The caller's most recent log still standing."""
        batch = await self.db.fetch_value(
            "SELECT batch FROM distributions WHERE user_id = ? AND undone_at IS NULL "
            "ORDER BY logged_at DESC, id DESC LIMIT 1",
            (user_id,),
        )
        return [] if batch is None else await self.batch(str(batch))

    async def undo(self, batch: str, now: datetime) -> int:
        """Take a log back, out of the daily totals too."""
        rows = await self.db.fetch_all(
            "SELECT antenna, day, item_code, quantity, slot, place_id FROM distributions "
            "WHERE batch = ? AND undone_at IS NULL",
            (batch,),
        )
        if not rows:
            return 0
        first = rows[0]
        lines = [(row["item_code"], row["quantity"]) for row in rows]
        await self._count(
            first["antenna"], first["day"], lines, first["slot"], first["place_id"], -1
        )
        return await self.db.execute(
            "UPDATE distributions SET undone_at = ? WHERE batch = ? AND undone_at IS NULL",
            (to_db(now), batch),
        )

    async def totals(
        self, key: str, antenna: str | None, first_day: str, last_day: str
    ) -> list[Total]:
        """Item quantities, or log counts per slot or place, over whole local days, read from
        the daily totals (a few rows a day, however many logs)."""
        if key == "item":
            column, table = "item_code", "distribution_item_days"
            sums = "SUM(quantity), 0"
        else:
            column = "slot" if key == "slot" else "place_id"
            table, sums = "distribution_log_days", "0, SUM(logs)"
        sql = f"SELECT {column}, {sums} FROM {table} WHERE day >= ? AND day <= ?"  # noqa: S608
        params: list[Any] = [first_day, last_day]
        if antenna is not None:
            sql += " AND antenna = ?"
            params.append(antenna)
        rows = await self.db.fetch_all(f"{sql} GROUP BY {column}", params)
        totals = [
            Total("" if row[0] in (None, 0) else str(row[0]), row[1], row[2])
            for row in rows
            if row[1] or row[2]
        ]
        return sorted(totals, key=lambda total: (-(total.quantity or total.logs), total.key))

    async def for_shift(self, shift_id: int) -> list[Total]:
        rows = await self.db.fetch_all(
            "SELECT item_code, SUM(quantity), COUNT(DISTINCT batch) FROM distributions "
            "WHERE shift_id = ? AND undone_at IS NULL GROUP BY item_code ORDER BY 2 DESC",
            (shift_id,),
        )
        return [Total(r[0], r[1], r[2]) for r in rows]

    async def most_used_items(self, antenna: str, since: datetime) -> list[str]:
        rows = await self.db.fetch_all(
            "SELECT item_code FROM distributions WHERE antenna = ? AND logged_at >= ? "
            "AND undone_at IS NULL GROUP BY item_code ORDER BY COUNT(*) DESC",
            (antenna, to_db(since)),
        )
        return [row[0] for row in rows]

    async def recent_places(
        self, user_id: int, antenna: str, since: datetime, limit: int
    ) -> list[int]:
        """Places this volunteer used last, then the team's, most recent first (since then:
        the bound keeps the lookup on the report index, whatever the history)."""
        rows = await self.db.fetch_all(
            "SELECT place_id, MAX(CASE WHEN user_id = ? THEN logged_at END) AS mine, "
            "MAX(logged_at) AS anyone FROM distributions WHERE antenna = ? "
            "AND logged_at >= ? AND undone_at IS NULL AND place_id IS NOT NULL "
            "GROUP BY place_id ORDER BY mine IS NULL, mine DESC, anyone DESC LIMIT ?",
            (user_id, antenna, to_db(since), limit),
        )
        return [row[0] for row in rows]

    async def rows(
        self, antenna: str | None, since: datetime, until: datetime
    ) -> list[Distribution]:
        sql = (
            "SELECT * FROM distributions WHERE undone_at IS NULL "
            "AND logged_at >= ? AND logged_at < ?"
        )
        params: list[Any] = [to_db(since), to_db(until)]
        if antenna is not None:
            sql += " AND antenna = ?"
            params.append(antenna)
        rows = await self.db.fetch_all(sql + " ORDER BY logged_at, id", params)
        return [_distribution(row) for row in rows]


class DraftRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, user_id: int, kind: str, payload: dict[str, Any], now: datetime) -> int:
        await self.db.execute("DELETE FROM drafts WHERE user_id = ? AND kind = ?", (user_id, kind))
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
