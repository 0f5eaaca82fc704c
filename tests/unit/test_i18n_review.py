"""`maraude i18n review` / `import`: a locale reviewed in a spreadsheet and merged back, on a
copy of the locales directory (never the repository's own)."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message

from bot.config import SHIPPED_LOCALES
from bot.i18n import LOCALES_DIR
from bot.i18n.check import commands
from bot.i18n.review import (
    AREAS,
    CORRECTED,
    REVIEWED,
    PluralForms,
    ReviewedRow,
    ReviewFileError,
    import_review,
    load_catalog,
    merge,
    row_id,
    save_catalog,
    where_seen,
    write_review,
)

BOT = Path(__file__).resolve().parents[2] / "bot"
Rows = list[list[str]]


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    """A copy of the shipped catalogues, with Arabic entirely unreviewed (as a new locale is)."""
    copy = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, copy)
    arabic = load_catalog(copy, "ar")
    for message in arabic:
        if message.id:
            message.flags.add("fuzzy")
    save_catalog(copy, "ar", arabic)
    return copy


def export(locales: Path, locale: str = "ar", **options: bool) -> tuple[Rows, Rows]:
    """The file's lines before the entries (note, header) and its entries."""
    out = locales.parent / f"{locale}.csv"
    write_review(locale, out, locales_dir=locales, **options)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads it as UTF-8
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return table[:2], table[2:]


def save(
    locales: Path, head: Rows, rows: Rows, *, separator: str = ",", encoding: str = "utf-8-sig"
) -> Path:
    """The file as a spreadsheet saves it back."""
    path = locales.parent / "reviewed.csv"
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=separator).writerows(head + rows)
    return path


def column(head: Rows, title: str) -> int:
    return head[1].index(title)


def entry(catalog: Catalog, english: str, context: str | None = None) -> Message:
    message = catalog.get(english, context=context)
    assert message is not None, english
    return message


def find(rows: Rows, test: Callable[[list[str]], bool]) -> list[str]:
    return next(row for row in rows if test(row))


def singular_with_placeholder(row: list[str]) -> bool:
    return not row[3] and "{" in row[4] and "<" not in row[4]


def snapshot(catalog: Catalog) -> dict[object, tuple[object, frozenset[str]]]:
    return {(m.id, m.context): (m.string, frozenset(m.flags)) for m in catalog if m.id}


def test_a_reviewed_and_corrected_file_updates_only_its_rows(locales: Path) -> None:
    head, rows = export(locales)
    before = {
        code: (locales / code).joinpath("LC_MESSAGES/bot.po").read_bytes()
        for code in SHIPPED_LOCALES
    }
    reviewed, corrected = column(head, REVIEWED), column(head, CORRECTED)
    plain = [row for row in rows if not row[3]]
    first, second, third = plain[0], plain[1], find(plain, singular_with_placeholder)
    for row in (first, second, third):
        row[reviewed] = "x"
    name = third[4][third[4].index("{") : third[4].index("}") + 1]
    third[corrected] = f"  نص مصحَّح {name}\n"  # spaces and a line break a spreadsheet added
    old = snapshot(load_catalog(locales, "ar"))

    result = import_review(save(locales, head, rows), locales_dir=locales)

    assert (result.reviewed, result.corrected, result.now_reviewed) == (3, 1, 3)
    assert not result.skipped
    assert not result.refused
    catalog = load_catalog(locales, "ar")
    fixed = entry(catalog, third[4], third[2] or None)
    assert fixed.string == f"نص مصحَّح {name}"
    assert not fixed.fuzzy
    assert not entry(catalog, first[4], first[2] or None).fuzzy
    assert entry(catalog, first[4], first[2] or None).string == first[6]
    changed = {key for key, value in snapshot(catalog).items() if old[key] != value}
    assert changed == {(m[4], m[2] or None) for m in (first, second, third)}
    for code in SHIPPED_LOCALES:
        if code != "ar":
            assert (locales / code / "LC_MESSAGES/bot.po").read_bytes() == before[code]


def test_excel_in_french_saves_with_semicolons_and_no_bom(locales: Path) -> None:
    head, rows = export(locales)
    row = find(rows, singular_with_placeholder)
    row[column(head, REVIEWED)] = "oui"
    path = save(locales, head, rows, separator=";", encoding="utf-8")
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")

    result = import_review(path, locales_dir=locales)

    assert (result.reviewed, result.now_reviewed) == (1, 1)
    assert not entry(load_catalog(locales, "ar"), row[4], row[2] or None).fuzzy


