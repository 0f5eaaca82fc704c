"""Nothing slow under the write lock (issue 13, point 2): every query the hot paths run is
planned over an index, never as a full scan of a table that grows with use.

The hot paths are run on a migrated database filled with realistic row counts (then ANALYZE,
so the planner sees those counts): once through the real storage methods, once through the
real bot handling updates from the emulator. sqlite3's trace callback captures the exact
statements sent, with their parameters, and each one is explained: the test follows the
code as it changes. `pytest -s` prints every plan.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.sandbox.emulator import BotApiEmulator
from bot.storage import Storage
from bot.storage.database import to_db
from bot.storage.models import Role
from tests.helpers.clock import FakeClock
from tests.helpers.harness import (
    ADMIN_ID,
    TEAM_CHAT_ID,
    Person,
    RunningBot,
    enrol,
    make_settings,
    outbox_settled,
    start_bot,
)

NOW = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)

# Tables whose size is fixed by the configuration or the content (a few dozen rows at most):
# scanning them is as cheap as an index. Every other table grows with use and must not be
# scanned in full by a hot query.
SMALL_TABLES = frozenset(
    {
        "antennas",
        "items",
        "item_names",
        "item_renames",
        "places",
        "meta",
        "weekly_summaries",
        "content_confirmations",
        "schema_migrations",
    }
)

# Rows per growing table: a busy antenna after a few years, before pruning catches up.
USERS = 10_000
DISTRIBUTIONS = 100_000
HISTORY = 20_000


async def seed(storage: Storage, *, live: bool = False) -> None:
    """Fill every growing table with many rows, most of them finished, as in real life.

    `live`: the database of a running bot, its catalogue loaded from content/; nothing is left
    waiting in the inbox or the outbox then (the bot would handle or send it)."""
    db = storage.db
    old = to_db(NOW - timedelta(days=400))
    recent = to_db(NOW - timedelta(hours=1))
    future = to_db(NOW + timedelta(days=30))
    waiting = 0 if live else 20

    def rows(n: int) -> str:
        return f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) "

    # The n-th place, whatever its id.
    place = (
        " JOIN (SELECT id AS place_id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM places)"
        " ON k = i % (SELECT COUNT(*) FROM places)"
    )
    async with storage.transaction():
        await storage.antennas.add("calais", "Calais")
        if not await db.fetch_value("SELECT COUNT(*) FROM items"):
            for position, code in enumerate(("blankets", "tea", "tents", "soup", "socks")):
                await storage.catalogue.upsert_item(code, "piece", position, {"en": [code]}, NOW)
            for index in range(20):
                await storage.catalogue.upsert_place(
                    "calais", f"p{index}", f"Place {index}", [], None, None, NOW
                )
        await db.execute(
            rows(USERS) + "INSERT INTO users (id, locale, role, antenna, display_name, "
            "username, created_at, last_seen_at) SELECT i, 'fr', CASE WHEN i % 50 = 0 "
            "THEN 'volunteer' WHEN i % 500 = 0 THEN 'coordinator' ELSE 'public' END, "
            "'calais', 'Name ' || i, 'user' || i, ?, ? FROM n",
            (old, recent),
        )
        # The inbox and outbox keep a few days of handled rows; a few are still waiting.
        await db.execute(
            rows(HISTORY * 3) + "INSERT INTO inbox (update_id, payload, received_at, "
            "handled_at, outcome) SELECT i + ?, CASE WHEN i > ? THEN '{}' END, ?, "
            "CASE WHEN i <= ? THEN ? END, CASE WHEN i <= ? THEN 'ok' END FROM n",
            # A running bot's updates come after (the emulator counts from 1).
            (
                -(HISTORY * 3) if live else 0,
                *((HISTORY * 3 - waiting, recent) * 2),
                HISTORY * 3 - waiting,
            ),
        )
        await db.execute(
            rows(HISTORY * 3) + "INSERT INTO outbox (chat_id, method, payload, priority, "
            "batch, created_at, not_before, status, ref) SELECT i % ?, 'send_text', '{}', "
            "i % 3, CASE WHEN i % 10 = 0 THEN 'b' || (i / 1000) END, ?, ?, "
            "CASE WHEN i > ? THEN 'pending' ELSE 'sent' END, 'r' || i FROM n",
            (USERS, recent, recent, HISTORY * 3 - waiting),
        )
        await db.execute(
            rows(HISTORY) + "INSERT INTO message_refs (ref, chat_id, message_id, updated_at) "
            "SELECT 'ref:' || i, i % ?, i, ? FROM n",
            (USERS, recent),
        )
        await db.execute(
            rows(HISTORY) + "INSERT INTO jobs (kind, key, due_at, payload, status, "
            "created_at) SELECT 'shift_check', 'shift:' || i || ':check', "
            "CASE WHEN i % 100 = 0 THEN ? ELSE ? END, '{}', "
            "CASE WHEN i % 100 = 0 THEN 'pending' ELSE 'done' END, ? FROM n",
            (future, old, old),
        )
        await db.execute(
            rows(HISTORY) + "INSERT INTO shifts (user_id, antenna, activity, started_at, "
            "ended_at) SELECT (i % 200) * 50 + 50, 'calais', 'maraude', ?, ? FROM n",
            (old, old),
        )
        await db.execute(
            rows(2_000) + "INSERT INTO planned_shifts (antenna, activity, starts_at, ends_at, "
            "needed, created_at) SELECT 'calais', 'maraude', ?, ?, 3, ? FROM n",
            (old, old, old),
        )
        await db.execute(
            rows(DISTRIBUTIONS) + "INSERT INTO distributions (antenna, user_id, item_code, "
            "quantity, place_id, slot, logged_at, shift_id, batch, day) SELECT 'calais', "
            "(i % 200) * 50 + 50, 'tea', 1 + i % 40, place_id, 'evening', ?, "
            "1 + i % ?, 'batch' || (i / 2), ? FROM n" + place,
            (old, HISTORY, old[:10]),
        )
        await db.execute(
            rows(1_000) + "INSERT INTO distribution_item_days (antenna, day, item_code, "
            "quantity, logs) SELECT 'calais', date('2024-01-01', '+' || i || ' days'), "
            "'tea', 100, 10 FROM n"
        )
        await db.execute(
            rows(1_000) + "INSERT INTO distribution_log_days (antenna, day, slot, place_id, "
            "logs) SELECT 'calais', date('2024-01-01', '+' || i || ' days'), 'evening', "
            "1 + i % 20, 10 FROM n"
        )
        await db.execute(
            "INSERT INTO recent_places (user_id, antenna, place_id, used_at) SELECT u.id, "
            "'calais', p.id, ? FROM users u, places p WHERE u.role = 'volunteer' LIMIT 2000",
            (old,),
        )
        await db.execute(
            rows(HISTORY) + "INSERT INTO used_nonces (user_id, nonce, batch, used_at) "
            "SELECT i % ?, 'n' || i, 'batch' || i, ? FROM n",
            (USERS, recent),
        )
        await db.execute(
            rows(HISTORY) + "INSERT INTO drafts (user_id, kind, payload, created_at) "
            "SELECT 1 + i % ?, ?, '{}', ? FROM n",
            # A running bot would read these as its volunteers' forms.
            (USERS, "seeded" if live else "distrib", recent),
        )
        await db.execute(
            rows(HISTORY) + "INSERT INTO help_requests (user_id, person_key, antenna, need, "
            "locale, status, created_at, owner_id) SELECT 1 + i % ?, 'k' || (i % ?), "
            "'calais', 'food', 'fr', CASE WHEN i % 1000 = 0 THEN 'taken' ELSE 'closed' END, "
            "?, CASE WHEN i % 1000 = 0 THEN 50 END FROM n",
            (USERS, USERS, old),
        )
        await db.execute(
            rows(HISTORY) + "INSERT INTO help_team_posts (antenna, posted_at) "
            "SELECT 'calais', ? FROM n",
            (old,),
        )
        await db.execute(
            rows(2_000) + "INSERT INTO incidents (reference, antenna, reporter_id, kind, "
            "occurred_at, created_at, sealed) SELECT 'R' || i, 'calais', 50, 'police', ?, ?, "
            "x'00' FROM n",
            (old, old),
        )
        await db.execute(
            rows(HISTORY) + "INSERT INTO incident_audit (at, actor_id, action, incident_id, "
            "antenna) SELECT ?, 50, 'read', 1 + i % 2000, 'calais' FROM n",
            (old,),
        )
        await db.execute(
            rows(HISTORY) + "INSERT INTO info_requests (day, antenna, topic, locale, count) "
            "SELECT date('2024-01-01', '+' || (i / 20) || ' days'), 'calais', "
            "'topic' || (i % 20), 'fr', 3 FROM n"
        )
    await db.execute("ANALYZE")


VOLUNTEER, PUBLIC, STRANGER = 50, 7, USERS + 1


async def intake_gate_and_menu(s: Storage) -> None:
    """Intake, the inbox worker and the gatekeeper; /menu and a topic."""
    volunteer, public, stranger = VOLUNTEER, PUBLIC, STRANGER
    await s.inbox.store([(HISTORY * 3 + 1, {"update_id": HISTORY * 3 + 1})], NOW)
    await s.inbox.pending()
    await s.users.touch(public, "fr", NOW)
    await s.users.touch(stranger, "ar", NOW)
    await s.users.get(volunteer)
    await s.antennas.get("calais")
    await s.antennas.by_team_chat(-100)
    await s.meta.get("menus")
    await s.users.with_role_at_least(Role.COORDINATOR, "calais")
    await s.inbox.mark_handled(HISTORY * 3 + 1, "ok", NOW)
    # /menu and a topic: the menu signature, the topic's count; the reply goes out.
    await s.users.set_menu_signature(public, "sig")
    await s.info.count_request("2026-12-04", "calais", "food", "fr")
    await s.outbox.add(public, "send_text", {"text": "menu"}, now=NOW)
    await s.message_refs.get("ref:5")
    await s.message_refs.set("ref:5", 5, 6, NOW)
    await s.message_refs.touch("ref:5", NOW)


async def distrib(s: Storage) -> None:
    """/distrib quick and guided: catalogue, popularity, recent places, drafts, nonce, insert,
    and /undo."""
    volunteer = VOLUNTEER
    await s.catalogue.items()
    await s.catalogue.places("calais")
    await s.distributions.most_used_items("calais", "2026-11-04")
    await s.distributions.recent_places(volunteer, "calais", NOW - timedelta(days=30), 6)
    await s.distributions.team_places("calais", "2026-11-04", 6)
    draft = await s.drafts.add(volunteer, "distrib", {"step": 1}, NOW)
    await s.drafts.get(draft)
    await s.drafts.latest(volunteer, "distrib")
    await s.drafts.all_of(volunteer, "distrib")
    await s.drafts.update(draft, {"step": 2})
    await s.drafts.delete(draft)
    await s.distributions.use_nonce(volunteer, "fresh", "new-batch", NOW)
    running = await s.shifts.running(volunteer)
    await s.distributions.add(
        "calais", volunteer, [("tea", 25), ("blankets", 40)], 3, "evening", NOW,
        None if running is None else running.id, "new-batch", "2026-12-04",
    )  # fmt: skip
    await s.distributions.batch("new-batch")
    await s.distributions.last_batch(volunteer)
    await s.distributions.undo("new-batch", NOW)


async def shift_scheduler_and_outbox(s: Storage) -> None:
    """/shift start, status and end with their reminder jobs; the scheduler; the sender."""
    volunteer, hour = VOLUNTEER, timedelta(hours=1)
    await s.planning.near("calais", "maraude", NOW - hour, NOW + hour)
    shift = await s.shifts.start(volunteer, "calais", "maraude", NOW, NOW + 3 * hour, None)
    await s.jobs.upsert("shift_check", f"shift:{shift.id}:check", NOW, {}, NOW)
    await s.shifts.get(shift.id)
    await s.shifts.running_in("calais")
    await s.shifts.set_expected_return(shift.id, NOW + timedelta(hours=4))
    await s.shifts.set_safety_state(shift.id, "asked")
    await s.shifts.hours_by_user(NOW - timedelta(days=7), NOW, NOW, user_id=volunteer)
    await s.distributions.for_shift(shift.id)
    await s.shifts.end(shift.id, NOW)
    await s.jobs.cancel(f"shift:{shift.id}:check")
    await s.jobs.cancel_under(f"shift:{shift.id}:")
    # The scheduler and the outbox sender.
    await s.jobs.due(NOW)
    job = await s.jobs.by_key(f"shift:{shift.id}:check")
    assert job is not None
    await s.jobs.claim(job.id, NOW)
    await s.jobs.lease(job.id, NOW, timedelta(minutes=5))
    await s.jobs.finish(job.id, "done", "", NOW)
    for uploads in (None, True, False):
        await s.outbox.due(NOW, uploads=uploads)
        await s.outbox.next_wake(uploads=uploads)
    await s.outbox.mark_sent(HISTORY * 3, 1, NOW)
    await s.outbox.postpone(HISTORY * 3 - 1, NOW, "429", count_attempt=False)
    await s.outbox.mark_final(HISTORY * 3 - 2, "failed", "400", NOW)


async def help_and_incidents(s: Storage) -> None:
    """Help requests (the person's open one, a coordinator's, the limits); a report draft."""
    volunteer, public = VOLUNTEER, PUBLIC
    await s.help.active_of(public)
    await s.help.made_since("k7", NOW - timedelta(days=1))
    await s.help.count_antenna_since("calais", NOW - timedelta(hours=1))
    await s.help.team_posts_since("calais", NOW - timedelta(hours=1))
    await s.help.is_blocked("k7")
    await s.help.owned_by(volunteer)
    await s.help.get(1)
    await s.incidents.draft_of(volunteer)


async def hot_paths(storage: Storage) -> None:
    """What one update of each kind asks of the database, through the storage methods."""
    for path in (intake_gate_and_menu, distrib, shift_scheduler_and_outbox, help_and_incidents):
        await path(storage)


def tables_of(sql: str) -> dict[str, str]:
    """Each name a table goes by in a statement (itself and its aliases) → the table."""
    names: dict[str, str] = {}
    keyword = r"WHERE|ON|SET|JOIN|ORDER|GROUP|LIMIT|LEFT|INNER|VALUES|USING"
    pattern = rf"\b(?:FROM|JOIN|UPDATE|INTO)\s+(\w+)(?:\s+(?:AS\s+)?(?!{keyword})(\w+))?"
    for table, alias in re.findall(pattern, sql, flags=re.IGNORECASE):
        names[table] = table
        if alias:
            names[alias] = table
    return names


@dataclass(frozen=True)
class Schema:
    tables: frozenset[str]
    partial_indexes: frozenset[str]


def full_scans(sql: str, plan: list[str], schema: Schema) -> list[str]:
    """The plan's steps that read a whole growing table: without an index, or along a whole
    index. Going through a partial index (the pending rows of the inbox, the outbox, the
    jobs) reads only the rows still to do, however large the table grows. Scans of a
    subquery's result or of a constant row read no table."""
    names = tables_of(sql)
    found = []
    for detail in plan:
        match = re.match(r"SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?", detail)
        if match is None:
            continue
        table = names.get(match.group(1), match.group(1))
        if table not in schema.tables or table in SMALL_TABLES:
            continue
        if match.group(2) in schema.partial_indexes:
            continue
        found.append(detail)
    return found


