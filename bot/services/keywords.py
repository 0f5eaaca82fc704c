"""Words people type for an activity, a report period or a day, in every shipped language.

`/report semaine`, `/shift start accompagnement`, `/plan demain 18:00-20:00 distribution`: a
volunteer types the words of their own language, or the English ones of the documentation.
Matched as item names are (`catalogue.normalize`: case, accents, Arabic letter variants, a final
plural "s"), from three sources:
- English and French words written here (the team's working languages, and the commands'
  documented words);
- CLDR through Babel for every shipped locale: weekday names, "today", "tomorrow", "this week",
  "last month"…;
- the activities' translated button labels in every catalogue, so the word on the button works.
A word that names two different things (in two languages) names neither: never a silent guess.
"""

from __future__ import annotations

import functools
import re
from datetime import date, timedelta

from babel import Locale
from babel.dates import get_day_names, get_relative_name
from babel.units import get_unit_name

from bot.i18n import LANGUAGES, Catalogs, Translator, pN_
from bot.services.catalogue import normalize
from bot.services.numerals import numeric

ACTIVITIES = ("maraude", "distribution", "woodyard", "accompaniment", "permanence", "other")
ACTIVITY_LABELS: dict[str, tuple[str, str]] = {
    "maraude": pN_("activity", "🔦 Maraude (outreach round)"),
    "distribution": pN_("activity", "🍲 Distribution"),
    "woodyard": pN_("activity", "🪵 Wood-yard"),
    "accompaniment": pN_("activity", "🤝 Accompaniment"),
    "permanence": pN_("activity", "🏠 Drop-in"),
    "other": pN_("activity", "✳️ Other"),
}
# What the teams say, in French and English, besides the buttons' words.
ACTIVITY_ALIASES: dict[str, tuple[str, ...]] = {
    "maraude": ("maraudes", "outreach", "outreach round", "night round", "tournée", "ronde"),
    "distribution": ("distrib", "distri", "food distribution", "distribution repas"),
    "woodyard": (
        "wood yard",
        "wood",
        "woodcut",
        "wood cutting",
        "bois",
        "chantier bois",
        "chantier",
        "découpe",
        "découpe bois",
        "coupe du bois",
        "coupe bois",
    ),
    "accompaniment": ("accompagnement", "accomp", "accompany", "escort"),
    "permanence": ("perm", "drop in", "dropin", "accueil"),
    "other": ("autre", "autres"),
}

# Roles /promote gives, in the words a coordinator or an admin types besides the role's own
# label in their language (matched whole, as activities are).
ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    "coordinator": (
        "coordinator",
        "coordinators",
        "coord",
        "coordo",
        "coordination",
        "coordinateur",
        "coordinatrice",
        "coordinateur·rice",
        "coordinateurice",
    ),
    "legal": (
        "legal",
        "legal team",
        "lawyer",
        "juriste",
        "juridique",
        "équipe juridique",
        "legal aid",
    ),
}

# Report periods, in the order their buttons are shown.
PERIODS = ("today", "yesterday", "week", "last_week", "month", "last_month", "year")
# (CLDR field, offset) naming each period in every locale.
PERIOD_FIELDS: dict[str, tuple[str, int]] = {
    "today": ("day", 0),
    "yesterday": ("day", -1),
    "week": ("week", 0),
    "last_week": ("week", -1),
    "month": ("month", 0),
    "last_month": ("month", -1),
    "year": ("year", 0),
}
# The first word of each is shown to French and English readers in refusals.
PERIOD_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "fr": {
        "today": ("aujourd’hui", "aujourdhui", "auj", "ajd"),
        "yesterday": ("hier",),
        "week": ("semaine", "cette semaine", "sem"),
        "last_week": ("semaine dernière", "la semaine dernière", "semaine passée"),
        "month": ("mois", "ce mois", "ce mois ci"),
        "last_month": ("mois dernier", "le mois dernier", "mois précédent", "mois passé"),
        "year": ("année", "an", "cette année"),
    },
    "en": {
        "today": ("today",),
        "yesterday": ("yesterday",),
        "week": ("week", "this week"),
        "last_week": ("last week", "last_week", "previous week"),
        "month": ("month", "this month"),
        "last_month": ("last month", "last_month", "previous month"),
        "year": ("year", "this year"),
    },
}
# Days ahead named by a word: today, tomorrow, the day after.
DAY_OFFSETS = (0, 1, 2)
DAY_WORDS: dict[str, dict[int, tuple[str, ...]]] = {
    "fr": {
        0: ("aujourd’hui", "aujourdhui", "auj", "ce soir", "cette nuit"),
        1: ("demain", "demain soir"),
        2: ("après-demain",),
    },
    "en": {
        0: ("today", "tonight"),
        1: ("tomorrow", "tmrw", "tomorrow night"),
        2: ("day after tomorrow",),
    },
}
WEEKDAY_EXTRAS: dict[int, tuple[str, ...]] = {
    1: ("tues",),
    2: ("weds",),
    3: ("thur", "thurs"),
}