@pytest.mark.parametrize("legacy", ["cp1252", "ascii"])
def test_a_file_saved_in_a_legacy_encoding_is_refused_with_what_to_do(
    locales: Path, legacy: str
) -> None:
    head, rows = export(locales)
    for row in rows:
        row[column(head, REVIEWED)] = "x"
    path = save(locales, head, rows)
    # Excel's plain "CSV" writes the Windows code page: Arabic letters become "?".
    path.write_bytes(path.read_text(encoding="utf-8-sig").encode(legacy, errors="replace"))
    before = (locales / "ar/LC_MESSAGES/bot.po").read_bytes()
    with pytest.raises(ReviewFileError, match="CSV UTF-8"):
        import_review(path, locales_dir=locales)
    assert (locales / "ar/LC_MESSAGES/bot.po").read_bytes() == before


def test_rows_for_a_changed_english_or_translation_are_skipped(locales: Path) -> None:
    head, rows = export(locales)
    reviewed, corrected = column(head, REVIEWED), column(head, CORRECTED)
    plain = [row for row in rows if not row[3]]
    gone, moved = plain[0], plain[1]
    for row in (gone, moved):
        row[reviewed] = "x"
        row[corrected] = "ترجمة جديدة"
    # Meanwhile the code changed the first English sentence, and someone edited the second.
    catalog = load_catalog(locales, "ar")
    old = entry(catalog, gone[4], gone[2] or None)
    catalog.delete(gone[4], context=gone[2] or None)
    catalog.add(gone[4] + " (new)", old.string, context=old.context, flags=["fuzzy"])
    entry(catalog, moved[4], moved[2] or None).string = "تعديل آخر"
    save_catalog(locales, "ar", catalog)
    before = (locales / "ar/LC_MESSAGES/bot.po").read_bytes()

    result = import_review(save(locales, head, rows), locales_dir=locales)

    assert result.reviewed == 0
    assert len(result.skipped) == 2
    assert "no longer in the bot" in result.skipped[0]
    assert "changed since the file was made" in result.skipped[1]
    assert (locales / "ar/LC_MESSAGES/bot.po").read_bytes() == before


def test_a_correction_that_breaks_the_message_is_refused(locales: Path) -> None:
    head, rows = export(locales)
    reviewed, corrected = column(head, REVIEWED), column(head, CORRECTED)
    lost = find(rows, singular_with_placeholder)
    command = find(rows, lambda row: not row[3] and "/shift" in row[4] and "{" not in row[4])
    brace = find(rows, lambda row: not row[3] and "{" not in row[4] and row is not command)
    lost[corrected] = "ترجمة بلا متغير"  # drops the placeholder
    command[corrected] = command[6].replace("/shift", "/مناوبة")  # a translated command
    brace[corrected] = "ترجمة } ناقصة"  # str.format would crash on it
    for row in (lost, command, brace):
        row[reviewed] = "x"
    before = (locales / "ar/LC_MESSAGES/bot.po").read_bytes()

    result = import_review(save(locales, head, rows), locales_dir=locales)

    assert (result.reviewed, result.corrected) == (0, 0)
    reasons = dict(re.findall(r"\((m[0-9a-f]+)\): ([^:]+):", "\n".join(result.refused)))
    assert reasons == {
        lost[0]: f"drops {lost[4][lost[4].index('{') : lost[4].index('}') + 1]}",
        command[
            0
        ]: f"{min(commands(command[4]))} must stay as it is (a command is typed in English)",
        brace[0]: "a { or } that is not part of a placeholder",
    }
    assert (locales / "ar/LC_MESSAGES/bot.po").read_bytes() == before


def test_a_plural_entry_is_reviewed_when_each_of_its_forms_is(locales: Path) -> None:
    head, rows = export(locales)
    reviewed, corrected = column(head, REVIEWED), column(head, CORRECTED)
    english = find(rows, lambda row: row[3] == "form for 1" and row[4].count("{") == 1)[4]
    message = entry(load_catalog(locales, "ar"), english)
    assert isinstance(message.id, tuple)
    forms = [row for row in rows if row[0] in {row_id(message, f) for f in range(6)}]
    assert [row[3] for row in forms] == [
        "form for 0",
        "form for 1",
        "form for 2",
        "form for 3-10, 103-110, …",
        "form for 11-99, 111-199, …",
        "form for 100-102, 200-202, …",
    ]
    assert forms[1][4] == message.id[0]
    assert forms[3][4] == message.id[1]
    # The form for 1 may say "one" in words; the form for 3-10 must keep the number.
    forms[1][corrected] = "واحد فقط"
    for row in forms[:5]:
        row[reviewed] = "x"

    first = import_review(save(locales, head, rows), locales_dir=locales)

    assert (first.reviewed, first.corrected, first.now_reviewed) == (5, 1, 0)
    assert any("5 of its 6 forms reviewed" in line for line in first.waiting)
    stored = entry(load_catalog(locales, "ar"), english)
    assert stored.string[1] == "واحد فقط"
    assert stored.fuzzy

    _, rows = export(locales)  # the next round: the same entry, the correction in it
    forms = [row for row in rows if row[0] in {row_id(message, f) for f in range(6)}]
    assert forms[1][6] == "واحد فقط"
    forms[3][corrected] = "بلا رقم"
    for row in forms:
        row[reviewed] = "x"
    refused = import_review(save(locales, head, rows), locales_dir=locales)
    assert refused.refused
    assert "drops {n}" in refused.refused[0]
    assert entry(load_catalog(locales, "ar"), english).fuzzy

    forms[3][corrected] = ""
    second = import_review(save(locales, head, rows), locales_dir=locales)
    assert (second.reviewed, second.now_reviewed, second.refused) == (6, 1, [])
    assert not entry(load_catalog(locales, "ar"), english).fuzzy


