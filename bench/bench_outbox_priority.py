"""A broadcast to 500 volunteers while 20 people send /menu and a safety alert fires.

Run by hand: `.venv/bin/python -m bench.bench_outbox_priority [--volunteers 500] [--people 20]`.
The emulator keeps Telegram's flood limits (30 messages a second for the whole bot, 20 a
minute per group); the bot runs the production path (outbox rows → the sender → HTTP). The
broadcast is queued as bulk in one transaction; a few seconds in, the people write /menu a
quarter of a second apart, and halfway through them a safety alert goes to the team chat and
the admin. Targets: the broadcast at ≥ 0.95 of the allowed rate, one copy per volunteer, the
answers' p95 latency under 1.5 s, the alert out within 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.handlers.common import alert_responders
from bot.i18n import Translator
from bot.sandbox.emulator import BotApiEmulator, EmulatorLimits
from bot.services.outbox import BULK
from bot.storage.models import Role
from tests.helpers.harness import ADMIN_ID, TEAM_CHAT_ID, make_settings, start_bot

NEWS = "📣 Wood-cutting on Saturday at 9:00, the wood-yard. Reply /planning to sign up."
ALERT = "🆘 Ana has not answered “all OK?” for 15 minutes (bench)."


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(volunteers: int, people: int, start_after: float) -> None:
    limits = EmulatorLimits()
    emu = BotApiEmulator(limits=limits)
    await emu.start()
    emu.add_user(ADMIN_ID, "Admin", language_code="en")
    emu.add_group(TEAM_CHAT_ID, "Équipe Calais", [ADMIN_ID])
    volunteer_ids = [10_000 + index for index in range(volunteers)]
    people_ids = [20_000 + index for index in range(people)]
    for user_id in volunteer_ids + people_ids:
        emu.add_user(user_id, f"U{user_id}", language_code="en")
    with tempfile.TemporaryDirectory() as scratch:
        running = await start_bot(make_settings(emu, Path(scratch) / "bench.sqlite3"))
        try:
            services = running.bot.services
            storage = running.bot.storage
            async with storage.transaction():
                for user_id in volunteer_ids:
                    await storage.users.touch(user_id, "en", running.bot.clock.now())
                    await storage.users.set_role(user_id, Role.VOLUNTEER, antenna="calais")
            async with storage.transaction():
                for user_id in volunteer_ids:
                    await services.outbox.send_text(user_id, NEWS, priority=BULK, batch="bench")
            await asyncio.sleep(start_after)
            written: dict[int, float] = {}
            alert_fired = alert_committed = 0.0
            for index, user_id in enumerate(people_ids):
                written[user_id] = time.time()
                await emu.send_text(user_id, "/menu")
                if index == people // 2:
                    alert_fired = time.time()

                    def render(t: Translator) -> str:
                        return ALERT

                    async with storage.transaction():
                        await alert_responders(services, "calais", render, what="bench alert")
                    alert_committed = time.time()
                await asyncio.sleep(0.25)

            def served() -> int:
                return sum(1 for user_id in volunteer_ids if emu.bot_messages(user_id))

            await emu.wait_until(lambda: served() >= volunteers, timeout=300)
            await emu.wait_until(
                lambda: all(len(emu.bot_messages(u)) >= 1 for u in people_ids), timeout=60
            )
        finally:
            await running.stop()
        await emu.stop()
    report(emu, limits, volunteer_ids, people_ids, written, (alert_fired, alert_committed))


def report(
    emu: BotApiEmulator,
    limits: EmulatorLimits,
    volunteer_ids: list[int],
    people_ids: list[int],
    written: dict[int, float],
    alert: tuple[float, float],
) -> None:
    alert_fired, alert_committed = alert
    volunteers, people = len(volunteer_ids), len(people_ids)
    copies = [len([m for m in emu.bot_messages(u) if m.text == NEWS]) for u in volunteer_ids]
    bulk_dates = sorted(m.date for u in volunteer_ids for m in emu.bot_messages(u))
    first, last = bulk_dates[0], bulk_dates[-1]
    window = last - first
    bulk_rate = (len(bulk_dates) - 1) / window
    chats = [*volunteer_ids, *people_ids, ADMIN_ID, TEAM_CHAT_ID]
    in_window = [
        m for c in chats for m in emu.bot_messages(c) if m.from_bot and first <= m.date <= last
    ]
    others = len(in_window) - len(bulk_dates)
    allowed = float(limits.global_per_second or 0)
    latencies = []
    for user_id in people_ids:
        answers = [m.date for m in emu.bot_messages(user_id) if m.from_bot]
        latencies.append(min(answers) - written[user_id])
    alert_dates = [
        m.date for c in (TEAM_CHAT_ID, ADMIN_ID) for m in emu.bot_messages(c) if m.text == ALERT
    ]

    print(f"{volunteers} bulk messages, {people} x /menu, 1 safety alert (team chat + admin)")
    print(
        f"bulk: {bulk_rate:.2f} msg/s over {window:.2f} s = {bulk_rate / allowed:.3f} of the "
        f"emulator's {allowed:.0f}/s (target ≥ 0.95)"
    )
    print(
        f"whole bot in that window: {(len(in_window) - 1) / window:.2f} msg/s "
        f"= {(len(in_window) - 1) / window / allowed:.3f} of {allowed:.0f}/s "
        f"({others} answers and alerts among them)"
    )
    print(
        f"copies per volunteer: min {min(copies)}, max {max(copies)} "
        f"({'exactly one each' if set(copies) == {1} else 'NOT one each'})"
    )
    print(
        f"answers to /menu: p50 {statistics.median(latencies):.3f} s, "
        f"p95 {percentile(latencies, 0.95):.3f} s, max {max(latencies):.3f} s (target p95 < 1.5 s)"
    )
    print(
        f"safety alert: {len(alert_dates)} copies, left within "
        f"{max(alert_dates) - alert_fired:.3f} s (target < 1 s); "
        f"{max(alert_dates) - alert_committed:.3f} s after its transaction committed"
    )
    print(f"429 answers: {len(emu.throttled)}; other refusals: {len(emu.refused)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--volunteers", type=int, default=500)
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--start-after", type=float, default=3.0, help="seconds of broadcast")
    args = parser.parse_args()
    asyncio.run(measure(args.volunteers, args.people, args.start_after))


if __name__ == "__main__":
    main()