async def schema_of(storage: Storage) -> Schema:
    rows = await storage.db.fetch_all("SELECT type, name, sql FROM sqlite_master")
    return Schema(
        frozenset(row["name"] for row in rows if row["type"] == "table"),
        frozenset(
            row["name"]
            for row in rows
            if row["type"] == "index" and " WHERE " in (row["sql"] or "").upper()
        ),
    )


@pytest.fixture
async def seeded(tmp_path: Path) -> AsyncIterator[Storage]:
    storage = Storage(tmp_path / "plans.sqlite3")
    await storage.open()
    await seed(storage)
    yield storage
    await storage.close()


async def captured(storage: Storage, run: Callable[[Storage], Awaitable[None]]) -> list[str]:
    """The statements `run` sends, parameters filled in, in order and without repeats."""
    statements: list[str] = []
    await storage.db.connection.set_trace_callback(statements.append)
    try:
        async with storage.transaction():
            await run(storage)
    finally:
        await storage.db.connection.set_trace_callback(None)
    skip = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)
    return list(dict.fromkeys(sql for sql in statements if not skip.match(sql)))


async def plan_of(storage: Storage, sql: str) -> list[str]:
    rows = await storage.db.fetch_all(f"EXPLAIN QUERY PLAN {sql}")
    return [row["detail"] for row in rows]


