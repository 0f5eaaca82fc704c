from __future__ import annotations

from babel.messages.catalog import Catalog

from bot.i18n.check import check_catalog

WANTED = {("Hello {name}", None), ("Menu", "button"), ("{n} item", None)}


def catalog(
    hello: str = "Bonjour {name}",
    menu: str = "Menu",
    items: tuple[str, ...] = ("{n} objet", "{n} d’objets", "{n} objets"),
) -> Catalog:
    cat = Catalog(locale="fr")
    cat.add("Hello {name}", hello)
    cat.add("Menu", menu, context="button", flags=["fuzzy"])
    cat.add(("{n} item", "{n} items"), items)
    return cat


def test_a_complete_catalogue_passes_and_counts_unreviewed_entries() -> None:
    report = check_catalog("fr", catalog(), WANTED, num_plurals=3)
    assert report.ok
    assert (report.translated, report.fuzzy) == (3, 1)


def test_an_empty_or_missing_translation_fails() -> None:
    report = check_catalog("fr", catalog(hello=""), {*WANTED, ("Absent", None)}, num_plurals=3)
    assert sorted(report.missing) == ["Absent", "Hello {name}"]
    assert not report.ok


def test_a_lost_placeholder_or_a_bare_ampersand_fails() -> None:
    report = check_catalog(
        "fr", catalog(hello="Bonjour {nom}", menu="Menu & co"), WANTED, num_plurals=3
    )
    assert len(report.broken) == 2


def test_missing_plural_forms_fail() -> None:
    report = check_catalog("fr", catalog(items=("{n} objet", "{n} objets")), WANTED, 3)
    assert report.missing == ["{n} item"]
