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
    Hours,
    InboxEntry,
    Invite,
    Job,
    OutboxEntry,
    PlannedShift,
    Role,
    Shift,
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
        row = await self.db.fetch_one(
            "SELECT * FROM users WHERE username = ? COLLATE NOCASE", (username.lstrip("@"),)
        )
        return None if row is None else _user(row)

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
        await self.db.execute(
            "UPDATE users SET role = ?, antenna = COALESCE(?, antenna), "
            "display_name = COALESCE(?, display_name), username = COALESCE(?, username) "
            "WHERE id = ?",
            (role.value, antenna, display_name, username, user_id),
        )

    async def set_profile(self, user_id: int, display_name: str, username: str | None) -> None:
        await self.db.execute(
            "UPDATE users SET display_name = ?, username = ? WHERE id = ?",
            (display_name, username, user_id),
        )

    async def set_antenna(self, user_id: int, antenna: str) -> None:
        await self.db.execute("UPDATE users SET antenna = ? WHERE id = ?", (antenna, user_id))

    async def set_active(self, user_id: int, active: bool) -> None:
        await self.db.execute("UPDATE users SET active = ? WHERE id = ?", (int(active), user_id))

    async def set_menu_signature(self, user_id: int, signature: str | None) -> None:
        await self.db.execute(
            "UPDATE users SET menu_signature = ? WHERE id = ?", (signature, user_id)
        )

    async def delete(self, user_id: int) -> None:
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

    async def count_restart(self, give_up_after: int, now: datetime) -> list[int]:
        """Note a start-up on every unhandled update; set aside those seen too many times."""
        await self.db.execute("UPDATE inbox SET attempts = attempts + 1 WHERE handled_at IS NULL")
        rows = await self.db.fetch_all(
            "SELECT update_id FROM inbox WHERE handled_at IS NULL AND attempts > ?",
            (give_up_after,),
        )
        poisoned = [row[0] for row in rows]
        for update_id in poisoned:
            await self.mark_handled(update_id, "poison", now)
        return poisoned

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
        value = await self.db.fetch_value(
            "SELECT MIN(not_before) FROM outbox WHERE status = 'pending'"
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

    async def all_for_chat(self, chat_id: int) -> list[OutboxEntry]:
        rows = await self.db.fetch_all(
            "SELECT * FROM outbox WHERE chat_id = ? ORDER BY id", (chat_id,)
        )
        return [_outbox(row) for row in rows]

    async def delete_for_chat(self, chat_id: int) -> None:
        """Forget what was sent to a chat (its rows hold the text we sent there)."""
        await self.db.execute(
            "DELETE FROM outbox WHERE chat_id = ? AND status != 'pending'", (chat_id,)
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
        self, since: datetime, until: datetime, now: datetime, user_id: int | None = None
    ) -> dict[int, Hours]:
        """Time on shift per volunteer for shifts started in [since, until); running ones
        count until now."""
        sql = (
            "SELECT user_id, COUNT(*) AS shifts, SUM(auto_closed) AS auto_closed, "
            "SUM(julianday(COALESCE(ended_at, ?)) - julianday(started_at)) * 86400 AS seconds "
            "FROM shifts WHERE user_id IS NOT NULL AND started_at >= ? AND started_at < ?"
        )
        params: list[Any] = [to_db(now), to_db(since), to_db(until)]
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        rows = await self.db.fetch_all(sql + " GROUP BY user_id", params)
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

    async def is_signed_up(self, planned_id: int, user_id: int) -> bool:
        value = await self.db.fetch_value(
            "SELECT 1 FROM signups WHERE planned_id = ? AND user_id = ?", (planned_id, user_id)
        )
        return value is not None
