"""The PDF of a period's incident reports, for a legal referral (issue 11, SPEC §5).

Opens the reports the reader may export (`IncidentService.for_export`, not audited here: the
caller audits them in the transaction that queues the document), fetches their photos through
`fetch` (Telegram's getFile, outside any transaction; a photo that does not come is counted as
missing, never fatal), renders the document in a worker thread and writes it beside the
database for the outbox. Anonymised: no account identifier, the reporter named only if they
agreed. Knows no Telegram type: `fetch` is a plain coroutine function.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.i18n import Translator
from bot.services.catalogue import Catalogue
from bot.services.errors import DomainError
from bot.services.incident_record import IncidentRecord
from bot.services.incidents import Incident, IncidentService
from bot.services.reports import Period
from bot.storage import Storage
from bot.storage.models import Role, User

log = logging.getLogger(__name__)

# Telegram refuses a bot's upload above 50 MB (413): such a document is never queued.
MAX_UPLOAD = 50 * 1024 * 1024
# More reports than this in one document: a shorter period is asked for (never a silent cut).
MAX_REPORTS = 500

Fetch = Callable[[str], Awaitable[bytes]]


@dataclass(frozen=True)
class IncidentDocument:
    """A written document, the reports it holds, and the photos that could not be fetched."""

    incidents: list[Incident]
    path: Path
    name: str
    missing_photos: int


class IncidentExporter:
    def __init__(
        self,
        incidents: IncidentService,
        storage: Storage,
        catalogue: Callable[[], Catalogue],
        clock: Clock,
        tz: ZoneInfo,
        folder: Path,
        *,
        limit: int = MAX_UPLOAD,
    ) -> None:
        self.incidents = incidents
        self.storage = storage
        self.catalogue = catalogue
        self.clock = clock
        self.tz = tz
        self.folder = folder
        self.limit = limit

    async def build(
        self,
        reader: User,
        period: Period,
        *,
        t: Translator,
        period_label: str,
        fetch: Fetch | None,
        antenna: str | None = None,
    ) -> IncidentDocument | None:
        """The document of the period, or None when it holds no report.

        `antenna` narrows an admin's export to one antenna (others export their own).
        Raises DomainError("incident_export_too_large") above Telegram's 50 MB or
        MAX_REPORTS reports.
        """
        incidents = await self.incidents.for_export(
            reader, since=period.since, until=period.until, audit=False, limit=MAX_REPORTS + 1
        )
        if len(incidents) > MAX_REPORTS:
            raise DomainError("incident_export_too_large")
        if antenna is not None:
            incidents = [i for i in incidents if i.row.antenna == antenna]
        if not incidents:
            return None
        names = await self._antenna_names({i.row.antenna for i in incidents})
        records: list[IncidentRecord] = []
        missing = 0
        for incident in incidents:
            record, lost = await self._record(incident, names, fetch)
            records.append(record)
            missing += lost
        shown = [names[code] for code in sorted(names)]
        path = self.folder / f"{secrets.token_hex(8)}.pdf"
        now = self.clock.now()

        def write() -> int:
            # Here, in the worker thread: fpdf2, Pillow and numpy are loaded on first use
            # (about 50 MB the bot does not carry until someone exports incidents).
            from bot.services.incident_pdf import render_incidents_pdf

            content = render_incidents_pdf(
                records,
                t=t,
                tz=self.tz,
                period_label=period_label,
                generated_at=now,
                antenna_names=shown,
            )
            if len(content) > self.limit:
                return len(content)
            self.folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            return len(content)

        size = await asyncio.to_thread(write)
        if size > self.limit:
            raise DomainError("incident_export_too_large")
        name = f"incidents_{period.first_day.isoformat()}_{period.last_day.isoformat()}.pdf"
        log.info("incident export written: %d reports, %d bytes", len(incidents), size)
        return IncidentDocument(incidents, path, name, missing)

    async def _antenna_names(self, codes: set[str]) -> dict[str, str]:
        names = {}
        for code in codes:
            antenna = await self.storage.antennas.get(code)
            names[code] = antenna.name if antenna else code
        return names

    async def _record(
        self, incident: Incident, names: dict[str, str], fetch: Fetch | None
    ) -> tuple[IncidentRecord, int]:
        row, details = incident.row, incident.details
        photos: list[bytes] = []
        missing = 0
        for kind, file_id in details.media:
            if kind != "photo":
                continue
            try:
                if fetch is None:
                    raise LookupError("no way to fetch files")
                photos.append(await fetch(file_id))
            except Exception as error:
                log.warning("photo of %s not fetched: %s", row.reference, type(error).__name__)
                missing += 1
        place = details.place_text
        if details.place_id is not None:
            known = self.catalogue().all_places.get(details.place_id)
            place = known.name if known else place
        return (
            IncidentRecord(
                reference=row.reference,
                kind=row.kind,
                occurred_at=row.occurred_at,
                antenna_name=names.get(row.antenna, row.antenna),
                place=place,
                latitude=details.latitude,
                longitude=details.longitude,
                people=details.people,
                minors=details.minors,
                injuries=details.injuries,
                description="\n".join(details.description),
                reporter_name=await self._reporter(incident),
                photos=tuple(photos),
                # Videos are counted; so are photos that could not be fetched.
                other_media=sum(1 for kind, _ in details.media if kind != "photo") + missing,
                reported_at=row.created_at,
            ),
            missing,
        )

    async def _reporter(self, incident: Incident) -> str | None:
        """The reporter's name only if they agreed to be named; never an account id."""
        row = incident.row
        if not row.name_reporter or row.reporter_id is None:
            return None
        user = await self.storage.users.get(row.reporter_id)
        if user is None or not user.display_name:
            return None
        return user.display_name


def cli_reader(antenna: str | None) -> User:
    """The command line exports as an admin (everything) or as an antenna's coordinator."""
    epoch = datetime.fromtimestamp(0).astimezone()
    return User(
        id=0,
        locale=None,
        telegram_language=None,
        role=Role.COORDINATOR if antenna else Role.ADMIN,
        antenna=antenna,
        display_name="command line",
        username=None,
        active=True,
        created_at=epoch,
        last_seen_at=epoch,
        menu_signature=None,
    )
