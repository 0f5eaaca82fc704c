"""The printed flyer (SPEC §7 `maraude flyer`, issue 8 §6): one A4 page, one QR code per
shipped language, for the teams to stick on the distribution vans.

Each QR code is a deep link `https://t.me/<bot>?start=lang-<code>` that opens the bot in that
language; beside it, the language's name in its own script. Titles are in French and English.

Fonts: the page must print the same from a fresh clone on any machine, so it uses no system
font. `fonts/` holds static Noto fonts (SIL Open Font License 1.1, `fonts/OFL.txt`) cut down
to the scripts printed here: Latin with Vietnamese marks, Arabic script (Arabic, Pashto,
Dari/Farsi, Sorani) and Ethiopic (Tigrinya, Amharic); `tools/flyer_fonts.py` rebuilds them.
Arabic script is joined by HarfBuzz (uharfbuzz) and laid right to left by fpdf2 (shared with
the incident export: `bot/printing.py`). A name whose letters no font has is printed under its
English name, and `warn` says so.

Synchronous and CPU-bound: call it from the command line, never on the bot's event loop.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import segno
from babel import Locale
from fpdf import FPDF

from bot import printing
from bot.handlers.public import LANG_DEEP_LINK
from bot.i18n import LANGUAGES, N_
from bot.printing import ARABIC, ETHIOPIC, FONT_FILES, LATIN, LATIN_BOLD

# Fonts for a language's own name, tried in order: the first that has every letter wins.
NAME_FONTS: dict[str, str] = {
    family: FONT_FILES[family] for family in (LATIN_BOLD, ARABIC, ETHIOPIC)
}
# Where the teams' word differs from CLDR's ("Persian", "Central Kurdish").
ENGLISH_NAMES = {
    "fa": "Dari / Persian",
    "ckb": "Kurdish (Sorani)",
    "kmr": "Kurdish (Kurmanji)",
}
# Printed in French, then in English, each from the catalogue of its language.
TITLE = N_("Information and help, in your language")
HINT = N_("Scan the code of your language with the camera of your phone.")
# A Telegram username: 5 to 32 letters, digits and underscores, starting with a letter.
USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{4,31}$")

# The page, in millimetres (A4 portrait).
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN = 12.0
COLUMNS, ROWS = 2, 7  # thirteen languages, a cell to spare
GAP = 3.0
GRID_TOP = 62.0
GRID_BOTTOM = PAGE_H - 16.0
QR_SIZE = 22.0  # a deep link is a small code: 0.8 mm modules scan well
NAME_PT, NAME_MIN_PT = 24.0, 11.0


class FlyerError(ValueError):
    """A flyer that cannot be made as asked (a bad username); the message says why."""


@dataclass(frozen=True)
class FlyerEntry:
    """One language on the page: where it is, what its QR code says, how its name is printed."""

    code: str
    link: str
    name: str  # as printed: its own name, or its English name when no font has its letters
    font: str
    in_own_script: bool
    x: float
    y: float


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={LANG_DEEP_LINK}{code}"


def check_username(username: str) -> str:
    """The bot's username without its "@"; FlyerError if it cannot be one."""
    name = username.removeprefix("@")
    if not USERNAME.match(name):
        raise FlyerError(f"not a Telegram username: {username!r}")
    return name


def font_for(text: str, fonts: Iterable[str] = NAME_FONTS) -> str | None:
    """The first of `fonts` (families of NAME_FONTS) that has every letter of `text`."""
    return printing.font_for(text, {family: NAME_FONTS[family] for family in fonts})


def english_name(code: str) -> str:
    """The language's English name, e.g. "Tigrinya" (Babel/CLDR, or as the teams say it)."""
    return ENGLISH_NAMES.get(code) or Locale.parse("en").languages.get(code) or code


def cell_size() -> tuple[float, float]:
    """The width and height of one language's cell, in millimetres."""
    width = (PAGE_W - 2 * MARGIN - (COLUMNS - 1) * GAP) / COLUMNS
    return width, (GRID_BOTTOM - GRID_TOP - (ROWS - 1) * GAP) / ROWS


def plan(bot_username: str, warn: Callable[[str], None]) -> list[FlyerEntry]:
    """Every shipped language, in the bot's order, placed on the grid with its link and font."""
    entries = []
    cell_w, cell_h = cell_size()
    for index, (code, language) in enumerate(LANGUAGES.items()):
        row, column = divmod(index, COLUMNS)
        name, font, own = language.native_name, font_for(language.native_name), True
        if font is None:
            name, font, own = english_name(code), LATIN_BOLD, False
            warn(
                f"flyer: no font has the letters of {language.native_name!r} ({code}): "
                f"printed as {name!r}"
            )
        entries.append(
            FlyerEntry(
                code=code,
                link=deep_link(bot_username, code),
                name=name,
                font=font,
                in_own_script=own,
                x=MARGIN + column * (cell_w + GAP),
                y=GRID_TOP + row * (cell_h + GAP),
            )
        )
    if len(entries) > COLUMNS * ROWS:
        raise FlyerError(f"{len(entries)} languages do not fit on one page")
    return entries


