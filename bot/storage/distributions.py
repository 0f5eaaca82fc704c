"""Distribution logs, their daily totals, items and places."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

import aiosqlite

from bot.storage.database import Database, from_db, from_db_optional, to_db
from bot.storage.models import (
    Distribution,
    Item,
    Place,
    Total,
)


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
        """Every item, retired ones too; a coordinator's names come first in their locale."""
        rows = await self.db.fetch_all("SELECT * FROM items ORDER BY position, code")
        names = await self.db.fetch_all(
            "SELECT item_code, locale, name FROM item_renames ORDER BY item_code, locale, id DESC"
        )
        names += await self.db.fetch_all(
            "SELECT item_code, locale, name FROM item_names ORDER BY item_code, locale, position"
        )
        by_item: dict[str, dict[str, list[str]]] = {}
        for row in names:
            localized = by_item.setdefault(row[0], {}).setdefault(row[1], [])
            if row[2] not in localized:
                localized.append(row[2])
        return [
            Item(
                row["code"],
                row["unit"],
                row["position"],
                by_item.get(row["code"], {}),
                retired=row["retired_at"] is not None,
            )
            for row in rows
        ]

    async def rename_item(
        self, code: str, locale: str, name: str, renamed_by: int, now: datetime
    ) -> None:
        """Show the item as `name` in a locale from now on (an earlier name becomes the latest
        again); the names it had stay accepted."""
        await self.db.execute(
            "DELETE FROM item_renames WHERE item_code = ? AND locale = ? AND name = ?",
            (code, locale, name),
        )
        await self.db.execute(
            "INSERT INTO item_renames (item_code, locale, name, renamed_by, renamed_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (code, locale, name, renamed_by, to_db(now)),
        )

    async def retire_item(self, code: str, retired_by: int, now: datetime) -> bool:
        """Mark an item retired; False if it already was (a double tap)."""
        changed = await self.db.execute(
            "UPDATE items SET retired_at = ?, retired_by = ? "
            "WHERE code = ? AND retired_at IS NULL",
            (to_db(now), retired_by, code),
        )
        return changed == 1

    async def restore_item(self, code: str) -> bool:
        """Offer a retired item again; False if it was not retired."""
        changed = await self.db.execute(
            "UPDATE items SET retired_at = NULL, retired_by = NULL "
            "WHERE code = ? AND retired_at IS NOT NULL",
            (code,),
        )
        return changed == 1

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
            # A coordinator's rename wins over content/ (issue 9, point 10).
            "SET name = CASE WHEN renamed_at IS NULL THEN excluded.name ELSE name END, "
            "aliases = excluded.aliases, "
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

    async def add_place(
        self, antenna: str, code: str, name: str, now: datetime, created_by: int
    ) -> int:
        """A coordinator's new place; never an existing one's code (an INSERT, no upsert)."""
        return await self.db.insert(
            "INSERT INTO places (antenna, code, name, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (antenna, code, name, created_by, to_db(now)),
        )

    async def rename_place(
        self, place_id: int, name: str, old_names: list[str], renamed_by: int, now: datetime
    ) -> None:
        await self.db.execute(
            "UPDATE places SET name = ?, old_names = ?, renamed_at = ?, renamed_by = ? "
            "WHERE id = ?",
            (name, json.dumps(old_names, ensure_ascii=False), to_db(now), renamed_by, place_id),
        )

    async def retire_place(self, place_id: int, retired_by: int, now: datetime) -> bool:
        """Mark a place retired; False if it already was (a double tap)."""
        changed = await self.db.execute(
            "UPDATE places SET retired_at = ?, retired_by = ? WHERE id = ? AND retired_at IS NULL",
            (to_db(now), retired_by, place_id),
        )
        return changed == 1

    async def restore_place(self, place_id: int) -> bool:
        """Offer a retired place again; False if it was not retired."""
        changed = await self.db.execute(
            "UPDATE places SET retired_at = NULL, retired_by = NULL "
            "WHERE id = ? AND retired_at IS NOT NULL",
            (place_id,),
        )
        return changed == 1

    async def places(self, antenna: str | None = None) -> list[Place]:
        """Every place (of an antenna), retired ones too."""
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
                retired=row["retired_at"] is not None,
                old_names=json.loads(row["old_names"]),
            )
            for row in rows
        ]


