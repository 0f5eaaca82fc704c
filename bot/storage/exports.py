"""Rows for spreadsheets, streamed one at a time through a read-only connection of their own.

Synchronous on purpose: an export runs in a worker thread (`asyncio.to_thread`), where a plain
sqlite3 cursor hands over one row at a time. Neither the event loop, nor the writer's lock, nor
memory holds a year of logs. A connection belongs to the thread that opened it, so an
`ExportReader` is opened and used inside one `with` block, in that thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from bot.storage.database import to_db
from bot.storage.distributions import _distribution
from bot.storage.models import Distribution, Shift
from bot.storage.shifts import _shift


class ExportReader:
    """Distribution logs, shifts and volunteer names of a period, for a spreadsheet."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None

    def __enter__(self) -> ExportReader:
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        connection = sqlite3.connect(uri, uri=True, isolation_level=None)
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA query_only=ON")
        connection.execute("PRAGMA busy_timeout=5000")
        # One snapshot for the whole export: both files tell the same story (WAL readers see
        # the database as it was when the transaction began).
        connection.execute("BEGIN")
        self._connection = connection
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    @property
    def connection(self) -> sqlite3.Connection:
        if self._connection is None:
            raise RuntimeError("the export reader is not open")
        return self._connection

    def _rows(self, sql: str, params: list[Any]) -> Iterator[sqlite3.Row]:
        cursor = self.connection.execute(sql, params)
        try:
            yield from cursor
        finally:
            cursor.close()

    def distributions(
        self, antenna: str | None, since: datetime, until: datetime
    ) -> Iterator[Distribution]:
        """Logs in [since, until), not undone, of one antenna or all, in time order."""
        sql = (
            "SELECT * FROM distributions WHERE undone_at IS NULL "
            "AND logged_at >= ? AND logged_at < ?"
        )
        params: list[Any] = [to_db(since), to_db(until)]
        if antenna is not None:
            sql += " AND antenna = ?"
            params.append(antenna)
        for row in self._rows(sql + " ORDER BY logged_at, id", params):
            yield _distribution(row)

    def shifts(self, antenna: str | None, since: datetime, until: datetime) -> Iterator[Shift]:
        """Shifts started in [since, until), of one antenna or all, in time order."""
        sql = "SELECT * FROM shifts WHERE started_at >= ? AND started_at < ?"
        params: list[Any] = [to_db(since), to_db(until)]
        if antenna is not None:
            sql += " AND antenna = ?"
            params.append(antenna)
        for row in self._rows(sql + " ORDER BY started_at, id", params):
            yield _shift(row)

    def volunteer_name(self, user_id: int) -> str:
        """The name a volunteer gave, their id if none, or "" once they are forgotten."""
        row = self.connection.execute(
            "SELECT display_name FROM users WHERE id = ?", (user_id,)
        ).fetchone()
        if row is None:
            return ""
        return str(row[0] or user_id)
