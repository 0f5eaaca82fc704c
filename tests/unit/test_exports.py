"""Spreadsheets written row by row to files: plain when small, zipped in parts when large."""

from __future__ import annotations

import csv
import io
import secrets
import zipfile
from pathlib import Path

from bot.services.exports import write_table

HEADER = ["n", "code"]


def test_a_small_table_stays_a_plain_csv(tmp_path: Path) -> None:
    rows = [[1, "=cmd"], [2, "Marck"]]
    [file] = write_table(tmp_path, "shifts_x", HEADER, iter(rows), plain_limit=1000)
    assert file.name == "shifts_x.csv"
    assert file.path.parent == tmp_path
    content = file.path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read it as UTF-8
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert table == [HEADER, ["1", "'=cmd"], ["2", "Marck"]]  # a typed formula never runs


def test_a_large_table_is_zipped_in_parts_that_each_open_alone(tmp_path: Path) -> None:
    # Random letters compress badly, so that a few hundred kilobytes make several parts.
    rows = [[n, secrets.token_hex(40)] for n in range(20_000)]
    limit = 200_000
    files = write_table(
        tmp_path, "distributions_x", HEADER, iter(rows), plain_limit=100_000, part_limit=limit
    )
    assert len(files) >= 3
    assert [f.name for f in files] == [
        "distributions_x.zip",
        *(f"distributions_x_part{n}.zip" for n in range(2, len(files) + 1)),
    ]
    back: list[list[str]] = []
    for file in files:
        assert file.path.stat().st_size <= limit
        with zipfile.ZipFile(file.path) as archive:
            [inner] = archive.namelist()
            assert inner == file.name.removesuffix(".zip") + ".csv"
            assert archive.getinfo(inner).compress_type == zipfile.ZIP_DEFLATED
            text = archive.read(inner).decode("utf-8-sig")
        table = list(csv.reader(io.StringIO(text)))
        assert table[0] == HEADER  # every part has the header
        back += table[1:]
    assert back == [[str(n), code] for n, code in rows]  # cut between rows, nothing lost
    # Only the parts are left: the plain spreadsheet they were made from is gone.
    assert sorted(tmp_path.iterdir()) == sorted(f.path for f in files)
