"""The item and place catalogues: loaded from `content/`, matched across every language.

Matching ignores case, accents (and Arabic short vowels), Arabic/Persian letter variants and a
final plural "s"/"x" on Latin words, so "Couvertures", "couverture" and "blankets" all find the
same item. A name that matches nothing exactly gets the nearest names as suggestions: the bot
never guesses silently.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from bot.storage.models import Item, Place

CONTENT_DIR = Path(__file__).resolve().parent.parent.parent / "content"
UNITS = ("piece", "litre", "portion", "kg")
# Arabic-script letters that people type interchangeably.
LETTER_VARIANTS = str.maketrans(
    {
        "ى": "ي",
        "ی": "ي",
        "ې": "ي",
        "ك": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "ہ": "ه",
        "ٱ": "ا",
        "\u0640": None,  # tatweel, the stretching stroke
        "\u200c": " ",  # zero-width non-joiner: "sleeping-bag" written with or without it
    }
)
SUGGESTION_CUTOFF = 0.6
MAX_SUGGESTIONS = 4


def normalize(text: str) -> str:
    """A form of a name that ignores what people vary when they type it."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(LETTER_VARIANTS)
    text = re.sub(r"[^\w\s/]", " ", text)
    # A final plural s/x on Latin words: "blankets" = "blanket", "repas" = "repa".
    return " ".join(
        word[:-1] if len(word) > 3 and word.isascii() and word[-1] in "sx" else word
        for word in text.split()
    )


@dataclass(frozen=True)
class Match:
    """What a typed name found: one code, several (ambiguous), or only suggestions."""

    found: list[str]
    suggestions: list[str]

    @property
    def unique(self) -> str | None:
        return self.found[0] if len(self.found) == 1 else None


def _best(index: dict[str, set[str]], text: str) -> Match:
    key = normalize(text)
    if not key:
        return Match([], [])
    exact = index.get(key)
    if exact:
        return Match(sorted(exact), [])
    close = difflib.get_close_matches(key, list(index), n=10, cutoff=SUGGESTION_CUTOFF)
    # Also names that start with what was typed ("couv" → couvertures).
    close += [name for name in index if name.startswith(key) and name not in close]
    suggestions: list[str] = []
    for name in close:
        for code in sorted(index[name]):
            if code not in suggestions:
                suggestions.append(code)
    return Match([], suggestions[:MAX_SUGGESTIONS])


@functools.cache
def _locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return None


def _plural_form(locale: str, quantity: int) -> str:
    """The locale's CLDR plural category of a quantity ("one", "few", "other"…)."""
    parsed = _locale(locale)
    return parsed.plural_form(quantity) if parsed is not None else "other"


