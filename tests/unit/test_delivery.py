"""The sender's answers to Telegram's refusals (SPEC §8), with a bot that fails on demand."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import Chat, Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.delivery import Delivery, GlobalPace
from bot.services.outbox import BULK, INTERACTIVE, URGENT, Outbox
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

    async def _post(self, endpoint: str, data: dict[str, Any]) -> Any:
        """ExtBot's request path, which the sender takes for texts, edits and button answers:
        to the methods each test replaces."""
        if endpoint == "sendMessage":
            return (await self.send_message(data["chat_id"], data["text"])).to_dict()
        if endpoint == "editMessageText":
            edited = await self.edit_message_text(  # type: ignore[attr-defined]
                data["text"], chat_id=data["chat_id"], message_id=data["message_id"]
            )
            return edited.to_dict() if isinstance(edited, Message) else edited
        if endpoint == "answerCallbackQuery":
            return True
        raise NotImplementedError(endpoint)


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
    # Telegram's budget lifted: the fake bot has no flood limit, and 500 sends must not take
    # seventeen seconds here. The pace has tests of its own below.
    delivery = Delivery(
        bot, storage, clock, recorder.on_blocked, recorder.on_migrated, per_second=None
    )  # type: ignore[arg-type]
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


class UploadingBot(FlakyBot):
    """Uploads take as long as the test wants; Telegram may refuse them."""

    def __init__(self, *errors: Exception, upload_error: Exception | None = None) -> None:
        super().__init__(*errors)
        self.upload_error = upload_error
        self.uploading = asyncio.Event()
        self.finish_upload = asyncio.Event()
        self.text_sent = asyncio.Event()

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> Message:
        message = await super().send_message(chat_id, text, **kwargs)
        self.text_sent.set()
        return message

    async def send_document(self, chat_id: int, document: Any, **kwargs: Any) -> Message:
        if self.upload_error is not None:
            raise self.upload_error
        self.uploading.set()
        await self.finish_upload.wait()
        self.sent.append((chat_id, kwargs["filename"]))
        return Message(len(self.sent), None, Chat(chat_id, "private"))  # type: ignore[arg-type]


def spreadsheet(tmp_path: Path) -> Path:
    path = tmp_path / "outgoing" / "year.csv"
    path.parent.mkdir()
    path.write_bytes(b"time,item\n")
    return path


async def test_an_urgent_message_leaves_before_the_chats_earlier_bulk_messages(
    storage: Storage, clock: FakeClock
) -> None:
    delivery, bot, _ = await setup(storage, clock)
    outbox = Outbox(storage, clock, delivery.wake)
    for n in range(3):
        await outbox.send_text(5, f"news {n}", priority=BULK)
    await outbox.send_text(5, "no answer from Ana", priority=URGENT)
    await delivery.drain()
    assert bot.sent[0] == (5, "no answer from Ana")
    for _ in range(3):  # bulk messages keep their pace, one a second
        clock.advance(seconds=1)
        await delivery.drain_due()
    # Within a priority, a chat's order holds.
    assert [text for _, text in bot.sent[1:]] == ["news 0", "news 1", "news 2"]


async def test_an_upload_in_progress_holds_up_no_message_to_its_chat(
    storage: Storage, clock: FakeClock, tmp_path: Path
) -> None:
    bot = UploadingBot()
    recorder = Recorder()
    delivery = Delivery(bot, storage, clock, recorder.on_blocked, recorder.on_migrated)  # type: ignore[arg-type]
    outbox = Outbox(storage, clock, delivery.wake)
    await outbox.send_document(5, spreadsheet(tmp_path), "year.csv")
    sender = asyncio.create_task(delivery.run())
    try:
        await asyncio.wait_for(bot.uploading.wait(), 5)
        await outbox.send_text(5, "no answer from Ana", priority=URGENT)
        await asyncio.wait_for(bot.text_sent.wait(), 5)
        assert bot.sent == [(5, "no answer from Ana")]  # while the upload still runs
        bot.finish_upload.set()
        for _ in range(100):
            if len(bot.sent) == 2:
                break
            await asyncio.sleep(0.01)
        assert bot.sent == [(5, "no answer from Ana"), (5, "year.csv")]
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender


@pytest.mark.parametrize(
    "refusal",
    [
        NetworkError("Request Entity Too Large"),  # Telegram's 413, as PTB raises it
        BadRequest("Bad Request: file must be non-empty"),
    ],
)
async def test_a_refused_file_is_final_the_person_is_told_and_the_chat_moves_on(
    storage: Storage, clock: FakeClock, tmp_path: Path, refusal: Exception
) -> None:
    bot = UploadingBot(upload_error=refusal)
    recorder = Recorder()
    delivery = Delivery(bot, storage, clock, recorder.on_blocked, recorder.on_migrated)  # type: ignore[arg-type]
    outbox = Outbox(storage, clock, delivery.wake)
    path = spreadsheet(tmp_path)
    await outbox.send_document(5, path, "year.csv", if_refused="year.csv could not be sent")
    await outbox.send_text(5, "menu")
    await delivery.drain_due()
    assert sorted(bot.sent) == [(5, "menu"), (5, "year.csv could not be sent")]
    assert await status(storage) == {"sent": 2, "failed": 1}
    assert await storage.outbox.next_wake() is None  # nothing left to retry, now or in a day
    assert not path.exists()


async def test_a_sent_message_and_where_it_went_are_recorded_together(
    storage: Storage, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivery, _, _ = await setup(storage, clock)
    await storage.outbox.add(-5, "send_text", {"text": "sign up"}, now=clock.now(), ref="plan:1")

    with monkeypatch.context() as patch:
        # The row is marked sent, then remembering where it went fails (after the mark, in
        # the same trip to the database).
        patch.setattr(
            "bot.storage.outbox.SET_REF", "INSERT INTO gone (a, b, c, d) VALUES (?, ?, ?, ?)"
        )
        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            await delivery.drain()
    # Not "sent" without its reference: the post is sent again, and that one can be edited.
    assert await status(storage) == {"pending": 1}
    await delivery.drain()
    assert await storage.message_refs.get("plan:1") == (-5, 2)
    assert await status(storage) == {"sent": 1}


async def test_pacing_remembers_only_chats_written_to_within_the_largest_gap(
    storage: Storage, clock: FakeClock
) -> None:
    delivery, bot, _ = await setup(storage, clock)
    for chat_id in range(1, 501):
        await storage.outbox.add(
            chat_id, "send_text", {"text": "news"}, now=clock.now(), priority=BULK
        )
    await delivery.drain_due()
    assert len(bot.sent) == 500
    clock.advance(seconds=4)
    await storage.outbox.add(1, "send_text", {"text": "more"}, now=clock.now(), priority=BULK)
    await delivery.drain_due()
    assert len(delivery._last_sent) == 1


class TickingClock:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_global_pace_counts_a_second_from_telegrams_answers() -> None:
    ticks = TickingClock()
    pace = GlobalPace(3, ticks)
    for _ in range(3):
        assert pace.delay() == 0
        pace._in_flight += 1  # acquired
    # Requests still in flight count: they will land in Telegram's window.
    assert pace.delay() > 0
    for step in (0.0, 0.2, 0.5):
        ticks.now = 100.0 + step
        pace.release()
    ticks.now = 100.6
    assert pace.delay() == pytest.approx(0.4)  # a second after the first answer
    ticks.now = 101.0
    assert pace.delay() == 0
    pace._in_flight += 1
    assert pace.delay() == pytest.approx(0.2)


async def test_bulk_is_spread_over_the_second_and_answers_are_not() -> None:
    ticks = TickingClock()
    pace = GlobalPace(10, ticks)
    # A few slots of slack, then one bulk send every tenth of a second: a broadcast never
    # fills the second at its start, so an answer always finds a free slot.
    for _ in range(4):
        assert pace.delay(spaced=True) == 0
        await pace.acquire(spaced=True)
        pace.release()
    assert pace.delay(spaced=True) == pytest.approx(0.1)
    assert pace.delay() == 0  # an answer or an alert goes now
    ticks.now += 0.1
    assert pace.delay(spaced=True) == 0


class InterruptingBot(FlakyBot):
    """Someone writes while the second bulk message is being sent."""

    def __init__(self, when_sending: str, then: Any) -> None:
        super().__init__()
        self.when_sending = when_sending
        self.then = then

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> Message:
        message = await super().send_message(chat_id, text, **kwargs)
        if text == self.when_sending:
            await self.then()
        return message


async def run_until(delivery: Delivery, bot: FlakyBot, count: int) -> None:
    sender = asyncio.create_task(delivery.run())
    try:
        for _ in range(500):
            if len(bot.sent) >= count:
                break
            await asyncio.sleep(0.01)
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender


@pytest.mark.parametrize("pace", [None, 30])
async def test_an_answer_and_an_alert_queued_during_a_broadcast_take_the_next_slots(
    storage: Storage, clock: FakeClock, pace: int | None
) -> None:
    outbox: Outbox

    async def people_write() -> None:
        await outbox.send_text(900, "menu for Ana", priority=INTERACTIVE)
        await outbox.send_text(901, "no answer from Bob", priority=URGENT)

    bot = InterruptingBot("news 2", people_write)
    recorder = Recorder()
    delivery = Delivery(
        bot, storage, clock, recorder.on_blocked, recorder.on_migrated, per_second=pace
    )  # type: ignore[arg-type]
    outbox = Outbox(storage, clock, delivery.wake)
    # Twenty volunteers: one batch read before anyone wrote.
    for chat_id in range(1, 21):
        await outbox.send_text(chat_id, f"news {chat_id}", priority=BULK)
    await run_until(delivery, bot, 22)
    texts = [text for _, text in bot.sent]
    assert texts[:4] == ["news 1", "news 2", "no answer from Bob", "menu for Ana"]
    # Then the broadcast goes on, each volunteer served once.
    assert sorted(texts[4:]) == sorted(f"news {n}" for n in range(3, 21))


async def test_bulk_keeps_each_chats_order_behind_its_more_urgent_messages(
    storage: Storage, clock: FakeClock
) -> None:
    delivery, bot, _ = await setup(storage, clock)
    outbox = Outbox(storage, clock, delivery.wake)
    await outbox.send_text(5, "reminder 1", priority=BULK)
    await outbox.send_text(6, "reminder 2", priority=BULK)
    await outbox.send_text(5, "your menu", priority=INTERACTIVE)
    await outbox.send_text(6, "help needed", priority=URGENT)
    await outbox.send_text(5, "your list", priority=INTERACTIVE)
    await delivery.drain_due()
    clock.advance(seconds=1)  # bulk keeps its pace per chat
    await delivery.drain_due()
    assert [text for _, text in bot.sent] == [
        "help needed",
        "your menu",
        "your list",
        "reminder 1",
        "reminder 2",
    ]


class SlowBot(FlakyBot):
    """Answers each message only when told to: shows what is in flight at once."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight: list[tuple[int, str]] = []
        # What reached "Telegram", answered or not.
        self.received: list[tuple[int, str]] = []
        self.most_at_once = 0
        self.release = asyncio.Event()

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> Message:
        self.in_flight.append((chat_id, text))
        self.received.append((chat_id, text))
        self.most_at_once = max(self.most_at_once, len(self.in_flight))
        try:
            await self.release.wait()
            return await super().send_message(chat_id, text, **kwargs)
        finally:
            self.in_flight.remove((chat_id, text))


