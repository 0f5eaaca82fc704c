"""The incident export for a legal referral (issue 11): the PDF is read back with PDFium, as a
lawyer's reader would, for its text, its fonts and its pictures.

PDFium gives shaped Arabic back as letters, not always in reading order: Arabic is checked by
the presence of its letters and of the font that draws them; Latin words exactly.
"""

from __future__ import annotations

import ctypes
import dataclasses
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pypdfium2 as pdfium
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations
from PIL import Image

from bot.i18n import Catalogs, Translator
from bot.services.incident_pdf import INCIDENT_KINDS, IncidentRecord, render_incidents_pdf

PARIS = ZoneInfo("Europe/Paris")
GENERATED = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)  # 18:00 in Paris
ARABIC = re.compile("[\u0600-\u06ff]")
ETHIOPIC = re.compile("[\u1200-\u137f]")
ARABIC_TEXT = "قامت الشرطة بتدمير الخيام في الصباح الباكر وصادرت الأغطية."
TIGRINYA_TEXT = "ፖሊስ ድንኳናትና ኣፍሪሱ።"
MARGIN_PT = 15 * 72 / 25.4


@dataclass
class Page:
    text: str
    images: int
    fonts: set[str]
    # Every drawn letter with its box (left, bottom, right, top), in points.
    boxes: list[tuple[str, tuple[float, float, float, float]]]
    width: float


def read(data: bytes) -> list[Page]:
    document = pdfium.PdfDocument(data)
    pages = []
    try:
        for page in document:
            textpage = page.get_textpage()
            fonts: set[str] = set()
            boxes = []
            name = ctypes.create_string_buffer(256)
            for index in range(textpage.count_chars()):
                if pdfium.raw.FPDFText_GetFontInfo(textpage.raw, index, name, 256, None):
                    fonts.add(name.value.decode().split("+")[-1])
                letter = textpage.get_text_range(index, 1)
                if letter and not letter.isspace():
                    boxes.append((letter, textpage.get_charbox(index)))
            text = textpage.get_text_range().replace("\r\n", "\n")
            images = sum(
                1 for obj in page.get_objects() if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE
            )
            pages.append(Page(text, images, fonts, boxes, page.get_size()[0]))
    finally:
        document.close()
    return pages


def picture(width: int, height: int, fmt: str = "JPEG") -> bytes:
    out = BytesIO()
    mode = "RGBA" if fmt == "PNG" else "RGB"
    Image.new(mode, (width, height), (200, 40, 40, 255)[: len(mode)]).save(out, fmt)
    return out.getvalue()


