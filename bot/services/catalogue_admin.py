"""Coordinators keep the places and items up to date: add, rename, retire, restore.

Decisions (issue 9, point 10):

- A name is plain text a button can show: 2 to `MAX_NAME` characters once spaces are tidied,
  no HTML tag or entity, no control, invisible or bidirectional control character (a Persian
  zero-width non-joiner between two letters is spelling, and allowed), no leading "/" or "@"
  (a command, a mention), and letters or digits. A name /distrib could not read back is
  refused too (issue 9 review): no "@", ",", ";" (or the Arabic "،", "؛") anywhere, which a
  /distrib line reads as separators; not only a number ("35", "1e5", "5x": a quantity), nor
  only a connector word ("et", "and": the "and" between two items). A name that matches
  another place of the antenna, or another item, once normalised
  (`bot.services.catalogue.normalize`) is refused: "@ Marck" and "40 tea" must mean one thing.
- Nothing is deleted. A retired place or item is offered on no button and matched by no typed
  name (typing it answers that it is retired); old logs, /report and /export keep naming it.
  A coordinator brings it back with /places restore, /items restore or a button.
- A rename keeps the old name as an accepted alias, for places and items alike: volunteers'
  habits ("@ Marck", "40 thé") keep working, and no other entry may take that name.
- An item is renamed in the language its coordinator uses the bot in. A shipped item keeps its
  names in the other languages (nobody's translation is lost); an item a coordinator added
  has one language, so everyone sees the new name.
- Items are shared by every antenna (the reports add them up across antennas): any
  coordinator's change to an item applies to all. Places belong to an antenna: only its
  coordinators change them.
- The database decides over content/: reloading items.toml and places.toml at start-up never
  un-retires or un-renames anything (renames and retirements live in columns and a table the
  content files never write).
- Pressing a button twice, or sending a command again, changes nothing more and says so.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from bot.clock import Clock
from bot.services.catalogue import UNITS, Catalogue, normalize
from bot.services.distributions import CONNECTORS, DistributionService
from bot.services.errors import DomainError, NotAllowed
from bot.services.numerals import numeric
from bot.services.waits import RENAME, TypedWaits
from bot.storage.interface import Store
from bot.storage.models import Role, User

Kind = Literal["place", "item"]
KINDS: tuple[Kind, ...] = ("place", "item")
# A name fits one button of a two-column keyboard on a phone.
MAX_NAME = 40
MIN_NAME = 2
# Past these the lists no longer help anyone choose (the guided form pages its items, never
# its places); retired entries do not count.
MAX_ITEMS = 60
MAX_PLACES = 60
# A rename asked by button waits this long for the typed name, across restarts.
RENAME_WAIT = timedelta(minutes=15)
# "<b", "</a", "<!--", "<?xml", and entities such as "&lt;", "&#60;", "&#x3c;".
MARKUP = re.compile(
    r"<\s*/?\s*[^\W\d_]|<\s*[!?]|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.IGNORECASE
)
ZWNJ = "\u200c"
# What a /distrib line reads as a separator: before the place, between items.
SEPARATORS = "@,;،؛"
# A word /distrib reads as a quantity: "35", "2.5", "1e5", "5x".
NUMBER_WORD = re.compile(r"[+-]?\d+(?:[.,]\d+)?(?:e[+-]?\d+)?[x×]?", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """A place or an item as a list shows it."""

    kind: Kind
    key: str  # a place's id, an item's code
    name: str
    retired: bool


@dataclass(frozen=True)
class Change:
    """What a coordinator's action did, for the confirmation."""

    kind: Kind
    key: str
    name: str  # the name now
    old: str = ""  # the name before a rename
    changed: bool = True  # False: it already was so (a double tap, a command sent twice)
    other_languages: bool = False  # an item renamed in one language keeps the others


