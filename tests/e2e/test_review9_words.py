"""Outside review of issue 9, points 12-15 (names, roles by name, French hours).

The clock of `clocked`: Tuesday 2026-12-01, 21:00 in Paris.
"""

from __future__ import annotations

import pytest

from bot.sandbox.emulator import BotApiEmulator
from bot.storage.models import Role
from tests.helpers.harness import Person, RunningBot, enrol, outbox_settled

VOLUNTEER = 401
COORDINATOR = 251


@pytest.mark.parametrize(
    ("command", "line"),
    [
        ("/places add Gare @ Fréthun", "/distrib 5 tea @ Gare @ Fréthun"),
        ("/items add soap, shampoo piece", "/distrib 5 soap, shampoo"),
    ],
    ids=["at-sign-in-a-place", "comma-in-an-item"],
)
async def test_a_name_that_a_distrib_line_cannot_read_is_refused(
    emu: BotApiEmulator, clocked: RunningBot, command: str, line: str
) -> None:
    """`clean_name` refuses "@" only at the start and accepts ",": "Gare @ Fréthun" is
    added, then every `/distrib … @ Gare @ Fréthun` is refused as two places; "soap,
    shampoo" is split in two by the quick form. Expected: a name holding what /distrib reads
    as a separator ("@", ",", ";") is refused when added (or renamed), saying why."""
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    added = await claire.say(command)
    if "✅" in (added.plain_text or ""):
        answer = await claire.say(line)
        assert "✅ Saved" in (answer.plain_text or ""), answer.plain_text


# --- team: roles by name ---------------------------------------------------------------------


async def test_demote_by_a_partial_name_does_not_remove_someone_at_once(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    """`/demote Jo` (meaning someone else, or a typo) finds "Johanna" by prefix — `ob` finds
    "Bob" as a substring — and removes her from the team at once: she needs a new invitation.
    The "🚪 Remove" button asks a second tap for exactly this reason. Expected: removal from
    the team by a typed name asks the same confirmation (at least when the name is not
    whole). `team.demote` calls `take_role` directly for a single match."""
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await enrol(emu, clocked, 403, "Johanna", Role.VOLUNTEER)
    answer = await claire.say("/demote Jo")
    await outbox_settled(clocked)
    johanna = await clocked.bot.services.users.get(403)
    assert johanna is not None
    assert johanna.role is Role.VOLUNTEER, answer.plain_text


async def test_promote_with_the_french_word_for_coordinator(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    """A French admin types `/promote Ana coordinateur` (or "coordinatrice"): the role words
    read are only "coordinator" and the catalogue's "coordination", so the whole
    "Ana coordinateur" is taken as a name: "❌ Nobody called Ana coordinateur in your team" —
    misleading (Ana is there; the word is what was not understood). Expected: Ana becomes
    coordinator, or the answer says the role word is unknown. (`team.typed_role`.)"""
    await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    emu.add_user(900, "Admin", language_code="fr", username="admin")
    admin = Person(emu, 900)
    answer = await admin.say("/promote Ana coordinateur")
    text = answer.plain_text or ""
    ana = await clocked.bot.services.users.get(VOLUNTEER)
    assert ana is not None
    assert ana.role is Role.COORDINATOR or "Ana coordinateur" not in text, text


# --- coordinators' words ---------------------------------------------------------------------


async def test_plan_reads_the_french_way_of_writing_hours(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    """`/plan demain 20h-23h maraude`, as every French coordinator writes hours, is refused
    ("❌ 20h is not a time. Write it like 21:30."), though the guided form's own buttons carry
    "20h" and point 5 asks for the user's words ("20h30" is read; a whole hour "20h" is not).
    Expected: 20h read as 20:00. (`timeparse.CLOCK` needs two digits of minutes.)"""
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR, language="fr")
    answer = await claire.say("/plan demain 20h-23h30 maraude")
    text = answer.plain_text or ""
    assert "20:00–23:30" in text, text
