"""The outbox: every message the bot sends is recorded in the caller's transaction, then sent.

Intents are transport-neutral (text, keyboard of buttons, locations, documents); the Telegram
sender in `bot/delivery.py` turns them into Bot API calls at Telegram's pace.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.storage.interface import Store

# Telegram refuses longer texts (SPEC §8); it counts UTF-16 code units.
MAX_TEXT = 4096
MAX_CAPTION = 1024
# Each chat has one queue per priority, sent in order; the lower priority number goes first.
# A safety alert must reach a chat before whatever else is waiting for it.
# A row whose payload holds this key is deleted once done, instead of kept as sent.
EPHEMERAL = "ephemeral"
URGENT = -1
INTERACTIVE = 0
BULK = 1
# Files have a queue (and a sender) of their own: a slow upload holds up no message.
UPLOAD = 2


@dataclass(frozen=True)
class Button:
    """An inline button: either callback data (already packed) or a URL."""

    text: str
    data: str | None = None
    url: str | None = None


Keyboard = list[list[Button]]


@dataclass(frozen=True)
class ReplyButton:
    """A button of the keyboard shown in place of the phone's keyboard: it sends its text as
    typed, or (`request_location`) asks the phone to share where the person is."""

    text: str
    request_location: bool = False


@dataclass(frozen=True)
class ReplyKeyboard:
    """Shown until removed (`REMOVE_REPLY_KEYBOARD`) or, `one_time`, once a button is used."""

    rows: list[list[ReplyButton]]
    one_time: bool = True


# Sent with a message, hides the reply keyboard a previous message showed.
REMOVE_REPLY_KEYBOARD = ReplyKeyboard([])


def _reply_keyboard(keyboard: ReplyKeyboard) -> dict[str, Any]:
    if not keyboard.rows:
        return {"remove": True}
    return {
        "rows": [
            [{"text": html.unescape(b.text), "location": b.request_location} for b in row]
            for row in keyboard.rows
        ],
        "one_time": keyboard.one_time,
    }


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# A monster line is cut where a reader would: at a space if one is this close to the limit.
CUT_AT_SPACE_WITHIN = 200
# The longest HTML entity the bot writes (`&#x1F600;`, `&quot;`): a cut never falls inside one.
LONGEST_ENTITY = 10
# The longest run of joined characters a cut steps back over (an emoji family with skin
# tones is about a dozen): a longer run is no real character, and is cut anyway rather than
# sent a character per message.
LONGEST_JOINED = 32
# Characters that belong to the one before them (combining marks, variation selectors,
# zero-width joiners and the emoji that follow them): a cut never separates them.
_JOINERS = frozenset({"\u200d", "\ufe0e", "\ufe0f"})


def _joined(line: str, cut: int) -> bool:
    """Whether `line[cut]` belongs with the character before it."""
    following = line[cut]
    return (
        following in _JOINERS
        or line[cut - 1] == "\u200d"
        or unicodedata.combining(following) != 0
        or "\U0001f3fb" <= following <= "\U0001f3ff"  # skin tones
    )


def _clean_cut(line: str, limit: int) -> int:
    """Where to cut a line longer than `limit` UTF-16 units: at a space near the limit, else
    the limit, never inside an HTML entity (`&amp;` cut in two is refused by Telegram), a
    surrogate pair or a sequence of joined characters (an emoji family, an accent)."""
    # Python counts code points and Telegram UTF-16 units: an emoji takes two of those.
    cut = used = 0
    for char in line:
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            break
        cut += 1
    space = line.rfind(" ", max(1, cut - CUT_AT_SPACE_WITHIN), cut)
    if space > 0:
        return space + 1
    amp = line.rfind("&", max(0, cut - LONGEST_ENTITY), cut)
    if amp > 0 and ";" not in line[amp:cut]:
        cut = amp
    joined = cut
    while joined > 1 and _joined(line, joined):
        joined -= 1
    return joined if cut - joined <= LONGEST_JOINED else cut


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a long message at line breaks (or, for a monster line, anywhere) under the limit."""
    if utf16_length(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for original in text.split("\n"):
        line = original
        while utf16_length(line) > limit:
            # A monster line starts in the part begun before it, if there is room worth it:
            # a heading ("Programme:") stays with what it heads rather than go alone.
            room = limit - utf16_length(current) - 1 if current else limit
            if room < CUT_AT_SPACE_WITHIN:
                parts.append(current)
                current, room = "", limit
            cut = _clean_cut(line, room)
            parts.append(f"{current}\n{line[:cut]}" if current else line[:cut])
            current = ""
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if utf16_length(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return [part for part in parts if part.strip()]


def _button(button: Button) -> dict[str, Any]:
    """Buttons are plain text for Telegram: a label built from escaped parts reads as typed."""
    fields: dict[str, Any] = {"text": html.unescape(button.text)}
    if button.data is not None:
        fields["data"] = button.data
    if button.url is not None:
        fields["url"] = button.url
    return fields


def _keyboard(keyboard: Keyboard | None) -> list[list[dict[str, Any]]] | None:
    if keyboard is None:
        return None
    return [[_button(b) for b in row] for row in keyboard]


class Outbox:
    """Records outgoing messages; `wake` nudges the sender after the caller commits."""

    def __init__(self, storage: Store, clock: Clock, wake: Callable[[], None]) -> None:
        self.storage = storage
        self.clock = clock
        self.wake = wake

    async def _add(
        self,
        chat_id: int | None,
        method: str,
        payload: dict[str, Any],
        *,
        priority: int = INTERACTIVE,
        batch: str | None = None,
        not_before: datetime | None = None,
        ref: str | None = None,
    ) -> int:
        entry_id = await self.storage.outbox.add(
            chat_id,
            method,
            payload,
            now=self.clock.now(),
            priority=priority,
            batch=batch,
            not_before=not_before,
            ref=ref,
        )
        self.wake()
        return entry_id

    async def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        keyboard: Keyboard | None = None,
        priority: int = INTERACTIVE,
        batch: str | None = None,
        not_before: datetime | None = None,
        ref: str | None = None,
        reply_keyboard: ReplyKeyboard | None = None,
        ephemeral: bool = False,
        protect: bool = False,
    ) -> list[int]:
        """Queue a message (split if too long; the keyboard goes with the last part).

        `ref` names the message so that it can be edited later with `edit_ref`. A message
        carries either inline buttons (`keyboard`) or a `reply_keyboard` (or its removal).
        An `ephemeral` message leaves no row behind once done (a relayed message).
        A `protect`ed message cannot be forwarded or saved from the chat (incident details).
        """
        if keyboard is not None and reply_keyboard is not None:
            raise ValueError("a message has inline buttons or a reply keyboard, not both")
        parts = split_text(text)
        ids = []
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            payload: dict[str, Any] = {
                "text": part,
                "keyboard": _keyboard(keyboard) if last else None,
            }
            if last and reply_keyboard is not None:
                payload["reply_keyboard"] = _reply_keyboard(reply_keyboard)
            if ephemeral:
                payload[EPHEMERAL] = True
            if protect:
                payload["protect_content"] = True
            ids.append(
                await self._add(
                    chat_id,
                    "send_text",
                    payload,
                    priority=priority,
                    batch=batch,
                    not_before=not_before,
                    ref=ref if last else None,
                )
            )
        return ids

    async def send_location(
        self,
        chat_id: int,
        latitude: float,
        longitude: float,
        *,
        title: str | None = None,
        address: str | None = None,
        priority: int = INTERACTIVE,
    ) -> None:
        """Queue a map pin: a venue (sendVenue) when it has a title and an address, else a
        bare location (a person's shared position). Plain text: Telegram parses no HTML there."""
        payload: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
        if title and address:
            # Telegram caps neither strictly, but a pin's labels are one short line each.
            payload |= {
                "title": html.unescape(title)[:128],
                "address": html.unescape(address)[:256],
            }
        await self._add(chat_id, "send_location", payload, priority=priority)

    async def edit_text(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        *,
        keyboard: Keyboard | None = None,
        ephemeral: bool = False,
        protect: bool = False,
    ) -> None:
        """Replace a message's text; what does not fit in one message follows as new ones
        (as ephemeral and protected as the edit: the edited message was sent `protect`ed).

        An `ephemeral` edit leaves no row behind once done (the last words to a person who
        asked to be forgotten).
        """
        first, *rest = split_text(text) or ["…"]
        payload: dict[str, Any] = {
            "message_id": message_id,
            "text": first,
            "keyboard": None if rest else _keyboard(keyboard),
        }
        if ephemeral:
            payload[EPHEMERAL] = True
        await self._add(chat_id, "edit_text", payload)
        if rest:
            await self.send_text(
                chat_id, "\n".join(rest), keyboard=keyboard, ephemeral=ephemeral, protect=protect
            )

    async def edit_ref(
        self, chat_id: int, ref: str, text: str, *, keyboard: Keyboard | None = None
    ) -> None:
        """Edit the message sent with `ref` (resolved when sending: it may still be queued)."""
        payload = {
            "ref": ref,
            "text": (split_text(text) or ["…"])[0],
            "keyboard": _keyboard(keyboard),
        }
        await self._add(chat_id, "edit_text", payload)

    async def delete_message(self, chat_id: int, message_id: int) -> None:
        """Delete a message from a chat (the bot's own, or in a private chat anyone's, within
        Telegram's 48 hours); one already gone counts as done."""
        await self._add(chat_id, "delete_message", {"message_id": message_id, EPHEMERAL: True})

    async def where(self, ref: str) -> tuple[int, int] | None:
        """The chat and message id a named message was sent as, once it was sent."""
        return await self.storage.message_refs.get(ref)

    async def answer_callback(
        self, query_id: str, text: str | None = None, *, alert: bool = False
    ) -> None:
        """Answer a button press. Kept out of any chat's queue: Telegram drops an answer that
        comes later than about fifteen seconds, so it must not wait behind other messages."""
        # A toast is plain text, capped by Telegram at 200 characters.
        toast = html.unescape(text)[:200] if text else None
        payload = {"query_id": query_id, "text": toast, "alert": alert}
        await self._add(None, "answer_callback", payload)

    async def send_document(
        self,
        chat_id: int,
        path: Path,
        filename: str,
        *,
        caption: str | None = None,
        photo: bool = False,
        if_refused: str | None = None,
        protect: bool = False,
    ) -> None:
        """Queue a file waiting at `path`; it is deleted once sent or finally refused.

        The table holds the path, never the content: a year of logs does not belong in a row.
        `if_refused` is what the chat is told if Telegram refuses the file for good.
        """
        payload = {
            "path": str(path),
            "filename": filename,
            "caption": split_text(caption, MAX_CAPTION)[0] if caption else None,
            "photo": photo,
            "if_refused": if_refused,
        }
        if protect:  # not forwardable nor saveable (an incident export)
            payload["protect_content"] = True
        await self._add(chat_id, "send_file", payload, priority=UPLOAD)

    async def set_commands(
        self, commands: list[tuple[str, str]], *, scope_chat_id: int | None, language: str | None
    ) -> None:
        payload = {
            "commands": [list(pair) for pair in commands],
            "scope_chat_id": scope_chat_id,
            "language": language,
        }
        await self._add(scope_chat_id, "set_commands", payload)

    async def delete_commands(self, *, scope_chat_id: int, ephemeral: bool = False) -> None:
        """Remove a chat's own command menu: the default one applies again."""
        payload: dict[str, Any] = {"scope_chat_id": scope_chat_id}
        if ephemeral:
            payload[EPHEMERAL] = True
        await self._add(scope_chat_id, "delete_commands", payload)
