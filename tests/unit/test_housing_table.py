"""/housing's night table (issue 12): columns that stay columns, a bar per tenth of the beds,
⚠️ from the night the house is full, and left to right in a right-to-left language."""

from __future__ import annotations

from datetime import date, timedelta
from gettext import NullTranslations
from zoneinfo import ZoneInfo

from bot.handlers.housing import BAR, bar, table
from bot.i18n import LRM, RLM, Translator
from bot.services.housing import NightCount

PARIS = ZoneInfo("Europe/Paris")


def counts(booked: list[int], beds: int) -> list[NightCount]:
    first = date(2026, 12, 28)
    return [NightCount(first + timedelta(days=n), b, beds) for n, b in enumerate(booked)]


def test_the_bar_counts_tenths_of_the_beds() -> None:
    empty, one, half, full, over = counts([0, 1, 7, 14, 15], 14)
    assert bar(empty) == "·" * BAR
    assert bar(one) == "█" + "·" * (BAR - 1)  # one person is never an empty bar
    assert bar(half) == "█" * 5 + "·" * 5
    assert bar(full) == "█" * BAR
    assert bar(over) == "█" * BAR + "+"


def test_rows_line_up_across_a_year_end() -> None:
    t = Translator("en", NullTranslations(), PARIS)
    shown = table(t, counts([3, 10, 14, 0, 15], 14))
    assert shown.startswith("<pre>")
    assert shown.endswith("</pre>")
    rows = shown.removeprefix("<pre>").removesuffix("</pre>").split("\n")
    assert rows[0] == "Mon 28/12  3/14 ██········"
    assert rows[3] == "Thu 31/12  0/14 ··········"
    assert rows[4] == "Fri 01/01 15/14 ██████████+ ⚠️"
    assert rows[2].endswith("██████████ ⚠️")
    assert "⚠️" not in rows[1]
    # The bars start in the same column on every row.
    assert len({row.index("/14") for row in rows}) == 1


def test_left_to_right_with_latin_digits_in_arabic() -> None:
    t = Translator("ar", NullTranslations(), PARIS)
    shown = table(t, counts([2, 12], 14))
    assert shown.startswith(LRM + "<pre>")
    rows = shown.removeprefix(LRM + "<pre>").removesuffix("</pre>").split("\n")
    assert rows == [LRM + "28/12  2/14 █·········", LRM + "29/12 12/14 █████████·"]
    assert RLM not in shown
    assert t.right_to_left(shown) == shown  # the reply leaves every line as it is
