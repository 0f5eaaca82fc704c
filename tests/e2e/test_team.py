"""The team: a coordinator invites, a newcomer joins by the link, roles change."""

from __future__ import annotations

import re

import pytest

from bot.callbacks import RoleTake
from bot.sandbox.emulator import BotApiEmulator
from bot.storage.models import Role
from tests.helpers.harness import ADMIN_ID, TEAM_CHAT_ID, Person, RunningBot

COORDINATOR = 300
NEWCOMER = 301


async def make_coordinator(emu: BotApiEmulator, running: RunningBot) -> Person:
    emu.add_user(COORDINATOR, "Claire", language_code="fr", username="claire")
    coordinator = Person(emu, COORDINATOR)
    await coordinator.say("/start")
    await running.bot.storage.users.set_role(COORDINATOR, Role.COORDINATOR, antenna="calais")
    return coordinator


def invite_code(text: str) -> str:
    match = re.search(r"\?start=([A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)


async def test_an_invite_link_turns_a_newcomer_into_a_volunteer(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    coordinator = await make_coordinator(emu, running)
    invitation = await coordinator.say("/invite")
    text = invitation.text or ""
    assert f"https://t.me/{emu.bot_username}?start=" in text
    assert invitation.buttons()[0].url is not None  # a share button, for the phone
    code = invite_code(text)

    emu.add_user(NEWCOMER, "Amina", language_code="ar", username="amina")
    newcomer = Person(emu, NEWCOMER)
    since = len(emu.bot_messages(COORDINATOR))
    welcome = await newcomer.say(f"/start {code}")
    assert "Calais" in (welcome.text or "")
    user = await running.bot.services.users.get(NEWCOMER)
    assert user is not None
    assert user.role is Role.VOLUNTEER
    assert user.antenna == "calais"
    assert user.display_name == "Amina"
    # The coordinator hears about it.
    note = await emu.wait_for_bot_message(COORDINATOR, since=since)
    assert "Amina" in (note.text or "")
    # The volunteer's own chat gets the team menu.
    await emu.wait_until(lambda: f"chat:{NEWCOMER}" in {scope for scope, _ in emu.commands})

    # The same code works once only.
    emu.add_user(302, "Other", language_code="en")
    refused = await Person(emu, 302).say(f"/join {code}")
    assert "already used" in (refused.text or "")
    other = await running.bot.services.users.get(302)
    assert other is not None
    assert other.role is Role.PUBLIC


async def test_public_users_cannot_use_team_commands(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    emu.add_user(303, "Dawit", language_code="en")
    person = Person(emu, 303)
    for command in ("/invite", "/volunteers", "/promote 303 coordinator", "/demote 303"):
        answer = await person.say(command)
        assert "🔒" in (answer.text or ""), command
    user = await running.bot.services.users.get(303)
    assert user is not None
    assert user.role is Role.PUBLIC
    count = await running.bot.storage.db.fetch_value("SELECT COUNT(*) FROM invites")
    assert count == 0


async def test_roles_change_and_the_person_is_told(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    coordinator = await make_coordinator(emu, running)
    code = invite_code((await coordinator.say("/invite")).text or "")
    emu.add_user(NEWCOMER, "Amina", language_code="en", username="amina")
    joined_notice = len(emu.bot_messages(COORDINATOR))
    await Person(emu, NEWCOMER).say(f"/join {code}")
    await emu.wait_for_bot_message(COORDINATOR, since=joined_notice)

    since = len(emu.bot_messages(NEWCOMER))
    answer = await coordinator.say("/promote @amina legal")
    assert "Amina" in (answer.text or "")
    told = await emu.wait_for_bot_message(NEWCOMER, since=since)
    assert "legal" in (told.text or "")
    user = await running.bot.services.users.get(NEWCOMER)
    assert user is not None
    assert user.role is Role.LEGAL

    refused = await coordinator.say("/promote @amina coordinator")
    assert "🔒" in (refused.text or "")
    listing = await coordinator.say("/volunteers")
    assert "Amina (@amina)" in (listing.text or "")
    await coordinator.say("/demote @amina")
    user = await running.bot.services.users.get(NEWCOMER)
    assert user is not None
    assert user.role is Role.VOLUNTEER

    emu.add_user(ADMIN_ID + 0, "Admin", language_code="fr")
    admin = Person(emu, ADMIN_ID)
    await admin.say("/promote @amina coordinator")
    user = await running.bot.services.users.get(NEWCOMER)
    assert user is not None
    assert user.role is Role.COORDINATOR


@pytest.mark.parametrize("command", ["/join", "/join nope", "/promote", "/promote x y z"])
async def test_malformed_team_commands_get_an_answer(
    emu: BotApiEmulator, running: RunningBot, command: str
) -> None:
    await make_coordinator(emu, running)
    answer = await Person(emu, COORDINATOR).say(command)
    assert answer.text
    invites = await running.bot.storage.db.fetch_value("SELECT COUNT(*) FROM invites")
    assert invites == 0


async def test_a_number_too_big_for_an_id_is_simply_unknown(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    coordinator = await make_coordinator(emu, running)
    answer = await coordinator.say("/promote 99999999999999999999 legal")
    assert "❌" in (answer.text or "")
    assert "😔" not in (answer.text or "")


async def test_demotion_to_public_forgets_the_name(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    coordinator = await make_coordinator(emu, running)
    code = invite_code((await coordinator.say("/invite")).text or "")
    emu.add_user(NEWCOMER, "Amina", language_code="en", username="amina")
    since = len(emu.bot_messages(COORDINATOR))
    await Person(emu, NEWCOMER).say(f"/join {code}")
    await emu.wait_for_bot_message(COORDINATOR, since=since)  # "Amina joined the team"
    # Out of the team asks a second tap, by a typed @username as by the 🚪 button.
    question = await coordinator.say("/demote @amina")
    sure = RoleTake(NEWCOMER, "volunteer", sure=True).pack()
    assert "Amina" in (question.text or "")
    assert [button.callback_data for button in question.buttons()] == [sure]
    still = await running.bot.services.users.get(NEWCOMER)
    assert still is not None
    assert still.role is Role.VOLUNTEER
    answer = await coordinator.press(question, sure)
    assert "Amina" in (answer.text or "")
    user = await running.bot.services.users.get(NEWCOMER)
    assert user is not None
    assert user.role is Role.PUBLIC
    assert (user.display_name, user.username) == (None, None)
    # Their own team menu is removed: the public one applies again.
    await emu.wait_until(lambda: (f"chat:{NEWCOMER}", "") not in emu.commands)


async def test_personal_commands_in_the_team_chat_point_to_the_private_chat(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    await make_coordinator(emu, running)
    emu.add_group(TEAM_CHAT_ID, "Équipe Calais", [COORDINATOR])
    in_group = Person(emu, COORDINATOR, TEAM_CHAT_ID)
    hint = await in_group.say("/invite")
    assert hint.buttons()[0].url == f"https://t.me/{emu.bot_username}"
    count = await running.bot.storage.db.fetch_value("SELECT COUNT(*) FROM invites")
    assert count == 0
    # A command for another bot is none of ours: no answer, and nobody is recorded.
    emu.add_user(303, "Stranger", language_code="en")
    emu.add_group(TEAM_CHAT_ID, "Équipe Calais", [303])
    await emu.send_text(303, "/start@some_other_bot", chat_id=TEAM_CHAT_ID)
    await in_group.say("/help")
    assert await running.bot.services.users.get(303) is None


async def test_refusals_say_what_is_wrong_and_never_echo_a_huge_input(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    coordinator = await make_coordinator(emu, running)  # of Calais, in French
    emu.add_user(310, "Vera", language_code="fr", username="vera")
    await Person(emu, 310).say("/start")
    await running.bot.storage.users.set_role(310, Role.VOLUNTEER, antenna="calais")
    typo = (await coordinator.say("/invite foo")).text or ""
    assert "foo" in typo
    assert "🔒" not in typo  # a typo, not a question of rights
    other = (await coordinator.say("/invite grande-synthe")).text or ""
    assert "admin" in other
    named = (await coordinator.say("/promote 310 coordinator")).text or ""
    assert "coordinat" in named  # "only an admin can name or remove coordinators"
    assert "admin" in named
    huge = (await coordinator.say("/invite " + "x" * 3000)).text or ""
    assert "x" * 41 not in huge  # cut at 40 characters
    assert "…" in huge
    invites = await running.bot.storage.db.fetch_value("SELECT COUNT(*) FROM invites")
    assert invites == 0
    volunteer = await running.bot.services.users.get(310)
    assert volunteer is not None
    assert volunteer.role is Role.VOLUNTEER
