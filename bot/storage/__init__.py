"""Storage: the database and its repositories, behind one object the services receive.

Services only see `Storage` and the repositories' methods (typed models in and out), so a
PostgreSQL implementation can provide the same attributes without touching them.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from pathlib import Path

from bot.storage.alerts import AlertRepo
from bot.storage.broadcasts import BroadcastRepo
from bot.storage.database import Database
from bot.storage.distributions import CatalogueRepo, DistributionRepo
from bot.storage.drafts import DraftRepo
from bot.storage.help import HelpRepo
from bot.storage.housing import HousingRepo
from bot.storage.inbox import InboxRepo
from bot.storage.incidents import IncidentRepo
from bot.storage.info import InfoRepo
from bot.storage.jobs import JobRepo, MetaRepo
from bot.storage.outbox import MessageRefRepo, OutboxRepo
from bot.storage.planning import PlanningRepo
from bot.storage.shifts import ShiftRepo
from bot.storage.users import AntennaRepo, InviteRepo, UserRepo


class Storage:
    """The database and every repository over it."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.db = Database(path, read_only=read_only)
        self.users = UserRepo(self.db)
        self.antennas = AntennaRepo(self.db)
        self.invites = InviteRepo(self.db)
        self.inbox = InboxRepo(self.db)
        self.outbox = OutboxRepo(self.db)
        self.meta = MetaRepo(self.db)
        self.jobs = JobRepo(self.db)
        self.message_refs = MessageRefRepo(self.db)
        self.shifts = ShiftRepo(self.db)
        self.planning = PlanningRepo(self.db)
        self.catalogue = CatalogueRepo(self.db)
        self.distributions = DistributionRepo(self.db)
        self.drafts = DraftRepo(self.db)
        self.info = InfoRepo(self.db)
        self.help = HelpRepo(self.db)
        # Team alerts and the weekly summary's switch (issue 10 §4–5).
        self.alerts = AlertRepo(self.db)
        # Issue 10, §2.
        self.broadcasts = BroadcastRepo(self.db)
        # Rights-violation reports, their drafts and audit log (issue 11).
        self.incidents = IncidentRepo(self.db)
        # Volunteer housing: stays, contributions, reductions (issue 12).
        self.housing = HousingRepo(self.db)

    async def open(self) -> list[str]:
        """Open the database and apply pending migrations; return the ones applied."""
        await self.db.open()
        if self.db.read_only:
            return []
        return await self.db.migrate()

    async def close(self) -> None:
        await self.db.close()

    def transaction(self) -> AbstractAsyncContextManager[None]:
        return self.db.transaction()
