"""Timed jobs stored in the database (SPEC §4): scheduled, moved or cancelled by key.

A job's key is deterministic (e.g. "shift:12:autoclose"), so scheduling again moves the job
instead of doubling it. Running a job is the runtime's business (`bot/jobs.py`): it claims the
row in the same transaction as the job's effects, so nothing fires twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.clock import Clock
from bot.storage.interface import Store
from bot.storage.models import Job


def _no_timer(job: Job) -> None:
    """Without a running bot (tests of services, the command line) nothing is armed."""


class Scheduler:
    """Writes jobs to the database and asks the runtime to arm a timer for them."""

    def __init__(
        self, storage: Store, clock: Clock, arm: Callable[[Job], None] = _no_timer
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.arm = arm

    async def schedule(
        self, kind: str, key: str, due_at: datetime, payload: dict[str, Any] | None = None
    ) -> Job:
        job = await self.storage.jobs.upsert(kind, key, due_at, payload or {}, self.clock.now())
        # Armed before the commit: if the transaction rolls back, the timer finds no pending
        # row when it fires and does nothing.
        self.arm(job)
        return job

    async def cancel(self, key: str) -> int:
        """Cancel the job of exactly that key: "plan:1:remind:12" is not "…:remind:123"."""
        return await self.storage.jobs.cancel(key)

    async def cancel_under(self, key_prefix: str) -> int:
        """Cancel a family of jobs, named by a prefix ending with ":" ("shift:12:")."""
        return await self.storage.jobs.cancel_under(key_prefix)
