"""Languages: gettext catalogues, locale negotiation, Babel formatting and RTL helpers.

Messages are marked with the keywords `_`, `n_`, `p_`, `np_` (methods of `Translator`) and
`N_`/`pN_` (module-level markers for strings translated later); `babel.cfg` lists them.
Placeholders are named and filled after translation; their values are HTML-escaped because
every message is sent with parse_mode HTML.
"""

from __future__ import annotations

import html
import io
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from babel.units import format_unit

from bot.config import SHIPPED_LOCALES

log = logging.getLogger(__name__)

DOMAIN = "bot"
LOCALES_DIR = Path(__file__).resolve().parent.parent.parent / "locales"

# Unicode isolates: keep a phone number or a Latin name from reordering the RTL line around it.
LRI, PDI = "\u2066", "\u2069"
# Right-to-left mark: starts a line right-to-left whatever its first letters are.
RLM = "\u200f"


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
    "ckb": Language("ckb", "کوردی", True, None),
    "vi": Language("vi", "Tiếng Việt", False, "vi"),
    "so": Language("so", "Soomaali", False, "so"),
    # English readers here are in Europe: day-first dates and a 24-hour clock (en_GB).
    "en": Language("en", "English", False, "en", formats="en_GB"),
    "fr": Language("fr", "Français", False, "fr"),
}
assert set(LANGUAGES) == set(SHIPPED_LOCALES)

# Telegram sends the client's IETF tag; these map neighbouring codes onto what we ship.
LANGUAGE_ALIASES = {"prs": "fa", "pbt": "ps", "pbu": "ps", "ku": "ckb", "sdh": "ckb"}


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
    """Wrap a left-to-right fragment (phone number, Latin name) for safe use in RTL text."""
    return f"{LRI}{text}{PDI}"


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


def load_po(path: Path) -> Translations:
    """Load a .po file, fuzzy entries included: an unreviewed sentence beats a foreign one."""
    with path.open("rb") as source:
        catalog = read_po(source, locale=path.parent.parent.name, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=True)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


class Catalogs:
    """Every shipped catalogue, loaded once at start-up."""

    def __init__(self, locales_dir: Path = LOCALES_DIR) -> None:
        self._translations: dict[str, NullTranslations] = {}
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
        for code in LANGUAGES:
            self._translations[code] = load_po(locales_dir / code / "LC_MESSAGES" / f"{DOMAIN}.po")

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
        if params:
            text = text.format(**{key: escape(value) for key, value in params.items()})
        return self.right_to_left(text)

    def right_to_left(self, text: str) -> str:
        """In a right-to-left locale, every line starts right to left: a line that begins
        with an emoji (ℹ️, 🆘), a digit or a Latin word would otherwise be laid out left to
        right, its words in the wrong order for the reader. Done once here, for every
        translated message and button; lines already marked are left alone."""
        if not self.rtl:
            return text
        return "\n".join(
            line if not line or line.startswith(RLM) else RLM + line for line in text.split("\n")
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

    # Formatting. Numbers stay in Latin digits (SPEC §2: numbers people dial or compare).
    def fmt_number(self, value: float) -> Markup:
        return Markup(self._ltr(format_decimal(value, locale=self.babel_locale)))

    def fmt_datetime(self, moment: datetime, fmt: str = "medium") -> Markup:
        text = format_datetime(moment, format=fmt, tzinfo=self.tz, locale=self.babel_locale)
        return Markup(self._ltr(html.escape(text, quote=False)))

    def fmt_date(self, moment: datetime, fmt: str = "medium") -> Markup:
        text = format_date(moment.astimezone(self.tz), format=fmt, locale=self.babel_locale)
        return Markup(self._ltr(html.escape(text, quote=False)))

    def fmt_time(self, moment: datetime, fmt: str = "short") -> Markup:
        text = format_time(moment, format=fmt, tzinfo=self.tz, locale=self.babel_locale)
        return Markup(self._ltr(html.escape(text, quote=False)))

    def fmt_day(self, moment: datetime) -> Markup:
        """A short day with its weekday, e.g. 'mar. 2 déc.': enough to plan a week."""
        local = moment.astimezone(self.tz)
        text = format_skeleton("MMMEd", local, locale=self.babel_locale)
        return Markup(self._ltr(html.escape(text, quote=False)))

    def fmt_month(self, year: int, month: int) -> Markup:
        middle = datetime(year, month, 15, 12, tzinfo=self.tz)  # no time zone can shift the month
        text = format_skeleton("yMMMM", middle, locale=self.babel_locale)
        return Markup(self._ltr(html.escape(text, quote=False)))

    def fmt_duration(self, span: timedelta) -> Markup:
        """Hours and minutes, e.g. '2 h 05 min', in the locale's short unit names."""
        minutes = max(0, round(span.total_seconds() / 60))
        hours, minutes = divmod(minutes, 60)
        parts = []
        if hours:
            parts.append(
                format_unit(hours, "duration-hour", length="short", locale=self.babel_locale)
            )
        if minutes or not hours:
            parts.append(
                format_unit(minutes, "duration-minute", length="short", locale=self.babel_locale)
            )
        return Markup(self._ltr(html.escape(" ".join(parts), quote=False)))

    def fmt_quantity(self, quantity: int, unit: str, name: str) -> Markup:
        """ "40 × blankets", "12 kg wood", "30 L water", with the locale's unit symbols."""
        if unit in ("kg", "litre"):
            measure = "mass-kilogram" if unit == "kg" else "volume-liter"
            amount = format_unit(quantity, measure, length="short", locale=self.babel_locale)
        else:
            amount = f"{format_decimal(quantity, locale=self.babel_locale)} ×"
        return Markup(f"{self._ltr(html.escape(amount, quote=False))} {escape(name)}")

    def phone(self, number: str) -> Markup:
        """A number to dial: Latin digits, isolated so RTL text does not reverse it."""
        return Markup(isolate_ltr(html.escape(number, quote=False)))

    def _ltr(self, text: str) -> str:
        return isolate_ltr(text) if self.rtl else text
