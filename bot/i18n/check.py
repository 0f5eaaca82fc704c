"""`maraude i18n check`: every shipped locale translates every message of the code, and
translates it without the mistakes that break a message or make it unreadable.

Per entry and locale: placeholders and HTML tags kept, the text formats with the msgid's
placeholders, the commands of the msgid kept verbatim (`/shift start`, never `/نوبة`), the text
written in the locale's script (and, for the Arabic-script languages, with the letters that tell
Arabic, Pashto, Persian, Sorani and Urdu apart), the right number of plural forms, each form
compared with the msgid it stands for. Per catalogue: the Plural-Forms header agrees with Babel's
rule for the locale, and the share of unreviewed (fuzzy) entries stays under the threshold of
`[tool.maraude.i18n]` in pyproject.toml for the locales listed there as reviewed.
"""

from __future__ import annotations

import gettext
import re
import string
import tomllib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileParser

from bot.config import SHIPPED_LOCALES
from bot.i18n import DOMAIN, EMBEDDINGS, LOCALES_DIR

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

# A command: a slash and a Latin word, not the end of a closing tag (`</b>`), of a URL
# (`t.me/bot`, `https://`) or of a placeholder (`{link}/x`). The words the handlers read
# as a sub-command belong to it (`/shift start`, `/places restore`); other words after a
# command are the sentence (`/help to see…`) and are translated.
COMMAND = re.compile(r"(?<![\w/<:.}\-])/([A-Za-z][A-Za-z0-9_]*)\b(?:[ \t]+([a-z]+)\b)?")
SUBCOMMANDS = frozenset(
    {
        "start",
        "end",
        "status",
        "add",
        "rename",
        "retire",
        "retired",
        "restore",
        "list",
        "cancel",
        "del",
        "reload",
        "export",
    }
)
# A command translated into another script: a slash and a word that is not Latin.
FOREIGN_COMMAND = re.compile(r"(?<![\w/<:.}\-])/(?![A-Za-z0-9])(\w+)")


# Scripts ------------------------------------------------------------------------------

PASHTO = "ټډړږښګڼېۍځڅ"
SORANI = "ەێۆڵڕ"
URDU = "ٹڈڑںےہھ"
PERSIAN = "پچژگیک"  # shared by ps/fa/ckb/ur; Arabic writes ي ك and has no پ چ ژ گ


@dataclass(frozen=True)
class Script:
    """What a locale's text is written in.

    `script`: the Unicode script of its letters (the first word of their Unicode names).
    `forbidden`: letters other languages of the same script use and this one never does.
    `marks` and `words`: the letters only this language uses among those sharing its script,
    and its most common small words; a long enough text shows at least one, and shows more
    of them than of any other language's.
    """

    script: str
    forbidden: str = ""
    marks: str = ""
    words: frozenset[str] = frozenset()


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


