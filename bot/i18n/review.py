"""`maraude i18n review` and `maraude i18n import`: a language reviewed by a volunteer who
speaks it, in a spreadsheet, not in a .po file.

The export is a CSV file (UTF-8 with a BOM, so Excel and LibreOffice open Arabic, Ethiopic or
Vietnamese text in the right script) with one row per entry and per plural form: a stable id,
where the sentence is seen, the English and French source, the translation now, and two columns
for the reviewer ("Reviewed", "Corrected translation"). The import takes the file back (as it
was saved: with or without the BOM, comma, semicolon or tab separated, or .xlsx when openpyxl
happens to be installed), clears `fuzzy` on what was reviewed, stores the corrections and
refuses a correction that would break the message (a placeholder, tag or command lost).
"""

from __future__ import annotations

import csv
import gettext
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.config import SHIPPED_LOCALES
from bot.i18n import DOMAIN, LANGUAGES, LOCALES_DIR
from bot.i18n.check import FOREIGN_COMMAND, KEYWORDS, PLACEHOLDER, TAG, commands, nested

# Where a sentence is seen, in words a volunteer understands: the module that shows it.
# A module that gains its first message needs a line here (tests/unit/test_i18n_review.py).
AREAS: dict[str, str] = {
    "handlers/public.py": "Public: first contact, language, menu",
    "handlers/info.py": "Public: information menu",
    "handlers/cards.py": "Public: cards to show staff",
    "handlers/help_requests.py": "Public: “I need help” and the team's replies",
    "handlers/fallback.py": "Everyone: answer to a message the bot did not understand",
    "handlers/gate.py": "Everyone: first message",
    "handlers/inputs.py": "Everyone: typed answers",
    "handlers/common.py": "Everyone: shared buttons and error messages",
    "runtime.py": "Everyone: when something went wrong",
    "services/menus.py": "Everyone: command menu and /help",
    "services/keywords.py": "Volunteers: words typed after a command",
    "handlers/shifts.py": "Volunteers: shifts and the safety check",
    "handlers/planning.py": "Volunteers: planned shifts and sign-up",
    "handlers/plan_form.py": "Coordinators: planning a shift",
    "handlers/distributions.py": "Volunteers: distributions",
    "handlers/catalogue.py": "Volunteers: places and items",
    "handlers/woodcut.py": "Volunteers: wood-cutting sessions",
    "handlers/stay.py": "Volunteers: stays at the house, contributions and reductions",
    "handlers/incidents.py": "Volunteers: reporting a rights violation",
    "handlers/incident_export.py": "Legal team: incident reports",
    "services/incident_pdf.py": "Legal team: incident report document (PDF)",
    "services/incident_record.py": "Legal team: incident report document (PDF)",
    "handlers/team.py": "Team: invitations, joining, roles",
    "handlers/alerts.py": "Coordinators: team alerts and weekly summary",
    "handlers/broadcast.py": "Coordinators: messages to the team",
    "handlers/reports.py": "Coordinators: reports and exports",
    "handlers/housing.py": "Coordinators: the house, nights and balances (/housing)",
    "flyer/__init__.py": "Printed flyer",
    "i18n/__init__.py": "Everyone: numbers, durations and units",
}
UNUSED = "Not used by the bot any more"
# Words the reviewer may write in "Reviewed" that mean "not yet" rather than "done".
NOT_REVIEWED = {"", "no", "non", "n", "0", "false", "faux", "-"}
# Numbers whose plural form is shown: up to a thousand, and a million (French "de" form).
LAST = 1000
SAMPLE = (*range(LAST + 1), 1_000_000)
# What a spreadsheet runs as a formula when the file is opened (CSV injection: a link that
# sends the sheet away): such a cell is written behind an apostrophe, taken off on import.
FORMULA = ("=", "+", "-", "@", "\t", "\r")

