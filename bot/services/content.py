"""The information catalogue (`content/*.toml`): loaded, validated and located by file and line.

`common.toml` holds national entries (emergency numbers, 115, asylum basics) shown in every
antenna; `<antenna>.toml` (e.g. `calais.toml`) holds that antenna's places. Each entry has a
title and a text per locale, an optional place (address, coordinates, hours), phone numbers,
a `source`, a `verified` date and, when a fact could not be checked, `status = "to_confirm"`.
A locale listed in `unreviewed` is shown as it is but reported until a reviewer removes it.

Validation is strict and says where: every problem names the file and the line of the entry
(or of the field) at fault. Missing translations are warnings, never errors.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.config import SHIPPED_LOCALES

CONTENT_DIR = Path(__file__).resolve().parent.parent.parent / "content"
COMMON_FILE = "common.toml"
# Files of content/ that are not the information catalogue.
OTHER_FILES = frozenset({"items.toml", "places.toml", "houses.toml"})
COMMON = "common"

# Every topic an entry may carry. `minors` and `women` are tags: such entries also carry the
# menu topic they are answered under (shelter, health, legal).
TOPICS = (
    "health",
    "shelter",
    "legal",
    "food",
    "showers",
    "charging",
    "emergency",
    "minors",
    "women",
)
Topic = Literal[
    "health",
    "shelter",
    "legal",
    "food",
    "showers",
    "charging",
    "emergency",
    "minors",
    "women",
]
# The topics the menu answers from the catalogue.
ANSWERED_TOPICS = ("health", "shelter", "legal", "food", "showers", "charging", "emergency")
FALLBACK_LOCALES = ("en", "fr")

# Size budgets (characters): a whole answer must fit one phone screen (ANSWER_BUDGET).
TITLE_MAX = 80
TEXT_MAX = 320
HOURS_MAX = 120
ADDRESS_MAX = 120
ANSWER_BUDGET = 1024
# A place further than this from its antenna is a typo (swapped latitude and longitude...).
MAX_KM_FROM_ANTENNA = 60.0
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,23}$"
PHONE = re.compile(r"^\+?[0-9](?:[0-9 ]{0,18}[0-9])?$")


class Entry(BaseModel):
    """One fact people can act on: a place, a number, a right."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    topics: list[Topic] = Field(min_length=1)
    title: dict[str, str]
    text: dict[str, str]
    hours: dict[str, str] = Field(default_factory=dict)
    unreviewed: list[str] = Field(default_factory=list)
    address: str | None = Field(default=None, min_length=1, max_length=ADDRESS_MAX)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    phones: list[str] = Field(default_factory=list)
    source: str = Field(min_length=3)
    verified: date
    status: Literal["verified", "to_confirm"] = "verified"

    @field_validator("title", "text", "hours")
    @classmethod
    def _check_locales(cls, value: dict[str, str], info: Any) -> dict[str, str]:
        limit = {"title": TITLE_MAX, "text": TEXT_MAX, "hours": HOURS_MAX}[info.field_name]
        for locale, text in value.items():
            if locale not in SHIPPED_LOCALES:
                raise ValueError(f"unknown locale {locale!r} (expected one of the shipped ones)")
            if not text.strip():
                raise ValueError(f"empty text in {locale!r}")
            if len(text) > limit:
                raise ValueError(
                    f"{locale!r} is {len(text)} characters, over the budget of {limit}"
                )
        if info.field_name != "hours" and not any(loc in value for loc in FALLBACK_LOCALES):
            raise ValueError("needs at least an English (en) or French (fr) text")
        return value

    @field_validator("unreviewed")
    @classmethod
    def _check_unreviewed(cls, value: list[str]) -> list[str]:
        for locale in value:
            if locale not in SHIPPED_LOCALES:
                raise ValueError(f"unknown locale {locale!r}")
        return value

    @field_validator("phones")
    @classmethod
    def _check_phones(cls, value: list[str]) -> list[str]:
        for number in value:
            if not PHONE.fullmatch(number):
                raise ValueError(
                    f"{number!r} is not a phone number (Latin digits, spaces, a leading +)"
                )
        return value

    @model_validator(mode="after")
    def _check_place(self) -> Entry:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together")
        if self.latitude is not None and self.address is None:
            raise ValueError("a place with coordinates needs its address (for the map pin)")
        return self

    @property
    def has_place(self) -> bool:
        return self.latitude is not None and self.longitude is not None and bool(self.address)


class AntennaInfo(BaseModel):
    """The `[antenna]` table of an antenna's file: where the town is (to infer it from a
    shared location)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class ContentFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    antenna: AntennaInfo | None = None
    entry: list[Entry] = Field(default_factory=list)


@dataclass(frozen=True)
class Issue:
    """One problem found in a file, at a line (0 when the file as a whole is at fault)."""

    file: str
    line: int
    message: str
    error: bool = True

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class ContentError(Exception):
    """The catalogue cannot be used: the issues name the files and lines at fault."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(issue) for issue in issues))