LATIN = Script("LATIN")
ETHIOPIC = Script("ETHIOPIC")
SCRIPTS: dict[str, Script] = {
    "fr": LATIN,
    "en": LATIN,
    "vi": LATIN,
    "so": LATIN,
    "kmr": LATIN,
    "om": LATIN,
    "ti": ETHIOPIC,
    "am": ETHIOPIC,
    # Arabic: ي ك, none of the Persian letters (پ چ ژ گ ی ک) nor the others'.
    "ar": Script(
        "ARABIC",
        forbidden=PERSIAN + PASHTO + SORANI + URDU,
        words=_words("في إلى على هذا هذه الذي التي لم تم"),
    ),
    # Pashto: its own letters (Persian گ is written ګ, Arabic ك is written ک) and words.
    "ps": Script(
        "ARABIC",
        forbidden="گك" + SORANI + "ٹڈڑںےہ",
        marks=PASHTO,
        words=_words("د په ته دا شو شول دی دي یې شوی ستاسو تاسو دمخه نشته لپاره چې هغه نوم"),
    ),
    # Persian (Dari, Farsi): ی ک, never Arabic ي ك, none of the Pashto, Sorani, Urdu letters.
    "fa": Script(
        "ARABIC",
        forbidden="يك" + PASHTO + SORANI + URDU,
        words=_words("را این از است در می شده شما برای نیست کنید ها های که")
        | _words("نمی یک هیچ همه شود شد نشد دارم"),
    ),
    # Sorani: its own vowels and letters, ی ک, no Pashto or Urdu letters, no Arabic ي ك ة.
    "ckb": Script(
        "ARABIC",
        forbidden="يكة" + PASHTO + "ٹڈڑںےہ",
        marks=SORANI,
        words=_words("یان کرا ناو ناوی زانیاری داواکاری کاتی"),
    ),
    # Urdu: its own letters (ے ہ ں ٹ ڈ ڑ ھ) and words, ی ک, no Pashto or Sorani letters.
    "ur": Script(
        "ARABIC",
        forbidden="يك" + PASHTO + SORANI,
        marks=URDU,
        words=_words("کی کا کو سے میں ہے ہیں نہیں آپ یہ کوئی کر گئی گیا دیا کریں کیا"),
    ),
}
MARK_AFTER = 20  # letters in the locale's script: a text this long shows its language's marks
JUDGE_AFTER = 4  # letters counted: fewer ("OK", "PDF", an emoji) and the script is not judged
MIN_NATIVE_SHARE = 0.5  # of the letters counted, at least this share in the locale's script

# Removed before counting letters: what is not translated on purpose.
NOT_PROSE = re.compile(
    r"<(code|pre)>.*?</\1>"  # examples to type, kept as they are
    r"|<[^>]*>"  # tags
    r"|&#?\w+;"  # entities
    r"|\{[^{}]*\}"  # placeholders
    r"|(?:https?://|t\.me/|www\.)\S+"  # links
    r"|(?<![\w/<:.}\-])/[A-Za-z]\w*",  # commands
    re.DOTALL,
)
# A word, with its combining marks (Arabic harakat, Latin accents written apart); the
# zero-width non-joiner splits Persian "می‌…" from its verb.
_LETTER = "(?:[^\\W\\d_]|[\u0300-\u036f\u064b-\u065f\u0670\u06d6-\u06ed\u135d-\u135f])"
WORD = re.compile(f"{_LETTER}+(?:['’-]{_LETTER}+)*")
SENTENCE_START = re.compile(r"(?:^|[.!?:…\n])[^\w{]*$")


def _script_of(letter: str) -> str:
    if "\u2100" <= letter <= "\u214f":  # letterlike symbols: ℹ️, №, ™
        return "SYMBOL"
    return unicodedata.name(letter, "").split(" ", 1)[0]


def _names(msgid: str) -> set[str]:
    """The words of the msgid that stay as they are: names (a capital inside a sentence:
    Telegram, Marck) and codes in capitals (PDF, NAME, HH, OK)."""
    prose = NOT_PROSE.sub(" ", msgid)
    names = set()
    for match in WORD.finditer(prose):
        word = match.group()
        if word.isupper() or (
            word[0].isupper() and not SENTENCE_START.search(prose[: match.start()])
        ):
            names.add(word)
    return names


@dataclass(frozen=True)
class Letters:
    native: str
    foreign: str
    words: tuple[str, ...]

    @property
    def counted(self) -> int:
        return len(self.native) + len(self.foreign)


def letters(text: str, script: str, kept: Iterable[str] = ()) -> Letters:
    """The letters of the text's prose, split into the script's and the others'. Tags,
    placeholders, links, commands, examples in <code>, the words in `kept`, digits, emoji
    and punctuation are not counted."""
    prose = NOT_PROSE.sub(" ", text)
    skipped = set(kept)
    native: list[str] = []
    foreign: list[str] = []
    words: list[str] = []
    for match in WORD.finditer(prose):
        word = match.group()
        if word in skipped:
            continue
        words.append(word)
        for char in word:
            if unicodedata.category(char).startswith("L") and _script_of(char) != "SYMBOL":
                (native if _script_of(char) == script else foreign).append(char)
    return Letters("".join(native), "".join(foreign), tuple(words))


