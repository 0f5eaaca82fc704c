"""Typed text goes to the wait the person opened last (outside review of issue 9).

The review's tests of typed-text routing (branch i9-review, tests/e2e/test_review9.py), then
this branch's own.

The clock of `clocked`: Tuesday 2026-12-01, 21:00 in Paris.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.sandbox.emulator import BotApiEmulator, Button, ChatMessage
from bot.storage.models import Role
from tests.helpers.clock import FakeClock
from tests.helpers.harness import TEAM_CHAT_ID, Person, RunningBot, enrol, outbox_settled
from tests.helpers.help import alerts, ask_for_help, has_button, press

AHMAD = 501  # a person in exile, phone in Arabic
VOLUNTEER = 401
COORDINATOR = 251


def newcomer(emu: BotApiEmulator, user_id: int = AHMAD, language: str = "ar") -> Person:
    emu.add_user(user_id, "Ahmad Karimi", language_code=language, username="ahmad_k99")
    return Person(emu, user_id)


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


# --- this branch's own: one typed wait per person, the latest wins ---------------------------

KINDS = ("rename", "other number", "how many", "plan")
# What each wait is given, typed.
TYPED = {"rename": "Marck bridge", "other number": "35", "how many": "3", "plan": "24/12"}


async def open_wait(clocked: RunningBot, person: Person, kind: str) -> None:
    """Open a typed wait of `kind` as the coordinator would, by taps and commands."""
    if kind == "rename":
        listing = await person.say("/places", expect=lambda m: bool(m.buttons()))
        asked = await person.press(listing, f"cate:p:n:{await place_id(clocked, 'marck')}:0")
        assert "Type the new name" in (asked.plain_text or "")
    elif kind == "other number":
        items = await person.say("/distrib", expect=lambda m: bool(m.buttons()))
        quantities = await person.press(items, "dit:blankets:0")
        asked = await person.press(quantities, "dit:blankets:1")
        assert "Type it" in (asked.plain_text or "")
    elif kind == "how many":
        asked = await person.say("/distrib 2.5 blankets")
        assert "how many" in (asked.plain_text or "")
    else:
        form = await person.say("/plan", expect=lambda m: bool(m.buttons()))
        asked = await person.press(form, "⌨️ Another day")
        assert "Type the day" in (asked.plain_text or "")


async def taken_by(clocked: RunningBot, kind: str, answer: ChatMessage) -> bool:
    """Whether the wait of `kind` took the text of TYPED."""
    text = answer.plain_text or ""
    if kind == "rename":
        return await place_name(clocked, "marck") == "Marck bridge"
    if kind == "other number":
        return text.startswith("📍 35 × blankets: where?")
    if kind == "how many":
        return await distributed(clocked) == [("blankets", 3)]
    return "Thu, 24 Dec 2026" in text and "Type the start and end" in text


async def state(clocked: RunningBot) -> tuple[object, ...]:
    """What the waits could change: the place's name, the logs, the plans and their forms."""
    db = clocked.bot.storage.db
    forms = await db.fetch_all("SELECT payload FROM drafts WHERE kind = 'plan'")
    planned = await db.fetch_value("SELECT COUNT(*) FROM planned_shifts")
    return await place_name(clocked, "marck"), await distributed(clocked), forms, planned


async def press_write(emu: BotApiEmulator, member_id: int) -> None:
    """ "✉ Write" pressed again on request 1's alert."""
    [alert] = alerts(emu)
    since = len(emu.bot_messages(member_id))
    await press(emu, member_id, alert, "hlpw:1")
    prompt = await emu.wait_for_bot_message(member_id, since=since)
    assert "✍️" in (prompt.plain_text or "")


