"""The Telegram sender: drains the outbox at Telegram's pace, retrying what can be retried.

SPEC §8: 429 waits `retry_after`; 5xx and network errors retry with backoff; 403 marks the
recipient inactive; a file Telegram will never take (413: over 50 MB) is given up at once and
the chat told. A row is marked sent only after Telegram accepted it, so a crash resends at most
the one message in flight. Messages and files have a sender each: a long upload holds up no
message, and each chat's queues are sent in order, the most urgent first.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    Message,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ExtBot
from telegram.warnings import PTBDeprecationWarning

from bot.clock import Clock
from bot.services.outbox import BULK, EPHEMERAL, INTERACTIVE, URGENT
from bot.storage.interface import Store
from bot.storage.models import OutboxEntry, Taken

log = logging.getLogger(__name__)

# Telegram's answer to one outbox row: the message id (or None), or what the call raised.
Answer = int | Exception | None

MAX_BACKOFF = timedelta(minutes=5)
# A message that could not be delivered for a day is no longer news.
GIVE_UP_AFTER = timedelta(hours=24)
# Telegram asks bots not to exceed about one message per second in a private chat and twenty
# per minute in a group; bulk sends keep this pace per chat on their own.
BULK_GAP_PRIVATE = timedelta(seconds=1)
BULK_GAP_GROUP = timedelta(seconds=3)
# Pacing needs to remember a chat only this long.
LARGEST_GAP = max(BULK_GAP_PRIVATE, BULK_GAP_GROUP)
IDLE_WAKE = 30.0
# Telegram's budget for the whole bot: about thirty messages in any second. The sender keeps it
# itself, so that the message chosen is the most urgent one at the moment a slot frees: a
# broadcast then uses the whole budget, yet an answer or an alert queued meanwhile takes the
# next slot instead of waiting behind the rest of the broadcast.
GLOBAL_PER_SECOND = 30
# Chats written to at once by the message sender (one message per chat at a time).
SEND_AT_ONCE = 16
# Pacing waits in between while an upload holds every slot.
PACE_POLL = 0.05
# Evenly spread sends may run this many slots ahead after a late wake-up.
SPREAD_SLACK = 3
# Seconds to upload a file (up to 45 MB) over a slow line; PTB's default of 20 is for photos.
UPLOAD_TIMEOUT = 300.0
# Harmless answers: the wanted state is already there, or the moment has passed.
ALREADY_DONE = ("message is not modified", "message to delete not found")
TOO_LATE = ("query is too old", "query id is invalid", "message can't be deleted")
OLD_MESSAGE_METHODS = frozenset({"edit_text"})
# Telegram's 413, which PTB raises as a NetworkError: the same file will never be taken.
TOO_LARGE = ("entity too large", "file too large", "(413)")


def retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that retry_after becomes a timedelta; both forms are handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: Any = exc.retry_after
    return float(value.total_seconds() if isinstance(value, timedelta) else value)


def too_large(exc: TelegramError) -> bool:
    text = exc.message.lower()
    return isinstance(exc, NetworkError) and any(phrase in text for phrase in TOO_LARGE)


class GlobalPace:
    """At most `limit` requests to chats in any second, counted from when Telegram answered.

    Counting from the answer, not the request, keeps the window Telegram sees (it counts from
    when each request arrived, which is between the two) within the limit whatever the network
    does; it costs one round trip per `limit` messages. Bulk sends are also spread evenly
    (`spaced`): sent in bursts, they would fill the second in its first tenth, and an answer
    queued then would wait most of a second for a free slot. Real time, not the injected
    clock: it is Telegram's clock that counts.
    """

    def __init__(self, limit: int, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.monotonic = monotonic
        self._answered: deque[float] = deque()
        self._in_flight = 0
        # When the next evenly spread request is due (the "theoretical arrival time").
        self._next_start = 0.0

    def delay(self, *, spaced: bool = False) -> float:
        """Seconds until a request may start (0: now)."""
        now = self.monotonic()
        while self._answered and self._answered[0] <= now - 1.0:
            self._answered.popleft()
        wait = 0.0
        if self._in_flight + len(self._answered) >= self.limit:
            wait = self._answered[0] + 1.0 - now if self._answered else PACE_POLL
        if spaced:
            # A late wake-up may catch up a few slots, not a whole second of them.
            slack = SPREAD_SLACK / self.limit
            wait = max(wait, self._next_start - slack - now)
        return max(wait, 0.0)

    async def wait(self, *, spaced: bool = False) -> None:
        # Nothing to wait on but time: the slot frees a second after an earlier answer.
        while (wait := self.delay(spaced=spaced)) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)

    async def acquire(self, *, spaced: bool = False) -> None:
        await self.wait(spaced=spaced)
        self._in_flight += 1
        self._next_start = max(self._next_start, self.monotonic()) + 1.0 / self.limit

    def release(self) -> None:
        self._in_flight -= 1
        self._answered.append(self.monotonic())


class Delivery:
    """Sends outbox rows, in order within each chat's queue, most urgent first."""

    def __init__(
        self,
        bot: ExtBot[Any],
        storage: Store,
        clock: Clock,
        on_blocked: Callable[[int], Awaitable[None]],
        on_migrated: Callable[[int, int], Awaitable[None]],
        on_urgent_lost: Callable[[int | None, str], Awaitable[None]] | None = None,
        *,
        per_second: int | None = GLOBAL_PER_SECOND,
        on_batch_done: Callable[[OutboxEntry], Awaitable[None]] | None = None,
        reader: Store | None = None,
    ) -> None:
        self.bot = bot
        self.storage = storage
        # What is due is read beside the writer (committed rows only, which is all the sender
        # may send): the inbox worker's batch does not hold it up.
        self.reader = reader or storage
        self.clock = clock
        self.on_blocked = on_blocked
        self.on_migrated = on_migrated
        # An alert Telegram refused for good (the person blocked the bot, never opened it):
        # someone else must hear that it did not arrive.
        self.on_urgent_lost = on_urgent_lost
        self._wake_messages = asyncio.Event()
        self._wake_uploads = asyncio.Event()
        # When each chat was last written to, oldest first; only the last few seconds count.
        self._last_sent: dict[int, datetime] = {}
        # Shared by both senders: a file counts against the budget like a message.
        self._pace = GlobalPace(per_second) if per_second else None
        # Each group being sent and recorded, with the `uploads` of the drain that sent it.
        self._recording: dict[asyncio.Future[list[tuple[OutboxEntry, Answer]]], bool | None] = {}
        # Telegram answered a row of a batch (a broadcast's copy): its summary may follow.
        self.on_batch_done = on_batch_done

    def wake(self) -> None:
        self._wake_messages.set()
        self._wake_uploads.set()

    async def run(self) -> None:
        """Send forever: messages and files each by their own sender."""
        async with asyncio.TaskGroup() as senders:
            senders.create_task(self._send_forever(self._wake_messages, uploads=False))
            senders.create_task(self._send_forever(self._wake_uploads, uploads=True))

    async def _send_forever(self, wake: asyncio.Event, *, uploads: bool) -> None:
        while True:
            wake.clear()
            sent_any = await self.drain(uploads=uploads, queued=wake)
            if sent_any:
                continue
            next_wake = await self.reader.outbox.next_wake(uploads=uploads)
            delay = IDLE_WAKE
            if next_wake is not None:
                delay = min(IDLE_WAKE, max(0.0, (next_wake - self.clock.now()).total_seconds()))
            # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a cancellation
            # that arrives as its timeout fires, and this loop would then never stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay or 0.01):
                    await wake.wait()

    async def drain_due(self) -> None:
        """Send everything due now, then return (used when shutting down)."""
        while await self.drain():
            pass

    async def drain(
        self, *, uploads: bool | None = None, queued: asyncio.Event | None = None
    ) -> bool:
        """Send what is due now (only files, or no file; both by default); return whether
        anything was attempted.

        Answers and alerts to several chats are sent at once (SEND_AT_ONCE), never two
        messages to the same chat: a chat's messages arrive in order, and a crash resends at
        most one message per chat (the one in flight). What Telegram accepted is recorded in
        one transaction for the whole group, before anything else goes to those chats.

        `queued` is set when a message is queued: the rest of the batch read before it may be
        less urgent, so the batch is read again (an alert or an answer must not wait behind
        the twenty bulk messages read just before it).
        """
        recording = [
            future
            for future, kind in self._recording.items()
            if uploads is None or kind in (uploads, None)
        ]
        if recording:
            # A stopped sender's last requests are still finishing, their answers still being
            # recorded: read what is due only after, or those rows would look unsent (the
            # drain at shutdown). The other sender's sends are none of this one's business.
            await asyncio.wait(recording)
        entries = await self.reader.outbox.due(self.clock.now(), uploads=uploads)
        flight: list[tuple[OutboxEntry, asyncio.Task[Answer]]] = []
        try:
            for index, entry in enumerate(entries):
                if self._pace is not None and entry.chat_id is not None:
                    # Choose when a slot is free, not before: the wait is when others queue.
                    await self._pace.wait(spaced=entry.priority >= BULK)
                busy = entry.chat_id is not None and any(
                    entry.chat_id == other.chat_id for other, _ in flight
                )
                # Bulk goes one by one, as Telegram's pace allows anyway: an answer or an
                # alert queued meanwhile passes the rest of the broadcast at once.
                bulk = entry.priority >= BULK or any(other.priority >= BULK for other, _ in flight)
                # Button answers go together, apart from messages: the messages read before a
                # press's answer are out when its spinner stops, those after it follow it, as
                # when everything went one by one.
                mixed = any(
                    (other.chat_id is None) != (entry.chat_id is None) for other, _ in flight
                )
                if flight and (busy or bulk or mixed or len(flight) >= SEND_AT_ONCE):
                    settling, flight = flight, []
                    await self._settle(settling, uploads)
                if index and queued is not None and queued.is_set():
                    return True
                if await self._paced_later(entry):
                    continue
                # Button answers are not messages to a chat: Telegram does not count them.
                pace = self._pace if entry.chat_id is not None else None
                if pace is not None:
                    await pace.acquire(spaced=entry.priority >= BULK)
                flight.append((entry, asyncio.create_task(self._attempt(entry, pace))))
        finally:
            await self._settle(flight, uploads)
        return bool(entries)

    async def _paced_later(self, entry: OutboxEntry) -> bool:
        """Only bulk sends keep a pace per chat: a reply, an alert or a file asked for goes
        now. A bulk message too close to the chat's last one waits its turn."""
        if entry.priority != BULK or entry.chat_id is None:
            return False
        now = self.clock.now()
        gap = BULK_GAP_GROUP if entry.chat_id < 0 else BULK_GAP_PRIVATE
        last = self._last_sent.get(entry.chat_id)
        if last is None or now - last >= gap:
            return False
        await self.storage.outbox.postpone(entry.id, last + gap, "paced", count_attempt=False)
        return True

    async def _attempt(self, entry: OutboxEntry, pace: GlobalPace | None) -> Answer:
        """Telegram's answer to one row: the message id (or None), or what it raised."""
        try:
            return await self._call(entry)
        except Exception as exc:
            return exc
        finally:
            if pace is not None:
                pace.release()

    async def _settle(
        self, flight: list[tuple[OutboxEntry, asyncio.Task[Answer]]], uploads: bool | None
    ) -> None:
        """Wait for the group's answers and record them.

        A sender stopped meanwhile (shutdown) lets the requests already made finish and
        records their answers all the same: a request cut short may have reached Telegram,
        and the row, still pending, would be sent again. Only a crash leaves one in flight.
        """
        if not flight:
            return
        recording = asyncio.ensure_future(self._finish(flight, self.clock.now()))
        self._recording[recording] = uploads
        recording.add_done_callback(self._recording.pop)
        answered = await asyncio.shield(recording)
        for entry, _ in answered:
            if entry.batch is not None and self.on_batch_done is not None:
                try:
                    await self.on_batch_done(entry)
                except Exception:
                    # A summary that cannot be updated must never stop the messages behind it.
                    log.exception("after %s #%s of batch %s", entry.method, entry.id, entry.batch)

    async def _finish(
        self, flight: list[tuple[OutboxEntry, asyncio.Task[Answer]]], now: datetime
    ) -> list[tuple[OutboxEntry, Answer]]:
        await asyncio.wait([task for _, task in flight])
        answered = [(entry, task.result()) for entry, task in flight if not task.cancelled()]
        await self._record_all(answered, now)
        return answered

    async def _record_all(self, answered: list[tuple[OutboxEntry, Answer]], now: datetime) -> None:
        """One transaction marks what Telegram took; refusals are handled one by one."""
        taken: list[tuple[OutboxEntry, int | None]] = []
        refused: list[tuple[OutboxEntry, Exception]] = []
        for entry, answer in answered:
            if isinstance(answer, Exception):
                refused.append((entry, answer))
            else:
                taken.append((entry, answer))
        if taken:
            # Together: a message marked sent without its reference could never be edited.
            async with self.storage.transaction():
                await self.storage.outbox.record_taken([_taken(e, a) for e, a in taken], now)
            for entry, _ in taken:
                self._discard_file(entry)
                if entry.chat_id is not None:
                    self._remember(entry.chat_id, now)
        for entry, error in refused:
            await self._record(entry, error, now)

    async def _record(self, entry: OutboxEntry, answer: Exception, now: datetime) -> None:
        if isinstance(answer, TelegramError):
            await self._failed(entry, answer, now)
        else:
            # A malformed row (or a file gone missing) must not stop every message behind it.
            log.error("cannot deliver %s #%s", entry.method, entry.id, exc_info=answer)
            await self._final(entry, "failed", type(answer).__name__, now)

    def _remember(self, chat_id: int, now: datetime) -> None:
        """Note when a chat was written to, and forget the chats no gap can still concern."""
        self._last_sent.pop(chat_id, None)
        self._last_sent[chat_id] = now
        horizon = now - LARGEST_GAP
        while self._last_sent:
            oldest = next(iter(self._last_sent))
            if self._last_sent[oldest] > horizon:
                break
            del self._last_sent[oldest]

    async def _final(self, entry: OutboxEntry, status: str, error: str, now: datetime) -> None:
        """Give up on a row for good; a refused file is deleted and its chat told."""
        notice = entry.payload.get("if_refused") if entry.method == "send_file" else None
        async with self.storage.transaction():
            if entry.payload.get(EPHEMERAL):
                await self.storage.outbox.delete(entry.id)
            else:
                await self.storage.outbox.mark_final(entry.id, status, error, now)
            if notice and entry.chat_id is not None and status in ("failed", "dropped"):
                await self.storage.outbox.add(
                    entry.chat_id,
                    "send_text",
                    {"text": notice, "keyboard": None},
                    now=now,
                    priority=INTERACTIVE,
                )
        self._discard_file(entry)
        if notice:
            self.wake()
        if entry.priority == URGENT and status != "sent":
            log.error(
                "an urgent message to chat %s was not delivered (%s): %s",
                entry.chat_id,
                status,
                error,
            )
            if self.on_urgent_lost is not None:
                await self.on_urgent_lost(entry.chat_id, error)

    @staticmethod
    def _discard_file(entry: OutboxEntry) -> None:
        path = entry.payload.get("path") if entry.method == "send_file" else None
        if path:
            Path(path).unlink(missing_ok=True)

    async def _failed(self, entry: OutboxEntry, exc: TelegramError, now: datetime) -> None:
        """Decide what a refusal means: wait, retry later, give up, or stop writing there."""
        outbox = self.storage.outbox
        if isinstance(exc, ChatMigrated) and entry.method in OLD_MESSAGE_METHODS:
            # Message ids do not carry over to the supergroup: an old message cannot change.
            await self._final(entry, "dropped", "chat migrated", now)
        elif isinstance(exc, ChatMigrated) and entry.chat_id is not None:
            # A group became a supergroup: same chat, new id. Follow it and send again now.
            log.info("chat %s migrated to %s", entry.chat_id, exc.new_chat_id)
            await self.on_migrated(entry.chat_id, exc.new_chat_id)
            await outbox.move_chat(entry.chat_id, exc.new_chat_id)
        elif isinstance(exc, RetryAfter):
            wait = timedelta(seconds=retry_seconds(exc))
            log.warning("flood control on %s: waiting %s", entry.method, wait)
            await outbox.postpone(entry.id, now + wait, "429", count_attempt=False)
        elif isinstance(exc, Forbidden):
            log.info("chat %s is unreachable (%s)", entry.chat_id, exc.message)
            await self._final(entry, "blocked", exc.message, now)
            if entry.chat_id is not None and entry.chat_id > 0:
                await outbox.drop_pending_for_chat(entry.chat_id, exc.message)
                await self.on_blocked(entry.chat_id)
        elif isinstance(exc, BadRequest):
            text = exc.message.lower()
            if any(phrase in text for phrase in ALREADY_DONE):
                await outbox.mark_sent(entry.id, None, now)
            elif any(phrase in text for phrase in TOO_LATE):
                await self._final(entry, "dropped", exc.message, now)
            else:
                log.error("Telegram refused %s #%s: %s", entry.method, entry.id, exc.message)
                await self._final(entry, "failed", exc.message, now)
        elif too_large(exc):
            # Retrying would block nothing now, but would never succeed either.
            log.error("Telegram refused %s #%s as too large", entry.method, entry.id)
            await self._final(entry, "failed", exc.message, now)
        elif now - entry.created_at > GIVE_UP_AFTER:
            log.error("giving up on %s #%s after a day: %s", entry.method, entry.id, exc)
            await self._final(entry, "failed", str(exc), now)
        else:
            # Time-outs, 5xx answers and lost connections: the same request may succeed later.
            backoff = min(MAX_BACKOFF, timedelta(seconds=2 ** min(entry.attempts, 12)))
            log.warning("retrying %s #%s in %s: %s", entry.method, entry.id, backoff, exc)
            await outbox.postpone(entry.id, now + backoff, str(exc), count_attempt=True)

    async def _call(self, entry: OutboxEntry) -> int | None:
        """Make the Bot API call for one row; return the message id when there is one."""
        chat_id = entry.chat_id
        payload = entry.payload
        if entry.method == "edit_text" and payload.get("message_id") is None:
            found = await self.storage.message_refs.get(payload["ref"])
            if found is None:
                log.warning("no message for ref %s: edit skipped", payload["ref"])
                return None
            chat_id, message_id = found
            payload = {**payload, "message_id": message_id}
        post = POSTS.get(entry.method)
        if post is not None:
            return await post(self.bot, chat_id, payload)
        call = CALLS.get(entry.method)
        if call is None:
            raise ValueError(f"unknown outbox method {entry.method!r}")
        result = await call(self.bot, chat_id, payload)
        return result.message_id if isinstance(result, Message) else None


