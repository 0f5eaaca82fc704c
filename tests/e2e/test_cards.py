"""Show this to staff: cards a person shows to a nurse, a receptionist or a driver.

The expected sentences are read from the catalogues, not from the cards module: the card's
French line must be what the French catalogue says for the sentence, whatever it says today.
"""

from __future__ import annotations

import pytest

from bot.handlers import cards
from bot.i18n import RLM
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from tests.helpers.harness import Person, RunningBot

LRM = "\u200e"
PAIN = "I am in pain here: {part}."
DOCTOR = "I need to see a doctor."
INTERPRETER = "I need an interpreter: {language}."


def pain_in(running: RunningBot, locale: str, part: str) -> str:
    t = running.bot.services.translator(locale)
    return t._(PAIN, part=t.p_("body part", part))


def lines(card: ChatMessage) -> list[str]:
    return (card.plain_text or "").split("\n")


async def open_cards(person: Person) -> ChatMessage:
    menu = await person.say("/menu")
    return await person.press(menu, "topic:staff")


async def test_an_arabic_reader_shows_where_it_hurts_in_french_and_english(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    emu.add_user(601, "Omar", language_code="ar")
    person = Person(emu, 601)
    needs = await open_cards(person)
    assert [b.callback_data for b in needs.buttons()][:8] == [f"stn:{key}" for key in cards.NEEDS]
    assert all(len(row) <= 2 for row in needs.keyboard or [])  # two per row on a phone
    parts = await person.press(needs, "stn:pain")
    assert len(parts.buttons()) == 12 + 2  # the body parts, then back and menu
    # The card names the hospital: the town is asked once, then the card comes.
    town = await person.press(parts, "stp:belly")
    assert town.button("ant:calais:staff.pain.belly")
    card = await person.press(town, "ant:calais:staff.pain.belly")
    mine, blank, french, english, *place = lines(card)
    # The hospital of the catalogue (content/calais.toml), for the nurse or the driver.
    assert "1601 boulevard des Justes" in "\n".join(place)
    assert mine == f"{RLM}🩹 {pain_in(running, 'ar', 'belly')}"  # right to left from its start
    assert blank == ""
    assert french == f"{LRM}🇫🇷 {pain_in(running, 'fr', 'belly')}"
    assert english == f"{LRM}🇬🇧 {pain_in(running, 'en', 'belly')}"
    assert english.endswith("I am in pain here: belly.")
    assert "<b>" in (card.text or "")  # the French line is bold for staff
    user = await running.bot.services.users.get(601)
    assert user is not None
    assert user.antenna == "calais"
    # Back leads to the body parts again (a new message: the card stays to be shown).
    again = await person.press(card, "stn:pain")
    assert again is not card
    assert "stp:head" in [b.callback_data for b in again.buttons()]
    assert lines(card)[0] == mine


async def test_a_tigrinya_reader_asks_for_an_interpreter_of_their_language(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    emu.add_user(602, "Tesfay", language_code="ti")
    person = Person(emu, 602)
    needs = await open_cards(person)
    # No address on this card: no town asked.
    card = await person.press(needs, "stn:interpreter")
    mine, blank, french, english = lines(card)
    assert not mine.startswith(RLM)
    assert mine.startswith("🗣️ ")
    assert "ትግርኛ" in mine
    assert blank == ""
    # Staff read the language's name in their own words, and its own name beside it.
    assert french.startswith("🇫🇷 ")
    assert "tigrigna (\u2068ትግርኛ\u2069)" in french
    assert english == "🇬🇧 I need an interpreter: Tigrinya (\u2068ትግርኛ\u2069)."
    user = await running.bot.services.users.get(602)
    assert user is not None
    assert user.antenna is None
    # A doctor's card names the hospital: now the town is asked, and the card follows.
    needs = await person.press(card, "topic:staff")
    town = await person.press(needs, "stn:doctor")
    card = await person.press(town, "ant:grande-synthe:staff.doctor")
    t = running.bot.services.translator("ti")
    assert lines(card)[0] == f"🩺 {t._(DOCTOR)}"
    assert [b.callback_data for b in card.buttons()] == ["topic:staff", "topic:menu"]


async def test_a_french_reader_gets_french_once_then_english(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    emu.add_user(603, "Amine", language_code="fr")
    person = Person(emu, 603)
    needs = await open_cards(person)
    card = await person.press(needs, "stn:lawyer")
    t = running.bot.services.translator("fr")
    english = running.bot.services.translator("en")._("I need a lawyer.")
    assert lines(card) == [f"⚖️ {t._('I need a lawyer.')}", "", f"🇬🇧 {english}"]
    assert (card.text or "").startswith("⚖️ <b>")  # French first, bold for staff
    assert "🇫🇷" not in (card.plain_text or "")


async def test_an_english_reader_gets_no_english_line_twice(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    emu.add_user(604, "Sam", language_code="en")
    person = Person(emu, 604)
    card = await person.press(await open_cards(person), "stn:interpreter")
    french_staff = running.bot.services.translator("fr")
    french = french_staff._(INTERPRETER, language="anglais (\u2068English\u2069)")
    assert lines(card) == ["🗣️ I need an interpreter: English.", "", f"🇫🇷 {french}"]


async def test_the_address_is_shown_escaped_when_the_catalogue_has_one(
    emu: BotApiEmulator, running: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[str, str]] = []

    def hospital(_services: object, antenna: str, need: str) -> tuple[str, str] | None:
        asked.append((antenna, need))
        return ("Hôpital <Calais> & urgences", "1601 boulevard des Justes, 62100 Calais")

    monkeypatch.setattr(cards, "card_address", hospital)
    emu.add_user(605, "Omar", language_code="ar")
    person = Person(emu, 605)
    town = await person.press(await open_cards(person), "stn:bus")
    card = await person.press(town, "ant:calais:staff.bus")
    assert asked == [("calais", "bus")]
    assert lines(card)[-3:] == [
        "",
        f"{LRM}📍 Hôpital <Calais> & urgences",
        f"{LRM}1601 boulevard des Justes, 62100 Calais",
    ]
    # The town is known now: the next card with an address comes at once.
    card = await person.press(await open_cards(person), "stn:doctor")
    assert asked[-1] == ("calais", "doctor")
    assert "📍" in (card.plain_text or "")
    # A card without a place never asks for one.
    card = await person.press(await open_cards(person), "stn:minor")
    assert asked[-1] == ("calais", "doctor")
    assert "📍" not in (card.plain_text or "")


@pytest.mark.parametrize("data", ["stn:nope", "stn:", "stp:gold", "stp:", "stn:pain:x"])
async def test_an_unknown_need_or_body_part_is_a_stale_button_and_nothing_else(
    emu: BotApiEmulator, running: RunningBot, data: str
) -> None:
    emu.add_user(606, "Yonas", language_code="am")
    person = Person(emu, 606)
    needs = await open_cards(person)
    needs.keyboard = [[type(needs.buttons()[0])(text="forged", callback_data=data)]]
    sent = len(emu.bot_messages(606))
    answers = len(emu.callback_answers)
    await emu.press(606, needs, data)
    await emu.wait_until(lambda: len(emu.callback_answers) > answers)
    answer = list(emu.callback_answers.values())[answers]
    stale = running.bot.services.translator("am")._("This button is no longer valid. Send /menu.")
    assert answer.get("text") == stale
    await person.say("/help")
    assert len(emu.bot_messages(606)) == sent + 1  # /help's answer, nothing else


def test_card_topics_round_trip_and_refuse_the_unknown() -> None:
    for key in cards.NEEDS:
        parts = list(cards.BODY_PARTS) if key == "pain" else [None]
        for part in parts:
            topic = cards.card_topic(key, part)
            assert cards.parse_card_topic(topic) == (key, part)
            assert len(f"ant:grande-synthe:{topic}".encode()) <= 64
    for topic in ("staff", "staff.", "staff.pain", "staff.pain.gold", "staff.doctor.head", "x"):
        assert not cards.is_card_topic(topic), topic
