"""Typed text goes to the wait the person opened last (outside review of issue 9).

The review's tests of typed-text routing (branch i9-review, tests/e2e/test_review9.py), then
this branch's own.

The clock of `clocked`: Tuesday 2026-12-01, 21:00 in Paris.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from bot.storage.models import Role
from tests.helpers.clock import FakeClock
from tests.helpers.harness import TEAM_CHAT_ID, Person, RunningBot, enrol, outbox_settled
from tests.helpers.help import alerts, ask_for_help

AHMAD = 501  # a person in exile, phone in Arabic
VOLUNTEER = 401
COORDINATOR = 251


def newcomer(emu: BotApiEmulator, user_id: int = AHMAD, language: str = "ar") -> Person:
    emu.add_user(user_id, "Ahmad Karimi", language_code=language, username="ahmad_k99")
    return Person(emu, user_id)


async def press(emu: BotApiEmulator, user_id: int, message: ChatMessage, data: str) -> str:
    """Press a button (in any chat) and return the toast, once the press is handled."""
    answers = len(emu.callback_answers)
    await emu.press(user_id, message, data)
    await emu.wait_until(lambda: len(emu.callback_answers) > answers)
    return str(list(emu.callback_answers.values())[answers].get("text") or "")


def has_button(message: ChatMessage, data: str) -> bool:
    return any(button.callback_data == data for button in message.buttons())


async def writing_to_the_person(
    emu: BotApiEmulator, running: RunningBot, member_id: int
) -> Person:
    """A person asks for help; `member_id` takes request 1 and presses "✉ Write"."""
    person = newcomer(emu)
    await ask_for_help(emu, running, person)
    [alert] = alerts(emu)
    await press(emu, member_id, alert, "hlpt:1")
    await emu.wait_until(lambda: has_button(alert, "hlpw:1"))
    since = len(emu.bot_messages(member_id))
    await press(emu, member_id, alert, "hlpw:1")
    prompt = await emu.wait_for_bot_message(member_id, since=since)
    assert "✍️" in (prompt.plain_text or "")
    return person


def relayed_to(emu: BotApiEmulator, user_id: int, words: str) -> bool:
    return any(words in (m.plain_text or "") for m in emu.bot_messages(user_id))


async def place_name(running: RunningBot, code: str) -> str:
    value = await running.bot.storage.db.fetch_value(
        "SELECT name FROM places WHERE antenna = 'calais' AND code = ?", (code,)
    )
    return str(value)


async def place_id(running: RunningBot, code: str) -> int:
    value = await running.bot.storage.db.fetch_value(
        "SELECT id FROM places WHERE antenna = 'calais' AND code = ?", (code,)
    )
    return int(value)


# --- the review's tests ---------------------------------------------------------------------


@pytest.mark.parametrize("later", ["write to the person", "distrib other number", "plan day"])
async def test_an_unfinished_rename_does_not_eat_text_meant_for_a_later_flow(
    emu: BotApiEmulator, clocked: RunningBot, later: str
) -> None:
    """A coordinator taps ✏️ on Marck in /places and does not type the name (called away);
    minutes later they press "✉ Write" on a help request / "➕ Other number" in /distrib /
    "⌨️ Another day" in /plan, and type. Expected: the text goes to the flow they opened
    last (the person, the quantity, the day) and Marck keeps its name. Today
    `catalogue.rename_typed` is first in TEXT_ANSWERS and nothing ends its 15-minute wait:
    Marck is renamed "J'arrive au pont dans 10 min" (the person in exile gets nothing), "35"
    or "24/12"."""
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR, language="fr")
    marck = await place_id(clocked, "marck")
    listing = await claire.say("/places", expect=lambda m: bool(m.buttons()))
    await claire.press(listing, f"cate:p:n:{marck}:0")
    if later == "write to the person":
        await writing_to_the_person(emu, clocked, COORDINATOR)
        typed = "J'arrive au pont dans 10 min"
    elif later == "distrib other number":
        items = await claire.say("/distrib", expect=lambda m: bool(m.buttons()))
        quantities = await claire.press(items, "dit:blankets:0")
        await claire.press(quantities, "dit:blankets:1")  # ➕ Other number
        typed = "35"
    else:
        form = await claire.say("/plan", expect=lambda m: bool(m.buttons()))
        another_day = next(b.callback_data for b in form.buttons() if b.text.startswith("⌨️"))
        await claire.press(form, another_day or "")
        typed = "24/12"
    answer = await claire.say(typed)
    await outbox_settled(clocked)
    assert await place_name(clocked, "marck") == "Marck", answer.plain_text
    if later == "write to the person":
        assert relayed_to(emu, AHMAD, typed)
    elif later == "distrib other number":
        assert "📍 35 × couvertures" in (answer.plain_text or ""), answer.plain_text
    else:
        assert "24 déc." in (answer.plain_text or ""), answer.plain_text


async def test_a_message_to_the_person_after_other_number_is_not_eaten_by_distrib(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    """A volunteer taps "➕ Other number" in /distrib, is called away by a help request,
    takes it, presses "✉ Write" and types their message. Expected: the message reaches the
    person. Today `distributions.number_typed` (before `owner_typed` in TEXT_ANSWERS, wait of
    15 minutes, not ended by "✉ Write") answers "❌ Type a whole number…" and the person
    gets nothing."""
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER, language="fr")
    items = await ana.say("/distrib")
    quantities = await ana.press(items, "dit:blankets:0")
    await ana.press(quantities, "dit:blankets:1")  # ➕ Other number
    await writing_to_the_person(emu, clocked, VOLUNTEER)
    await ana.say("J'arrive au pont dans 10 min")
    await outbox_settled(clocked)
    assert relayed_to(emu, AHMAD, "J'arrive au pont dans 10 min")


async def test_a_typed_time_after_a_typed_day_never_reaches_the_person(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    """A coordinator writing to a person (✉ Write pressed) plans a shift: "⌨️ Another day",
    types 24/12, then types the time straight away (the natural next answer to "🕒 What
    time?"). Expected: the time is taken by the form, or at least never relayed to the person
    in exile. Today `PlanningService.answer_form` sets `typing = False` after the typed day,
    so `plan_form.typed` declines the time and `help_requests.owner_typed` sends
    "19:30-23:00" to the person as a message from the team."""
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await writing_to_the_person(emu, clocked, COORDINATOR)
    form = await claire.say("/plan", expect=lambda m: bool(m.buttons()))
    await claire.press(form, "⌨️ Another day")
    await claire.say("24/12")
    await claire.say("19:30-23:00")
    await outbox_settled(clocked)
    assert not relayed_to(emu, AHMAD, "19:30-23:00")


async def test_a_typed_answer_is_read_whatever_the_age_of_the_form(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    """The guided /plan opened, answered slowly (the coordinator was on the phone): 31
    minutes later "⌨️ Another day" is pressed and "24/12" typed. Expected: the day is
    taken (the wait starts at the tap that asked for it). Today `typing_form` measures
    FORM_TYPING_WAIT from the draft's `created_at` (the /plan), so the typed day falls through
    to the fallback answer, though the bot had just said "⌨️ Type the day…"."""
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    form = await claire.say("/plan", expect=lambda m: bool(m.buttons()))
    clock.advance(minutes=31)
    await claire.press(form, "⌨️ Another day")
    assert "Type the day" in (form.plain_text or "")
    answer = await claire.say("24/12")
    assert "Thu, 24 Dec 2026" in (answer.plain_text or ""), answer.plain_text


async def distributed(running: RunningBot) -> list[tuple[str, int]]:
    rows = await running.bot.storage.db.fetch_all(
        "SELECT item_code, quantity FROM distributions WHERE undone_at IS NULL ORDER BY id"
    )
    return [(row[0], row[1]) for row in rows]


async def test_the_how_many_question_of_a_quick_log_takes_a_typed_number(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    """`/distrib 2.5 blankets` asks "“2.5 blankets”: how many? A whole number from 1 to
    10000: tap one below." and offers 5, 10, 20, 50 only: the 3 the volunteer meant cannot be
    given (typed, it gets "👇 Please tap a button"). Expected: as in the guided form, an
    "➕ Other number" or a typed number answers (`distributions.ask_next`, question.quantity
    None: only QUANTITIES, no number wait)."""
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    question = await ana.say("/distrib 2.5 blankets")
    assert "how many" in (question.plain_text or "")
    answer = await ana.say("3")
    await outbox_settled(clocked)
    assert "Please tap a button" not in (answer.plain_text or ""), answer.plain_text
    assert await distributed(clocked) == [("blankets", 3)] or "3 × blankets" in (
        answer.plain_text or ""
    )


@pytest.mark.parametrize("form", ["plan", "distrib"])
async def test_a_type_it_button_in_the_team_chat_can_be_answered(
    emu: BotApiEmulator, clocked: RunningBot, form: str
) -> None:
    """The team chat's /help lists /plan and /distrib as working there, and their guided
    forms offer "⌨️ Another day" / "➕ Other number" there; but typed text is read in private
    chats only (`inputs.handlers`: `filters.ChatType.PRIVATE`; a real group in privacy mode
    does not even send it). The bot says "Type the day…" in the group and then never answers
    what is typed (the wait is the person's, so typing it privately would work, but nothing
    says so). Expected: as the catalogue's ✏️ does (`catalogue.edit_pressed`), the question
    is asked privately, or the answer typed in the group is taken."""
    await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    team = Person(emu, COORDINATOR, TEAM_CHAT_ID)
    private_before = len(emu.bot_messages(COORDINATOR))
    if form == "plan":
        message = await team.say("/plan", expect=lambda m: bool(m.buttons()))
        await team.press(message, "⌨️ Another day")
        typed, wanted = "24/12", "24 Dec 2026"
    else:
        message = await team.say("/distrib", expect=lambda m: bool(m.buttons()))
        message = await team.press(message, "dit:blankets:0")
        await team.press(message, "dit:blankets:1")
        typed, wanted = "35", "35 × blankets"
    await outbox_settled(clocked)
    asked_privately = len(emu.bot_messages(COORDINATOR)) > private_before
    # Typed where the bot asked for it: the group.
    await emu.send_text(COORDINATOR, typed, chat_id=TEAM_CHAT_ID)
    await outbox_settled(clocked)
    await asyncio.sleep(1)
    said = [m.plain_text or "" for m in emu.bot_messages(TEAM_CHAT_ID)]
    assert asked_privately or any(wanted in text for text in said), said[-2:]
