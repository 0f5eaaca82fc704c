"""Users, antennas and invites."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

import aiosqlite

from bot.storage.database import Database, from_db, from_db_optional, to_db
from bot.storage.help import forget_in_help
from bot.storage.models import (
    Antenna,
    Invite,
    Role,
    User,
)

USER_BY_ID = "SELECT * FROM users WHERE id = ?"


def user_from_row(row: aiosqlite.Row) -> User:
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
        return None if row is None else user_from_row(row)

    async def find_by_username(self, username: str) -> User | None:
        """The one user holding a username; None if nobody or, ambiguously, several do."""
        rows = await self.db.fetch_all(
            "SELECT * FROM users WHERE username = ? COLLATE NOCASE LIMIT 2",
            (username.lstrip("@"),),
        )
        return user_from_row(rows[0]) if len(rows) == 1 else None

    async def touch(self, user_id: int, telegram_language: str | None, now: datetime) -> User:
        """Create the user on first contact, or record that they were seen again."""

        def touch(db: sqlite3.Connection) -> sqlite3.Row:
            # Both statements in one trip to the database's thread: every update does this.
            db.execute(
                "INSERT INTO users (id, telegram_language, created_at, last_seen_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "telegram_language = excluded.telegram_language, "
                "last_seen_at = excluded.last_seen_at, active = 1",
                (user_id, telegram_language, to_db(now), to_db(now)),
            )
            row: sqlite3.Row = db.execute(
                "SELECT * FROM users WHERE id = ?", (user_id,)
            ).fetchone()
            return row

        return user_from_row(await self.db.run(touch))

    async def set_locale(self, user_id: int, locale: str) -> None:
        await self.db.execute("UPDATE users SET locale = ? WHERE id = ?", (locale, user_id))

    async def set_antenna(self, user_id: int, antenna: str) -> None:
        await self.db.execute("UPDATE users SET antenna = ? WHERE id = ?", (antenna, user_id))

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
        await _forget_everywhere(self.db, user_id)
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
        return [user_from_row(row) for row in rows]


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
        """Mark the invite used; False when it was used before (even by a person since erased:
        `used_at` stays when `used_by` is forgotten, and an invite works once, ever)."""
        changed = await self.db.execute(
            "UPDATE invites SET used_by = ?, used_at = ? WHERE code = ? AND used_at IS NULL",
            (user_id, to_db(now), code),
        )
        return changed == 1

    async def prune(self, expired_before: datetime) -> int:
        """Forget invitations expired before then: an unknown code is refused all the same."""
        return await self.db.execute(
            "DELETE FROM invites WHERE expires_at < ?", (to_db(expired_before),)
        )


async def _forget_invites(db: Database, user_id: int) -> None:
    await db.execute("UPDATE invites SET used_by = NULL WHERE used_by = ?", (user_id,))
    await db.execute("UPDATE invites SET created_by = 0 WHERE created_by = ?", (user_id,))


async def _forget_everywhere(db: Database, user_id: int) -> None:
    """The person's id where it is kept as a plain number, outside any foreign key."""
    await _forget_invites(db, user_id)
    # Their reminders and exports: keyed and addressed by their id, of no use to anyone now.
    await db.execute(
        "DELETE FROM jobs WHERE json_extract(payload, '$.user') = ? "
        "OR json_extract(payload, '$.chat') = ?",
        (user_id, user_id),
    )
    for table, column in (
        ("planned_shifts", "created_by"),
        ("items", "created_by"),
        ("places", "created_by"),
        # Who renamed or retired a place or an item (the change itself stays).
        ("items", "retired_by"),
        ("places", "retired_by"),
        ("places", "renamed_by"),
        ("item_renames", "renamed_by"),
    ):
        await db.execute(
            f"UPDATE {table} SET {column} = NULL WHERE {column} = ?",  # noqa: S608
            (user_id,),
        )
    await db.execute("DELETE FROM used_nonces WHERE user_id = ?", (user_id,))
    # Their confirmations of the information catalogue keep their date, not their id.
    await db.execute(
        "UPDATE content_confirmations SET confirmed_by = NULL WHERE confirmed_by = ?", (user_id,)
    )
    await db.execute("DELETE FROM message_refs WHERE chat_id = ?", (user_id,))
    await forget_in_help(db, user_id)
