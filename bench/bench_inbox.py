"""Throughput of the durable inbox: updates per second through the real bot and the emulator.

Run by hand: `.venv/bin/python -m bench.bench_inbox [--updates 2000] [--users 100]`, or for
distribution logging: `... --command "/distrib 40 blankets, 25 tea @ Marck" --volunteers`.
Every update goes the production path: getUpdates over HTTP → inbox row committed (fsync) →
handled in a transaction → outbox row → sendMessage over HTTP. Flood limits are lifted and the
inbox figure is the bot's own capacity; replies leave at Telegram's pace (about 30 per second
for the whole bot, kept by AIORateLimiter).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from pathlib import Path

from bot.sandbox.emulator import BotApiEmulator, EmulatorLimits
from bot.storage.models import Role
from tests.helpers.harness import make_settings, start_bot


async def measure(updates: int, users: int, command: str, volunteers: bool) -> None:
    emu = BotApiEmulator(limits=EmulatorLimits(None, None, None))
    await emu.start()
    with tempfile.TemporaryDirectory() as scratch:
        running = await start_bot(make_settings(emu, Path(scratch) / "bench.sqlite3"))
        try:
            ids = [10_000 + index for index in range(users)]
            for user_id in ids:
                emu.add_user(user_id, f"U{user_id}", language_code="en")
            if volunteers:
                async with running.bot.storage.transaction():
                    for user_id in ids:
                        await running.bot.storage.users.touch(
                            user_id, "en", running.bot.clock.now()
                        )
                        await running.bot.storage.users.set_role(
                            user_id, Role.VOLUNTEER, antenna="calais"
                        )
            started = time.perf_counter()
            for index in range(updates):
                await emu.send_text(ids[index % users], command)

            def replies() -> int:
                return sum(len(emu.bot_messages(user_id)) for user_id in ids)

            storage = running.bot.storage
            while True:
                handled = await storage.db.fetch_value(
                    "SELECT COUNT(*) FROM inbox WHERE handled_at IS NOT NULL"
                )
                if handled >= updates:
                    break
                await asyncio.sleep(0.05)
            handled_in = time.perf_counter() - started
            await emu.wait_until(lambda: replies() >= updates, timeout=600)
            elapsed = time.perf_counter() - started
        finally:
            await running.stop()
        await emu.stop()
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{updates} x {command!r} from {users} users in {elapsed:.2f} s")
    print(f"inbox: {updates / handled_in:.0f} updates/s stored, handled and committed")
    print(f"delivery: {updates / elapsed:.0f} replies/s (AIORateLimiter keeps Telegram's 30/s)")
    print(f"peak RSS of bot + emulator in one process: {rss_mib:.0f} MiB")
    print(f"requests Telegram would have refused: {len(emu.refused)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--command", default="/menu")
    parser.add_argument("--volunteers", action="store_true", help="give the users that role")
    args = parser.parse_args()
    asyncio.run(measure(args.updates, args.users, args.command, args.volunteers))


if __name__ == "__main__":
    main()
