"""`maraude flyer`: the A4 page the teams stick on the vans, read back as a phone would.

The page is rendered (PDFium) and its QR codes scanned (zxing-cpp), offline: each code must
open the bot in the language printed beside it.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp

from bot import flyer
from bot.handlers.public import LANG_DEEP_LINK
from bot.i18n import LANGUAGES
from bot.sandbox.emulator import BotApiEmulator
from tests.e2e.test_cli import ROOT, maraude

DPI = 150
MM = 72 / 25.4  # points per millimetre


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'flyer.db'}", "BOT_TOKEN": "", **extra}


def read_page(path: Path) -> tuple[tuple[float, float], str, dict[str, tuple[float, float]]]:
    """The page's size in points, its text, and each QR code's text with its centre in mm."""
    document = pdfium.PdfDocument(path)
    try:
        assert len(document) == 1
        page = document[0]
        size = page.get_size()
        text = page.get_textpage().get_text_range()
        image = page.render(scale=DPI / 72).to_pil()
    finally:
        document.close()
    codes: dict[str, tuple[float, float]] = {}
    for found in zxingcpp.read_barcodes(image):
        corners = [found.position.top_left, found.position.bottom_right]
        x = sum(p.x for p in corners) / 2 / (DPI / 72) / MM
        y = sum(p.y for p in corners) / 2 / (DPI / 72) / MM
        codes[found.text] = (x, y)
    return size, text, codes


def test_one_a4_page_whose_codes_open_the_bot_in_the_language_beside_them(
    tmp_path: Path,
) -> None:
    out = tmp_path / "flyer.pdf"
    result = maraude(
        "flyer", "--antenna", "calais", "--out", str(out), "--bot", "@Maraude_Calais_bot",
        env=env(tmp_path), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}" in result.stdout
    assert "flyer:" not in result.stderr  # every script had its font
    (width, height), text, codes = read_page(out)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert "Calais" in text
    assert "t.me/Maraude_Calais_bot" in text
    entries = flyer.plan("Maraude_Calais_bot", pytest.fail)
    cell_w, cell_h = flyer.cell_size()
    assert len(codes) == len(LANGUAGES) == len(entries)
    for entry in entries:
        link = f"https://t.me/Maraude_Calais_bot?start={LANG_DEEP_LINK}{entry.code}"
        assert entry.link == link
        x, y = codes[link]  # the code scans, and sits in its language's cell
        assert entry.x < x < entry.x + cell_w, entry.code
        assert entry.y < y < entry.y + cell_h, entry.code
        native = LANGUAGES[entry.code].native_name
        assert entry.in_own_script, entry.code
        assert entry.name == native
        if LANGUAGES[entry.code].rtl:
            # Shaped Arabic script comes back as letters, not always in reading order.
            assert {ch for ch in native if ch.isalpha()} <= set(text), entry.code
        else:
            assert native in text, entry.code


async def test_the_bot_username_comes_from_telegram_when_not_given(tmp_path: Path) -> None:
    out = tmp_path / "flyer.pdf"
    async with BotApiEmulator() as telegram:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "flyer", "--antenna", "grande-synthe", "--out", str(out),
            cwd=tmp_path,
            env={
                **os.environ,
                "PYTHONPATH": str(ROOT),
                **env(tmp_path, BOT_TOKEN=telegram.token, BOT_API_BASE_URL=telegram.base_url),
            },
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
        assert telegram.refused == []
    assert process.returncode == 0, stderr.decode()
    assert b"wrote" in stdout
    _, text, codes = read_page(out)
    assert "Grande-Synthe" in text
    assert f"https://t.me/{telegram.bot_username}?start=lang-ti" in codes


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (["--antenna", "atlantis", "--bot", "MaraudeBot"], 1, "unknown antenna atlantis"),
        (["--antenna", "calais", "--bot", "no way"], 2, "not a Telegram username"),
        (["--antenna", "calais", "--bot", "x" * 40], 2, "not a Telegram username"),
        (["--antenna", "calais"], 2, "--bot USERNAME, or set BOT_TOKEN"),
    ],
    ids=["unknown-antenna", "bad-username", "long-username", "no-username"],
)
def test_a_flyer_that_cannot_be_made_says_why_and_writes_nothing(
    tmp_path: Path, arguments: list[str], code: int, message: str
) -> None:
    out = tmp_path / "flyer.pdf"
    result = maraude("flyer", *arguments, "--out", str(out), env=env(tmp_path), cwd=tmp_path)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_a_script_no_font_has_is_printed_by_its_english_name_and_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(flyer.NAME_FONTS, "NotoSansEthiopic")
    warnings: list[str] = []
    out = tmp_path / "flyer.pdf"
    entries = flyer.build_flyer(
        out,
        antenna_name="Calais",
        bot_username="MaraudeBot",
        titles=("Informations et aide", "Information and help"),
        hints=("Scannez", "Scan"),
        warn=warnings.append,
    )
    fallen = {entry.code: entry for entry in entries if not entry.in_own_script}
    assert set(fallen) == {"ti", "am"}
    assert fallen["ti"].name == "Tigrinya"
    assert fallen["am"].name == "Amharic"
    assert len(warnings) == 2
    assert "ትግርኛ" in warnings[0]
    assert "Tigrinya" in warnings[0]
    _, text, codes = read_page(out)
    assert "ትግርኛ" not in text
    assert "Tigrinya" in text
    assert len(codes) == len(LANGUAGES)  # the codes are there all the same


def test_every_shipped_language_has_a_font_for_its_own_name() -> None:
    for code, language in LANGUAGES.items():
        assert flyer.font_for(language.native_name) is not None, code
    assert flyer.font_for("中文") is None