# Column headers; the import finds its columns by the English words before " / ".
ID, WHERE, CONTEXT, FORM = "id", "Where it is seen / Où", "Context / Contexte", "Form / Forme"
ENGLISH, FRENCH = "English", "Français"
REVIEWED = "Reviewed: write x / Relu : écrire x"
CORRECTED = "Corrected translation / Traduction corrigée"
COMMENT = "Comment / Commentaire"
NOTE = (
    "How to review ({language}): read each line. If the translation is right, write x in "
    "'Reviewed'. If it is wrong, write the right one in 'Corrected translation' and x in "
    "'Reviewed'. Keep {{words in braces}}, /commands and <b>tags</b> exactly as they are. "
    "Save as 'CSV UTF-8'. — Pour relire : si la traduction est juste, écrire x dans "
    "« Relu » ; sinon écrire la bonne dans « Traduction corrigée » et x dans « Relu ». "
    "Garder {{les mots entre accolades}}, les /commandes et les <b>balises</b> tels quels. "
    "Enregistrer en « CSV UTF-8 »."
)


class ReviewFileError(Exception):
    """The file cannot be read back (encoding, columns, locale); the message says what to do."""


def current_header(locale: str) -> str:
    return f"Translation now ({locale}) / Traduction actuelle"


def po_path(locales_dir: Path, locale: str) -> Path:
    return locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_catalog(locales_dir: Path, locale: str) -> Catalog:
    with po_path(locales_dir, locale).open("rb") as handle:
        return read_po(handle, locale=locale, domain=DOMAIN)


