"""The query plans of what a piece of code runs against the database."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.storage import Storage

WRITES_AND_READS = ("SELECT", "INSERT", "UPDATE", "DELETE")


async def query_plans(
    storage: Storage, call: Callable[[], Awaitable[Any]]
) -> list[tuple[str, list[str]]]:
    """Each statement the call ran (parameters bound, as SQLite traced it) with its plan."""
    statements: list[str] = []
    await storage.db.connection.set_trace_callback(statements.append)
    try:
        await call()
    finally:
        # sqlite3 takes None to stop tracing; aiosqlite's annotation leaves it out.
        await storage.db.connection.set_trace_callback(None)  # type: ignore[arg-type]
    plans = []
    for sql in statements:
        if sql.split()[0].upper() not in WRITES_AND_READS:
            continue  # BEGIN, SAVEPOINT, COMMIT…
        rows = await storage.db.fetch_all(f"EXPLAIN QUERY PLAN {sql}")
        plans.append((sql, [row["detail"] for row in rows]))
    return plans
