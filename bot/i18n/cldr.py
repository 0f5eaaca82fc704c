"""Babel's CLDR data, cut down to what the bot reads from it.

Babel loads a language's whole CLDR record the first time it formats anything in it: the names
of every time zone, country, script, currency and unit of the world, merged with its parents'
(`root`, `en_001`…). For our thirteen languages that is 13 MiB of memory, of which the bot
reads a few dates, numbers and four units. Each record is cut as soon as it is loaded, so that
the next one is unpickled into the memory the cut freed (cut afterwards, the holes stay
scattered and the process keeps its size: issue 13, resident memory).

What stays is what `bot/i18n`, `bot/services/keywords.py`, `bot/handlers/cards.py` and the flyer
call Babel for; `tests/unit/test_cldr.py` checks each of those calls gives the same answer as
with Babel's whole record, in every shipped language. A call on something cut away fails loudly
(`format_unit` raises) or falls back to English words (`get_unit_name` answers None): add its
key here first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from babel import Locale, core, localedata

# The units the bot writes or reads: quantities (`Translator.fmt_quantity`) and the periods a
# volunteer may type (`keywords._period_index`).
UNITS = frozenset({"mass-kilogram", "volume-liter", "duration-week", "duration-month"})
# Money is in euros (`Translator.fmt_money`); Babel looks up the currency's name for every
# amount it formats, even where the pattern does not show it.
CURRENCIES = frozenset({"EUR"})
# The relative days and periods a volunteer may type ("yesterday", "last month": keywords), in
# their long form.
DATE_FIELDS = frozenset({"day", "week", "month", "year"})

# Names of the world: time zones, countries, scripts, compact and interval formats, compound
# units. The bot formats none of them.
_UNUSED = (
    "time_zones",
    "meta_zones",
    "zone_formats",
    "territories",
    "scripts",
    "variants",
    "currency_unit_patterns",
    "compact_decimal_formats",
    "compact_currency_formats",
    "interval_formats",
    "compound_unit_patterns",
    "measurement_systems",
)
# Babel's data about the world (`babel.core.get_global`): which languages each country speaks,
# its currencies and time zones. Locale.parse's aliases and likely subtags, the parents and the
# currencies' decimals stay.
_UNUSED_GLOBAL = (
    "territory_languages",
    "territory_currencies",
    "territory_zones",
    "zone_territories",
    "meta_zones",
    "windows_zone_mapping",
    "all_currencies",
)


def load(locales: Iterable[str], languages: Iterable[str]) -> None:
    """Load the CLDR data of `locales` (Babel identifiers, or codes Babel resolves), keeping
    the names of `languages` only (`Locale.languages`: "arabe", "Tigrinya")."""
    kept_languages = frozenset(languages)
    core.get_global("likely_subtags")  # loads Babel's global data
    # Babel's own tables, read by its functions as they are: Babel is pinned (pyproject).
    world = cast("dict[str, Any]", core._global_data)
    for key in _UNUSED_GLOBAL:
        world.pop(key, None)
    for identifier in locales:
        localedata.load(str(Locale.parse(identifier)))
        # Its parents are in Babel's cache too, each a record of its own.
        for name in list(localedata._cache):
            _cut(name, kept_languages)


def _cut(name: str, languages: frozenset[str]) -> None:
    data = localedata.load(name)
    # Written through the view Babel's functions read, which remembers what it served.
    view = localedata.get_locale_data(name)
    for key in _UNUSED:
        if key in data:
            del view[key]
    kept_names = (
        ("languages", languages),
        ("unit_patterns", UNITS),
        ("unit_display_names", UNITS),
        ("date_fields", DATE_FIELDS),
        ("currency_names", CURRENCIES),
        ("currency_names_plural", CURRENCIES),
    )
    for key, kept in kept_names:
        values = data.get(key)
        # Children share their parents' nested dicts until they override them: replaced,
        # never emptied in place.
        if isinstance(values, dict) and not values.keys() <= kept:
            view[key] = {item: values[item] for item in kept if item in values}