def test_a_correction_not_marked_reviewed_is_kept_but_stays_unreviewed(locales: Path) -> None:
    head, rows = export(locales)
    row = find(rows, singular_with_placeholder)
    name = row[4][row[4].index("{") : row[4].index("}") + 1]
    row[column(head, CORRECTED)] = f"مسودة {name}"
    row[column(head, REVIEWED)] = "non"

    result = import_review(save(locales, head, rows), locales_dir=locales)

    assert (result.reviewed, result.corrected, result.now_reviewed) == (0, 1, 0)
    stored = entry(load_catalog(locales, "ar"), row[4], row[2] or None)
    assert (stored.string, stored.fuzzy) == (f"مسودة {name}", True)


def test_the_export_lists_unreviewed_entries_or_all_with_where_they_are_seen(
    locales: Path,
) -> None:
    assert export(locales, "fr")[1] == []  # French is reviewed
    head, rows = export(locales, "fr", everything=True)
    assert head[1][:7] == [
        "id",
        "Where it is seen / Où",
        "Context / Contexte",
        "Form / Forme",
        "English",
        "Français",
        "Translation now (fr) / Traduction actuelle",
    ]
    assert "{words in braces}" in head[0][0]
    french = load_catalog(locales, "fr")
    entries = [m for m in french if m.id]
    forms = PluralForms.of(french)
    assert len(rows) == sum(forms.count if m.pluralizable else 1 for m in entries)
    assert len({row[0] for row in rows}) == len(rows)
    assert all(row[0][0].isalpha() for row in rows)  # never read as a number by a spreadsheet
    menu = find(rows, lambda row: row[2] == "button" and row[1].startswith("Button · Public"))
    assert menu[4]
    assert menu[6]
    assert not any(row[1].startswith("Other (") for row in rows)


def test_every_module_with_messages_has_a_plain_language_area() -> None:
    modules = {
        path.relative_to(BOT).as_posix()
        for path in BOT.rglob("*.py")
        if any(
            keyword in path.read_text(encoding="utf-8")
            for keyword in ("_(", "n_(", "p_(", "pN_(", "N_(")
        )
    }
    seen = {area for areas in where_seen(BOT).values() for area in areas}
    assert not [area for area in seen if area.startswith("Other (")], modules - set(AREAS)


def test_reading_back_needs_the_locale_named_in_the_file_or_given(locales: Path) -> None:
    head, rows = export(locales)
    path = save(locales, head, rows)
    with pytest.raises(ReviewFileError, match="for ar, not fa"):
        import_review(path, "fa", locales_dir=locales)
    head[1][6] = "Translation now"
    path = save(locales, head, rows)
    with pytest.raises(ReviewFileError, match="--locale"):
        import_review(path, locales_dir=locales)
    assert import_review(path, "ar", locales_dir=locales).reviewed == 0


def test_excel_unicode_text_utf16_with_tabs_reads_back(locales: Path) -> None:
    head, rows = export(locales)
    row = find(rows, singular_with_placeholder)
    row[column(head, REVIEWED)] = "yes"
    path = locales.parent / "unicode.txt"
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter="\t").writerows(head + rows)
    path.write_bytes(buffer.getvalue().encode("utf-16"))  # with its byte-order mark

    result = import_review(path, locales_dir=locales)

    assert (result.reviewed, result.now_reviewed) == (1, 1)


