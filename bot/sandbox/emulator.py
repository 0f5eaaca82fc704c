"""An in-process Telegram Bot API emulator for tests and the terminal sandbox.

The real bot (python-telegram-bot over real HTTP) talks to a loopback tornado server exactly as
to api.telegram.org, while tests act as Telegram users through the Python control API (or the
small JSON interface under ``/control/``) and read back what every chat received.

Strictness is the point: every request Telegram would refuse is answered with Telegram's HTTP
status and description and recorded, so end-to-end tests can assert that the bot made none.
Where Telegram is lenient but the documentation is not (a bare ``&`` in HTML text), the
emulator follows the documentation, so a bot that passes here also passes on Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import math
import mimetypes
import re
import struct
import time
import zlib
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import tornado.httpserver
import tornado.netutil
import tornado.web

__all__ = [
    "DEFAULT_TOKEN",
    "BotApiEmulator",
    "BotApiError",
    "Button",
    "ChatMessage",
    "EmulatorLimits",
    "Refusal",
    "UploadedFile",
    "message_to_dict",
    "parse_html",
]

_log = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456789:AAEmulatorTokenForTestsOnly_0123456789"  # noqa: S105 - a fake token

_T = TypeVar("_T")

# Telegram's documented limits, counted like Telegram: in UTF-16 code units after parsing.
_TEXT_LIMIT = 4096
_CAPTION_LIMIT = 1024
_CALLBACK_ANSWER_LIMIT = 200
_CALLBACK_DATA_BYTES = 64
_INLINE_BUTTONS_LIMIT = 100
# Not in the Bot API documentation, but Telegram's clients show at most 8 buttons in a row of an
# inline keyboard and drop the rest; the emulator refuses such a row as it refuses a keyboard
# over 100 buttons, so that a bot never shows a button nobody can press.
_INLINE_ROW_LIMIT = 8
_PHOTO_BYTES_LIMIT = 10 * 1024 * 1024
_DOCUMENT_BYTES_LIMIT = 50 * 1024 * 1024
_FIRST_UPDATE_ID = 10000
_SUPERGROUP_ID_LIMIT = -1000000000000
_WEBHOOK_BACKOFF_START = 0.05
_WEBHOOK_BACKOFF_MAX = 1.0

_NOT_SUPPORTED = "Bad Request: method not supported by the emulator"
_CALLBACK_EXPIRED = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_POLL_SUPERSEDED = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
_POLL_WHILE_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_INLINE_BUTTON_KINDS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_DEFAULT_SCOPES = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}
)
# Updates Telegram sends when the bot never chose allowed_updates.
_DEFAULT_UPDATE_TYPES = frozenset({"message", "edited_message", "callback_query"})
_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,32})?")
_BOT_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE_CODE_RE = re.compile(r"[a-z]{2}")
_SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_INT_RE = re.compile(r"-?\d+")


# --------------------------------------------------------------------------------------------
# Public data objects


@dataclass(frozen=True)
class Button:
    """One inline keyboard button as the bot sent it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass
class ChatMessage:
    """One message in a chat, from a user or from the bot, as it currently stands."""

    chat_id: int
    message_id: int
    from_bot: bool
    sender_id: int
    kind: str  # "text" | "photo" | "document" | "location" | "venue" | "sticker"
    text: str | None  # as sent (HTML included); caption for media; title + "\n" + address
    parse_mode: str | None
    keyboard: list[list[Button]] | None
    date: float
    edits: int = 0
    deleted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def plain_text(self) -> str | None:
        """The text as the person sees it: tags stripped, entities decoded, trimmed."""
        value = self.extra.get("plain_text", self.text)
        return value if isinstance(value, str) else None

    def buttons(self) -> list[Button]:
        return [button for row in self.keyboard or [] for button in row]

    def button(self, label_or_data: str) -> Button:
        """Exact label first, then exact callback data, then a label containing the string."""
        buttons = self.buttons()
        for matches in (
            lambda b: b.text == label_or_data,
            lambda b: b.callback_data == label_or_data,
            lambda b: label_or_data in b.text,
        ):
            for button in buttons:
                if matches(button):
                    return button
        listing = ", ".join(f"{b.text!r} ({b.callback_data or b.url})" for b in buttons)
        raise LookupError(
            f"no button {label_or_data!r} in message {self.message_id} of chat {self.chat_id}; "
            f"its buttons: [{listing}]"
        )


@dataclass(frozen=True)
class Refusal:
    """A request answered with an error, and why."""

    method: str
    error_code: int
    description: str
    params: dict[str, Any]


@dataclass
class EmulatorLimits:
    """Flood limits; change them at runtime to provoke 429 answers."""

    per_chat_per_second: float | None = None
    per_group_per_minute: int | None = 20
    global_per_second: int | None = 30
    retry_after: int = 1


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart/form-data request."""

    field_name: str
    file_name: str
    content: bytes
    mime_type: str


class BotApiError(Exception):
    """A Bot API refusal, carried to the HTTP layer."""

    def __init__(
        self,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        counted: bool = True,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        # A long poll superseded by a newer one is Telegram's normal life, not a bot mistake.
        self.counted = counted

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad_request(detail: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {detail}")


# --------------------------------------------------------------------------------------------
# Text: UTF-16 lengths and Telegram's HTML dialect


def _repaired(text: str) -> str:
    """What a Telegram client could send: a lone surrogate (text pasted cut in the middle of
    a character) cannot be encoded as UTF-8, so it becomes U+FFFD here, at the edge, instead of
    breaking the JSON of every later getUpdates."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY_RE = re.compile(r"&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,8})|([A-Za-z][A-Za-z0-9]*));")
_NAME_TOKEN_RE = re.compile(r"[A-Za-z0-9.-]*")


@dataclass
class _OpenTag:
    name: str
    attributes: dict[str, str]
    offset: int  # UTF-16 offset of the tag's content in the plain text
    byte_offset: int


