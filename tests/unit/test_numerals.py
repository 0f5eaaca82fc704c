"""The one reader of typed numbers (`bot.services.numerals`), and the parsers that use it:
Latin text goes through unchanged, and a number typed in Arabic-Indic or Extended digits,
with direction marks anywhere, reads as its Latin spelling (issue 14 point 6)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.distributions import parse_quantity
from bot.services.errors import DomainError
from bot.services.numerals import DIRECTION_MARKS, numeric, numeric_words
from bot.services.planning import parse_needed
from bot.services.reports import parse_period
from bot.services.timeparse import parse_clock, parse_date, parse_month
from bot.services.woodcut import parse_slots

ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
EXTENDED = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)

# What people type as numbers, dates, times and periods, in Latin digits.
NUMBERISH = st.text(alphabet="0123456789:.-/+,h x", max_size=20)


@st.composite
def spelled(draw: st.DrawFn, text: str) -> str:
    """`text` with its digits in Arabic-Indic or Extended digits (or kept), and direction
    marks slipped between any two characters."""
    table = draw(st.sampled_from([ARABIC, EXTENDED, str.maketrans({})]))
    marks = st.text(alphabet=DIRECTION_MARKS, max_size=2)
    return "".join(draw(marks) + ch for ch in text.translate(table)) + draw(marks)


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)))
def test_latin_text_is_left_as_it_is(text: str) -> None:
    assert numeric(text) == text


@given(st.data(), NUMBERISH)
def test_any_spelling_reads_as_the_latin_one(data: st.DataObject, text: str) -> None:
    assert numeric(data.draw(spelled(text))) == text


@given(st.data(), st.integers(min_value=0, max_value=10**12))
def test_every_number_round_trips(data: st.DataObject, number: int) -> None:
    typed = data.draw(spelled(str(number)))
    assert int(numeric(typed)) == number


def test_the_characters_it_reads() -> None:
    assert numeric("\u200f٢١:٣٠") == "21:30"
    assert numeric("۲۱:۳۰\u200e") == "21:30"
    assert numeric("\u2067٢٫٥\u2069\u061c") == "2.5"  # the Arabic decimal separator
    assert numeric("٢،٥") == "2,5"  # the Arabic comma, as a Latin one
    assert numeric("١٬٠٠٠") == "1,000"  # the thousands separator, as a Latin one
    assert numeric("\u202b١٢\u202c") == "12"  # an embedding and its pop
    assert numeric("१२") == "12"  # any decimal digit int() reads (here Devanagari)
    assert numeric("²") == "²"  # a superscript is no digit to int(): left alone
    # Letters, spaces and other invisible characters are left to their parsers.
    assert numeric("بطانية\u200c ١٠") == "بطانية\u200c 10"


def test_words_made_of_marks_alone_are_dropped() -> None:
    assert numeric_words(["maraude", "\u200f", "٢٣:٣٠", "\u2066\u2069"]) == ["maraude", "23:30"]
    assert numeric_words([]) == []


@given(st.data(), st.integers(0, 23), st.integers(0, 59))
def test_clocks(data: st.DataObject, hour: int, minute: int) -> None:
    for latin in (f"{hour:02d}:{minute:02d}", f"{hour}h{minute:02d}", f"{hour}.{minute:02d}"):
        assert parse_clock(data.draw(spelled(latin))) == parse_clock(latin)


@given(st.data(), st.dates(date(2000, 1, 1), date(2100, 12, 31)))
def test_dates_and_months(data: st.DataObject, day: date) -> None:
    today = date(2026, 12, 1)
    for latin in (day.isoformat(), day.strftime("%d/%m/%Y")):
        assert parse_date(data.draw(spelled(latin)), today) == day
    month = f"{day.year}-{day.month:02d}"
    assert parse_month(data.draw(spelled(month))) == (day.year, day.month)


@given(st.data(), st.integers(-5, 20_000))
def test_counts(data: st.DataObject, number: int) -> None:
    latin = str(number)
    typed = data.draw(spelled(latin))
    assert parse_quantity(typed) == parse_quantity(latin)
    for parse in (parse_needed, parse_slots):
        try:
            expected: int | str = parse(latin)
        except DomainError as error:
            expected = error.code
        try:
            found: int | str = parse(typed)
        except DomainError as error:
            found = error.code
        assert found == expected


@pytest.mark.parametrize(
    "typed", ["\u200f٢٠٢٦-١١", "۲۰۲۶-۱۱\u200e", "\u2067٢٠٢٦-١١-٠١..٢٠٢٦-١١-٣٠\u2069"]
)
def test_periods(typed: str) -> None:
    period = parse_period(typed, NOW, PARIS)
    assert (period.first_day, period.last_day) == (date(2026, 11, 1), date(2026, 11, 30))


def test_what_is_no_number_stays_refused() -> None:
    for text in ("\u200f", "٢٥:٠٠", "²³:00", "٢١:٣", "٠"):
        with pytest.raises(DomainError):
            parse_clock(text)
    assert parse_quantity("٢٫٥") is None
    assert parse_quantity("١٬٠٠٠") is None  # as "1,000": asked, never read as 1 or 1000
    assert parse_quantity("\u200f") is None
    assert parse_quantity("²") is None