def _babel(locale: str) -> Locale:
    language = LANGUAGES.get(locale)
    return Locale.parse(language.formats if language and language.formats else locale)


def _add(index: dict[str, str | None], word: str, value: str) -> None:
    """Index a word; one that already names something else names nothing (ambiguous)."""
    key = normalize(numeric(word))
    if not key:
        return
    if key in index and index[key] != value:
        index[key] = None
    else:
        index.setdefault(key, value)


def _lookup(index: dict[str, str | None], text: str) -> str | None:
    return index.get(normalize(numeric(text)))


def strip_icon(label: str) -> str:
    """ "🔦 Maraude (outreach round)" → "Maraude (outreach round)": the words one types."""
    head, _, rest = label.strip().partition(" ")
    return rest.strip() if rest and not any(ch.isalnum() for ch in head) else label.strip()


def _label_words(label: str) -> list[str]:
    """A button label and its parts: "Maraude (outreach round)", "Maraude", "outreach round"."""
    words = strip_icon(label)
    found = [words]
    if "(" in words:
        outside = re.sub(r"\([^)]*\)", " ", words)
        found.append(outside)
        found += re.findall(r"\(([^)]*)\)", words)
    return found


# --- activities ---------------------------------------------------------------------------------


@functools.cache
def _activity_index() -> dict[str, str | None]:
    """Codes, aliases and the button label of each activity in every catalogue.

    The catalogues are read once, on the first activity typed: they are files shipped with the
    code, as CLDR's data is."""
    index: dict[str, str | None] = {}
    for activity in ACTIVITIES:
        _add(index, activity, activity)
        for alias in ACTIVITY_ALIASES[activity]:
            _add(index, alias, activity)
        for words in _label_words(ACTIVITY_LABELS[activity][1]):
            _add(index, words, activity)
    # The exact words first, so that a translation can never take them over.
    exact = dict(index)
    try:
        catalogs = Catalogs()
    except FileNotFoundError:  # a checkout without catalogues: the words above still work
        return index
    for locale in LANGUAGES:
        translations = catalogs.translations(locale)
        for activity, (context, message) in ACTIVITY_LABELS.items():
            label = translations.upgettext(context, message)
            for words in _label_words(label):
                key = normalize(words)
                if key and key not in exact:
                    _add(index, words, activity)
    return index


def warm_up() -> None:
    """Build every index now (at start-up), not while the first person waits for an answer."""
    _activity_index()
    _period_index()
    _day_index()


def activity_of(text: str) -> str | None:
    """The activity a typed word names, in any shipped language; None if none or ambiguous."""
    return _lookup(_activity_index(), text)


def activity_choices(t: Translator) -> str:
    """The activities as the reader's buttons name them, for a refusal."""
    return ", ".join(strip_icon(t.marked(ACTIVITY_LABELS[activity])) for activity in ACTIVITIES)


# --- roles -------------------------------------------------------------------------------------


def role_of(text: str, labels: dict[str, str] | None = None) -> str | None:
    """The role ("coordinator", "legal") a typed word names: its English or French words, or
    the reader's own label for it (`labels`: role → translated label, whole or one of its
    words of five letters or more: "coordination", "juridique"). None if none or both."""
    index: dict[str, str | None] = {}
    for role, aliases in ROLE_ALIASES.items():
        for alias in aliases:
            _add(index, alias, role)
    exact = dict(index)
    for role, label in (labels or {}).items():
        words = strip_icon(label)
        for word in [words, *(part for part in words.split() if len(part) >= 5)]:
            if normalize(word) not in exact:
                _add(index, word, role)
    return _lookup(index, text)


# --- report periods -----------------------------------------------------------------------------


