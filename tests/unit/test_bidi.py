"""Right-to-left messages read in the right order: every message and button of every RTL
catalogue, rendered by the real Translator, laid out by the Unicode bidirectional algorithm
(python-bidi), as a phone would lay it out (issue 14)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po
from bidi import get_base_level, get_display

from bot.i18n import (
    FSI,
    LANGUAGES,
    LOCALES_DIR,
    LRI,
    PDI,
    Catalogs,
    Markup,
    Translator,
    strip_bidi,
)

PARIS = ZoneInfo("Europe/Paris")
RTL_LOCALES = sorted(code for code, language in LANGUAGES.items() if language.rtl)
PLACEHOLDER = re.compile(r"\{(\w+)\}")
TAG = re.compile(r"<[^>]+>")
COMMAND = re.compile(r"(?<![\w/<:.@&#;-])/[a-z][a-z0-9_]*")
NIGHT = datetime(2026, 12, 4, 21, 30, tzinfo=PARIS)


@cache
def catalogs() -> Catalogs:
    return Catalogs()


def entries() -> list[tuple[str | None, str, str | None]]:
    """(context, msgid, plural msgid) of every message of the template."""
    with (LOCALES_DIR / "bot.pot").open("rb") as handle:
        template = read_po(handle)
    found = []
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            found.append((message.context, str(message.id[0]), str(message.id[1])))
        else:
            found.append((message.context, str(message.id), None))
    return found


def render(t: Translator, entry: tuple[str | None, str, str | None], value: object) -> str:
    """The message as the bot sends it, every placeholder filled with `value` (n = 12)."""
    context, msgid, plural = entry
    names = set(PLACEHOLDER.findall(msgid + (plural or "")))
    if plural is not None:
        names.discard("n")
    params = dict.fromkeys(names, value)
    if plural is not None:
        if context:
            return t.np_(context, msgid, plural, 12, **params)
        return t.n_(msgid, plural, 12, **params)
    if context:
        return t.p_(context, msgid, **params)
    return t._(msgid, **params)


def seen(line: str) -> str:
    """What the person reads: Telegram drops the tags; the isolates are invisible."""
    return html.unescape(TAG.sub("", line))


def laid_out(text: str, base_dir: str | None = None) -> str:
    """The characters in the order the screen shows them, left to right."""
    shown = get_display(text, base_dir=base_dir) if base_dir else get_display(text)
    return strip_bidi(str(shown))


def lines(text: str) -> Iterator[str]:
    return (seen(line) for line in text.split("\n") if strip_bidi(seen(line)).strip())


# The values a message may carry, each with what it must look like on screen: a name typed in
# Latin letters, one in Arabic letters, a 24-hour time, a duration in the locale's words.
VALUES: dict[str, Callable[[Translator], Markup | str]] = {
    "latin name": lambda t: "Sam Lee",
    "arabic name": lambda t: "أحمد علي",
    "time": lambda t: t.fmt_time(NIGHT),
    "duration": lambda t: t.fmt_duration(timedelta(hours=2, minutes=5)),
}


@pytest.mark.parametrize("locale", RTL_LOCALES)
@pytest.mark.parametrize("kind", sorted(VALUES))
def test_every_line_of_every_message_reads_right_to_left_in_order(locale: str, kind: str) -> None:
    t = catalogs().translator(locale, PARIS)
    value = VALUES[kind](t)
    # What the value looks like on its own, laid out by its own first letter.
    plain = strip_bidi(seen(str(value)))
    alone = laid_out(plain, "R" if get_base_level(plain) == 1 else "L")
    wrong: list[str] = []
    for entry in entries():
        text = render(t, entry, value)
        source = entry[1] + (entry[2] or "")
        for line in lines(text):
            if get_base_level(line) != 1:
                wrong.append(f"left to right: {line!r}")
                continue
            screen = laid_out(line)
            if str(value) in line and alone not in screen:
                wrong.append(f"value {alone!r} out of order in {screen!r}")
        commands = set(COMMAND.findall(source))
        screen_text = " ".join(laid_out(line) for line in lines(text))
        for command in commands:
            # "/menu" must not come out as "menu/" (a reader would type it so).
            if command not in screen_text:
                wrong.append(f"{command} out of order in {screen_text!r}")
    assert not wrong, f"{len(wrong)} line(s) in {locale}:\n" + "\n".join(wrong[:20])


@pytest.mark.parametrize("locale", RTL_LOCALES)
def test_buttons_read_right_to_left(locale: str) -> None:
    t = catalogs().translator(locale, PARIS)
    buttons = [entry for entry in entries() if entry[0] == "button"]
    assert len(buttons) > 50
    for entry in buttons:
        label = render(t, entry, "Marck")
        assert "\n" not in label
        assert get_base_level(label) == 1, label


def test_a_right_to_left_name_is_isolated_in_a_left_to_right_message() -> None:
    en = catalogs().translator("en", PARIS)
    text = en._("✅ {name} joined the team.", name="أحمد")
    assert f"{FSI}أحمد{PDI}" in text
    # A Latin name in an English sentence needs nothing.
    assert en._("✅ {name} joined the team.", name="Sam") == "✅ Sam joined the team."
    # A name with a right-to-left override typed in it reverses nothing past its isolate.
    spoof = en._("✅ {name} joined the team.", name="Sam\u202eevil")
    assert spoof == f"✅ {FSI}Sam\u202eevil{PDI} joined the team."
    assert laid_out(spoof).endswith(" joined the team.")


def test_commands_are_isolated_left_to_right_in_right_to_left_messages() -> None:
    ar = catalogs().translator("ar", PARIS)
    text = ar._("👇 Please tap a button, or send /menu.")
    assert f"{LRI}/menu{PDI}" in text
    # A command with its words stays one left-to-right piece: "/shift start", not "start /shift".
    usage = ar._("ℹ️ You are not on shift. Send /shift start to begin.")
    assert f"{LRI}/shift start{PDI}" in usage
    assert "/shift start" in laid_out(seen(usage.split("\n")[0]))
    # Nothing changes in a left-to-right language.
    french = catalogs().translator("fr", PARIS)
    assert LRI not in french._("👇 Please tap a button, or send /menu.")


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_times_are_on_a_24_hour_clock_in_every_locale(locale: str) -> None:
    t = catalogs().translator(locale, PARIS)
    for moment, clock in (
        (NIGHT, "21:30"),
        (datetime(2026, 12, 5, 2, 5, tzinfo=PARIS), "02:05"),
        # The autumn night: both 02:30s read 02:30; the spring night has no 02:30 at all.
        (datetime(2026, 10, 25, 2, 30, fold=0, tzinfo=PARIS), "02:30"),
        (datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=PARIS), "02:30"),
        (datetime(2026, 3, 29, 3, 0, tzinfo=PARIS), "03:00"),
    ):
        assert strip_bidi(t.fmt_time(moment)) == clock, locale
        shown = strip_bidi(html.unescape(t.fmt_datetime(moment, "short")))
        assert clock in shown, (locale, shown)
        assert not re.search(r"\b(AM|PM|am|pm)\b|ص|م\b|ከሰዓት|ጥዋት|sn|gd|WD|WB", shown), shown


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_durations_use_the_locale_s_own_units(locale: str) -> None:
    t = catalogs().translator(locale, PARIS)
    shown = strip_bidi(html.unescape(t.fmt_duration(timedelta(hours=2, minutes=5))))
    assert "2" in shown
    assert "5" in shown
    letters = [char for char in shown if char.isalpha()]
    assert letters, shown
    language = LANGUAGES[locale]
    if language.rtl or locale in ("ti", "am"):
        # No Latin "h" or "min" in a language written in another script.
        assert not any(char.isascii() for char in letters), (locale, shown)


@pytest.mark.parametrize("locale", RTL_LOCALES)
def test_numbers_show_latin_digits_isolated(locale: str) -> None:
    t = catalogs().translator(locale, PARIS)
    number = t.fmt_number(1234)
    assert number.startswith(FSI)
    assert number.endswith(PDI)
    assert re.fullmatch(r"1\D?234", strip_bidi(number)), number
    assert t.phone("0 800 123 456") == f"{LRI}0 800 123 456{PDI}"


@pytest.mark.parametrize("locale", RTL_LOCALES)
def test_arrows_point_the_reading_way_in_right_to_left_catalogues(locale: str) -> None:
    """Arrows are not mirrored: "{arrival} → {departure}" laid out right to left points from
    the departure back to the arrival. Right-to-left catalogues write "←" (Telegram's own menu
    path "📎 → Location" is English, left to right, and stays as it is)."""
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "bot.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    wrong = []
    for message in catalog:
        forms = message.string if isinstance(message.string, tuple | list) else [message.string]
        for form in forms:
            if " → " in str(form or "").replace("📎 → Location", ""):
                wrong.append(str(form))
    assert not wrong, wrong[:5]