BATCH_ROWS = "SELECT * FROM distributions WHERE batch = ? ORDER BY id"


def _used_place(
    db: sqlite3.Connection, user_id: int, antenna: str, place_id: int, at: str
) -> None:
    """Remember the place among the person's recent ones, keeping only the latest few."""
    db.execute(
        "INSERT INTO recent_places (user_id, antenna, place_id, used_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (user_id, antenna, place_id) "
        "DO UPDATE SET used_at = MAX(used_at, excluded.used_at)",
        (user_id, antenna, place_id, at),
    )
    db.execute(
        "DELETE FROM recent_places WHERE user_id = ? AND antenna = ? AND place_id NOT IN "
        "(SELECT place_id FROM recent_places WHERE user_id = ? AND antenna = ? "
        "ORDER BY used_at DESC LIMIT ?)",
        (user_id, antenna, user_id, antenna, RECENT_PLACES_KEPT),
    )


def _count(
    db: sqlite3.Connection,
    antenna: str,
    day: str,
    lines: list[tuple[str, int]],
    slot: str,
    place_id: int | None,
    sign: int,
) -> None:
    """Add a log to (or, sign -1, take it out of) the daily totals."""
    db.executemany(
        "INSERT INTO distribution_item_days (antenna, day, item_code, quantity, logs) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (antenna, day, item_code) "
        "DO UPDATE SET quantity = quantity + excluded.quantity, logs = logs + excluded.logs",
        [(antenna, day, code, sign * quantity, sign) for code, quantity in lines],
    )
    db.execute(
        "INSERT INTO distribution_log_days (antenna, day, slot, place_id, logs) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (antenna, day, slot, place_id) "
        "DO UPDATE SET logs = logs + excluded.logs",
        (antenna, day, slot, place_id or 0, sign),
    )


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


