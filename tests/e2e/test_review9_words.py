"""Outside review of issue 9, points 12-15 (names, roles by name, French hours).

The clock of `clocked`: Tuesday 2026-12-01, 21:00 in Paris.
"""

from __future__ import annotations

import pytest

from bot.callbacks import RoleGive, RoleTake
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from bot.storage.models import Role
from tests.helpers.harness import ADMIN_ID, Person, RunningBot, enrol, outbox_settled

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


# --- beyond the review's failing tests: the limits of the same fixes ------------------------


async def role_of(running: RunningBot, user_id: int) -> Role:
    user = await running.bot.services.users.get(user_id)
    assert user is not None
    return user.role


async def place_name(running: RunningBot, code: str) -> str:
    value = await running.bot.storage.db.fetch_value(
        "SELECT name FROM places WHERE antenna = 'calais' AND code = ?", (code,)
    )
    return str(value)


def shown(message: ChatMessage) -> str:
    """The text as read: names are isolated (FSI … PDI) for right-to-left scripts."""
    return (message.plain_text or "").replace("\u2068", "").replace("\u2069", "")


def data_of(message: ChatMessage) -> list[str]:
    return [button.callback_data or "" for button in message.buttons()]


async def alert_of(emu: BotApiEmulator, user_id: int, message: ChatMessage, data: str) -> str:
    answers = len(emu.callback_answers)
    await emu.press(user_id, message, data)
    await emu.wait_until(lambda: len(emu.callback_answers) > answers)
    return str(list(emu.callback_answers.values())[answers].get("text") or "")


