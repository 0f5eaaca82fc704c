"""Broadcasts (issue 10, §2): a coordinator's message to the team chat, or privately to every
reachable member of an antenna.

A broadcast is first a stored draft (the preview); confirming it claims the draft and queues
one outbox row per recipient (`priority=BULK`, `batch="bc:<id>"`) in the same transaction, so
that it is sent at most once whoever presses what, and a restart goes on where it stopped
(the outbox marks a row sent only once Telegram took it).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.services.catalogue import normalize
from bot.services.errors import DomainError, NotAllowed
from bot.services.outbox import BULK, Outbox
from bot.storage.interface import Store
from bot.storage.models import Antenna, Broadcast, BroadcastProgress, Draft, Role, User

TEAM = "team"
VOLUNTEERS = "volunteers"
# The words typed after /broadcast to choose where it goes: English, as the command is, and
# French, the coordinators' working language ("/broadcast bénévoles …" must not go to the team
# chat with "bénévoles" as its first word). Compared without case, accents or final s.
TARGET_WORDS = {
    normalize(word): target
    for target, words in (
        (TEAM, ("team", "équipe")),
        (VOLUNTEERS, ("volunteers", "bénévoles")),
    )
    for word in words
}
# Without a target word the message goes to the team chat: the lighter of the two, where
# everyone can read it once, rather than a private message to every phone.
DEFAULT_TARGET = TEAM
DRAFT_KIND = "broadcast"
BATCH_PREFIX = "bc:"
# Characters a broadcast may hold (a typed one is at most 4096; the command line may pass
# more): four or five messages, not a book.
MAX_CHARS = 16_000
# A preview confirmed later than this is refused: "soup tonight" found the next morning in
# the chat history must not go to every phone (pressing Cancel still works).
PREVIEW_VALID_HOURS = 3


# The line above each copy saying who sends it, rendered for the antenna in the recipient's
# language (None: the team chat); it is HTML, escaped by whoever renders it.
Header = Callable[[Antenna, User | None], str]


def batch_of(broadcast_id: int) -> str:
    return f"{BATCH_PREFIX}{broadcast_id}"


def broadcast_of(batch: str | None) -> int | None:
    """The broadcast an outbox batch belongs to, if it is one."""
    if batch is None or not batch.startswith(BATCH_PREFIX):
        return None
    number = batch.removeprefix(BATCH_PREFIX)
    return int(number) if number.isdigit() else None


def summary_ref(broadcast_id: int) -> str:
    """The name of the message showing a broadcast's progress (see `Outbox.edit_ref`)."""
    return f"bcsum:{broadcast_id}"


@dataclass(frozen=True)
class Request:
    """What was typed after /broadcast: `[ANTENNA] [team|volunteers] TEXT`."""

    antenna: str | None
    target: str
    text: str


def parse_request(body: str, antennas: set[str]) -> Request:
    """Read the words before the text; the text keeps its lines (only its ends are trimmed).

    An antenna code is read only when a target word follows it: "/broadcast Calais is cold
    tonight" is a message to the team, not a request about the antenna.
    """
    first, rest = _split_word(body)
    second, after = _split_word(rest)
    if first.lower() in antennas and _target(second):
        return Request(first.lower(), _target(second), after.strip())
    if _target(first):
        return Request(None, _target(first), rest.strip())
    return Request(None, DEFAULT_TARGET, body.strip())


def _target(word: str) -> str:
    """The target a typed word names ("" if none): a word alone, not the start of a sentence
    such as "Bénévoles, ce soir …"."""
    if not word.isalpha():
        return ""
    return TARGET_WORDS.get(normalize(word), "")


def _split_word(text: str) -> tuple[str, str]:
    parts = text.strip().split(None, 1)
    if not parts:
        return "", ""
    return parts[0], parts[1] if len(parts) > 1 else ""


@dataclass(frozen=True)
class Preview:
    draft_id: int
    antenna: Antenna
    target: str
    recipients: int
    # The text exactly as it will be received below its header (escaped for Telegram's HTML).
    html: str