def _score(language: Script, found: Letters) -> int:
    return sum(char in language.marks for char in found.native) + sum(
        word in language.words for word in found.words
    )


def script_problem(locale: str, msgid: str, text: str) -> str | None:
    """Why the text is not in the locale's script and language, or None. A locale without
    an entry in SCRIPTS is not judged.

    A text with no letter in the script fails (an English text copied into the Arabic file);
    so does one where the script's letters are under half of the rest once the words kept
    from the msgid (names, keywords people type) are set aside; one with a letter the
    language never uses (Arabic ي in Persian); one long enough to show none of its
    language's marks, or more of a neighbour's (Persian text in the Pashto file)."""
    expected = SCRIPTS.get(locale)
    if expected is None:
        return None
    names = _names(msgid)
    found = letters(text, expected.script, names)
    if found.counted >= JUDGE_AFTER and not found.native:
        return f"not written in {expected.script.title()} script"
    kept = names | set(WORD.findall(msgid))
    prose = letters(text, expected.script, kept)
    if prose.counted >= JUDGE_AFTER and len(prose.native) < MIN_NATIVE_SHARE * prose.counted:
        sample = " ".join(dict.fromkeys(w for w in prose.words if w not in kept))
        return (
            f"mostly not in {expected.script.title()} script "
            f"({len(prose.foreign)} of {prose.counted} letters: {sample[:40]})"
        )
    wrong = sorted({char for char in found.native if char in expected.forbidden})
    if wrong:
        return f"letters this language does not use: {' '.join(wrong)}"
    if not (expected.marks or expected.words):
        return None
    own = _score(expected, found)
    for other, language in SCRIPTS.items():
        if other != locale and language.script == expected.script:
            theirs = _score(language, found)
            if theirs > own and (theirs >= 2 or len(found.native) >= JUDGE_AFTER):
                return f"reads like {other}, not {locale}"
    if expected.marks and own == 0 and len(found.native) >= MARK_AFTER:
        return f"reads like another language: no {locale} letter or word"
    return None


# Placeholders, format, commands ---------------------------------------------------------


def commands(text: str) -> set[str]:
    """The commands of a text, with their sub-command: {"/shift start", "/menu"}."""
    found = set()
    for match in COMMAND.finditer(text):
        name, word = match.groups()
        found.add(f"/{name} {word}" if word in SUBCOMMANDS else f"/{name}")
    return found


def _fields(text: str) -> set[str]:
    """The names of the placeholders: {name}, {n:d} and {name!r} give name and n."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name]
    except ValueError:  # a stray brace: format_problem says so
        return set(PLACEHOLDER.findall(text))
    return {re.split(r"[.\[]", name, maxsplit=1)[0] for name in fields}


def format_problem(text: str, names: set[str]) -> str | None:
    """The text formats with the msgid's placeholders as `Translator._fill` does, or why not."""
    values: dict[str, Any] = dict.fromkeys(names, 7)
    try:
        text.format(**values)
    except KeyError as error:
        return f"unknown placeholder {{{error.args[0]}}}"
    except (ValueError, IndexError, AttributeError, TypeError) as error:
        return f"does not format ({error}): write a literal brace as {{{{ or }}}}"
    return None


def _tags(text: str) -> list[str]:
    return sorted(TAG.findall(text))


def nested(text: str) -> bool:
    """Every tag closed after it opened, inside out ("<b><i></i></b>"): Telegram refuses a
    message whose tags cross or close before they open, and the message is lost."""
    opened: list[str] = []
    for match in TAG.finditer(text):
        if not match.group().startswith("</"):
            opened.append(match.group(1))
        elif not opened or opened.pop() != match.group(1):
            return False
    return not opened


