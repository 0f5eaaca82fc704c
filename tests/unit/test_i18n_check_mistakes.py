"""`maraude i18n check` on tiny catalogues: one kind of mistake each, which must fail with a
message that names it; and the correct catalogue beside it, which must pass (issue 14, 7-8)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural

from bot.config import SHIPPED_LOCALES
from bot.i18n.check import (
    SCRIPTS,
    LocaleReport,
    Settings,
    check_all,
    check_file,
    load_settings,
    render,
    shorten,
)


@dataclass
class Entry:
    msgid: str
    msgstr: str | list[str]
    plural: str | None = None
    context: str | None = None
    fuzzy: bool = False


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def write_po(
    path: Path, locale: str, entries: list[Entry], plural_forms: str | None = None
) -> Path:
    rule = plural_forms or get_plural(locale).plural_forms
    lines = [
        'msgid ""',
        'msgstr ""',
        _quote(f"Language: {locale}\n"),
        _quote(f"Plural-Forms: {rule}\n"),
        _quote("Content-Type: text/plain; charset=utf-8\n"),
        "",
    ]
    for entry in entries:
        if entry.fuzzy:
            lines.append("#, fuzzy")
        if entry.context:
            lines.append(f"msgctxt {_quote(entry.context)}")
        lines.append(f"msgid {_quote(entry.msgid)}")
        if entry.plural is None:
            assert isinstance(entry.msgstr, str)
            lines.append(f"msgstr {_quote(entry.msgstr)}")
        else:
            lines.append(f"msgid_plural {_quote(entry.plural)}")
            lines += [f"msgstr[{k}] {_quote(form)}" for k, form in enumerate(entry.msgstr)]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def check(
    tmp_path: Path,
    locale: str,
    *entries: Entry,
    plural_forms: str | None = None,
    settings: Settings | None = None,
) -> LocaleReport:
    path = write_po(tmp_path / f"{locale}.po", locale, list(entries), plural_forms)
    wanted = {(entry.msgid, entry.context) for entry in entries}
    return check_file(locale, path, wanted, settings)


def only_problem(report: LocaleReport) -> str:
    assert not report.ok
    assert not report.missing
    assert len(report.broken) == 1, report.broken
    return report.broken[0]


# Commands ---------------------------------------------------------------------------

SHIFT = "ℹ️ You are not on shift. Send /shift start to begin."


def test_a_translated_command_fails(tmp_path: Path) -> None:
    report = check(tmp_path, "ar", Entry(SHIFT, "ℹ️ أنت لست في مناوبة. أرسل /نوبة بدء للبدء."))
    problem = only_problem(report)
    assert "/shift start" in problem
    assert "not kept" in problem
    both = check(tmp_path, "ar", Entry(SHIFT, "ℹ️ أنت لست في مناوبة. أرسل /shift start أو /نوبة."))
    assert "translated command '/نوبة'" in only_problem(both)


def test_a_translated_sub_command_fails_but_the_words_after_a_command_are_translated(
    tmp_path: Path,
) -> None:
    report = check(
        tmp_path,
        "fr",
        Entry(SHIFT, "ℹ️ Vous n’êtes pas en maraude. Envoyez /shift début pour commencer."),
        Entry(
            "Send /help to see what you can do.",
            "Envoyez /help pour voir ce que vous pouvez faire.",
        ),
    )
    assert "command /shift start not kept" in only_problem(report)


def test_the_kept_command_passes_and_tags_and_links_are_no_commands(tmp_path: Path) -> None:
    report = check(
        tmp_path,
        "ar",
        Entry(SHIFT, "ℹ️ أنت لست في مناوبة. أرسل /shift start للبدء."),
        Entry(
            "<b>Menu</b>: https://t.me/maraude_bot?start=fr",
            "<b>القائمة</b>: https://t.me/maraude_bot?start=fr",
        ),
        Entry("Dates: 24/12 or 2026-12-24", "التواريخ: 24/12 أو 2026-12-24"),
    )
    assert report.ok, report.broken


# Format -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "msgstr",
    ["Bonjour {name}}", "Bonjour { {name}", "Bonjour {name:q}"],
    ids=["stray }", "stray {", "bad format spec"],
)
def test_a_msgstr_that_does_not_format_fails(tmp_path: Path, msgstr: str) -> None:
    report = check(tmp_path, "fr", Entry("Hello {name}", msgstr))
    assert "does not format" in only_problem(report)


def test_a_placeholder_the_code_does_not_give_fails(tmp_path: Path) -> None:
    report = check(tmp_path, "fr", Entry("Hello {name}", "Bonjour {nom}"))
    problem = only_problem(report)
    assert "lost {name}" in problem
    assert "unknown {nom}" in problem


# Script and language -------------------------------------------------------------------


def test_an_english_msgstr_copied_into_the_arabic_file_fails(tmp_path: Path) -> None:
    report = check(tmp_path, "ar", Entry(SHIFT, SHIFT))
    assert "not written in Arabic script" in only_problem(report)


def test_a_half_english_msgstr_fails(tmp_path: Path) -> None:
    report = check(
        tmp_path,
        "ar",
        Entry("🌙 Are you OK?", "🌙 هل أنت بخير؟ Please answer the team quickly"),
    )
    assert "mostly not in Arabic script" in only_problem(report)


def test_an_arabic_msgstr_in_a_latin_locale_fails(tmp_path: Path) -> None:
    for locale in ("fr", "vi", "kmr", "om"):
        report = check(tmp_path, locale, Entry("Main menu", "القائمة الرئيسية"))
        assert "not written in Latin script" in only_problem(report)


def test_latin_text_in_an_ethiopic_file_fails(tmp_path: Path) -> None:
    report = check(tmp_path, "ti", Entry("Main menu", "Main menu"))
    assert "not written in Ethiopic script" in only_problem(report)


def test_persian_text_in_the_pashto_file_fails(tmp_path: Path) -> None:
    report = check(
        tmp_path,
        "ps",
        Entry("ℹ️ You are already on shift.", "ℹ️ شما از قبل در نوبت هستید."),
        Entry("❌ You cannot change your own role.", "❌ شما نمی‌توانید نقش خود را تغییر دهید."),
    )
    assert not report.ok
    assert len(report.broken) == 2
    assert all("reads like fa" in problem for problem in report.broken), report.broken


def test_pashto_without_its_own_letters_is_still_pashto(tmp_path: Path) -> None:
    report = check(
        tmp_path,
        "ps",
        Entry("ℹ️ You are already on shift.", "ℹ️ ستاسو نوبت دمخه پیل شوی دی."),
        Entry("Police violence", "د پولیسو تاوتریخوالی"),
    )
    assert report.ok, report.broken


@pytest.mark.parametrize(
    ("locale", "msgstr", "letters"),
    [
        ("fa", "🟢 نوبت من يك", "ك ي"),  # Arabic yeh and kaf in Persian
        ("ar", "🟢 مناوبتي گ", "گ"),  # a Persian letter in Arabic
        ("ckb", "🟢 نۆبەکەم ي", "ي"),  # Arabic yeh in Sorani
        ("fa", "🟢 نوبت ښه", "ښ"),  # a Pashto letter in Persian
        ("ar", "🟢 مناوبتي ے", "ے"),  # an Urdu letter in Arabic
    ],
)
def test_a_letter_the_language_does_not_use_fails(
    tmp_path: Path, locale: str, msgstr: str, letters: str
) -> None:
    report = check(tmp_path, locale, Entry("🟢 My shift", msgstr, context="button"))
    problem = only_problem(report)
    assert f"letters this language does not use: {letters}" in problem
    assert problem.startswith("'🟢 My shift' (button):")


def test_arabic_text_in_the_sorani_file_fails(tmp_path: Path) -> None:
    report = check(tmp_path, "ckb", Entry("🟢 My shift", "🟢 مناوبتي", context="button"))
    assert "letters this language does not use: ي" in only_problem(report)


def test_urdu_a_locale_added_later_is_judged_by_its_table(tmp_path: Path) -> None:
    good = check(
        tmp_path,
        "ur",
        Entry(SHIFT, "ℹ️ آپ ابھی شفٹ پر نہیں ہیں۔ شروع کرنے کے لیے /shift start بھیجیں۔"),
        Entry("OK", "OK", context="button"),
    )
    assert good.ok, good.broken
    persian = check(
        tmp_path,
        "ur",
        Entry(SHIFT, "ℹ️ شما در نوبت نیستید. برای شروع /shift start را بفرستید."),
    )
    assert "reads like" in only_problem(persian)


def test_kurmanji_and_oromo_pass_in_latin_script(tmp_path: Path) -> None:
    kurmanji = check(
        tmp_path,
        "kmr",
        Entry(SHIFT, "ℹ️ Tu ne di nobetê de yî. Ji bo destpêkê /shift start bişîne."),
    )
    oromo = check(
        tmp_path, "om", Entry(SHIFT, "ℹ️ Ati hojii irra hin jirtu. Jalqabuuf /shift start ergi.")
    )
    assert kurmanji.ok, kurmanji.broken
    assert oromo.ok, oromo.broken


def test_short_strings_names_and_emoji_are_not_judged(tmp_path: Path) -> None:
    report = check(
        tmp_path,
        "ar",
        Entry("OK", "OK", context="button"),
        Entry("PDF", "PDF"),
        Entry("🆘", "🆘"),
        Entry("📎 CSV", "📎 CSV"),
        Entry("Open it in Telegram.", "افتحه في Telegram."),
        Entry(
            "Usage: /promote NAME coordinator|legal",
            "طريقة الاستخدام: /promote الاسم coordinator|legal",
        ),
    )
    assert report.ok, report.broken


# Plurals --------------------------------------------------------------------------------

HOURS = ("{n} hour", "{n} hours")
ARABIC_HOURS = ["لا ساعات", "ساعة واحدة", "ساعتان", "{n} ساعات", "{n} ساعة", "{n} ساعة"]


def test_a_correct_arabic_plural_that_says_one_and_two_in_words_passes(tmp_path: Path) -> None:
    report = check(tmp_path, "ar", Entry(HOURS[0], ARABIC_HOURS, plural=HOURS[1]))
    assert report.ok, report.broken


def test_dropping_n_in_a_form_that_covers_many_numbers_fails(tmp_path: Path) -> None:
    forms = [*ARABIC_HOURS[:3], "ساعات", *ARABIC_HOURS[4:]]
    report = check(tmp_path, "ar", Entry(HOURS[0], forms, plural=HOURS[1]))
    assert "form 3: placeholders differ (lost {n})" in only_problem(report)
    french = check(
        tmp_path,
        "fr",
        Entry(HOURS[0], ["une heure", "{n} d’heures", "{n} heures"], plural=HOURS[1]),
    )
    assert "form 0: placeholders differ (lost {n})" in only_problem(french)  # 0 and 1


def test_plural_forms_are_compared_with_the_plural_msgid(tmp_path: Path) -> None:
    entry = ("One new request", "{n} new requests at {place}")
    good = check(
        tmp_path,
        "fr",
        Entry(
            entry[0],
            [
                "{n} nouvelle demande",
                "{n} de nouvelles demandes à {place}",
                "{n} nouvelles demandes à {place}",
            ],
            plural=entry[1],
        ),
    )
    assert good.ok, good.broken
    bad = check(
        tmp_path,
        "fr",
        Entry(
            entry[0],
            ["{n} nouvelle demande", "{n} de demandes", "{n} nouvelles demandes"],
            plural=entry[1],
        ),
    )
    assert not bad.ok
    assert bad.broken == [
        "'One new request': form 1: placeholders differ (lost {place})",
        "'One new request': form 2: placeholders differ (lost {place})",
    ]


def test_extra_plural_forms_fail(tmp_path: Path) -> None:
    report = check(
        tmp_path,
        "ps",
        Entry(HOURS[0], ["{n} ساعت", "{n} ساعتونه", "{n} ساعتونه"], plural=HOURS[1]),
    )
    assert "'{n} hour': 3 plural forms, ps has 2" in only_problem(report)


def test_missing_plural_forms_fail(tmp_path: Path) -> None:
    report = check(tmp_path, "ar", Entry(HOURS[0], ARABIC_HOURS[:2], plural=HOURS[1]))
    assert report.missing == ["{n} hour"]
    assert not report.ok


def test_a_plural_forms_header_with_another_rule_fails(tmp_path: Path) -> None:
    report = check(
        tmp_path,
        "ps",
        Entry(HOURS[0], ["{n} ساعت", "{n} ساعتونه"], plural=HOURS[1]),
        plural_forms="nplurals=2; plural=(n > 1);",
    )
    problem = only_problem(report)
    assert "Plural-Forms rule gives form 0 for n=0" in problem
    assert "nplurals=2; plural=(n != 1);" in problem


def test_a_plural_forms_header_with_another_number_of_forms_fails(tmp_path: Path) -> None:
    report = check(
        tmp_path,
        "ar",
        Entry(HOURS[0], ARABIC_HOURS, plural=HOURS[1]),
        plural_forms="nplurals=2; plural=(n != 1);",
    )
    assert not report.ok
    assert report.broken == [
        "Plural-Forms header says nplurals=2, Babel's rule for ar has 6: "
        + get_plural("ar").plural_forms
    ]


# Unreviewed entries ---------------------------------------------------------------------


def test_unreviewed_entries_fail_only_a_reviewed_locale(tmp_path: Path) -> None:
    settings = Settings(reviewed=("fr",), max_unreviewed=0.0)
    fuzzy = Entry("Main menu", "Menu principal", fuzzy=True)
    french = check(tmp_path, "fr", fuzzy, Entry("Help", "Aide"), settings=settings)
    assert not french.ok
    assert (french.fuzzy, french.unreviewed_share) == (1, 0.5)
    assert "fr: 50.0% of entries unreviewed (fuzzy), more than the 0.0% allowed" in render(
        [french], []
    )
    vietnamese = check(
        tmp_path, "vi", Entry("Main menu", "Menu chính", fuzzy=True), settings=settings
    )
    assert vietnamese.ok
    assert render([vietnamese], []).splitlines()[1].split() == [
        "vi",
        "1",
        "1",
        "(100%)",
        "0",
        "0",
        "100.0%",
    ]
    lenient = Settings(reviewed=("fr",), max_unreviewed=0.5)
    assert check(tmp_path, "fr", fuzzy, Entry("Help", "Aide"), settings=lenient).ok


def test_the_threshold_is_read_from_pyproject(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.maraude.i18n]\nreviewed = ["fr", "en"]\nmax-unreviewed = 0.1\n')
    assert load_settings(pyproject) == Settings(reviewed=("fr", "en"), max_unreviewed=0.1)
    assert load_settings(tmp_path / "absent.toml") == Settings()
    shipped = load_settings()
    assert set(shipped.reviewed) >= {"fr", "en"}


# The output and the shipped catalogues ----------------------------------------------------


def test_each_problem_is_one_line_locale_first_with_the_msgid_shortened(tmp_path: Path) -> None:
    long_msgid = "Usage: /shift start [activity] [HH:MM], /shift end, /shift status " + "x" * 80
    report = check(tmp_path, "ar", Entry(long_msgid, "طريقة الاستخدام: /نوبة", context="help"))
    lines = render([report], []).splitlines()
    problems = [line for line in lines[1:] if not line.startswith("ar ")]
    assert len(problems) == 1
    line = problems[0]
    assert line.startswith("ar: 'Usage: /shift start [activity]")
    assert "…' (help): command /shift end, /shift start, /shift status not kept" in line
    assert len(line) < 200


def test_the_shipped_catalogues_pass() -> None:
    reports, problems = check_all()
    assert not problems
    assert all(report.ok for report in reports), render(reports, problems)


def test_every_shipped_locale_has_a_script() -> None:
    assert set(SHIPPED_LOCALES) <= set(SCRIPTS)
    assert {"kmr", "om", "ur"} <= set(SCRIPTS)


def test_the_locales_added_later_are_checked_end_to_end(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "handlers.py").write_text(
        f"def show(t):\n    return t._({SHIFT!r}), t.n_('{{n}} hour', '{{n}} hours', 2)\n",
        encoding="utf-8",
    )
    locales = tmp_path / "locales"
    locales.mkdir()
    write_po(locales.joinpath("bot.pot"), "en", [Entry(SHIFT, "")], "nplurals=2; plural=(n != 1);")
    hours = ("{n} hour", "{n} hours")
    catalogues = {
        "kmr": ["ℹ️ Tu ne di nobetê de yî. Ji bo destpêkê fermana destpêkirinê bişîne."],
        "om": ["ℹ️ Ati hojii irra hin jirtu. Jalqabuuf /shift start ergi."],
        "ur": ["ℹ️ آپ ابھی شفٹ پر نہیں ہیں۔ شروع کرنے کے لیے /شفٹ شروع بھیجیں۔"],
    }
    plurals = {
        "kmr": ["{n} saet", "{n} saet"],
        "om": ["sa’aatii {n}", "sa’aatii {n}"],
        "ur": ["{n} گھنٹہ", "{n} گھنٹے"],
    }
    for locale, (text,) in catalogues.items():
        folder = locales / locale / "LC_MESSAGES"
        folder.mkdir(parents=True)
        write_po(
            folder / "bot.po",
            locale,
            [Entry(SHIFT, text), Entry(hours[0], plurals[locale], plural=hours[1])],
        )
    reports, problems = check_all(locales, source, ("kmr", "om", "ur"), Settings())
    assert problems == ["1 message(s) missing from bot.pot: run make i18n"]  # {n} hour
    by_locale = {report.locale: report for report in reports}
    assert by_locale["om"].ok, by_locale["om"].broken
    # The kmr text lost its command and the ur one translated it.
    assert by_locale["kmr"].broken == [
        f"{shorten(SHIFT)}: command /shift start not kept as it is (never translate it)"
    ]
    assert by_locale["ur"].broken == [
        f"{shorten(SHIFT)}: command /shift start not kept as it is (never translate it)"
    ]
    output = render(reports, problems)
    assert "kmr: 'ℹ️ You are not on shift." in output
    assert output.splitlines()[-1] == "1 message(s) missing from bot.pot: run make i18n"


# Issue 14 review: what Telegram refuses or what reverses the message ------------------------


@pytest.mark.parametrize(
    "msgstr",
    ["</b>{name}<b> انضم إلى الفريق.", "<b>{name} انضم <i>إلى</b> الفريق</i>."],
    ids=["closed before opened", "crossed"],
)
def test_tags_in_another_order_fail(tmp_path: Path, msgstr: str) -> None:
    """The same tags, but Telegram refuses the message ("can't parse entities"): lost."""
    msgid = "<b>{name}</b> joined <i>the</i> team." if "<i>" in msgstr else "<b>{name}</b> joined."
    report = check(tmp_path, "ar", Entry(msgid, msgstr))
    assert "tags" in only_problem(report)


def test_a_direction_override_in_a_msgstr_fails(tmp_path: Path) -> None:
    """The code starts every right-to-left line and isolates values itself; an override typed
    in a translation reverses the rest of the line ("\u202e" is RLO)."""
    report = check(
        tmp_path, "ar", Entry(SHIFT, "\u202eℹ️ أنت لست في مناوبة. أرسل /shift start للبدء.")
    )
    assert "direction" in only_problem(report)
    marked = check(
        tmp_path, "ar", Entry(SHIFT, "\u200fℹ️ أنت لست في مناوبة. أرسل /shift start للبدء.")
    )
    assert marked.ok, marked.broken  # a mark (RLM) is harmless