def _qr(pdf: FPDF, link: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares (sharp at any print size), one rectangle per dark run."""
    qr = segno.make(link, error="m", micro=False)
    matrix = [list(row) for row in qr.matrix_iter(scale=1, border=0)]
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            # A hair wider and taller than the module: no white seams between squares.
            width, height = (c - start) * module + 0.02, module + 0.02
            pdf.rect(x + start * module, y + r * module, width, height, style="F")


def _fit(pdf: FPDF, text: str, width: float, size: float, smallest: float) -> float:
    """The largest font size up to `size` at which `text` fits in `width` millimetres."""
    while size > smallest:
        pdf.set_font_size(size)
        if pdf.get_string_width(text) <= width:
            break
        size -= 1
    pdf.set_font_size(size)
    return size


def build_flyer(
    out: Path,
    *,
    antenna_name: str,
    bot_username: str,
    titles: tuple[str, str],
    hints: tuple[str, str],
    warn: Callable[[str], None],
) -> list[FlyerEntry]:
    """Write the flyer to `out` and return what was placed on it.

    `titles` and `hints`: the title and the "scan the code" line, in French and in English.
    """
    username = check_username(bot_username)
    entries = plan(username, warn)
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    printing.prepare(pdf, f"{titles[0]} — {antenna_name}")
    pdf.add_page()
    _header(pdf, antenna_name, titles, hints)
    for entry in entries:
        _cell(pdf, entry)
    width = PAGE_W - 2 * MARGIN
    pdf.set_text_color(90, 90, 90)
    pdf.set_font(LATIN, size=10)
    pdf.set_xy(MARGIN, PAGE_H - 13)
    pdf.cell(width, 6, f"t.me/{username}", align="C")
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    return entries


def _header(pdf: FPDF, antenna_name: str, titles: tuple[str, str], hints: tuple[str, str]) -> None:
    """The town, then the title and the hint in French (what is read here) and English."""
    width = PAGE_W - 2 * MARGIN
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(LATIN_BOLD)
    _fit(pdf, antenna_name, width, 30, 14)
    pdf.set_xy(MARGIN, MARGIN)
    pdf.cell(width, 13, antenna_name, align="C")
    pdf.set_xy(MARGIN, MARGIN + 15)
    _fit(pdf, titles[0], width, 20, 10)
    pdf.cell(width, 9, titles[0], align="C")
    pdf.set_font(LATIN)
    pdf.set_xy(MARGIN, MARGIN + 25)
    _fit(pdf, titles[1], width, 16, 9)
    pdf.cell(width, 8, titles[1], align="C")
    pdf.set_text_color(60, 60, 60)
    for index, hint in enumerate(hints):
        pdf.set_xy(MARGIN, MARGIN + 34 + index * 6)
        _fit(pdf, hint, width, 12, 7)
        pdf.cell(width, 6, hint, align="C")


def _cell(pdf: FPDF, entry: FlyerEntry) -> None:
    """One language: the QR code, and the name beside it (its English name below, smaller)."""
    cell_w, cell_h = cell_size()
    pad = (cell_h - QR_SIZE) / 2  # at least four modules of white around the code
    pdf.set_draw_color(170, 170, 170)
    pdf.set_line_width(0.3)
    pdf.rect(entry.x, entry.y, cell_w, cell_h, round_corners=True, corner_radius=3)
    _qr(pdf, entry.link, entry.x + pad, entry.y + pad, QR_SIZE)
    text_x = entry.x + pad + QR_SIZE + 3
    text_w = entry.x + cell_w - 3 - text_x
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(entry.font)
    # The paragraph's direction is given, not guessed from the first letter.
    rtl = entry.in_own_script and LANGUAGES[entry.code].rtl
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if rtl else "ltr")
    _fit(pdf, entry.name, text_w, NAME_PT, NAME_MIN_PT)
    pdf.set_xy(text_x, entry.y + cell_h / 2 - 9)
    pdf.cell(text_w, 12, entry.name, align="C")
    pdf.set_text_shaping(use_shaping_engine=True, direction="ltr")
    latin = english_name(entry.code)
    if latin != entry.name:  # for the volunteers who stick it up
        pdf.set_text_color(90, 90, 90)
        pdf.set_font(LATIN, size=10)
        pdf.set_xy(text_x, entry.y + cell_h / 2 + 4)
        pdf.cell(text_w, 6, latin, align="C")
