"""The guided /distrib form's queries, per tap, at 43 000 logs a month.

Run by hand: `.venv/bin/python -m bench.bench_guided [--per-month 43000] [--months 12]`.
Every tap runs inside the update's transaction, which holds the database's only write lock:
whatever a tap reads, every other update (a safety alert's included) waits for. Step 1 reads
the team's most used items and the caller's last log; step 3 reads the places the caller (then
the team) used last; step 4 saves the log with its daily totals and recent place. Each step
prints the plan of every statement it runs. The queries the form ran before (issue 7: a scan
of a month of logs) are timed on the same data for comparison. Target: each reading step
under 1 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.distributions import RECENT_DAYS, DistributionService
from bot.storage import Storage
from bot.storage.database import to_db
from tests.helpers.clock import FakeClock
from tests.helpers.plans import query_plans

PARIS = ZoneInfo("Europe/Paris")
SLOTS = ("day", "evening", "night")
ANTENNAS = ("calais", "grande-synthe")
VOLUNTEERS = 120  # per antenna
NOW = datetime(2026, 12, 20, 12, tzinfo=UTC)

# What each tap ran before (issue 7): a scan of the month's logs of the antenna.
LEGACY = {
    "most used items (30 days of logs)": (
        "SELECT item_code FROM distributions WHERE antenna = ? AND logged_at >= ? "
        "AND undone_at IS NULL GROUP BY item_code ORDER BY COUNT(*) DESC"
    ),
    "recent places (30 days of logs)": (
        "SELECT place_id, MAX(CASE WHEN user_id = :user THEN logged_at END) AS mine, "
        "MAX(logged_at) AS anyone FROM distributions WHERE antenna = :antenna "
        "AND logged_at >= :since AND undone_at IS NULL AND place_id IS NOT NULL "
        "GROUP BY place_id ORDER BY mine IS NULL, mine DESC, anyone DESC LIMIT 6"
    ),
}


async def load(storage: Storage, service: DistributionService, rows: int, days: int) -> None:
    items = list(service.catalogue.items)
    places = {a: [p.id for p in service.catalogue.places_of(a)] for a in ANTENNAS}
    users = [
        (antenna, 10_000 + index * 2 + offset)
        for offset, antenna in enumerate(ANTENNAS)
        for index in range(VOLUNTEERS)
    ]
    async with storage.transaction():
        await storage.db.execute_many(
            "INSERT INTO users (id, role, antenna, created_at, last_seen_at) "
            "VALUES (?, 'volunteer', ?, ?, ?)",
            [(user_id, antenna, to_db(NOW), to_db(NOW)) for antenna, user_id in users],
        )
    random.seed(7)
    start = NOW - timedelta(days=days)
    batch_size = 50_000
    for offset in range(0, rows, batch_size):
        chunk = []
        for index in range(offset, min(rows, offset + batch_size)):
            antenna, user_id = random.choice(users)
            at = start + timedelta(seconds=random.randrange(days * 86400))
            chunk.append(
                (
                    antenna,
                    user_id,
                    random.choice(items),
                    random.randint(1, 60),
                    random.choice(places[antenna]),
                    random.choice(SLOTS),
                    to_db(at),
                    f"b{index}",
                    at.astimezone(PARIS).date().isoformat(),
                )
            )
        async with storage.transaction():
            await storage.db.execute_many(
                "INSERT INTO distributions (antenna, user_id, item_code, quantity, place_id, "
                "slot, logged_at, batch, day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                chunk,
            )
    # Bulk-loaded rows get their daily totals and recent places the way a backfill builds them.
    async with storage.transaction():
        await storage.distributions.rebuild_days()
        await storage.distributions.rebuild_recent_places()
    await storage.db.execute("ANALYZE")


async def timed(label: str, call: Callable[[], Awaitable[Any]], runs: int = 200) -> None:
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        await call()
        timings.append(time.perf_counter() - began)
    timings.sort()
    median, worst = timings[len(timings) // 2], timings[-1]
    print(f"  {label}: median {median * 1000:.2f} ms, worst {worst * 1000:.2f} ms ({runs} runs)")


async def plans(storage: Storage, call: Callable[[], Awaitable[Any]]) -> list[str]:
    """The plan of every statement a call runs, one line each."""
    return [
        " ".join(sql.split()[:8]) + " … → " + "; ".join(details)
        for sql, details in await query_plans(storage, call)
    ]


async def measure(per_month: int, months: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        storage = Storage(Path(scratch) / "bench.sqlite3")
        await storage.open()
        clock = FakeClock(NOW)
        service = DistributionService(storage, clock, PARIS, (datetime.min.time(),) * 3, "calais")
        async with storage.transaction():
            await service.load()
        rows = per_month * months
        loading = time.perf_counter()
        await load(storage, service, rows, days=months * 30)
        print(f"loaded {rows} logs ({per_month} a month) in {time.perf_counter() - loading:.1f} s")
        user = await storage.users.get(10_000)  # a volunteer of Calais
        assert user is not None
        place = service.catalogue.places_of("calais")[0].id

        async def save() -> None:
            async with storage.transaction():
                await service.log(user, [("blankets", 5)], place, secrets.token_hex(4))

        steps: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
            ("step 1, items (most used first)", lambda: service.items_for(user)),
            ("step 1, the caller's last log", lambda: service.last_log(user)),
            ("step 3, places (recent first)", lambda: service.places_for(user)),
            ("step 4, save (a whole transaction, synchronous=FULL)", save),
        ]
        print("guided form, now:")
        for label, call in steps:
            await timed(label, call)
            for plan in await plans(storage, call):
                print(f"    {plan}")
        print("before (issue 7), on the same data:")
        since = to_db(NOW - timedelta(days=RECENT_DAYS))
        values: list[Any] = [
            ("calais", since),
            {"user": user.id, "antenna": "calais", "since": since},
        ]
        for (label, sql), params in zip(LEGACY.items(), values, strict=True):

            async def legacy(sql: str = sql, params: Any = params) -> None:
                await storage.db.fetch_all(sql, params)

            await timed(label, legacy)
            for plan in await plans(storage, legacy):
                print(f"    {plan}")
        await storage.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-month", type=int, default=43_000)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    asyncio.run(measure(args.per_month, args.months))


if __name__ == "__main__":
    main()