def _taken(entry: OutboxEntry, message_id: int | None) -> Taken:
    return Taken(
        entry.id,
        message_id,
        ephemeral=bool(entry.payload.get(EPHEMERAL)),
        ref=(
            (entry.ref, entry.chat_id, message_id)
            if entry.ref is not None and entry.chat_id is not None and message_id
            else None
        ),
        # A message still being edited is in use: its reference is kept.
        touched=entry.payload.get("ref") if entry.method == "edit_text" else None,
    )


Post = Callable[[ExtBot[Any], Any, dict[str, Any]], Awaitable[int | None]]


def _button(button: dict[str, Any]) -> dict[str, str]:
    raw = {"text": button["text"]}
    if button.get("data") is not None:
        raw["callback_data"] = button["data"]
    if button.get("url") is not None:
        raw["url"] = button["url"]
    return raw


def _inline_keyboard(rows: list[list[dict[str, Any]]] | None) -> dict[str, Any] | None:
    if not rows:
        return None
    return {"inline_keyboard": [[_button(b) for b in row] for row in rows]}


def _reply_markup(p: dict[str, Any]) -> dict[str, Any] | None:
    """The inline buttons of a message, or the reply keyboard it shows or removes."""
    reply = p.get("reply_keyboard")
    if not reply:
        return _inline_keyboard(p.get("keyboard"))
    if reply.get("remove"):
        return {"remove_keyboard": True}
    rows = [
        [{"text": b["text"], **({"request_location": True} if b["location"] else {})} for b in row]
        for row in reply["rows"]
    ]
    return {"keyboard": rows, "one_time_keyboard": reply["one_time"], "resize_keyboard": True}


