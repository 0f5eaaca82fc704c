"""`maraude i18n check`: every shipped locale translates every message of the code."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.config import SHIPPED_LOCALES
from bot.i18n import DOMAIN, LOCALES_DIR

KEYWORDS = {
    "_": None,
    "n_": (1, 2),
    "p_": ((1, "c"), 2),
    "np_": ((1, "c"), 2, 3),
    "N_": None,
    "pN_": ((1, "c"), 2),
    "npN_": ((1, "c"), 2, 3),
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")
TAG = re.compile(r"</?([a-z-]+)[^>]*>")
# What Telegram accepts under parse_mode HTML; anything else in "<...>" makes it refuse.
TELEGRAM_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}

MessageKey = tuple[str, str | None]  # (msgid, context)


@dataclass
class LocaleReport:
    locale: str
    total: int = 0
    translated: int = 0
    fuzzy: int = 0
    missing: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.broken


def extract_messages(source: Path) -> set[MessageKey]:
    """The messages the code marks for translation, as `pybabel extract` would find them."""
    found: set[MessageKey] = set()
    method_map = [("**.py", "python")]
    for _, _, message, _, context in extract_from_dir(
        str(source), method_map=method_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.add((msgid, context))
    return found


def _tags(text: str) -> list[str]:
    return sorted(TAG.findall(text))


def _problem(msgid: str, translation: str) -> str | None:
    """Placeholders and HTML tags must survive translation, or the message breaks."""
    if set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(translation)):
        return "placeholders differ"
    if _tags(msgid) != _tags(translation):
        return "HTML tags differ"
    if "<" in translation.replace("</", "<") and not set(_tags(translation)) <= TELEGRAM_TAGS:
        return "a tag Telegram does not accept (write < as &lt;)"
    if re.search(r"<(?![a-z/])", translation):
        return "bare < (Telegram refuses it in HTML)"
    if re.search(r"&(?!(lt|gt|amp|quot|#\d+);)", translation):
        return "bare & (Telegram refuses it in HTML)"
    return None


def check_catalog(
    locale: str, catalog: Catalog, wanted: set[MessageKey], num_plurals: int
) -> LocaleReport:
    report = LocaleReport(locale, total=len(wanted))
    for msgid, context in sorted(wanted, key=lambda key: key[0]):
        message = catalog.get(msgid, context=context)
        strings: list[str] = []
        if message is not None:
            raw = message.string
            strings = [str(part) for part in raw] if isinstance(raw, tuple | list) else [raw or ""]
        if (
            not strings
            or not all(strings)
            or len(strings) < (num_plurals if message is not None and message.pluralizable else 1)
        ):
            report.missing.append(msgid)
            continue
        report.translated += 1
        if message is not None and message.fuzzy:
            report.fuzzy += 1
        for text in strings:
            problem = _problem(msgid, text)
            if problem:
                report.broken.append(f"{msgid!r}: {problem}")
                break
    return report


def check_all(
    locales_dir: Path = LOCALES_DIR, source: Path | None = None
) -> tuple[list[LocaleReport], list[str]]:
    """Per-locale reports, and the messages of the code missing from the template."""
    source = source or Path(__file__).resolve().parent.parent
    wanted = extract_messages(source)
    problems: list[str] = []
    template_path = locales_dir / f"{DOMAIN}.pot"
    if template_path.exists():
        with template_path.open("rb") as handle:
            template = read_po(handle)
        in_template = {
            (m.id if isinstance(m.id, str) else m.id[0], m.context) for m in template if m.id
        }
        stale = wanted - in_template
        if stale:
            problems.append(
                f"{len(stale)} message(s) missing from {template_path.name}: run make i18n"
            )
    else:
        problems.append(f"{template_path} is missing: run make i18n")
    reports = []
    for locale in SHIPPED_LOCALES:
        path = locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not path.exists():
            reports.append(LocaleReport(locale, total=len(wanted), missing=["(no catalogue)"]))
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        reports.append(check_catalog(locale, catalog, wanted, catalog.num_plurals))
    return reports, problems


def render(reports: list[LocaleReport], problems: list[str]) -> str:
    lines = [f"{'locale':<8}{'translated':>12}{'unreviewed':>12}{'missing':>9}{'coverage':>10}"]
    for r in reports:
        coverage = 100.0 * r.translated / r.total if r.total else 100.0
        lines.append(
            f"{r.locale:<8}{r.translated:>12}{r.fuzzy:>12}{len(r.missing):>9}{coverage:>9.1f}%"
        )
    for r in reports:
        lines += [f"{r.locale}: missing {msgid!r}" for msgid in r.missing[:20]]
        lines += [f"{r.locale}: {problem}" for problem in r.broken[:20]]
    lines += problems
    return "\n".join(lines)
