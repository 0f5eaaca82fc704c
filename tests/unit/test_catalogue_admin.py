"""Names coordinators may give, and migration 0013 on a database that already has logs."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.services.catalogue import Catalogue, load_content
from bot.services.catalogue_admin import MAX_NAME, clean_name
from bot.services.errors import DomainError
from bot.storage import Storage
from bot.storage.database import available_migrations

NOW = datetime(2026, 12, 1, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Parking   Lidl ", "Parking Lidl"),
        ("Tea & biscuits", "Tea & biscuits"),
        ("I <3 soup", "I <3 soup"),
        ("a > b", "a > b"),
        ("کیسه\u200cخواب", "کیسه\u200cخواب"),  # a Persian non-joiner between letters
        ("e\u0301te\u0301", "été"),  # stored composed: counted as people see it
        ("x" * MAX_NAME, "x" * MAX_NAME),
        ("Extra 107", "Extra 107"),
        ("Tea and biscuits", "Tea and biscuits"),
        ("24h", "24h"),
        ("Et cetera", "Et cetera"),
    ],
)
def test_plain_names_are_kept_tidy(typed: str, stored: str) -> None:
    assert clean_name(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "name_empty"),
        (" \t ", "name_empty"),
        ("x" * (MAX_NAME + 1), "name_too_long"),
        ("é" * (MAX_NAME + 1), "name_too_long"),
        ("x", "name_too_short"),
        ("<b>x</b>", "name_markup"),
        ("< script", "name_markup"),
        ("<!-- x -->", "name_markup"),
        ("Soap &amp; co", "name_markup"),
        ("Soap &#60; co", "name_markup"),
        ("Soap &#x3c; co", "name_markup"),
        ("\u200cکیسه", "name_markup"),  # a non-joiner with no letter before it
        ("Li\u200bdl", "name_markup"),
        ("Li\u200ddl", "name_markup"),
        ("Lidl\u2066x", "name_markup"),
        ("Lidl\u200f", "name_markup"),
        ("Li\x00dl", "name_markup"),
        ("Li\ue000dl", "name_markup"),  # private use
        ("/places", "name_markup"),
        ("@bot", "name_markup"),
        ("---", "name_no_letters"),
        # What a /distrib line would read otherwise (issue 9 review, point 12).
        ("Gare @ Fréthun", "name_separator"),
        ("Gare@Fréthun", "name_separator"),
        ("soap, shampoo", "name_separator"),
        ("soap; shampoo", "name_separator"),
        ("صابون، شامبو", "name_separator"),
        ("صابون؛ شامبو", "name_separator"),
        ("35", "name_number"),
        ("1e5", "name_number"),
        ("5x", "name_number"),
        ("2.5", "name_number"),
        ("35 12", "name_number"),
        ("٣٥", "name_number"),
        ("et", "name_connector"),
        ("ET", "name_connector"),
        ("and", "name_connector"),
    ],
)
def test_names_a_button_could_not_show_are_refused(typed: str, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        clean_name(typed)
    assert refused.value.code == code


def test_every_shipped_place_and_item_name_passes_the_rule() -> None:
    """content/ is what coordinators' names are compared with: each of its names, in every
    language, is one a coordinator could give (the rule refuses nothing already shipped)."""
    items, places = load_content()
    names = [
        name
        for item in items
        for localized in [*item["names"].values(), list(item.get("singular", {}).values())]
        for name in localized
    ]
    names += [place["name"] for place in places]
    names += [alias for place in places for alias in place.get("aliases", [])]
    assert len(names) > 100
    for name in names:
        assert clean_name(name) == " ".join(name.split()), name


async def test_migration_0013_keeps_every_log_and_name(tmp_path: Path) -> None:
    """A database from before 0013: its places, items and logs are as they were, nothing
    retired, nothing renamed; from then on renames and retirements survive content/."""
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at TEXT NOT NULL)"
        )
        for version, name, script in available_migrations():
            if version < 13:
                old.executescript(script)
                old.execute("INSERT INTO schema_migrations VALUES (?, ?, '')", (version, name))
        old.execute(
            "INSERT INTO users (id, role, antenna, created_at, last_seen_at) "
            "VALUES (1, 'volunteer', 'calais', '', '')"
        )
        old.execute(
            "INSERT INTO items (code, unit, position, created_at) VALUES "
            "('tea', 'portion', 1, ''), ('x_soup', 'portion', 500, '')"
        )
        old.execute(
            "INSERT INTO item_names VALUES ('tea', 'en', 0, 'tea/coffee'), "
            "('tea', 'fr', 0, 'thé/café'), ('x_soup', 'fr', 0, 'Soupe')"
        )
        old.execute(
            "INSERT INTO places (id, antenna, code, name, aliases, created_at) "
            "VALUES (7, 'calais', 'marck', 'Marck', '[\"marck-en-calaisis\"]', '')"
        )
        for index, item in enumerate(("tea", "x_soup", "tea")):
            old.execute(
                "INSERT INTO distributions (antenna, user_id, item_code, quantity, place_id, "
                "slot, logged_at, batch, day) "
                "VALUES ('calais', 1, ?, 10, 7, 'day', '2026-11-30T10:00:00.000000Z', ?, "
                "'2026-11-30')",
                (item, f"b{index}"),
            )
    logs_before = _logs(path)

    storage = Storage(path)
    # Later migrations (0014…) follow it: 0013 is the first applied.
    assert (await storage.open())[0] == "0013_catalogue_renames_and_retirements"
    try:
        catalogue = Catalogue(await storage.catalogue.items(), await storage.catalogue.places())
        assert sorted(catalogue.items) == ["tea", "x_soup"]
        assert catalogue.places[7].name == "Marck"
        assert catalogue.places[7].aliases == ["marck-en-calaisis"]
        assert catalogue.places[7].old_names == []
        assert catalogue.item_name("x_soup", "en") == "Soupe"

        async with storage.transaction():
            await storage.catalogue.rename_place(7, "Marck bridge", ["Marck"], 2, NOW)
            await storage.catalogue.rename_item("tea", "fr", "Boissons chaudes", 2, NOW)
            assert await storage.catalogue.retire_item("x_soup", 2, NOW)
            assert not await storage.catalogue.retire_item("x_soup", 2, NOW)  # a double tap
            # What start-up does with content/: it must not undo any of it.
            await storage.catalogue.upsert_place(
                "calais", "marck", "Marck", ["marck-en-calaisis"], 50.9, 1.9, NOW
            )
            await storage.catalogue.upsert_item(
                "tea", "portion", 1, {"en": ["tea/coffee"], "fr": ["thé/café"]}, NOW
            )
        catalogue = Catalogue(await storage.catalogue.items(), await storage.catalogue.places())
        assert catalogue.places[7].name == "Marck bridge"
        assert catalogue.places[7].latitude == 50.9  # content still brings coordinates
        assert catalogue.match_place("calais", "marck").unique == "7"
        assert catalogue.item_name("tea", "fr") == "Boissons chaudes"
        assert catalogue.item_name("tea", "en") == "tea/coffee"
        assert catalogue.match_item("thé/café").unique == "tea"  # the old name
        assert "x_soup" not in catalogue.items
        assert catalogue.item_name("x_soup", "fr") == "Soupe"  # old logs still name it
        assert catalogue.match_item("soupe").found == []
        assert catalogue.retired_item("soupe") == "x_soup"
    finally:
        await storage.close()
    assert _logs(path) == logs_before


def _logs(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return [tuple(row) for row in db.execute("SELECT * FROM distributions ORDER BY id")]