@pytest.mark.parametrize(
    ("command", "why"),
    [
        ("/places add Gare @ Fréthun", "cannot contain “@”"),
        ("/places add Gare, Fréthun", "cannot contain “,”"),
        ("/items add soap; shampoo piece", "cannot contain “;”"),
        ("/items add 35 piece", "only a number"),
        ("/places add 1e5", "only a number"),
        ("/places add ٣٥", "only a number"),
        ("/places add et", "“et” cannot be a name"),
        ("/items add AND piece", "“AND” cannot be a name"),
    ],
)
async def test_a_refused_name_says_why_and_adds_nothing(
    emu: BotApiEmulator, clocked: RunningBot, command: str, why: str
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    places = await clocked.bot.storage.db.fetch_value("SELECT COUNT(*) FROM places")
    items = await clocked.bot.storage.db.fetch_value("SELECT COUNT(*) FROM items")
    answer = await claire.say(command)
    assert why in (answer.plain_text or ""), answer.plain_text
    assert await clocked.bot.storage.db.fetch_value("SELECT COUNT(*) FROM places") == places
    assert await clocked.bot.storage.db.fetch_value("SELECT COUNT(*) FROM items") == items
    # A rename is held to the same rule.
    renamed = await claire.say("/places rename marck Marck, Nord")
    assert "cannot contain “,”" in (renamed.plain_text or ""), renamed.plain_text
    assert await place_name(clocked, "marck") == "Marck"


async def test_a_part_of_a_name_asks_a_tap_naming_the_person_for_any_role_change(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await enrol(emu, clocked, 403, "Johanna", Role.VOLUNTEER)
    await enrol(emu, clocked, 404, "Vera", Role.LEGAL)
    # Promote by a part of the name, role said (French words too): a button names her first.
    offer = await claire.say("/promote Jo juriste")
    assert "Nobody is called exactly “Jo”" in (offer.plain_text or "")
    assert data_of(offer) == [RoleGive(403, "legal", "volunteer").pack()]
    assert "Johanna" in offer.buttons()[0].text
    assert await role_of(clocked, 403) is Role.VOLUNTEER
    done = await claire.press(offer, RoleGive(403, "legal", "volunteer").pack())
    assert "Johanna (@johanna) is now: legal team" in shown(done)
    # Demote by a part of the name, from legal: a button too, nothing at once.
    offer = await claire.say("/demote ver")
    assert data_of(offer) == [RoleTake(404, "legal", sure=False).pack()]
    assert await role_of(clocked, 404) is Role.LEGAL
    done = await claire.press(offer, RoleTake(404, "legal", sure=False).pack())
    assert "Vera (@vera) is now: volunteer" in shown(done)
    # A whole name, from legal: at once (one step, and still in the team).
    done = await claire.say("/demote johanna")
    assert "Johanna (@johanna) is now: volunteer" in shown(done)
    # A whole name, out of the team: the 🚪 question, and only its button removes.
    question = await claire.say("/demote Johanna")
    assert "Remove Johanna (@johanna) from the team?" in shown(question)
    assert data_of(question) == [RoleTake(403, "volunteer", sure=True).pack()]
    assert await role_of(clocked, 403) is Role.VOLUNTEER


@pytest.mark.parametrize(
    ("word", "role"),
    [
        ("coordinatrice", Role.COORDINATOR),
        ("Coordination", Role.COORDINATOR),
        ("COORDINATEUR", Role.COORDINATOR),
        ("juriste", Role.LEGAL),
        ("juridique", Role.LEGAL),
        ("légal", Role.LEGAL),
    ],
)
async def test_role_words_in_french_are_understood(
    emu: BotApiEmulator, clocked: RunningBot, word: str, role: Role
) -> None:
    await enrol(emu, clocked, VOLUNTEER, "Ana Silva", Role.VOLUNTEER)
    emu.add_user(ADMIN_ID, "Admin", language_code="en", username="admin")
    admin = Person(emu, ADMIN_ID)
    answer = await admin.say(f"/promote Ana Silva {word}")
    ana = await clocked.bot.services.users.get(VOLUNTEER)
    assert ana is not None
    assert ana.role is role, answer.plain_text


async def test_an_unknown_role_word_is_said_with_the_accepted_ones(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    await enrol(emu, clocked, VOLUNTEER, "Ana Silva", Role.VOLUNTEER)
    emu.add_user(ADMIN_ID, "Admin", language_code="fr", username="admin")
    admin = Person(emu, ADMIN_ID)
    for command, word in (
        ("/promote Ana Silva chef", "chef"),
        ("/promote @ana chef", "chef"),
        ("/promote Ana coordinatuer", "coordinatuer"),
    ):
        answer = await admin.say(command)
        text = answer.plain_text or ""
        assert word in text, text
        assert "coordination" in text, text
        assert "legal" in text, text
        assert "Ana Silva" not in text  # not "nobody is called …"
    # Nobody of that name at all: said as before.
    answer = await admin.say("/promote Zorro chef")
    assert "Zorro chef" in (answer.plain_text or "")
    assert await role_of(clocked, VOLUNTEER) is Role.VOLUNTEER


async def test_a_stale_role_button_changes_nothing(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    """The admin's list offers "⬆️ coordinator" for Amina, a volunteer; meanwhile a
    coordinator makes her legal. The admin's old button is stale: she stays legal."""
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await enrol(emu, clocked, 403, "Amina", Role.VOLUNTEER)
    emu.add_user(ADMIN_ID, "Admin", language_code="en", username="admin")
    admin = Person(emu, ADMIN_ID)
    listing = await admin.say("/volunteers")
    old = RoleGive(403, "coordinator", "volunteer").pack()
    assert old in data_of(listing)
    await claire.say("/promote Amina legal")
    refused = await alert_of(emu, ADMIN_ID, listing, old)
    assert "no longer valid" in refused or "old" in refused.lower(), refused
    assert await role_of(clocked, 403) is Role.LEGAL
    # A fresh list's button works.
    listing = await admin.say("/volunteers")
    fresh = RoleGive(403, "coordinator", "legal").pack()
    assert fresh in data_of(listing)
    await admin.press(listing, fresh)
    assert await role_of(clocked, 403) is Role.COORDINATOR


@pytest.mark.parametrize("antenna", ["calais", "grande-synthe"])
async def test_demoting_the_last_coordinator_warns_first(
    emu: BotApiEmulator, clocked: RunningBot, antenna: str
) -> None:
    await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR, antenna=antenna)
    emu.add_user(ADMIN_ID, "Admin", language_code="en", username="admin")
    admin = Person(emu, ADMIN_ID)
    where = "Calais" if antenna == "calais" else "Grande-Synthe"
    reach = "only its team chat and the admins" if antenna == "calais" else "only the admins"
    for how in ("typed", "button"):
        if how == "typed":
            question = await admin.say("/demote Claire")
        else:
            listing = await admin.say("/volunteers")
            down = RoleTake(COORDINATOR, "coordinator", sure=False).pack()
            assert down in data_of(listing)
            question = await admin.press(listing, down)
        text = shown(question)
        assert f"Claire (@claire) is the last coordinator of {where}" in text, text
        assert reach in text
        assert await role_of(clocked, COORDINATOR) is Role.COORDINATOR
    done = await admin.press(question, RoleTake(COORDINATOR, "coordinator", sure=True).pack())
    assert "Claire (@claire) is now: volunteer" in shown(done)
    assert await role_of(clocked, COORDINATOR) is Role.VOLUNTEER


async def test_a_coordinator_who_is_not_the_last_is_demoted_at_once(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await enrol(emu, clocked, 252, "Bob", Role.COORDINATOR)
    emu.add_user(ADMIN_ID, "Admin", language_code="en", username="admin")
    admin = Person(emu, ADMIN_ID)
    done = await admin.say("/demote Claire")
    assert "Claire (@claire) is now: volunteer" in shown(done)
    # Bob is now the last one: his demotion asks.
    question = await admin.say("/demote Bob")
    assert "last coordinator of Calais" in shown(question)


async def test_the_guided_plan_refuses_a_place_retired_before_confirm(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    bob = await enrol(emu, clocked, 252, "Bob", Role.COORDINATOR)
    form = await claire.say("/plan")
    for label in ("Tomorrow", "21:00–02:00", "Maraude", "2", "Marck"):
        form = await claire.press(form, label)
    assert "📍 Marck" in (form.plain_text or "")
    await bob.say("/places retire marck")
    refused = await alert_of(emu, COORDINATOR, form, "✅ Confirm")
    assert "Marck was retired since you chose it: nothing was planned" in refused, refused
    await emu.wait_until(lambda: "Where?" in (form.plain_text or ""))
    assert "Marck" not in [button.text for button in form.buttons()]
    planned = await clocked.bot.storage.db.fetch_value("SELECT COUNT(*) FROM planned_shifts")
    assert planned == 0
    form = await claire.press(form, "🚫 No place")
    form = await claire.press(form, "✅ Confirm")
    await emu.wait_until(lambda: "Planned" in (form.plain_text or ""))
    rows = await clocked.bot.storage.db.fetch_all("SELECT place_id FROM planned_shifts")
    assert [tuple(row) for row in rows] == [(None,)]


@pytest.mark.parametrize(
    ("line", "span"),
    [
        ("/plan ce soir 22h-23h30 maraude", "Tue 1 Dec 22:00–23:30"),
        ("/plan cette nuit 22H-2h maraude", "Tue 1 Dec 22:00–02:00"),
        ("/plan demain 8h-12h maraude", "Wed 2 Dec 08:00–12:00"),
        ("/plan demain 20.30-23h maraude", "Wed 2 Dec 20:30–23:00"),
    ],
)
async def test_french_days_and_hours_in_a_plan_line(
    emu: BotApiEmulator, clocked: RunningBot, line: str, span: str
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    answer = await claire.say(line)
    text = answer.plain_text or ""
    assert span in text.replace(",", ""), text


async def test_a_shift_start_takes_a_french_return_time(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    answer = await ana.say("/shift start maraude 2h30")
    assert "Expected back at 02:30" in (answer.plain_text or ""), answer.plain_text
    refused = await ana.say("/shift start maraude 24h")
    assert "is not a time" in (refused.plain_text or "")


async def test_the_new_refusals_in_french(emu: BotApiEmulator, clocked: RunningBot) -> None:
    """French wording (filled by the catalogues of issue 9's review)."""
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR, language="fr")
    await enrol(emu, clocked, 403, "Johanna", Role.VOLUNTEER)
    answer = await claire.say("/places add Gare @ Fréthun")
    assert "Un nom ne peut pas contenir « @ »" in (answer.plain_text or "")
    answer = await claire.say("/promote Johanna chef")
    assert "Rôle inconnu : chef" in (answer.plain_text or "")
    assert "équipe juridique" in (answer.plain_text or "")
    answer = await claire.say("/promote Jo juriste")
    assert "Personne ne s’appelle exactement « Jo »" in (answer.plain_text or "")