def clean_name(text: str) -> str:
    """The name as it will be stored, or a refusal saying what is wrong with it."""
    name = " ".join(unicodedata.normalize("NFC", text).split())
    if not name:
        raise DomainError("name_empty")
    if len(name) > MAX_NAME:
        raise DomainError("name_too_long", max=MAX_NAME)
    if len(name) < MIN_NAME:
        raise DomainError("name_too_short", min=MIN_NAME)
    if name[0] in "/@" or MARKUP.search(name) or _hidden_characters(name):
        raise DomainError("name_markup")
    if not normalize(name):
        raise DomainError("name_no_letters")
    separator = next((char for char in name if char in SEPARATORS), None)
    if separator is not None:
        raise DomainError("name_separator", char=separator)
    if all(NUMBER_WORD.fullmatch(word) for word in numeric(name).split()):
        raise DomainError("name_number")
    if name.casefold() in CONNECTORS:
        raise DomainError("name_connector", name=name)
    return name


def _hidden_characters(name: str) -> bool:
    """Control, format (zero-width, bidirectional), private or unassigned characters."""
    for index, char in enumerate(name):
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Co", "Cn"):
            return True
        if category == "Cf":
            between_letters = (
                char == ZWNJ
                and 0 < index < len(name) - 1
                and name[index - 1].isalpha()
                and name[index + 1].isalpha()
            )
            if not between_letters:
                return True
    return False


