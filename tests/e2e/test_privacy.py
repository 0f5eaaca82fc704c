"""What a person leaves behind, and where names and spreadsheets may be shown."""

from __future__ import annotations

import re

from bot.sandbox.emulator import BotApiEmulator
from bot.storage.models import Role
from tests.e2e.test_team import invite_code
from tests.helpers.clock import FakeClock
from tests.helpers.harness import (
    ADMIN_ID,
    TEAM_CHAT_ID,
    Person,
    RunningBot,
    enrol,
    outbox_settled,
)

# An id that appears nowhere else by chance: any trace of it after /forget is theirs.
PERSON = 4_242_424
NEWCOMER = 4_343_434


async def join_with_invite(emu: BotApiEmulator, user_id: int, name: str) -> Person:
    """The admin invites, the person joins with the link: a real registration."""
    admin = Person(emu, ADMIN_ID)
    code = invite_code((await admin.say("/invite")).text or "")
    emu.add_user(user_id, name, language_code="en", username=name.lower())
    person = Person(emu, user_id)
    joined = await person.say(f"/join {code}")
    assert "🎉" in (joined.text or ""), joined.text
    return person


async def traces_of(running: RunningBot, user_id: int, *names: str) -> list[str]:
    """Every cell of every table that holds the id (as a number or inside a text) or a name."""
    db = running.bot.storage.db
    words = "|".join([rf"(?<!\d){user_id}(?!\d)", *(re.escape(name) for name in names)])
    pattern = re.compile(words, re.IGNORECASE)
    found = []
    tables = await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
    for (table,) in tables:
        for row in await db.fetch_all(f"SELECT * FROM {table}"):
            for column in row.keys():  # noqa: SIM118 - aiosqlite rows have no items()
                value = row[column]
                if value == user_id or (isinstance(value, str) and pattern.search(value)):
                    found.append(f"{table}.{column} = {value!r}")
    return found


async def test_forget_leaves_no_trace_of_a_coordinator_in_any_table(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    await Person(emu, ADMIN_ID).say("/start")
    person = await join_with_invite(emu, PERSON, "Nadia")
    async with clocked.bot.storage.transaction():
        await clocked.bot.storage.users.set_role(PERSON, Role.COORDINATOR)
    # Everything a coordinator leaves on the way: an invite, a plan and a sign-up with its
    # reminder, a place and an item, logs, a shift with its safety jobs, an export job.
    await person.say("/invite")
    await person.say("/plan 2026-12-03 21:00-23:00 maraude 2")
    planning = await person.say("/planning")
    await person.press(planning, "pls:1:list")
    await person.say("/places add Rue Mollien")
    await person.say("/items add Thermos litre")
    await person.say("/distrib 5 tea @ Rue Mollien")
    guided = await person.say("/distrib")
    assert guided.buttons()
    await person.say("/shift start maraude 23:30")
    await person.say("/export")
    await emu.wait_until(lambda: any(m.kind == "document" for m in emu.bot_messages(PERSON)))
    # Every file of the export out before /forget: a late one would be read as its answer.
    await outbox_settled(clocked)
    assert await traces_of(clocked, PERSON)  # the scan does see them before
    post = emu.bot_messages(TEAM_CHAT_ID)[-1]
    assert "Nadia" in (post.plain_text or "")  # the sign-up post names her

    confirm = await person.say("/forget")
    erased = await person.press(confirm, "forget:1")
    assert "✅" in (erased.text or "")
    await emu.wait_until(lambda: not emu.unanswered_callbacks())
    await outbox_settled(clocked)
    traces = await traces_of(clocked, PERSON, "Nadia")
    assert traces == [], traces
    # Nor does the team chat's post of the shift she had signed up for.
    await emu.wait_until(lambda: "Nadia" not in (post.plain_text or ""))
    assert "0/2" in post.buttons()[0].text
    # What they did for the team stays, without them.
    db = clocked.bot.storage.db
    assert await db.fetch_value("SELECT COUNT(*) FROM distributions") == 1
    assert await db.fetch_value("SELECT COUNT(*) FROM shifts") == 1
    assert await db.fetch_value("SELECT COUNT(*) FROM planned_shifts") == 1


async def test_an_invite_used_once_stays_used_after_its_user_is_forgotten(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    admin = Person(emu, ADMIN_ID)
    code = invite_code((await admin.say("/invite")).text or "")
    emu.add_user(PERSON, "Nadia", language_code="en")
    first = Person(emu, PERSON)
    await first.say(f"/join {code}")
    confirm = await first.say("/forget")
    await first.press(confirm, "forget:1")
    emu.add_user(NEWCOMER, "Intruder", language_code="en")
    refused = await Person(emu, NEWCOMER).say(f"/join {code}")
    assert "already used" in (refused.text or "")
    intruder = await running.bot.services.users.get(NEWCOMER)
    assert intruder is not None
    assert intruder.role is Role.PUBLIC
    # Through the deep link too.
    refused = await Person(emu, NEWCOMER).say(f"/start {code}")
    assert "already used" in (refused.text or "")


OTHER_GROUP = -1009876543210


async def test_names_are_shown_only_in_private_or_in_the_own_team_chat(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    coordinator = await enrol(emu, running, 250, "Claire", Role.COORDINATOR)
    await enrol(emu, running, 251, "Ana", Role.VOLUNTEER)
    emu.add_group(OTHER_GROUP, "Friends of the bakery", [250])
    elsewhere = Person(emu, 250, OTHER_GROUP)
    for command in ("/volunteers", "/shift status", "/shift", "/export"):
        hint = await elsewhere.say(command)
        assert "privately" in (hint.text or ""), command
        assert "Ana" not in (hint.text or "")
        assert hint.buttons()[0].url == f"https://t.me/{emu.bot_username}"
    in_team_chat = Person(emu, 250, TEAM_CHAT_ID)
    listed = await in_team_chat.say("/volunteers")
    assert "Ana" in (listed.text or "")
    listed = await coordinator.say("/volunteers")
    assert "Ana" in (listed.text or "")
    # An admin's list spans every antenna: not in Calais' team chat, where Gus is a stranger.
    await enrol(emu, running, 252, "Gus", Role.VOLUNTEER, antenna="grande-synthe")
    emu.add_group(TEAM_CHAT_ID, "Équipe Calais", [ADMIN_ID])
    admin_in_team_chat = Person(emu, ADMIN_ID, TEAM_CHAT_ID)
    for command in ("/volunteers", "/shift status", "/export"):
        hint = await admin_in_team_chat.say(command)
        assert "Gus" not in (hint.text or ""), command
        assert hint.buttons()[0].url == f"https://t.me/{emu.bot_username}", command
    assert "Gus" in ((await Person(emu, ADMIN_ID).say("/volunteers")).text or "")
    # Nothing was prepared for the other group.
    jobs = await running.bot.storage.db.fetch_value(
        "SELECT COUNT(*) FROM jobs WHERE kind = 'reports.export'"
    )
    assert jobs == 0
