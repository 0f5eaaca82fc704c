"""Maraude side by side with a bare python-telegram-bot echo bot (issue 13 §3).

Run by hand: `make bench`, or `.venv/bin/python -m bench.bench_side_by_side [--updates 2000]
[--users 100] [--rounds 2] [--rows 1000000] [--people 10000] [--latency-updates 1000]
[--profile FILE]`.

Each bot runs as its own process (`bench/echo_bot.py`; `bench/maraude_proc.py`, which is
`maraude run` with the bot's own 30/s pacing lifted), pointed at the Bot API emulator that runs
here, flood limits lifted. Rounds alternate echo, Maraude, echo, Maraude; each round starts a
fresh process (and a fresh emulator) for each bot and runs every mix on it:

- capacity: U users each send their next update as soon as the previous one is answered (a
  closed loop: at most U in flight, so that a button press always finds the message it
  presses); updates/s from the first update offered to the last reply received;
- latency: the same scripts, offered at 100 updates/s; from the update's pickup by getUpdates
  to its reply arriving at the emulator (the first sendMessage to that chat after it, or the
  answerCallbackQuery of a press).

Maraude runs on a database seeded before it starts with --people users (the bench users among
them) and --rows distribution rows spread over two years: its resident memory (VmRSS, VmHWM)
and start-up time (process start to its first getUpdates) are measured on it.

Scripts. menu: public people send `/menu`. distrib-quick: volunteers send `/distrib 40
blankets, 25 tea @ Marck`. mix: half public (`/menu`, a topic button, `/menu`, another topic),
half volunteers (`/shift start maraude`, the quick `/distrib`, the guided `/distrib` with three
taps: item, quantity, place, then `/shift end`). The echo bot answers each text with its text
and a button, and each press of that button.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.sandbox.emulator import BotApiEmulator, ChatMessage, EmulatorLimits
from bot.services.distributions import DistributionService
from bot.storage import Storage
from bot.storage.database import to_db
from tests.helpers.clock import FakeClock

ROOT = Path(__file__).resolve().parent.parent
PARIS = ZoneInfo("Europe/Paris")
ADMIN_ID = 900
TEAM_CHAT_ID = -1001234567890
PUBLIC_BASE = 20_000
VOLUNTEER_BASE = 30_000
QUICK = "/distrib 40 blankets, 25 tea @ Marck"
ANTENNAS = ("calais", "grande-synthe")
SLOTS = ("day", "evening", "night")
REPLY_TIMEOUT = 60.0


# ------------------------------------------------------------------------------- scripts

Chooser = Callable[[ChatMessage], str | None]


def data_starting(prefix: str, nth: int = 0) -> Chooser:
    def choose(message: ChatMessage) -> str | None:
        found = [
            b.callback_data
            for b in message.buttons()
            if b.callback_data and b.callback_data.startswith(prefix)
        ]
        return found[nth % len(found)] if found else None

    return choose


def label(text: str) -> Chooser:
    def choose(message: ChatMessage) -> str | None:
        return next((b.text for b in message.buttons() if b.text.strip() == text), None)

    return choose


Step = str | Chooser  # a text to send, or the button to press on the bot's last message

PUBLIC_MIX: list[Step] = ["/menu", data_starting("topic:"), "/menu", data_starting("topic:", 1)]
VOLUNTEER_MIX: list[Step] = [
    "/shift start maraude",
    QUICK,
    "/distrib",
    data_starting("dit:blankets:"),
    label("20"),
    label("Marck"),
    "/shift end",
]


def scripts(mix: str, users: int, updates: int) -> dict[int, list[Step]]:
    """Each user's steps: `updates` in all, users taking turns through their cycle."""
    cycles: dict[int, list[Step]]
    if mix == "menu":
        cycles = {PUBLIC_BASE + i: ["/menu"] for i in range(users)}
    elif mix == "distrib-quick":
        cycles = {VOLUNTEER_BASE + i: [QUICK] for i in range(users)}
    else:
        cycles = {PUBLIC_BASE + i: PUBLIC_MIX for i in range(users - users // 2)}
        cycles |= {VOLUNTEER_BASE + i: VOLUNTEER_MIX for i in range(users // 2)}
    steps: dict[int, list[Step]] = {user: [] for user in cycles}
    order = list(cycles)
    given = 0
    while given < updates:
        for user in order:
            if given == updates:
                break
            cycle = cycles[user]
            steps[user].append(cycle[len(steps[user]) % len(cycle)])
            given += 1
    return steps


# ------------------------------------------------------------------------------- emulator


class BenchEmulator(BotApiEmulator):
    """The emulator, noting when each update was picked up and waking one waiter per chat."""

    def __init__(self, first_update_id: int) -> None:
        super().__init__(limits=EmulatorLimits(None, None, None), first_update_id=first_update_id)
        self.first_poll: float | None = None
        self.picked: dict[int, float] = {}
        self.answered_at: dict[str, float] = {}
        self._waiters: dict[object, asyncio.Event] = {}

    async def _get_updates(self, params: Any) -> list[dict[str, Any]]:
        if self.first_poll is None:
            self.first_poll = time.time()
        batch = await super()._get_updates(params)
        now = time.time()
        for update in batch:
            self.picked.setdefault(update["update_id"], now)
        return batch

    async def _answer_callback_query(self, params: Any) -> bool:
        answered = await super()._answer_callback_query(params)
        query_id = params.text("callback_query_id")
        self.answered_at[query_id] = time.time()
        self._wake(query_id)
        return answered

    async def _dispatch(
        self, token: str, method: str, raw: dict[str, Any], disconnected: asyncio.Event
    ) -> tuple[int, dict[str, Any]]:
        status, body = await super()._dispatch(token, method, raw, disconnected)
        chat = raw.get("chat_id")
        if chat is not None:
            self._wake(int(chat))
        return status, body

    def _wake(self, key: object) -> None:
        event = self._waiters.pop(key, None)
        if event is not None:
            event.set()

    async def changed(self, key: object) -> None:
        event = self._waiters.setdefault(key, asyncio.Event())
        async with asyncio.timeout(REPLY_TIMEOUT):
            await event.wait()


class Pacer:
    """Hands out send slots: every `interval` seconds, or at once when the interval is 0."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.next = time.perf_counter()

    async def slot(self) -> None:
        if not self.interval:
            return
        now = time.perf_counter()
        at = max(self.next, now)
        self.next = at + self.interval
        if at > now:
            await asyncio.sleep(at - now)


@dataclass
class Run:
    updates: int = 0
    first_offered: float = 0.0
    last_reply: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.updates / (self.last_reply - self.first_offered)


def echoed(message: ChatMessage) -> str | None:
    """The echo bot puts the same button on every answer."""
    return "echo" if any(b.callback_data == "echo" for b in message.buttons()) else None


async def play(
    emu: BenchEmulator, steps: dict[int, list[Step]], interval: float, *, presses_show: bool
) -> Run:
    """Run every user's script; `presses_show`: each press also edits or sends a message
    (Maraude's do; the echo bot's only answer), which the next step waits for, or that
    message could be taken for the answer to the next one."""
    run = Run()
    pacer = Pacer(interval)
    run.first_offered = time.time()

    async def user(user_id: int, script: list[Step]) -> None:
        chat = emu._chats[user_id]
        for step in script:
            await pacer.slot()
            if isinstance(step, str):
                mark = len(chat.messages)
                update_id = await emu.send_text(user_id, step)
                # The answer is the bot's first message after the bot fetched the update: a
                # second message of the previous step may still come in between.
                replied: float | None = None
                while replied is None:
                    picked = emu.picked.get(update_id)
                    if picked is not None:
                        answers = (m for m in chat.messages[mark:] if m.from_bot)
                        replied = next((m.date for m in answers if m.date >= picked), None)
                    if replied is None:
                        await emu.changed(user_id)
            else:
                last = emu.last_bot_message(user_id)
                wanted = step(last) or echoed(last)
                while wanted is None:
                    await emu.changed(user_id)
                    last = emu.last_bot_message(user_id)
                    wanted = step(last) or echoed(last)
                shown = (sum(1 for m in chat.messages if m.from_bot), last.edits)
                update_id = await emu.press(user_id, last, wanted)
                query_id = emu._updates[update_id]["callback_query"]["id"]
                while query_id not in emu.answered_at:
                    await emu.changed(query_id)
                replied = emu.answered_at[query_id]
                while (
                    presses_show
                    and (
                        sum(1 for m in chat.messages if m.from_bot),
                        last.edits,
                    )
                    == shown
                ):
                    await emu.changed(user_id)
                # The next step may press what this press brings (an edit or a message).
                await asyncio.sleep(0)
            run.updates += 1
            run.last_reply = max(run.last_reply, replied)
            run.latencies.append(replied - emu.picked[update_id])

    await asyncio.gather(*(user(u, s) for u, s in steps.items()))
    return run


# ------------------------------------------------------------------------------- processes


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process used so far (its threads together)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vm(pid: int, key: str) -> int:
    """VmRSS or VmHWM of a process, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


@dataclass
class Bot:
    name: str
    process: subprocess.Popen[bytes]
    spawned: float
    log: Path

    async def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        for _ in range(3000):  # a profiler writes its report on the way out
            if self.process.poll() is not None:
                break
            await asyncio.sleep(0.05)
        else:
            self.process.kill()
            self.process.wait()


def start_process(
    command: list[str], cwd: Path, env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        # The working directory holds no .env: the settings are the ones given here.
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=out)


async def spawn(
    name: str, emu: BenchEmulator, database: Path, scratch: Path, profile: Path | None
) -> Bot:
    log = scratch / f"{name}.log"
    env = dict(os.environ)
    if name == "echo":
        command = [sys.executable, "-m", "bench.echo_bot", emu.base_url, emu.token]
    else:
        command = [sys.executable, "-m", "bench.maraude_proc"]
        if profile is not None:
            # PYINSTRUMENT_OPTIONS="--async-mode=disabled": where the CPU goes, not the waits.
            options = os.environ.get("PYINSTRUMENT_OPTIONS", "").split()
            command[1:1] = ["-m", "pyinstrument", *options, "-r", "text", "-o", str(profile)]
        env |= {
            "BOT_TOKEN": emu.token,
            "BOT_API_BASE_URL": emu.base_url,
            "BOT_API_FILE_URL": emu.base_file_url,
            "DATABASE_URL": f"sqlite:///{database}",
            "ADMIN_IDS": str(ADMIN_ID),
            "TEAM_CHAT_ID": str(TEAM_CHAT_ID),
            "LOG_LEVEL": "WARNING",
        }
    env["PYTHONPATH"] = str(ROOT)
    spawned = time.time()
    process = start_process(command, scratch, env, log)
    bot = Bot(name, process, spawned, log)
    while emu.first_poll is None:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: {log.read_text()[-2000:]}")
        await asyncio.sleep(0.005)
    return bot


# ------------------------------------------------------------------------------- database


async def seed(database: Path, people: int, rows: int, users: int) -> tuple[int, float]:
    """Users (the bench users among them) and `rows` distributions over two years."""
    began = time.perf_counter()
    storage = Storage(database)
    await storage.open()
    clock = FakeClock(datetime.now(UTC))
    service = DistributionService(storage, clock, PARIS, (datetime.min.time(),) * 3, "calais")
    async with storage.transaction():
        await service.load()
    items = list(service.catalogue.items)
    places = {a: [p.id for p in service.catalogue.places_of(a)] for a in ANTENNAS}
    await storage.close()
    now = datetime.now(UTC)
    stamp = to_db(now)
    bench_public = [PUBLIC_BASE + i for i in range(users)]
    bench_volunteers = [VOLUNTEER_BASE + i for i in range(users)]
    others = max(0, people - len(bench_public) - len(bench_volunteers))
    # About one person in twenty of the others is on a team; the rest are the public.
    filler = [(100_000 + i, "volunteer" if i % 20 == 0 else "public") for i in range(others)]
    rng = random.Random(13)
    user_rows = [(u, "public", "calais") for u in bench_public]
    user_rows += [(u, "volunteer", "calais") for u in bench_volunteers]
    user_rows += [(u, role, rng.choice(ANTENNAS)) for u, role in filler]
    loggers = [(antenna, u) for u, role, antenna in user_rows if role == "volunteer"]
    days = 730
    start = now - timedelta(days=days)

    def rows_of() -> Iterator[tuple[Any, ...]]:
        for index in range(rows):
            antenna, user_id = rng.choice(loggers)
            at = start + timedelta(seconds=rng.randrange(days * 86400))
            yield (
                antenna,
                user_id,
                rng.choice(items),
                rng.randint(1, 60),
                rng.choice(places[antenna]),
                rng.choice(SLOTS),
                to_db(at),
                f"s{index}",
                at.astimezone(PARIS).date().isoformat(),
            )

    with contextlib.closing(sqlite3.connect(database)) as db, db:
        db.executemany(
            "INSERT INTO users (id, locale, role, antenna, created_at, last_seen_at) "
            "VALUES (?, 'en', ?, ?, ?, ?)",
            [(u, role, antenna, stamp, stamp) for u, role, antenna in user_rows],
        )
        db.executemany(
            "INSERT INTO distributions (antenna, user_id, item_code, quantity, place_id, "
            "slot, logged_at, batch, day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows_of(),
        )
    # Bulk-loaded rows get their daily totals and recent places the way a backfill builds them.
    storage = Storage(database)
    await storage.open()
    async with storage.transaction():
        await storage.distributions.rebuild_days()
        await storage.distributions.rebuild_recent_places()
        # As a bot that has run on this database leaves it: its days are those of its zone
        # (otherwise the first start computes the day of every row again).
        await storage.meta.set("distributions:timezone", str(PARIS))
    await storage.db.execute("ANALYZE")
    await storage.close()
    return len(user_rows), time.perf_counter() - began


# ------------------------------------------------------------------------------- driver


@dataclass
class Figures:
    capacity: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    latency: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    # CPU seconds per update at capacity: the bot's process, the emulator's (this one).
    cpu: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    startup: list[float] = field(default_factory=list)
    rss_started: list[int] = field(default_factory=list)
    rss_after: list[int] = field(default_factory=list)
    # Of VmRSS after the round: the process's own memory (RssAnon), the rest being mapped
    # files (libraries' code, shared with any other process using them).
    anon_after: list[int] = field(default_factory=list)
    hwm: list[int] = field(default_factory=list)


MIXES = ("menu", "distrib-quick", "mix")


async def one_round(
    name: str, round_no: int, args: argparse.Namespace, database: Path, scratch: Path
) -> tuple[Figures, Bot]:
    figures = Figures()
    emu = BenchEmulator(first_update_id=1 + (round_no * 2 + (name == "maraude")) * 10_000_000)
    await emu.start()
    emu.add_user(ADMIN_ID, "Admin", language_code="en")
    emu.add_group(TEAM_CHAT_ID, "Équipe Calais", [ADMIN_ID])
    for i in range(args.users):
        emu.add_user(PUBLIC_BASE + i, f"P{i}", language_code="en")
        emu.add_user(VOLUNTEER_BASE + i, f"V{i}", language_code="en")
    profile = args.profile if name == "maraude" and args.profile else None
    bot = await spawn(name, emu, database, scratch, profile)
    try:
        assert emu.first_poll is not None
        if name == "maraude":
            figures.startup.append(emu.first_poll - bot.spawned)
            figures.rss_started.append(vm(bot.process.pid, "VmRSS"))
        mixes = args.mixes.split(",")
        for mix in mixes:
            steps = scripts(mix, args.users, args.updates)
            bot_cpu, our_cpu = cpu_seconds(bot.process.pid), time.process_time()
            run = await play(emu, steps, 0.0, presses_show=name == "maraude")
            figures.capacity[(name, mix)] = [run.rate]
            # Who is the bottleneck: the bot, or this process (the emulator and the users)?
            figures.cpu[(name, mix)] = [
                (cpu_seconds(bot.process.pid) - bot_cpu) / run.updates,
                (time.process_time() - our_cpu) / run.updates,
            ]
            if args.latency_updates:
                steps = scripts(mix, args.users, args.latency_updates)
                run = await play(emu, steps, 1 / args.rate, presses_show=name == "maraude")
                figures.latency[(name, mix)] = run.latencies
        if name == "maraude":
            figures.rss_after.append(vm(bot.process.pid, "VmRSS"))
            figures.anon_after.append(vm(bot.process.pid, "RssAnon"))
            figures.hwm.append(vm(bot.process.pid, "VmHWM"))
        if emu.refused:
            print(f"  {name}: {len(emu.refused)} requests refused, first: {emu.refused[0]}")
    finally:
        await bot.stop()
        await emu.stop()
    return figures, bot


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line),
        platform.processor() or "unknown CPU",
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return (
        f"{os.cpu_count()} CPUs ({model}), {mem_kb / 1024 / 1024:.1f} GiB RAM, "
        f"Linux {platform.release()}, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.2f} at the start"
    )


async def measure(args: argparse.Namespace) -> list[str]:
    lines = [f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}"]
    lines.append(
        f"{args.updates} updates from {args.users} users per mix and round for capacity, "
        f"{args.latency_updates} at {args.rate:.0f}/s for latency; {args.rounds} rounds "
        "alternating echo, Maraude; Maraude's database: "
    )
    all_figures = Figures()
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        database = scratch / "bench.sqlite3"
        if args.seeded is not None and args.seeded.exists():
            shutil.copyfile(args.seeded, database)
            people, seconds = 0, 0.0
            with contextlib.closing(sqlite3.connect(database)) as db:
                people = db.execute("SELECT COUNT(*) FROM users").fetchone()[0]
                args.rows = db.execute("SELECT COUNT(*) FROM distributions").fetchone()[0]
        else:
            people, seconds = await seed(database, args.people, args.rows, args.users)
            if args.seeded is not None:
                shutil.copyfile(database, args.seeded)
        size = database.stat().st_size / 1024 / 1024
        lines[-1] += f"{people} users, {args.rows} distribution rows ({size:.0f} MiB)"
        print(f"seeded {people} users and {args.rows} rows in {seconds:.1f} s ({size:.0f} MiB)")
        for round_no in range(args.rounds):
            for name in args.bots.split(","):
                figures, _ = await one_round(name, round_no, args, database, scratch)
                for key, rates in figures.capacity.items():
                    all_figures.capacity.setdefault(key, []).extend(rates)
                    bot_cpu, emu_cpu = figures.cpu[key]
                    print(
                        f"  round {round_no + 1} {name} {key[1]}: {rates[0]:.0f} updates/s "
                        f"(CPU per update: bot {bot_cpu * 1000:.2f} ms, "
                        f"emulator {emu_cpu * 1000:.2f} ms)",
                        flush=True,
                    )
                for key, values in figures.latency.items():
                    all_figures.latency.setdefault(key, []).extend(values)
                all_figures.startup += figures.startup
                all_figures.rss_started += figures.rss_started
                all_figures.rss_after += figures.rss_after
                all_figures.anon_after += figures.anon_after
                all_figures.hwm += figures.hwm
    lines += table(all_figures, args)
    return lines


def table(figures: Figures, args: argparse.Namespace) -> list[str]:
    ms = 1000
    out = [
        "",
        "| mix | echo updates/s | Maraude updates/s | ratio | echo p50/p95/p99 ms "
        f"at {args.rate:.0f}/s | Maraude p50/p95/p99 ms |",
        "|---|---|---|---|---|---|",
    ]
    for mix in args.mixes.split(","):
        echo = figures.capacity.get(("echo", mix), [])
        ours = figures.capacity.get(("maraude", mix), [])
        if not echo or not ours:
            continue
        echo_rate, our_rate = statistics.median(echo), statistics.median(ours)

        def spread(values: list[float]) -> str:
            return "/".join(f"{percentile(values, p) * ms:.1f}" for p in (0.5, 0.95, 0.99))

        echo_lat = figures.latency.get(("echo", mix))
        our_lat = figures.latency.get(("maraude", mix))
        out.append(
            f"| {mix} | {echo_rate:.0f} ({', '.join(f'{r:.0f}' for r in echo)}) "
            f"| {our_rate:.0f} ({', '.join(f'{r:.0f}' for r in ours)}) "
            f"| {our_rate / echo_rate:.2f}× "
            f"| {spread(echo_lat) if echo_lat else '–'} | {spread(our_lat) if our_lat else '–'} |"
        )
    out.append("")
    out.append(
        "Maraude's process: start-up (process start → first getUpdates) "
        + ", ".join(f"{s:.2f} s" for s in figures.startup)
        + "; VmRSS after start-up "
        + ", ".join(f"{kb / 1024:.0f} MiB" for kb in figures.rss_started)
        + ", after the round "
        + ", ".join(f"{kb / 1024:.0f} MiB" for kb in figures.rss_after)
        + " (of which RssAnon "
        + ", ".join(f"{kb / 1024:.0f} MiB" for kb in figures.anon_after)
        + "), peak (VmHWM) "
        + ", ".join(f"{kb / 1024:.0f} MiB" for kb in figures.hwm)
        + "."
    )
    return out


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=2000, help="per mix, round and bot")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--mixes", default=",".join(MIXES))
    parser.add_argument("--bots", default="echo,maraude", help="e.g. maraude alone to profile")
    parser.add_argument("--latency-updates", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=100.0, help="offered rate for latency")
    parser.add_argument("--people", type=int, default=10_000, help="users in the database")
    parser.add_argument("--rows", type=int, default=1_000_000, help="distribution rows")
    parser.add_argument(
        "--seeded", type=Path, help="keep the seeded database here, or start from a copy of it"
    )
    parser.add_argument("--profile", type=Path, help="profile Maraude with pyinstrument")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    lines = asyncio.run(measure(args))
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
