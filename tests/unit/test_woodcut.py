"""Reading `/woodcut <date> <HH:MM> [place] [slots]`, and a session's post at its limits."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.support import NullTranslations
from hypothesis import given
from hypothesis import strategies as st

from bot.handlers.planning import post_keyboard, render_post
from bot.i18n import Translator
from bot.services.errors import DomainError
from bot.services.outbox import MAX_TEXT, utf16_length
from bot.services.woodcut import (
    DEFAULT_LENGTH,
    DEFAULT_SLOTS,
    MAX_SLOTS,
    WoodcutRequest,
    parse_slots,
    parse_when,
    split_woodcut,
)
from bot.storage import Storage
from bot.storage.database import available_migrations
from bot.storage.models import PlannedShift, Role, User

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)  # Tuesday, 21:00 in Paris


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow 09:30", WoodcutRequest("tomorrow", "09:30", None, None)),
        ("2026-12-05 9h30 Marck 6", WoodcutRequest("2026-12-05", "9h30", "Marck", "6")),
        (
            "après demain 9h @ Grande Synthe",
            WoodcutRequest("après demain", "9h", "Grande Synthe", None),
        ),
        ("samedi ٩:٣٠ ١٢", WoodcutRequest("samedi", "9:30", None, "12")),
        ("05/12 09:00 - 12:00 @Marck 4", WoodcutRequest("05/12", "09:00-12:00", "Marck", "4")),
        ("tomorrow 09:30 Marck -3", WoodcutRequest("tomorrow", "09:30", "Marck", "-3")),
    ],
)
def test_a_line_is_read_word_by_word(text: str, expected: WoodcutRequest) -> None:
    assert split_woodcut(text) == expected


@pytest.mark.parametrize(
    "text", ["", "   ", "09:30", "tomorrow", "tomorrow 9pm", "tomorrow 09:30 Marck 4 5", "@ 9:30"]
)
def test_a_line_of_another_shape_gets_the_usage(text: str) -> None:
    with pytest.raises(DomainError) as refused:
        split_woodcut(text)
    assert refused.value.code == "woodcut_usage"


@given(st.text(max_size=80))
def test_any_text_is_read_or_refused_with_a_sentence(text: str) -> None:
    try:
        found = split_woodcut(text)
    except DomainError as error:
        refused = error.code
    else:
        refused = None
        assert found.date_text
        assert found.time_text
    assert refused in (None, "woodcut_usage")


def test_slots_default_to_eight_and_stay_between_one_and_a_hundred() -> None:
    assert parse_slots(None) == DEFAULT_SLOTS == 8
    assert parse_slots("1") == 1
    assert parse_slots(str(MAX_SLOTS)) == MAX_SLOTS == 100
    for bad in ("0", "101", "-1", "99999999999999999999", "x"):
        with pytest.raises(DomainError) as refused:
            parse_slots(bad)
        assert refused.value.code == "bad_slots"
        assert refused.value.params["value"] == bad


def test_a_session_lasts_three_hours_unless_its_end_is_written() -> None:
    starts, ends = parse_when("samedi", "9:30", NOW, PARIS)
    assert starts == datetime(2026, 12, 5, 8, 30, tzinfo=UTC)
    assert ends - starts == DEFAULT_LENGTH == timedelta(hours=3)
    starts, ends = parse_when("2026-12-05", "22:00-01:00", NOW, PARIS)
    assert ends - starts == timedelta(hours=3)
    assert ends.astimezone(PARIS).day == 6


@pytest.mark.parametrize(
    ("date_text", "time_text", "code"),
    [
        ("2026-11-30", "09:30", "in_the_past"),
        ("today", "20:59", "in_the_past"),
        ("2026-12-05", "24:00", "bad_time"),
        ("2026-02-30", "09:30", "bad_plan_date"),
        ("someday", "09:30", "bad_plan_date"),
        ("2026-12-05", "06:00-23:00", "too_long"),
    ],
)
def test_impossible_times_are_refused(date_text: str, time_text: str, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        parse_when(date_text, time_text, NOW, PARIS)
    assert refused.value.code == code


def test_a_time_the_clocks_skip_is_refused_and_a_repeated_one_is_the_first() -> None:
    spring = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)
    with pytest.raises(DomainError) as refused:
        parse_when("2027-03-28", "02:30", spring, PARIS)
    assert refused.value.code == "woodcut_time_skipped"
    starts, ends = parse_when("2027-03-28", "01:30", spring, PARIS)
    # 01:30 winter time, three real hours: 05:30 summer time on the wall.
    assert ends.astimezone(PARIS).hour == 5
    autumn = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
    starts, _ = parse_when("2026-10-25", "02:30", autumn, PARIS)
    assert starts == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 summer time


def volunteer(user_id: int) -> User:
    return User(
        id=user_id,
        locale="en",
        telegram_language="en",
        role=Role.VOLUNTEER,
        antenna="calais",
        display_name="<&>" * 21,
        username=f"user_{user_id:026d}",
        active=True,
        created_at=NOW,
        last_seen_at=NOW,
        menu_signature=None,
    )


def test_a_full_session_of_a_hundred_long_names_fits_one_message() -> None:
    t = Translator("en", NullTranslations(), PARIS)
    session = PlannedShift(
        2**40, "calais", "woodyard", NOW, NOW, 100, 1, None, 100, kind="woodcut"
    )
    text = render_post(t, session, [volunteer(i) for i in range(100)])
    assert utf16_length(text) < MAX_TEXT
    assert "<&>" not in text  # names are escaped
    keyboard = post_keyboard(t, session)
    assert keyboard is not None
    assert [button.text for row in keyboard for button in row] == [
        "🪵 I'm in (100/100)",
        "👥 Participants",
    ]


async def test_migration_0015_keeps_every_planned_shift_a_shift(tmp_path: Path) -> None:
    """A database from before 0015: its planned shifts and sign-ups stay shifts."""
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at TEXT NOT NULL)"
        )
        for version, name, script in available_migrations():
            if version < 15:
                old.executescript(script)
                old.execute("INSERT INTO schema_migrations VALUES (?, ?, '')", (version, name))
        old.execute(
            "INSERT INTO planned_shifts (antenna, activity, starts_at, ends_at, needed, "
            "created_by, created_at) VALUES ('calais', 'woodyard', "
            "'2026-12-05T08:30:00.000000Z', '2026-12-05T11:30:00.000000Z', 4, NULL, '')"
        )
    storage = Storage(path)
    assert "0015_woodcut_sessions" in await storage.open()
    try:
        planned = await storage.planning.get(1)
        assert planned is not None
        assert (planned.kind, planned.activity, planned.needed) == ("shift", "woodyard", 4)
        with pytest.raises(sqlite3.IntegrityError):
            await storage.db.execute("UPDATE planned_shifts SET kind = 'party' WHERE id = 1")
    finally:
        await storage.close()