class CatalogueAdmin:
    """Changes to the catalogue, checked against the caller's role on every call."""

    def __init__(self, storage: Store, clock: Clock, distributions: DistributionService) -> None:
        self.storage = storage
        self.clock = clock
        self.distributions = distributions
        self.waits = TypedWaits(storage, clock)

    @property
    def catalogue(self) -> Catalogue:
        return self.distributions.catalogue

    # --- reading: volunteers too --------------------------------------------------------

    def entries(self, actor: User, kind: Kind, locale: str, *, retired: bool) -> list[Entry]:
        """The antenna's places or the items, in the order they are shown."""
        if not actor.has(Role.VOLUNTEER):
            raise NotAllowed
        catalogue = self.catalogue
        if kind == "place":
            places = catalogue.places_of(self.distributions.antenna_of(actor), retired=retired)
            found = [Entry("place", str(p.id), p.name, p.retired) for p in places]
            return sorted(found, key=lambda entry: normalize(entry.name))
        items = catalogue.retired_items() if retired else list(catalogue.items.values())
        return [
            Entry("item", i.code, catalogue.item_name(i.code, locale), i.retired) for i in items
        ]

    def name_of(self, kind: Kind, key: str, locale: str) -> str:
        if kind == "item":
            return self.catalogue.item_name(key, locale)
        place = self.catalogue.all_places.get(int(key)) if key.isdigit() else None
        return place.name if place else key

    # --- adding ---------------------------------------------------------------------------

    async def add_place(self, actor: User, text: str) -> Change:
        """A coordinator adds a place of their antenna (no coordinates yet)."""
        self.require_coordinator(actor)
        name = clean_name(text)
        antenna = self.distributions.antenna_of(actor)
        self._unique("place", name, antenna, None, "")
        if len(self.catalogue.places_of(antenna)) >= MAX_PLACES:
            raise DomainError("too_many_places", max=MAX_PLACES)
        codes = {p.code for p in self.catalogue.all_places.values() if p.antenna == antenna}
        base = normalize(name).replace(" ", "-")[:40] or secrets.token_hex(4)
        code, number = base, 1
        while code in codes:  # a retired place's code is never taken over
            number += 1
            code = f"{base}-{number}"
        place_id = await self.storage.catalogue.add_place(
            antenna, code, name, self.clock.now(), actor.id
        )
        await self.distributions.reindex()
        return Change("place", str(place_id), name)

    async def add_item(self, actor: User, text: str, unit: str, locale: str) -> Change:
        """A coordinator adds an item, named in their own language."""
        self.require_coordinator(actor)
        if unit not in UNITS:
            raise DomainError("bad_unit", value=unit)
        name = clean_name(text)
        self._unique("item", name, "", None, locale)
        if len(self.catalogue.items) >= MAX_ITEMS:
            raise DomainError("too_many_items", max=MAX_ITEMS)
        # Short ASCII codes: they travel in callback data, which Telegram caps at 64 bytes.
        slug = re.sub(r"[^a-z0-9]+", "_", normalize(name)).strip("_")[:16]
        code = f"x_{slug or secrets.token_hex(4)}"
        if code in self.catalogue.all_items:
            code = f"x_{secrets.token_hex(4)}"
        await self.storage.catalogue.upsert_item(
            code,
            unit,
            500 + len(self.catalogue.all_items),
            {locale: [name]},
            self.clock.now(),
            actor.id,
        )
        await self.distributions.reindex()
        return Change("item", code, name)

    # --- finding what a command names -------------------------------------------------------

    def find(self, actor: User, kind: Kind, text: str, *, retired: bool) -> str:
        """The key of the place or item a coordinator named, among the offered (or retired)."""
        self.require_coordinator(actor)
        if kind == "place":
            antenna = self.distributions.antenna_of(actor)
            places = self.catalogue.all_places
            keys = [str(i) for i in self.catalogue.places_named(antenna, text)]
            keys = [key for key in keys if places[int(key)].retired == retired]
        else:
            items = self.catalogue.all_items
            keys = [c for c in self.catalogue.items_named(text) if items[c].retired == retired]
        if len(keys) == 1:
            return keys[0]
        shown = " ".join(text.split())
        if not keys:
            raise DomainError(
                f"unknown_{kind}_name" + ("_retired" if retired else ""), value=shown
            )
        raise DomainError("ambiguous_name", value=shown)

    def split_rename(self, actor: User, kind: Kind, text: str) -> tuple[str, str]:
        """ "OLD → NEW", or "OLD NEW" where OLD is the longest start naming an offered entry.
        A right-to-left example reads "OLD ← NEW" (the arrow points from the old name to the
        new one for a right-to-left reader): typed in that order, it means the same."""
        self.require_coordinator(actor)
        for arrow in ("→", "←", "->", "=>"):
            if arrow in text:
                old, _, new = text.partition(arrow)
                return self.find(actor, kind, old, retired=False), new
        words = text.split()
        for cut in range(len(words) - 1, 0, -1):
            try:
                key = self.find(actor, kind, " ".join(words[:cut]), retired=False)
            except DomainError:
                continue
            return key, " ".join(words[cut:])
        raise DomainError(f"rename_usage_{kind}")

    # --- changing -------------------------------------------------------------------------

    async def rename(self, actor: User, kind: Kind, key: str, text: str, locale: str) -> Change:
        """Give an offered place or item a new name; the old one stays accepted."""
        self._editable(actor, kind, key, offered_only=True)
        name = clean_name(text)
        old = self.name_of(kind, key, locale)
        if name == old:
            return Change(kind, key, name, old, changed=False)
        antenna = self.distributions.antenna_of(actor)
        self._unique(kind, name, antenna, key, locale)
        now = self.clock.now()
        other_languages = False
        if kind == "place":
            place = self.catalogue.all_places[int(key)]
            old_names = [n for n in [*place.old_names, place.name] if n != name]
            await self.storage.catalogue.rename_place(int(key), name, old_names, actor.id, now)
        else:
            await self.storage.catalogue.rename_item(key, locale, name, actor.id, now)
            other_languages = any(lc != locale for lc in self.catalogue.all_items[key].names)
        await self.distributions.reindex()
        return Change(kind, key, name, old, other_languages=other_languages)

    async def retire(self, actor: User, kind: Kind, key: str, locale: str) -> Change:
        """Offer a place or item no more; says so when it already was retired."""
        self._editable(actor, kind, key, offered_only=False)
        now = self.clock.now()
        if kind == "place":
            changed = await self.storage.catalogue.retire_place(int(key), actor.id, now)
        else:
            changed = await self.storage.catalogue.retire_item(key, actor.id, now)
        await self.distributions.reindex()
        return Change(kind, key, self.name_of(kind, key, locale), changed=changed)

    async def restore(self, actor: User, kind: Kind, key: str, locale: str) -> Change:
        """Offer a retired place or item again; says so when it already was offered."""
        self._editable(actor, kind, key, offered_only=False)
        name = self.name_of(kind, key, locale)
        if kind == "place" and self.catalogue.all_places[int(key)].retired:
            self._unique(kind, name, self.distributions.antenna_of(actor), key, locale)
            if len(self.catalogue.places_of(self.distributions.antenna_of(actor))) >= MAX_PLACES:
                raise DomainError("too_many_places", max=MAX_PLACES)
            changed = await self.storage.catalogue.restore_place(int(key))
        elif kind == "item" and self.catalogue.all_items[key].retired:
            self._unique(kind, name, "", key, locale)
            if len(self.catalogue.items) >= MAX_ITEMS:
                raise DomainError("too_many_items", max=MAX_ITEMS)
            changed = await self.storage.catalogue.restore_item(key)
        else:
            changed = False
        await self.distributions.reindex()
        return Change(kind, key, name, changed=changed)

    # --- a rename asked by button, answered by typing --------------------------------------

    async def ask_rename(self, actor: User, kind: Kind, key: str) -> None:
        """Remember that the coordinator's next text is this entry's new name (any other typed
        wait of theirs ends: see `bot.services.waits`)."""
        self._editable(actor, kind, key, offered_only=True)
        await self.waits.open(actor.id, RENAME, RENAME_WAIT, kind=kind, key=key)

    async def rename_wait(self, actor: User) -> tuple[Kind, str] | None:
        """The entry the coordinator was asked to name, if that is the latest thing asked."""
        wait = await self.waits.waiting_for(actor.id, RENAME)
        if wait is None:
            return None
        kind = str(wait.details.get("kind"))
        if kind not in KINDS:
            return None
        return ("place" if kind == "place" else "item"), str(wait.details.get("key"))

    async def forget_rename(self, actor: User) -> bool:
        """Stop waiting for a typed name; False if no name was waited for."""
        return await self.waits.end(actor.id, RENAME)

    # --- checks -----------------------------------------------------------------------------

    def require_coordinator(self, actor: User) -> None:
        """Refuse anyone but a coordinator (or an admin)."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed

    def _editable(self, actor: User, kind: Kind, key: str, *, offered_only: bool) -> None:
        """The caller may change this entry, which exists (and is offered, if asked)."""
        self.require_coordinator(actor)
        if kind == "place":
            place = self.catalogue.all_places.get(int(key)) if key.isdigit() else None
            mine = place is not None and place.antenna == self.distributions.antenna_of(actor)
            found = place if mine else None
            state = None if found is None else found.retired
        else:
            item = self.catalogue.all_items.get(key)
            state = None if item is None else item.retired
        if state is None:
            raise DomainError("stale_button")
        if offered_only and state:
            raise DomainError("entry_retired")

    def _unique(self, kind: Kind, name: str, antenna: str, key: str | None, locale: str) -> None:
        """Refuse a name another place of the antenna, or another item, already answers to."""
        if kind == "place":
            places = self.catalogue.all_places
            others = [i for i in self.catalogue.places_named(antenna, name) if str(i) != key]
            retired = [places[i].name for i in others if places[i].retired]
            offered = [places[i].name for i in others if not places[i].retired]
        else:
            items = self.catalogue.all_items
            codes = [c for c in self.catalogue.items_named(name) if c != key]
            retired = [self.catalogue.item_name(c, locale) for c in codes if items[c].retired]
            offered = [self.catalogue.item_name(c, locale) for c in codes if not items[c].retired]
        if offered:
            raise DomainError(f"{kind}_exists", name=offered[0])
        if retired:
            raise DomainError(f"{kind}_retired_exists", name=retired[0])