async def test_answers_to_several_chats_leave_at_once_one_per_chat_in_order(
    storage: Storage, clock: FakeClock
) -> None:
    bot = SlowBot()
    recorder = Recorder()
    delivery = Delivery(
        bot, storage, clock, recorder.on_blocked, recorder.on_migrated, per_second=None
    )  # type: ignore[arg-type]
    for chat_id in (1, 2, 3):
        await storage.outbox.add(chat_id, "send_text", {"text": f"a{chat_id}"}, now=clock.now())
    await storage.outbox.add(1, "send_text", {"text": "b1"}, now=clock.now())
    draining = asyncio.create_task(delivery.drain_due())
    for _ in range(100):
        if len(bot.in_flight) == 3:
            break
        await asyncio.sleep(0.01)
    # Three chats written to at once; the second message to chat 1 waits for the first.
    assert sorted(bot.in_flight) == [(1, "a1"), (2, "a2"), (3, "a3")]
    bot.release.set()
    await asyncio.wait_for(draining, 5)
    assert bot.most_at_once == 3
    assert [text for chat, text in bot.sent if chat == 1] == ["a1", "b1"]
    assert await status(storage) == {"sent": 4}


async def test_a_stopped_sender_lets_its_requests_finish_and_records_them(
    storage: Storage, clock: FakeClock
) -> None:
    """A request cut short may have reached Telegram: stopping waits for its answer, so
    that the drain at shutdown does not send it again."""
    bot = SlowBot()
    recorder = Recorder()
    delivery = Delivery(
        bot, storage, clock, recorder.on_blocked, recorder.on_migrated, per_second=None
    )  # type: ignore[arg-type]
    for chat_id in (1, 2):
        await storage.outbox.add(chat_id, "send_text", {"text": "hi"}, now=clock.now())
    sender = asyncio.create_task(delivery.run())
    for _ in range(100):
        if len(bot.in_flight) == 2:
            break
        await asyncio.sleep(0.01)
    sender.cancel()
    bot.release.set()
    with contextlib.suppress(asyncio.CancelledError):
        await sender
    await delivery.drain_due()
    assert sorted(bot.received) == [(1, "hi"), (2, "hi")]  # each once
    assert await status(storage) == {"sent": 2}
