"""Broadcasts: reading the command, splitting a long text cleanly, counting recipients."""

from __future__ import annotations

import html
import json
import re
import unicodedata

import pytest

from bot.sandbox.emulator import parse_html
from bot.services.broadcasts import (
    DEFAULT_TARGET,
    TEAM,
    VOLUNTEERS,
    BroadcastService,
    Request,
    batch_of,
    broadcast_of,
    parse_request,
)
from bot.services.errors import DomainError
from bot.services.outbox import BULK, MAX_TEXT, Outbox, split_text, utf16_length
from bot.storage import Storage
from bot.storage.models import Antenna, BroadcastProgress, Role, User
from tests.helpers.clock import FakeClock

ANTENNAS = {"calais", "grande-synthe"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("volunteers Hello", Request(None, VOLUNTEERS, "Hello")),
        ("VOLUNTEER  Hello", Request(None, VOLUNTEERS, "Hello")),
        ("team\nLine 1\n\nLine 3  ", Request(None, TEAM, "Line 1\n\nLine 3")),
        ("Hello team", Request(None, DEFAULT_TARGET, "Hello team")),
        ("grande-synthe volunteers Hi\nthere", Request("grande-synthe", VOLUNTEERS, "Hi\nthere")),
        # An antenna's name without a target word after it is the start of the text.
        ("Calais is cold tonight", Request(None, TEAM, "Calais is cold tonight")),
        ("volunteers", Request(None, VOLUNTEERS, "")),
        # French, the coordinators' working language, accents or not.
        ("Bénévoles Soupe à 19h", Request(None, VOLUNTEERS, "Soupe à 19h")),
        ("benevole Soupe", Request(None, VOLUNTEERS, "Soupe")),
        ("ÉQUIPE Réunion", Request(None, TEAM, "Réunion")),
        ("calais bénévoles Salut", Request("calais", VOLUNTEERS, "Salut")),
        # A target word followed by a comma is the start of the text, not a target.
        (
            "Bénévoles, ce soir on a besoin de vous",
            Request(None, TEAM, "Bénévoles, ce soir on a besoin de vous"),
        ),
        ("", Request(None, TEAM, "")),
    ],
)
def test_the_words_before_the_text(body: str, expected: Request) -> None:
    assert parse_request(body, ANTENNAS) == expected


def test_batches_name_broadcasts() -> None:
    assert broadcast_of(batch_of(12)) == 12
    assert broadcast_of("bench") is None
    assert broadcast_of("bc:x") is None
    assert broadcast_of(None) is None


# A cut that would leave half of something: an entity, or a character joined to the one before.
HALF_ENTITY = re.compile(r"&[#a-zA-Z0-9]*$")


def joined_to_previous(char: str) -> bool:
    return (
        char in "\u200d\ufe0f\ufe0e"
        or unicodedata.combining(char) != 0
        or "\U0001f3fb" <= char <= "\U0001f3ff"
    )


@pytest.mark.parametrize(
    "text",
    [
        # 10 000 characters of markup to escape and emoji (families joined by ZWJ, skin tones).
        ("a<b & c>d 👨‍👩‍👧 👍🏽 é " * 600)[:10_000],
        # One monster word: no space to cut at, entities everywhere.
        "&<>" * 3_334,
        "😀" * 10_000,
        "e\u0301" * 5_000,
    ],
)
def test_a_monster_line_is_split_cleanly(text: str) -> None:
    escaped = html.escape(text, quote=False)
    parts = split_text(escaped)
    assert len(parts) > 1
    assert "".join(parts) == escaped
    for index, part in enumerate(parts):
        assert 0 < utf16_length(part) <= MAX_TEXT
        assert not HALF_ENTITY.search(part), part[-12:]
        if index:
            assert not joined_to_previous(part[0]), repr(part[:3])
            assert parts[index - 1][-1] != "\u200d"
        # Telegram reads each part on its own (the emulator's parser is as strict).
        plain, _ = parse_html(part)
        assert plain == html.unescape(part)


def test_a_long_text_of_words_is_cut_between_words() -> None:
    text = html.escape(" ".join(f"word{n}<&>" for n in range(2_000)), quote=False)
    parts = split_text(text)
    assert "".join(parts) == text
    assert all(part.endswith(" ") for part in parts[:-1])


def header(antenna: Antenna, reader: User | None) -> str:
    return f"📣 {antenna.name} for {reader.id if reader else 'the team'}:"


def test_a_heading_stays_with_the_long_line_it_heads() -> None:
    text = "Programme:\n" + "word " * 2_000
    parts = split_text(text)
    assert len(parts) == 3
    assert parts[0].startswith("Programme:\nword word")
    assert all(utf16_length(part) <= MAX_TEXT for part in parts)
    assert "".join(parts) == text


