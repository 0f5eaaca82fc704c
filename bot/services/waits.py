"""What a person's next typed text answers: one wait per person, and the latest one wins.

Several forms ask for typed text after a tap: a place's or an item's new name (✏️), a
quantity (➕ Other number in /distrib, or a quick log's "how many?"), the day, time or number
of people of the guided /plan (⌨️), a message to a person in exile (✉ Write). A person looking
at two of them at once answers the one they opened last, so:

- a person has one wait at most: opening one ends the one before (a form left half-way does
  not eat text meant for the next one, and text is never relayed to a person in exile while a
  form opened since waits for it);
- a wait ends when its form is answered, cancelled, gone back from or started again, and in
  any case once its life, counted from the tap that opened it, is over;
- a form ends only its own wait: an old Back button or Cancel never ends a newer wait.

Waits are stored as drafts (kind "wait", one per person), so they survive a restart. A
feature names its purpose and the details it needs back (a draft, an item, a request).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.storage.interface import Store

WAIT = "wait"
# The purposes, one per feature that reads typed text.
RENAME = "rename"  # /places, /items: the new name after ✏️
QUANTITY = "quantity"  # the guided /distrib: a number after ➕ Other number
QUICK_QUANTITY = "quick_quantity"  # a quick /distrib log's "how many?"
PLAN = "plan"  # the guided /plan: the day, time or number of people after ⌨️
WRITE = "write"  # a help request's relay: the message after ✉ Write
HOUSING_AMOUNT = "housing_amount"  # a reduction's nightly amount after ✏️ Other amount


@dataclass(frozen=True)
class Wait:
    purpose: str
    details: dict[str, Any]
    opened_at: datetime


class TypedWaits:
    """Open, read and end the one typed wait of each person."""

    def __init__(self, storage: Store, clock: Clock) -> None:
        self.storage = storage
        self.clock = clock

    async def open(self, user_id: int, purpose: str, life: timedelta, **details: Any) -> None:
        """The person's next text answers `purpose` for `life` from now; any other wait ends."""
        now = self.clock.now()
        payload = {"for": purpose, "until": (now + life).isoformat(), "details": details}
        await self.storage.drafts.add(user_id, WAIT, payload, now)

    async def current(self, user_id: int) -> Wait | None:
        """The person's open wait, whatever its purpose; None once its life is over."""
        draft = await self.storage.drafts.latest(user_id, WAIT)
        if draft is None:
            return None
        payload = draft.payload
        try:
            until = datetime.fromisoformat(str(payload["until"]))
            wait = Wait(str(payload["for"]), dict(payload["details"]), draft.created_at)
        except (KeyError, TypeError, ValueError):
            until = None
        if until is None or self.clock.now() >= until:
            await self.storage.drafts.delete(draft.id)
            return None
        return wait

    async def waiting_for(self, user_id: int, purpose: str) -> Wait | None:
        """The person's open wait if it is for `purpose` (the latest wait, never an older)."""
        wait = await self.current(user_id)
        return wait if wait is not None and wait.purpose == purpose else None

    async def end(self, user_id: int, *purposes: str, **details: Any) -> bool:
        """End the person's wait if it is for one of `purposes` (and has these details);
        another feature's wait, opened since, stays. False if nothing ended."""
        draft = await self.storage.drafts.latest(user_id, WAIT)
        if draft is None or draft.payload.get("for") not in purposes:
            return False
        own = draft.payload.get("details") or {}
        if any(own.get(name) != value for name, value in details.items()):
            return False
        return await self.storage.drafts.delete(draft.id)