@functools.cache
def _period_index() -> dict[str, str | None]:
    index: dict[str, str | None] = {}
    for words in PERIOD_WORDS.values():
        for period, names in words.items():
            for name in names:
                _add(index, name, period)
    for period in PERIODS:
        _add(index, period, period)
    exact = dict(index)
    for locale in LANGUAGES:
        babel_locale = _babel(locale)
        found: list[tuple[str, str]] = []
        for period, (field, offset) in PERIOD_FIELDS.items():
            relative = get_relative_name(field, offset, locale=babel_locale)
            if relative:
                found.append((relative, period))
        for period, unit in (("week", "duration-week"), ("month", "duration-month")):
            unit_name = get_unit_name(unit, length="long", locale=babel_locale)
            if unit_name:
                found.append((unit_name, period))
        for word, period in found:
            if normalize(word) not in exact:
                _add(index, word, period)
    return index


def period_of(text: str) -> str | None:
    """The period a typed word names ("semaine", "last month", "هذا الشهر"), or None."""
    return _lookup(_period_index(), text)


def period_word(locale: str, period: str) -> str:
    """The word a reader of `locale` would type for a period."""
    own = PERIOD_WORDS.get(locale)
    if own is not None:
        return own[period][0]
    field, offset = PERIOD_FIELDS[period]
    return get_relative_name(field, offset, locale=_babel(locale)) or PERIOD_WORDS["en"][period][0]


def period_choices(t: Translator) -> str:
    """The period words in the reader's language (and the English ones), for a refusal."""
    words = ", ".join(period_word(t.locale, period) for period in PERIODS)
    if t.locale != "en":
        # The documented command words work in every language too.
        words += " · " + ", ".join(PERIOD_WORDS["en"][period][0] for period in PERIODS[::2])
    return words


# --- days ---------------------------------------------------------------------------------------


@functools.cache
def _day_index() -> dict[str, str | None]:
    """Values: "+N" for N days ahead, "wN" for a weekday (0 is Monday)."""
    index: dict[str, str | None] = {}
    builtin = [
        (name, f"+{offset}")
        for words in DAY_WORDS.values()
        for offset, names in words.items()
        for name in names
    ]
    builtin += [
        (name, f"w{weekday}")
        for weekday, name in get_day_names("wide", locale=_babel("en")).items()
    ]
    builtin += [
        (name, f"w{weekday}") for weekday, extras in WEEKDAY_EXTRAS.items() for name in extras
    ]
    for name, value in builtin:
        _add(index, name, value)
    exact = dict(index)
    for locale in LANGUAGES:
        for name, value in _cldr_days(_babel(locale)):
            if normalize(name) not in exact:
                _add(index, name, value)
    return index


def _cldr_days(locale: Locale) -> list[tuple[str, str]]:
    """A locale's words for today, tomorrow, the day after, and its weekdays' names."""
    found: list[tuple[str, str]] = []
    for offset in DAY_OFFSETS:
        name = get_relative_name("day", offset, locale=locale)
        if name:
            found.append((name, f"+{offset}"))
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            names = get_day_names(width, context, locale)
            found += [(name, f"w{weekday}") for weekday, name in names.items()]
    return found


def day_of(text: str, today: date) -> date | None:
    """The day a word names: today, tomorrow, the day after, or the next such weekday (today
    excluded: on a Monday, "lundi" is in a week, "aujourd’hui" is today)."""
    value = _lookup(_day_index(), text)
    if value is None:
        return None
    if value.startswith("+"):
        return today + timedelta(days=int(value[1:]))
    ahead = (int(value[1:]) - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead)


def day_choices(t: Translator) -> str:
    """Day words in the reader's language, for a refusal."""
    locale = _babel(t.locale)
    words = [
        DAY_WORDS[t.locale][offset][0]
        if t.locale in DAY_WORDS
        else get_relative_name("day", offset, locale=locale) or DAY_WORDS["en"][offset][0]
        for offset in (0, 1)
    ]
    names = get_day_names("wide", "format", locale)
    words += [names[0], names[1]]  # Monday, Tuesday
    return ", ".join(words) + " …"


def weekday_of(text: str) -> int | None:
    """The weekday (0 is Monday) a name gives in any shipped language ("lundi", "Monday",
    "mardis", "الاثنين"), accents and case aside; None for anything else, "today" included."""
    value = _lookup(_day_index(), text)
    if value is None or not value.startswith("w"):
        return None
    return int(value[1:])