def save_catalog(locales_dir: Path, locale: str, catalog: Catalog) -> None:
    """As `make i18n` leaves it (no wrapping, sorted): an untouched entry stays byte-identical."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, sort_output=True)
    po_path(locales_dir, locale).write_bytes(buffer.getvalue())


def row_id(message: Message, form: int) -> str:
    """Stable while the English text and context stay; a changed source is a new id. It starts
    with a letter: a spreadsheet turns an id of digits into a number and drops its zeros."""
    singular, plural = _ids(message)
    key = f"{message.context or ''}\x04{singular}\x00{plural or ''}\x00{form}"
    return "m" + hashlib.sha256(key.encode()).hexdigest()[:10]


def _ids(message: Message) -> tuple[str, str | None]:
    if isinstance(message.id, tuple | list):
        return str(message.id[0]), str(message.id[1])
    return str(message.id), None


def _strings(message: Message) -> list[str]:
    raw = message.string
    if isinstance(raw, tuple | list):
        return [str(part or "") for part in raw]
    return [str(raw or "")]


@dataclass(frozen=True)
class PluralForms:
    """What each plural form of a catalogue is used for, from its own Plural-Forms rule."""

    count: int
    numbers: tuple[tuple[int, ...], ...]
    pick: Callable[[int], int]

    @classmethod
    def of(cls, catalog: Catalog) -> PluralForms:
        count = int(catalog.num_plurals)
        pick = gettext.c2py(str(catalog.plural_expr)) if count > 1 else (lambda _n: 0)
        numbers = tuple(tuple(n for n in SAMPLE if pick(n) == form) for form in range(count))
        return cls(count, numbers, pick)

    def label(self, form: int) -> str:
        """'form for 1', 'form for 3-10, 103-110, …', 'form for 2 and more', in plain words."""
        if self.count == 1:
            return "any number"
        runs: list[tuple[int, int]] = []
        for n in self.numbers[form]:
            if n > LAST:
                continue
            if runs and runs[-1][1] == n - 1:
                runs[-1] = (runs[-1][0], n)
            else:
                runs.append((n, n))
        parts = [_span(first, last) for first, last in runs[:2]]
        if len(runs) > 2:
            parts.append("…")
        if not parts:
            parts = [f"{n:,}".replace(",", " ") for n in self.numbers[form]]
        return "form for " + ", ".join(parts)

    def spelled_out(self, form: int) -> bool:
        """A form for one or two exact numbers ('one', 'two') may write the number as a word."""
        return 1 <= len([n for n in self.numbers[form] if n <= LAST]) <= 2

    def example(self, form: int) -> int:
        """The number a form is read with: 1 for the form of 1, else its smallest."""
        numbers = self.numbers[form]
        return 1 if 1 in numbers else numbers[0] if numbers else 0


def _span(first: int, last: int) -> str:
    if last == LAST:
        return f"{first} and more"
    if last - first <= 1:
        return ", ".join(str(n) for n in range(first, last + 1))
    return f"{first}-{last}"


def source_text(message: Message, form: int, forms: PluralForms) -> str:
    """The English the reviewer compares with: the singular for a form used for 1."""
    singular, plural = _ids(message)
    if plural is None or (forms.count > 1 and forms.example(form) == 1):
        return singular
    return plural


def breaks(message: Message, form: int, forms: PluralForms, text: str) -> str | None:
    """Why `text` would break the message when shown, or None."""
    singular, plural = _ids(message)
    sources = [singular] if plural is None else [singular, plural]
    reference = plural or singular
    if not text.strip():
        return "empty"
    names = {name for source in sources for name in PLACEHOLDER.findall(source)}
    try:
        text.format(**dict.fromkeys(names, ""))
    except KeyError as error:
        return f"{{{error.args[0]}}} is not a placeholder of the English"
    except (ValueError, IndexError):
        return "a { or } that is not part of a placeholder"
    required = set(PLACEHOLDER.findall(reference))
    if plural is not None and forms.spelled_out(form):
        required.discard("n")
    lost = sorted(required - set(PLACEHOLDER.findall(text)))
    if lost:
        return "drops " + ", ".join(f"{{{name}}}" for name in lost)
    if sorted(TAG.findall(reference)) != sorted(TAG.findall(text)):
        return "the <tags> differ from the English"
    if not nested(text):
        return "a <tag> closed before it opens, or tags crossed"
    for command in sorted(commands(reference) - commands(text)):
        return f"{command} must stay as it is (a command is typed in English)"
    translated = FOREIGN_COMMAND.search(text)
    if translated:
        return f"{translated.group()} is a translated command: only the English one works"
    if re.search(r"<(?![a-z/])", text) or re.search(r"&(?!(lt|gt|amp|quot|#\d+);)", text):
        return "a bare < or & (Telegram refuses it: write &lt; or &amp;)"
    if "???" in text and "???" not in reference:
        return "question marks where letters were: save the file as 'CSV UTF-8'"
    return None


# The export.


def where_seen(source: Path) -> dict[tuple[str, str | None], list[str]]:
    """For each message of the code, the areas of the modules that use it."""
    found: dict[tuple[str, str | None], list[str]] = {}
    for filename, _, message, _, context in extract_from_dir(
        str(source), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        module = Path(filename).as_posix()
        area = AREAS.get(module, f"Other ({module})")
        areas = found.setdefault((msgid, context), [])
        if area not in areas:
            areas.append(area)
    return found


def _where(areas: Iterable[str], context: str | None) -> str:
    text = "; ".join(areas) or UNUSED
    return f"Button · {text}" if context == "button" else text


def review_rows(
    locale: str,
    *,
    locales_dir: Path = LOCALES_DIR,
    source: Path | None = None,
    everything: bool = False,
) -> list[list[str]]:
    """The spreadsheet's rows after its note and header: unreviewed (or all) entries."""
    catalog = load_catalog(locales_dir, locale)
    forms = PluralForms.of(catalog)
    french = load_catalog(locales_dir, "fr")
    french_forms = PluralForms.of(french)
    seen = where_seen(source or Path(__file__).resolve().parent.parent)
    rows: list[tuple[str, int, list[str]]] = []
    for position, message in enumerate(m for m in catalog if m.id):
        strings = _strings(message)
        if not everything and not message.fuzzy and all(strings):
            continue
        singular, plural = _ids(message)
        where = _where(seen.get((singular, message.context), []), message.context)
        french_message = french.get(message.id, context=message.context)
        french_strings = _strings(french_message) if french_message is not None else [""]
        count = forms.count if plural is not None else 1
        for form in range(count):
            example = forms.example(form)
            french_form = french_forms.pick(example) if plural is not None else 0
            rows.append(
                (
                    where,
                    position,
                    [
                        row_id(message, form),
                        where,
                        message.context or "",
                        forms.label(form) if plural is not None else "",
                        source_text(message, form, forms),
                        french_strings[min(french_form, len(french_strings) - 1)],
                        strings[form] if form < len(strings) else "",
                        "",
                        "",
                        "",
                    ],
                )
            )
    # Grouped by where they are seen: a reviewer reads a screen's sentences together.
    rows.sort(key=lambda row: (row[0] == UNUSED, row[0], row[1]))
    return [row for _, _, row in rows]