class _HtmlParser:
    """Follows tdlib's parse_html, which produces Telegram's error messages."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.plain: list[str] = []
        self.length = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def error(self, message: str) -> BotApiError:
        return _bad_request(f"can't parse entities: {message}")

    def byte_offset(self, index: int) -> int:
        return len(self.text[:index].encode("utf-8"))

    def emit(self, chunk: str) -> None:
        self.plain.append(chunk)
        self.length += _utf16_len(chunk)

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        text, i = self.text, 0
        while i < len(text):
            char = text[i]
            if char == "&":
                decoded, i = self.decode_entity(i)
                self.emit(decoded)
            elif char != "<":
                self.emit(char)
                i += 1
            elif text.startswith("</", i):
                i = self.end_tag(i)
            else:
                i = self.start_tag(i)
        if self.stack:
            name = self.stack[-1].name
            raise self.error(f'Can\'t find end tag corresponding to start tag "{name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.plain), self.entities

    def decode_entity(self, i: int) -> tuple[str, int]:
        match = _HTML_ENTITY_RE.match(self.text, i)
        if match is None:
            # Telegram keeps such an ampersand as text, but its documentation requires
            # escaping it; refusing catches a forgotten html.escape() on user input.
            raise self.error(
                f'Character "&" at byte offset {self.byte_offset(i)} must be escaped as "&amp;"'
            )
        decimal, hexadecimal, name = match.groups()
        if name is not None:
            if name not in _NAMED_HTML_ENTITIES:
                raise self.error(
                    f'Character entity "&{name};" at byte offset {self.byte_offset(i)} is not '
                    "supported; only &lt; &gt; &amp; &quot; and numeric ones are"
                )
            return _NAMED_HTML_ENTITIES[name], match.end()
        code = int(decimal) if decimal is not None else int(hexadecimal, 16)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise self.error(
                f'Invalid character entity "{match.group()}" at byte offset {self.byte_offset(i)}'
            )
        return chr(code), match.end()

    def skip_spaces(self, i: int) -> int:
        while i < len(self.text) and self.text[i].isspace():
            i += 1
        return i

    def end_tag(self, begin: int) -> int:
        text = self.text
        if not self.stack:
            raise self.error(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        i = begin + 2
        while i < len(text) and not text[i].isspace() and text[i] != ">":
            i += 1
        name = text[begin + 2 : i].lower()
        i = self.skip_spaces(i)
        if i >= len(text) or text[i] != ">":
            raise self.error(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        tag = self.stack.pop()
        if name and name != tag.name:
            raise self.error(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, expected "
                f'"</{tag.name}>", found "</{name}>"'
            )
        self.close(tag)
        return i + 1

    def close(self, tag: _OpenTag) -> None:
        language = tag.attributes.get("class", "")
        parent = self.stack[-1] if self.stack else None
        if (
            tag.name == "code"
            and parent is not None
            and parent.name == "pre"
            and language.startswith("language-")
        ):
            # <pre><code class="language-x"> is one pre entity with a language.
            parent.attributes["language"] = language.removeprefix("language-")
            return
        length = self.length - tag.offset
        if length == 0:
            return
        entity: dict[str, Any] = {
            "type": _HTML_ENTITY_TYPES[tag.name],
            "offset": tag.offset,
            "length": length,
        }
        if tag.name == "a":
            entity["url"] = tag.attributes["href"]
        elif tag.name == "pre" and tag.attributes.get("language"):
            entity["language"] = tag.attributes["language"]
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.attributes["emoji-id"]
        elif tag.name == "blockquote" and "expandable" in tag.attributes:
            entity["type"] = "expandable_blockquote"
        self.entities.append(entity)

    def start_tag(self, begin: int) -> int:
        text = self.text
        i = begin + 1
        while i < len(text) and not text[i].isspace() and text[i] != ">":
            i += 1
        if i >= len(text):
            raise self.error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = text[begin + 1 : i].lower()
        if name not in _HTML_ENTITY_TYPES:
            raise self.error(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        attributes: dict[str, str] = {}
        while True:
            i = self.skip_spaces(i)
            if i >= len(text):
                raise self.error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if text[i] == ">":
                break
            i = self.attribute(name, begin, i, attributes)
        self.check_attributes(name, attributes, begin)
        self.stack.append(_OpenTag(name, attributes, self.length, self.byte_offset(begin)))
        return i + 1

    def attribute(self, tag: str, begin: int, i: int, attributes: dict[str, str]) -> int:
        text = self.text
        start = i
        while i < len(text) and not text[i].isspace() and text[i] not in "=>":
            i += 1
        name = text[start:i].lower()
        if not name:
            raise self.error(
                f'Empty attribute name in the tag "{tag}" at byte offset {self.byte_offset(begin)}'
            )
        i = self.skip_spaces(i)
        if i < len(text) and text[i] != "=" and tag == "blockquote" and name == "expandable":
            attributes[name] = ""
            return i
        if i >= len(text) or text[i] != "=":
            raise self.error(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {self.byte_offset(begin)}'
            )
        i = self.skip_spaces(i + 1)
        if i >= len(text):
            raise self.error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        if text[i] in "'\"":
            quote, i, value = text[i], i + 1, []
            while i < len(text) and text[i] != quote:
                if text[i] == "&":
                    decoded, i = self.decode_entity(i)
                    value.append(decoded)
                else:
                    value.append(text[i])
                    i += 1
            if i >= len(text):
                raise self.error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            attributes[name] = "".join(value)
            return i + 1
        token = _NAME_TOKEN_RE.match(text, i)
        assert token is not None  # the pattern matches the empty string
        end = token.end()
        if end >= len(text) or (not text[end].isspace() and text[end] != ">"):
            raise self.error(f"Unexpected end of name token at byte offset {self.byte_offset(i)}")
        attributes[name] = token.group().lower()
        return end

    def check_attributes(self, name: str, attributes: dict[str, str], begin: int) -> None:
        where = f"at byte offset {self.byte_offset(begin)}"
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise self.error(f'Tag "span" must have class "tg-spoiler" {where}')
        if name == "a" and not attributes.get("href"):
            raise self.error(f'Tag "a" must have a non-empty attribute "href" {where}')
        if name == "tg-emoji" and not attributes.get("emoji-id"):
            raise self.error(f'Tag "tg-emoji" must have attribute "emoji-id" {where}')


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: the plain text and its MessageEntity dicts.

    Raises BotApiError with Telegram's "can't parse entities" description on malformed input.
    """
    return _HtmlParser(text).parse()


