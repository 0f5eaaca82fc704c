"""`maraude i18n review` and `maraude i18n import` as a coordinator runs them: real processes,
on a copy of the locales directory."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from bot.i18n import LOCALES_DIR
from tests.e2e.test_cli import maraude


def copy_locales(tmp_path: Path) -> Path:
    copy = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, copy)
    return copy


def po_files(locales: Path) -> dict[str, bytes]:
    return {str(path): path.read_bytes() for path in sorted(locales.rglob("*.po"))}


def exported(tmp_path: Path, locales: Path, *extra: str) -> list[list[str]]:
    out = tmp_path / "so.csv"
    result = maraude("i18n", "review", "so", "--out", str(out), "--locales", str(locales), *extra)
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}" in result.stdout
    separator = ";" if ";" in extra else ","
    text = out.read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))


def reviewed_file(tmp_path: Path, table: list[list[str]], correction: str | None) -> Path:
    """Every row marked reviewed; the first row corrected when a correction is given."""
    head, rows = table[:2], table[2:]
    reviewed = head[1].index("Reviewed: write x / Relu : écrire x")
    for row in rows:
        row[reviewed] = "x"
    if correction is not None:
        rows[0][reviewed + 1] = correction
    path = tmp_path / "back.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(head + rows)
    return path


def test_a_dry_run_reports_and_changes_nothing_then_the_import_applies(tmp_path: Path) -> None:
    locales = copy_locales(tmp_path)
    table = exported(tmp_path, locales)
    assert len(table) > 100
    path = reviewed_file(tmp_path, table, correction=None)
    before = po_files(locales)

    dry = maraude("i18n", "import", str(path), "--dry-run", "--locales", str(locales))

    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert f"so: {len(table) - 2} reviewed, 0 corrected, 0 skipped, 0 refused" in dry.stdout
    assert "so " in dry.stdout  # the check's table follows
    assert "dry run: nothing was changed" in dry.stdout
    assert po_files(locales) == before

    real = maraude("i18n", "import", str(path), "--locales", str(locales))

    assert real.returncode == 0, real.stdout + real.stderr
    after = po_files(locales)
    changed = [name for name in before if before[name] != after[name]]
    assert changed == [str(locales / "so" / "LC_MESSAGES" / "bot.po")]
    assert "#, fuzzy" not in after[changed[0]].decode().split('msgid ""', 2)[-1]
    assert exported(tmp_path, locales)[2:] == []  # nothing left to review


def test_a_refused_correction_fails_the_import_and_keeps_the_entry(tmp_path: Path) -> None:
    locales = copy_locales(tmp_path)
    table = exported(tmp_path, locales, "--sep", ";")
    first = table[2]
    path = reviewed_file(tmp_path, table, correction=first[6] + " {unknown}")
    before = po_files(locales)

    result = maraude("i18n", "import", str(path), "--dry-run", "--locales", str(locales))

    assert result.returncode == 1
    assert f"refused: line 3 ({first[0]}): {{unknown}} is not a placeholder" in result.stdout
    assert po_files(locales) == before


def test_unreadable_files_and_unknown_locales_exit_2(tmp_path: Path) -> None:
    locales = copy_locales(tmp_path)
    text = tmp_path / "notes.csv"
    text.write_text("a,b\n1,2\n", encoding="utf-8")
    missing = maraude("i18n", "import", str(tmp_path / "nope.csv"), "--locales", str(locales))
    wrong = maraude("i18n", "import", str(text), "--locales", str(locales))
    unknown = maraude("i18n", "review", "xx", "--out", str(tmp_path / "xx.csv"))
    assert (missing.returncode, wrong.returncode, unknown.returncode) == (2, 2, 2)
    assert "no header row starting with 'id'" in wrong.stderr
    assert "xx is not one of" in unknown.stderr
