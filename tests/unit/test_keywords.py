"""Words typed for activities, periods and days, in every shipped language (issue 9, point 5)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from babel.dates import get_day_names, get_relative_name
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import LANGUAGES, Catalogs
from bot.services.errors import DomainError
from bot.services.keywords import (
    ACTIVITIES,
    ACTIVITY_LABELS,
    PERIODS,
    activity_choices,
    activity_of,
    day_of,
    period_choices,
    period_of,
    strip_icon,
)
from bot.services.planning import split_plan
from bot.services.shifts import parse_activity

TUESDAY = date(2026, 12, 1)


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_every_locales_activity_button_label_names_its_activity(locale: str) -> None:
    t = Catalogs().translator(locale, ZoneInfo("Europe/Paris"))
    for activity in ACTIVITIES:
        label = t.marked(ACTIVITY_LABELS[activity])
        assert activity_of(label) == activity, (locale, label)
        assert activity_of(strip_icon(label).upper()) == activity, (locale, label)


@pytest.mark.parametrize(
    ("typed", "activity"),
    [
        ("accompagnement", "accompaniment"),
        ("Accompagnement", "accompaniment"),
        ("bois", "woodyard"),
        ("chantier bois", "woodyard"),
        ("Découpe du bois", "woodyard"),
        ("decoupe du bois", "woodyard"),
        ("perm", "permanence"),
        ("drop-in", "permanence"),
        ("MARAUDE", "maraude"),
        ("outreach round", "maraude"),
        ("autre", "other"),
        ("distrib", "distribution"),
    ],
)
def test_french_and_english_aliases(typed: str, activity: str) -> None:
    assert parse_activity(typed) == activity


@pytest.mark.parametrize("typed", ["", "swimming", "bois bois", "<b>maraude</b>x"])
def test_unknown_activity_names_nothing(typed: str) -> None:
    assert activity_of(typed) is None


@pytest.mark.parametrize(
    ("typed", "period"),
    [
        ("semaine", "week"),
        ("Semaine", "week"),
        ("cette semaine", "week"),
        ("mois", "month"),
        ("aujourd’hui", "today"),
        ("aujourd'hui", "today"),
        ("AUJOURDHUI", "today"),
        ("mois dernier", "last_month"),
        ("le mois dernier", "last_month"),
        ("semaine dernière", "last_week"),
        ("last month", "last_month"),
        ("week", "week"),
        ("hier", "yesterday"),
        ("هذا الشهر", "month"),
        ("الشهر الماضي", "last_month"),
        ("tuần này", "week"),
        ("tuan nay", "week"),
    ],
)
def test_period_words(typed: str, period: str) -> None:
    assert period_of(typed) == period


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_every_locales_cldr_day_words_and_weekdays(locale: str) -> None:
    babel_locale = LANGUAGES[locale].formats or locale
    today = get_relative_name("day", 0, locale=babel_locale)
    tomorrow = get_relative_name("day", 1, locale=babel_locale)
    assert today is not None
    assert tomorrow is not None
    assert day_of(today, TUESDAY) == TUESDAY
    assert day_of(tomorrow, TUESDAY) == date(2026, 12, 2)
    names = get_day_names("wide", "format", babel_locale)
    found = {weekday: day_of(name, TUESDAY) for weekday, name in names.items()}
    # A name shared with another meaning in another language names nothing; the others are
    # the next such day, today excluded.
    assert sum(day is not None for day in found.values()) >= 6, (locale, found)
    for weekday, day in found.items():
        if day is not None:
            assert day.weekday() == weekday
            assert TUESDAY < day <= date(2026, 12, 8)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("demain", date(2026, 12, 2)),
        ("après-demain", date(2026, 12, 3)),
        ("apres demain", date(2026, 12, 3)),
        ("lundi", date(2026, 12, 7)),
        ("Lun.", date(2026, 12, 7)),
        ("mardi", date(2026, 12, 8)),  # today is Tuesday: the next one
        ("monday", date(2026, 12, 7)),
        ("thurs", date(2026, 12, 3)),
        ("الاثنين", date(2026, 12, 7)),
        # Tonight, the French way too (issue 9 review).
        ("ce soir", TUESDAY),
        ("Ce  Soir", TUESDAY),
        ("cette nuit", TUESDAY),
        ("tonight", TUESDAY),
        ("demain soir", date(2026, 12, 2)),
        ("tomorrow night", date(2026, 12, 2)),
        ("jamais", None),
    ],
)
def test_day_words(typed: str, expected: date | None) -> None:
    assert day_of(typed, TUESDAY) == expected


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_refusals_list_words_in_the_readers_language(locale: str) -> None:
    t = Catalogs().translator(locale, ZoneInfo("Europe/Paris"))
    activities = activity_choices(t)
    for activity in ACTIVITIES:
        assert strip_icon(t.marked(ACTIVITY_LABELS[activity])) in activities
    for word in period_choices(t).replace(" · ", ", ").split(", "):
        assert period_of(word) is not None, (locale, word)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.text(max_size=60),
        st.sampled_from(["demain", "lundi", "semaine", "bois", "٢٠٢٦-١٢-٠٣", "18:00 - 20:00"]),
    ),
    st.text(max_size=30),
)
def test_typed_words_never_crash_and_a_plan_line_splits_or_says_usage(
    word: str, rest: str
) -> None:
    for found in (activity_of(word), period_of(word)):
        assert found is None or found in (*ACTIVITIES, *PERIODS)
    day = day_of(word, TUESDAY)
    assert day is None or TUESDAY <= day <= date(2026, 12, 8)
    refused = None
    try:
        request = split_plan(f"{word} {rest}")
    except DomainError as error:
        refused = error.code
    else:
        assert request.date_text
        assert request.activity_text
        assert request.needed_text is None or request.needed_text.lstrip("+-").isdigit()
    assert refused in (None, "plan_usage")