def _trim(plain: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram strips surrounding whitespace, shortening entities that covered it."""
    left = plain.lstrip()
    shift = _utf16_len(plain[: len(plain) - len(left)])
    result = left.rstrip()
    total = _utf16_len(result)
    trimmed = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            trimmed.append({**entity, "offset": start, "length": end - start})
    return result, trimmed


def _format(
    text: str, parse_mode: str | None, explicit_entities: Any, *, limit: int, too_long: str
) -> tuple[str, list[dict[str, Any]]]:
    mode = (parse_mode or "").lower()
    if mode == "html":
        plain, entities = parse_html(text)
    elif mode in ("", "markdown", "markdownv2"):
        # Markdown is not validated; its markup counts towards the length.
        plain = text
        entities = explicit_entities if isinstance(explicit_entities, list) else []
    else:
        raise _bad_request("unsupported parse_mode")
    plain, entities = _trim(plain, entities)
    if _utf16_len(plain) > limit:
        raise _bad_request(too_long)
    return plain, entities


def _command_entities(text: str) -> list[dict[str, Any]]:
    match = _COMMAND_RE.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": _utf16_len(match.group())}]


# --------------------------------------------------------------------------------------------
# Request parameters


# How Telegram reads each parameter; form values arrive as strings, JSON-encoded if not text.
_INT_PARAMS = frozenset(
    {
        "chat_id",
        "message_id",
        "reply_to_message_id",
        "offset",
        "limit",
        "user_id",
        "cache_time",
        "max_connections",
        "message_thread_id",
        "live_period",
        "heading",
        "proximity_alert_radius",
    }
)
_FLOAT_PARAMS = frozenset({"latitude", "longitude", "horizontal_accuracy", "timeout"})
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "commands",
        "scope",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "entities",
        "caption_entities",
    }
)


def _decode_param(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    with contextlib.suppress(ValueError):
        if name in _INT_PARAMS and _INT_RE.fullmatch(value):
            return int(value)
        if name in _FLOAT_PARAMS:
            return float(value)
        if name in _BOOL_PARAMS and value in ("true", "false"):
            return value == "true"
        if name in _JSON_PARAMS:
            return json.loads(value)
    return value


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT_RE.fullmatch(value):
        return int(value)
    return None


class _Params:
    """Typed, Telegram-style access to one request's parameters."""

    def __init__(self, raw: dict[str, Any], disconnected: asyncio.Event | None = None) -> None:
        self.values = {name: _decode_param(name, value) for name, value in raw.items()}
        self.disconnected = disconnected or asyncio.Event()

    def present(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        raise _bad_request(f'field "{name}" must be of type String')

    def required_text(self, name: str) -> str:
        value = self.text(name)
        if not value:
            raise _bad_request(f'parameter "{name}" is required')
        return value

    def integer(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        number = _as_int(value)
        if number is None:
            raise _bad_request(f'field "{name}" must be of type Integer')
        return number

    def number(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "" or isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return float(value)
        raise _bad_request(f'field "{name}" must be of type Float')

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return False
        if isinstance(value, bool):
            return value
        if value in (0, 1, "0", "1"):
            return value in (1, "1")
        raise _bad_request(f'field "{name}" must be of type Boolean')

    def json(self, name: str, error: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise _bad_request(error) from None
        return value


# --------------------------------------------------------------------------------------------
# Emulator state


@dataclass
class _User:
    id: int
    first_name: str
    username: str | None
    language_code: str | None
    blocked: bool = False

    def payload(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user


@dataclass
class _Chat:
    id: int
    type: str  # "private" | "group" | "supergroup"
    title: str | None = None
    members: set[int] = field(default_factory=set)
    messages: list[ChatMessage] = field(default_factory=list)
    by_id: dict[int, ChatMessage] = field(default_factory=dict)
    next_message_id: int = 1


@dataclass
class _StoredFile:
    file_id: str
    unique_id: str
    kind: str  # "photo" | "document" | "sticker"
    content: bytes
    file_name: str | None
    mime_type: str | None
    path: str


@dataclass(frozen=True)
class _Markup:
    inline: dict[str, Any] | None  # echoed back in Message.reply_markup; None when no button
    keyboard: list[list[Button]] | None
    other: dict[str, Any] | None  # reply keyboard, keyboard removal or force reply


def _tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


def _looks_like_image(content: bytes) -> bool:
    if content.startswith(b"RIFF") and content[8:12] == b"WEBP":
        return True
    return content.startswith(_IMAGE_MAGIC)


_URL_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def _valid_button_url(url: str) -> bool:
    """Telegram opens http(s), tg and ton links; tel:, mailto: and the like are refused."""
    if not url or any(char.isspace() for char in url):
        return False
    scheme = _URL_SCHEME_RE.match(url)
    if scheme is None:
        return "." in url.split("/", 1)[0]  # "example.org/page" gets an implicit http://
    kind = scheme.group(1).lower()
    if kind in ("http", "https"):
        return bool(urlsplit(url).hostname)
    return kind in ("tg", "ton")


@functools.cache
def _bot_api_method_names() -> frozenset[str]:
    """Every Bot API method PTB knows, lower-cased, to tell 'unsupported' from 'unknown'."""
    import telegram

    names = {n.lower() for n in dir(telegram.Bot) if re.fullmatch(r"[a-z]+(?:[A-Z]\w*)+", n)}
    return frozenset(names | {"close"})


def _jsonable(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        return {
            "file_name": value.file_name,
            "mime_type": value.mime_type,
            "size": len(value.content),
        }
    if isinstance(value, bytes):
        return {"bytes": len(value)}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def message_to_dict(message: ChatMessage) -> dict[str, Any]:
    """A JSON-ready view of a chat message, for the control interface."""
    keyboard = None
    if message.keyboard is not None:
        keyboard = [[asdict(button) for button in row] for row in message.keyboard]
    return {
        "chat_id": message.chat_id,
        "message_id": message.message_id,
        "from_bot": message.from_bot,
        "sender_id": message.sender_id,
        "kind": message.kind,
        "text": message.text,
        "plain_text": message.plain_text,
        "parse_mode": message.parse_mode,
        "keyboard": keyboard,
        "date": message.date,
        "edits": message.edits,
        "deleted": message.deleted,
        "extra": _jsonable(message.extra),
    }


_Handler = Callable[[_Params], Awaitable[Any]]


class _UnknownEndpointError(Exception):
    pass


class BotApiEmulator:
    """A strict Telegram Bot API server on loopback plus a control API acting as users."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "maraude_test_bot",
        limits: EmulatorLimits | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        first_update_id: int = _FIRST_UPDATE_ID,
    ) -> None:
        # Telegram numbers updates sequentially, but after a week without updates it starts
        # again from a random number: tests and the sandbox choose where to start.
        bot_id, separator, _ = token.partition(":")
        if not separator or not bot_id.isdigit():
            raise ValueError("a bot token looks like '<bot id>:<secret>'")
        self.token = token
        self.bot_id = int(bot_id)
        self.bot_username = bot_username
        self.limits = limits or EmulatorLimits()
        # Telegram answers 413 to a bot uploading more; tests lower these rather than write
        # 50 MB files.
        self.max_upload_bytes = _DOCUMENT_BYTES_LIMIT
        self.max_photo_bytes = _PHOTO_BYTES_LIMIT
        self.host = host
        self.port = port

        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.refused: list[Refusal] = []
        self.throttled: list[Refusal] = []
        self.blocked_sends: list[Refusal] = []
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.confirmed_offset = 0
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.webhook_failures = 0
        self.webhook_last_error: str | None = None
        self._webhook_last_error_date: int | None = None

        self._users: dict[int, _User] = {}
        self._chats: dict[int, _Chat] = {}
        self._updates: dict[int, dict[str, Any]] = {}  # every update ever queued
        self._pending: dict[int, dict[str, Any]] = {}
        # Re-delivered updates escape the offset until delivered once more (value: delivered).
        self._redelivered: dict[int, bool] = {}
        self._next_update_id = first_update_id
        self._allowed_updates: frozenset[str] | None = None
        self._unanswered: dict[str, None] = {}  # insertion-ordered set
        self._next_callback = 1
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._next_file = 1
        self._chat_sends: dict[int, deque[float]] = {}
        self._all_sends: deque[float] = deque()
        self._poll_generation = 0
        self._changed = asyncio.Event()
        self._server: tornado.httpserver.HTTPServer | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._closing = False
        self._active_requests = 0
        self._methods: dict[str, tuple[str, _Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "sendLocation": self._send_location,
                "sendVenue": self._send_venue,
                "sendChatAction": self._send_chat_action,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "getFile": self._get_file,
            }.items()
        }

    # ---------------------------------------------------------------------------- lifecycle

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    async def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        spec = {"emulator": self}
        app = tornado.web.Application(
            [
                (r"/bot([^/]*)/([^/]*)", _ApiHandler, spec),
                (r"/file/bot([^/]*)/(.+)", _FileHandler, spec),
                (r"/control/(.*)", _ControlHandler, spec),
            ],
            log_function=lambda handler: None,
        )
        sockets = tornado.netutil.bind_sockets(self.port, self.host)
        server = tornado.httpserver.HTTPServer(app)
        server.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]
        self._server = server
        self._closing = False
        if self.webhook_url is not None:
            self._restart_webhook_delivery()

    async def stop(self) -> None:
        self._closing = True
        await self._stop_webhook_delivery()
        self._notify()  # long polls see _closing and answer at once
        with contextlib.suppress(TimeoutError):
            await self._wait_for(lambda: self._active_requests == 0 or None, 2.0)
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ---------------------------------------------------------------------------- actors

    def add_user(
        self,
        user_id: int,
        first_name: str = "User",
        *,
        language_code: str | None = None,
        username: str | None = None,
    ) -> None:
        """A user who has started the bot: their private chat (id == user id) exists."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        blocked = user_id in self._users and self._users[user_id].blocked
        self._users[user_id] = _User(user_id, first_name, username, language_code, blocked)
        self._chats.setdefault(user_id, _Chat(user_id, "private"))
        self._notify()

    def add_group(self, chat_id: int, title: str, member_ids: Iterable[int] = ()) -> None:
        """Create a group with the bot in it, or rename it and add members."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        members = set(member_ids)
        unknown = members - self._users.keys()
        if unknown:
            raise LookupError(f"unknown users {sorted(unknown)}: call add_user first")
        kind = "supergroup" if chat_id <= _SUPERGROUP_ID_LIMIT else "group"
        chat = self._chats.setdefault(chat_id, _Chat(chat_id, kind))
        chat.title = title
        chat.members |= members
        self._notify()

    def block(self, user_id: int) -> None:
        self._user(user_id).blocked = True
        self._notify()

    def unblock(self, user_id: int) -> None:
        self._user(user_id).blocked = False
        self._notify()

    # ---------------------------------------------------------------------------- acting as users

    async def send_text(self, user_id: int, text: str, *, chat_id: int | None = None) -> int:
        """The user sends a text; returns the update id, or 0 when privacy mode hides it."""
        text = _repaired(text)
        user, chat = self._actor(user_id, chat_id)
        entities = _command_entities(text)
        extra: dict[str, Any] = {"plain_text": text, "entities": entities}
        message = self._store(chat, user.id, "text", text, extra=extra)
        return self._deliver_user_message(chat, message, addressed=self._addressed(text))

    async def send_location(
        self, user_id: int, latitude: float, longitude: float, *, chat_id: int | None = None
    ) -> int:
        user, chat = self._actor(user_id, chat_id)
        extra = {"latitude": latitude, "longitude": longitude}
        message = self._store(chat, user.id, "location", None, extra=extra)
        return self._deliver_user_message(chat, message, addressed=False)

    async def send_sticker(self, user_id: int, *, chat_id: int | None = None) -> int:
        user, chat = self._actor(user_id, chat_id)
        stored = self._new_file("sticker", b"RIFF\x00\x00\x00\x00WEBP", None, "image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "\N{THUMBS UP SIGN}",
        }
        message = self._store(chat, user.id, "sticker", None, extra={"sticker": sticker})
        return self._deliver_user_message(chat, message, addressed=False)

    async def send_photo(
        self, user_id: int, *, caption: str | None = None, chat_id: int | None = None
    ) -> int:
        user, chat = self._actor(user_id, chat_id)
        stored = self._new_file("photo", _tiny_png(), None, "image/png")
        extra = {
            "photo": self._photo_sizes(stored),
            "content": stored.content,
            "mime_type": stored.mime_type,
            "file_id": stored.file_id,
            "plain_text": caption,
            "entities": [],
        }
        message = self._store(chat, user.id, "photo", caption, extra=extra)
        return self._deliver_user_message(chat, message, addressed=False)

    async def send_file(
        self,
        user_id: int,
        kind: str = "document",
        *,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> int:
        """The user sends a file ("document": a photo sent as a file, a PDF) or a "voice"
        message."""
        user, chat = self._actor(user_id, chat_id)
        mime = "application/pdf" if kind == "document" else "audio/ogg"
        stored = self._new_file("document", b"%PDF-1.4 test", None, mime)
        media: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.unique_id}
        media |= {"mime_type": mime} if kind == "document" else {"duration": 3}
        extra: dict[str, Any] = {kind: media, "plain_text": caption, "entities": []}
        message = self._store(chat, user.id, kind, caption, extra=extra)
        return self._deliver_user_message(chat, message, addressed=False)

    async def press(self, user_id: int, message: ChatMessage, label_or_data: str) -> int:
        """The user presses an inline button of a bot message; returns the update id."""
        user = self._user(user_id)
        chat = self._chats.get(message.chat_id)
        current = chat.by_id.get(message.message_id) if chat else None
        if chat is None or current is None or current.deleted:
            raise LookupError(f"message {message.message_id} of chat {message.chat_id} is gone")
        if not current.from_bot:
            raise ValueError("only the bot's messages carry inline buttons")
        if chat.type != "private" and user.id not in chat.members:
            raise ValueError(f"user {user.id} is not a member of chat {chat.id}")
        if chat.type == "private" and chat.id != user.id:
            raise ValueError(f"user {user.id} cannot see the private chat {chat.id}")
        button = current.button(label_or_data)
        if button.callback_data is None:
            raise ValueError(f"button {button.text!r} sends no callback query")
        query_id = str(self.bot_id * 1000000 + self._next_callback)
        self._next_callback += 1
        self._unanswered[query_id] = None
        query = {
            "id": query_id,
            "from": user.payload(),
            "message": self._message_payload(current),
            "chat_instance": str(abs(chat.id) * 7919 % 10**18),
            "data": button.callback_data,
        }
        return self._enqueue({"callback_query": query})

    async def redeliver(self, update_id: int) -> None:
        """Queue a confirmed update again under the same id, as Telegram does after a crash."""
        if update_id not in self._updates:
            raise LookupError(f"no update {update_id} was ever queued")
        if update_id in self._pending:
            raise ValueError(f"update {update_id} is still pending")
        self._pending[update_id] = self._updates[update_id]
        self._redelivered[update_id] = False
        self._notify()

    # ---------------------------------------------------------------------------- reading

    def messages(self, chat_id: int) -> list[ChatMessage]:
        chat = self._chats.get(chat_id)
        return list(chat.messages) if chat else []

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        return [m for m in self.messages(chat_id) if m.from_bot and not m.deleted]

    def reply_keyboard(self, chat_id: int) -> list[list[dict[str, Any]]] | None:
        """The reply keyboard the person sees under the chat now: the last one the bot sent,
        until a message removes it (one-time keyboards hide after use, but stay one tap
        away in the client, so they are still returned). Buttons as the bot sent them."""
        for message in reversed(self.bot_messages(chat_id)):
            markup = message.extra.get("reply_keyboard")
            if not isinstance(markup, dict):
                continue
            if markup.get("remove_keyboard"):
                return None
            if "keyboard" in markup:
                return [
                    [{"text": b} if isinstance(b, str) else dict(b) for b in row]
                    for row in markup["keyboard"]
                ]
        return None

    async def tap_reply_button(
        self,
        user_id: int,
        label: str,
        *,
        location: tuple[float, float] = (50.9513, 1.8587),
    ) -> int:
        """The user taps a button of the reply keyboard: its text is sent as typed, or (a
        location-request button) the phone shares `location`. Returns the update id."""
        keyboard = self.reply_keyboard(user_id) or []
        for button in (b for row in keyboard for b in row):
            if button["text"] == label or label in button["text"]:
                if button.get("request_location"):
                    return await self.send_location(user_id, *location)
                return await self.send_text(user_id, button["text"])
        raise LookupError(f"no reply keyboard button {label!r} in chat {user_id}: {keyboard}")

    def last_bot_message(self, chat_id: int) -> ChatMessage:
        messages = self.bot_messages(chat_id)
        if not messages:
            raise LookupError(f"the bot sent nothing (left) in chat {chat_id}")
        return messages[-1]

    async def wait_for_bot_message(
        self,
        chat_id: int,
        predicate: Callable[[ChatMessage], bool] | None = None,
        *,
        since: int = 0,
        timeout: float = 10.0,  # noqa: ASYNC109 - a deadline for the whole wait, by design
    ) -> ChatMessage:
        """The first bot message at index >= since in bot_messages(chat_id) that matches."""

        def find() -> ChatMessage | None:
            for message in self.bot_messages(chat_id)[since:]:
                if predicate is None or predicate(message):
                    return message
            return None

        try:
            return await self._wait_for(find, timeout)
        except TimeoutError:
            received = "\n".join(
                f"  [{index}] {self._describe(message)}"
                for index, message in enumerate(self.bot_messages(chat_id))
            )
            raise TimeoutError(
                f"no bot message{' matching the predicate' if predicate else ''} in chat "
                f"{chat_id} from index {since} within {timeout} s; the bot's messages there:\n"
                f"{received or '  (none)'}\n"
                f"refused requests: {[(r.method, r.description) for r in self.refused]}"
            ) from None

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - a deadline for the whole wait, by design
    ) -> None:
        """Wait until predicate() holds; re-checked whenever the emulator's state changes."""
        try:
            await self._wait_for(lambda: True if predicate() else None, timeout)
        except TimeoutError:
            raise TimeoutError(f"condition still false after {timeout} s") from None

    def unanswered_callbacks(self) -> list[str]:
        return list(self._unanswered)

    def pending_updates(self) -> int:
        return len(self._pending)

    # ---------------------------------------------------------------------------- internals

    def _notify(self) -> None:
        """Wake every waiter; each re-checks its own condition."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_for(self, check: Callable[[], _T | None], within: float | None) -> _T:
        """Re-run check after every state change until it returns something, or time out."""
        loop = asyncio.get_running_loop()
        deadline = None if within is None else loop.time() + within
        while True:
            changed = self._changed  # taken before checking, so no change slips in between
            result = check()
            if result is not None:
                return result
            if deadline is None:
                await changed.wait()
                continue
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError
            # asyncio.timeout: Python 3.11's wait_for may swallow a cancellation in a loop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await changed.wait()

    @staticmethod
    def _describe(message: ChatMessage) -> str:
        labels = [button.text for button in message.buttons()]
        text = message.plain_text if message.plain_text is not None else message.text
        return f"#{message.message_id} {message.kind} {text!r}" + (
            f" buttons {labels}" if labels else ""
        )

    def _user(self, user_id: int) -> _User:
        user = self._users.get(user_id)
        if user is None:
            raise LookupError(f"unknown user {user_id}: call add_user first")
        return user

    def _actor(self, user_id: int, chat_id: int | None) -> tuple[_User, _Chat]:
        user = self._user(user_id)
        chat = self._chats.get(user_id if chat_id is None else chat_id)
        if chat is None:
            raise LookupError(f"unknown chat {chat_id}: call add_group first")
        if chat.type == "private" and chat.id != user.id:
            raise ValueError(f"user {user.id} cannot write in the private chat {chat.id}")
        if chat.type != "private" and user.id not in chat.members:
            raise ValueError(f"user {user.id} is not a member of chat {chat.id}")
        return user, chat

    def _addressed(self, text: str) -> bool:
        """Whether a group text reaches a bot in privacy mode: commands for it (or for all)."""
        match = _COMMAND_RE.match(text)
        if match is None:
            return False
        _, _, target = match.group().partition("@")
        return not target or target.lower() == self.bot_username.lower()

    def _deliver_user_message(self, chat: _Chat, message: ChatMessage, *, addressed: bool) -> int:
        # can_read_all_group_messages is false: in groups the bot only gets its commands.
        if chat.type != "private" and not addressed:
            self._notify()
            return 0
        return self._enqueue({"message": self._message_payload(message)})

    def _enqueue(self, body: dict[str, Any]) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        update = {"update_id": update_id, **body}
        self._updates[update_id] = update
        self._pending[update_id] = update
        self._notify()
        return update_id

    def _store(
        self,
        chat: _Chat,
        sender_id: int,
        kind: str,
        text: str | None,
        *,
        from_bot: bool = False,
        parse_mode: str | None = None,
        keyboard: list[list[Button]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> ChatMessage:
        message = ChatMessage(
            chat_id=chat.id,
            message_id=chat.next_message_id,
            from_bot=from_bot,
            sender_id=sender_id,
            kind=kind,
            text=text,
            parse_mode=parse_mode,
            keyboard=keyboard,
            date=time.time(),
            extra=extra or {},
        )
        chat.next_message_id += 1
        chat.messages.append(message)
        chat.by_id[message.message_id] = message
        return message

    def _new_file(
        self, kind: str, content: bytes, file_name: str | None, mime_type: str | None
    ) -> _StoredFile:
        number = self._next_file
        self._next_file += 1
        prefix = {"photo": "AgAC", "document": "BQAC", "sticker": "CAAC"}[kind]
        extension = (mimetypes.guess_extension(mime_type or "") or "").lstrip(".") or "bin"
        stored = _StoredFile(
            file_id=f"{prefix}Emu{number:08d}{kind}",
            unique_id=f"AQADEmu{number:08d}",
            kind=kind,
            content=content,
            file_name=file_name,
            mime_type=mime_type,
            path=f"{kind}s/file_{number}.{extension}",
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.path] = stored
        return stored

    def _photo_sizes(self, stored: _StoredFile) -> list[dict[str, Any]]:
        sizes = []
        for index, side in enumerate((90, 320, 800)):
            file_id = f"{stored.file_id}_{index}"
            self._files[file_id] = stored
            sizes.append(
                {
                    "file_id": file_id,
                    "file_unique_id": f"{stored.unique_id}_{index}",
                    "width": side,
                    "height": side,
                    "file_size": len(stored.content),
                }
            )
        return sizes

    def _bot_payload(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Maraude",
            "username": self.bot_username,
        }

    def _chat_payload(self, chat: _Chat) -> dict[str, Any]:
        if chat.type == "private":
            user = self._users[chat.id]
            payload: dict[str, Any] = {"id": chat.id, "type": "private"}
            payload["first_name"] = user.first_name
            if user.username:
                payload["username"] = user.username
            return payload
        return {"id": chat.id, "type": chat.type, "title": chat.title or ""}

    def _message_payload(self, message: ChatMessage, *, nested: bool = False) -> dict[str, Any]:
        """The Message object as Telegram would return it."""
        chat = self._chats[message.chat_id]
        sender = (
            self._bot_payload() if message.from_bot else self._users[message.sender_id].payload()
        )
        payload: dict[str, Any] = {
            "message_id": message.message_id,
            "from": sender,
            "chat": self._chat_payload(chat),
            "date": int(message.date),
        }
        extra = message.extra
        if message.edits:
            payload["edit_date"] = int(extra.get("edit_date", message.date))
        reply_to = extra.get("reply_to_message_id")
        if not nested and reply_to in chat.by_id:
            payload["reply_to_message"] = self._message_payload(chat.by_id[reply_to], nested=True)
        plain = extra.get("plain_text", message.text)
        if message.kind == "text":
            payload["text"] = plain
            if extra.get("entities"):
                payload["entities"] = extra["entities"]
        elif message.kind in ("photo", "document", "voice"):
            payload[message.kind] = extra[message.kind]
            if plain:
                payload["caption"] = plain
                if extra.get("entities"):
                    payload["caption_entities"] = extra["entities"]
        elif message.kind == "location":
            payload["location"] = {"latitude": extra["latitude"], "longitude": extra["longitude"]}
        elif message.kind == "venue":
            location = {"latitude": extra["latitude"], "longitude": extra["longitude"]}
            payload["location"] = location
            venue = {"location": location, "title": extra["title"], "address": extra["address"]}
            payload["venue"] = venue
        elif message.kind == "sticker":
            payload["sticker"] = extra["sticker"]
        if extra.get("reply_markup"):
            payload["reply_markup"] = extra["reply_markup"]
        return payload

    # ---------------------------------------------------------------------------- dispatch

    async def _dispatch(
        self, token: str, method: str, raw: dict[str, Any], disconnected: asyncio.Event
    ) -> tuple[int, dict[str, Any]]:
        name = self._methods[method.lower()][0] if method.lower() in self._methods else method
        params = _Params(raw, disconnected)
        self.requests.append((name, params.values))
        self._active_requests += 1
        try:
            handler = self._route(token, method)
            chat_id = _as_int(params.values.get("chat_id"))
            if chat_id is not None:
                self._check_flood(chat_id)
            result = await handler(params)
        except BotApiError as error:
            self._record_refusal(name, error, params.values)
            return error.error_code, error.payload()
        finally:
            self._active_requests -= 1
            self._notify()
        return 200, {"ok": True, "result": result}

    def _route(self, token: str, method: str) -> _Handler:
        if token != self.token:
            raise BotApiError(401, "Unauthorized")
        known = self._methods.get(method.lower())
        if known is not None:
            return known[1]
        if method.lower() in _bot_api_method_names():
            raise BotApiError(400, _NOT_SUPPORTED)
        raise BotApiError(404, "Not Found")

    def _record_refusal(self, method: str, error: BotApiError, params: dict[str, Any]) -> None:
        refusal = Refusal(method, error.error_code, error.description, params)
        if error.error_code == 429:
            self.throttled.append(refusal)
        elif error.error_code == 403:
            self.blocked_sends.append(refusal)
        elif error.counted:
            self.refused.append(refusal)
            _log.warning("refused %s: %s", method, error.description)

    def _check_flood(self, chat_id: int) -> None:
        now = time.monotonic()
        limits = self.limits
        chat_sends = self._chat_sends.setdefault(chat_id, deque())
        windows: list[tuple[deque[float], float, float]] = []  # (log, seconds, maximum)
        rate = limits.per_chat_per_second
        if chat_id > 0 and rate is not None:
            # Below one message a second, the window stretches to hold exactly one.
            window = 1.0 if rate >= 1 else 1.0 / rate if rate > 0 else math.inf
            windows.append((chat_sends, window, max(math.floor(rate), 1) if rate > 0 else 0))
        if chat_id < 0 and limits.per_group_per_minute is not None:
            windows.append((chat_sends, 60.0, limits.per_group_per_minute))
        if limits.global_per_second is not None:
            windows.append((self._all_sends, 1.0, limits.global_per_second))
        for sends, window, maximum in windows:
            if sum(1 for sent in sends if sent > now - window) >= maximum:
                retry = limits.retry_after
                raise BotApiError(
                    429, f"Too Many Requests: retry after {retry}", retry_after=retry
                )
        for sends in (chat_sends, self._all_sends):
            sends.append(now)
            while len(sends) > 1000 or (sends and sends[0] < now - 3600):
                sends.popleft()

    def _chat(self, value: Any) -> _Chat:
        if value is None or value == "":
            raise _bad_request("chat_id is empty")
        chat_id = _as_int(value)
        chat = self._chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise _bad_request("chat not found")
        return chat

    def _check_reachable(self, chat: _Chat) -> None:
        if chat.type == "private" and self._users[chat.id].blocked:
            raise BotApiError(403, "Forbidden: bot was blocked by the user")

    def _markup(self, params: _Params, *, inline_only: bool = False) -> _Markup | None:
        if not params.present("reply_markup"):
            return None
        error = "can't parse reply keyboard markup JSON object"
        markup = params.json("reply_markup", error)
        if not isinstance(markup, dict):
            raise _bad_request(error)
        if "inline_keyboard" in markup:
            return self._inline_markup(markup["inline_keyboard"])
        if inline_only:
            raise _bad_request("inline keyboard expected")
        if "keyboard" in markup:
            _check_reply_keyboard(markup["keyboard"])
            return _Markup(inline=None, keyboard=None, other=markup)
        if any(key in markup for key in ("remove_keyboard", "force_reply")):
            return _Markup(inline=None, keyboard=None, other=markup)
        raise _bad_request(error)

    def _inline_markup(self, rows: Any) -> _Markup:
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        if sum(len(row) for row in rows) > _INLINE_BUTTONS_LIMIT:
            raise _bad_request("reply markup is too long")
        if any(len(row) > _INLINE_ROW_LIMIT for row in rows):
            raise _bad_request("reply markup is too long")
        keyboard = [[self._inline_button(raw) for raw in row] for row in rows]
        keyboard = [row for row in keyboard if row]
        if not keyboard:
            return _Markup(inline=None, keyboard=None, other=None)
        return _Markup(inline={"inline_keyboard": rows}, keyboard=keyboard, other=None)

    @staticmethod
    def _inline_button(raw: Any) -> Button:
        prefix = "can't parse inline keyboard button: "
        if not isinstance(raw, dict):
            raise _bad_request(prefix + "InlineKeyboardButton must be an Object")
        text = raw.get("text")
        if not isinstance(text, str):
            raise _bad_request(prefix + 'Field "text" must be of type String')
        if not text.strip():
            raise _bad_request(prefix + "Text must be non-empty")
        kinds = [kind for kind in _INLINE_BUTTON_KINDS if kind in raw]
        if not kinds:
            raise _bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
        if len(kinds) > 1:
            raise _bad_request(prefix + f"exactly one of {', '.join(kinds)} must be used")
        data, url = raw.get("callback_data"), raw.get("url")
        if kinds[0] == "callback_data" and (
            not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= _CALLBACK_DATA_BYTES
        ):
            raise _bad_request("BUTTON_DATA_INVALID")
        if kinds[0] == "url" and (not isinstance(url, str) or not _valid_button_url(url)):
            raise _bad_request("BUTTON_URL_INVALID")
        return Button(text=text, callback_data=data, url=url)

    def _reply_target(self, params: _Params, chat: _Chat) -> int | None:
        reply = params.json("reply_parameters", "can't parse ReplyParameters JSON object")
        if reply is not None and not isinstance(reply, dict):
            raise _bad_request("can't parse ReplyParameters JSON object")
        if reply:
            target = _as_int(reply.get("message_id"))
            tolerant = bool(reply.get("allow_sending_without_reply"))
        else:
            target = params.integer("reply_to_message_id")
            tolerant = params.flag("allow_sending_without_reply")
        if target is None:
            return None
        message = chat.by_id.get(target)
        if message is None or message.deleted:
            if tolerant:
                return None
            raise _bad_request("message to be replied not found")
        return target

    def _bot_message(
        self,
        params: _Params,
        chat: _Chat,
        kind: str,
        text: str | None,
        *,
        markup: _Markup | None,
        extra: dict[str, Any],
    ) -> dict[str, Any]:
        """Checks shared by every send, then store the message and return its payload."""
        reply_to = self._reply_target(params, chat)
        self._check_reachable(chat)
        if reply_to is not None:
            extra["reply_to_message_id"] = reply_to
        if markup is not None:
            extra["reply_markup"] = markup.inline
            if markup.other is not None:
                extra["reply_keyboard"] = markup.other
        if params.flag("protect_content"):
            # Telegram forbids forwarding and saving the message: tests check it was asked.
            extra["protect_content"] = True
        message = self._store(
            chat,
            self.bot_id,
            kind,
            text,
            from_bot=True,
            parse_mode=params.text("parse_mode"),
            keyboard=markup.keyboard if markup else None,
            extra=extra,
        )
        return self._message_payload(message)

    def _formatted_caption(self, params: _Params) -> tuple[str | None, dict[str, Any]]:
        caption = params.text("caption") or None
        if caption is None:
            return None, {"plain_text": None, "entities": []}
        plain, entities = _format(
            caption,
            params.text("parse_mode"),
            params.json("caption_entities", "can't parse entities JSON object"),
            limit=_CAPTION_LIMIT,
            too_long="message caption is too long",
        )
        return caption, {"plain_text": plain or None, "entities": entities}

    def _formatted_text(self, params: _Params) -> tuple[str, dict[str, Any]]:
        text = params.text("text")
        if not text:
            raise _bad_request("message text is empty")
        plain, entities = _format(
            text,
            params.text("parse_mode"),
            params.json("entities", "can't parse entities JSON object"),
            limit=_TEXT_LIMIT,
            too_long="message is too long",
        )
        if not plain:
            raise _bad_request("message text is empty")
        return text, {"plain_text": plain, "entities": entities}

    def _input_file(self, params: _Params, name: str, kind: str) -> _StoredFile:
        value = params.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.values.get(value.removeprefix("attach://"))
        if value is None or value == "":
            raise _bad_request(f"there is no {name} in the request")
        if isinstance(value, UploadedFile):
            return self._uploaded_file(value, kind)
        if not isinstance(value, str):
            raise _bad_request("wrong file identifier/HTTP URL specified")
        known = self._files.get(value)
        if known is not None:
            if known.kind != kind:
                raise _bad_request("type of file mismatch")
            return known
        if urlsplit(value).scheme in ("http", "https"):
            # Telegram would download it; the emulator records the address only.
            stored = self._new_file(kind, b"", value.rsplit("/", 1)[-1] or None, None)
            stored.mime_type = mimetypes.guess_type(value)[0]
            return stored
        raise _bad_request("wrong file identifier/HTTP URL specified")

    def _uploaded_file(self, upload: UploadedFile, kind: str) -> _StoredFile:
        if not upload.content:
            raise _bad_request("file must be non-empty")
        limit = self.max_photo_bytes if kind == "photo" else self.max_upload_bytes
        if len(upload.content) > limit:
            raise BotApiError(413, "Request Entity Too Large")
        if kind == "photo" and not _looks_like_image(upload.content):
            raise _bad_request("IMAGE_PROCESS_FAILED")
        mime_type = upload.mime_type
        if not mime_type or mime_type == "application/octet-stream":
            mime_type = mimetypes.guess_type(upload.file_name)[0] or "application/octet-stream"
        return self._new_file(kind, upload.content, upload.file_name, mime_type)

    @staticmethod
    def _coordinate(params: _Params, name: str, bound: float) -> float:
        value = params.number(name)
        if value is None or not math.isfinite(value) or not -bound <= value <= bound:
            raise _bad_request(f"wrong {name}")
        return value

    def _scope_key(self, params: _Params) -> str:
        error = "can't parse BotCommandScope JSON object"
        scope = params.json("scope", error) if params.present("scope") else {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise _bad_request(error)
        kind = scope["type"]
        if kind in _DEFAULT_SCOPES:
            return str(kind)
        if kind not in ("chat", "chat_administrators", "chat_member"):
            raise _bad_request("wrong BotCommandScope type specified")
        chat = self._chat(scope.get("chat_id"))
        if kind == "chat":
            return f"chat:{chat.id}"
        if chat.type == "private":
            raise _bad_request("can't change commands of administrators in private chats")
        if kind == "chat_administrators":
            return f"chat_administrators:{chat.id}"
        user_id = _as_int(scope.get("user_id"))
        if user_id is None or user_id not in chat.members:
            raise _bad_request("user not found")
        return f"chat_member:{chat.id}:{user_id}"

    @staticmethod
    def _language_code(params: _Params) -> str:
        language = params.text("language_code") or ""
        if language and not _LANGUAGE_CODE_RE.fullmatch(language):
            raise _bad_request("LANGUAGE_CODE_INVALID")
        return language

    # ---------------------------------------------------------------------------- updates

    def _take_allowed(self, update: dict[str, Any]) -> bool:
        """Whether the bot's allowed_updates let this update through; others are dropped."""
        kind = next(key for key in update if key != "update_id")
        allowed = self._allowed_updates or _DEFAULT_UPDATE_TYPES
        if kind in allowed:
            return True
        del self._pending[update["update_id"]]
        return False

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            # A negative offset keeps only the last -offset updates.
            for update_id in sorted(self._pending)[:offset]:
                del self._pending[update_id]
            return
        for update_id in [u for u in self._pending if u < offset]:
            if self._redelivered.get(update_id) is False:
                continue  # re-delivered and not yet seen again by the bot
            del self._pending[update_id]
            self._redelivered.pop(update_id, None)
        self.confirmed_offset = max(self.confirmed_offset, offset)

    def _set_allowed_updates(self, params: _Params) -> None:
        allowed = params.json("allowed_updates", "can't parse allowed updates JSON array")
        if allowed is None:
            return
        if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
            raise _bad_request("can't parse allowed updates JSON array")
        self._allowed_updates = frozenset(allowed) or None

    async def _get_updates(self, params: _Params) -> list[dict[str, Any]]:
        if self.webhook_url is not None:
            raise BotApiError(409, _POLL_WHILE_WEBHOOK)
        offset = params.integer("offset") or 0
        limit = params.integer("limit") or 100
        limit = limit if 1 <= limit <= 100 else 100
        timeout = max(params.number("timeout") or 0.0, 0.0)
        self._set_allowed_updates(params)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # terminates an older waiting poll
        self._confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            if self._poll_generation != generation:
                raise BotApiError(409, _POLL_SUPERSEDED, counted=False)
            if self.webhook_url is not None:
                raise BotApiError(409, "Conflict: terminated by setWebhook request", counted=False)
            batch = [u for _, u in sorted(self._pending.items()) if self._take_allowed(u)]
            batch = batch[:limit]
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._closing or params.disconnected.is_set():
                for update in batch:
                    if update["update_id"] in self._redelivered:
                        self._redelivered[update["update_id"]] = True
                return batch
            # asyncio.timeout: Python 3.11's wait_for may swallow a cancellation in a loop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await changed.wait()

    async def _set_webhook(self, params: _Params) -> bool:
        url = params.text("url") or ""
        secret = params.text("secret_token") or None
        if secret is not None and not _SECRET_TOKEN_RE.fullmatch(secret):
            raise _bad_request("secret token contains unallowed characters")
        parts = urlsplit(url)
        if url and (parts.scheme not in ("http", "https") or not parts.hostname):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            # Plain HTTP is only tolerated on loopback, where no Telegram could reach anyway.
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self._set_allowed_updates(params)
        if params.flag("drop_pending_updates"):
            self._pending.clear()
        self.webhook_url = url or None
        self.webhook_secret = secret if url else None
        if self.webhook_url is None:
            await self._stop_webhook_delivery()
        else:
            self._restart_webhook_delivery()
        return True

    async def _delete_webhook(self, params: _Params) -> bool:
        if params.flag("drop_pending_updates"):
            self._pending.clear()
        self.webhook_url = None
        self.webhook_secret = None
        await self._stop_webhook_delivery()
        return True

    async def _get_webhook_info(self, params: _Params) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.webhook_url:
            info["max_connections"] = 40
            if self._allowed_updates:
                info["allowed_updates"] = sorted(self._allowed_updates)
            if self._webhook_last_error_date is not None:
                info["last_error_date"] = self._webhook_last_error_date
                info["last_error_message"] = self.webhook_last_error
        return info

    def _restart_webhook_delivery(self) -> None:
        if self._webhook_task is not None:
            self._webhook_task.cancel()
        if self._server is not None and self.webhook_url is not None:
            self._webhook_task = asyncio.create_task(
                self._deliver_webhook(self.webhook_url, self.webhook_secret),
                name="BotApiEmulator webhook delivery",
            )

    async def _stop_webhook_delivery(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _next_webhook_update(self) -> dict[str, Any] | None:
        for _, update in sorted(self._pending.items()):
            if self._take_allowed(update):
                return update
        return None

    async def _deliver_webhook(self, url: str, secret: str | None) -> None:
        """Post pending updates one at a time, in order; retry each until a 2xx answer."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        backoff = _WEBHOOK_BACKOFF_START
        async with httpx.AsyncClient(timeout=10.0) as client:
            while True:
                update = await self._wait_for(self._next_webhook_update, None)
                try:
                    response = await client.post(url, content=json.dumps(update), headers=headers)
                    failure = None
                    if not response.is_success:
                        status = f"{response.status_code} {response.reason_phrase}"
                        failure = f"Wrong response from the webhook: {status}"
                except httpx.HTTPError as error:
                    failure = f"Connection failed: {error!r}"
                if failure is None:
                    update_id = update["update_id"]
                    self._pending.pop(update_id, None)
                    self._redelivered.pop(update_id, None)
                    self.confirmed_offset = max(self.confirmed_offset, update_id + 1)
                    backoff = _WEBHOOK_BACKOFF_START
                    self._notify()
                    continue
                self.webhook_failures += 1
                self.webhook_last_error = failure
                self._webhook_last_error_date = int(time.time())
                self._notify()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _WEBHOOK_BACKOFF_MAX)

    # ---------------------------------------------------------------------------- methods

    async def _get_me(self, params: _Params) -> dict[str, Any]:
        return {
            **self._bot_payload(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _send_message(self, params: _Params) -> dict[str, Any]:
        markup = self._markup(params)
        chat = self._chat(params.values.get("chat_id"))
        text, extra = self._formatted_text(params)
        return self._bot_message(params, chat, "text", text, markup=markup, extra=extra)

    async def _send_photo(self, params: _Params) -> dict[str, Any]:
        markup = self._markup(params)
        chat = self._chat(params.values.get("chat_id"))
        caption, extra = self._formatted_caption(params)
        stored = self._input_file(params, "photo", "photo")
        extra |= {
            "photo": self._photo_sizes(stored),
            "content": stored.content,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_id": stored.file_id,
        }
        return self._bot_message(params, chat, "photo", caption, markup=markup, extra=extra)

    async def _send_document(self, params: _Params) -> dict[str, Any]:
        markup = self._markup(params)
        chat = self._chat(params.values.get("chat_id"))
        caption, extra = self._formatted_caption(params)
        stored = self._input_file(params, "document", "document")
        document: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.content),
        }
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        extra |= {
            "document": document,
            "content": stored.content,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_id": stored.file_id,
        }
        return self._bot_message(params, chat, "document", caption, markup=markup, extra=extra)

    async def _send_location(self, params: _Params) -> dict[str, Any]:
        markup = self._markup(params)
        chat = self._chat(params.values.get("chat_id"))
        latitude = self._coordinate(params, "latitude", 90.0)
        longitude = self._coordinate(params, "longitude", 180.0)
        extra: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
        return self._bot_message(params, chat, "location", None, markup=markup, extra=extra)

    async def _send_venue(self, params: _Params) -> dict[str, Any]:
        markup = self._markup(params)
        chat = self._chat(params.values.get("chat_id"))
        latitude = self._coordinate(params, "latitude", 90.0)
        longitude = self._coordinate(params, "longitude", 180.0)
        title = params.required_text("title")
        address = params.required_text("address")
        extra: dict[str, Any] = {
            "latitude": latitude,
            "longitude": longitude,
            "title": title,
            "address": address,
        }
        return self._bot_message(
            params, chat, "venue", f"{title}\n{address}", markup=markup, extra=extra
        )

    async def _send_chat_action(self, params: _Params) -> bool:
        chat = self._chat(params.values.get("chat_id"))
        if params.text("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        self._check_reachable(chat)
        return True

    def _editable(self, params: _Params) -> tuple[_Chat, ChatMessage]:
        if params.present("inline_message_id"):
            raise BotApiError(400, _NOT_SUPPORTED)
        chat = self._chat(params.values.get("chat_id"))
        message_id = params.integer("message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        message = chat.by_id.get(message_id)
        if message is None or message.deleted:
            raise _bad_request("message to edit not found")
        if not message.from_bot:
            raise _bad_request("message can't be edited")
        return chat, message

    def _apply_edit(self, chat: _Chat, message: ChatMessage, markup: _Markup | None) -> None:
        self._check_reachable(chat)
        message.keyboard = markup.keyboard if markup else None
        message.extra["reply_markup"] = markup.inline if markup else None
        message.extra["edit_date"] = time.time()
        message.edits += 1

    async def _edit_message_text(self, params: _Params) -> dict[str, Any]:
        markup = self._markup(params, inline_only=True)
        chat, message = self._editable(params)
        if message.kind != "text":
            raise _bad_request("there is no text in the message to edit")
        text, content = self._formatted_text(params)
        new_markup = markup.inline if markup else None
        if (
            content["plain_text"] == message.extra.get("plain_text")
            and content["entities"] == message.extra.get("entities")
            and new_markup == message.extra.get("reply_markup")
        ):
            raise _bad_request(_NOT_MODIFIED.removeprefix("Bad Request: "))
        self._apply_edit(chat, message, markup)
        message.text = text
        message.parse_mode = params.text("parse_mode")
        message.extra |= content
        return self._message_payload(message)

    async def _edit_message_reply_markup(self, params: _Params) -> dict[str, Any]:
        markup = self._markup(params, inline_only=True)
        chat, message = self._editable(params)
        if (markup.inline if markup else None) == message.extra.get("reply_markup"):
            raise _bad_request(_NOT_MODIFIED.removeprefix("Bad Request: "))
        self._apply_edit(chat, message, markup)
        return self._message_payload(message)

    async def _delete_message(self, params: _Params) -> bool:
        chat = self._chat(params.values.get("chat_id"))
        message_id = params.integer("message_id")
        message = chat.by_id.get(message_id) if message_id is not None else None
        if message is None or message.deleted:
            raise _bad_request("message to delete not found")
        if chat.type != "private" and not message.from_bot:
            # The bot is no group administrator here.
            raise _bad_request("message can't be deleted for everyone")
        message.deleted = True
        return True

    async def _answer_callback_query(self, params: _Params) -> bool:
        query_id = params.text("callback_query_id")
        if not query_id or query_id not in self._unanswered:
            raise BotApiError(400, _CALLBACK_EXPIRED)
        text = params.text("text") or ""
        if _utf16_len(text) > _CALLBACK_ANSWER_LIMIT:
            raise _bad_request("text is too long")
        del self._unanswered[query_id]
        self.callback_answers[query_id] = dict(params.values)
        return True

    async def _set_my_commands(self, params: _Params) -> bool:
        commands = params.json("commands", "can't parse commands JSON object")
        if not isinstance(commands, list):
            raise _bad_request('field "commands" must be of type Array')
        if len(commands) > 100:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH")
        parsed: list[dict[str, str]] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("can't parse BotCommand JSON object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _BOT_COMMAND_RE.fullmatch(name):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not description.strip():
                raise _bad_request("command description is empty")
            if len(description) > 256:
                raise _bad_request("command description is too long")
            parsed.append({"command": name, "description": description})
        key = (self._scope_key(params), self._language_code(params))
        if parsed:
            self.commands[key] = parsed
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: _Params) -> list[dict[str, str]]:
        key = (self._scope_key(params), self._language_code(params))
        return list(self.commands.get(key, []))

    async def _delete_my_commands(self, params: _Params) -> bool:
        key = (self._scope_key(params), self._language_code(params))
        self.commands.pop(key, None)
        return True

    async def _get_file(self, params: _Params) -> dict[str, Any]:
        stored = self._files.get(params.text("file_id") or "")
        if stored is None:
            raise _bad_request("invalid file_id")
        return {
            "file_id": params.text("file_id"),
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.content),
            "file_path": stored.path,
        }

    # ---------------------------------------------------------------------------- control

    async def _control(self, verb: str, path: str, body: Any) -> Any:
        """The JSON control interface: the Python API for processes outside this loop."""
        if not isinstance(body, dict):
            raise TypeError("the body must be a JSON object")
        match (verb, path.strip("/").split("/")):
            case ("POST", ["users"]):
                self.add_user(
                    int(body["user_id"]),
                    str(body.get("first_name", "User")),
                    language_code=body.get("language_code"),
                    username=body.get("username"),
                )
                return {"ok": True}
            case ("POST", ["groups"]):
                member_ids = [int(m) for m in body.get("member_ids", [])]
                self.add_group(int(body["chat_id"]), str(body["title"]), member_ids)
                return {"ok": True}
            case ("POST", ["send_text"]):
                update_id = await self.send_text(
                    int(body["user_id"]), str(body["text"]), chat_id=body.get("chat_id")
                )
                return {"update_id": update_id}
            case ("POST", ["press"]):
                chat_id = int(body["chat_id"])
                message = self._chats[chat_id].by_id[int(body["message_id"])]
                update_id = await self.press(int(body["user_id"]), message, str(body["button"]))
                return {"update_id": update_id}
            case ("POST", ["location"]):
                update_id = await self.send_location(
                    int(body["user_id"]),
                    float(body["latitude"]),
                    float(body["longitude"]),
                    chat_id=body.get("chat_id"),
                )
                return {"update_id": update_id}
            case ("GET", ["chats", chat_id, "messages"]):
                return [message_to_dict(m) for m in self.messages(int(chat_id))]
            case ("GET", ["refused"]):
                return [_jsonable(asdict(refusal)) for refusal in self.refused]
            case ("GET", ["commands"]):
                return [
                    {"scope": scope, "language_code": language, "commands": commands}
                    for (scope, language), commands in self.commands.items()
                ]
        raise _UnknownEndpointError(f"no control endpoint {verb} /control/{path}")


# --------------------------------------------------------------------------------------------
# HTTP handlers


class _EmulatorHandler(tornado.web.RequestHandler):
    emulator: BotApiEmulator

    def initialize(self, emulator: BotApiEmulator) -> None:
        self.emulator = emulator

    def compute_etag(self) -> None:
        return None  # answers are never cacheable

    def send_json(self, status: int, body: Any) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))


class _ApiHandler(_EmulatorHandler):
    def initialize(self, emulator: BotApiEmulator) -> None:
        super().initialize(emulator)
        self.disconnected = asyncio.Event()

    def on_connection_close(self) -> None:
        self.disconnected.set()
        self.emulator._notify()  # a long poll whose client left stops waiting

    async def get(self, token: str, method: str) -> None:
        await self.serve(token, method)

    async def post(self, token: str, method: str) -> None:
        await self.serve(token, method)

    async def serve(self, token: str, method: str) -> None:
        request = self.request
        raw: dict[str, Any] = {
            name: values[-1].decode("utf-8", "replace")
            for name, values in request.query_arguments.items()
        }
        if request.headers.get("Content-Type", "").startswith("application/json"):
            try:
                body = json.loads(request.body or b"{}")
            except ValueError:
                body = None
            if not isinstance(body, dict):
                self.send_json(400, _bad_request("can't parse JSON object").payload())
                return
            raw.update(body)
        else:
            for name, values in request.body_arguments.items():
                raw[name] = values[-1].decode("utf-8", "replace")
            for name, files in request.files.items():
                part = files[-1]
                raw[name] = UploadedFile(name, part.filename, part.body, part.content_type)
        status, answer = await self.emulator._dispatch(token, method, raw, self.disconnected)
        self.send_json(status, answer)


class _FileHandler(_EmulatorHandler):
    async def get(self, token: str, path: str) -> None:
        stored = self.emulator._files_by_path.get(path)
        if token != self.emulator.token or stored is None:
            self.send_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        self.set_header("Content-Type", stored.mime_type or "application/octet-stream")
        self.finish(stored.content)


class _ControlHandler(_EmulatorHandler):
    async def get(self, path: str) -> None:
        await self.serve("GET", path)

    async def post(self, path: str) -> None:
        await self.serve("POST", path)

    async def serve(self, verb: str, path: str) -> None:
        try:
            body = json.loads(self.request.body or b"{}") if verb == "POST" else {}
            result = await self.emulator._control(verb, path, body)
        except _UnknownEndpointError as error:
            self.send_json(404, {"error": str(error)})
        except KeyError as error:
            self.send_json(400, {"error": f"missing or unknown {error}"})
        except (LookupError, ValueError, TypeError) as error:
            self.send_json(400, {"error": str(error)})
        else:
            self.send_json(200, result)


def _check_reply_keyboard(rows: Any) -> None:
    """As Telegram: an array of arrays of buttons, each a string or an object with a text."""
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request(
            'field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
        )
    for row in rows:
        for button in row:
            text = button if isinstance(button, str) else None
            if isinstance(button, dict):
                text = button.get("text")
            if not isinstance(text, str) or not text:
                raise _bad_request("can't parse keyboard button: Text must be non-empty")
