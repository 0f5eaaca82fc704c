"""Error reports to admins: at most one per kind of error per ten minutes (SPEC §8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock

REPORT_INTERVAL = timedelta(minutes=10)


@dataclass
class _Kind:
    last_reported: datetime
    suppressed: int = 0


class ErrorReporter:
    """Decides whether an error of a given kind should be reported now."""

    def __init__(self, clock: Clock, interval: timedelta = REPORT_INTERVAL) -> None:
        self.clock = clock
        self.interval = interval
        self._kinds: dict[str, _Kind] = {}

    def should_report(self, kind: str) -> int | None:
        """None to stay quiet; otherwise how many were suppressed since the last report."""
        now = self.clock.now()
        seen = self._kinds.get(kind)
        if seen is not None and now - seen.last_reported < self.interval:
            seen.suppressed += 1
            return None
        suppressed = seen.suppressed if seen else 0
        self._kinds[kind] = _Kind(now)
        return suppressed
