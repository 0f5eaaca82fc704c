"""The sender's answers to Telegram's refusals (SPEC §8), with a bot that fails on demand."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from telegram import Chat, Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.delivery import Delivery
from bot.storage import Storage
from tests.helpers.clock import FakeClock


class FlakyBot:
    """Stands in for ExtBot: raises the queued errors, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.sent: list[tuple[int, str]] = []

    async def send_message(self, chat_id: int, text: str, **_: Any) -> Message:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append((chat_id, text))
        return Message(len(self.sent), None, Chat(chat_id, "private"))  # type: ignore[arg-type]


class Recorder:
    def __init__(self) -> None:
        self.blocked: list[int] = []
        self.migrated: list[tuple[int, int]] = []

    async def on_blocked(self, chat_id: int) -> None:
        self.blocked.append(chat_id)

    async def on_migrated(self, old: int, new: int) -> None:
        self.migrated.append((old, new))


async def setup(
    storage: Storage, clock: FakeClock, *errors: Exception
) -> tuple[Delivery, FlakyBot, Recorder]:
    bot = FlakyBot(*errors)
    recorder = Recorder()
    delivery = Delivery(bot, storage, clock, recorder.on_blocked, recorder.on_migrated)  # type: ignore[arg-type]
    return delivery, bot, recorder


async def status(storage: Storage) -> dict[str, int]:
    return await storage.outbox.counts_by_status()


async def test_flood_control_waits_retry_after_without_counting_an_attempt(
    storage: Storage, clock: FakeClock
) -> None:
    delivery, bot, _ = await setup(storage, clock, RetryAfter(timedelta(seconds=7)))
    await storage.outbox.add(5, "send_text", {"text": "hi"}, now=clock.now())
    await delivery.drain()
    assert bot.sent == []
    assert await storage.outbox.next_wake() == clock.now() + timedelta(seconds=7)
    clock.advance(seconds=7)
    await delivery.drain()
    assert bot.sent == [(5, "hi")]


async def test_network_errors_back_off_and_later_messages_wait_their_turn(
    storage: Storage, clock: FakeClock
) -> None:
    delivery, bot, _ = await setup(storage, clock, NetworkError("502 Bad Gateway"))
    await storage.outbox.add(5, "send_text", {"text": "first"}, now=clock.now())
    await storage.outbox.add(5, "send_text", {"text": "second"}, now=clock.now())
    await delivery.drain()
    assert bot.sent == []
    # The second one is due but waits behind the first: the sender must not wake for it.
    assert await storage.outbox.next_wake() == clock.now() + timedelta(seconds=1)
    clock.advance(seconds=1)
    await delivery.drain_due()
    assert bot.sent == [(5, "first"), (5, "second")]


async def test_a_blocked_person_is_marked_and_their_queue_dropped(
    storage: Storage, clock: FakeClock
) -> None:
    delivery, bot, recorder = await setup(
        storage, clock, Forbidden("Forbidden: bot was blocked by the user")
    )
    await storage.outbox.add(5, "send_text", {"text": "a"}, now=clock.now())
    await storage.outbox.add(5, "send_text", {"text": "b"}, now=clock.now())
    await delivery.drain_due()
    assert recorder.blocked == [5]
    assert await status(storage) == {"blocked": 2}
    assert bot.sent == []


async def test_a_migrated_group_is_followed(storage: Storage, clock: FakeClock) -> None:
    delivery, bot, recorder = await setup(storage, clock, ChatMigrated(-1009))
    await storage.outbox.add(-5, "send_text", {"text": "team"}, now=clock.now())
    await delivery.drain_due()
    assert recorder.migrated == [(-5, -1009)]
    assert bot.sent == [(-1009, "team")]


@pytest.mark.parametrize(
    ("message", "final"),
    [
        ("Bad Request: message is not modified: specified new message content", "sent"),
        ("Bad Request: query is too old and response timeout expired", "dropped"),
        ("Bad Request: can't parse entities", "failed"),
    ],
)
async def test_bad_requests(storage: Storage, clock: FakeClock, message: str, final: str) -> None:
    delivery, _, _ = await setup(storage, clock, BadRequest(message))
    await storage.outbox.add(5, "send_text", {"text": "x"}, now=clock.now())
    await delivery.drain_due()
    assert await status(storage) == {final: 1}


async def test_edits_of_a_migrated_group_are_dropped_not_looped(
    storage: Storage, clock: FakeClock
) -> None:
    delivery, _, recorder = await setup(storage, clock)

    async def migrated(*_: object, **__: object) -> Message:
        raise ChatMigrated(-1009)

    delivery.bot.edit_message_text = migrated  # type: ignore[attr-defined]
    await storage.outbox.add(-5, "edit_text", {"message_id": 3, "text": "x"}, now=clock.now())
    await delivery.drain_due()
    assert await status(storage) == {"dropped": 1}
    assert recorder.migrated == []
