"""Babel's CLDR data cut to what the bot reads (bot/i18n/cldr.py) answers every question the bot
asks Babel exactly as the whole data does, in every shipped language."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel import Locale, core, localedata
from babel.dates import format_date, format_skeleton, get_day_names, get_relative_name
from babel.units import get_unit_name

from bot.flyer import english_name
from bot.handlers.cards import language_name
from bot.i18n import FSI, LANGUAGES, PDI, Catalogs, babel_locales, cldr
from bot.services import keywords
from bot.services.catalogue import _plural_form

PARIS = ZoneInfo("Europe/Paris")
MOMENTS = [
    # Both nights the clocks change, a new year's eve and a summer afternoon.
    datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 59, tzinfo=UTC),
    datetime(2027, 7, 14, 15, 5, tzinfo=UTC),
]


def answers() -> list[Any]:
    """What the bot asks Babel, as the code asks it."""
    catalogs = Catalogs()
    found: list[Any] = []
    for code in LANGUAGES:
        t = catalogs.translator(code, PARIS)
        babel = t.babel_locale
        for moment in MOMENTS:
            found += [t.fmt_datetime(moment, fmt) for fmt in ("short", "medium", "long")]
            found += [t.fmt_date(moment, fmt) for fmt in ("short", "medium", "long", "full")]
            found += [t.fmt_time(moment), t.fmt_day(moment)]
            found += [
                format_date(moment.date(), "EEE", locale=babel),  # housing
                format_skeleton("yMMMEd", moment, locale=babel),  # plan form
            ]
        found += [t.fmt_month(2026, month) for month in range(1, 13)]
        found += [t.fmt_number(Decimal(value)) for value in ("0", "7", "1234.5", "-12", "1e6")]
        found += [t.fmt_money(Decimal(value)) for value in ("0", "3.50", "1234.56")]
        found += [t.fmt_duration(timedelta(minutes=value)) for value in (0, 5, 60, 125, 1501)]
        found += [t.fmt_quantity(n, unit, "x") for n in (1, 12) for unit in ("kg", "litre", "")]
        found += [_plural_form(code, n) for n in (0, 1, 2, 3, 11, 100, 1_000_000)]
        found += [babel.plural_form(n) for n in (0, 1, 2, 3, 11, 100)]
        found += [babel.character_order, babel.text_direction]
        found += [
            get_day_names(width, context, babel)
            for width in ("wide", "abbreviated")
            for context in ("format", "stand-alone")
        ]
        found += [
            get_relative_name(field, offset, locale=babel)
            for field in ("day", "week", "month", "year")
            for offset in (-2, -1, 0, 1, 2)
        ]
        found += [
            get_unit_name(unit, length="long", locale=babel)
            for unit in ("duration-week", "duration-month")
        ]
        found += [language_name(t, other) for other in LANGUAGES]
        found += [keywords.period_word(code, period) for period in keywords.PERIOD_FIELDS]
        found.append(keywords.day_choices(t))
    found += [english_name(code) for code in LANGUAGES]
    found += [keywords._period_index(), keywords._day_index()]
    return found


def forget_babel_data() -> None:
    localedata.clear_caches()
    core._global_data = None
    keywords._period_index.cache_clear()
    keywords._day_index.cache_clear()


@pytest.fixture
def whole_data() -> Iterator[None]:
    """Babel's whole data for the test; the process is left with the cut data, as at start-up."""
    Catalogs()  # read once per process: not again, with its cut, inside the test
    forget_babel_data()
    yield
    forget_babel_data()
    cldr.load(babel_locales(), languages=LANGUAGES)


@pytest.mark.usefixtures("whole_data")
def test_the_cut_data_answers_as_the_whole_data() -> None:
    whole = answers()
    assert "time_zones" in localedata.load("fr")

    keywords._period_index.cache_clear()
    keywords._day_index.cache_clear()
    cldr.load(babel_locales(), languages=LANGUAGES)

    # Cut: the world's time zones and units are gone, in each language and its parents.
    for identifier in ("fr", "ar", "en_GB", "en_001", "root", str(Locale.parse("kmr"))):
        data = localedata.load(identifier)
        assert "time_zones" not in data
        assert set(data.get("unit_patterns", {})) <= cldr.UNITS
    assert answers() == whole


def test_what_the_bot_asks_for_is_kept() -> None:
    assert {field for field, _ in keywords.PERIOD_FIELDS.values()} | {"day"} <= cldr.DATE_FIELDS
    assert {"duration-week", "duration-month", "mass-kilogram", "volume-liter"} <= cldr.UNITS
    # The languages the cards and the flyer name, after the cut.
    french = Catalogs().translator("fr", PARIS)
    assert language_name(french, "ar") == f"arabe ({FSI}العربية{PDI})"
    assert english_name("ti") == "Tigrinya"


@pytest.mark.usefixtures("whole_data")
def test_cutting_twice_changes_nothing() -> None:
    cldr.load(babel_locales(), languages=LANGUAGES)
    once = answers()
    cldr.load(babel_locales(), languages=LANGUAGES)
    assert answers() == once
