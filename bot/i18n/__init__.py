"""Languages: gettext catalogues, locale negotiation, Babel formatting and RTL helpers.

Messages are marked with the keywords `_`, `n_`, `p_`, `np_` (methods of `Translator`) and
`N_`/`pN_`/`npN_` (module-level markers for strings translated later); `babel.cfg` lists them.
Placeholders are named and filled after translation; their values are HTML-escaped because
every message is sent with parse_mode HTML.
"""

from __future__ import annotations

import hashlib
import html
import io
import logging
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations
from babel.units import format_unit

from bot.config import SHIPPED_LOCALES
from bot.i18n import cldr

log = logging.getLogger(__name__)

DOMAIN = "bot"
LOCALES_DIR = Path(__file__).resolve().parent.parent.parent / "locales"

# Unicode isolates keep a fragment from reordering the line around it (and the line from
# reordering the fragment). LRI for what is left to right by nature (phone numbers, commands,
# codes); FSI (first strong) for localized values and what people typed, whose direction is
# that of their own first letter: "2 ساعت 5 دقیقه" stays in that order, so does "Marck".
LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"
# Marks: start a line right to left (RLM) or left to right (LRM) whatever its first letters are.
RLM, LRM = "\u200f", "\u200e"
BIDI_CONTROLS = frozenset(
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

EMBEDDINGS = frozenset("\u202a\u202b\u202c\u202d\u202e")
ISOLATES = frozenset("\u2066\u2067\u2068")

# A command with its Latin arguments ("/shift start", "/report 2026-11"), where a translation
# shows it; a whole <code> example that starts with a command. Not the "/" of "</b>", of a
# URL or of a date.
_COMMAND = re.compile(
    r"(?P<code><code>)(?P<example>/[a-z][^<]*)(?=</code>)"
    r"|(?<![\w/<:.@&#;-])(?P<command>/[a-z][a-z0-9_]*"
    r"(?:[ \u00a0](?:[A-Za-z0-9{\[][A-Za-z0-9{}_|\[\]:.\-]*[A-Za-z0-9}\]]|[A-Za-z0-9]))*)"
)


@dataclass(frozen=True)
class Language:
    code: str
    native_name: str
    rtl: bool
    # Telegram command menus accept two-letter ISO 639-1 codes only.
    telegram_code: str | None
    # Babel's locale for dates and numbers, when it differs from the code.
    formats: str | None = None


LANGUAGES: dict[str, Language] = {
    "ar": Language("ar", "العربية", True, "ar"),
    "ps": Language("ps", "پښتو", True, "ps"),
    "fa": Language("fa", "دری / فارسی", True, "fa"),
    "ti": Language("ti", "ትግርኛ", False, "ti"),
    "am": Language("am", "አማርኛ", False, "am"),
    # Sorani, in Arabic script; Telegram's "ku" is mostly Kurmanji, which its readers cannot read.
    "ckb": Language("ckb", "کوردی (سۆرانی)", True, None),
    "vi": Language("vi", "Tiếng Việt", False, "vi"),
    "so": Language("so", "Soomaali", False, "so"),
    # Kurmanji (Northern Kurdish), in Latin script: Kurds from Syria and Turkey.
    "kmr": Language("kmr", "Kurdî (Kurmancî)", False, "ku"),
    "om": Language("om", "Afaan Oromoo", False, "om"),
    "ur": Language("ur", "اردو", True, "ur"),
    # English readers here are in Europe: day-first dates and a 24-hour clock (en_GB).
    "en": Language("en", "English", False, "en", formats="en_GB"),
    "fr": Language("fr", "Français", False, "fr"),
}
assert set(LANGUAGES) == set(SHIPPED_LOCALES)

# Telegram sends the client's IETF tag; these map neighbouring codes onto what we ship.
# Telegram's "ku" comes from phones set to Kurdish, mostly Kurmanji (Latin script); Sorani phones
# say "ckb".
LANGUAGE_ALIASES = {
    "prs": "fa",
    "pbt": "ps",
    "pbu": "ps",
    "ku": "kmr",
    "kur": "kmr",
    "sdh": "ckb",
    "gaz": "om",
    "hae": "om",
    "orm": "om",
    "urd": "ur",
}


def npN_(context: str, singular: str, plural: str) -> tuple[str, str, str]:  # noqa: N802
    """Mark a plural string with a context for extraction; it is translated where it is shown."""
    return (context, singular, plural)


# Short units of a duration, e.g. "2 h 5 min" (see `Translator.fmt_duration`).
DURATION_HOURS = npN_("duration", "{n} h", "{n} h")
DURATION_MINUTES = npN_("duration", "{n} min", "{n} min")


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def pN_(context: str, message: str) -> tuple[str, str]:  # noqa: N802
    """Mark a string with a context for extraction; translate it later with `Translator.p_`."""
    return (context, message)


class Markup(str):
    """Text that is already valid Telegram HTML and must not be escaped again."""

    __slots__ = ()


def escape(value: object) -> Markup:
    """Escape a value for parse_mode HTML, unless it is already `Markup`."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value), quote=False))


def isolate_ltr(text: str) -> str:
    """Wrap a fragment that is left to right by nature (phone number, command, code)."""
    return f"{LRI}{text}{PDI}"


def isolate(text: str) -> str:
    """Wrap a value in first-strong isolates, line by line (an isolate ends with its line)."""
    return "\n".join(f"{FSI}{_closed(line)}{PDI}" if line else line for line in text.split("\n"))


def _closed(line: str) -> str:
    """The line without a PDI that closes no isolate of its own (typed to end ours early and
    let an override after it reverse the rest of the line), its open isolates closed."""
    depth, kept = 0, []
    for char in line:
        if char in ISOLATES:
            depth += 1
        elif char == PDI:
            if not depth:
                continue
            depth -= 1
        kept.append(char)
    return "".join(kept) + PDI * depth


def has_rtl(text: str) -> bool:
    """Whether the text holds a right-to-left letter (Arabic, Hebrew, Syriac, Thaana…)."""
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def unbalanced(text: str) -> bool:
    """Whether the text holds an embedding or override (U+202A-202E, as in a name typed to
    spoof, "Sam\u202eevil"), an isolate it does not close or a PDI that closes none of its
    own: any would reorder the line after it. An isolate closes them."""
    lines = text.split("\n")
    return not EMBEDDINGS.isdisjoint(text) or any(_closed(line) != line for line in lines)


def strip_bidi(text: str) -> str:
    """The text without its direction marks and isolates (to compare what people typed)."""
    return "".join(char for char in text if char not in BIDI_CONTROLS)


@lru_cache(maxsize=4096)
def isolate_commands(text: str) -> str:
    """Wrap every command a right-to-left message shows, with its Latin arguments, in
    left-to-right isolates: "/menu" would otherwise read "menu/", and "/shift start" would
    come out as "start /shift"."""

    def wrap(match: re.Match[str]) -> str:
        if match.group("code"):
            return f"<code>{LRI}{match.group('example')}{PDI}"
        return f"{LRI}{match.group('command')}{PDI}"

    return _COMMAND.sub(wrap, text)


def resolve_language_code(code: str | None) -> str | None:
    """Map a Telegram language_code such as 'fa-AF' onto a shipped locale, if any."""
    if not code:
        return None
    lowered = code.replace("_", "-").lower()
    if lowered in LANGUAGES:
        return lowered
    primary = lowered.split("-", 1)[0]
    primary = LANGUAGE_ALIASES.get(primary, primary)
    return primary if primary in LANGUAGES else None


def negotiate(stored: str | None, telegram_code: str | None, default: str) -> str:
    """The user's own choice, else their Telegram language, else the deployment's default."""
    if stored in LANGUAGES:
        return stored
    return resolve_language_code(telegram_code) or default


# Part of a compiled catalogue's name: change it when `compile_po` compiles differently, and
# every catalogue is compiled again.
COMPILED_FORMAT = b"mo, fuzzy included\n"


def compile_po(source: bytes, locale: str) -> bytes:
    """A .po file's text as a .mo file, fuzzy entries included: an unreviewed sentence beats a
    foreign one."""
    # Only when a catalogue changed: its parser is not kept in memory for nothing.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(source), locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=True)
    return compiled.getvalue()


def load_po(path: Path) -> Translations:
    """Load a catalogue from its .po file, through the compiled form kept beside it.

    Parsing the thirteen .po files took 140 ms at each start and left 4 MiB of garbage
    scattered in the heap, which the process kept (issue 13). The compiled file is named after
    the SHA-256 of the .po (and of `COMPILED_FORMAT`), so that an edited, pulled or reverted
    catalogue is compiled again; it is written whole under another name first, so that a crash
    never leaves half of one to be read. A directory the bot may not write to only costs the
    compilation at each start.
    """
    source = path.read_bytes()
    digest = hashlib.sha256(COMPILED_FORMAT + source).hexdigest()[:16]
    compiled = path.with_name(f"{path.stem}-{digest}.mo")
    try:
        with compiled.open("rb") as handle:
            return Translations(fp=handle, domain=DOMAIN)
    except FileNotFoundError:
        pass
    except Exception:  # a damaged cache is compiled again, never fatal
        log.warning("compiled catalogue %s unreadable: compiling %s again", compiled, path)
    data = compile_po(source, path.parent.parent.name)
    _keep_compiled(compiled, data)
    return Translations(fp=io.BytesIO(data), domain=DOMAIN)


def _keep_compiled(compiled: Path, data: bytes) -> None:
    part = compiled.with_name(f".{compiled.name}.{os.getpid()}.part")
    try:
        part.write_bytes(data)
        part.replace(compiled)
    except OSError as error:
        log.info("compiled catalogue not kept (%s): compiled again at each start", error)
        part.unlink(missing_ok=True)
        return
    stem = compiled.name.rsplit("-", 1)[0]
    for old in compiled.parent.glob(f"{stem}-*.mo"):
        if old != compiled:
            old.unlink(missing_ok=True)


def _share_strings(translations: Translations, shared: dict[Any, Any]) -> None:
    """One copy of each English msgid for all thirteen catalogues, not thirteen (and English
    msgstr are their msgid): 1.5 MiB. Done as each catalogue loads, so that the next one is
    read into the memory the copies freed (issue 13)."""
    catalog = translations._catalog  # gettext's own table: the stdlib's, stable since 2.x
    translations._catalog = {
        shared.setdefault(msgid, msgid): shared.setdefault(text, text)
        for msgid, text in catalog.items()
    }


def babel_locales() -> list[str]:
    """The Babel locales the bot formats with: each language's own, and the one it formats
    dates and numbers with when that differs (`en_GB` for English)."""
    return [*LANGUAGES, *(language.formats for language in LANGUAGES.values() if language.formats)]


@cache
def _load_catalogues(locales_dir: Path) -> Mapping[str, NullTranslations]:
    """Every shipped catalogue and the CLDR data of each language, read once per process: a
    running bot never reads them again, and the keyword indexes' own `Catalogs()` costs
    nothing more."""
    missing = [
        code
        for code in LANGUAGES
        if not (locales_dir / code / "LC_MESSAGES" / f"{DOMAIN}.po").exists()
    ]
    if missing:
        # Better not to start than to answer a Tigrinya reader in English without a word.
        raise FileNotFoundError(
            f"no catalogue for {', '.join(missing)} under {locales_dir}: "
            "run the bot from a checkout (make run)"
        )
    loaded: dict[str, NullTranslations] = {}
    shared: dict[Any, Any] = {}
    for code in LANGUAGES:
        translations = load_po(locales_dir / code / "LC_MESSAGES" / f"{DOMAIN}.po")
        _share_strings(translations, shared)
        loaded[code] = translations
    cldr.load(babel_locales(), languages=LANGUAGES)
    return MappingProxyType(loaded)


class Catalogs:
    """Every shipped catalogue, and the CLDR data of each language, loaded at start-up."""

    def __init__(self, locales_dir: Path = LOCALES_DIR) -> None:
        self._translations = _load_catalogues(locales_dir)

    def translations(self, locale: str) -> NullTranslations:
        return self._translations.get(locale) or NullTranslations()

    def translator(self, locale: str, tz: ZoneInfo) -> Translator:
        return Translator(locale, self.translations(locale), tz)


class Translator:
    """Translates and formats for one locale and time zone."""

    def __init__(self, locale: str, translations: NullTranslations, tz: ZoneInfo) -> None:
        self.locale = locale
        self.language = LANGUAGES.get(locale, LANGUAGES["en"])
        self.babel_locale = Locale.parse(self.language.formats or locale)
        self._translations = translations
        self.tz = tz

    @property
    def rtl(self) -> bool:
        return self.language.rtl

    def _fill(self, text: str, params: dict[str, Any]) -> str:
        if self.rtl:
            text = isolate_commands(text)
        if params:
            text = text.format(**{key: self.value(value) for key, value in params.items()})
        return self.right_to_left(text)

    def value(self, value: object) -> Markup:
        """A placeholder's value, escaped for HTML and isolated: what people typed or what the
        database holds (names, places, free text) in first-strong isolates in a right-to-left
        message, and in any message when it holds right-to-left letters (an Arabic name in a
        French sentence). `Markup` was built by the code and is kept as it is."""
        if isinstance(value, Markup):
            return value
        text = html.escape(str(value), quote=False)
        if text and (self.rtl or has_rtl(text) or unbalanced(text)):
            text = isolate(text)
        return Markup(text)

    def right_to_left(self, text: str) -> str:
        """In a right-to-left locale, every line starts right to left: a line that begins
        with an emoji (ℹ️, 🆘), a digit or a Latin word would otherwise be laid out left to
        right, its words in the wrong order for the reader. Done once here, for every
        translated message and button, and again where a reply is sent (`BotContext.reply`)
        for the lines the code joins; lines already marked either way are left alone."""
        if not self.rtl:
            return text
        return "\n".join(
            line if not line or line[0] in (RLM, LRM) else RLM + line for line in text.split("\n")
        )

    def _(self, message: str, **params: Any) -> str:
        return self._fill(self._translations.ugettext(message), params)

    def n_(self, singular: str, plural: str, n: int, **params: Any) -> str:
        text = self._translations.ungettext(singular, plural, n)
        return self._fill(text, {"n": self.fmt_number(n), **params})

    def p_(self, context: str, message: str, **params: Any) -> str:
        return self._fill(self._translations.upgettext(context, message), params)

    def np_(self, context: str, singular: str, plural: str, n: int, **params: Any) -> str:
        text = self._translations.unpgettext(context, singular, plural, n)
        return self._fill(text, {"n": self.fmt_number(n), **params})

    def marked(self, marked: tuple[str, str], **params: Any) -> str:
        """Translate a string marked at module level with `pN_`."""
        return self.p_(marked[0], marked[1], **params)

    # Formatting. Numbers stay in Latin digits (SPEC §2: numbers people dial or compare), times
    # on a 24-hour clock in every locale (a safety return time must not be ambiguous).
    def fmt_number(self, value: float | Decimal) -> Markup:
        return Markup(self._iso(format_decimal(value, locale=self.babel_locale)))

    def fmt_money(self, amount: Decimal) -> Markup:
        """Euros the locale's way ("12,50 €", "€12.50"), isolated in right-to-left text."""
        return Markup(self._iso(format_currency(amount, "EUR", locale=self.babel_locale)))

    def _clock(self, moment: datetime) -> str:
        return format_time(moment, "HH:mm", tzinfo=self.tz, locale=self.babel_locale)

    def fmt_datetime(self, moment: datetime, fmt: str = "medium") -> Markup:
        """A date in the locale's words and a 24-hour time, joined the locale's way."""
        local = moment.astimezone(self.tz)
        date = format_date(local, format=fmt, locale=self.babel_locale)
        joined = str(self.babel_locale.datetime_formats[fmt]).replace("'", "")
        text = joined.replace("{1}", date).replace("{0}", self._clock(moment))
        return Markup(self._iso(html.escape(text, quote=False)))

    def fmt_date(self, moment: datetime, fmt: str = "medium") -> Markup:
        text = format_date(moment.astimezone(self.tz), format=fmt, locale=self.babel_locale)
        return Markup(self._iso(html.escape(text, quote=False)))

    def fmt_time(self, moment: datetime) -> Markup:
        """21:30, never 9:30 PM: the bot asks people to type times that way too."""
        return Markup(self._iso(self._clock(moment)))

    def fmt_day(self, moment: datetime) -> Markup:
        """A short day with its weekday, e.g. 'mar. 2 déc.': enough to plan a week."""
        local = moment.astimezone(self.tz)
        text = format_skeleton("MMMEd", local, locale=self.babel_locale)
        return Markup(self._iso(html.escape(text, quote=False)))

    def fmt_month(self, year: int, month: int) -> Markup:
        middle = datetime(year, month, 15, 12, tzinfo=self.tz)  # no time zone can shift the month
        text = format_skeleton("yMMMM", middle, locale=self.babel_locale)
        return Markup(self._iso(html.escape(text, quote=False)))

    def fmt_duration(self, span: timedelta) -> Markup:
        """Hours and minutes, e.g. '2 h 5 min', in the locale's own short unit names (from
        the catalogues: Babel has none for some of our languages and would show 'h')."""
        minutes = max(0, round(span.total_seconds() / 60))
        hours, minutes = divmod(minutes, 60)
        parts = []
        if hours:
            parts.append(self._unit(DURATION_HOURS, hours))
        if minutes or not hours:
            parts.append(self._unit(DURATION_MINUTES, minutes))
        return Markup(self._iso(html.escape(" ".join(parts), quote=False)))

    def _unit(self, unit: tuple[str, str, str], amount: int) -> str:
        context, singular, plural = unit
        pattern = self._translations.unpgettext(context, singular, plural, amount)
        return pattern.format(n=format_decimal(amount, locale=self.babel_locale))

    def fmt_quantity(self, quantity: int, unit: str, name: str) -> Markup:
        """ "40 × blankets", "12 kg wood", "30 L water", with the locale's unit symbols."""
        if unit in ("kg", "litre"):
            measure = "mass-kilogram" if unit == "kg" else "volume-liter"
            amount = format_unit(quantity, measure, length="short", locale=self.babel_locale)
        else:
            amount = f"{format_decimal(quantity, locale=self.babel_locale)} ×"
        return Markup(f"{self._iso(html.escape(amount, quote=False))} {self.value(name)}")

    def phone(self, number: str) -> Markup:
        """A number to dial: Latin digits, isolated so RTL text does not reverse it."""
        return Markup(isolate_ltr(html.escape(number, quote=False)))

    def _iso(self, text: str) -> str:
        return isolate(text) if self.rtl else text
