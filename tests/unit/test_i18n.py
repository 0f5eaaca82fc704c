from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import i18n
from bot.i18n import (
    FSI,
    LANGUAGES,
    LRI,
    PDI,
    Catalogs,
    Markup,
    escape,
    load_po,
    negotiate,
    resolve_language_code,
    strip_bidi,
)

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ar", "ar"),
        ("fa-AF", "fa"),
        ("prs", "fa"),
        ("ckb", "ckb"),
        # Phones set to Kurdish say "ku": mostly Kurmanji, in Latin script; Sorani says "ckb".
        ("ku", "kmr"),
        ("kmr", "kmr"),
        ("ku-TR", "kmr"),
        ("sdh", "ckb"),
        ("om-ET", "om"),
        ("ur-PK", "ur"),
        ("pt-BR", None),
        (None, None),
        ("EN_gb", "en"),
    ],
)
def test_telegram_language_codes_map_onto_shipped_locales(
    code: str | None, expected: str | None
) -> None:
    assert resolve_language_code(code) == expected


def test_negotiation_prefers_the_stored_choice_then_telegram_then_default() -> None:
    assert negotiate("ti", "ar", "fr") == "ti"
    assert negotiate(None, "ar", "fr") == "ar"
    assert negotiate(None, "de", "fr") == "fr"
    assert negotiate("xx", None, "en") == "en"


def test_every_language_names_itself_in_its_own_script() -> None:
    assert LANGUAGES["ar"].native_name == "العربية"
    assert LANGUAGES["ti"].native_name == "ትግርኛ"
    rtl = {code for code, lang in LANGUAGES.items() if lang.rtl}
    assert rtl == {"ar", "ps", "fa", "ckb", "ur"}
    # The picker tells the two Kurdish languages apart, each in its own script.
    assert LANGUAGES["ckb"].native_name == "کوردی (سۆرانی)"
    assert LANGUAGES["kmr"].native_name == "Kurdî (Kurmancî)"
    assert LANGUAGES["ur"].native_name == "اردو"
    # Telegram menus take two-letter codes only: Sorani has none; "ku" is Kurmanji's.
    assert LANGUAGES["ckb"].telegram_code is None
    assert LANGUAGES["kmr"].telegram_code == "ku"
    assert all(
        lang.telegram_code is None or len(lang.telegram_code) == 2 for lang in LANGUAGES.values()
    )