def _problem(
    msgid: str,
    translation: str,
    *,
    may_drop: frozenset[str] = frozenset(),
    may_add: frozenset[str] = frozenset(),
) -> str | None:
    """Placeholders and HTML tags must survive translation, or the message breaks. The
    placeholders in `may_drop` may be left out (`{n}` in a form that covers one number),
    those in `may_add` may be added (`{n}` in the singular form: the code always gives it)."""
    wanted, found = _fields(msgid), _fields(translation)
    if (found - wanted) - may_add or (wanted - found) - may_drop:
        lost, extra = sorted((wanted - found) - may_drop), sorted((found - wanted) - may_add)
        detail = ", ".join([f"lost {{{n}}}" for n in lost] + [f"unknown {{{n}}}" for n in extra])
        return f"placeholders differ ({detail})"
    if _tags(msgid) != _tags(translation):
        return "HTML tags differ"
    if not nested(translation):
        return "HTML tags closed before they open or crossed (Telegram refuses the message)"
    # Embeddings and overrides reverse the rest of a line (marks and isolates are harmless).
    if not EMBEDDINGS.isdisjoint(translation):
        return "a direction embedding or override (U+202A-202E): the bot sets the direction"
    if "<" in translation.replace("</", "<") and not set(_tags(translation)) <= TELEGRAM_TAGS:
        return "a tag Telegram does not accept (write < as &lt;)"
    if re.search(r"<(?![a-z/])", translation):
        return "bare < (Telegram refuses it in HTML)"
    if re.search(r"&(?!(lt|gt|amp|quot|#\d+);)", translation):
        return "bare & (Telegram refuses it in HTML)"
    lost_commands = sorted(commands(msgid) - commands(translation))
    if lost_commands:
        return f"command {', '.join(lost_commands)} not kept as it is (never translate it)"
    translated = FOREIGN_COMMAND.search(translation)
    if translated:
        return f"translated command {translated.group()!r}"
    return None


# Plural rules ---------------------------------------------------------------------------

SAMPLES = (*range(1001), 1_000_000, 2_000_000, 1_000_001, 10**9)


PluralRule = Callable[[int], int]


def _compile(expr: str) -> PluralRule:
    return gettext.c2py(expr)


def single_number_forms(num_plurals: int, rule: PluralRule) -> frozenset[int]:
    """The forms that stand for one number only (Arabic zero, one, two; English one)."""
    seen: dict[int, list[int]] = {}
    for n in SAMPLES:
        seen.setdefault(rule(n), []).append(n)
    return frozenset(form for form in range(num_plurals) if len(seen.get(form, [])) == 1)


def plural_header_problem(locale: str, catalog: Catalog) -> str | None:
    """The catalogue's Plural-Forms must choose the same form as Babel's rule for every n."""
    expected = get_plural(locale)
    if catalog.num_plurals != expected.num_plurals:
        return (
            f"Plural-Forms header says nplurals={catalog.num_plurals}, "
            f"Babel's rule for {locale} has {expected.num_plurals}: {expected.plural_forms}"
        )
    try:
        theirs = _compile(catalog.plural_expr)
    except (ValueError, SyntaxError):
        return f"Plural-Forms rule unreadable: {catalog.plural_expr}"
    ours = _compile(expected.plural_expr)
    for n in SAMPLES:
        if theirs(n) != ours(n):
            return (
                f"Plural-Forms rule gives form {theirs(n)} for n={n}, Babel's rule gives "
                f"{ours(n)}: write {expected.plural_forms}"
            )
    return None


# Reading ------------------------------------------------------------------------------

MessageKey = tuple[str, str | None]  # (msgid, context)


class _Parser(PoFileParser):
    """Babel's parser, remembering how many plural forms each entry really has (Babel drops
    the extra ones) and collecting its complaints instead of printing them."""

    def __init__(self, catalog: Catalog) -> None:
        super().__init__(catalog, ignore_obsolete=True)
        self.forms: dict[MessageKey, list[str]] = {}
        self.complaints: list[str] = []

    def _add_message(self) -> None:
        if len(self.messages) > 1:
            msgid = self.messages[0].denormalize()
            context = self.context.denormalize() if self.context else None
            written = dict(self.translations)
            self.forms[(msgid, context)] = [
                written[idx].denormalize() if idx in written else ""
                for idx in range(max(written) + 1)
            ]
        super()._add_message()

    def _invalid_pofile(self, line: str, lineno: int, msg: str) -> None:
        if "more translations than num_plurals" not in msg:
            self.complaints.append(f"line {lineno + 1}: {msg}")