def write_review(
    locale: str,
    out: Path,
    *,
    locales_dir: Path = LOCALES_DIR,
    source: Path | None = None,
    everything: bool = False,
    separator: str = ",",
) -> int:
    """Write the reviewer's file; the number of rows to review."""
    rows = review_rows(locale, locales_dir=locales_dir, source=source, everything=everything)
    language = LANGUAGES[locale].native_name if locale in LANGUAGES else locale
    header = [ID, WHERE, CONTEXT, FORM, ENGLISH, FRENCH, current_header(locale)]
    header += [REVIEWED, CORRECTED, COMMENT]
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=separator)
        writer.writerow([NOTE.format(language=f"{language}, {locale}")])
        writer.writerow(header)
        writer.writerows([[_text(cell) for cell in row] for row in rows])
    return len(rows)


# The import.


@dataclass(frozen=True)
class ReviewedRow:
    line: int
    key: str
    current: str
    reviewed: bool
    corrected: str
    comment: str


@dataclass
class ImportResult:
    locale: str
    reviewed: int = 0
    corrected: int = 0
    now_reviewed: int = 0
    waiting: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"{self.locale}: {self.reviewed} reviewed, {self.corrected} corrected, "
            f"{len(self.skipped)} skipped, {len(self.refused)} refused; "
            f"{self.now_reviewed} entries no longer marked unreviewed"
        ]
        lines += [f"skipped: {reason}" for reason in self.skipped]
        lines += [f"refused: {reason}" for reason in self.refused]
        lines += [f"still unreviewed: {reason}" for reason in self.waiting]
        lines += [f"comment: {comment}" for comment in self.comments]
        return "\n".join(lines)


def _text(cell: str) -> str:
    """A cell the spreadsheet shows as it is, never runs."""
    return "'" + cell if cell.startswith(FORMULA) else cell


def _cell(text: str) -> str:
    if text.startswith("'") and text[1:].startswith(FORMULA):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _same(first: str, second: str) -> bool:
    """Spreadsheets add or drop spaces and line breaks at the ends of cells."""
    return first.split() == second.split()