async def _post(bot: ExtBot[Any], endpoint: str, data: dict[str, Any]) -> Any:
    """python-telegram-bot's own request path (its defaults, rate limiter and errors) without
    its objects: the outbox holds the Bot API's JSON already, and of the answer only the
    message id is read. Building the objects each way was a tenth of the bot's time."""
    return await bot._post(endpoint, data)


def _message_id(result: Any) -> int | None:
    return int(result["message_id"]) if isinstance(result, dict) else None


async def _post_text(bot: ExtBot[Any], chat_id: int, p: dict[str, Any]) -> int | None:
    data = {
        "chat_id": chat_id,
        "text": p["text"],
        "parse_mode": ParseMode.HTML.value,
        "reply_markup": _reply_markup(p),
        "link_preview_options": {"is_disabled": True},
        "protect_content": p.get("protect_content") or None,
    }
    return _message_id(await _post(bot, "sendMessage", data))


async def _post_edit(bot: ExtBot[Any], chat_id: int, p: dict[str, Any]) -> int | None:
    data = {
        "chat_id": chat_id,
        "message_id": p["message_id"],
        "text": p["text"],
        "parse_mode": ParseMode.HTML.value,
        "reply_markup": _inline_keyboard(p.get("keyboard")),
        "link_preview_options": {"is_disabled": True},
    }
    return _message_id(await _post(bot, "editMessageText", data))