def write_po(path: Path, text: str, *, fuzzy: bool = False) -> Path:
    """A catalogue translating "Hello" as `text`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        + ("#, fuzzy\n" if fuzzy else "")
        + f'msgid "Hello"\nmsgstr "{text}"\n',
        encoding="utf-8",
    )
    return path


def test_fuzzy_entries_are_loaded_not_dropped(tmp_path: Path) -> None:
    po = write_po(tmp_path / "ti" / "LC_MESSAGES" / "bot.po", "ሰላም", fuzzy=True)
    assert load_po(po).ugettext("Hello") == "ሰላም"


def compiled(po: Path) -> list[Path]:
    return sorted(po.parent.glob("bot-*.mo"))


def test_a_catalogue_is_compiled_once_then_read_compiled_until_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    po = write_po(tmp_path / "fr" / "LC_MESSAGES" / "bot.po", "Salut")
    assert load_po(po).ugettext("Hello") == "Salut"
    assert len(compiled(po)) == 1

    def no_compiling(source: bytes, locale: str) -> bytes:
        raise AssertionError("compiled again")

    with monkeypatch.context() as patch:
        patch.setattr(i18n, "compile_po", no_compiling)
        assert load_po(po).ugettext("Hello") == "Salut"

    # Edited (or pulled, or reverted): compiled again, the stale compiled file removed.
    write_po(po, "Bonjour")
    assert load_po(po).ugettext("Hello") == "Bonjour"
    assert len(compiled(po)) == 1
    assert not list(po.parent.glob("*.part"))


def test_a_damaged_compiled_catalogue_is_compiled_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    po = write_po(tmp_path / "fr" / "LC_MESSAGES" / "bot.po", "Salut")
    load_po(po)
    [mo] = compiled(po)
    mo.write_bytes(b"\x00" * 7)
    assert load_po(po).ugettext("Hello") == "Salut"
    assert "unreadable" in caplog.text
    assert load_po(po).ugettext("Hello") == "Salut"  # and kept whole again
    assert len(mo.read_bytes()) > 7


def test_a_directory_the_bot_may_not_write_to_costs_only_the_compilation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    po = write_po(tmp_path / "fr" / "LC_MESSAGES" / "bot.po", "Salut")

    def refused(self: Path, data: bytes) -> int:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_bytes", refused)
    assert load_po(po).ugettext("Hello") == "Salut"
    assert compiled(po) == []
    assert [path.name for path in po.parent.iterdir()] == ["bot.po"]


def test_catalogues_are_read_once_and_share_their_msgids() -> None:
    first, second = Catalogs(), Catalogs()
    assert first.translations("fr") is second.translations("fr")
    # The thirteen catalogues hold one copy of each English msgid.
    fr = {key: key for key in first.translations("fr")._catalog}
    ar = {key: key for key in first.translations("ar")._catalog}
    shared = [key for key in fr if key in ar]
    assert shared
    assert all(fr[key] is ar[key] for key in shared)


def test_plurals_follow_each_locale() -> None:
    catalogs = Catalogs()
    singular, plural = (
        "{n} similar error was not reported.",
        "{n} similar errors were not reported.",
    )
    fr = catalogs.translator("fr", PARIS)
    # French takes the singular for 0 and 1 (and a form of its own for millions).
    assert fr.n_(singular, plural, 0) == "0 erreur semblable n’a pas été signalée."
    assert fr.n_(singular, plural, 1) == "1 erreur semblable n’a pas été signalée."
    assert fr.n_(singular, plural, 5) == "5 erreurs semblables n’ont pas été signalées."
    # Arabic has six forms; the catalogue must fill each, and n picks the right one.
    ar = catalogs.translator("ar", PARIS)
    forms = {n: ar.n_(singular, plural, n) for n in (0, 1, 2, 3, 11, 100)}
    assert len(set(forms.values())) == 6
    # Zero, one and two say the number in words ("خطأين"); the others show it.
    assert all(str(n) in text for n, text in forms.items() if n > 2)


def test_placeholders_are_escaped_for_html_unless_markup() -> None:
    assert escape("<b>&") == "&lt;b&gt;&amp;"
    assert escape(Markup("<b>x</b>")) == "<b>x</b>"
    t = Catalogs().translator("en", PARIS)
    text = t._("✅ {name} joined the team.", name="<script>")
    assert "<script>" not in text
    assert "&lt;script&gt;" in text


def test_numbers_and_times_are_isolated_in_right_to_left_text() -> None:
    catalogs = Catalogs()
    ar = catalogs.translator("ar", PARIS)
    en = catalogs.translator("en", PARIS)
    assert ar.phone("112") == f"{LRI}112{PDI}"
    assert en.fmt_number(3) == "3"
    # A localized value is isolated by its own first letter (FSI), a phone number left to right.
    assert ar.fmt_number(3) == f"{FSI}3{PDI}"
    moment = datetime(2026, 12, 1, 21, 30, tzinfo=UTC)
    assert "22:30" in catalogs.translator("fr", PARIS).fmt_time(moment)


def test_times_follow_the_daylight_saving_change() -> None:
    fr = Catalogs().translator("fr", PARIS)
    before = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    after = before + timedelta(hours=2)  # 03:30 CET: the clocks went back at 03:00
    assert "02:30" in fr.fmt_time(before)
    assert "03:30" in fr.fmt_time(after)


def test_durations_use_short_local_units() -> None:
    fr = Catalogs().translator("fr", PARIS)
    # CLDR separates number and unit with (narrow) no-break spaces, so they never wrap apart.
    assert fr.fmt_duration(timedelta(hours=2, minutes=5)) == "2\u202fh 5\xa0min"
    assert fr.fmt_duration(timedelta(minutes=40)) == "40\xa0min"


def test_every_line_of_a_right_to_left_message_starts_right_to_left() -> None:
    catalogs = Catalogs()
    arabic = catalogs.translator("ar", PARIS)
    # Lines that begin with an emoji or a number would otherwise be laid out left to right.
    text = arabic._("ℹ️ I have no information on this here now. Ask the team: tap 🙋 I need help.")
    assert text.startswith("\u200f")
    several = arabic._(
        "🙋 Someone from the team will write to you here, or come.\n"
        "📱 Keep your phone on. In an emergency, call {number}.",
        number=arabic.phone("112"),
    )
    assert all(line.startswith("\u200f") for line in several.split("\n") if line)
    assert arabic.p_("button", "🙋 I need help").startswith("\u200f")
    assert not arabic.right_to_left(arabic.right_to_left("x")).startswith("\u200f\u200f")
    english = catalogs.translator("en", PARIS)
    assert "\u200f" not in english._("👇 Please tap a button, or send /menu.")


def test_the_language_chosen_line_has_the_same_shape_in_every_locale() -> None:
    catalogs = Catalogs()
    for code, language in LANGUAGES.items():
        t = catalogs.translator(code, PARIS)
        line = strip_bidi(t._("✅ {language}", language=language.native_name))
        # Only the tick and the language's own name: no "Language:" label in some locales only.
        assert line == f"✅ {language.native_name}", code
