"""A public user's first contact, in their own language, through the emulator."""

from __future__ import annotations

from bot.i18n import strip_bidi
from bot.sandbox.emulator import BotApiEmulator
from tests.helpers.harness import Person, RunningBot

LANGUAGE_NAMES = [
    "العربية",
    "پښتو",
    "دری / فارسی",
    "ትግርኛ",
    "አማርኛ",
    "کوردی (سۆرانی)",
    "Tiếng Việt",
    "Soomaali",
    "Kurdî (Kurmancî)",
    "Afaan Oromoo",
    "اردو",
    "English",
    "Français",
]


async def test_start_offers_every_language_in_its_own_script(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    emu.add_user(101, "Ahmad", language_code="ps")
    person = Person(emu, 101)
    picker = await person.say("/start")
    labels = [strip_bidi(button.text) for button in picker.buttons()]
    assert len(labels) == len(LANGUAGE_NAMES) == 13
    for name in LANGUAGE_NAMES:
        assert any(label.endswith(name) for label in labels), name
    # Telegram said Pashto: it is ticked, and the greeting is already in Pashto.
    assert "✅ پښتو" in labels
    menu = await person.press(picker, "العربية")
    assert menu.keyboard is not None
    assert "العربية" in (menu.text or "")
    user = await running.bot.services.users.get(101)
    assert user is not None
    assert user.locale == "ar"
    # The menu is now in Arabic: no Latin letters on its buttons.
    assert all(not any("a" <= ch <= "z" for ch in b.text.lower()) for b in menu.buttons())


async def test_a_flyer_deep_link_opens_in_that_language(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    emu.add_user(102, "Tesfay", language_code="en")
    menu = await Person(emu, 102).say("/start lang-ti")
    assert len(menu.buttons()) == 11  # ten topics and the language button
    user = await running.bot.services.users.get(102)
    assert user is not None
    assert user.locale == "ti"


async def test_emergency_numbers_stay_dialable_in_arabic(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    emu.add_user(103, "Omar", language_code="ar")
    person = Person(emu, 103)
    menu = await person.say("/menu")
    numbers = await person.press(menu, "topic:emergency")
    text = numbers.text or ""
    for number in ("15", "17", "18", "112", "115", "119", "196"):
        assert f"\u2066{number}\u2069" in text  # Latin digits, isolated inside RTL text
    assert not text.lstrip().startswith(("1", "\u2066"))  # no leading Latin token


async def test_lang_changes_the_language(emu: BotApiEmulator, running: RunningBot) -> None:
    emu.add_user(104, "Linh", language_code="vi")
    person = Person(emu, 104)
    picker = await person.say("/lang")
    assert "✅ Tiếng Việt" in [b.text for b in picker.buttons()]
    await person.press(picker, "Soomaali")
    user = await running.bot.services.users.get(104)
    assert user is not None
    assert user.locale == "so"


async def test_help_forget_and_unexpected_input(emu: BotApiEmulator, running: RunningBot) -> None:
    emu.add_user(105, "Sara", language_code="en")
    person = Person(emu, 105)
    help_text = await person.say("/help")
    assert "/menu" in (help_text.text or "")
    assert "/invite" not in (help_text.text or "")  # public users see public commands only
    unknown = await person.say("/frobnicate")
    assert "/help" in (unknown.text or "")
    typed = await person.say("where is the hospital?")
    assert typed.keyboard is not None
    since = len(emu.bot_messages(105))
    await emu.send_sticker(105)
    sticker_answer = await emu.wait_for_bot_message(105, since=since)
    assert sticker_answer.keyboard is not None
    confirm = await person.say("/forget")
    await person.press(confirm, "forget:0")
    assert await running.bot.services.users.get(105) is not None
    confirm = await person.say("/forget")
    await person.press(confirm, "forget:1")
    assert await running.bot.services.users.get(105) is None


async def test_a_forged_button_changes_nothing(emu: BotApiEmulator, running: RunningBot) -> None:
    emu.add_user(106, "Yonas", language_code="am")
    person = Person(emu, 106)
    picker = await person.say("/start")
    # Buttons carry what the client sends: the bot must re-check it.
    forged = picker.buttons()[0]
    picker.keyboard = [[type(forged)(text="x", callback_data="lang:xx")]]
    await emu.press(106, picker, "lang:xx")
    await emu.wait_until(lambda: not emu.unanswered_callbacks())
    user = await running.bot.services.users.get(106)
    assert user is not None
    assert user.locale is None


async def test_public_menus_are_set_per_language(emu: BotApiEmulator, running: RunningBot) -> None:
    await emu.wait_until(lambda: ("default", "ar") in emu.commands)
    assert ("default", "") in emu.commands
    assert ("default", "ckb") not in emu.commands  # not a two-letter code
    names = [c["command"] for c in emu.commands[("default", "ar")]]
    assert names[:2] == ["menu", "lang"]
    assert "invite" not in names


async def test_an_unknown_start_payload_still_gets_a_welcome(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    emu.add_user(107, "Qr", language_code="ar")
    picker = await Person(emu, 107).say("/start qr-calais")
    assert len(picker.buttons()) == 13  # the language picker, not an invitation error


async def test_help_in_arabic_reads_right_to_left(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    emu.add_user(108, "Rtl", language_code="ar")
    text = (await Person(emu, 108).say("/help")).text or ""
    command_lines = [line for line in text.splitlines() if "/" in line]
    assert command_lines
    assert all(line.startswith("\u200f") for line in command_lines)


async def test_a_text_cut_in_the_middle_of_a_character_stops_nobody(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    """A trainer pastes text cut inside an emoji (a lone surrogate): the emulator repairs it at
    the edge, as a Telegram client could only send valid UTF-8, and polling goes on."""
    emu.add_user(131, "Paste", language_code="en")
    emu.add_user(132, "Next", language_code="en")
    answer = await Person(emu, 131).say("hello \ud83d")
    assert answer.buttons()  # "please tap a button", with the menu button
    menu = await Person(emu, 132).say("/menu")
    assert len(menu.buttons()) >= 10  # everyone else is still answered
