"""Help requests and the people blocked from making them."""

from __future__ import annotations

import json
from datetime import datetime

import aiosqlite

from bot.storage.database import Database, from_db, from_db_optional, to_db
from bot.storage.models import HelpRequest

ACTIVE = "('open', 'taken')"
# relay_open: 0 closed, 1 open, 2 ended by the person (the volunteer cannot reopen it).
RELAY_OPEN = 1
RELAY_ENDED_BY_PERSON = 2


def _request(row: aiosqlite.Row) -> HelpRequest:
    return HelpRequest(
        id=row["id"],
        user_id=row["user_id"],
        antenna=row["antenna"],
        need=row["need"],
        locale=row["locale"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        status=row["status"],
        created_at=from_db(row["created_at"]),
        taken_at=from_db_optional(row["taken_at"]),
        closed_at=from_db_optional(row["closed_at"]),
        owner_id=row["owner_id"],
        relay_open=row["relay_open"] == RELAY_OPEN,
        ended_by_person=row["relay_open"] == RELAY_ENDED_BY_PERSON,
        alerts=[(ref, locale) for ref, locale in json.loads(row["alerts"])],
        person_key=row["person_key"],
    )


class HelpRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        user_id: int,
        person_key: str,
        antenna: str,
        need: str,
        locale: str,
        location: tuple[float, float] | None,
        now: datetime,
    ) -> int:
        latitude, longitude = location if location else (None, None)
        return await self.db.insert(
            "INSERT INTO help_requests (user_id, person_key, antenna, need, locale, latitude, "
            "longitude, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)",
            (user_id, person_key, antenna, need, locale, latitude, longitude, to_db(now)),
        )

    async def get(self, request_id: int) -> HelpRequest | None:
        row = await self.db.fetch_one("SELECT * FROM help_requests WHERE id = ?", (request_id,))
        return None if row is None else _request(row)

    async def active_of(self, user_id: int) -> HelpRequest | None:
        """The person's open or taken request, if any (at most one)."""
        row = await self.db.fetch_one(
            f"SELECT * FROM help_requests WHERE user_id = ? AND status IN {ACTIVE} "  # noqa: S608
            "ORDER BY id DESC LIMIT 1",
            (user_id,),
        )
        return None if row is None else _request(row)

    async def made_since(
        self, person_key: str, since: datetime
    ) -> list[tuple[str, datetime, datetime | None]]:
        """(status, created, closed) of the requests a person (by key) made since then."""
        rows = await self.db.fetch_all(
            "SELECT status, created_at, closed_at FROM help_requests "
            "WHERE person_key = ? AND created_at >= ?",
            (person_key, to_db(since)),
        )
        return [(row[0], from_db(row[1]), from_db_optional(row[2])) for row in rows]

    async def set_location(self, request_id: int, latitude: float, longitude: float) -> None:
        await self.db.execute(
            "UPDATE help_requests SET latitude = ?, longitude = ? "
            "WHERE id = ? AND status = 'open'",
            (latitude, longitude, request_id),
        )

    async def count_antenna_since(self, antenna: str, since: datetime) -> int:
        value = await self.db.fetch_value(
            "SELECT COUNT(*) FROM help_requests WHERE antenna = ? AND created_at >= ?",
            (antenna, to_db(since)),
        )
        return int(value or 0)

    async def add_team_post(self, antenna: str, now: datetime, keep_after: datetime) -> None:
        """An alert was posted to the antenna's team chat (older records go)."""
        await self.db.execute(
            "DELETE FROM help_team_posts WHERE posted_at < ?", (to_db(keep_after),)
        )
        await self.db.execute(
            "INSERT INTO help_team_posts (antenna, posted_at) VALUES (?, ?)",
            (antenna, to_db(now)),
        )

    async def team_posts_since(self, antenna: str, since: datetime) -> int:
        value = await self.db.fetch_value(
            "SELECT COUNT(*) FROM help_team_posts WHERE antenna = ? AND posted_at >= ?",
            (antenna, to_db(since)),
        )
        return int(value or 0)

    async def owned_by(self, owner_id: int) -> list[HelpRequest]:
        rows = await self.db.fetch_all(
            "SELECT * FROM help_requests WHERE owner_id = ? AND status = 'taken' ORDER BY id",
            (owner_id,),
        )
        return [_request(row) for row in rows]

    async def add_alert(self, request_id: int, ref: str, locale: str) -> None:
        await self.db.execute(
            "UPDATE help_requests SET alerts = json_insert(alerts, '$[#]', json_array(?, ?)) "
            "WHERE id = ?",
            (ref, locale, request_id),
        )

    async def take(self, request_id: int, owner_id: int, now: datetime) -> bool:
        """Give an open request to its first taker; False if it was no longer open."""
        changed = await self.db.execute(
            "UPDATE help_requests SET status = 'taken', owner_id = ?, relay_open = 1, "
            "taken_at = COALESCE(taken_at, ?) WHERE id = ? AND status = 'open'",
            (owner_id, to_db(now), request_id),
        )
        return changed == 1

    async def release(self, request_id: int) -> None:
        """Back to nobody's (its owner left): open again, the relay closed."""
        await self.db.execute(
            "UPDATE help_requests SET status = 'open', owner_id = NULL, relay_open = 0 "
            "WHERE id = ? AND status = 'taken'",
            (request_id,),
        )

    async def close(self, request_id: int, status: str, now: datetime) -> bool:
        changed = await self.db.execute(
            f"UPDATE help_requests SET status = ?, closed_at = ?, relay_open = 0 "  # noqa: S608
            f"WHERE id = ? AND status IN {ACTIVE}",
            (status, to_db(now), request_id),
        )
        return changed == 1

    async def set_relay(
        self, request_id: int, relay_open: bool, *, by_person: bool = False
    ) -> None:
        state = RELAY_OPEN if relay_open else RELAY_ENDED_BY_PERSON if by_person else 0
        await self.db.execute(
            "UPDATE help_requests SET relay_open = ? WHERE id = ?", (state, request_id)
        )

    async def block(self, person_key: str, request_id: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO help_blocks (person_key, request_id, blocked_at) VALUES (?, ?, ?) "
            "ON CONFLICT (person_key) DO UPDATE SET request_id = excluded.request_id, "
            "blocked_at = excluded.blocked_at",
            (person_key, request_id, to_db(now)),
        )

    async def unblock_request(self, request_id: int) -> bool:
        """Lift the block placed from this request's alert."""
        changed = await self.db.execute(
            "DELETE FROM help_blocks WHERE request_id = ?", (request_id,)
        )
        return changed > 0

    async def is_blocked(self, person_key: str) -> bool:
        value = await self.db.fetch_value(
            "SELECT 1 FROM help_blocks WHERE person_key = ?", (person_key,)
        )
        return value is not None

    async def blocked_by_request(self, request_id: int) -> bool:
        value = await self.db.fetch_value(
            "SELECT 1 FROM help_blocks WHERE request_id = ?", (request_id,)
        )
        return value is not None

    async def anonymise_before(self, before: datetime, now: datetime) -> int:
        """Remove who asked and where they were from requests made before then; what
        was asked, in which language, where and when stays for the counts. Still open ones
        are closed: nobody can answer a person no longer known. Blocks as old lapse."""
        await self.db.execute(
            f"UPDATE help_requests SET status = 'closed', closed_at = ?, "  # noqa: S608
            f"relay_open = 0 WHERE created_at < ? AND status IN {ACTIVE}",
            (to_db(now), to_db(before)),
        )
        # A block lapses too: it holds the person's key (a coordinator can block again).
        await self.db.execute("DELETE FROM help_blocks WHERE blocked_at < ?", (to_db(before),))
        # The key of requests /forget already anonymised goes too, as old.
        await self.db.execute(
            "UPDATE help_requests SET person_key = NULL WHERE created_at < ? "
            "AND person_key IS NOT NULL",
            (to_db(before),),
        )
        return await self.db.execute(
            "UPDATE help_requests SET user_id = NULL, person_key = NULL, latitude = NULL, "
            "longitude = NULL, owner_id = NULL, anonymised_at = ? "
            "WHERE created_at < ? AND anonymised_at IS NULL",
            (to_db(now), to_db(before)),
        )

    async def forget_person(self, user_id: int, now: datetime) -> None:
        """/forget: their requests end and keep neither their id nor their location."""
        await self.db.execute(
            f"UPDATE help_requests SET status = 'cancelled', closed_at = ?, "  # noqa: S608
            f"relay_open = 0 WHERE user_id = ? AND status IN {ACTIVE}",
            (to_db(now), user_id),
        )
        await self.db.execute(
            "UPDATE help_requests SET user_id = NULL, latitude = NULL, longitude = NULL, "
            "anonymised_at = COALESCE(anonymised_at, ?) WHERE user_id = ?",
            (to_db(now), user_id),
        )
        # The keyed hash stays (the daily limit, a block): it lapses at retention.

    async def stats(
        self, antenna: str | None, since: datetime, until: datetime
    ) -> list[tuple[str, datetime, datetime | None]]:
        """(need, created, first taken) of the requests made in a period."""
        sql = "SELECT need, created_at, taken_at FROM help_requests WHERE created_at >= ? "
        sql += "AND created_at < ?"
        params: list[str] = [to_db(since), to_db(until)]
        if antenna is not None:
            sql += " AND antenna = ?"
            params.append(antenna)
        rows = await self.db.fetch_all(sql, params)
        return [(row[0], from_db(row[1]), from_db_optional(row[2])) for row in rows]


async def forget_in_help(db: Database, user_id: int) -> None:
    """Belt and braces for `_forget_everywhere`: no request keeps the id, as asker or owner."""
    await db.execute(
        "UPDATE help_requests SET user_id = NULL, latitude = NULL, longitude = NULL "
        "WHERE user_id = ?",
        (user_id,),
    )
    await db.execute("UPDATE help_requests SET owner_id = NULL WHERE owner_id = ?", (user_id,))