async def _post_answer(bot: ExtBot[Any], chat_id: int | None, p: dict[str, Any]) -> int | None:
    data = {"callback_query_id": p["query_id"], "text": p.get("text"), "show_alert": p["alert"]}
    await _post(bot, "answerCallbackQuery", data)
    return None


# The messages of every update: sent as JSON straight from the outbox row.
POSTS: dict[str, Post] = {
    "send_text": _post_text,
    "edit_text": _post_edit,
    "answer_callback": _post_answer,
}


Call = Callable[[ExtBot[Any], Any, dict[str, Any]], Awaitable[Message | bool]]


async def _send_file(bot: ExtBot[Any], chat_id: int, p: dict[str, Any]) -> Message:
    send = bot.send_photo if p.get("photo") else bot.send_document
    if "path" in p:
        # Read beside the loop: a file may weigh tens of megabytes.
        content = await asyncio.to_thread(Path(p["path"]).read_bytes)
    else:  # queued by an older version, content inline
        content = base64.b64decode(p["content"])
    return await send(
        chat_id,
        content,
        caption=p.get("caption"),
        parse_mode=ParseMode.HTML,
        filename=p["filename"],
        write_timeout=UPLOAD_TIMEOUT,
        protect_content=p.get("protect_content") or None,
    )


