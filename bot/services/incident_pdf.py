"""The PDF handed to a lawyer or the rights ombudsman (issue 11, SPEC §5): documented incidents
for a legal referral, one dated and typed section per incident after a summary table.

Pure: `render_incidents_pdf` takes decrypted `IncidentRecord`s (photos already fetched) and
returns the document's bytes; it knows nothing of Telegram, the database or the encryption.
Anonymised by construction: a record holds no account identifier, and the reporter's name only
when they agreed to be named.

Every label is translated for the reader (a French coordinator gets a French document); what
people wrote (descriptions, places, names) is printed as written, in any script the shipped
fonts cover (`bot/printing.py`: Latin with Vietnamese, Arabic script, Ethiopic). A letter no
font has (an emoji) is printed as its code point, so nothing is silently dropped from evidence.

Synchronous and CPU-bound (5 to 10 seconds for 200 incidents: `bench/bench_incident_pdf.py`):
run it in a worker thread (`asyncio.to_thread`), never on the bot's event loop. Needs fpdf2,
uharfbuzz, fontTools and Pillow. The result may be large (photos): a Bot API upload is limited
to 50 MB, so the caller checks its size.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from io import BytesIO
from zoneinfo import ZoneInfo

from babel.dates import format_date
from fpdf import FPDF
from fpdf.bidi import auto_detect_base_direction
from fpdf.enums import Align, TextDirection, XPos, YPos
from fpdf.fonts import FontFace
from PIL import ExifTags, Image, ImageOps

from bot import printing
from bot.i18n import RLM, Translator
from bot.printing import FONT_FILES, IGNORABLE, LATIN, LATIN_BOLD
from bot.services.incident_record import INCIDENT_KINDS, IncidentRecord

__all__ = ["INCIDENT_KINDS", "IncidentRecord", "render_incidents_pdf"]

log = logging.getLogger(__name__)

# The page, in millimetres (A4 portrait).
MARGIN = 15.0
BOTTOM = 18.0  # room for the footer
LINE = 5.5
PHOTO_MAX_H = 110.0
# Larger photos are made smaller: 1600 pixels across 180 mm print at 225 dpi.
PHOTO_MAX_PX = 1600
LABEL_W = 50.0  # the column of field names
# A small picture is not blown up beyond this resolution (dots per inch).
PHOTO_MIN_DPI = 150
GREY = (90, 90, 90)


class _Document(FPDF):
    """An A4 document whose every page ends with the confidentiality notice and its number."""

    def __init__(self, notice: str, page_label: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self._notice = notice
        self._page_label = page_label  # "Page {page} of {pages}", already translated

    def footer(self) -> None:
        self.set_y(-BOTTOM + 5)
        self.set_font(LATIN, size=8)
        self.set_text_color(*GREY)
        number = self._page_label.format(page=self.page_no(), pages=self.str_alias_nb_pages)
        shaping = self.text_shaping  # the page broke inside a paragraph: restored after
        printing.shape_for(self, self._notice, number)
        number_w = self.get_string_width(number) + 2
        self.multi_cell(self.epw - number_w - 3, 4, self._notice, align=Align.L)
        self.set_xy(self.w - self.r_margin - number_w, -BOTTOM + 5)
        self.cell(number_w, 4, number, align=Align.R)
        self.set_text_color(0, 0, 0)
        self.text_shaping = shaping


def render_incidents_pdf(
    records: Sequence[IncidentRecord],
    *,
    t: Translator,
    tz: ZoneInfo,
    period_label: str,
    generated_at: datetime,
    antenna_names: Sequence[str] = (),
) -> bytes:
    """The document for a legal referral: a cover (antennas, period, date of the document)
    with a summary table, then one section per incident with its photos.

    `period_label` is shown as given (already in the reader's language). `antenna_names`
    name the antennas on the cover even when the period holds no incident; by default those
    of the records. Times are printed in `tz`, 24-hour.
    """
    pdf = _Document(
        t._("Confidential — personal data, for a legal referral only. Do not share."),
        t._("Page {page} of {pages}"),
    )
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=BOTTOM)
    title = t._("Documented incidents")
    printing.prepare(pdf, f"{title} — {period_label}")
    pdf.set_creation_date(generated_at)  # not the machine's clock: the same records, the same file
    antennas = list(dict.fromkeys(antenna_names or [r.antenna_name for r in records]))
    ordered = sorted(records, key=lambda record: (record.occurred_at, record.reference))
    pdf.add_page()
    _cover(pdf, t, tz, title, antennas, period_label, generated_at, len(ordered))
    if ordered:
        _summary(pdf, t, tz, ordered)
        for record in ordered:
            _section(pdf, t, tz, record)
    else:
        pdf.ln(6)
        pdf.set_font(LATIN_BOLD, size=13)
        _write(pdf, 7, t._("No incident was reported in this period."))
    return bytes(pdf.output())


def _cover(
    pdf: FPDF,
    t: Translator,
    tz: ZoneInfo,
    title: str,
    antennas: list[str],
    period_label: str,
    generated_at: datetime,
    count: int,
) -> None:
    pdf.set_font(LATIN_BOLD, size=20)
    _write(pdf, 10, title)
    pdf.set_font(LATIN, size=11)
    pdf.set_text_color(*GREY)
    _write(pdf, 6, t._("Reports by the field teams, for a legal referral"))
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
    _fields(
        pdf,
        [
            (
                t.np_("incident document", "Antenna", "Antennas", max(1, len(antennas))),
                _printable(", ".join(antennas)) or "—",
            ),
            (t.p_("incident document", "Period"), _printable(period_label)),
            (t.p_("incident document", "Generated on"), _when(t, tz, generated_at)),
            (t.p_("incident document", "Incidents"), t.n_("{n} incident", "{n} incidents", count)),
        ],
    )
    pdf.ln(2)
    pdf.set_font(LATIN, size=9)
    pdf.set_text_color(*GREY)
    notes = (
        t._(
            "Witnesses are named only when they agreed; no account identifier appears in "
            "this document."
        ),
        t._("Times are local ({zone}), 24-hour.", zone=tz.key),
    )
    for note in notes:
        _write(pdf, 4.5, note)
    pdf.set_text_color(0, 0, 0)


def _summary(pdf: FPDF, t: Translator, tz: ZoneInfo, records: list[IncidentRecord]) -> None:
    pdf.ln(6)
    _heading(pdf, t.p_("incident document", "Summary"), size=14)
    pdf.set_font(LATIN, size=9)
    headings = (
        t.p_("incident document", "Reference"),
        t.p_("incident document", "Date"),
        t.p_("incident document", "Type"),
        t.p_("incident document", "Place"),
        t.p_("incident document", "People"),
    )
    rows = [
        (
            record.reference,
            _when(t, tz, record.occurred_at, "short"),
            t.marked(INCIDENT_KINDS[record.kind]),
            _printable(record.place) if record.place else "—",
            str(record.people) if record.people is not None else "—",
        )
        for record in records
    ]
    printing.shape_for(pdf, *headings, *(text for row in rows for text in row))
    with pdf.table(
        col_widths=(30, 32, 53, 41, 24),
        headings_style=FontFace(family=LATIN_BOLD, fill_color=(230, 230, 230)),
        line_height=4.8,
        padding=1,
        text_align=("LEFT", "LEFT", "LEFT", "LEFT", "RIGHT"),
    ) as table:
        table.row(headings)
        for row in rows:
            table.row(row)


def _section(pdf: FPDF, t: Translator, tz: ZoneInfo, record: IncidentRecord) -> None:
    """One incident on a new page: every field, the description, then the photos."""
    pdf.add_page()
    kind = t.marked(INCIDENT_KINDS[record.kind])
    _heading(pdf, f"{record.reference} — {kind}", size=15)
    not_given = t.p_("incident document", "Not given")
    coordinates = (
        f"{record.latitude:.5f}, {record.longitude:.5f}"
        if record.latitude is not None and record.longitude is not None
        else not_given
    )
    _fields(
        pdf,
        [
            (t.p_("incident document", "Date and time"), _when(t, tz, record.occurred_at)),
            (t.p_("incident document", "Type"), kind),
            (
                t.np_("incident document", "Antenna", "Antennas", 1),
                _printable(record.antenna_name),
            ),
            (
                t.p_("incident document", "Place"),
                _printable(record.place) if record.place else not_given,
            ),
            (t.p_("incident document", "Coordinates"), coordinates),
            (
                t.p_("incident document", "People affected"),
                str(record.people) if record.people is not None else not_given,
            ),
            (t.p_("incident document", "Minors present"), _answer(t, record.minors)),
            (t.p_("incident document", "Injuries"), _answer(t, record.injuries)),
            (
                t.p_("incident document", "Reported by"),
                _printable(record.reporter_name)
                if record.reporter_name
                else t._("Not named (anonymous report)"),
            ),
            (t.p_("incident document", "Reported on"), _when(t, tz, record.reported_at)),
        ],
    )
    pdf.ln(3)
    _heading(pdf, t.p_("incident document", "Description"), size=12)
    _paragraphs(pdf, record.description or not_given)
    if record.photos:
        pdf.ln(3)
        _heading(pdf, t.p_("incident document", "Photos"), size=12)
        for number, photo in enumerate(record.photos, start=1):
            caption = t._("Photo {n} of {total}", n=number, total=len(record.photos))
            if not _photo(pdf, photo):
                log.warning("incident export: photo %d of %s unreadable", number, record.reference)
                caption = t._(
                    "Photo {n}: the file is damaged and could not be included.", n=number
                )
            pdf.set_font(LATIN, size=9)
            pdf.set_text_color(*GREY)
            _write(pdf, 4.5, caption, align=Align.C)
            pdf.set_text_color(0, 0, 0)
            pdf.ln(2)
    if record.other_media:
        pdf.ln(2)
        pdf.set_font(LATIN, size=10)
        others = t.n_(
            "{n} video or file kept with the report, not included in this document",
            "{n} videos or files kept with the report, not included in this document",
            record.other_media,
        )
        _write(pdf, LINE, others)


def _heading(pdf: FPDF, text: str, *, size: float) -> None:
    pdf.set_font(LATIN_BOLD, size=size)
    _write(pdf, size * 0.5, text)
    pdf.ln(1.5)


def _write(pdf: FPDF, height: float, text: str, align: Align = Align.L) -> None:
    """A paragraph across the page, wrapped, shaped only if its script needs it."""
    printing.shape_for(pdf, text)
    pdf.multi_cell(0, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _fields(pdf: FPDF, rows: list[tuple[str, str]]) -> None:
    """Label and value, one row each, both wrapping in their columns (a label may be long in
    another language); values against their column's left edge, as the labels, whatever
    their script."""
    value_x = pdf.l_margin + LABEL_W
    for label, value in rows:
        if pdf.get_y() + 2 * LINE > pdf.page_break_trigger:
            pdf.add_page()
        top, page = pdf.get_y(), pdf.page
        pdf.set_font(LATIN_BOLD, size=10)
        _lines(pdf, label, pdf.l_margin, LABEL_W - 2, to_the_right=False)
        label_bottom = pdf.get_y()
        pdf.set_y(top)
        pdf.set_font(LATIN, size=10)
        _lines(pdf, value, value_x, pdf.w - pdf.r_margin - value_x, to_the_right=False)
        if pdf.page == page:  # a value that flowed onto the next page is below its label
            pdf.set_y(max(pdf.get_y(), label_bottom))
        pdf.ln(0.8)


def _paragraphs(pdf: FPDF, text: str) -> None:
    """Free text as written, each paragraph in its own direction (Arabic script from the
    right), wrapping and flowing onto the next pages."""
    pdf.set_font(LATIN, size=10.5)
    for paragraph in _printable(text).split("\n"):
        if paragraph.strip():
            _lines(pdf, paragraph, pdf.l_margin, pdf.epw)
        else:
            pdf.ln(LINE / 2)
        pdf.ln(1)


def _lines(
    pdf: FPDF, paragraph: str, x: float, width: float, *, to_the_right: bool = True
) -> None:
    """One paragraph from `x`, wrapped to `width`, in its own direction (found from its
    first strong letter, as Unicode's bidirectional algorithm says), a right-to-left one
    against the right edge if `to_the_right`; flowing onto the next pages; the line after it
    starts at the left margin.

    Wrapped here, a word at a time, rather than by fpdf2's multi_cell, which measures and
    shapes the line again for every letter it adds: a long Arabic description took a tenth
    of a second, 200 of them most of the export's time."""
    rtl = auto_detect_base_direction(paragraph) == TextDirection.RTL
    if printing.NEEDS_SHAPING.search(paragraph):
        # Fixed for every line of the paragraph: a line that starts with a Latin word
        # inside Arabic text is still laid out from the right.
        pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if rtl else "ltr")
    else:
        pdf.set_text_shaping(use_shaping_engine=False)
    # Shaped words are measured one by one: a hair of room for joins and kerning.
    for line in _wrap(pdf, paragraph, width - 0.5):
        pdf.set_x(x)
        if rtl:
            # Each line of a right-to-left paragraph is marked as such. Without the mark,
            # fpdf2 2.8.9 drew a line's final full stop as an empty box once the same
            # stop had been shaped before a space on an earlier line.
            pdf.cell(width, LINE, RLM + line, align=Align.R if to_the_right else Align.L)
        else:
            pdf.cell(width, LINE, line, align=Align.L)
        pdf.ln(LINE)
    pdf.set_text_shaping(use_shaping_engine=False)


def _wrap(pdf: FPDF, paragraph: str, width: float) -> list[str]:
    """`paragraph`'s lines, broken between words, a word wider than the line between
    letters; widths in the current font, with its fallbacks."""
    space = pdf.get_string_width(" ")
    lines: list[str] = []
    line, line_w = "", 0.0
    # Runs of spaces carry no meaning on paper; a space left at a line's end would be
    # drawn at the wrong side of a right-to-left line.
    for word in filter(None, paragraph.split(" ")):
        rest, rest_w = word, pdf.get_string_width(word)
        while rest_w > width:  # a long link, or a run of letters without a space
            if line:
                lines.append(line)
                line, line_w = "", 0.0
            cut = 1
            while cut < len(rest) and pdf.get_string_width(rest[: cut + 1]) <= width:
                cut += 1
            lines.append(rest[:cut])
            rest = rest[cut:]
            rest_w = pdf.get_string_width(rest)
        if line and line_w + space + rest_w > width:
            lines.append(line)
            line, line_w = "", 0.0
        line, line_w = (f"{line} {rest}", line_w + space + rest_w) if line else (rest, rest_w)
    lines.append(line)
    return lines


def _photo(pdf: FPDF, data: bytes) -> bool:
    """Embed a photo, scaled to the page's width and at most PHOTO_MAX_H high, aspect kept;
    False (and nothing drawn) when it cannot be read."""
    try:
        with Image.open(BytesIO(data)) as opened:
            opened.load()
            source, (width_px, height_px) = _embeddable(opened, data)
            natural = 25.4 / PHOTO_MIN_DPI
            scale = min(pdf.epw / width_px, PHOTO_MAX_H / height_px, natural)
            width, height = width_px * scale, height_px * scale
            if pdf.get_y() + height > pdf.h - BOTTOM:
                pdf.add_page()
            pdf.image(source, x=pdf.l_margin + (pdf.epw - width) / 2, w=width, h=height)
    # Whatever is wrong with one photo (truncated, not an image, too big), the others and
    # the rest of the evidence are still printed; the caption says this one is missing.
    except Exception:
        return False
    pdf.ln(1)
    return True


def _embeddable(opened: Image.Image, data: bytes) -> tuple[BytesIO, tuple[int, int]]:
    """The file to embed and its size in pixels. A photo that is upright and not too big goes
    in as it came (a JPEG is not decoded and re-encoded); one stored sideways with an EXIF
    note saying how to turn it is turned, and one larger than PHOTO_MAX_PX on a side is made
    smaller (JPEG, quality 85): the document must stay within what Telegram lets a bot send,
    and the originals stay with the report."""
    upright = opened
    if opened.getexif().get(ExifTags.Base.Orientation, 1) != 1:
        upright = ImageOps.exif_transpose(opened)
    if upright is opened and max(opened.size) <= PHOTO_MAX_PX:
        return BytesIO(data), opened.size
    smaller = upright.copy()
    smaller.thumbnail((PHOTO_MAX_PX, PHOTO_MAX_PX))
    if smaller.mode != "RGB":  # transparency (a screenshot) on white, as on the screen
        smaller = smaller.convert("RGBA")
        smaller = Image.alpha_composite(Image.new("RGBA", smaller.size, "white"), smaller)
        smaller = smaller.convert("RGB")
    out = BytesIO()
    smaller.save(out, "JPEG", quality=85)
    out.seek(0)
    return out, smaller.size


def _when(t: Translator, tz: ZoneInfo, moment: datetime, fmt: str = "long") -> str:
    """The date in the reader's language and the time on a 24-hour clock, both local."""
    local = moment.astimezone(tz)
    return f"{format_date(local, format=fmt, locale=t.babel_locale)} {local:%H:%M}"


def _answer(t: Translator, value: bool | None) -> str:
    if value is None:
        return t.p_("incident document", "Not given")
    return t.p_("answer", "Yes") if value else t.p_("answer", "No")


@cache
def _covered() -> frozenset[int]:
    return frozenset().union(*(printing.characters(name) for name in FONT_FILES.values()))


def _printable(text: str) -> str:
    """`text` with what no font can draw made visible: a letter as its code point
    ("[U+1F622]"), an invisible format mark dropped; tabs become spaces, line ends "\\n"."""
    covered = _covered()
    out = []
    # Composed letters (Vietnamese typed with separate accents) need no shaping engine.
    composed = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\t", "    "))
    for ch in composed:
        if ch in "\r\v\f\x1c\x1d\x1e\x85\u2028\u2029":  # other line ends
            out.append("\n")
        elif ch == "\n" or ch in IGNORABLE or ord(ch) in covered:
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Mn"):
            continue
        else:
            out.append(f"[U+{ord(ch):04X}]")
    return "".join(out)
