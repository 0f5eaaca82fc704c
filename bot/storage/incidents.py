"""Rights-violation reports, their drafts and their append-only audit log (issue 11).

The repository stores sealed bytes as given: sealing and opening belong to the service, which
holds the key.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.storage.database import Database, from_db, to_db
from bot.storage.models import AuditEntry, IncidentDraftRow, IncidentRow


class IncidentRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        *,
        reference: str,
        antenna: str,
        reporter_id: int | None,
        kind: str,
        occurred_at: datetime,
        created_at: datetime,
        name_reporter: bool,
    ) -> int:
        """Insert a report with empty sealed details; `set_sealed` fills them (the details are
        bound to the row's id, known only now)."""
        return await self.db.insert(
            "INSERT INTO incidents (reference, antenna, reporter_id, kind, occurred_at, "
            "created_at, name_reporter, sealed) VALUES (?, ?, ?, ?, ?, ?, ?, X'')",
            (
                reference,
                antenna,
                reporter_id,
                kind,
                to_db(occurred_at),
                to_db(created_at),
                int(name_reporter),
            ),
        )

    async def set_sealed(self, incident_id: int, sealed: bytes) -> None:
        await self.db.execute(
            "UPDATE incidents SET sealed = ? WHERE id = ?", (sealed, incident_id)
        )

    async def get(self, incident_id: int) -> IncidentRow | None:
        row = await self.db.fetch_one("SELECT * FROM incidents WHERE id = ?", (incident_id,))
        return None if row is None else _incident(row)

    async def count_created_between(self, start: datetime, end: datetime) -> int:
        value = await self.db.fetch_value(
            "SELECT count(*) FROM incidents WHERE created_at >= ? AND created_at < ?",
            (to_db(start), to_db(end)),
        )
        return int(value or 0)

    async def reference_taken(self, reference: str) -> bool:
        found = await self.db.fetch_value(
            "SELECT 1 FROM incidents WHERE reference = ?", (reference,)
        )
        return found is not None

    async def all_sealed(self) -> list[tuple[int, bytes]]:
        rows = await self.db.fetch_all("SELECT id, sealed FROM incidents ORDER BY id")
        return [(row["id"], bytes(row["sealed"])) for row in rows]

    async def count(self) -> int:
        return int(await self.db.fetch_value("SELECT count(*) FROM incidents") or 0)

    async def visible(
        self,
        *,
        antenna: str | None,
        reporter_id: int,
        everything: bool,
        kind: str | None,
        since: datetime | None,
        until: datetime | None,
        limit: int,
        offset: int,
    ) -> tuple[list[IncidentRow], int]:
        """Reports a reader may see, newest event first, and how many in all: every one
        (`everything`), an antenna's (`antenna`), and in any case the reader's own."""
        clauses: list[str] = []
        params: list[object] = []
        if not everything:
            clauses.append("(reporter_id = ? OR antenna = ?)" if antenna else "reporter_id = ?")
            params += [reporter_id, antenna] if antenna else [reporter_id]
        if kind is not None:
            clauses.append("kind = ?")
            params.append(kind)
        if since is not None:
            clauses.append("occurred_at >= ?")
            params.append(to_db(since))
        if until is not None:
            clauses.append("occurred_at < ?")
            params.append(to_db(until))
        where = " AND ".join(clauses) or "1 = 1"
        total = await self.db.fetch_value(
            f"SELECT count(*) FROM incidents WHERE {where}",  # noqa: S608 -- fixed clauses
            params,
        )
        rows = await self.db.fetch_all(
            f"SELECT * FROM incidents WHERE {where} "  # noqa: S608 -- fixed clauses
            "ORDER BY occurred_at DESC, id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_incident(row) for row in rows], int(total or 0)

    async def kinds_between(
        self, antenna: str | None, since: datetime, until: datetime
    ) -> list[tuple[datetime, str]]:
        """(when, kind) of the reports of a period: statistics, nothing else."""
        clauses = ["occurred_at >= ?", "occurred_at < ?"]
        params: list[object] = [to_db(since), to_db(until)]
        if antenna is not None:
            clauses.append("antenna = ?")
            params.append(antenna)
        where = " AND ".join(clauses)
        rows = await self.db.fetch_all(
            f"SELECT occurred_at, kind FROM incidents WHERE {where}",  # noqa: S608 -- fixed
            params,
        )
        return [(from_db(row["occurred_at"]), row["kind"]) for row in rows]

    # Drafts: one per person.

    async def draft_save(
        self, user_id: int, antenna: str, nonce: str, now: datetime
    ) -> IncidentDraftRow:
        """Start the person's draft afresh (their older one goes); sealed content follows."""
        await self.db.execute("DELETE FROM incident_drafts WHERE user_id = ?", (user_id,))
        draft_id = await self.db.insert(
            "INSERT INTO incident_drafts (user_id, antenna, nonce, sealed, created_at, "
            "updated_at) VALUES (?, ?, ?, X'', ?, ?)",
            (user_id, antenna, nonce, to_db(now), to_db(now)),
        )
        draft = await self.draft_get(draft_id)
        assert draft is not None
        return draft

    async def draft_update(self, draft_id: int, nonce: str, sealed: bytes, now: datetime) -> None:
        await self.db.execute(
            "UPDATE incident_drafts SET nonce = ?, sealed = ?, updated_at = ? WHERE id = ?",
            (nonce, sealed, to_db(now), draft_id),
        )

    async def draft_get(self, draft_id: int) -> IncidentDraftRow | None:
        row = await self.db.fetch_one("SELECT * FROM incident_drafts WHERE id = ?", (draft_id,))
        return None if row is None else _draft(row)

    async def draft_of(self, user_id: int) -> IncidentDraftRow | None:
        row = await self.db.fetch_one(
            "SELECT * FROM incident_drafts WHERE user_id = ?", (user_id,)
        )
        return None if row is None else _draft(row)

    async def draft_delete(self, draft_id: int) -> bool:
        return await self.db.execute("DELETE FROM incident_drafts WHERE id = ?", (draft_id,)) == 1

    async def drafts_prune(self, before: datetime) -> int:
        """Forget drafts left untouched since `before`."""
        return await self.db.execute(
            "DELETE FROM incident_drafts WHERE updated_at < ?", (to_db(before),)
        )

    async def drafts_sealed(self) -> list[tuple[int, bytes]]:
        rows = await self.db.fetch_all("SELECT id, sealed FROM incident_drafts ORDER BY id")
        return [(row["id"], bytes(row["sealed"])) for row in rows]

    async def draft_set_sealed(self, draft_id: int, sealed: bytes) -> None:
        await self.db.execute(
            "UPDATE incident_drafts SET sealed = ? WHERE id = ?", (sealed, draft_id)
        )

    # The audit log: INSERT only (the triggers refuse the rest).

    async def audit(
        self,
        at: datetime,
        actor_id: int | None,
        action: str,
        *,
        incident_id: int | None = None,
        antenna: str | None = None,
        detail: str | None = None,
    ) -> int:
        return await self.db.insert(
            "INSERT INTO incident_audit (at, actor_id, action, incident_id, antenna, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (to_db(at), actor_id, action, incident_id, antenna, detail),
        )

    async def audit_entries(
        self, antenna: str | None, *, limit: int, before_id: int | None = None
    ) -> list[AuditEntry]:
        """The latest entries, newest first (of one antenna, or all with None)."""
        clauses: list[str] = ["1 = 1"]
        params: list[object] = []
        if antenna is not None:
            clauses.append("antenna = ?")
            params.append(antenna)
        if before_id is not None:
            clauses.append("id < ?")
            params.append(before_id)
        rows = await self.db.fetch_all(
            f"SELECT * FROM incident_audit WHERE {' AND '.join(clauses)} "  # noqa: S608 -- fixed clauses
            "ORDER BY id DESC LIMIT ?",
            (*params, limit),
        )
        return [_audit(row) for row in rows]


def _incident(row: aiosqlite.Row) -> IncidentRow:
    return IncidentRow(
        id=row["id"],
        reference=row["reference"],
        antenna=row["antenna"],
        reporter_id=row["reporter_id"],
        kind=row["kind"],
        occurred_at=from_db(row["occurred_at"]),
        created_at=from_db(row["created_at"]),
        name_reporter=bool(row["name_reporter"]),
        sealed=bytes(row["sealed"]),
    )


def _draft(row: aiosqlite.Row) -> IncidentDraftRow:
    return IncidentDraftRow(
        id=row["id"],
        user_id=row["user_id"],
        antenna=row["antenna"],
        nonce=row["nonce"],
        sealed=bytes(row["sealed"]),
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
    )


def _audit(row: aiosqlite.Row) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=from_db(row["at"]),
        actor_id=row["actor_id"],
        action=row["action"],
        incident_id=row["incident_id"],
        antenna=row["antenna"],
        detail=row["detail"],
    )