@dataclass
class ReadCatalog:
    catalog: Catalog
    forms: dict[MessageKey, list[str]]
    complaints: list[str]


def read_catalog(handle: IO[bytes], locale: str | None) -> ReadCatalog:
    catalog = Catalog(locale=locale, domain=DOMAIN)
    parser = _Parser(catalog)
    parser.parse(handle)
    return ReadCatalog(catalog, parser.forms, parser.complaints)


# The check ----------------------------------------------------------------------------


@dataclass
class Settings:
    """`[tool.maraude.i18n]` of pyproject.toml."""

    reviewed: tuple[str, ...] = ()
    max_unreviewed: float = 0.0


def load_settings(pyproject: Path | None = None) -> Settings:
    path = pyproject or Path(__file__).resolve().parents[2] / "pyproject.toml"
    if not path.exists():
        return Settings()
    with path.open("rb") as handle:
        table = tomllib.load(handle).get("tool", {}).get("maraude", {}).get("i18n", {})
    return Settings(
        reviewed=tuple(table.get("reviewed", ())),
        max_unreviewed=float(table.get("max-unreviewed", 0.0)),
    )


@dataclass
class LocaleReport:
    locale: str
    total: int = 0
    translated: int = 0
    fuzzy: int = 0
    missing: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    reviewed: bool = False
    max_unreviewed: float = 0.0

    @property
    def unreviewed_share(self) -> float:
        return self.fuzzy / self.translated if self.translated else 0.0

    @property
    def too_unreviewed(self) -> bool:
        return self.reviewed and self.unreviewed_share > self.max_unreviewed

    @property
    def ok(self) -> bool:
        return not self.missing and not self.broken and not self.too_unreviewed


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


def shorten(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= width else flat[: width - 1] + "…")


def _entry_problems(
    locale: str,
    msgid: str,
    msgid_plural: str | None,
    strings: list[str],
    single: frozenset[int],
) -> list[str]:
    if msgid_plural is None:
        sources = [(msgid, frozenset[str]())]
    else:
        # Form 0 is the singular (vi's only form stands for every number); a form that
        # covers one number (Arabic zero, one, two) may say it in words and drop {n}.
        sources = [
            (
                msgid if k == 0 and len(strings) > 1 else msgid_plural,
                frozenset({"n"}) if k in single else frozenset[str](),
            )
            for k in range(len(strings))
        ]
    names = _fields(msgid) | _fields(msgid_plural or "")
    if msgid_plural is not None:
        names.add("n")  # Translator.n_ always gives it
    problems = []
    for k, (text, (source, may_drop)) in enumerate(zip(strings, sources, strict=True)):
        where = f"form {k}: " if msgid_plural is not None else ""
        problem = _problem(source, text, may_drop=may_drop, may_add=frozenset(names))
        if problem is None and (names or msgid_plural is not None):
            problem = format_problem(text, names)
        if problem is None:
            problem = script_problem(locale, source, text)
        if problem:
            problems.append(where + problem)
    return problems