class Catalogue:
    """Items and places, indexed by every name in every language.

    `items` and `places` hold what is offered and matched today; `all_items` and `all_places`
    also hold the retired ones, which old logs, reports and exports still name.
    """

    def __init__(
        self,
        items: list[Item],
        places: list[Place],
        singulars: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.all_items = {item.code: item for item in items}
        self.all_places = {place.id: place for place in places}
        self.items = {item.code: item for item in items if not item.retired}
        self.places = {place.id: place for place in places if not place.retired}
        # code -> locale -> the name after a quantity of the locale's "one" plural category.
        self.singulars = {code: names for code, names in (singulars or {}).items() if names}
        self._item_index: dict[str, set[str]] = {}
        self._every_item_index: dict[str, set[str]] = {}
        for item in items:
            names_one = list(self.singulars.get(item.code, {}).values())
            for name in [*item_names(item), *names_one]:
                self._every_item_index.setdefault(normalize(name), set()).add(item.code)
                if not item.retired:
                    self._item_index.setdefault(normalize(name), set()).add(item.code)
        # The longest name in words bounds the look-ahead of the quick form's reader.
        self.longest_item_name = max(
            (len(key.split()) for key in self._every_item_index), default=1
        )
        self._place_index: dict[str, dict[str, set[str]]] = {}
        self._every_place_index: dict[str, dict[str, set[str]]] = {}
        for place in places:
            every = self._every_place_index.setdefault(place.antenna, {})
            index = self._place_index.setdefault(place.antenna, {})
            for name in place_names(place):
                every.setdefault(normalize(name), set()).add(str(place.id))
                if not place.retired:
                    index.setdefault(normalize(name), set()).add(str(place.id))

    def items_named(self, text: str) -> list[str]:
        """Codes of the items, retired ones too, with `text` among their names."""
        return sorted(self._every_item_index.get(normalize(text), set()))

    def places_named(self, antenna: str, text: str) -> list[int]:
        """Ids of the antenna's places, retired ones too, with `text` among their names."""
        found = self._every_place_index.get(antenna, {}).get(normalize(text), set())
        return sorted(int(place_id) for place_id in found)

    def retired_item(self, text: str) -> str | None:
        """The retired item this name means, when it means no item still offered."""
        if self.match_item(text).found:
            return None
        codes = [code for code in self.items_named(text) if self.all_items[code].retired]
        return codes[0] if len(codes) == 1 else None

    def retired_place(self, antenna: str, text: str) -> int | None:
        """The antenna's retired place this name means, when it means no place still offered."""
        if self.match_place(antenna, text).found:
            return None
        ids = [i for i in self.places_named(antenna, text) if self.all_places[i].retired]
        return ids[0] if len(ids) == 1 else None

    def match_item(self, text: str) -> Match:
        return _best(self._item_index, text)

    def match_place(self, antenna: str, text: str) -> Match:
        return _best(self._place_index.get(antenna, {}), text)

    def exact_item(self, text: str) -> str | None:
        """The one item whose name is exactly this (after normalising), or None."""
        found = self._item_index.get(normalize(text))
        return next(iter(found)) if found and len(found) == 1 else None

    def item_name(self, code: str, locale: str, quantity: int | None = None) -> str:
        """The name shown in a locale: its own, else English, else French (SPEC §3).

        With a quantity, the name agrees with it: an item may have a singular per locale
        (content/items.toml), used when the quantity is in that language's "one" category
        ("1 × tente", "2 × tentes"); without one, the usual name. Retired items keep their
        names: old logs and reports still show them.
        """
        item = self.all_items.get(code)
        if item is None:
            return code
        for candidate in (locale, "en", "fr"):
            names = item.names.get(candidate)
            if names:
                singular = self.singulars.get(code, {}).get(candidate)
                one = quantity is not None and _plural_form(candidate, quantity) == "one"
                if singular and one:
                    return singular
                return names[0]
        return code

    def places_by_likeness(self, antenna: str, text: str) -> list[int]:
        """Every place of an antenna still offered, the names nearest to what was typed first."""
        key = normalize(text)

        def likeness(place: Place) -> float:
            return max(
                difflib.SequenceMatcher(None, key, normalize(name)).ratio()
                for name in place_names(place)
            )

        ranked = sorted(self.places_of(antenna), key=lambda p: (-likeness(p), p.name))
        return [place.id for place in ranked]

    def places_of(self, antenna: str, *, retired: bool = False) -> list[Place]:
        """The antenna's places still offered, or (`retired`) the retired ones."""
        every = self.all_places.values()
        return [p for p in every if p.antenna == antenna and p.retired == retired]

    def retired_items(self) -> list[Item]:
        return [item for item in self.all_items.values() if item.retired]

    def nearest_place(
        self, antenna: str, latitude: float, longitude: float, within_km: float
    ) -> Place | None:
        best: tuple[float, Place] | None = None
        for place in self.places_of(antenna):
            if place.latitude is None or place.longitude is None:
                continue
            distance = _km(latitude, longitude, place.latitude, place.longitude)
            if distance <= within_km and (best is None or distance < best[0]):
                best = (distance, place)
        return best[1] if best else None


def item_names(item: Item) -> list[str]:
    """Every name an item answers to: its names in every locale, and its code."""
    names = [name for localized in item.names.values() for name in localized]
    return [*names, item.code.replace("_", " ")]


def place_names(place: Place) -> list[str]:
    """Every name a place answers to: its name, code, aliases and names before a rename."""
    return [place.name, place.code, *place.aliases, *place.old_names]


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), plenty precise at the scale of a town."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def load_content(
    directory: Path = CONTENT_DIR,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The seeded items and places, as written in content/items.toml and places.toml."""
    with (directory / "items.toml").open("rb") as handle:
        items = tomllib.load(handle)["item"]
    with (directory / "places.toml").open("rb") as handle:
        places = tomllib.load(handle)["place"]
    for item in items:
        if item["unit"] not in UNITS:
            raise ValueError(f"item {item['code']}: unknown unit {item['unit']!r}")
        singular = item.get("singular", {})
        if not isinstance(singular, dict) or not all(
            isinstance(name, str) and name for name in singular.values()
        ):
            raise ValueError(f"item {item['code']}: singular must map locales to names")
    return items, places
