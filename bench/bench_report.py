"""/report month, and /export month and year, over a million distribution rows.

Run by hand: `.venv/bin/python -m bench.bench_report [--rows 1000000] [--days 365]`.
By default the rows cover a year of both antennas (about 40 000 a month for each), the way a
busy year would look; `--days 30` packs all of them into November, the worst case. The report
reads one antenna's November. Targets: the report under 0.5 s; while an export is written, the
event loop never stalls for more than a few milliseconds, and every file stays under 45 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.services.distributions import DistributionService
from bot.services.exports import ExportService
from bot.services.reports import ReportService, parse_period
from bot.storage import Storage
from bot.storage.database import to_db
from bot.storage.exports import ExportReader
from bot.storage.models import Role, User
from tests.helpers.clock import FakeClock

PARIS = ZoneInfo("Europe/Paris")
SLOTS = ("day", "evening", "night")


async def longest_stall(work: asyncio.Future[object], tick: float = 0.001) -> float:
    """The longest the event loop went without running a coroutine while `work` ran."""
    longest = 0.0
    while not work.done():
        before = time.perf_counter()
        await asyncio.sleep(tick)
        longest = max(longest, time.perf_counter() - before - tick)
    await work
    return longest


async def measure(rows: int, days: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        storage = Storage(Path(scratch) / "bench.sqlite3")
        await storage.open()
        clock = FakeClock(datetime(2026, 12, 20, 12, tzinfo=UTC))
        distributions = DistributionService(
            storage, clock, PARIS, (datetime.min.time(),) * 3, "calais"
        )
        async with storage.transaction():
            await distributions.load()
        items = list(distributions.catalogue.items)
        places = {
            a: [p.id for p in distributions.catalogue.places_of(a)]
            for a in ("calais", "grande-synthe")
        }
        random.seed(7)
        start = datetime(2026, 12, 1, tzinfo=UTC) - timedelta(days=days)
        loading = time.perf_counter()
        batch_size = 50_000
        for offset in range(0, rows, batch_size):
            chunk = []
            for index in range(offset, min(rows, offset + batch_size)):
                antenna = "calais" if index % 2 else "grande-synthe"
                at = start + timedelta(seconds=random.randrange(days * 86400))
                chunk.append(
                    (
                        antenna,
                        None,
                        random.choice(items),
                        random.randint(1, 60),
                        random.choice(places[antenna]),
                        random.choice(SLOTS),
                        to_db(at),
                        None,
                        f"b{index}",
                        at.astimezone(PARIS).date().isoformat(),
                    )
                )
            async with storage.transaction():
                await storage.db.execute_many(
                    "INSERT INTO distributions (antenna, user_id, item_code, quantity, place_id, "
                    "slot, logged_at, shift_id, batch, day) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    chunk,
                )
        # Bulk-loaded rows get their daily totals the way a backfill builds them.
        async with storage.transaction():
            await storage.distributions.rebuild_days()
        await storage.db.execute("ANALYZE")
        print(f"loaded {rows} rows in {time.perf_counter() - loading:.1f} s")
        reports = ReportService(storage, clock, PARIS, "calais")
        period = parse_period("2026-11", clock.now(), PARIS)
        timings = []
        for _ in range(5):
            began = time.perf_counter()
            built = await reports.build("calais", period)
            timings.append(time.perf_counter() - began)
        logs = sum(total.logs for total in built.slots)
        print(
            f"/report month (calais, {logs} logs): best {min(timings) * 1000:.0f} ms, "
            f"worst {max(timings) * 1000:.0f} ms over 5 runs"
        )
        exports = ExportService(
            reports,
            lambda: ExportReader(storage.db.path),
            clock,
            PARIS,
            Path(scratch) / "outgoing",
        )
        admin = User(
            5, "fr", None, Role.ADMIN, None, "Admin", None, True, clock.now(), clock.now(), None
        )
        for label, period_text in (("month", "2026-11"), ("year", "2025-12-01..2026-11-30")):
            began = time.perf_counter()
            work = asyncio.ensure_future(
                exports.export(admin, period_text, distributions.catalogue, "fr")
            )
            stall = await longest_stall(work)
            _, files = work.result()
            sizes = ", ".join(f"{f.name} {f.path.stat().st_size / 1024:.0f} KiB" for f in files)
            print(
                f"/export {label} (all antennas): {(time.perf_counter() - began) * 1000:.0f} ms, "
                f"loop stalled at most {stall * 1000:.1f} ms; {sizes}"
            )
        await storage.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    asyncio.run(measure(args.rows, args.days))


if __name__ == "__main__":
    main()
