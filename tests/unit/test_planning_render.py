"""Rendering a planned shift's post: long lists of names never make a message too long."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.support import NullTranslations

from bot.handlers.planning import render_post
from bot.i18n import Translator
from bot.services.outbox import MAX_TEXT, utf16_length
from bot.storage.models import PlannedShift, Role, User

NOW = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


def volunteer(user_id: int) -> User:
    return User(
        id=user_id,
        locale="en",
        telegram_language="en",
        role=Role.VOLUNTEER,
        antenna="calais",
        display_name="&" * 64,  # the worst case once escaped: five characters each
        username=f"user_{user_id:026d}",
        active=True,
        created_at=NOW,
        last_seen_at=NOW,
        menu_signature=None,
    )


def test_a_post_with_many_long_names_says_how_many_more() -> None:
    t = Translator("en", NullTranslations(), ZoneInfo("Europe/Paris"))
    planned = PlannedShift(1, "calais", "maraude", NOW, NOW, 50, 1, None, 50)
    text = render_post(t, planned, [volunteer(i) for i in range(50)])
    assert utf16_length(text) < MAX_TEXT
    names = text.splitlines()[-1]
    match = re.search(r", and (\d+) more$", names)
    assert match, names
    shown = names.count("(@user_")
    assert shown > 0
    assert shown + int(match.group(1)) == 50


def test_a_short_list_names_everyone() -> None:
    t = Translator("en", NullTranslations(), ZoneInfo("Europe/Paris"))
    planned = PlannedShift(1, "calais", "maraude", NOW, NOW, 3, 1, None, 3)
    names = render_post(t, planned, [volunteer(i) for i in range(3)]).splitlines()[-1]
    assert names.count("(@user_") == 3
    assert "more" not in names