async def _send_location(bot: ExtBot[Any], chat_id: int, p: dict[str, Any]) -> Message:
    if p.get("title"):
        return await bot.send_venue(
            chat_id, p["latitude"], p["longitude"], title=p["title"], address=p["address"]
        )
    return await bot.send_location(chat_id, p["latitude"], p["longitude"])


def _scope(chat_id: int | None) -> BotCommandScopeDefault | BotCommandScopeChat:
    return BotCommandScopeDefault() if chat_id is None else BotCommandScopeChat(chat_id)


async def _set_commands(bot: ExtBot[Any], chat_id: int | None, p: dict[str, Any]) -> bool:
    return await bot.set_my_commands(
        [BotCommand(name, description) for name, description in p["commands"]],
        scope=_scope(p["scope_chat_id"]),
        language_code=p.get("language"),
    )


async def _delete_commands(bot: ExtBot[Any], chat_id: int | None, p: dict[str, Any]) -> bool:
    return await bot.delete_my_commands(scope=_scope(p["scope_chat_id"]))


async def _delete_message(bot: ExtBot[Any], chat_id: int, p: dict[str, Any]) -> bool:
    # Already gone counts as done (ALREADY_DONE); past Telegram's 48 hours, dropped (TOO_LATE).
    return await bot.delete_message(chat_id, p["message_id"])


CALLS: dict[str, Call] = {
    "send_file": _send_file,
    "send_location": _send_location,
    "set_commands": _set_commands,
    "delete_commands": _delete_commands,
    "delete_message": _delete_message,
}
