"""Numbers, dates and times as people type them, read the same whatever their keyboard.

Phones in Arabic, Persian, Pashto or Urdu type Arabic-Indic digits (٠١٢…٩) or the extended
ones (۰۱۲…۹), an Arabic decimal separator (٢٫٥), thousands separator (١٬٠٠٠) or comma
(٢،٥), and right-to-left keyboards slip invisible direction marks (LRM, RLM, ALM, the
isolates and embeddings) around what is typed: RLM + "٢١:٣٠" is "21:30". Every parser of a
typed number, date, time or period reads the text through `numeric` first. Free text that is
stored or relayed (a description, an alert's text, a message to a person) never goes through
it: only what is read as a number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from bot.i18n import BIDI_CONTROLS

# The Unicode Bidi_Control characters (`bot.i18n.BIDI_CONTROLS`: ALM, LRM, RLM, the embeddings
# and overrides, the isolates). They carry no meaning in a number.
DIRECTION_MARKS = "".join(sorted(BIDI_CONTROLS))
SEPARATORS = {
    "\u066b": ".",  # ٫ Arabic decimal separator: ٢٫٥ = 2.5
    "\u066c": ",",  # ٬ Arabic thousands separator: read as a Latin one would be
    "\u060c": ",",  # ، Arabic comma: a decimal comma between digits, else a list comma
    "\u061b": ";",  # ؛ Arabic semicolon
}
TABLE = str.maketrans({**dict.fromkeys(DIRECTION_MARKS), **SEPARATORS})
# A decimal digit of any script but ASCII: Arabic-Indic, Extended Arabic-Indic, and the others
# int() and `\d` read anyway (Devanagari, Bengali…), so that every parser reads the same ones.
NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")


def _ascii(match: re.Match[str]) -> str:
    return str(unicodedata.decimal(match.group()))


def numeric(text: str) -> str:
    """`text` with Latin digits and separators and no direction marks: what parsers read."""
    return NON_ASCII_DIGIT.sub(_ascii, text.translate(TABLE))


def numeric_words(words: Iterable[str]) -> list[str]:
    """Command arguments through `numeric`, a word that was only direction marks dropped."""
    return [word for word in map(numeric, words) if word]
