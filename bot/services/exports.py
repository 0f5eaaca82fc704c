"""/export spreadsheets: written row by row to files, in a worker thread, small enough to send.

A year of logs is hundreds of thousands of rows: built on the event loop it would stop the
whole bot for seconds, and held in memory (or in an outbox row) it would weigh hundreds of
megabytes. Here rows stream from the database to a CSV file in a folder beside the database.
A large CSV is compressed (zip) and, if needed, cut between rows into parts that each open on
their own, so that every file stays well under the 50 MB a bot may upload.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import logging
import secrets
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.services.catalogue import Catalogue
from bot.services.charts import items_chart, occupancy_chart
from bot.services.housing import ZERO, HousingService, money, night_count
from bot.services.reports import Period, Report, ReportService, parse_period
from bot.storage.interface import RowSource
from bot.storage.models import HousingReduction, User

log = logging.getLogger(__name__)

# A spreadsheet up to this size goes as it is (it opens in one tap); a larger one is zipped.
PLAIN_LIMIT = 10 * 1024 * 1024
# Each zip at most this big: well under Telegram's 50 MB for a bot's upload.
PART_LIMIT = 45 * 1024 * 1024
# Deflate holds back some output before writing it (tens of kilobytes at most), and the zip's
# directory comes at the end: room kept for both when deciding whether a row still fits.
ZIP_SLACK = 64 * 1024
# A UTF-8 byte-order mark makes spreadsheet programs read accents and Arabic correctly.
BOM = "\ufeff"

DISTRIBUTION_HEADER = [
    "time",
    "slot",
    "antenna",
    "item_code",
    "item",
    "quantity",
    "unit",
    "place",
    "volunteer",
    "shift",
]
SHIFT_HEADER = [
    "start",
    "end",
    "minutes",
    "activity",
    "antenna",
    "volunteer",
    "auto_closed",
    "planned_shift",
]
TABLES = ("distributions", "shifts")
# Volunteer housing (issue 12): money as exact decimals with a point ("12.50"), never floats.
HOUSING_STAY_HEADER = [
    "stay",
    "antenna",
    "house",
    "volunteer",
    "arrival",
    "departure",
    "status",
    "ended_early",
    "nights_so_far",
    "nights",
    "due_so_far_eur",
    "due_total_eur",
    "paid_eur",
    "balance_eur",
    "reduction",
    "reduction_nightly_eur",
]
HOUSING_PAYMENT_HEADER = [
    "payment",
    "recorded_at",
    "volunteer",
    "stay",
    "amount_eur",
    "recorded_by",
    "undone_at",
]
HOUSING_REDUCTION_HEADER = [
    "reduction",
    "stay",
    "volunteer",
    "requested_at",
    "reason",
    "status",
    "nightly_eur",
    "effective_from",
    "decided_by",
    "decided_at",
]


@dataclass(frozen=True)
class OutgoingFile:
    """A file waiting to be sent: where it is, and the name the person sees."""

    path: Path
    name: str


def _cell(value: object) -> object:
    """A name typed by someone (a place, a Telegram name) must not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _new_path(folder: Path, suffix: str) -> Path:
    return folder / f"{secrets.token_hex(8)}{suffix}"


def write_csv(path: Path, header: list[str], rows: Iterable[list[object]]) -> None:
    """Stream rows into a CSV file that spreadsheet programs open as UTF-8."""
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(value) for value in row])


class _ZipPart:
    """One zip file holding one CSV, grown row by row while the next row surely fits."""

    def __init__(self, path: Path, inner: str, header: bytes, limit: int) -> None:
        self.path = path
        self.limit = limit
        self.rows = 0
        self._raw = path.open("wb")
        self._zip = zipfile.ZipFile(self._raw, "w", compression=zipfile.ZIP_DEFLATED)
        self._entry = self._zip.open(inner, "w")
        self._entry.write(header)

    def fits(self, size: int) -> bool:
        # Compressed, a row takes at most its own size (plus a few bytes per stored block).
        return self.rows == 0 or self._raw.tell() + size + ZIP_SLACK <= self.limit

    def write(self, line: bytes) -> None:
        self._entry.write(line)
        self.rows += 1

    def close(self) -> None:
        self._entry.close()
        self._zip.close()
        self._raw.close()


