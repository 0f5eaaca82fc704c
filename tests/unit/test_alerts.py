"""Team alerts: reading <when>, and the occurrences across both clock changes (issue 10 §4)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.services.alerts import (
    DAILY,
    ONCE,
    WEEKLY,
    When,
    next_after,
    next_summary,
    parse_when,
)
from bot.services.errors import DomainError

PARIS = ZoneInfo("Europe/Paris")
# Tuesday 1 December 2026, 21:00 in Paris.
NOW = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "when", "text"),
    [
        ("18:00 Soup", When(ONCE, time(18), day=date(2026, 12, 2)), "Soup"),
        ("21h30 Soup", When(ONCE, time(21, 30), day=date(2026, 12, 1)), "Soup"),
        ("8h Soup", When(ONCE, time(8), day=date(2026, 12, 2)), "Soup"),
        ("٠٨:٣٠ شاي", When(ONCE, time(8, 30), day=date(2026, 12, 2)), "شاي"),
        ("2026-12-24 18:00 Noël", When(ONCE, time(18), day=date(2026, 12, 24)), "Noël"),
        ("24/12 18h Noël", When(ONCE, time(18), day=date(2026, 12, 24)), "Noël"),
        ("demain 8h Départ", When(ONCE, time(8), day=date(2026, 12, 2)), "Départ"),
        ("lundi 8h Départ", When(ONCE, time(8), day=date(2026, 12, 7)), "Départ"),
        # Day words of two or three words.
        ("ce soir 22h Maraude", When(ONCE, time(22), day=date(2026, 12, 1)), "Maraude"),
        ("Demain Soir 20h Maraude", When(ONCE, time(20), day=date(2026, 12, 2)), "Maraude"),
        ("tomorrow night 20:00 Soup", When(ONCE, time(20), day=date(2026, 12, 2)), "Soup"),
        ("day after tomorrow 9:00 Soup", When(ONCE, time(9), day=date(2026, 12, 3)), "Soup"),
        ("daily 08:00 Tea", When(DAILY, time(8)), "Tea"),
        ("every day 8h Tea", When(DAILY, time(8)), "Tea"),
        ("Chaque Jour 8h Thé", When(DAILY, time(8)), "Thé"),
        ("tous les jours 7h30 Thé", When(DAILY, time(7, 30)), "Thé"),
        ("quotidien ٧:٠٠ Thé", When(DAILY, time(7)), "Thé"),
        ("weekly monday 18:00 Stock", When(WEEKLY, time(18), weekday=0), "Stock"),
        ("every Friday 6:30 Stock", When(WEEKLY, time(6, 30), weekday=4), "Stock"),
        ("chaque lundi 18h Stock", When(WEEKLY, time(18), weekday=0), "Stock"),
        ("tous les mardis 18h Stock", When(WEEKLY, time(18), weekday=1), "Stock"),
        ("hebdo MERCREDI 18h Stock", When(WEEKLY, time(18), weekday=2), "Stock"),
        ("weekly الاثنين 18:00 Stock", When(WEEKLY, time(18), weekday=0), "Stock"),
        ("weekly Isniin 18:00 Stock", When(WEEKLY, time(18), weekday=0), "Stock"),
        ("weekly ሰኑይ 18:00 Stock", When(WEEKLY, time(18), weekday=0), "Stock"),
        ("weekly Thứ Hai 18:00 Stock", When(WEEKLY, time(18), weekday=0), "Stock"),
        ("weekly dimanche 9h Line one\nline two", When(WEEKLY, time(9), weekday=6), ""),
    ],
)
def test_each_form_of_when(raw: str, when: When, text: str) -> None:
    parsed, rest = parse_when(raw, NOW, PARIS)
    assert parsed == when
    if text:
        assert rest == text
    else:
        assert rest == "Line one\nline two"  # line breaks of the text are kept


@pytest.mark.parametrize(
    "raw",
    [
        "soon Soup",
        "25:00 Soup",
        "daily 25:00 Tea",
        "daily Tea",
        "weekly someday 18:00 Stock",
        "weekly demain 18:00 Stock",  # "tomorrow" is no weekday
        "weekly monday Stock",
        "2026-02-30 18:00 x",
        "2030 Soup",
    ],
)
def test_a_bad_when_is_refused(raw: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_when(raw, NOW, PARIS)
    assert caught.value.code == "bad_when"


def test_a_date_in_the_past_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        parse_when("2026-12-01 20:00 Too late", NOW, PARIS)
    assert caught.value.code == "in_the_past"


def test_empty_input_is_usage() -> None:
    with pytest.raises(DomainError) as caught:
        parse_when("   ", NOW, PARIS)
    assert caught.value.code == "alert_usage"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_daily_across_the_spring_gap_fires_once_at_three() -> None:
    """29 March 2026: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist that night."""
    daily = When(DAILY, time(2, 30))
    saturday = next_after(daily, utc(2026, 3, 27, 12), PARIS)
    assert saturday == utc(2026, 3, 28, 1, 30)  # 02:30 CET
    sunday = next_after(daily, saturday, PARIS)
    assert sunday == utc(2026, 3, 29, 1, 0)  # 03:00 CEST, right after the gap
    monday = next_after(daily, sunday, PARIS)
    assert monday == utc(2026, 3, 30, 0, 30)  # 02:30 CEST
    # Once only that night: nothing between the one after the gap and Monday's.
    assert next_after(daily, utc(2026, 3, 29, 0, 59), PARIS) == sunday


def test_daily_across_the_autumn_repeat_fires_once_the_first_time() -> None:
    """25 October 2026: 03:00 CEST goes back to 02:00 CET; 02:30 shows twice that night."""
    daily = When(DAILY, time(2, 30))
    sunday = next_after(daily, utc(2026, 10, 24, 12), PARIS)
    assert sunday == utc(2026, 10, 25, 0, 30)  # the first 02:30, summer time (fold=0)
    # The second 02:30 (01:30 UTC) is not another occurrence.
    monday = next_after(daily, sunday, PARIS)
    assert monday == utc(2026, 10, 26, 1, 30)  # 02:30 CET


def test_weekly_sunday_across_both_nights() -> None:
    weekly = When(WEEKLY, time(2, 30), weekday=6)
    assert next_after(weekly, utc(2026, 3, 23), PARIS) == utc(2026, 3, 29, 1, 0)
    assert next_after(weekly, utc(2026, 3, 29, 1, 0), PARIS) == utc(2026, 4, 5, 0, 30)
    assert next_after(weekly, utc(2026, 10, 19), PARIS) == utc(2026, 10, 25, 0, 30)
    assert next_after(weekly, utc(2026, 10, 25, 0, 30), PARIS) == utc(2026, 11, 1, 1, 30)


def test_once_is_none_when_past() -> None:
    once = When(ONCE, time(18), day=date(2026, 12, 2))
    assert next_after(once, NOW, PARIS) == utc(2026, 12, 2, 17)
    assert next_after(once, utc(2026, 12, 2, 17), PARIS) is None


def test_weekly_summary_is_monday_eight_local() -> None:
    assert next_summary(NOW, PARIS) == utc(2026, 12, 7, 7)
    # Across the spring change: Monday 30 March 08:00 CEST.
    assert next_summary(utc(2026, 3, 23, 7), PARIS) == utc(2026, 3, 30, 6)
