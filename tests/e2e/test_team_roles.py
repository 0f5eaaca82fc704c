"""Roles by name and by buttons, /volunteers, /help in a team chat, a member's /start
(issue 9, points 6 and 8)."""

from __future__ import annotations

import re

from bot.callbacks import MemberHours, RoleGive, RoleTake, TeamPage
from bot.sandbox.emulator import BotApiEmulator, Button, ChatMessage
from bot.storage.models import Role
from tests.helpers.harness import ADMIN_ID, TEAM_CHAT_ID, Person, RunningBot

COORDINATOR = 250
AMINA = 301
ALI = 302
ALIA = 303
VERA = 304  # a volunteer of Calais
GUS = 305  # a coordinator of Grande-Synthe
GASPARD = 306  # a volunteer of Grande-Synthe


async def member(
    emu: BotApiEmulator,
    running: RunningBot,
    user_id: int,
    name: str,
    username: str | None,
    role: Role,
    *,
    antenna: str = "calais",
    language: str = "en",
) -> Person:
    """A person who wrote to the bot once and holds a role (in the team chat too)."""
    emu.add_user(user_id, name, language_code=language, username=username)
    person = Person(emu, user_id)
    await person.say("/help")
    async with running.bot.storage.transaction():
        await running.bot.storage.users.set_role(
            user_id, role, antenna=antenna, display_name=name, username=username
        )
    emu.add_group(TEAM_CHAT_ID, "Équipe Calais", [user_id])
    await person.say("/help")  # the first update after the role syncs the command menu
    return person


def shown(message: ChatMessage) -> str:
    """The text as read, without the marks that isolate names (invisible to the reader)."""
    return (message.plain_text or "").replace("\u2068", "").replace("\u2069", "")


async def role_of(running: RunningBot, user_id: int) -> Role:
    user = await running.bot.services.users.get(user_id)
    assert user is not None
    return user.role


async def press_for_alert(
    emu: BotApiEmulator, user_id: int, message: ChatMessage, data: str
) -> str:
    """Press a button whose answer is an alert on the button; return the alert's text."""
    answers = len(emu.callback_answers)
    await emu.press(user_id, message, data)
    await emu.wait_until(lambda: len(emu.callback_answers) > answers)
    answer = list(emu.callback_answers.values())[answers]
    return str(answer.get("text") or "")


async def forge(
    emu: BotApiEmulator, person: Person, data: str, *, since_help: bool = True
) -> tuple[str, ChatMessage]:
    """A client sends data of its own making: put it on the person's last message, press."""
    message = person.last()
    message.keyboard = [[Button(text="forged", callback_data=data)]]
    text = await press_for_alert(emu, person.id, message, data)
    if since_help:
        # Updates are handled in order: once /help is answered, the press was too.
        await person.say("/help", expect=lambda m: "command" in (m.text or ""))
    return text, message