@pytest.mark.parametrize("kind", KINDS)
async def test_text_reaches_the_person_only_when_write_was_pressed_last(
    emu: BotApiEmulator, clocked: RunningBot, kind: str
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await writing_to_the_person(emu, clocked, COORDINATOR)
    # ✉ Write, then another wait: the text is that wait's, and the person gets nothing.
    await open_wait(clocked, claire, kind)
    to_person = len(emu.bot_messages(AHMAD))
    answer = await claire.say(TYPED[kind])
    await outbox_settled(clocked)
    assert await taken_by(clocked, kind, answer), answer.plain_text
    assert len(emu.bot_messages(AHMAD)) == to_person
    # The other wait, then ✉ Write: the message goes to the person, and nothing else changes.
    await open_wait(clocked, claire, kind)
    await press_write(emu, COORDINATOR)
    before = await state(clocked)
    sent = await claire.say("On arrive au pont, 10 minutes")
    assert "✅" in (sent.plain_text or "")
    await outbox_settled(clocked)
    assert relayed_to(emu, AHMAD, "On arrive au pont, 10 minutes")
    assert await state(clocked) == before
    # ✉ Write ended the other wait, for good: the next text answers neither.
    to_person = len(emu.bot_messages(AHMAD))
    answer = await claire.say(TYPED[kind])
    await outbox_settled(clocked)
    assert "Please tap a button" in (answer.plain_text or ""), answer.plain_text
    assert await state(clocked) == before
    assert len(emu.bot_messages(AHMAD)) == to_person


async def test_back_and_a_new_distrib_end_the_wait_and_an_old_back_ends_no_newer_one(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    items = await ana.say("/distrib")
    quantities = await ana.press(items, "dit:blankets:0")
    more = await ana.press(quantities, "dit:blankets:1")
    await ana.press(more, "⬅️ Back")
    answer = await ana.say("35")
    assert "Please tap a button" in (answer.plain_text or ""), answer.plain_text
    # A quick /distrib while a number is awaited: that log is saved, the number not awaited.
    items = await ana.say("/distrib")
    quantities = await ana.press(items, "dit:tea:0")
    await ana.press(quantities, "dit:tea:1")
    saved = await ana.say("/distrib 5 tents")
    assert (saved.plain_text or "").startswith("✅ Saved: 5 × tents")
    answer = await ana.say("35")
    assert "Please tap a button" in (answer.plain_text or ""), answer.plain_text
    assert await distributed(clocked) == [("tents", 5)]
    # "➕ Other number", then ✉ Write, then the distrib message's Back: the later wait stays.
    items = await ana.say("/distrib")
    quantities = await ana.press(items, "dit:blankets:0")
    more = await ana.press(quantities, "dit:blankets:1")
    await writing_to_the_person(emu, clocked, VOLUNTEER)
    await ana.press(more, "⬅️ Back")
    await ana.say("J'arrive au pont")
    await outbox_settled(clocked)
    assert relayed_to(emu, AHMAD, "J'arrive au pont")
    assert await distributed(clocked) == [("tents", 5)]


async def test_a_wait_lives_from_its_tap_and_an_older_one_never_comes_back(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await writing_to_the_person(emu, clocked, COORDINATOR)
    await open_wait(clocked, claire, "rename")
    clock.advance(minutes=16)  # the rename's quarter of an hour is over
    to_person = len(emu.bot_messages(AHMAD))
    answer = await claire.say("Marck bridge")
    await outbox_settled(clocked)
    assert "Please tap a button" in (answer.plain_text or ""), answer.plain_text
    assert await place_name(clocked, "marck") == "Marck"
    assert len(emu.bot_messages(AHMAD)) == to_person  # ✉ Write ended when ✏️ was pressed
    # /plan's "⌨️": 30 minutes from the tap, however old the form.
    form = await claire.say("/plan", expect=lambda m: bool(m.buttons()))
    await claire.press(form, "⌨️ Another day")
    clock.advance(minutes=29)
    answer = await claire.say("24/12")
    assert "Thu, 24 Dec 2026" in (answer.plain_text or ""), answer.plain_text
    clock.advance(minutes=31)  # the time, typed too late
    answer = await claire.say("19:30-23:00")
    assert "Please tap a button" in (answer.plain_text or ""), answer.plain_text


async def test_the_type_it_buttons_of_the_team_chat_are_answered_privately(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    team = Person(emu, COORDINATOR, TEAM_CHAT_ID)
    # /plan in the team chat: "⌨️ Another day" asks privately and says so on the button.
    form = await team.say("/plan", expect=lambda m: bool(m.buttons()))
    since = len(emu.bot_messages(COORDINATOR))
    toast = await press(emu, COORDINATOR, form, "⌨️ Another day")
    assert toast == "⌨️ I asked you in our private chat: type it there."
    asked = await emu.wait_for_bot_message(COORDINATOR, since=since)
    assert "Type the day" in (asked.plain_text or "")
    await emu.wait_until(lambda: "private chat" in (form.plain_text or ""))
    assert "Type the day" not in (form.plain_text or "")  # not in the group, where it is not read
    # Pressed again in the group: the same toast, the message left as it is.
    edits = form.edits
    assert await press(emu, COORDINATOR, form, "⌨️ Another day") == toast
    assert form.edits == edits
    answer = await claire.say("24/12")
    assert "Type the start and end" in (answer.plain_text or ""), answer.plain_text
    answer = await claire.say("19:30-23:00")
    assert "Thu, 24 Dec 2026, 19:30–23:00" in (answer.plain_text or ""), answer.plain_text
    assert "Which activity?" in (answer.plain_text or "")
    # /distrib in the team chat: "➕ Other number" the same way; the log goes on privately.
    message = await team.say("/distrib", expect=lambda m: bool(m.buttons()))
    message = await team.press(message, "dit:blankets:0")
    since = len(emu.bot_messages(COORDINATOR))
    assert await press(emu, COORDINATOR, message, "dit:blankets:1") == toast
    asked = await emu.wait_for_bot_message(COORDINATOR, since=since)
    assert "Type it, for example: 35" in (asked.plain_text or "")
    await emu.wait_until(lambda: "private chat" in (message.plain_text or ""))
    places = await claire.say("35")
    assert (places.plain_text or "").startswith("📍 35 × blankets: where?")
    saved = await claire.press(places, "Marck")
    assert (saved.plain_text or "").startswith("✅ Saved: 35 × blankets · Marck")


async def test_a_quick_logs_how_many_offers_other_numbers_and_reads_a_typed_one(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    question = await ana.say("/distrib 2.5 blankets, 40 tea")
    other = question.button("➕ Other number").callback_data or ""
    more = await ana.press(question, other)
    labels = [button.text for button in more.buttons()]
    assert {"1", "3", "500"} <= set(labels)
    assert "➕ Other number" not in labels
    assert "Another number? Type it, for example: 35" in (more.plain_text or "")
    # A double tap: the numbers are already there, the message is not edited again.
    edits = more.edits
    more.keyboard = [[Button(text="➕ Other number", callback_data=other)]]
    await press(emu, VOLUNTEER, more, other)
    assert more.edits == edits
    wrong = await ana.say("abc")
    assert wrong.plain_text == "❌ Type a whole number from 1 to 10000, for example 35."
    saved = await ana.say("٣")  # Arabic-Indic digits
    assert (saved.plain_text or "").startswith("✅ Saved: 3 × blankets, 40 × tea/coffee")
    assert await distributed(clocked) == [("blankets", 3), ("tea", 40)]
    # The quantity typed, the item is asked by buttons: a number typed then is not taken.
    question = await ana.say("/distrib 2.5 blanketz")
    item = await ana.say("4")
    assert "Which item" in (item.plain_text or ""), item.plain_text
    answer = await ana.say("5")
    assert "Please tap a button" in (answer.plain_text or ""), answer.plain_text
    await ana.press(item, "blankets")
    assert await distributed(clocked) == [("blankets", 3), ("tea", 40), ("blankets", 4)]


async def test_a_conversation_ended_after_write_was_pressed_takes_no_message(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    ana = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    person = await writing_to_the_person(emu, clocked, VOLUNTEER)
    await ana.say("J'arrive")
    relayed = await emu.wait_for_bot_message(AHMAD, lambda m: "J'arrive" in (m.plain_text or ""))
    await press_write(emu, VOLUNTEER)
    # The person ends the conversation before the volunteer's next message is typed.
    since = len(emu.bot_messages(VOLUNTEER))
    await press(emu, AHMAD, relayed, "hlpe:1")
    await emu.wait_for_bot_message(VOLUNTEER, since=since)
    to_person = len(emu.bot_messages(AHMAD))
    answer = await ana.say("Tu es où ?")
    await outbox_settled(clocked)
    assert "Please tap a button" in (answer.plain_text or ""), answer.plain_text
    assert len(emu.bot_messages(AHMAD)) == to_person
    assert person.id == AHMAD
