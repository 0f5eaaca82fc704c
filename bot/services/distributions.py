"""Distribution logs: the quick and guided forms, /undo, and the figures (SPEC §2 /distrib)."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.services.catalogue import (
    MAX_SUGGESTIONS,
    Catalogue,
    load_content,
    normalize,
)
from bot.services.errors import DomainError, NotAllowed
from bot.services.numerals import numeric
from bot.services.waits import QUANTITY as QUANTITY_WAIT
from bot.services.waits import QUICK_QUANTITY, TypedWaits
from bot.storage.interface import Store
from bot.storage.models import Distribution, Role, User

MAX_QUANTITY = 10_000
UNDO_WINDOW = timedelta(minutes=15)
# What reads as a number someone meant as a quantity, good or bad: 40, 40x, 40×, -3, 2.5, 1e9.
QUANTITY = re.compile(r"^[+-]?\d+(?:[.,]\d+)?(?:e[+-]?\d+)?[x×]?$", re.IGNORECASE)
# Commas and semicolons of Latin and Arabic script, new lines, a "+", a dash or a "/" standing
# alone between items ("Fort-Nieulay" keeps its hyphen), and a "/" glued before a number
# ("40 blankets/25 tea"; "tea/coffee" keeps its slash). A comma between two digits is a
# decimal comma ("1,5 couvertures"): the number is then asked for, never split in two.
ITEM_SEPARATORS = re.compile(
    r"(?<!\d),|,(?!\d)|[;\n،؛]|(?:^|\s)[+\-–—/](?:\s|$)|(?<!\d)/(?=\s*\d)"
)
# Unit words typed between the number and the item ("40 litres water", "12 kg wood"), in their
# normalised form, with the unit of content/items.toml they stand for; then an optional "of".
UNIT_WORDS = {
    "kg": "kg",
    "kgs": "kg",
    "kilo": "kg",
    "kilogram": "kg",
    "kilogramme": "kg",
    "l": "litre",
    "lt": "litre",
    "ltr": "litre",
    "litre": "litre",
    "liter": "litre",
}
OF_PREFIX = re.compile(r"^(?:(?:of|de)\s+|d['’]\s*)", re.IGNORECASE)
# A unit glued to its number ("12kg", "40L"): read as two words.
GLUED_UNIT = re.compile(r"(?<=\d)(?=(?:kgs?|kilos?|l|lt|ltr|litres?|liters?)(?:\s|$))", re.I)
# "and" between two items in the shipped locales (the Tigrinya one is a suffix: left out). A
# name that holds one of them ("جل و بەرگ") is still read whole: the longest name wins.
CONNECTORS = frozenset({"and", "et", "و", "và", "iyo", "እና"})
# Beyond this a message is a paste, not a log: it is refused before any name is looked up.
MAX_LINES = 20
# Places offered for a place not understood: two a row, within a phone's screen.
MAX_PLACE_BUTTONS = 24
# Quick logs of one person waiting for answers at once (a second /distrib before answering
# the first); past this the oldest is dropped, and the person told.
MAX_OPEN_DRAFTS = 5
RECENT_DAYS = 30
NEAREST_PLACE_KM = 2.0
LOCATION_WAIT = timedelta(minutes=15)
QUICK_DRAFT = "quick"
# A quantity asked to be typed (➕ Other number, a quick log's "how many?") waits this long.
NUMBER_WAIT = timedelta(minutes=15)


@dataclass
class QuickLine:
    """One "40 blankets" of a quick log, resolved or with what is wrong with it."""

    text: str
    quantity: int | None = None
    item: str | None = None
    suggestions: list[str] = field(default_factory=list)
    # "quantity" (missing or not 1..10000), "no_item" (a number alone), "unknown_item",
    # "ambiguous_item", "retired_item" (its one suggestion is the retired item); None once
    # understood.
    problem: str | None = None

    @property
    def understood(self) -> bool:
        return self.item is not None and self.quantity is not None

    @property
    def nameless(self) -> bool:
        """A number alone ("/distrib 40", "/distrib 0"): the item is what is missing."""
        return _is_number(self.text)


@dataclass
class QuickLog:
    lines: list[QuickLine]
    place_text: str | None = None
    place_id: int | None = None
    place_suggestions: list[int] = field(default_factory=list)
    # Every place typed after an "@": a log is at one place, so two of them are refused.
    places_typed: list[str] = field(default_factory=list)
    # A retired place typed after "@": answered as retired, never saved nor drafted.
    retired_place: int | None = None
    # The answers given so far: the identity of the open question, carried by its buttons.
    step: int = 0
    # What "💾 Save only what was understood" left out (said when saved, never stored).
    left_out: list[str] = field(default_factory=list)
    place_left_out: str | None = None

    @property
    def retired_items(self) -> list[QuickLine]:
        return [line for line in self.lines if line.problem == "retired_item"]

    @property
    def bad_quantities(self) -> list[QuickLine]:
        return [line for line in self.lines if line.problem == "quantity"]

    @property
    def next_question(self) -> QuickLine | None:
        """The first line not understood yet: its quantity, then its item, is asked."""
        return next((line for line in self.lines if not line.understood), None)

    @property
    def understood(self) -> list[QuickLine]:
        return [line for line in self.lines if line.understood]

    @property
    def place_unresolved(self) -> bool:
        return self.place_text is not None and self.place_id is None

    @property
    def complete(self) -> bool:
        return all(line.understood for line in self.lines) and not self.place_unresolved

    def answer(self, kind: str, value: str, items: list[str]) -> bool:
        """Apply an answer to the open question (see `answer_draft`); False if it answers
        no question of this log (an old button, forged data), and nothing changed."""
        question = self.next_question
        if kind == "i" and question is not None and question.item is None:
            # Chosen among the suggestions or from the whole list ("📋 Another item").
            if value not in items:
                return False
            question.item = value
        elif kind == "q" and question is not None and question.quantity is None:
            question.quantity = parse_quantity(value)
            if question.quantity is None:
                return False
        elif kind == "n" and question is None and self.place_unresolved:
            self.place_text = None
        elif kind == "p" and question is None and self.place_unresolved:
            if not value.isdecimal() or int(value) not in self.place_suggestions:
                return False
            self.place_id = int(value)
        elif kind == "s" and self.understood and not self.complete:
            self.left_out = [line.text for line in self.lines if not line.understood]
            self.lines = self.understood
            if self.place_unresolved:
                self.place_left_out, self.place_text = self.place_text, None
        else:
            return False
        if question is not None and question.understood:
            question.problem = None
        self.step += 1
        return True

    def merged(self) -> list[tuple[str, int]]:
        """The understood lines, one per item: "40 tea, 10 tea" is 50 tea."""
        totals: dict[str, int] = {}
        for line in self.understood:
            if line.item is not None and line.quantity is not None:
                totals[line.item] = totals.get(line.item, 0) + line.quantity
        return list(totals.items())

    def to_payload(self) -> dict[str, Any]:
        return {
            "lines": [
                [line.text, line.quantity, line.item, line.suggestions, line.problem]
                for line in self.lines
            ],
            "place_text": self.place_text,
            "place_id": self.place_id,
            "place_suggestions": self.place_suggestions,
            "step": self.step,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> QuickLog:
        # Drafts saved by an earlier release have no problem field, and no step.
        return cls(
            lines=[QuickLine(t, q, i, list(s), *rest) for t, q, i, s, *rest in payload["lines"]],
            place_text=payload["place_text"],
            place_id=payload["place_id"],
            place_suggestions=list(payload["place_suggestions"]),
            step=int(payload.get("step", 0)),
        )


@dataclass(frozen=True)
class Logged:
    """What was saved (or found already saved, for a button pressed twice)."""

    rows: list[Distribution]
    duplicate: bool = False


def parse_quantity(text: str) -> int | None:
    """A whole number of things between 1 and 10 000; None for 0, -3, 2.5, 1e9 or "forty"."""
    text = numeric(text).strip().rstrip("xX×")
    # Decimal digits of any script, as int() reads them ("²" is a digit to str.isdigit(), not
    # to int()); past five significant digits it is over the cap anyway, and int() refuses
    # strings past 4300 digits.
    if not text.isdecimal() or len(text.lstrip("0")) > 5:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_QUANTITY else None


def _is_number(word: str) -> bool:
    return bool(QUANTITY.match(numeric(word)))


def _is_connector(word: str) -> bool:
    return word.casefold() in CONNECTORS


def _longest_name(catalogue: Catalogue, words: list[str], start: int) -> int | None:
    """The end of the longest item name starting at `start`, numbers and connectors
    included, or None."""
    last = min(len(words), start + catalogue.longest_item_name)
    for end in range(last, start, -1):
        if catalogue.exact_item(" ".join(words[start:end])) is not None:
            return end
    return None


def _name_end(catalogue: Catalogue, words: list[str], start: int) -> int:
    """Where a name starting at `start` ends: before the next number or connector, unless a
    known name goes further ("Extra 107", "جل و بەرگ")."""
    end = start
    while end < len(words) and not _is_number(words[end]) and not _is_connector(words[end]):
        end += 1
    longest = _longest_name(catalogue, words, start)
    return longest if longest is not None and longest > end else end


Pair = tuple[str | None, list[str]]  # a typed quantity (or none) and the words of a name


def _number_first(catalogue: Catalogue, words: list[str], limit: int) -> list[Pair]:
    """ "40 blankets 25 tea": each number begins a pair; words before any number are a name
    without a quantity. At most `limit` pairs."""
    pairs: list[Pair] = []
    index = 0
    while index < len(words) and len(pairs) < limit:
        word = words[index]
        if _is_connector(word):
            index += 1
        elif _is_number(word):
            end = _name_end(catalogue, words, index + 1)
            pairs.append((word, words[index + 1 : end]))
            index = end
        else:
            end = max(_name_end(catalogue, words, index), index + 1)
            pairs.append((None, words[index:end]))
            index = end
    return pairs


def _number_after(words: list[str], limit: int) -> list[Pair]:
    """ "blankets 40 tea 25": each number ends a pair. At most `limit` pairs."""
    pairs: list[Pair] = []
    name: list[str] = []
    for word in words:
        if len(pairs) >= limit:
            return pairs
        if _is_number(word):
            pairs.append((word, name))
            name = []
        elif _is_connector(word):
            if name:
                pairs.append((None, name))
            name = []
        else:
            name.append(word)
    if name:
        pairs.append((None, name))
    return pairs


def _after_unit(catalogue: Catalogue, name: list[str]) -> str | None:
    """The item of "litres water", "kg de bois": a unit word, maybe "of", then a name of an
    item measured in that unit ("kg blankets" is none)."""
    if len(name) < 2 or normalize(name[0]) not in UNIT_WORDS:
        return None
    rest = OF_PREFIX.sub("", " ".join(name[1:]))
    code = catalogue.match_item(rest).unique
    if code is None or catalogue.items[code].unit != UNIT_WORDS[normalize(name[0])]:
        return None
    return code


def _read_pair(catalogue: Catalogue, number: str | None, name: list[str]) -> QuickLine:
    text = " ".join([number, *name] if number is not None else name)
    line = QuickLine(text)
    line.quantity = parse_quantity(number) if number is not None else None
    if name:
        match = catalogue.match_item(" ".join(name))
        line.item = match.unique or _after_unit(catalogue, name)
        if line.item is None:
            line.problem = "ambiguous_item" if match.found else "unknown_item"
            # Bounded: each suggestion is a button.
            line.suggestions = (match.found or match.suggestions)[:MAX_SUGGESTIONS]
    else:
        line.problem = "no_item"
    if line.quantity is None:
        line.problem = "quantity"
    if line.item is None and name:
        retired = catalogue.retired_item(" ".join(name))
        if retired is not None:
            line.problem, line.suggestions = "retired_item", [retired]
    return line


def read_lines(catalogue: Catalogue, text: str) -> list[QuickLine]:
    """Every quantity–item pair of the text, understood or not, in the order typed.

    Pairs are split by commas, semicolons, new lines, a lone "+", dash or slash, a slash before
    a number, "and" in the shipped languages, and by the numbers themselves ("40 blankets 25
    tea"). A unit word may stand before the name ("12 kg wood"). The number comes first;
    after the name ("blankets 40") only where that reading understands everything and the
    other does not.
    """
    lines: list[QuickLine] = []
    # Digits of any script, direction marks dropped; an Arabic comma between two digits is
    # then a decimal comma like ",", elsewhere a separator.
    for chunk in ITEM_SEPARATORS.split(numeric(text)):
        words = GLUED_UNIT.sub(" ", chunk).split()
        if not words:
            continue
        # One past the cap is enough to refuse: names are looked up only that far.
        room = MAX_LINES + 1 - len(lines)
        pairs = _number_first(catalogue, words, room)
        first = [_read_pair(catalogue, n, name) for n, name in pairs]
        if not all(line.understood for line in first) and not _is_number(words[0]):
            pairs = _number_after(words, room)
            after = [_read_pair(catalogue, n, name) for n, name in pairs]
            if all(line.understood for line in after):
                first = after
        lines += first
        if len(lines) > MAX_LINES:
            break
    return lines


class DistributionService:
    """Logs what volunteers gave and adds it up for the coordinators."""

    def __init__(
        self,
        storage: Store,
        clock: Clock,
        tz: ZoneInfo,
        slot_starts: tuple[time, time, time],
        default_antenna: str,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.tz = tz
        self.slot_starts = slot_starts
        self.default_antenna = default_antenna
        self.catalogue = Catalogue([], [])
        self.singulars: dict[str, dict[str, str]] = {}
        self.waits = TypedWaits(storage, clock)

    # --- catalogue -----------------------------------------------------------------------

    async def load(self) -> None:
        """Seed items and places from content/ (coordinators' additions stay), then index.

        The files are written to the database only when they changed since the last start.
        """
        items, places = load_content()
        # Singulars are read from the file at each start, never stored: only seeded items
        # have them (a coordinator's item keeps its one name).
        self.singulars = {item["code"]: dict(item.get("singular", {})) for item in items}
        signature = hashlib.sha256(
            json.dumps([items, places], sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        if await self.storage.meta.get("content:signature") == signature:
            await self.reindex()
            return
        now = self.clock.now()
        for position, item in enumerate(items):
            await self.storage.catalogue.upsert_item(
                item["code"], item["unit"], position, item["names"], now
            )
        for place in places:
            await self.storage.catalogue.upsert_place(
                place["antenna"],
                place["code"],
                place["name"],
                place.get("aliases", []),
                place.get("latitude"),
                place.get("longitude"),
                now,
            )
        await self.storage.meta.set("content:signature", signature)
        await self.reindex()

    async def backfill_days(self) -> int:
        """Give logs saved before daily totals existed their local day, then rebuild the
        totals; after a change of TIMEZONE every log's day is computed again."""
        zone = str(self.tz)
        if await self.storage.meta.get("distributions:timezone") != zone:
            await self.storage.distributions.clear_days()
            await self.storage.meta.set("distributions:timezone", zone)
        filled = 0
        while batch := await self.storage.distributions.without_day(5000):
            await self.storage.distributions.set_days(
                [(at.astimezone(self.tz).date().isoformat(), row_id) for row_id, at in batch]
            )
            filled += len(batch)
        if filled:
            await self.storage.distributions.rebuild_days()
        return filled

    async def reindex(self) -> None:
        self.catalogue = Catalogue(
            await self.storage.catalogue.items(),
            await self.storage.catalogue.places(),
            self.singulars,
        )

    def antenna_of(self, user: User) -> str:
        return user.antenna or self.default_antenna

    # --- logging -------------------------------------------------------------------------

    def slot_at(self, moment: datetime) -> str:
        """Day, evening or night, from the local time and the configured boundaries."""
        local = moment.astimezone(self.tz).time()
        day, evening, night = self.slot_starts
        if day <= local < evening:
            return "day"
        if evening <= local < night:
            return "evening"
        return "night"

    def parse_quick(self, text: str, antenna: str) -> QuickLog:
        """Read "40 couvertures, 25 tea @ Marck": items with quantities, an optional place.

        Pairs may follow the place too ("40 blankets @ Marck, 25 tea"): they are read as
        pairs, never taken for a part of the place's name.
        """
        items_part, *after_at = text.split("@")
        parts = [items_part]
        places: list[str] = []
        for typed in after_at:
            place, rest = self._place_and_rest(antenna, typed)
            if place:
                places.append(place)
            parts.append(rest)
        # A new line between the parts: pairs on either side of a place are never one pair.
        quick = QuickLog(lines=read_lines(self.catalogue, "\n".join(parts)))
        quick.places_typed = places
        if len(quick.places_typed) == 1:
            quick.place_text = quick.places_typed[0]
            match = self.catalogue.match_place(antenna, quick.place_text)
            quick.place_id = int(match.unique) if match.unique else None
            if quick.place_id is None:
                # Every place of the antenna, the nearest names first, within a keyboard.
                ranked = self.catalogue.places_by_likeness(antenna, quick.place_text)
                quick.place_suggestions = ranked[:MAX_PLACE_BUTTONS]
                quick.retired_place = self.catalogue.retired_place(antenna, quick.place_text)
        return quick

    def _place_and_rest(self, antenna: str, typed: str) -> tuple[str, str]:
        """What follows an "@": the place, and what comes after it ("Marck, 25 tea").

        The place ends at a separator or before a number, unless a place's name (a retired
        one too: it gets its own answer) goes further.
        """
        if self._a_place(antenna, typed):
            return typed.strip(), ""
        head, rest = typed, ""
        for number, found in enumerate(ITEM_SEPARATORS.finditer(typed)):
            if number == 0:
                head, rest = typed[: found.start()], typed[found.start() :]
            elif number > MAX_LINES:
                break
            if self._a_place(antenna, typed[: found.start()]):
                head, rest = typed[: found.start()], typed[found.start() :]
        words = head.split()
        end = next((i for i, word in enumerate(words) if _is_number(word)), len(words))
        longer = range(len(words), end, -1)
        end = next((j for j in longer if self._a_place(antenna, " ".join(words[:j]))), end)
        place = words[:end]
        while place and _is_connector(place[-1]):
            place.pop()
        return " ".join(place), " ".join(words[end:]) + rest

    def _a_place(self, antenna: str, text: str) -> bool:
        """Whether this is exactly a name of one of the antenna's places, retired or not."""
        return bool(self.catalogue.places_named(antenna, text))

    async def log(
        self,
        user: User,
        lines: list[tuple[str, int]],
        place_id: int | None,
        nonce: str | None = None,
    ) -> Logged:
        """Save one log (one or more items at one place) at once, or find it already saved."""
        if not user.has(Role.VOLUNTEER):
            raise NotAllowed
        if not lines or any(
            code not in self.catalogue.items or not 1 <= quantity <= MAX_QUANTITY
            for code, quantity in lines
        ):
            raise DomainError("stale_button")
        antenna = self.antenna_of(user)
        place = self.catalogue.places.get(place_id) if place_id is not None else None
        if place_id is not None and (place is None or place.antenna != antenna):
            raise DomainError("stale_button")
        now = self.clock.now()
        batch = secrets.token_hex(8)
        if nonce is not None:
            earlier = await self.storage.distributions.use_nonce(user.id, nonce, batch, now)
            if earlier is not None:
                return Logged(await self.storage.distributions.batch(earlier), duplicate=True)
        shift = await self.storage.shifts.running(user.id)
        rows = await self.storage.distributions.add(
            antenna,
            user.id,
            lines,
            place_id,
            self.slot_at(now),
            now,
            shift.id if shift else None,
            batch,
            now.astimezone(self.tz).date().isoformat(),
        )
        return Logged(rows)

    async def undo(self, user: User) -> list[Distribution]:
        """Remove the caller's last log if it is less than 15 minutes old."""
        if not user.has(Role.VOLUNTEER):
            raise NotAllowed
        last = await self.storage.distributions.last_batch(user.id)
        if not last:
            raise DomainError("nothing_to_undo")
        if self.clock.now() - last[0].logged_at > UNDO_WINDOW:
            raise DomainError("undo_too_late")
        await self.storage.distributions.undo(last[0].batch, self.clock.now())
        return last

    # --- guided form helpers ---------------------------------------------------------------

    async def items_for(self, user: User) -> list[str]:
        """Item codes, this team's most logged first (last 30 days), then the catalogue order."""
        if not user.has(Role.VOLUNTEER):
            raise NotAllowed
        used = await self.storage.distributions.most_used_items(
            self.antenna_of(user), self._first_recent_day()
        )
        rest = [code for code in self.catalogue.items if code not in used]
        return [code for code in used if code in self.catalogue.items] + rest

    async def places_for(self, user: User, limit: int = 6) -> list[int]:
        """Place ids, the caller's recent ones first, then the team's, then the others."""
        if not user.has(Role.VOLUNTEER):
            raise NotAllowed
        antenna = self.antenna_of(user)
        since = self.clock.now() - timedelta(days=RECENT_DAYS)
        mine = await self.storage.distributions.recent_places(user.id, antenna, since, limit)
        team = await self.storage.distributions.team_places(
            antenna, self._first_recent_day(), limit
        )
        others = [p.id for p in self.catalogue.places_of(antenna)]
        known = [p for p in dict.fromkeys([*mine, *team, *others]) if p in self.catalogue.places]
        return known[:limit]

    def _first_recent_day(self) -> str:
        """The local day RECENT_DAYS ago: daily totals count whole local days."""
        since = self.clock.now() - timedelta(days=RECENT_DAYS)
        return since.astimezone(self.tz).date().isoformat()

    async def last_log(self, user: User) -> list[Distribution]:
        """The caller's last log, to offer again, unless it names a retired item or place."""
        rows = await self.storage.distributions.last_batch(user.id)
        offered = all(row.item_code in self.catalogue.items for row in rows) and all(
            row.place_id is None or row.place_id in self.catalogue.places for row in rows
        )
        return rows if offered else []

    def nearest_place(self, user: User, latitude: float, longitude: float) -> int | None:
        place = self.catalogue.nearest_place(
            self.antenna_of(user), latitude, longitude, NEAREST_PLACE_KM
        )
        return place.id if place else None

    async def during_shift(self, shift_id: int) -> list[tuple[str, int]]:
        return [(t.key, t.quantity) for t in await self.storage.distributions.for_shift(shift_id)]

    async def batch_of(self, user: User, batch: str) -> list[Distribution]:
        """One of the caller's own logs (for "log it again"), never someone else's."""
        rows = await self.storage.distributions.batch(batch)
        if not rows or rows[0].user_id != user.id:
            raise DomainError("stale_button")
        return rows

    async def await_location(self, user: User, item: str, quantity: int, key: str) -> None:
        """Remember that the guided form's "where?" may be answered by a shared location."""
        if not user.has(Role.VOLUNTEER):
            raise NotAllowed
        if item not in self.catalogue.items or not 1 <= quantity <= MAX_QUANTITY:
            raise DomainError("stale_button")
        await self.storage.drafts.add(
            user.id,
            "location",
            {"item": item, "quantity": quantity, "nonce": key},
            self.clock.now(),
        )

    async def location_wait(self, user: User) -> tuple[str, int, str] | None:
        draft = await self.storage.drafts.latest(user.id, "location")
        if draft is None or self.clock.now() - draft.created_at > LOCATION_WAIT:
            return None
        payload = draft.payload
        return str(payload["item"]), int(payload["quantity"]), str(payload["nonce"])

    async def forget_location_wait(self, user: User) -> None:
        draft = await self.storage.drafts.latest(user.id, "location")
        if draft is not None:
            await self.storage.drafts.delete(draft.id)

    async def await_number(self, user: User, item: str) -> None:
        """Remember that after "➕ Other number" a typed number is the item's quantity."""
        if not user.has(Role.VOLUNTEER):
            raise NotAllowed
        if item not in self.catalogue.items:
            raise DomainError("stale_button")
        await self.waits.open(user.id, QUANTITY_WAIT, NUMBER_WAIT, item=item)

    async def number_wait(self, user: User) -> str | None:
        """The item whose quantity the person was asked to type, if that is the latest thing
        they were asked to type."""
        if not user.has(Role.VOLUNTEER):
            return None
        wait = await self.waits.waiting_for(user.id, QUANTITY_WAIT)
        if wait is None:
            return None
        item = str(wait.details.get("item"))
        return item if item in self.catalogue.items else None

    async def forget_number_wait(self, user: User) -> None:
        """No typed quantity is awaited any more (the guided form's or a quick log's): the
        person went back, tapped a number, or started another log."""
        await self.waits.end(user.id, QUANTITY_WAIT, QUICK_QUANTITY)

    # --- drafts: a quick log waiting for a name to be chosen ------------------------------

    async def save_draft(self, user: User, quick: QuickLog) -> tuple[int, list[QuickLog]]:
        """Keep a quick log waiting for answers, next to the caller's other ones; past
        MAX_OPEN_DRAFTS the oldest are dropped and returned, for the caller to be told."""
        waiting = await self.storage.drafts.all_of(user.id, QUICK_DRAFT)
        dropped = waiting[: max(0, len(waiting) - MAX_OPEN_DRAFTS + 1)]
        for old in dropped:
            await self.storage.drafts.delete(old.id)
        draft_id = await self.storage.drafts.add(
            user.id, QUICK_DRAFT, quick.to_payload(), self.clock.now(), replace=False
        )
        await self._follow(user, draft_id, quick)
        return draft_id, [QuickLog.from_payload(old.payload) for old in dropped]

    async def _follow(self, user: User, draft_id: int, quick: QuickLog) -> None:
        """While a quick log asks "how many?", a typed number answers it; its other
        questions (an item, a place) are answered by buttons."""
        question = quick.next_question
        if question is not None and question.quantity is None:
            await self.waits.open(user.id, QUICK_QUANTITY, NUMBER_WAIT, draft=draft_id)
        else:
            await self.waits.end(user.id, QUICK_QUANTITY, draft=draft_id)

    async def quick_quantity_wait(self, user: User) -> int | None:
        """The quick log whose "how many?" the person's next text answers, if any."""
        if not user.has(Role.VOLUNTEER):
            return None
        wait = await self.waits.waiting_for(user.id, QUICK_QUANTITY)
        if wait is None:
            return None
        draft_id = int(wait.details.get("draft") or 0)
        draft = await self.storage.drafts.get(draft_id)
        if draft is None or draft.user_id != user.id or draft.kind != "quick":
            await self.waits.end(user.id, QUICK_QUANTITY)
            return None
        question = QuickLog.from_payload(draft.payload).next_question
        return draft_id if question is not None and question.quantity is None else None

    async def other_number(self, user: User, draft_id: int) -> tuple[QuickLog, bool]:
        """ "➕ Other number" on a quick log's "how many?": more numbers, and a typed one
        awaited. True when they were already shown (a second tap)."""
        quick = await self.draft(user, draft_id)
        question = quick.next_question
        if question is None or question.quantity is not None:
            raise DomainError("stale_button")
        wait = await self.waits.waiting_for(user.id, QUICK_QUANTITY)
        shown = wait is not None and wait.details == {"draft": draft_id, "more": True}
        await self.waits.open(user.id, QUICK_QUANTITY, NUMBER_WAIT, draft=draft_id, more=True)
        return quick, shown

    async def answer_draft(
        self, user: User, draft_id: int, question: int, kind: str, value: str
    ) -> QuickLog:
        """Apply an answer to the draft's open question, and keep the draft while questions
        are left; once complete it is saved by `finish_draft`.

        `kind` is "i" (the item of the first line not understood), "q" (its quantity), "p" (the
        place), "n" (no place) or "s" (save only what was understood: the rest is dropped).
        An answer to a question already answered (a double tap: `question` is not the open
        one) changes nothing; so does a place or an item retired since it was offered, the
        question being asked again without it.
        """
        quick = await self.draft(user, draft_id)
        if question != quick.step:
            raise DomainError("already_answered")
        retired = self._retired_answer(quick, kind, value)
        if retired is not None:
            # Asked again: the buttons shown until now answer nothing any more.
            quick.step += 1
            await self.storage.drafts.update(draft_id, quick.to_payload())
            raise retired
        if not quick.answer(kind, value, list(self.catalogue.items)):
            raise DomainError("stale_button")
        if not quick.complete:
            await self.storage.drafts.update(draft_id, quick.to_payload())
            await self._follow(user, draft_id, quick)
        return quick

    def _retired_answer(self, quick: QuickLog, kind: str, value: str) -> DomainError | None:
        """The refusal of a place or item offered by the question but retired since."""
        question = quick.next_question
        if kind == "p" and question is None and value.isdecimal():
            place = self.catalogue.all_places.get(int(value))
            offered = int(value) in quick.place_suggestions
            if place is not None and place.retired and offered:
                return DomainError("place_retired_meanwhile", name=place.name)
        if kind == "i" and question is not None and question.item is None:
            item = self.catalogue.all_items.get(value)
            if item is not None and item.retired:
                return DomainError("item_retired_meanwhile", item=item.code)
        return None

    async def finish_draft(self, user: User, draft_id: int, quick: QuickLog) -> Logged:
        """Save a completed quick log (once, whatever the taps), then drop its draft: a log
        that cannot be saved keeps its draft and its question."""
        logged = await self.log(user, quick.merged(), quick.place_id, f"draft{draft_id}")
        await self.storage.drafts.delete(draft_id)
        await self.waits.end(user.id, QUICK_QUANTITY, draft=draft_id)
        return logged

    def over_cap(self, quick: QuickLog) -> list[tuple[str, int]]:
        """Items whose lines add up past 10 000 in one log ("6000 tea, 6000 tea")."""
        return [(code, total) for code, total in quick.merged() if total > MAX_QUANTITY]

    async def draft(self, user: User, draft_id: int) -> QuickLog:
        """One of the caller's own quick logs still waiting for an answer."""
        if not user.has(Role.VOLUNTEER):
            raise NotAllowed
        draft = await self.storage.drafts.get(draft_id)
        if draft is None or draft.user_id != user.id or draft.kind != QUICK_DRAFT:
            raise DomainError("draft_gone")
        return QuickLog.from_payload(draft.payload)

    async def drop_draft(self, user: User, draft_id: int) -> None:
        """Cancel one of the caller's own quick logs; anyone else's is not theirs to drop."""
        await self.draft(user, draft_id)
        await self.storage.drafts.delete(draft_id)
        await self.waits.end(user.id, QUICK_QUANTITY, draft=draft_id)