def record(number: int = 7, **changes: object) -> IncidentRecord:
    base = IncidentRecord(
        reference=f"INC-2026-{number:04d}",
        kind="police",
        occurred_at=datetime(2026, 12, 3, 21, 40, tzinfo=UTC),
        antenna_name="Calais",
        place="Rue des Verrotières",
        latitude=50.95312,
        longitude=1.85871,
        people=12,
        minors=True,
        injuries=False,
        description="Les CRS ont gazé le campement vers 22 h 30. Deux personnes blessées.",
        reporter_name=None,
        photos=(),
        other_media=0,
        reported_at=datetime(2026, 12, 3, 22, 5, tzinfo=UTC),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def en() -> Translator:
    return Catalogs().translator("en", PARIS)


def render(records: list[IncidentRecord], t: Translator, **options: object) -> list[Page]:
    data = render_incidents_pdf(
        records,
        t=t,
        tz=PARIS,
        period_label=str(options.pop("period_label", "December 2026")),
        generated_at=GENERATED,
        **options,  # type: ignore[arg-type]
    )
    assert data.startswith(b"%PDF-")
    return read(data)


def test_cover_summary_and_one_dated_typed_section_per_incident(en: Translator) -> None:
    kinds = list(INCIDENT_KINDS)
    start = datetime(2026, 12, 1, 6, 15, tzinfo=UTC)
    # Given out of order: the document is in the order things happened.
    records = [
        record(number, kind=kind, occurred_at=start + timedelta(hours=number))
        for number, kind in reversed(list(enumerate(kinds, start=1)))
    ]
    pages = render(records, en)
    cover = pages[0].text
    assert "Documented incidents" in cover
    assert "Calais" in cover
    assert "December 2026" in cover
    assert "4 December 2026 18:00" in cover  # generated at 17:00 UTC, in Paris, 24-hour
    assert "7 incidents" in cover
    references = [f"INC-2026-{number:04d}" for number in range(1, 8)]
    positions = [cover.index(reference) for reference in references]
    assert positions == sorted(positions)  # the summary, in time order
    assert "01/12/2026 08:15" in cover  # 07:15 UTC, the first one, in the summary
    labels = {
        "police": "Police violence",
        "eviction": "Eviction / tent destruction",
        "seizure": "Seizure of belongings",
        "teargas": "Tear gas",
        "refusal": "Refusal of transport or other discrimination",
        "sea": "Danger at sea",
        "other": "Other",
    }
    assert len(pages) == 1 + len(kinds)  # the cover, then one page per incident
    for number, (page, kind) in enumerate(zip(pages[1:], kinds, strict=True), start=1):
        assert page.text.startswith(f"INC-2026-{number:04d} — {labels[kind]}")
        moment = (start + timedelta(hours=number)).astimezone(PARIS)
        assert f"Date and time {moment:%-d} December 2026 {moment:%H:%M}" in page.text
        assert "Place Rue des Verrotières" in page.text
        assert "Coordinates 50.95312, 1.85871" in page.text
        assert "People affected 12" in page.text
        assert "Minors present Yes" in page.text
        assert "Injuries No" in page.text
        assert "Reported on 3 December 2026 23:05" in page.text
        assert "Les CRS ont gazé le campement vers 22 h 30. Deux personnes blessées." in page.text
    for number, page in enumerate(pages, start=1):
        assert "Confidential — personal data, for a legal referral only." in page.text
        assert f"Page {number} of {len(pages)}" in page.text


def test_unknown_answers_say_not_given_and_nothing_is_invented(en: Translator) -> None:
    bare = record(
        kind="other",
        place=None,
        latitude=None,
        longitude=None,
        people=None,
        minors=None,
        injuries=None,
        description="",
    )
    section = render([bare], en)[1].text
    for label in ("Place", "Coordinates", "People affected", "Minors present", "Injuries"):
        assert f"{label} Not given" in section
    assert "Description\nNot given" in section


def test_a_french_reader_gets_french_labels_and_dates() -> None:
    """The labels go through the reader's catalogue (here a small French one, as the lead
    fills locales/fr after merging), the dates through Babel's French."""
    catalog = Catalog(locale="fr")
    french = {
        (None, "Documented incidents"): "Incidents documentés",
        ("incident document", "Date and time"): "Date et heure",
        ("incident document", "Minors present"): "Présence de mineur·es",
        ("answer", "Yes"): "Oui",
        ("incident type", "Tear gas"): "Gaz lacrymogène",
        (None, "Page {page} of {pages}"): "Page {page} sur {pages}",
        # Longer than its column: wraps there, clear of the values.
        ("incident document", "Reported by"): "Personne ayant fait le signalement (témoin)",
    }
    for (context, msgid), msgstr in french.items():
        catalog.add(msgid, msgstr, context=context)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    fr = Translator("fr", Translations(fp=buffer, domain="bot"), PARIS)
    pages = render([record(kind="teargas")], fr, period_label="décembre 2026")
    assert "Incidents documentés" in pages[0].text
    assert "4 décembre 2026 18:00" in pages[0].text
    assert "Gaz lacrymogène" in pages[0].text  # in the summary
    section = pages[1].text
    assert section.startswith("INC-2026-0007 — Gaz lacrymogène")
    assert "Date et heure 3 décembre 2026 22:40" in section
    assert "Présence de mineur·es Oui" in section
    assert "Les CRS ont gazé le campement vers 22 h 30." in section
    assert "Page 2 sur 2" in section
    assert "Not named (anonymous report)" in section  # not in this catalogue: English
    # The long label wraps in its column: no two letters of the rows are drawn on each other.
    letters = "".join(letter for letter, _ in pages[1].boxes)
    heading_bottom = pages[1].boxes[0][1][1]
    description_top = pages[1].boxes[letters.index("Description")][1][3]
    rows = [
        box for _, box in pages[1].boxes if box[3] < heading_bottom and box[1] > description_top
    ]
    assert len(rows) > 150
    for index, (left, bottom, right, top) in enumerate(rows):
        for other_left, other_bottom, other_right, other_top in rows[index + 1 :]:
            across = min(right, other_right) - max(left, other_left)
            up = min(top, other_top) - max(bottom, other_bottom)
            assert across < 1 or up < 1, (left, bottom)
    assert "Personne ayant fait le signalement" not in section  # not on one line
    assert "Personne ayant fait le" in section


def test_arabic_and_ethiopic_descriptions_are_drawn_with_their_fonts(
    en: Translator, caplog: pytest.LogCaptureFixture
) -> None:
    text = f"{ARABIC_TEXT}\n{TIGRINYA_TEXT}\nWitness: CRS van 22:30."
    with caplog.at_level(logging.WARNING):
        pages = render([record(description=text, place="مخيم الغابة")], en)
    section = pages[1]
    assert ARABIC.search(section.text)
    assert "ፖሊስ" in section.text  # Ethiopic needs no shaping: it comes back as written
    assert "Witness: CRS van 22:30." in section.text
    assert {"NotoSansArabicBold", "NotoSansEthiopicBold", "NotoSans"} <= section.fonts
    assert ARABIC.search(pages[0].text)  # the place, in the summary table
    assert "missing" not in caplog.text  # fpdf2 names the letters a font could not draw


def test_a_long_description_wraps_inside_the_margins_and_flows_across_pages(
    en: Translator,
) -> None:
    latin = " ".join(f"mot{number}" for number in range(1500))
    link = "https://example.org/" + "x" * 300  # wider than a line: cut between letters
    arabic = " ".join([ARABIC_TEXT] * 40)
    description = f"{latin}\n{link}\n{arabic}\nFIN"
    pages = render([record(description=description)], en)
    section = pages[1:]
    assert len(section) >= 3
    text = "\n".join(page.text for page in section)
    assert "mot0 mot1" in text
    assert "mot1499" in text
    assert text.count("x") >= 300
    assert text.rstrip().split("\n")[-2].endswith("FIN")  # last, before the footer
    for page in pages:
        for _, (left, _, right, _) in page.boxes:
            assert left >= MARGIN_PT - 1
            assert right <= page.width - MARGIN_PT + 1
        assert "Confidential" in page.text


def test_an_arabic_line_keeps_its_final_full_stop(en: Translator) -> None:
    """fpdf2 2.8.9 drew a right-to-left line's final stop as an empty box once the same
    stop had been shaped before a space on an earlier line (the lines are now marked)."""
    description = " ".join([ARABIC_TEXT] * 4)
    section = render([record(description=description)], en)[1].text
    paragraph = section[section.index("Description") : section.index("Confidential")]
    assert paragraph.count(".") == 4


def test_the_reporter_is_named_only_when_they_agreed(en: Translator) -> None:
    named = render([record(reporter_name="Camille Martin")], en)[1].text
    assert "Reported by Camille Martin" in named
    anonymous = render([record(reporter_name=None)], en)
    assert "Reported by Not named (anonymous report)" in anonymous[1].text
    assert all("Camille" not in page.text for page in anonymous)


def test_no_account_identifier_can_reach_the_document(en: Translator) -> None:
    """A record has no field for a Telegram id, and the file's metadata names nobody."""
    fields = {field.name for field in dataclasses.fields(IncidentRecord)}
    assert fields == {
        "reference", "kind", "occurred_at", "antenna_name", "place", "latitude",
        "longitude", "people", "minors", "injuries", "description", "reporter_name",
        "photos", "other_media", "reported_at",
    }  # fmt: skip
    data = render_incidents_pdf(
        [record()], t=en, tz=PARIS, period_label="December 2026", generated_at=GENERATED
    )
    document = pdfium.PdfDocument(data)
    try:
        metadata = document.get_metadata_dict()
    finally:
        document.close()
    assert metadata["Author"] == ""
    assert metadata["Creator"] == "Maraude"
    assert metadata["CreationDate"].startswith("D:20261204170000")  # the date given, not now


def test_photos_are_embedded_scaled_to_the_page(en: Translator) -> None:
    photos = (picture(1600, 600), picture(600, 1400), picture(40, 30, "PNG"))
    pages = render([record(photos=photos, other_media=2)], en)
    assert pages[0].images == 0
    assert sum(page.images for page in pages[1:]) == 3
    text = "\n".join(page.text for page in pages[1:])
    for number in (1, 2, 3):
        assert f"Photo {number} of 3" in text
    assert "2 videos or files kept with the report, not included in this document" in text
    document = pdfium.PdfDocument(
        render_incidents_pdf(
            [record(photos=photos)],
            t=en,
            tz=PARIS,
            period_label="December 2026",
            generated_at=GENERATED,
        )
    )
    try:
        sizes = []
        for page in list(document)[1:]:
            width, height = page.get_size()
            for image in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]):
                left, bottom, right, top = image.get_bounds()
                assert left >= MARGIN_PT - 1
                assert right <= width - MARGIN_PT + 1
                assert bottom >= 0
                assert top <= height
                sizes.append((right - left, top - bottom))
    finally:
        document.close()
    (w1, h1), (w2, h2), (w3, _) = sizes
    assert w1 / h1 == pytest.approx(1600 / 600, rel=0.01)  # aspect kept
    assert w2 / h2 == pytest.approx(600 / 1400, rel=0.01)
    assert w1 == pytest.approx(595.3 - 2 * MARGIN_PT, rel=0.01)  # as wide as the text
    assert h2 == pytest.approx(110 * 72 / 25.4, rel=0.01)  # at most 110 mm high
    assert w3 == pytest.approx(40 * 72 / 150, rel=0.01)  # a thumbnail is not blown up