async def test_promote_by_username_tells_the_person_privately_in_their_language(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    coordinator = await member(emu, running, COORDINATOR, "Claire", "claire", Role.COORDINATOR)
    await member(emu, running, AMINA, "Amina", "amina", Role.VOLUNTEER, language="fr")
    since = len(emu.bot_messages(AMINA))
    answer = await coordinator.say("/promote @AMINA legal")  # a username in any case
    assert "Amina (@amina)" in shown(answer)
    assert "legal team" in (answer.text or "")
    assert await role_of(running, AMINA) is Role.LEGAL
    told = await emu.wait_for_bot_message(AMINA, since=since)
    assert "rôle" in (told.text or "")  # in French, her language
    assert "juridique" in (told.text or "")


async def test_an_ambiguous_name_offers_buttons_to_choose(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    coordinator = await member(emu, running, COORDINATOR, "Claire", "claire", Role.COORDINATOR)
    await member(emu, running, ALI, "Ali Benali", "ali_b", Role.VOLUNTEER)
    await member(emu, running, ALIA, "Alia Dupont", None, Role.VOLUNTEER)
    await member(emu, running, AMINA, "Amina", "amina", Role.VOLUNTEER)
    choose = await coordinator.say("/promote ali legal")
    labels = [button.text for button in choose.buttons()]
    assert len(labels) == 2, labels  # Amina is not an "ali"
    assert "Ali Benali @ali_b · Calais · volunteer" in labels
    assert "Alia Dupont · Calais · volunteer" in labels
    assert (await role_of(running, ALI), await role_of(running, ALIA)) == (
        Role.VOLUNTEER,
        Role.VOLUNTEER,
    )
    since = len(emu.bot_messages(ALIA))
    done = await coordinator.press(choose, "Alia Dupont")
    assert "Alia Dupont is now: legal team" in shown(done)
    assert await role_of(running, ALIA) is Role.LEGAL
    assert await role_of(running, ALI) is Role.VOLUNTEER
    told = await emu.wait_for_bot_message(ALIA, since=since)
    assert "legal team" in (told.text or "")
    # The same button again: nothing more, and it says so.
    again = await press_for_alert(
        emu, COORDINATOR, choose, RoleGive(ALIA, "legal", "volunteer").pack()
    )
    assert "Already done" in again
    assert "legal team" in again
    assert len(emu.bot_messages(ALIA)) == since + 1  # told once
    # A whole name, accents and case aside, is that person only.
    # Out of the team asks a second tap, as the 🚪 button does.
    question = await coordinator.say("/demote ALÍ benali")
    assert "Remove Ali Benali (@ali_b) from the team?" in shown(question)
    assert await role_of(running, ALI) is Role.VOLUNTEER
    exact = await coordinator.press(question, "🚪 Yes, remove from the team")
    assert "Ali Benali (@ali_b) is now: public" in shown(exact)
    assert await role_of(running, ALI) is Role.PUBLIC


async def test_promote_without_a_role_offers_the_roles_the_caller_may_give(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    coordinator = await member(emu, running, COORDINATOR, "Claire", "claire", Role.COORDINATOR)
    await member(emu, running, AMINA, "Élodie Amina", "amina", Role.VOLUNTEER)
    # A part of the name: the person is confirmed by a button naming them, then the role.
    person = await coordinator.say("/promote elodie")
    assert "Nobody is called exactly “elodie”" in shown(person)
    assert [button.text for button in person.buttons()] == [
        "Élodie Amina @amina · Calais · volunteer"
    ]
    assert await role_of(running, AMINA) is Role.VOLUNTEER
    offer = await coordinator.press(person, RoleGive(AMINA, "", "volunteer").pack())
    assert [button.text for button in offer.buttons()] == ["⬆️ legal team"]  # not coordinator
    assert await role_of(running, AMINA) is Role.VOLUNTEER
    done = await coordinator.press(offer, "⬆️ legal team")
    assert "Élodie Amina (@amina) is now: legal team" in shown(done)
    assert await role_of(running, AMINA) is Role.LEGAL
    # The admin may name coordinators.
    admin = Person(emu, ADMIN_ID)
    await admin.say("/start")
    offer = await admin.say("/promote @amina")
    assert [button.callback_data for button in offer.buttons()] == [
        RoleGive(AMINA, "coordinator", "legal").pack()
    ]
    await admin.press(offer, RoleGive(AMINA, "coordinator", "legal").pack())
    assert await role_of(running, AMINA) is Role.COORDINATOR


async def test_an_unknown_name_gets_a_clear_answer_and_changes_nothing(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    coordinator = await member(emu, running, COORDINATOR, "Claire", "claire", Role.COORDINATOR)
    await member(
        emu, running, GASPARD, "Gaspard", "gaspard", Role.VOLUNTEER, antenna="grande-synthe"
    )
    for command, expected in (
        ("/promote Zorro legal", "Nobody in your team is called Zorro"),
        # A person of another antenna is out of a coordinator's reach by name.
        ("/promote Gaspard legal", "Nobody in your team is called Gaspard"),
        ("/demote <b>Zorro</b>", "Nobody in your team is called <b>Zorro</b>"),
        ("/promote @nobody_here legal", "I don't know @nobody_here"),
        ("/promote", "Usage: /promote NAME"),
        ("/demote", "Usage: /demote NAME"),
    ):
        answer = await coordinator.say(command)
        assert expected in shown(answer), (command, answer.text)
        assert not answer.buttons(), command
    huge = await coordinator.say("/promote " + "x" * 3000 + " legal")
    assert "x" * 41 not in (huge.text or "")
    assert "…" in (huge.text or "")
    assert await role_of(running, GASPARD) is Role.VOLUNTEER


def data_of(message: ChatMessage) -> list[str]:
    return [button.callback_data or "" for button in message.buttons()]


async def test_volunteers_buttons_pressed_by_a_coordinator(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    coordinator = await member(emu, running, COORDINATOR, "Claire", "claire", Role.COORDINATOR)
    await member(emu, running, AMINA, "Amina", "amina", Role.VOLUNTEER)
    await member(emu, running, VERA, "Vera", "vera", Role.LEGAL)
    listing = await coordinator.say("/volunteers")
    text = shown(listing)
    assert "Amina (@amina) — volunteer · 0 mins this month" in text, text
    assert "Vera (@vera) — legal team" in text
    data = data_of(listing)
    assert RoleGive(AMINA, "legal", "volunteer").pack() in data
    assert RoleTake(AMINA, "volunteer", sure=False).pack() in data
    assert RoleTake(VERA, "legal", sure=True).pack() in data
    assert MemberHours(VERA).pack() in data
    # No button to give the coordinator role: only an admin may; none on the caller's own row.
    assert not [item for item in data if item.startswith("tmg:") and "coordinator" in item]
    assert not [item for item in data if item.startswith("tmt:") and f":{COORDINATOR}:" in item]

    since = len(emu.bot_messages(AMINA))
    done = await coordinator.press(listing, RoleGive(AMINA, "legal", "volunteer").pack())
    assert "Amina (@amina) is now: legal team" in shown(done)
    assert await role_of(running, AMINA) is Role.LEGAL
    assert "legal team" in ((await emu.wait_for_bot_message(AMINA, since=since)).text or "")
    again = await press_for_alert(
        emu, COORDINATOR, listing, RoleGive(AMINA, "legal", "volunteer").pack()
    )
    assert "Already done: Amina is now: legal team" in again

    # Demotion takes one step, once: a double tap does not make her public.
    done = await coordinator.press(listing, RoleTake(VERA, "legal", sure=True).pack())
    assert "Vera (@vera) is now: volunteer" in shown(done)
    again = await press_for_alert(
        emu, COORDINATOR, listing, RoleTake(VERA, "legal", sure=True).pack()
    )
    assert "Already done: Vera is now: volunteer" in again
    assert await role_of(running, VERA) is Role.VOLUNTEER
    vera_told = [m for m in emu.bot_messages(VERA) if "Your role is now" in (m.text or "")]
    assert len(vera_told) == 1

    # Out of the team takes a second, explicit tap.
    listing = await coordinator.say("/volunteers")
    remove = RoleTake(VERA, "volunteer", sure=False).pack()
    assert remove in data_of(listing)
    question = await coordinator.press(listing, remove)
    assert "Remove Vera (@vera) from the team?" in shown(question)
    assert await role_of(running, VERA) is Role.VOLUNTEER
    since = len(emu.bot_messages(VERA))
    done = await coordinator.press(question, "🚪 Yes, remove from the team")
    assert "Vera (@vera) is now: public" in shown(done)
    assert await role_of(running, VERA) is Role.PUBLIC
    assert "public" in ((await emu.wait_for_bot_message(VERA, since=since)).text or "")
    sure = RoleTake(VERA, "volunteer", sure=True).pack()
    again = await press_for_alert(emu, COORDINATOR, question, sure)
    assert "no longer in the team" in again
    assert await role_of(running, VERA) is Role.PUBLIC

    hours = await coordinator.press(listing, MemberHours(AMINA).pack())
    assert re.search(r"Amina \(@amina\), December 2026: .* in 0 shifts", shown(hours))


async def test_volunteers_buttons_forged_or_pressed_by_the_wrong_person(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    coordinator = await member(emu, running, COORDINATOR, "Claire", "claire", Role.COORDINATOR)
    amina = await member(emu, running, AMINA, "Amina", "amina", Role.VOLUNTEER)
    await member(emu, running, VERA, "Vera", "vera", Role.VOLUNTEER)
    gus = await member(emu, running, GUS, "Gus", "gus", Role.COORDINATOR, antenna="grande-synthe")
    in_group = Person(emu, COORDINATOR, TEAM_CHAT_ID)
    listing = await in_group.say("/volunteers")  # the team chat of Calais: shown there
    assert "Amina (@amina)" in shown(listing)
    # A volunteer presses the coordinator's buttons in the team chat: refused, every kind.
    for data in (
        RoleGive(AMINA, "legal", "volunteer").pack(),
        RoleTake(AMINA, "volunteer", sure=False).pack(),
        MemberHours(AMINA).pack(),
    ):
        refused = await press_for_alert(emu, VERA, listing, data)
        assert "🔒" in refused, data
    # Nor can she forge one naming herself, nor the coordinator.
    for data in (
        RoleGive(VERA, "coordinator", "volunteer").pack(),
        RoleTake(COORDINATOR, "coordinator", sure=True).pack(),
    ):
        refused, _ = await forge(emu, Person(emu, VERA), data)
        assert "🔒" in refused, data
    # A coordinator of another antenna: refused too, saying why.
    for data in (
        RoleGive(AMINA, "legal", "volunteer").pack(),
        RoleTake(AMINA, "volunteer", sure=False).pack(),
    ):
        refused, _ = await forge(emu, gus, data)
        assert "Only an admin can do this for another antenna" in refused, data
    refused, _ = await forge(emu, gus, MemberHours(AMINA).pack())
    assert "another antenna" in refused
    assert (await role_of(running, AMINA), await role_of(running, VERA)) == (
        Role.VOLUNTEER,
        Role.VOLUNTEER,
    )
    assert await role_of(running, COORDINATOR) is Role.COORDINATOR
    assert not [m for m in emu.bot_messages(AMINA) if "Your role" in (m.text or "")]
    # A person cannot change their own role by a button either.
    refused, _ = await forge(
        emu, coordinator, RoleTake(COORDINATOR, "coordinator", sure=True).pack()
    )
    assert "your own role" in refused
    # The admin may everywhere: a Grande-Synthe coordinator named coordinator, from Calais's list.
    admin = Person(emu, ADMIN_ID)
    await admin.say("/start")
    since = len(emu.bot_messages(AMINA))
    _, _ = await forge(
        emu, admin, RoleGive(AMINA, "coordinator", "volunteer").pack(), since_help=False
    )
    await emu.wait_until(lambda: len(emu.bot_messages(AMINA)) > since)
    assert await role_of(running, AMINA) is Role.COORDINATOR
    assert "coordinator" in (amina.last().text or "")


async def test_volunteers_pages_a_large_team_within_telegram_limits(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    coordinator = await member(emu, running, COORDINATOR, "Claire", "claire", Role.COORDINATOR)
    storage = running.bot.storage
    now = running.bot.clock.now()
    long_name = "<b>" + "x" * 200 + "</b>"
    async with storage.transaction():
        for index in range(20):
            user_id = 1000 + index
            await storage.users.touch(user_id, "en", now)
            name = long_name if index == 0 else f"Member {index:02d}"
            await storage.users.set_role(
                user_id,
                Role.VOLUNTEER,
                antenna="calais",
                display_name=name,
                username=f"member{index:02d}",
            )
    listing = await coordinator.say("/volunteers")
    text = shown(listing)
    assert "21 team members" in text
    assert "Page 1 of 3" in text
    assert "<b>xxx" in text  # shown as typed, not as markup
    assert "x" * 41 not in text  # cut at a sane length
    assert len(listing.text or "") <= 4096
    assert len(listing.buttons()) <= 100
    assert TeamPage(1).pack() in data_of(listing)
    stale = listing.keyboard
    page = await coordinator.press(listing, TeamPage(1).pack())
    assert "Page 2 of 3" in shown(page)
    assert "Member 08" in shown(page)
    assert "Member 01" not in shown(page)
    assert TeamPage(0).pack() in data_of(page)
    # A double tap on "Next" shows the same page: nothing more (and no refused edit).
    edits = page.edits
    answers = len(emu.callback_answers)
    page.keyboard = stale  # the second tap lands on the keyboard the first one saw
    await emu.press(COORDINATOR, page, TeamPage(1).pack())
    await emu.wait_until(lambda: len(emu.callback_answers) > answers)
    await coordinator.say("/help")
    assert "Page 2 of 3" in shown(page)
    assert page.edits <= edits + 1


async def test_names_stay_out_of_other_groups(emu: BotApiEmulator, running: RunningBot) -> None:
    await member(emu, running, COORDINATOR, "Claire", "claire", Role.COORDINATOR)
    await member(emu, running, AMINA, "Amina", "amina", Role.VOLUNTEER)
    emu.add_group(-100777, "Friends", [COORDINATOR])
    elsewhere = Person(emu, COORDINATOR, -100777)
    for command in ("/promote amina legal", "/demote amina", "/volunteers"):
        answer = await elsewhere.say(command)
        assert "Write to me privately" in shown(answer), command
        assert "Amina" not in shown(answer)
    assert await role_of(running, AMINA) is Role.VOLUNTEER
    # In the team chat of the antenna, the team may see it done.
    done = await Person(emu, COORDINATOR, TEAM_CHAT_ID).say("/promote amina legal")
    assert "Amina (@amina) is now: legal team" in shown(done)
    assert await role_of(running, AMINA) is Role.LEGAL


async def test_help_in_the_team_chat_lists_only_what_works_there(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    await member(emu, running, VERA, "Vera", "vera", Role.VOLUNTEER)
    in_group = Person(emu, VERA, TEAM_CHAT_ID)
    group_help = shown(await in_group.say("/help"))
    for command in ("/distrib", "/shift", "/planning", "/hours", "/menu"):
        assert command in group_help, command
    for command in ("/start", "/lang", "/forget", "/invite", "/join", "/reply"):
        assert f"{command} " not in group_help, command
    assert "write to me privately" in group_help
    assert in_group.last().buttons()[0].url == f"https://t.me/{emu.bot_username}"
    # The team chat's own command menu: only what works there.
    await emu.wait_until(lambda: (f"chat:{TEAM_CHAT_ID}", "") in emu.commands)
    menu = {command["command"] for command in emu.commands[(f"chat:{TEAM_CHAT_ID}", "")]}
    assert "distrib" in menu
    assert not menu & {"start", "lang", "forget", "invite", "join", "reply"}
    # In private, everything.
    private_help = shown(await Person(emu, VERA).say("/help"))
    for command in ("/lang", "/start", "/forget", "/reply", "/distrib"):
        assert command in private_help, command


async def test_a_volunteer_start_greets_a_team_member(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    vera = await member(emu, running, VERA, "Vera", "vera", Role.VOLUNTEER)
    greeting = await vera.say("/start")
    text = shown(greeting)
    assert "Hello Vera" in text
    assert "Calais" in text
    assert "volunteer" in text
    assert "Choose your language" not in text
    labels = [button.text for button in greeting.buttons()]
    assert "📦 Log" in labels  # the team buttons
    assert not [
        button for button in greeting.buttons() if (button.callback_data or "").startswith("lang")
    ]
    # The language can still be changed.
    picker = await vera.say("/lang")
    assert "Choose your language" in shown(picker)
    # A public person still gets the public welcome.
    emu.add_user(700, "Someone", language_code="en")
    welcome = await Person(emu, 700).say("/start")
    assert "Choose your language" in shown(welcome)


async def test_an_invitation_tapped_by_a_member_changes_nothing(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    coordinator = await member(emu, running, COORDINATOR, "Claire", "claire", Role.COORDINATOR)
    vera = await member(emu, running, VERA, "Vera", "vera", Role.LEGAL)
    invitation = (await coordinator.say("/invite")).text or ""
    match = re.search(r"\?start=([A-Za-z0-9_-]+)", invitation)
    assert match
    answer = await vera.say(f"/start {match.group(1)}")
    assert "already in the Calais team" in shown(answer)
    assert await role_of(running, VERA) is Role.LEGAL
    used = await running.bot.storage.db.fetch_value("SELECT used_at FROM invites")
    assert used is None  # still there for the newcomer it was meant for
