"""Fonts and text shaping shared by the printed documents: the flyer (`bot/flyer`) and the
incident export for a legal referral (`bot/services/incident_pdf.py`).

No system font is used, so a document prints the same from a fresh clone on any machine: the
repository ships static Noto fonts (SIL Open Font License 1.1) in `bot/flyer/fonts/` (see its
README; `tools/flyer_fonts.py` rebuilds them). Arabic script is joined by HarfBuzz (uharfbuzz)
and laid right to left by fpdf2's bidirectional algorithm.

Needs fpdf2, uharfbuzz and fontTools; everything here is synchronous and CPU-bound.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent / "flyer" / "fonts"
LATIN, LATIN_BOLD = "NotoSans", "NotoSansBold"
ARABIC, ETHIOPIC = "NotoSansArabic", "NotoSansEthiopic"
# Only bold cuts of the Arabic-script and Ethiopic fonts are shipped (the flyer prints
# language names in bold): running text in those scripts is printed bold too.
FONT_FILES: dict[str, str] = {
    LATIN: "NotoSans-Regular.ttf",
    LATIN_BOLD: "NotoSans-Bold.ttf",
    ARABIC: "NotoSansArabic-Bold.ttf",
    ETHIOPIC: "NotoSansEthiopic-Bold.ttf",
}
# Tried in order for a letter the current font lacks.
FALLBACK_FONTS = (ARABIC, ETHIOPIC)
# Scripts whose letters change shape with their neighbours and run right to left (Arabic
# script: Arabic, Pashto, Dari/Farsi, Sorani, Urdu), and the marks that set a direction (the
# translations of right-to-left locales start with one): fpdf2 lays text out in both
# directions only with shaping on, and would print the marks. Latin (Vietnamese included,
# once composed) and Ethiopic need no shaping engine.
NEEDS_SHAPING = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
# Invisible marks and spaces need no glyph.
IGNORABLE = frozenset(" \u00a0\u200b\u200c\u200d\u200e\u200f\u2066\u2067\u2068\u2069")


@cache
def characters(filename: str) -> frozenset[int]:
    """The code points the font file `filename` (in FONT_DIR) has a glyph for."""
    path = FONT_DIR / filename
    if not path.exists():
        return frozenset()
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def font_for(text: str, fonts: Mapping[str, str]) -> str | None:
    """The first family of `fonts` (family → file name) that has every letter of `text`."""
    needed = {ord(ch) for ch in text if ch not in IGNORABLE}
    for family, filename in fonts.items():
        if needed <= characters(filename):
            return family
    return None


def prepare(pdf: FPDF, title: str) -> None:
    """Set up a new document: its metadata, every shipped font registered, HarfBuzz shaping
    on, and the other scripts' fonts as fallbacks for letters the current font lacks."""
    # fontTools reports every glyph it keeps when fpdf2 subsets the fonts: not news.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    pdf.set_title(title)
    pdf.set_creator("Maraude")
    for family, filename in FONT_FILES.items():
        pdf.add_font(family, "", FONT_DIR / filename)
    pdf.set_fallback_fonts(list(FALLBACK_FONTS), exact_match=False)
    # The direction of each paragraph is found from its first strong letter (Unicode bidi).
    pdf.set_text_shaping(use_shaping_engine=True)


def shape_for(pdf: FPDF, *texts: str) -> None:
    """Turn HarfBuzz shaping (and bidirectional layout) on only if one of `texts` needs it:
    fpdf2 shapes a line again for every letter it adds while wrapping, which makes long
    Latin paragraphs tens of times slower, for nothing."""
    needed = any(NEEDS_SHAPING.search(text) for text in texts)
    current = pdf.text_shaping
    if needed and (current is None or current["direction"] is not None):
        pdf.set_text_shaping(use_shaping_engine=True)  # each paragraph finds its direction
    elif not needed and current is not None:
        pdf.set_text_shaping(use_shaping_engine=False)