@dataclass(frozen=True)
class Catalogue:
    """Every entry of every file, by scope (`common` or an antenna code), in file order."""

    entries: dict[str, list[Entry]]
    centres: dict[str, tuple[float, float]]
    warnings: list[Issue] = field(default_factory=list)

    def of(self, antenna: str) -> list[tuple[str, Entry]]:
        """What an antenna shows: its own entries first, then the national ones."""
        return [(antenna, e) for e in self.entries.get(antenna, [])] + [
            (COMMON, e) for e in self.entries.get(COMMON, [])
        ]

    def for_topic(self, antenna: str, topic: str) -> list[tuple[str, Entry]]:
        return [(scope, entry) for scope, entry in self.of(antenna) if topic in entry.topics]

    def get(self, scope: str, entry_id: str) -> Entry | None:
        for entry in self.entries.get(scope, []):
            if entry.id == entry_id:
                return entry
        return None

    @property
    def antennas(self) -> list[str]:
        return sorted(scope for scope in self.entries if scope != COMMON)

    def nearest_antenna(self, latitude: float, longitude: float) -> str | None:
        """The antenna near a location; None far from all of them (Paris is near no town:
        better to ask than to answer for a hospital hundreds of kilometres away)."""
        best: tuple[float, str] | None = None
        for code, (lat, lon) in self.centres.items():
            distance = km(latitude, longitude, lat, lon)
            if distance <= MAX_KM_FROM_ANTENNA and (best is None or distance < best[0]):
                best = (distance, code)
        return best[1] if best else None


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def pick(texts: dict[str, str], locale: str) -> tuple[str, bool]:
    """The text in a locale, else English, else French; and whether it fell back."""
    if locale in texts:
        return texts[locale], False
    for candidate in FALLBACK_LOCALES:
        if candidate in texts:
            return texts[candidate], True
    return "", True


class _Lines:
    """Where things are in a TOML file's text: tomllib gives no line numbers for values."""

    HEADER = re.compile(r"^\s*\[\[\s*entry\s*\]\]")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers = [i + 1 for i, line in enumerate(self.lines) if self.HEADER.match(line)]

    def entry(self, index: int) -> int:
        return self.headers[index] if index < len(self.headers) else 0

    def field(self, index: int, name: str) -> int:
        """The line of `name = ...` (or `name.xx = ...`) inside the index-th entry; else the
        line of the entry's header (0 if there is no such entry)."""
        return self.find(index, name) or self.entry(index)

    def find(self, index: int, name: str) -> int:
        start = self.entry(index)
        if not start:
            return 0
        end = self.headers[index + 1] if index + 1 < len(self.headers) else len(self.lines) + 1
        pattern = re.compile(rf"^\s*{re.escape(name)}\s*(=|\.)")
        for number in range(start, end - 1):
            if pattern.match(self.lines[number]):
                return number + 1
        return 0

    def table(self, name: str) -> int:
        pattern = re.compile(rf"^\s*\[\s*{re.escape(name)}\s*\]")
        for number, line in enumerate(self.lines):
            if pattern.match(line):
                return number + 1
        return 0


