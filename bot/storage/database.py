"""The SQLite database: one connection, explicit re-entrant transactions, numbered migrations."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

log = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")
MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def to_db(moment: datetime) -> str:
    """Store instants as UTC ISO-8601 text of fixed width, so text order is time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are never stored")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db(value: str) -> datetime:
    # fromisoformat reads to_db's format (Z included) fifty times faster than strptime: an
    # export reads hundreds of thousands of these.
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not UTC:
        raise ValueError(f"not a stored instant: {value!r}")
    return moment


def from_db_optional(value: str | None) -> datetime | None:
    return None if value is None else from_db(value)


class Database:
    """One aiosqlite connection shared by the whole bot.

    Writers are serialised by a lock: SQLite has a single writer anyway, and one connection
    means a task must never see another task's half-done transaction. The task that holds the
    transaction may nest further transactions (as savepoints) without deadlocking itself.
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        # A read-only connection reads committed data beside the writer (WAL) without taking
        # its lock: long reports must not hold up the inbox or a safety alert.
        self.read_only = read_only
        self._connection: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        self._depth = 0
        self._after_commit: list[Callable[[], None]] = []
        # Savepoint statements of the transaction's owner not sent yet: they go first in the
        # next trip to the connection's thread (see transaction()).
        self._deferred: list[str] = []

    async def open(self) -> None:
        if self.path.parent != Path():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are begun explicitly, never implicitly by sqlite3.
        if self.read_only:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            self._connection = await aiosqlite.connect(uri, uri=True, isolation_level=None)
            self._connection.row_factory = aiosqlite.Row
            await self._connection.execute("PRAGMA query_only=ON")
            await self._connection.execute("PRAGMA busy_timeout=5000")
            return
        self._connection = await aiosqlite.connect(self.path, isolation_level=None)
        self._connection.row_factory = aiosqlite.Row
        await self._connection.execute("PRAGMA journal_mode=WAL")
        await self._connection.execute("PRAGMA foreign_keys=ON")
        await self._connection.execute("PRAGMA busy_timeout=5000")
        # FULL: a commit survives power loss, which "nothing is ever lost" needs (SPEC §8).
        await self._connection.execute("PRAGMA synchronous=FULL")
        # Erased rows (a /forget, a cleared inbox payload) are overwritten, not left readable
        # in free pages of the file.
        await self._connection.execute("PRAGMA secure_delete=ON")

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    @property
    def connection(self) -> aiosqlite.Connection:
        if self._connection is None:
            raise RuntimeError("the database is not open")
        return self._connection

    def _owns_transaction(self) -> bool:
        return self._owner is not None and self._owner is asyncio.current_task()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call `callback` once the current task's transaction is committed (at once when it
        has none; never when it rolls back): the outbox sender is woken only for replies that
        are saved (a batch of updates commits them all at its end)."""
        if not self._owns_transaction():
            callback()
        elif callback not in self._after_commit:
            self._after_commit.append(callback)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """Run the block atomically; nested blocks in the same task become savepoints."""
        if self._owns_transaction():
            if not self.connection.in_transaction:
                # SQLite rolled the whole transaction back itself (disk full, I/O error): a
                # SAVEPOINT now would begin, and its RELEASE commit, a transaction of its own.
                raise sqlite3.OperationalError("the enclosing transaction was rolled back")
            async with self._savepoint():
                yield
            return
        async with self._lock:
            self._owner = asyncio.current_task()
            try:
                await self._begin()
                try:
                    yield
                    await self._send("COMMIT")
                except BaseException:
                    self._after_commit.clear()
                    # Savepoints of a transaction rolled back whole: nothing left to send.
                    self._deferred.clear()
                    # Also when COMMIT itself failed (disk full, I/O error): a transaction left
                    # open would swallow every later write of every task.
                    if self.connection.in_transaction:
                        await self.connection.execute("ROLLBACK")
                    raise
            finally:
                self._owner = None
                self._deferred.clear()
            callbacks, self._after_commit = self._after_commit, []
            for callback in callbacks:
                callback()

    @asynccontextmanager
    async def _savepoint(self) -> AsyncIterator[None]:
        """A nested transaction of the owner task."""
        self._depth += 1
        savepoint = f"sp{self._depth}"
        # SAVEPOINT and RELEASE go with the next statement's trip to the database's
        # thread (each update of a batch is a savepoint: two trips fewer per update). A
        # savepoint nothing ran in is never sent at all.
        opened = f"SAVEPOINT {savepoint}"
        self._deferred.append(opened)
        try:
            yield
        except BaseException:
            if self._deferred[-1:] == [opened]:
                self._deferred.pop()
            else:
                await self._send(f"ROLLBACK TO {savepoint}", f"RELEASE {savepoint}")
            raise
        else:
            if self._deferred[-1:] == [opened]:
                self._deferred.pop()
            else:
                self._deferred.append(f"RELEASE {savepoint}")
        finally:
            self._depth -= 1

    async def _begin(self) -> None:
        try:
            await self.connection.execute("BEGIN IMMEDIATE")
        except asyncio.CancelledError:
            # The BEGIN was already handed to the connection's thread and runs anyway (a task
            # cancelled at shutdown, say): undo it after it ran, or the next transaction of
            # any task finds one open. Statements run in order on that thread.
            with contextlib.suppress(sqlite3.Error):
                await self.connection.execute("ROLLBACK")
            raise

    @asynccontextmanager
    async def _access(self) -> AsyncIterator[aiosqlite.Connection]:
        if self._owns_transaction():
            yield self.connection
            return
        async with self._lock:
            yield self.connection

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` with the sqlite3 connection in the connection's own thread: several
        statements in one trip there and back. A trip costs the event loop more than most of
        the bot's statements take to run (aiosqlite's cursors take one per step: execute,
        fetch, close). `work` runs statements only: no BEGIN, COMMIT or ROLLBACK."""
        async with self._access() as connection:
            return await self._trip(connection, work)

    async def _trip(
        self, connection: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T]
    ) -> T:
        """One trip to the connection's thread: the savepoint statements waiting, then `work`."""
        raw = connection._conn  # the sqlite3 connection, used only in its own thread
        deferred, self._deferred = self._deferred, []

        def run(db: sqlite3.Connection) -> T:
            for statement in deferred:
                db.execute(statement)
            return work(db)

        # aiosqlite's own way to run a call in its thread (the version is pinned).
        result: T = await connection._execute(run, raw)  # type: ignore[no-untyped-call]
        return result

    async def _send(self, *statements: str) -> None:
        """The waiting savepoint statements and `statements`, in one trip (the owner's)."""

        def run(db: sqlite3.Connection) -> None:
            for statement in statements:
                db.execute(statement)

        await self._trip(self.connection, run)

    async def _run(self, work: Callable[[sqlite3.Cursor], T], sql: str, params: Params) -> T:
        """Run `sql` and `work` on its cursor, in one trip."""

        def run(raw: sqlite3.Connection) -> T:
            cursor = raw.execute(sql, params)
            try:
                return work(cursor)
            finally:
                cursor.close()

        return await self.run(run)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return how many rows it changed."""
        return await self._run(_rowcount, sql, params)

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run one INSERT; return the new row's id."""
        row_id = await self._run(_lastrowid, sql, params)
        assert row_id is not None
        return row_id

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        values = list(rows)

        def run(db: sqlite3.Connection) -> None:
            db.executemany(sql, values)

        await self.run(run)

    async def fetch_one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        row: aiosqlite.Row | None = await self._run(_fetchone, sql, params)
        return row

    async def fetch_all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        rows: list[aiosqlite.Row] = await self._run(_fetchall, sql, params)
        return rows

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def checkpoint(self) -> bool:
        """Copy the write-ahead log into the file and empty it, so that no older version of a
        page (a handled update's text, say) stays in the log; False when a reader kept part of
        it (best effort: it runs again next time)."""
        async with (
            self._access() as connection,
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor,
        ):
            row = await cursor.fetchone()
        return row is not None and row[0] == 0

    async def migrate(self) -> list[str]:
        """Apply pending migrations, each in its own transaction; return their names."""
        async with self._lock:
            await self.connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            async with self.connection.execute("SELECT version FROM schema_migrations") as cur:
                applied = {row[0] for row in await cur.fetchall()}
            done: list[str] = []
            for version, name, script in available_migrations():
                if version in applied:
                    continue
                stamp = to_db(datetime.now(UTC))
                # executescript would commit an open transaction first, so the script carries
                # its own BEGIN/COMMIT and records itself inside the same transaction.
                body = (
                    f"BEGIN IMMEDIATE;\n{script}\n"
                    f"INSERT INTO schema_migrations VALUES ({version}, '{name}', '{stamp}');\n"
                    "COMMIT;"
                )
                try:
                    await self.connection.executescript(body)
                except Exception:
                    await self.connection.execute("ROLLBACK")
                    raise
                log.info("applied migration %04d_%s", version, name)
                done.append(f"{version:04d}_{name}")
            return done

    async def backup(self, target: Path) -> None:
        """Copy the live database with SQLite's online backup (consistent while the bot runs)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        async with self._lock, aiosqlite.connect(target) as destination:
            await self.connection.backup(destination)


def _rowcount(cursor: sqlite3.Cursor) -> int:
    return cursor.rowcount


def _lastrowid(cursor: sqlite3.Cursor) -> int | None:
    return cursor.lastrowid


def _fetchone(cursor: sqlite3.Cursor) -> Any:
    return cursor.fetchone()


def _fetchall(cursor: sqlite3.Cursor) -> list[Any]:
    return cursor.fetchall()


def available_migrations() -> list[tuple[int, str, str]]:
    """The migrations shipped with the package, in order: (version, name, SQL)."""
    found: list[tuple[int, str, str]] = []
    folder = resources.files("bot.storage") / "migrations"
    for entry in folder.iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    return sorted(found)