def test_a_sideways_photo_is_turned_and_a_huge_one_made_smaller(en: Translator) -> None:
    sideways = BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # EXIF orientation: turn 90° clockwise to view
    Image.new("RGB", (400, 200), (10, 120, 10)).save(sideways, "JPEG", exif=exif)
    huge = picture(4000, 3000)
    screenshot = picture(2000, 4000, "PNG")  # with transparency
    data = render_incidents_pdf(
        [record(photos=(sideways.getvalue(), huge, screenshot))],
        t=en,
        tz=PARIS,
        period_label="December 2026",
        generated_at=GENERATED,
    )
    document = pdfium.PdfDocument(data)
    try:
        found = [
            (image.get_px_size(), image.get_bounds())
            for page in list(document)[1:]
            for image in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE])
        ]
    finally:
        document.close()
    assert [size for size, _ in found] == [(200, 400), (1600, 1200), (800, 1600)]
    (left, bottom, right, top) = found[0][1]
    assert top - bottom > right - left  # drawn upright: taller than wide


def test_a_damaged_photo_is_listed_and_the_rest_still_printed(
    en: Translator, caplog: pytest.LogCaptureFixture
) -> None:
    good = picture(800, 600)
    photos = (b"not a picture at all", good[: len(good) // 3], good)
    with caplog.at_level(logging.WARNING):
        pages = render([record(photos=photos), record(8, photos=(good,))], en)
    text = "\n".join(page.text for page in pages)
    assert "Photo 1: the file is damaged and could not be included." in text
    assert "Photo 2: the file is damaged and could not be included." in text
    assert "Photo 3 of 3" in text
    assert sum(page.images for page in pages) == 2  # the good one, in both incidents
    assert "INC-2026-0008" in pages[-1].text
    assert "photo 1 of INC-2026-0007 unreadable" in caplog.text


def test_letters_no_font_has_are_shown_by_their_code_point(en: Translator) -> None:
    section = render([record(description="Blessé 😢 ici\t(中)")], en)[1].text
    assert "Blessé [U+1F622] ici ([U+4E2D])" in section


def test_no_incident_gives_one_clear_page(en: Translator) -> None:
    pages = render([], en, antenna_names=["Grande-Synthe"], period_label="November 2026")
    assert len(pages) == 1
    text = pages[0].text
    assert "Documented incidents" in text
    assert "Grande-Synthe" in text
    assert "November 2026" in text
    assert "No incident was reported in this period." in text
    assert "Summary" not in text
    assert "Page 1 of 1" in text


def test_a_long_summary_repeats_its_headings_on_every_page(en: Translator) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    records = [
        record(number, occurred_at=start + timedelta(hours=5 * number)) for number in range(1, 81)
    ]
    pages = render(records, en)
    assert len(pages) > 81  # the summary takes more than the cover page
    summary = [page for page in pages if "INC-2026-0080 — " not in page.text][: len(pages) - 80]
    assert len(summary) >= 2
    for page in summary:
        assert "Reference Date Type Place People" in page.text
    listed = "\n".join(page.text for page in summary)
    assert all(f"INC-2026-{number:04d} " in listed for number in range(1, 81))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "riot"}, "unknown incident kind"),
        ({"occurred_at": datetime(2026, 12, 3, 21, 40)}, "aware"),  # noqa: DTZ001
        ({"latitude": None}, "together"),
        ({"people": -1}, "negative"),
        ({"other_media": -1}, "negative"),
    ],
)
def test_a_malformed_record_is_refused_when_built(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        record(**changes)