async def explained(storage: Storage, queries: list[str]) -> list[str]:
    """Print each query's plan; return its full scans of growing tables."""
    schema = await schema_of(storage)
    scans: list[str] = []
    for sql in queries:
        plan = await plan_of(storage, sql)
        print(f"\n{sql}\n  " + "\n  ".join(plan or ["(no table read)"]))
        scans += [f"{detail}  ←  {sql}" for detail in full_scans(sql, plan, schema)]
    return scans


async def test_no_hot_query_scans_a_growing_table(seeded: Storage) -> None:
    statements = await captured(seeded, hot_paths)
    assert len(statements) > 50  # the trace did see the hot paths
    scans = await explained(seeded, statements)
    assert scans == [], "full scans of growing tables:\n" + "\n".join(scans)


async def test_the_check_sees_a_full_scan(seeded: Storage) -> None:
    """The test above would fail on a query without an index (and on an alias)."""
    schema = await schema_of(seeded)
    sql = "SELECT * FROM outbox AS o WHERE o.payload = '{}'"
    assert full_scans(sql, await plan_of(seeded, sql), schema) == ["SCAN o"]
    # Along a whole index is a full scan too; along a partial one it is not.
    sql = "SELECT username FROM users ORDER BY username COLLATE NOCASE"
    assert full_scans(sql, await plan_of(seeded, sql), schema) == [
        "SCAN users USING COVERING INDEX users_username"
    ]
    sql = "SELECT update_id FROM inbox WHERE handled_at IS NULL ORDER BY update_id"
    assert full_scans(sql, await plan_of(seeded, sql), schema) == []
    sql = "SELECT * FROM places WHERE name = 'x'"
    assert full_scans(sql, await plan_of(seeded, sql), schema) == []
    sql = "SELECT 1 WHERE 0 IN (SELECT 1 UNION SELECT 2)"
    assert full_scans(sql, await plan_of(seeded, sql), schema) == []