def test_a_long_run_of_joined_characters_is_cut_anyway() -> None:
    # "Zalgo" text, or emoji glued with joiners: no sane cut exists; a few parts, not
    # one message per character.
    for text in ("a" + "\u0301" * 10_000, "\U0001f468\u200d" * 3_000):
        parts = split_text(text)
        assert len(parts) <= 4
        assert "".join(parts) == text
        assert all(utf16_length(part) <= MAX_TEXT for part in parts)


async def volunteers(storage: Storage, clock: FakeClock, ids: list[int]) -> None:
    async with storage.transaction():
        for user_id in ids:
            await storage.users.touch(user_id, "en", clock.now())
            await storage.users.set_role(user_id, Role.VOLUNTEER, antenna="calais")


async def test_recipients_are_counted_by_their_worst_outcome(
    storage: Storage, clock: FakeClock
) -> None:
    await volunteers(storage, clock, [1, 2, 3, 4, 5])
    outbox = Outbox(storage, clock, lambda: None)
    service = BroadcastService(storage, clock, outbox, "calais")
    long_text = "x " * 3_000  # two messages each
    async with storage.transaction():
        sent = await service.from_command_line("calais", VOLUNTEERS, long_text, header)
    assert sent.recipients == 5
    rows = await storage.db.fetch_all(
        "SELECT id, chat_id, priority, batch FROM outbox ORDER BY id"
    )
    assert len(rows) == 10
    assert {(row["priority"], row["batch"]) for row in rows} == {(BULK, "bc:1")}
    by_chat: dict[int, list[int]] = {}
    for row in rows:
        by_chat.setdefault(row["chat_id"], []).append(row["id"])
    now = clock.now()
    # 1: both parts sent; 2: first sent, second pending; 3: blocked at the first part (the
    # second given up with it); 4: refused for good; 5: nothing yet.
    for entry in (*by_chat[1], by_chat[2][0], by_chat[4][0]):
        await storage.outbox.mark_sent(entry, 1, now)
    await storage.outbox.mark_final(by_chat[3][0], "blocked", "403", now)
    await storage.outbox.drop_pending_for_chat(3, "403")
    await storage.outbox.mark_final(by_chat[4][1], "failed", "400", now)
    progress = await storage.broadcasts.progress("bc:1")
    assert progress == BroadcastProgress(pending=2, sent=1, blocked=1, failed=1)
    assert await storage.broadcasts.has_pending("bc:1")
    for entry in (by_chat[2][1], *by_chat[5]):
        await storage.outbox.mark_sent(entry, 1, now)
    assert not await storage.broadcasts.has_pending("bc:1")
    done = await service.progress(sent.id)
    assert done is not None
    assert done.done
    assert done.counts == BroadcastProgress(pending=0, sent=3, blocked=1, failed=1)
    await service.record(done, None)
    assert await service.progress(sent.id) is None  # closed: no further summary
    assert await service.unfinished() == []


async def test_the_command_line_checks_what_it_is_given(
    storage: Storage, clock: FakeClock
) -> None:
    service = BroadcastService(storage, clock, Outbox(storage, clock, lambda: None), "calais")
    for antenna, target, text, code in (
        ("nowhere", TEAM, "Hi", "unknown_antenna"),
        ("calais", "everyone", "Hi", "broadcast_usage"),
        ("calais", TEAM, "  \n ", "broadcast_usage"),
        ("calais", TEAM, "x" * 16_001, "broadcast_too_long"),
        ("calais", TEAM, "Hi", "broadcast_no_team_chat"),
        ("calais", VOLUNTEERS, "Hi", "broadcast_nobody"),
    ):
        with pytest.raises(DomainError) as refused:
            async with storage.transaction():
                await service.from_command_line(antenna, target, text, header)
        assert refused.value.code == code
    assert await storage.db.fetch_value("SELECT COUNT(*) FROM broadcasts") == 0
    assert await storage.db.fetch_value("SELECT COUNT(*) FROM outbox") == 0


async def test_each_copy_starts_with_its_own_readers_header(
    storage: Storage, clock: FakeClock
) -> None:
    await volunteers(storage, clock, [1, 2])
    service = BroadcastService(storage, clock, Outbox(storage, clock, lambda: None), "calais")
    async with storage.transaction():
        await service.from_command_line("calais", VOLUNTEERS, "Soup <hot> & tea", header)
    rows = await storage.db.fetch_all("SELECT chat_id, payload FROM outbox ORDER BY chat_id")
    texts = [(row["chat_id"], json.loads(row["payload"])["text"]) for row in rows]
    assert texts == [
        (1, "📣 Calais for 1:\nSoup &lt;hot&gt; &amp; tea"),
        (2, "📣 Calais for 2:\nSoup &lt;hot&gt; &amp; tea"),
    ]