def test_an_xlsx_file_without_openpyxl_asks_for_csv(locales: Path) -> None:
    try:
        import openpyxl  # noqa: F401
    except ModuleNotFoundError:
        pass
    else:
        pytest.skip("openpyxl is installed here")
    path = locales.parent / "reviewed.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(ReviewFileError, match="CSV UTF-8"):
        import_review(path, locales_dir=locales)


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_every_shipped_translation_can_be_marked_reviewed_as_it_is(locale: str) -> None:
    """Nothing a reviewer approves unchanged is refused: the refusals are the check's own."""
    catalog = load_catalog(LOCALES_DIR, locale)
    forms = PluralForms.of(catalog)
    rows = [
        ReviewedRow(line, row_id(message, form), text, True, "", "")
        for line, message in enumerate((m for m in catalog if m.id), start=3)
        for form, text in enumerate(
            [message.string] if isinstance(message.string, str) else message.string
        )
    ]
    unreviewed = sum(1 for m in catalog if m.id and m.fuzzy)

    result = merge(catalog, locale, rows)

    assert (result.refused, result.skipped) == ([], [])
    assert result.now_reviewed == unreviewed
    assert len(rows) == sum(forms.count if m.pluralizable else 1 for m in catalog if m.id)


def test_a_row_pasted_twice_counts_once_and_comments_reach_the_coordinator(
    locales: Path,
) -> None:
    head, rows = export(locales)
    row = find(rows, singular_with_placeholder)
    name = row[4][row[4].index("{") : row[4].index("}") + 1]
    row[column(head, REVIEWED)] = "x"
    row[column(head, CORRECTED)] = f"الأولى {name}"
    copy = [*row]
    copy[column(head, CORRECTED)] = f"الثانية {name}"
    row[column(head, "Comment / Commentaire")] = "كلمة أوضح؟"

    result = import_review(save(locales, head, [row, copy]), locales_dir=locales)

    assert (result.reviewed, result.corrected) == (1, 1)
    assert result.skipped == [f"line 4 ({row[0]}): the same id again, this row was ignored"]
    assert result.comments == [f"line 3 ({row[0]}): كلمة أوضح؟"]
    assert entry(load_catalog(locales, "ar"), row[4], row[2] or None).string == f"الأولى {name}"
    assert "comment: line 3" in result.summary()


def test_cells_a_spreadsheet_would_run_as_formulas_are_exported_as_text(locales: Path) -> None:
    """CSV injection: a cell starting with = + - @ is a formula once the reviewer opens the
    file (a link that sends the sheet away). It is exported behind an apostrophe, which the
    import takes off again."""
    catalog = load_catalog(locales, "ar")
    plain = next(m for m in catalog if m.id and not m.pluralizable and not set("{</&") & set(m.id))
    formula = '=HYPERLINK("https://evil.example/","ok")'
    plain.string = formula
    save_catalog(locales, "ar", catalog)
    head, rows = export(locales)
    for row in head + rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    row = find(rows, lambda row: row[4] == plain.id)
    assert row[6] == "'" + formula
    row[column(head, REVIEWED)] = "x"

    result = import_review(save(locales, head, rows), locales_dir=locales)

    assert (result.reviewed, result.corrected, result.now_reviewed) == (1, 0, 1)
    assert not result.skipped
    assert entry(load_catalog(locales, "ar"), plain.id).string == formula


def test_a_correction_that_translates_a_command_or_its_word_is_refused(locales: Path) -> None:
    head, rows = export(locales)
    reviewed, corrected = column(head, REVIEWED), column(head, CORRECTED)
    usage = find(
        rows, lambda row: not row[3] and "/shift start" in row[4] and "/shift end" in row[4]
    )
    broken = {
        "sub-command": usage[6].replace("/shift start", "/shift بدء"),
        "glued": usage[6].replace("/shift start", "/shiftstart"),
        "added": usage[6] + " /مناوبة",
    }
    for kind, text in broken.items():
        usage[corrected], usage[reviewed] = text, "x"
        before = (locales / "ar/LC_MESSAGES/bot.po").read_bytes()

        result = import_review(save(locales, head, rows), locales_dir=locales)

        assert (result.reviewed, result.corrected) == (0, 0), kind
        assert len(result.refused) == 1, kind
        assert (locales / "ar/LC_MESSAGES/bot.po").read_bytes() == before, kind


def test_a_correction_with_its_tags_crossed_is_refused() -> None:
    """The same tags in an order Telegram refuses: the message would be lost."""
    catalog = Catalog(locale="ar")
    catalog.add("<b>{name}</b> joined.", "<b>{name}</b> انضم.", flags=["fuzzy"])
    message = entry(catalog, "<b>{name}</b> joined.")
    row = ReviewedRow(2, row_id(message, 0), message.string, True, "</b>{name}<b> انضم.", "")

    result = merge(catalog, "ar", [row])

    assert result.corrected == 0
    assert "tags crossed" in "\n".join(result.refused)
    assert message.fuzzy