async def test_small_tables_exist(seeded: Storage) -> None:
    """A table listed as small that no longer exists is a typo that would hide a scan; a
    small table that grew is one too."""
    rows = await seeded.db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
    assert {row[0] for row in rows} >= SMALL_TABLES
    for table in SMALL_TABLES:
        assert await seeded.db.fetch_value(f"SELECT COUNT(*) FROM {table}") < 100


async def use_the_bot(emu: BotApiEmulator, running: RunningBot) -> None:
    """A public person: the menu and a topic. A volunteer: the menu, a shift, quick and
    guided logs, an undo, a stay at the house and its account, the shift's end."""
    volunteer = await enrol(emu, running, VOLUNTEER, "Ana", Role.VOLUNTEER)
    emu.add_user(PUBLIC, "Sam", language_code="en")
    public = Person(emu, PUBLIC)
    menu = await public.say("/menu")
    await public.press(menu, "topic:emergency")
    await volunteer.say("/menu")
    await volunteer.say("/shift start maraude")
    await volunteer.say("/shift")
    saved = await volunteer.say("/distrib 40 blankets, 25 tea @ Marck")
    assert "✅" in (saved.text or "")
    items = await volunteer.say("/distrib")
    quantities = await volunteer.press(items, "dit:blankets:0")
    places = await volunteer.press(quantities, "20")
    saved = await volunteer.press(places, "Marck")
    assert "✅" in (saved.text or "")
    await volunteer.say("/undo")
    stay = await volunteer.say("/stay 2026-12-04 2026-12-20")
    assert "✅" in (stay.text or "")
    shown = await volunteer.say("/stay")
    assert "🏠" in (shown.text or "")
    ended = await volunteer.say("/shift end")
    assert "⏹️" in (ended.text or "")
    await outbox_settled(running)