def check_catalog(
    locale: str,
    catalog: Catalog,
    wanted: set[MessageKey],
    num_plurals: int | None = None,
    forms: dict[MessageKey, list[str]] | None = None,
    settings: Settings | None = None,
) -> LocaleReport:
    """Check one catalogue against the messages of the code. `num_plurals`: the forms each
    plural entry must have (default: Babel's rule for the locale); `forms`: the plural forms as
    written in the file (Babel's reader drops those its header does not count, see
    `read_catalog`)."""
    settings = settings or Settings()
    report = LocaleReport(
        locale,
        total=len(wanted),
        reviewed=locale in settings.reviewed,
        max_unreviewed=settings.max_unreviewed,
    )
    rule = get_plural(locale)
    expected_forms = num_plurals or rule.num_plurals
    single = single_number_forms(expected_forms, _compile(rule.plural_expr))
    header = plural_header_problem(locale, catalog)
    if header:
        report.broken.append(header)
    for msgid, context in sorted(wanted, key=lambda key: key[0]):
        message = catalog.get(msgid, context=context)
        label = shorten(msgid) + (f" ({context})" if context else "")
        strings: list[str] = []
        if message is not None:
            raw = message.string
            strings = [str(part) for part in raw] if isinstance(raw, tuple | list) else [raw or ""]
        pluralizable = message is not None and message.pluralizable
        written = len(strings)
        if pluralizable:
            # What the file holds, whatever its header says; then the forms the rule uses.
            strings = (forms or {}).get((msgid, context), strings)
            written = len(strings)
            strings = strings[:expected_forms]
        if (
            not strings
            or not all(strings)
            or len(strings) < (expected_forms if pluralizable else 1)
        ):
            report.missing.append(msgid)
            continue
        report.translated += 1
        if message is not None and message.fuzzy:
            report.fuzzy += 1
        plural = str(message.id[1]) if message is not None and pluralizable else None
        if written > expected_forms:
            report.broken.append(f"{label}: {written} plural forms, {locale} has {expected_forms}")
            continue
        report.broken += [
            f"{label}: {problem}"
            for problem in _entry_problems(locale, msgid, plural, strings, single)
        ]
    return report


def check_file(
    locale: str, path: Path, wanted: set[MessageKey], settings: Settings | None = None
) -> LocaleReport:
    with path.open("rb") as handle:
        read = read_catalog(handle, locale)
    report = check_catalog(locale, read.catalog, wanted, forms=read.forms, settings=settings)
    report.broken[:0] = read.complaints
    return report


def check_all(
    locales_dir: Path = LOCALES_DIR,
    source: Path | None = None,
    locales: Iterable[str] = SHIPPED_LOCALES,
    settings: Settings | None = None,
) -> tuple[list[LocaleReport], list[str]]:
    """Per-locale reports, and the messages of the code missing from the template."""
    source = source or Path(__file__).resolve().parent.parent
    settings = settings or load_settings()
    wanted = extract_messages(source)
    problems: list[str] = []
    template_path = locales_dir / f"{DOMAIN}.pot"
    if template_path.exists():
        with template_path.open("rb") as handle:
            template = read_catalog(handle, None).catalog
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
    for locale in locales:
        path = locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not path.exists():
            reports.append(LocaleReport(locale, total=len(wanted), missing=["(no catalogue)"]))
            continue
        reports.append(check_file(locale, path, wanted, settings))
    return reports, problems


SHOWN = 40  # problems listed per locale; the count says how many more


def render(reports: list[LocaleReport], problems: list[str]) -> str:
    lines = [
        f"{'locale':<8}{'translated':>12}{'unreviewed':>14}{'missing':>9}{'broken':>8}"
        f"{'coverage':>10}"
    ]
    for r in reports:
        coverage = 100.0 * r.translated / r.total if r.total else 100.0
        unreviewed = f"{r.fuzzy} ({100.0 * r.unreviewed_share:.0f}%)"
        lines.append(
            f"{r.locale:<8}{r.translated:>12}{unreviewed:>14}{len(r.missing):>9}"
            f"{len(r.broken):>8}{coverage:>9.1f}%"
        )
    for r in reports:
        listed = [f"missing {shorten(msgid)}" for msgid in r.missing] + r.broken
        lines += [f"{r.locale}: {problem}" for problem in listed[:SHOWN]]
        if len(listed) > SHOWN:
            lines.append(f"{r.locale}: … and {len(listed) - SHOWN} more")
        if r.too_unreviewed:
            lines.append(
                f"{r.locale}: {100.0 * r.unreviewed_share:.1f}% of entries unreviewed (fuzzy), "
                f"more than the {100.0 * r.max_unreviewed:.1f}% allowed for a reviewed locale "
                "([tool.maraude.i18n] in pyproject.toml)"
            )
    lines += problems
    return "\n".join(lines)