# Recent places kept per person and antenna: the guided form shows six.
RECENT_PLACES_KEPT = 10


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
        """Save one log and add it to the daily totals, in the caller's transaction: every
        statement in one trip to the database's thread (a log is the volunteers' hot path)."""
        at = to_db(logged_at)

        def add(db: sqlite3.Connection) -> list[sqlite3.Row]:
            db.executemany(
                "INSERT INTO distributions (antenna, user_id, item_code, quantity, place_id, "
                "slot, logged_at, shift_id, batch, day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (antenna, user_id, code, quantity, place_id, slot, at, shift_id, batch, day)
                    for code, quantity in lines
                ],
            )
            _count(db, antenna, day, lines, slot, place_id, +1)
            if user_id is not None and place_id is not None:
                _used_place(db, user_id, antenna, place_id, at)
            return db.execute(BATCH_ROWS, (batch,)).fetchall()

        return [_distribution(row) for row in await self.db.run(add)]

    async def rebuild_days(self) -> None:
        """Recompute the daily totals from the logs (after their days were filled in)."""
        await self.db.execute("DELETE FROM distribution_item_days")
        await self.db.execute("DELETE FROM distribution_log_days")
        await self.db.execute(
            "INSERT INTO distribution_item_days (antenna, day, item_code, quantity, logs) "
            "SELECT antenna, day, item_code, SUM(quantity), COUNT(*) FROM distributions "
            "WHERE undone_at IS NULL GROUP BY antenna, day, item_code"
        )
        await self.db.execute(
            "INSERT INTO distribution_log_days (antenna, day, slot, place_id, logs) "
            "SELECT antenna, day, slot, COALESCE(place_id, 0), COUNT(DISTINCT batch) "
            "FROM distributions WHERE undone_at IS NULL "
            "GROUP BY antenna, day, slot, COALESCE(place_id, 0)"
        )

    async def rebuild_recent_places(self) -> None:
        """Recompute every person's recent places from the logs (what migration 0008 did)."""
        await self.db.execute("DELETE FROM recent_places")
        await self.db.execute(
            "INSERT INTO recent_places (user_id, antenna, place_id, used_at) "
            "SELECT user_id, antenna, place_id, used_at FROM ("
            "SELECT user_id, antenna, place_id, MAX(logged_at) AS used_at, ROW_NUMBER() OVER ("
            "PARTITION BY user_id, antenna ORDER BY MAX(logged_at) DESC) AS recency "
            "FROM distributions "
            "WHERE user_id IS NOT NULL AND place_id IS NOT NULL AND undone_at IS NULL "
            "GROUP BY user_id, antenna, place_id) WHERE recency <= ?",
            (RECENT_PLACES_KEPT,),
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
        rows = await self.db.fetch_all(BATCH_ROWS, (batch,))
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
            "SELECT antenna, day, item_code, quantity, slot, place_id, user_id, logged_at "
            "FROM distributions WHERE batch = ? AND undone_at IS NULL",
            (batch,),
        )
        if not rows:
            return 0
        first = rows[0]
        lines = [(row["item_code"], row["quantity"]) for row in rows]
        await self.db.run(
            lambda db: _count(
                db, first["antenna"], first["day"], lines, first["slot"], first["place_id"], -1
            )
        )
        undone = await self.db.execute(
            "UPDATE distributions SET undone_at = ? WHERE batch = ? AND undone_at IS NULL",
            (to_db(now), batch),
        )
        if first["user_id"] is not None and first["place_id"] is not None:
            await self._unused_place(
                first["user_id"], first["antenna"], first["place_id"], first["logged_at"]
            )
        return undone

    async def _unused_place(self, user_id: int, antenna: str, place_id: int, at: str) -> None:
        """A log taken back no longer makes its place recent: the place goes back to when the
        person last logged there before (or leaves their list)."""
        latest = await self.db.execute(
            "DELETE FROM recent_places "
            "WHERE user_id = ? AND antenna = ? AND place_id = ? AND used_at = ?",
            (user_id, antenna, place_id, at),
        )
        if not latest:
            return  # an older use, or a place that had already left the list
        await self.db.execute(
            "INSERT INTO recent_places (user_id, antenna, place_id, used_at) "
            "SELECT ?, ?, ?, MAX(logged_at) FROM distributions WHERE user_id = ? "
            "AND antenna = ? AND place_id = ? AND undone_at IS NULL "
            "HAVING MAX(logged_at) IS NOT NULL",
            (user_id, antenna, place_id, user_id, antenna, place_id),
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

    async def most_used_items(self, antenna: str, first_day: str) -> list[str]:
        """Items by number of logs since a local day, most logged first, from the daily totals
        (a few hundred rows for a month, however many logs)."""
        rows = await self.db.fetch_all(
            "SELECT item_code FROM distribution_item_days WHERE antenna = ? AND day >= ? "
            "GROUP BY item_code HAVING SUM(logs) > 0 ORDER BY SUM(logs) DESC, item_code",
            (antenna, first_day),
        )
        return [row[0] for row in rows]

    async def recent_places(
        self, user_id: int, antenna: str, since: datetime, limit: int
    ) -> list[int]:
        """Places this volunteer logged at since then, most recent first."""
        rows = await self.db.fetch_all(
            "SELECT place_id FROM recent_places WHERE user_id = ? AND antenna = ? "
            "AND used_at >= ? ORDER BY used_at DESC, place_id LIMIT ?",
            (user_id, antenna, to_db(since), limit),
        )
        return [row[0] for row in rows]

    async def team_places(self, antenna: str, first_day: str, limit: int) -> list[int]:
        """Places the team logged at since a local day: the most recent day first, then the
        busiest (from the daily totals)."""
        rows = await self.db.fetch_all(
            "SELECT place_id FROM distribution_log_days WHERE antenna = ? AND day >= ? "
            "AND place_id != 0 AND logs > 0 GROUP BY place_id "
            "ORDER BY MAX(day) DESC, SUM(logs) DESC, place_id LIMIT ?",
            (antenna, first_day, limit),
        )
        return [row[0] for row in rows]