def _records(path: Path) -> Iterator[bytes]:
    """The records of a CSV file as bytes, one at a time (a quoted field may hold a newline)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    with path.open(encoding="utf-8-sig", newline="") as file:
        for row in csv.reader(file):
            writer.writerow(row)
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()


def zip_parts(source: Path, folder: Path, stem: str, limit: int) -> list[OutgoingFile]:
    """Compress a CSV file into zips of at most `limit` bytes, cut between rows, each with the
    header: `stem.zip`, then `stem_part2.zip`, `stem_part3.zip`…"""
    records = _records(source)
    header = BOM.encode("utf-8") + next(records, b"")
    parts: list[OutgoingFile] = []
    part: _ZipPart | None = None
    try:
        for line in records:
            if part is None or not part.fits(len(line)):
                if part is not None:
                    part.close()
                name = stem if not parts else f"{stem}_part{len(parts) + 1}"
                part = _ZipPart(_new_path(folder, ".zip"), f"{name}.csv", header, limit)
                parts.append(OutgoingFile(part.path, f"{name}.zip"))
            part.write(line)
    except BaseException:
        if part is not None:
            part.close()
        discard(parts)
        raise
    if part is not None:
        part.close()
    return parts


def write_table(
    folder: Path,
    stem: str,
    header: list[str],
    rows: Iterable[list[object]],
    *,
    plain_limit: int = PLAIN_LIMIT,
    part_limit: int = PART_LIMIT,
) -> list[OutgoingFile]:
    """Write `stem.csv` into the folder; above `plain_limit`, zips of it instead."""
    plain = _new_path(folder, ".csv")
    try:
        write_csv(plain, header, rows)
        if plain.stat().st_size <= plain_limit:
            return [OutgoingFile(plain, f"{stem}.csv")]
        parts = zip_parts(plain, folder, stem, part_limit)
    except BaseException:
        plain.unlink(missing_ok=True)
        raise
    plain.unlink()
    return parts


def discard(files: Iterable[OutgoingFile]) -> None:
    for file in files:
        file.path.unlink(missing_ok=True)


class ExportService:
    """Writes a period's spreadsheets and chart into the outgoing folder, off the event loop."""

    def __init__(
        self,
        reports: ReportService,
        source: Callable[[], AbstractContextManager[RowSource]],
        clock: Clock,
        tz: ZoneInfo,
        folder: Path,
        *,
        plain_limit: int = PLAIN_LIMIT,
        part_limit: int = PART_LIMIT,
    ) -> None:
        self.reports = reports
        self.source = source
        self.clock = clock
        self.tz = tz
        self.folder = folder
        self.plain_limit = plain_limit
        self.part_limit = part_limit

    async def export(
        self,
        actor: User,
        period_text: str | None,
        catalogue: Catalogue,
        locale: str,
        housing: HousingService | None = None,
    ) -> tuple[Report, list[OutgoingFile]]:
        """The report (for a chart) and the spreadsheets of a period, as files; with the
        housing service, the stays, payments and reductions of the period too."""
        antenna = self.reports.scope(actor)
        period = parse_period(period_text, self.clock.now(), self.tz)
        built = await self.reports.build(antenna, period)
        files = await asyncio.to_thread(
            self._write_tables, antenna, period, catalogue, locale, self.clock.now()
        )
        if housing is not None and housing.houses:
            try:
                tables = await self._housing_rows(housing, antenna, period)
                if not any(rows for _, _, rows in tables):
                    return built, files  # no stay, payment nor reduction: no empty files
                stamp = f"{period.first_day.isoformat()}_{period.last_day.isoformat()}"
                files += await asyncio.to_thread(self._write_housing, tables, stamp)
            except BaseException:
                discard(files)
                raise
        return built, files

    async def _housing_rows(
        self, housing: HousingService, antenna: str | None, period: Period
    ) -> list[tuple[str, list[str], list[list[object]]]]:
        """The housing tables' rows (a few hundred at most: read on the loop, written off it).
        Names as the other spreadsheets give them: the name a person gave, else their id."""
        found = await housing.export_rows(antenna, period.since, period.until)
        names: dict[int, str] = {}

        async def name(user_id: int | None) -> str:
            if user_id is None:
                return ""
            if user_id not in names:
                user = await housing.storage.users.get(user_id)
                names[user_id] = "" if user is None else (user.display_name or str(user_id))
            return names[user_id]

        def local(moment: datetime | None) -> str:
            return "" if moment is None else moment.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")

        def eur(amount: Decimal | None) -> object:
            # A Decimal, not its text: a credit ("-5.00") is a number, not a guarded formula.
            return "" if amount is None else money(amount)

        by_stay: dict[int, list[HousingReduction]] = {}
        for reduction in found.reductions:
            by_stay.setdefault(reduction.stay_id, []).append(reduction)
        paid_by_stay: dict[int, Decimal] = {}
        for user_id in sorted({stay.user_id for stay, _, _ in found.stays}):
            for payment in await housing.storage.housing.payments_of(user_id):
                if payment.stay_id is not None and payment.undone_at is None:
                    paid_by_stay[payment.stay_id] = (
                        paid_by_stay.get(payment.stay_id, ZERO) + payment.amount
                    )
        today = housing.today()
        stays: list[list[object]] = []
        for stay, _user, _account in found.stays:
            reductions = by_stay.get(stay.id, [])
            counted = stay.status == "confirmed"
            due_so_far, due_total = housing.stay_due(stay, reductions) if counted else (ZERO, ZERO)
            paid = money(paid_by_stay.get(stay.id, ZERO))
            latest = reductions[-1] if reductions else None
            stays.append(
                [
                    stay.id,
                    stay.antenna,
                    stay.house,
                    await name(stay.user_id),
                    stay.arrival.isoformat(),
                    stay.departure.isoformat(),
                    stay.status,
                    "yes" if stay.ended_early else "",
                    night_count(stay.arrival, stay.departure, today) if counted else 0,
                    night_count(stay.arrival, stay.departure),
                    eur(due_so_far),
                    eur(due_total),
                    eur(paid),
                    eur(due_so_far - paid),
                    latest.status if latest else "",
                    eur(latest.nightly) if latest else "",
                ]
            )
        # Every payment recorded in the period at the antenna, whether or not its stay has a
        # night in the period (a stay ended last month, paid this month).
        recorded = []
        for payment in await housing.storage.housing.payments_between(period.since, period.until):
            paid_for = None
            if payment.stay_id is not None:
                paid_for = await housing.storage.housing.stay(payment.stay_id)
            if antenna is None or (paid_for is not None and paid_for.antenna == antenna):
                recorded.append(payment)
        payments: list[list[object]] = [
            [
                p.id,
                local(p.recorded_at),
                await name(p.user_id),
                p.stay_id or "",
                eur(p.amount),
                await name(p.recorded_by),
                local(p.undone_at),
            ]
            for p in recorded
        ]
        reduction_rows: list[list[object]] = [
            [
                r.id,
                r.stay_id,
                await name(r.user_id),
                local(r.requested_at),
                r.reason,
                r.status,
                eur(r.nightly),
                r.effective_from.isoformat() if r.effective_from else "",
                await name(r.decided_by),
                local(r.decided_at),
            ]
            for r in found.reductions
        ]
        return [
            ("housing_stays", HOUSING_STAY_HEADER, stays),
            ("housing_payments", HOUSING_PAYMENT_HEADER, payments),
            ("housing_reductions", HOUSING_REDUCTION_HEADER, reduction_rows),
        ]

    def _write_housing(
        self, tables: list[tuple[str, list[str], list[list[object]]]], stamp: str
    ) -> list[OutgoingFile]:
        self.folder.mkdir(parents=True, exist_ok=True)
        written: list[OutgoingFile] = []
        try:
            for stem, header, rows in tables:
                written += write_table(
                    self.folder,
                    f"{stem}_{stamp}",
                    header,
                    rows,
                    plain_limit=self.plain_limit,
                    part_limit=self.part_limit,
                )
        except BaseException:
            discard(written)
            raise
        return written

    async def write_one(
        self,
        table: str,
        antenna: str | None,
        period: Period,
        catalogue: Catalogue,
        locale: str,
        out: Path,
    ) -> None:
        """One plain CSV at `out`, whatever its size (the command line's export)."""

        def write() -> None:
            with self.source() as source:
                header, rows = self._table(
                    table, source, antenna, period, catalogue, locale, self.clock.now()
                )
                write_csv(out, header, rows)

        await asyncio.to_thread(write)

    async def chart(self, totals: list[tuple[str, int]], title: str) -> OutgoingFile | None:
        """A bar chart of the totals as a PNG file, or None (no data, or no matplotlib)."""
        path = _new_path(self.folder, ".png")

        def draw() -> bool:
            self.folder.mkdir(parents=True, exist_ok=True)
            return items_chart(totals, title, path)

        return OutgoingFile(path, "chart.png") if await asyncio.to_thread(draw) else None

    async def occupancy_chart(
        self, nights: list[tuple[str, int]], beds: int, title: str
    ) -> OutgoingFile | None:
        """/housing's picture of nights booked against the beds, or None (no matplotlib)."""
        path = _new_path(self.folder, ".png")

        def draw() -> bool:
            self.folder.mkdir(parents=True, exist_ok=True)
            return occupancy_chart(nights, beds, title, path)

        return OutgoingFile(path, "housing.png") if await asyncio.to_thread(draw) else None

    def prune(self, keep: set[str], before: datetime) -> int:
        """Delete files nothing will send (the bot died before queueing them, or their rows
        were erased), once older than `before`: younger ones may still be being written."""
        if not self.folder.is_dir():
            return 0
        pruned = 0
        for path in self.folder.iterdir():
            if str(path) in keep or not path.is_file():
                continue
            if path.stat().st_mtime < before.timestamp():
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    pruned += 1
        return pruned

    def _write_tables(
        self,
        antenna: str | None,
        period: Period,
        catalogue: Catalogue,
        locale: str,
        now: datetime,
    ) -> list[OutgoingFile]:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = f"{period.first_day.isoformat()}_{period.last_day.isoformat()}"
        written: list[OutgoingFile] = []
        try:
            with self.source() as source:
                for table in TABLES:
                    header, rows = self._table(
                        table, source, antenna, period, catalogue, locale, now
                    )
                    written += write_table(
                        self.folder,
                        f"{table}_{stamp}",
                        header,
                        rows,
                        plain_limit=self.plain_limit,
                        part_limit=self.part_limit,
                    )
        except BaseException:
            discard(written)
            raise
        log.info("export written: %s", ", ".join(file.name for file in written))
        return written

    def _table(
        self,
        table: str,
        source: RowSource,
        antenna: str | None,
        period: Period,
        catalogue: Catalogue,
        locale: str,
        now: datetime,
    ) -> tuple[list[str], Iterator[list[object]]]:
        names: dict[int, str] = {}

        def volunteer(user_id: int | None) -> str:
            if user_id is None:
                return ""
            if user_id not in names:
                names[user_id] = source.volunteer_name(user_id)
            return names[user_id]

        def local(moment: datetime | None) -> str:
            return "" if moment is None else moment.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")

        def distributions() -> Iterator[list[object]]:
            for row in source.distributions(antenna, period.since, period.until):
                place = catalogue.all_places.get(row.place_id) if row.place_id else None
                item = catalogue.all_items.get(row.item_code)
                yield [
                    local(row.logged_at),
                    row.slot,
                    row.antenna,
                    row.item_code,
                    catalogue.item_name(row.item_code, locale),
                    row.quantity,
                    item.unit if item else "",
                    place.name if place else "",
                    volunteer(row.user_id),
                    row.shift_id or "",
                ]

        def shifts() -> Iterator[list[object]]:
            for shift in source.shifts(antenna, period.since, period.until):
                yield [
                    local(shift.started_at),
                    local(shift.ended_at),
                    round(shift.duration(now).total_seconds() / 60),
                    shift.activity,
                    shift.antenna,
                    volunteer(shift.user_id),
                    "yes" if shift.auto_closed else "",
                    shift.planned_id or "",
                ]

        if table == "distributions":
            return DISTRIBUTION_HEADER, distributions()
        if table == "shifts":
            return SHIFT_HEADER, shifts()
        raise ValueError(f"no table {table!r}")
