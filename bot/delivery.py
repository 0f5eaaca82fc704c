"""The Telegram sender: drains the outbox at Telegram's pace, retrying what can be retried.

SPEC §8: 429 waits `retry_after`; 5xx and network errors retry with backoff; 403 marks the
recipient inactive. A row is marked sent only after Telegram accepted it, so a crash resends
at most the one message in flight.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot
from telegram.warnings import PTBDeprecationWarning

from bot.clock import Clock
from bot.services.outbox import BULK
from bot.storage.interface import Store
from bot.storage.models import OutboxEntry

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=5)
# A message that could not be delivered for a day is no longer news.
GIVE_UP_AFTER = timedelta(hours=24)
# Telegram asks bots not to exceed about one message per second in a private chat and twenty
# per minute in a group; bulk sends keep this pace per chat on their own.
BULK_GAP_PRIVATE = timedelta(seconds=1)
BULK_GAP_GROUP = timedelta(seconds=3)
IDLE_WAKE = 30.0
# Harmless answers: the wanted state is already there, or the moment has passed.
ALREADY_DONE = ("message is not modified", "message to delete not found")
TOO_LATE = ("query is too old", "query id is invalid")


def _markup(rows: list[list[dict[str, Any]]] | None) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b["text"], callback_data=b.get("data"), url=b.get("url"))
                for b in row
            ]
            for row in rows
        ]
    )


def retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that retry_after becomes a timedelta; both forms are handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: Any = exc.retry_after
    return float(value.total_seconds() if isinstance(value, timedelta) else value)


class Delivery:
    """Sends outbox rows one at a time, in order per chat, most urgent first."""

    def __init__(
        self,
        bot: ExtBot[Any],
        storage: Store,
        clock: Clock,
        on_blocked: Callable[[int], Awaitable[None]],
    ) -> None:
        self.bot = bot
        self.storage = storage
        self.clock = clock
        self.on_blocked = on_blocked
        self._wake = asyncio.Event()
        self._last_sent: dict[int, datetime] = {}

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            self._wake.clear()
            sent_any = await self.drain()
            if sent_any:
                continue
            next_wake = await self.storage.outbox.next_wake()
            delay = IDLE_WAKE
            if next_wake is not None:
                delay = min(IDLE_WAKE, max(0.0, (next_wake - self.clock.now()).total_seconds()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay or 0.01)

    async def drain_due(self) -> None:
        """Send everything due now, then return (used when shutting down)."""
        while await self.drain():
            pass

    async def drain(self) -> bool:
        """Send what is due now; return whether anything was attempted."""
        entries = await self.storage.outbox.due(self.clock.now())
        for entry in entries:
            await self.deliver(entry)
        return bool(entries)

    async def deliver(self, entry: OutboxEntry) -> None:
        now = self.clock.now()
        outbox = self.storage.outbox
        if entry.priority >= BULK and entry.chat_id is not None:
            gap = BULK_GAP_GROUP if entry.chat_id < 0 else BULK_GAP_PRIVATE
            last = self._last_sent.get(entry.chat_id)
            if last is not None and now - last < gap:
                await outbox.postpone(entry.id, last + gap, "paced", count_attempt=False)
                return
        try:
            message_id = await self._call(entry)
        except TelegramError as exc:
            await self._failed(entry, exc, now)
        except Exception as exc:
            # A malformed row must not stop every message behind it.
            log.exception("cannot deliver %s #%s", entry.method, entry.id)
            await outbox.mark_final(entry.id, "failed", type(exc).__name__, now)
        else:
            await outbox.mark_sent(entry.id, message_id, now)
            if entry.ref is not None and entry.chat_id is not None and message_id is not None:
                await self.storage.message_refs.set(entry.ref, entry.chat_id, message_id, now)
            if entry.chat_id is not None:
                self._last_sent[entry.chat_id] = now

    async def _failed(self, entry: OutboxEntry, exc: TelegramError, now: datetime) -> None:
        """Decide what a refusal means: wait, retry later, give up, or stop writing there."""
        outbox = self.storage.outbox
        if isinstance(exc, RetryAfter):
            wait = timedelta(seconds=retry_seconds(exc))
            log.warning("flood control on %s: waiting %s", entry.method, wait)
            await outbox.postpone(entry.id, now + wait, "429", count_attempt=False)
        elif isinstance(exc, Forbidden):
            log.info("chat %s is unreachable (%s)", entry.chat_id, exc.message)
            await outbox.mark_final(entry.id, "blocked", exc.message, now)
            if entry.chat_id is not None and entry.chat_id > 0:
                await outbox.drop_pending_for_chat(entry.chat_id, exc.message)
                await self.on_blocked(entry.chat_id)
        elif isinstance(exc, BadRequest):
            text = exc.message.lower()
            if any(phrase in text for phrase in ALREADY_DONE):
                await outbox.mark_sent(entry.id, None, now)
            elif any(phrase in text for phrase in TOO_LATE):
                await outbox.mark_final(entry.id, "dropped", exc.message, now)
            else:
                log.error("Telegram refused %s #%s: %s", entry.method, entry.id, exc.message)
                await outbox.mark_final(entry.id, "failed", exc.message, now)
        elif now - entry.created_at > GIVE_UP_AFTER:
            log.error("giving up on %s #%s after a day: %s", entry.method, entry.id, exc)
            await outbox.mark_final(entry.id, "failed", str(exc), now)
        else:
            # Time-outs, 5xx answers and lost connections: the same request may succeed later.
            backoff = min(MAX_BACKOFF, timedelta(seconds=2 ** min(entry.attempts, 12)))
            log.warning("retrying %s #%s in %s: %s", entry.method, entry.id, backoff, exc)
            await outbox.postpone(entry.id, now + backoff, str(exc), count_attempt=True)

    async def _call(self, entry: OutboxEntry) -> int | None:
        """Make the Bot API call for one row; return the message id when there is one."""
        payload = entry.payload
        chat_id = entry.chat_id
        bot = self.bot
        result: Message | bool
        match entry.method:
            case "send_text":
                assert chat_id is not None
                result = await bot.send_message(
                    chat_id,
                    payload["text"],
                    parse_mode=ParseMode.HTML,
                    reply_markup=_markup(payload.get("keyboard")),
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            case "edit_text":
                message_id = payload.get("message_id")
                if message_id is None:
                    found = await self.storage.message_refs.get(payload["ref"])
                    if found is None:
                        log.warning("no message for ref %s: edit skipped", payload["ref"])
                        return None
                    chat_id, message_id = found
                edited = await bot.edit_message_text(
                    payload["text"],
                    chat_id=chat_id,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=_markup(payload.get("keyboard")),
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
                result = edited
            case "edit_keyboard":
                result = await bot.edit_message_reply_markup(
                    chat_id=chat_id,
                    message_id=payload["message_id"],
                    reply_markup=_markup(payload.get("keyboard")),
                )
            case "delete":
                assert chat_id is not None
                result = await bot.delete_message(chat_id, payload["message_id"])
            case "answer_callback":
                result = await bot.answer_callback_query(
                    payload["query_id"], text=payload.get("text"), show_alert=payload["alert"]
                )
            case "send_location":
                assert chat_id is not None
                result = await bot.send_location(
                    chat_id, latitude=payload["latitude"], longitude=payload["longitude"]
                )
            case "send_venue":
                assert chat_id is not None
                result = await bot.send_venue(
                    chat_id,
                    latitude=payload["latitude"],
                    longitude=payload["longitude"],
                    title=payload["title"],
                    address=payload["address"],
                )
            case "send_document" | "send_photo":
                assert chat_id is not None
                content = base64.b64decode(payload["content"])
                send = bot.send_photo if entry.method == "send_photo" else bot.send_document
                result = await send(
                    chat_id,
                    content,
                    caption=payload.get("caption"),
                    parse_mode=ParseMode.HTML,
                    filename=payload["filename"],
                )
            case "set_commands":
                scope = (
                    BotCommandScopeDefault()
                    if payload["scope_chat_id"] is None
                    else BotCommandScopeChat(payload["scope_chat_id"])
                )
                result = await bot.set_my_commands(
                    [BotCommand(name, description) for name, description in payload["commands"]],
                    scope=scope,
                    language_code=payload.get("language"),
                )
            case _:
                raise ValueError(f"unknown outbox method {entry.method!r}")
        return result.message_id if isinstance(result, Message) else None
