"""An incident as the PDF for a legal referral prints it, and the types of incident.

Apart from bot/services/incident_pdf.py, which needs fpdf2, Pillow and numpy (about 50 MB of
memory): the bot loads those only when a document is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.i18n import pN_

# The types of incident (issue 11), in the order the volunteer is offered them.
# The codes are those stored in `incidents.kind` (migration 0017, bot/services/incidents.py).
INCIDENT_KINDS: dict[str, tuple[str, str]] = {
    "police": pN_("incident type", "Police violence"),
    "eviction": pN_("incident type", "Eviction / tent destruction"),
    "seizure": pN_("incident type", "Seizure of belongings"),
    "teargas": pN_("incident type", "Tear gas"),
    "refusal": pN_("incident type", "Refusal of transport or other discrimination"),
    "sea": pN_("incident type", "Danger at sea"),
    "other": pN_("incident type", "Other"),
}


@dataclass(frozen=True)
class IncidentRecord:
    """One decrypted incident, as printed. No account identifier, by design."""

    reference: str  # e.g. "INC-2026-0007"
    kind: str  # a key of INCIDENT_KINDS
    occurred_at: datetime  # aware (UTC)
    antenna_name: str
    place: str | None
    latitude: float | None
    longitude: float | None
    people: int | None
    minors: bool | None
    injuries: bool | None
    description: str
    reporter_name: str | None  # only when the reporter agreed to be named
    photos: tuple[bytes, ...]  # JPEG or PNG files, already fetched
    other_media: int  # videos or files that cannot be embedded: counted, not printed
    reported_at: datetime  # aware

    def __post_init__(self) -> None:
        if self.kind not in INCIDENT_KINDS:
            raise ValueError(f"unknown incident kind {self.kind!r}")
        if self.occurred_at.tzinfo is None or self.reported_at.tzinfo is None:
            raise ValueError("incident times must be aware datetimes")
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together")
        if (self.people is not None and self.people < 0) or self.other_media < 0:
            raise ValueError("counts cannot be negative")