def _validation_issues(name: str, exc: ValidationError, where: _Lines) -> list[Issue]:
    issues = []
    for error in exc.errors():
        loc = list(error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        line = 0
        label = ""
        if loc and loc[0] == "entry" and len(loc) >= 2 and isinstance(loc[1], int):
            index = loc[1]
            label = f"entry #{index + 1}: "
            if len(loc) >= 3:
                # A per-locale text names its locale in the message: point at that line.
                quoted = re.search(r"'(\w+)'", message)
                key = f"{loc[2]}.{quoted.group(1)}" if quoted else ""
                line = (key and where.find(index, key)) or where.field(index, str(loc[2]))
            else:
                line = where.field(index, "id")
            if len(loc) >= 3:
                label += ".".join(str(part) for part in loc[2:]) + ": "
        elif loc and loc[0] == "antenna":
            line = where.table("antenna")
            label = ".".join(str(part) for part in loc) + ": "
        else:
            label = ".".join(str(part) for part in loc) + ": " if loc else ""
        issues.append(Issue(name, line, label + message))
    return issues


def _entry_issues(name: str, parsed: ContentFile, where: _Lines) -> list[Issue]:
    """Duplicate ids, places far from the town, missing or unreviewed translations."""
    issues: list[Issue] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(parsed.entry):
        line = where.field(index, "id")
        if entry.id in seen:
            issues.append(
                Issue(name, line, f"id {entry.id!r} already used at line {seen[entry.id]}")
            )
        seen.setdefault(entry.id, line)
        if (
            parsed.antenna is not None
            and entry.latitude is not None
            and entry.longitude is not None
        ):
            distance = km(
                entry.latitude, entry.longitude, parsed.antenna.latitude, parsed.antenna.longitude
            )
            if distance > MAX_KM_FROM_ANTENNA:
                issues.append(
                    Issue(
                        name,
                        where.field(index, "latitude"),
                        f"entry {entry.id!r}: the coordinates are {distance:.0f} km from the "
                        "town (swapped latitude and longitude?)",
                    )
                )
        for locale in SHIPPED_LOCALES:
            if locale not in entry.text or locale not in entry.title:
                issues.append(
                    Issue(name, line, f"entry {entry.id!r}: no {locale} translation", error=False)
                )
            elif locale in entry.unreviewed:
                issues.append(
                    Issue(name, line, f"entry {entry.id!r}: {locale} not reviewed", error=False)
                )
    return issues


def check_file(
    path: Path, antennas: set[str] | None = None
) -> tuple[ContentFile | None, list[Issue]]:
    """Parse and validate one file; the issues (errors and warnings) name lines."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Issue(name, 0, f"cannot read the file: {exc}")]
    where = _Lines(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        return None, [Issue(name, int(match.group(1)) if match else 0, f"not valid TOML: {exc}")]
    try:
        parsed = ContentFile.model_validate(data)
    except ValidationError as exc:
        return None, _validation_issues(name, exc, where)
    issues: list[Issue] = []
    scope = path.stem
    if scope != COMMON:
        if antennas is not None and scope not in antennas:
            issues.append(Issue(name, 0, f"no antenna is called {scope!r}"))
        if parsed.antenna is None:
            issues.append(Issue(name, 0, "needs an [antenna] table with the town's coordinates"))
    issues += _entry_issues(name, parsed, where)
    return parsed, issues


def estimate_answer(entries: list[Entry], locale: str) -> int:
    """The size of an answer without its few fixed lines (see handlers/info.py)."""
    size = 0
    for entry in entries:
        size += len(pick(entry.title, locale)[0]) + len(pick(entry.text, locale)[0]) + 8
        size += len(pick(entry.hours, locale)[0]) + 4 if entry.hours else 0
        size += sum(len(number) + 4 for number in entry.phones)
        size += len(entry.address or "") + 4
    return size


# What an answer adds around its entries: the caveat, fallback and verified lines, the title.
FIXED_LINES = 200


def _budget_issues(name: str, catalogue: Catalogue, scope: str) -> list[Issue]:
    """An answer over one screen in any language is an error."""
    issues: list[Issue] = []
    for topic in ANSWERED_TOPICS:
        shown = [e for _, e in catalogue.for_topic(scope, topic)]
        for locale in SHIPPED_LOCALES:
            size = estimate_answer(shown, locale) + FIXED_LINES
            if size > ANSWER_BUDGET:
                issues.append(
                    Issue(
                        name,
                        0,
                        f"the {topic} answer in {locale} is about {size} characters, over "
                        f"one screen ({ANSWER_BUDGET}): shorten or move entries",
                    )
                )
                break
    return issues


def load_catalogue(
    directory: Path = CONTENT_DIR, antennas: set[str] | None = None
) -> tuple[Catalogue | None, list[Issue]]:
    """Every catalogue file of the directory; the catalogue is None when any file is wrong."""
    issues: list[Issue] = []
    entries: dict[str, list[Entry]] = {}
    centres: dict[str, tuple[float, float]] = {}
    files = sorted(p for p in directory.glob("*.toml") if p.name not in OTHER_FILES)
    if not any(p.name == COMMON_FILE for p in files):
        issues.append(Issue(COMMON_FILE, 0, "missing: the national entries live there"))
    for path in files:
        parsed, found = check_file(path, antennas)
        issues += found
        if parsed is None:
            continue
        entries[path.stem] = list(parsed.entry)
        if parsed.antenna is not None and path.stem != COMMON:
            centres[path.stem] = (parsed.antenna.latitude, parsed.antenna.longitude)
    for antenna in sorted(antennas or set()):
        if not (directory / f"{antenna}.toml").exists():
            issues.append(Issue(f"{antenna}.toml", 0, "missing: every antenna needs its file"))
    # Ids are unique per antenna, national ones included (a confirmation names one entry).
    common_ids = {entry.id for entry in entries.get(COMMON, [])}
    catalogue = Catalogue(entries, centres)
    for scope in catalogue.antennas:
        name = f"{scope}.toml"
        for entry in entries[scope]:
            if entry.id in common_ids:
                issues.append(Issue(name, 0, f"id {entry.id!r} is also used in {COMMON_FILE}"))
        issues += _budget_issues(name, catalogue, scope)
        issues += [
            Issue(name, 0, f"no entry answers {topic}: people get 'ask the team'", error=False)
            for topic in ANSWERED_TOPICS
            if not catalogue.for_topic(scope, topic)
        ]
    errors = [issue for issue in issues if issue.error]
    if errors:
        return None, issues
    return Catalogue(entries, centres, [i for i in issues if not i.error]), issues


def missing_translations(issues: list[Issue]) -> dict[str, int]:
    """How many entries lack each locale (from the warnings)."""
    counts: dict[str, int] = {}
    for issue in issues:
        match = re.search(r"no (\w+) translation", issue.message)
        if not issue.error and match:
            counts[match.group(1)] = counts.get(match.group(1), 0) + 1
    return counts