async def test_the_running_bots_hot_paths_scan_no_growing_table(tmp_path: Path) -> None:
    """The same check on every statement the real bot sends while people use it: a query
    added to a handler tomorrow is checked without being listed here."""
    emu = BotApiEmulator()
    await emu.start()
    path = tmp_path / "live.sqlite3"
    statements: list[str] = []
    try:
        emu.add_user(ADMIN_ID, "Admin", language_code="fr", username="admin")
        emu.add_group(TEAM_CHAT_ID, "Équipe Calais", [ADMIN_ID])
        running = await start_bot(make_settings(emu, path), FakeClock(NOW))
        connection = running.bot.storage.db.connection
        try:
            await seed(running.bot.storage, live=True)
            await connection.set_trace_callback(statements.append)
            await use_the_bot(emu, running)
            await connection.set_trace_callback(None)
        finally:
            await running.stop()
        assert emu.refused == [], emu.refused
        assert emu.unanswered_callbacks() == []
    finally:
        await emu.stop()
    skip = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA)\b", re.IGNORECASE)
    queries = list(dict.fromkeys(sql for sql in statements if not skip.match(sql)))
    assert len(queries) > 30  # the trace did see the updates being handled
    storage = Storage(path)
    await storage.open()
    try:
        scans = await explained(storage, queries)
    finally:
        await storage.close()
    assert scans == [], "full scans of growing tables:\n" + "\n".join(scans)