def _rows_of_csv(data: bytes) -> list[list[str]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")  # Excel's "Unicode text": UTF-16, tab separated
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ReviewFileError(
                "the file is not UTF-8: in the spreadsheet, save it again as 'CSV UTF-8'"
            ) from None
    for separator in (",", ";", "\t"):
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
        if any(row and row[0].strip().lower() == ID and len(row) > 5 for row in rows):
            return [[_cell(value) for value in row] for row in rows]
    return []


def _rows_of_xlsx(path: Path) -> list[list[str]]:
    try:
        import openpyxl  # type: ignore[import-untyped,unused-ignore]
    except ModuleNotFoundError:
        raise ReviewFileError(
            "reading .xlsx needs openpyxl, which is not installed: "
            "in the spreadsheet, save the file as 'CSV UTF-8' instead"
        ) from None
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = book.worksheets[0]
    rows = [
        [_cell("" if value is None else str(value)) for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    book.close()
    return rows


def read_review(path: Path, locale: str | None) -> tuple[str, list[ReviewedRow]]:
    """The locale and the rows of a reviewer's file, whatever the spreadsheet did to it."""
    if path.suffix.lower() == ".xlsx":
        table = _rows_of_xlsx(path)
    else:
        table = _rows_of_csv(path.read_bytes())
    start = next((i for i, row in enumerate(table) if row and row[0].strip().lower() == ID), None)
    if start is None:
        raise ReviewFileError("no header row starting with 'id': is it a file from `i18n review`?")
    names = [name.split(" / ")[0].strip().lower() for name in table[start]]

    def column(prefix: str) -> int:
        for index, name in enumerate(names):
            if name.startswith(prefix):
                return index
        raise ReviewFileError(f"no '{prefix}' column in the header row")

    current, reviewed = column("translation now"), column("reviewed")
    corrected, comment = column("corrected"), column("comment")
    if "?" in table[start][reviewed]:  # "écrire" saved as "?crire": so was every Arabic letter
        raise ReviewFileError(
            "letters were replaced by question marks: save the file again as 'CSV UTF-8'"
        )
    named = re.search(r"\(([a-z]{2,3})\)", table[start][current])
    if named and locale and named.group(1) != locale:
        raise ReviewFileError(f"the file is for {named.group(1)}, not {locale}")
    locale = locale or (named.group(1) if named else None)
    if locale is None:
        raise ReviewFileError("which language is it? give --locale")
    if locale not in SHIPPED_LOCALES:
        raise ReviewFileError(f"{locale} is not a shipped locale ({', '.join(SHIPPED_LOCALES)})")
    rows = []
    width = max(current, reviewed, corrected, comment) + 1
    for line, row in enumerate(table[start + 1 :], start=start + 2):
        if not row or not row[0].strip():
            continue
        row.extend([""] * (width - len(row)))
        rows.append(
            ReviewedRow(
                line=line,
                key=row[0].strip(),
                current=row[current],
                reviewed=row[reviewed].strip().lower() not in NOT_REVIEWED,
                corrected=row[corrected],
                comment=row[comment].strip(),
            )
        )
    return locale, rows


def _fit(corrected: str, english: str) -> str:
    """The correction with the English's leading and trailing spaces and line breaks."""
    body = english.strip()
    lead = english[: len(english) - len(english.lstrip())]
    trail = english[len(body) + len(lead) :]
    return lead + corrected.strip() + trail


def merge(catalog: Catalog, locale: str, rows: list[ReviewedRow]) -> ImportResult:
    """Apply the reviewer's rows to the catalogue, in place."""
    return _Merge(catalog, ImportResult(locale)).run(rows)


class _Merge:
    def __init__(self, catalog: Catalog, result: ImportResult) -> None:
        self.catalog = catalog
        self.result = result
        self.forms = PluralForms.of(catalog)
        self.index: dict[str, tuple[Message, int]] = {}
        for message in catalog:
            if message.id:
                for form in range(self.forms.count if message.pluralizable else 1):
                    self.index[row_id(message, form)] = (message, form)
        self.marked: dict[int, set[int]] = {}  # id(message) → its forms reviewed in the file
        self.blocked: set[int] = set()  # id(message) of entries with a refused row

    def run(self, rows: list[ReviewedRow]) -> ImportResult:
        done: set[str] = set()
        for row in rows:
            where = f"line {row.line} ({row.key})"
            if row.comment:
                self.result.comments.append(f"{where}: {row.comment}")
            if row.key in done:
                self.result.skipped.append(f"{where}: the same id again, this row was ignored")
                continue
            done.add(row.key)
            if row.reviewed or row.corrected.strip():
                self.apply(row, where)
        for message in self.catalog:
            if id(message) in self.marked and id(message) not in self.blocked:
                self.clear_fuzzy(message)
        return self.result

    def apply(self, row: ReviewedRow, where: str) -> None:
        if row.key not in self.index:
            self.result.skipped.append(f"{where}: no longer in the bot (the English changed)")
            return
        message, form = self.index[row.key]
        strings = _strings(message)
        now = strings[form] if form < len(strings) else ""
        if not _same(row.current, now):
            self.result.skipped.append(f"{where}: its translation changed since the file was made")
            return
        english = source_text(message, form, self.forms)
        text = _fit(row.corrected, english) if row.corrected.strip() else now
        problem = breaks(message, form, self.forms, text)
        if problem:
            self.result.refused.append(f"{where}: {problem}: {english!r}")
            self.blocked.add(id(message))
            return
        if text != now:
            strings += [""] * (form + 1 - len(strings))
            strings[form] = text
            message.string = tuple(strings) if message.pluralizable else text
            self.result.corrected += 1
        if row.reviewed:
            self.result.reviewed += 1
            self.marked.setdefault(id(message), set()).add(form)
        else:
            self.result.waiting.append(f"{where}: corrected but not marked reviewed")

    def clear_fuzzy(self, message: Message) -> None:
        """An entry is reviewed when each of its forms is: Arabic has six."""
        reviewed = self.marked[id(message)]
        count = self.forms.count if message.pluralizable else 1
        if not message.fuzzy:
            return
        if len(reviewed) == count and all(_strings(message)):
            message.flags.discard("fuzzy")
            self.result.now_reviewed += 1
        else:
            self.result.waiting.append(
                f"{_ids(message)[0]!r}: {len(reviewed)} of its {count} forms reviewed"
            )


def import_review(
    path: Path, locale: str | None = None, *, locales_dir: Path = LOCALES_DIR
) -> ImportResult:
    """Merge a reviewer's file into its catalogue under `locales_dir` (a copy for a dry run)."""
    locale, rows = read_review(path, locale)
    catalog = load_catalog(locales_dir, locale)
    result = merge(catalog, locale, rows)
    if result.corrected or result.now_reviewed:
        save_catalog(locales_dir, locale, catalog)
    return result