@dataclass(frozen=True)
class Progress:
    broadcast: Broadcast
    counts: BroadcastProgress

    @property
    def done(self) -> bool:
        return self.counts.pending == 0


class BroadcastService:
    """Prepares, confirms, cancels and follows broadcasts."""

    def __init__(self, storage: Store, clock: Clock, outbox: Outbox, default_antenna: str) -> None:
        self.storage = storage
        self.clock = clock
        self.outbox = outbox
        self.default_antenna = default_antenna

    async def prepare(self, actor: User, body: str) -> Preview:
        """Check a typed broadcast and store it as a draft to confirm; nothing is sent."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        codes = {antenna.code for antenna in await self.storage.antennas.all()}
        request = parse_request(body, codes)
        antenna = await self._antenna_for(actor, request.antenna)
        text = self._checked_text(request.text)
        recipients = await self._recipients(antenna, request.target, excluding=actor.id)
        payload = {"antenna": antenna.code, "target": request.target, "text": text}
        # One preview per coordinator: a new /broadcast makes the older buttons stale.
        draft_id = await self.storage.drafts.add(actor.id, DRAFT_KIND, payload, self.clock.now())
        return Preview(draft_id, antenna, request.target, len(recipients), _html(text))

    async def confirm(
        self,
        actor: User,
        draft_id: int,
        summary_chat_id: int,
        summary_message_id: int,
        header: Header,
    ) -> Broadcast:
        """Send a previewed broadcast: claim the draft and queue every copy, together.

        The message that was pressed becomes the delivery summary. A second press (or a
        late one, or anyone else's) finds no draft and changes nothing.
        """
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        draft = await self._own_draft(actor, draft_id)
        if self.clock.now() - draft.created_at > timedelta(hours=PREVIEW_VALID_HOURS):
            raise DomainError("broadcast_stale", hours=PREVIEW_VALID_HOURS)
        antenna = await self._antenna_for(actor, str(draft.payload["antenna"]))
        target = str(draft.payload["target"])
        # Checked before the claim: a refusal keeps the preview, to press again once fixed
        # (the team chat set, say); after the claim, nothing may refuse any more.
        await self._recipients(antenna, target, excluding=actor.id)
        if not await self.storage.drafts.delete(draft.id):
            raise DomainError("broadcast_gone")
        now = self.clock.now()
        broadcast = await self._start(
            antenna,
            target,
            str(draft.payload["text"]),
            header,
            draft_id=draft.id,
            created_by=actor.id,
            summary_chat_id=summary_chat_id,
        )
        await self.storage.message_refs.set(
            summary_ref(broadcast.id), summary_chat_id, summary_message_id, now
        )
        return broadcast

    async def cancel(self, actor: User, draft_id: int) -> None:
        """Drop a preview; a broadcast already sent cannot be called back, and says so."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        draft = await self._own_draft(actor, draft_id)
        if not await self.storage.drafts.delete(draft.id):
            raise DomainError("broadcast_gone")

    async def from_command_line(
        self, antenna_code: str, target: str, text: str, header: Header
    ) -> Broadcast:
        """`maraude broadcast`: queued for the running bot to send; no preview, no summary
        in Telegram (the operator reads the id and the count on the terminal)."""
        antenna = await self.storage.antennas.get(antenna_code)
        if antenna is None:
            raise DomainError("unknown_antenna", antenna=antenna_code)
        if target not in (TEAM, VOLUNTEERS):
            raise DomainError("broadcast_usage")
        return await self._start(
            antenna,
            target,
            self._checked_text(text),
            header,
            draft_id=None,
            created_by=None,
            summary_chat_id=None,
        )

    async def progress(self, broadcast_id: int) -> Progress | None:
        """How far an unfinished broadcast is; None once finished (or unknown)."""
        broadcast = await self.storage.broadcasts.get(broadcast_id)
        if broadcast is None or broadcast.finished_at is not None:
            return None
        counts = await self.storage.broadcasts.progress(batch_of(broadcast_id))
        return Progress(broadcast, counts)

    async def has_pending(self, broadcast_id: int) -> bool:
        return await self.storage.broadcasts.has_pending(batch_of(broadcast_id))

    async def record(self, progress: Progress, summary: str | None) -> None:
        """Keep the counts (and the summary as now shown); a done broadcast is closed."""
        broadcast_id = progress.broadcast.id
        if summary is not None:
            await self.storage.broadcasts.set_summary(broadcast_id, summary, progress.counts)
        if progress.done:
            await self.storage.broadcasts.finish(broadcast_id, progress.counts, self.clock.now())

    async def unfinished(self) -> list[int]:
        return [broadcast.id for broadcast in await self.storage.broadcasts.unfinished()]

    async def _own_draft(self, actor: User, draft_id: int) -> Draft:
        draft = await self.storage.drafts.get(draft_id)
        if draft is not None and draft.kind == DRAFT_KIND and draft.user_id == actor.id:
            return draft
        sent = await self.storage.broadcasts.by_draft(draft_id)
        if sent is not None and sent.created_by == actor.id:
            raise DomainError("broadcast_already_sent", number=sent.id)
        # Someone else's preview is "gone" to the presser: its existence is not theirs to know.
        raise DomainError("broadcast_gone")

    async def _antenna_for(self, actor: User, code: str | None) -> Antenna:
        """The actor's own antenna; another one for admins only (checked on every press)."""
        own = actor.antenna or self.default_antenna
        wanted = code or own
        if wanted != own and not actor.has(Role.ADMIN):
            raise DomainError("other_antenna_admin_only")
        antenna = await self.storage.antennas.get(wanted)
        if antenna is None:
            raise DomainError("unknown_antenna", antenna=wanted)
        return antenna

    @staticmethod
    def _checked_text(text: str) -> str:
        text = text.strip()
        if not text:
            raise DomainError("broadcast_usage")
        if len(text) > MAX_CHARS:
            raise DomainError("broadcast_too_long", max=MAX_CHARS, length=len(text))
        return text

    async def _recipients(
        self, antenna: Antenna, target: str, *, excluding: int | None
    ) -> list[tuple[int, User | None]]:
        """The chats a broadcast goes to, each with its reader: the team chat (None), or
        each reachable member (from volunteer up) of the antenna privately, the sender left
        out (they saw the preview)."""
        if target == TEAM:
            if antenna.team_chat_id is None:
                raise DomainError("broadcast_no_team_chat", antenna=antenna.name)
            return [(antenna.team_chat_id, None)]
        members = await self.storage.users.with_role_at_least(Role.VOLUNTEER, antenna.code)
        chats: list[tuple[int, User | None]] = [
            (user.id, user) for user in members if user.active and user.id != excluding
        ]
        if not chats:
            raise DomainError("broadcast_nobody", antenna=antenna.name)
        return chats

    async def _start(
        self,
        antenna: Antenna,
        target: str,
        text: str,
        header: Header,
        *,
        draft_id: int | None,
        created_by: int | None,
        summary_chat_id: int | None,
    ) -> Broadcast:
        recipients = await self._recipients(antenna, target, excluding=created_by)
        broadcast_id = await self.storage.broadcasts.add(
            antenna.code,
            target,
            draft_id=draft_id,
            created_by=created_by,
            now=self.clock.now(),
            summary_chat_id=summary_chat_id,
        )
        body = _html(text)
        for chat_id, reader in recipients:
            copy = f"{header(antenna, reader)}\n{body}"
            await self.outbox.send_text(chat_id, copy, priority=BULK, batch=batch_of(broadcast_id))
        await self.storage.broadcasts.set_recipients(broadcast_id, len(recipients))
        broadcast = await self.storage.broadcasts.get(broadcast_id)
        assert broadcast is not None
        return broadcast


def _html(text: str) -> str:
    """The coordinator's words as typed: every <, > and & shown, never read as markup."""
    return html.escape(text, quote=False)
