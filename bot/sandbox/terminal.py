"""`maraude sandbox`: the real bot against the emulator, with the terminal as the chat.

No token and no network: a newcomer tries the product here and trainers rehearse flows. You act
as any of a few prepared people, type messages and commands, and press buttons by number: `2`
on the last message with buttons, `#5 2` on message #5. A line starting with `:` is a terminal
command; one starting with `\\` is sent as text without it (`\\35`, `\\:)`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.app import DEFAULT_ANTENNA, MaraudeBot
from bot.clock import SystemClock
from bot.config import Settings
from bot.sandbox.emulator import BotApiEmulator, Button, ChatMessage
from bot.services.users import UserService
from bot.storage import Storage
from bot.storage.models import Role

log = logging.getLogger(__name__)

TEAM_CHAT_ID = -1001000000001
ADMIN_ID = 9001
NEWCOMER_ID = 1003  # holds an invitation from the coordinator, made at start-up
COORDINATOR_ID = 3001
SETTLE_SECONDS = 0.4
MAX_WAIT_SECONDS = 6.0
# Where the phone is when the person taps "📍 Send my location" (Calais town hall).
SHARED_LOCATION = (50.9513, 1.8587)
REPLY_BUTTON = re.compile(r"k(\d+)")
ON_MESSAGE = re.compile(r"#(\d+)(.*)")  # "#5 2": button 2 of message #5
COMMAND_PREFIX = ":"  # ":as 2", ":team"…: the terminal's own commands
ESCAPE = "\\"  # a leading backslash sends the rest as text: not a button, not a command
MAX_NUMBER_DIGITS = 6  # longer is no button number (and int() refuses 4300+ digits)
WATCH_SECONDS = 3600.0  # the watcher re-arms its wait this often, even if nothing came
DEEP_LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")

BOLD, DIM, RESET, CYAN = "\033[1m", "\033[2m", "\033[0m", "\033[36m"


@dataclass(frozen=True)
class Identity:
    user_id: int
    label: str
    first_name: str
    language_code: str
    role: Role


IDENTITIES = [
    Identity(1001, "exiled person, phone in Arabic", "Ahmad", "ar", Role.PUBLIC),
    Identity(1002, "exiled person, phone in Tigrinya", "Tesfay", "ti", Role.PUBLIC),
    Identity(NEWCOMER_ID, "newcomer with an invitation", "Lena", "en", Role.PUBLIC),
    Identity(2001, "volunteer (Calais)", "Camille", "fr", Role.VOLUNTEER),
    Identity(COORDINATOR_ID, "coordinator (Calais)", "Sam", "fr", Role.COORDINATOR),
    Identity(ADMIN_ID, "admin", "Alex", "en", Role.ADMIN),
]

HELP = f"""{BOLD}How to chat{RESET}
  type text or /commands        sent as the current person
  messages are numbered #1, #2… in each chat; buttons [1], [2]… on each message
  2                             press button 2 of the last message with buttons here
  #5 2                          press button 2 of message #5 (an older question, say)
  \\35  \\:)  \\#5                 a backslash sends the rest as text: "35", ":)", "#5"
  :as N                         become person N (see :who)
  :team / :private              write in the team chat / back to the private chat
  k1, k2…                       tap a button of the keyboard under the chat (📍 shares
                                a location in Calais; :loc to choose where)
  :loc LAT LON                  share a location, e.g. :loc 50.95 1.85
  :sticker                      send something that is not text
  :history                      show this chat again
  :who  :help  :quit            (Ctrl-D quits too)
"""


@dataclass(frozen=True)
class Line:
    """One typed line, understood: what the terminal will do with it."""

    kind: str  # "empty" | "command" | "press" | "tap" | "text" | "error"
    text: str = ""  # the text to send, the command without its prefix, or the error
    number: int = 0  # the button pressed or tapped (-1: a number too long to be one)
    message_id: int | None = None  # "#5 2": the message whose button is pressed


# Issue 11: /incident works in the sandbox (never use this key for real reports).
SANDBOX_INCIDENT_KEY = "c2FuZGJveC1vbmx5LWtleS1uZXZlci1mb3ItcmVhbCE="


def _button_number(digits: str) -> int:
    """A typed button or message number; one too long to be either (or to convert) is -1."""
    return int(digits) if len(digits) <= MAX_NUMBER_DIGITS else -1


def parse_line(raw: str) -> Line:
    """What a typed line means; never raises, whatever was typed."""
    line = raw.strip()
    if not line:
        return Line("empty")
    if line.startswith(ESCAPE):
        text = line[len(ESCAPE) :]
        if not text.strip():
            return Line("error", "Nothing to send after \\. E.g. \\35 sends the text 35.")
        return Line("text", text)
    if line.startswith(COMMAND_PREFIX):
        return Line("command", line[len(COMMAND_PREFIX) :])
    if line.isdecimal():
        return Line("press", line, _button_number(line))
    if match := ON_MESSAGE.fullmatch(line):
        message, button = match.group(1), match.group(2).strip()
        if not button:
            return Line("error", f"Which button of message #{message}? E.g. #{message} 1.")
        if not button.isdecimal():
            return Line(
                "error",
                f"#{message} {button[:20]}: after #{message} comes a button number, e.g. "
                f"#{message} 1. To send this as text, start it with \\.",
            )
        return Line("press", line, _button_number(button), _button_number(message))
    if match := REPLY_BUTTON.fullmatch(line):
        return Line("tap", line, _button_number(match.group(1)))
    return Line("text", line)


def render(message: ChatMessage, first_button: int = 1) -> tuple[str, int]:
    """A message as the terminal shows it, with its number in the chat (#5) for `#5 2`;
    returns the text and the next button number."""
    if message.kind == "location":
        body = f"📍 {message.extra.get('latitude')}, {message.extra.get('longitude')}"
    elif message.kind == "venue":
        # A pin as a phone shows it: the place's name, its address, then where on the map.
        extra = message.extra
        latitude, longitude = float(extra["latitude"]), float(extra["longitude"])
        body = (
            f"📍 {BOLD}{extra.get('title', '')}{RESET}\n{extra.get('address', '')}\n"
            f"{DIM}🗺 {latitude:.5f}, {longitude:.5f}  "
            f"https://www.openstreetmap.org/?mlat={latitude:.5f}&mlon={longitude:.5f}{RESET}"
        )
    elif message.kind == "document":
        body = f"📄 {message.extra.get('file_name', 'file')}\n{message.plain_text or ''}"
    else:
        body = message.plain_text or message.text or f"[{message.kind}]"
    who = f"{CYAN}bot{RESET}" if message.from_bot else f"{DIM}you{RESET}"
    edited = f" {DIM}(edited){RESET}" if message.edits else ""
    number = f"{DIM}#{message.message_id}{RESET}"
    lines = [f"{number} {who}{edited}: " + body.replace("\n", "\n     ")]
    next_button = first_button
    for row in message.keyboard or []:
        cells = []
        for button in row:
            if button.callback_data:
                cells.append(f"{BOLD}[{next_button}]{RESET} {button.text}")
                next_button += 1
            elif button.url:
                cells.append(f"[link] {button.text} <{button.url}>")
            else:
                cells.append(button.text)
        lines.append("     " + "   ".join(cells))
    reply = message.extra.get("reply_keyboard")
    if isinstance(reply, dict) and isinstance(reply.get("keyboard"), list):
        lines.append(f"     {DIM}keyboard:{RESET} " + reply_keyboard_text(reply["keyboard"]))
    return "\n".join(lines), next_button


def reply_keyboard_text(rows: list[list[object]]) -> str:
    """The buttons shown in place of the phone's keyboard, numbered k1, k2…"""
    cells = []
    buttons = [button for row in rows for button in row]
    for number, button in enumerate(buttons, start=1):
        text = button if isinstance(button, str) else ""
        if isinstance(button, dict):
            text = str(button.get("text", ""))
        cells.append(f"{BOLD}[k{number}]{RESET} {text}")
    return "   ".join(cells)


def _pressable(message: ChatMessage) -> list[Button]:
    """The buttons a number presses: those that send a callback (links are opened, not
    pressed), in the order they are numbered on screen."""
    return [button for button in message.buttons() if button.callback_data]


def _messages(count: int) -> str:
    return f"{count} new message" + ("" if count == 1 else "s")


ReadLine = Callable[[str], Awaitable[str | None]]


class TerminalChat:
    """The read–print loop over the emulator.

    Messages the bot sends by itself (a safety check, a help alert, a reminder) are printed as
    they come while the terminal waits for a line, and the prompt is drawn again after them.
    """

    def __init__(
        self,
        emu: BotApiEmulator,
        out: TextIO | None = None,
        *,
        invitation: str | None = None,
        tty: bool = False,
    ) -> None:
        self.emu = emu
        self.out = out or sys.stdout
        self.tty = tty  # a person at a terminal (readline), rather than a piped script
        self.invitation = invitation  # the code the newcomer persona redeems
        self.identity = IDENTITIES[0]
        self.chat_id = self.identity.user_id
        self.last_keyboard: ChatMessage | None = None
        self._seen: dict[int, dict[int, int]] = {}  # chat -> message_id -> edits shown
        # chat -> (message_id, edits) already counted in an "N new messages for X" line
        self._announced: dict[int, set[tuple[int, int]]] = {}
        self._waiting = asyncio.Event()  # set while the terminal waits for a line
        self._prompt = ""

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def prompt(self) -> str:
        where = "team chat" if self.chat_id < 0 else "private chat"
        return f"{BOLD}{self.identity.first_name}{RESET} ({where})> "

    def hint(self, identity: Identity) -> str:
        """What a trainer is told about a persona, e.g. how to use the invitation."""
        if identity.user_id != NEWCOMER_ID:
            return identity.label
        if self.invitation is None:
            return f"{identity.label} (already used: {identity.first_name} is in the team)"
        return f"{identity.label}: type /start {self.invitation} to join the Calais team"

    # ------------------------------------------------------------------------ showing

    def _other_chats(self) -> list[int]:
        chats = [identity.user_id for identity in IDENTITIES] + [TEAM_CHAT_ID]
        return [chat_id for chat_id in chats if chat_id != self.chat_id]

    def _unread(self, chat_id: int) -> list[ChatMessage]:
        seen = self._seen.get(chat_id, {})
        return [m for m in self.emu.bot_messages(chat_id) if seen.get(m.message_id) != m.edits]

    def _unannounced(self, chat_id: int) -> bool:
        announced = self._announced.get(chat_id, set())
        return any((m.message_id, m.edits) not in announced for m in self._unread(chat_id))

    def has_news(self) -> bool:
        """Whether show_new would print anything now."""
        return bool(self._unread(self.chat_id)) or any(
            self._unannounced(chat_id) for chat_id in self._other_chats()
        )

    def news(self) -> list[str]:
        """Messages of the current chat not shown yet (or edited since), then one line per
        other chat that got messages since it was last mentioned; marks them all as shown."""
        lines = []
        seen = self._seen.setdefault(self.chat_id, {})
        self.last_keyboard = None
        for message in self.emu.messages(self.chat_id):
            if message.deleted or not message.from_bot:
                seen.setdefault(message.message_id, message.edits)
                continue
            # A bare number presses the latest buttons of this chat, printed now or before.
            if _pressable(message):
                self.last_keyboard = message
            if seen.get(message.message_id) == message.edits:
                continue
            seen[message.message_id] = message.edits
            lines.append(render(message)[0])
        for chat_id in self._other_chats():
            # Said once per batch: each message (or edit) is counted in one notice only.
            announced = self._announced.setdefault(chat_id, set())
            batch = [m for m in self._unread(chat_id) if (m.message_id, m.edits) not in announced]
            if batch:
                announced.update((m.message_id, m.edits) for m in batch)
                lines.append(f"{DIM}({_messages(len(batch))} for {_whom(chat_id)}){RESET}")
        return lines

    def show_new(self) -> None:
        for line in self.news():
            self.say(line)

    def show_history(self) -> None:
        self._seen[self.chat_id] = {}
        self.show_new()

    def _show_arrivals(self) -> None:
        """Print what came while the person is typing, then draw the prompt again."""
        lines = self.news()
        if not lines:
            return
        if self.tty:
            # Clear the prompt line, print, then give back the prompt and what was typed.
            self.out.write("\r\033[K" + "\n".join(lines) + "\n" + self._prompt + _typed())
        else:
            self.out.write("\n" + "\n".join(lines) + "\n" + self._prompt)
        self.out.flush()

    async def watch(self) -> None:
        """Show messages as they arrive while the terminal waits for a line."""
        while True:
            await self._waiting.wait()
            try:
                await self.emu.wait_until(self.has_news, timeout=WATCH_SECONDS)
            except TimeoutError:
                continue
            await self.settle()  # a batch (a message and its pin) prints together
            if self._waiting.is_set():
                self._show_arrivals()
            else:  # a line is being handled and prints them; wait for the next prompt
                await asyncio.sleep(0)

    async def settle(self) -> None:
        """Wait until the bot has gone quiet for a moment, so its answers print together."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + MAX_WAIT_SECONDS
        count = -1
        while loop.time() < deadline:
            current = len(self.emu.requests)
            if current == count:
                return
            count = current
            await asyncio.sleep(SETTLE_SECONDS)

    # ------------------------------------------------------------------------ acting

    async def run(self, read_line: ReadLine, alive: Callable[[], bool] = lambda: True) -> None:
        """Read and act on lines until :quit or the end of input (Ctrl-D)."""
        watcher = asyncio.create_task(self.watch())
        try:
            while alive():
                self._prompt = self.prompt()
                self._waiting.set()
                try:
                    line = await read_line(self._prompt)
                finally:
                    self._waiting.clear()
                if line is None:
                    if self.tty:
                        self.say("")
                    break
                if not await self.handle_safely(line):
                    break
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def handle_safely(self, line: str) -> bool:
        """handle(), but a line that fails is said and the session goes on."""
        try:
            return await self.handle(line)
        except Exception as error:  # a bad line never ends the session
            log.exception("sandbox line failed")
            self.say(f"{DIM}That did not work ({type(error).__name__}: {error}).{RESET}")
            return True

    async def handle(self, raw: str) -> bool:
        """Act on one input line; False to quit."""
        line = parse_line(raw)
        if line.kind == "empty":
            return True
        if line.kind == "error":
            self.say(f"{DIM}{line.text}{RESET}")
            return True
        if line.kind == "command":
            return await self.command(line.text)
        if line.kind == "press":
            if not await self.press(line):
                return True
        elif line.kind == "tap":
            await self.tap(line.number)
        else:
            link = DEEP_LINK.fullmatch(line.text)
            text = f"/start {link.group(1)}" if link else line.text
            await self.emu.send_text(
                self.identity.user_id, text, chat_id=self.chat_id if self.chat_id < 0 else None
            )
        await self.settle()
        self.show_new()
        return True

    def _target(self, line: Line) -> ChatMessage | None:
        """The message whose button a number presses, or None once the reason is said."""
        if line.message_id is None:
            if self.last_keyboard is None:
                self.say(
                    f"{DIM}No buttons in this chat to press. "
                    f"To send {line.text} as a text, type \\{line.text}.{RESET}"
                )
            return self.last_keyboard
        found = [m for m in self.emu.messages(self.chat_id) if m.message_id == line.message_id]
        if not found:
            shown = f"#{line.message_id}" if line.message_id >= 0 else "with that number"
            self.say(f"{DIM}No message {shown} in this chat.{RESET}")
            return None
        if found[0].deleted:
            self.say(f"{DIM}Message #{line.message_id} was deleted.{RESET}")
            return None
        return found[0]

    async def press(self, line: Line) -> bool:
        """Press a button of a message of this chat; False when nothing was sent."""
        message = self._target(line)
        if message is None:
            return False
        buttons = _pressable(message)
        if not buttons:
            self.say(f"{DIM}Message #{message.message_id} has no buttons to press.{RESET}")
            return False
        if not 1 <= line.number <= len(buttons):
            shown = str(line.number) if line.number >= 0 else "that long"
            self.say(
                f"{DIM}Message #{message.message_id} has no button {shown}: "
                f"its buttons are 1 to {len(buttons)}.{RESET}"
            )
            return False
        answered = set(self.emu.callback_answers)
        try:
            await self.emu.press(
                self.identity.user_id, message, buttons[line.number - 1].callback_data or ""
            )
        except ValueError as refused:  # e.g. a public user in the team chat: not a member
            self.say(f"{DIM}Telegram would not let you: {refused}. Try :as N.{RESET}")
            return False
        except LookupError:  # deleted between showing and pressing
            self.say(f"{DIM}Message #{message.message_id} is gone.{RESET}")
            return False
        await self.settle()
        for query_id, answer in self.emu.callback_answers.items():
            if query_id not in answered and answer.get("text"):
                self.say(f"{DIM}(pop-up){RESET} {answer['text']}")
        return True

    async def tap(self, number: int) -> None:
        """Tap a button of the keyboard shown under the private chat."""
        rows = self.emu.reply_keyboard(self.chat_id) if self.chat_id > 0 else None
        buttons = [button for row in rows or [] for button in row]
        if not 1 <= number <= len(buttons):
            self.say(f"{DIM}No keyboard button k{number} here.{RESET}")
            return
        button = buttons[number - 1]
        if button.get("request_location"):
            self.say(f"{DIM}(your phone shares {SHARED_LOCATION[0]}, {SHARED_LOCATION[1]}){RESET}")
        await self.emu.tap_reply_button(
            self.identity.user_id, str(button["text"]), location=SHARED_LOCATION
        )

    def become(self, args: list[str]) -> None:
        """:as N: act as prepared person N, in their private chat."""
        number = _button_number(args[0]) if len(args) == 1 and args[0].isdecimal() else 0
        if not 1 <= number <= len(IDENTITIES):
            self.say(f"{DIM}Usage: :as N, with N from 1 to {len(IDENTITIES)} (see :who).{RESET}")
            return
        self.identity = IDENTITIES[number - 1]
        self.chat_id = self.identity.user_id
        self.last_keyboard = None
        self.say(f"You are now {self.identity.first_name}, {self.hint(self.identity)}.")
        self.show_new()

    async def command(self, text: str) -> bool:
        verb, *args = text.split() or [""]
        if verb in ("quit", "q", "exit"):
            return False
        if verb in ("help", ""):
            self.say(HELP)
        elif verb == "who":
            for number, identity in enumerate(IDENTITIES, start=1):
                mark = "→" if identity == self.identity else " "
                self.say(f" {mark} {number}. {identity.first_name}: {self.hint(identity)}")
        elif verb == "as":
            self.become(args)
        elif verb == "team":
            self.chat_id = TEAM_CHAT_ID
            self.last_keyboard = None
            self.show_new()
        elif verb == "private":
            self.chat_id = self.identity.user_id
            self.last_keyboard = None
            self.show_new()
        elif verb == "history":
            self.show_history()
        elif verb == "loc" and len(args) == 2:
            try:
                latitude, longitude = float(args[0]), float(args[1])
            except ValueError:
                self.say(f"{DIM}Usage: :loc 50.95 1.85{RESET}")
                return True
            await self.emu.send_location(self.identity.user_id, latitude, longitude)
            await self.settle()
            self.show_new()
        elif verb == "sticker":
            await self.emu.send_sticker(self.identity.user_id)
            await self.settle()
            self.show_new()
        else:
            self.say(
                f"{DIM}{COMMAND_PREFIX}{text[:20]} is not a terminal command (see :help). "
                f"To send it as a text, type \\{COMMAND_PREFIX}{text[:20]}{RESET}"
            )
        return True


def _typed() -> str:
    """What the person has typed on the prompt line so far (readline's buffer)."""
    readline = sys.modules.get("readline")
    if readline is None:
        return ""
    with contextlib.suppress(Exception):
        return str(readline.get_line_buffer())
    return ""


def _whom(chat_id: int) -> str:
    if chat_id < 0:
        return "the team chat (:team)"
    for number, identity in enumerate(IDENTITIES, start=1):
        if identity.user_id == chat_id:
            return f"{identity.first_name} (:as {number})"
    return str(chat_id)


def _name(user_id: int) -> str:
    for identity in IDENTITIES:
        if identity.user_id == user_id:
            return identity.first_name
    return str(user_id)


async def _seed(database: Path) -> str | None:
    """Give the prepared people their roles (idempotent: a kept database is reused) and the
    newcomer an invitation, made by the coordinator through the service /invite uses.

    Returns the invitation's code, or None when the newcomer already joined (kept database).
    """
    storage = Storage(database)
    await storage.open()
    try:
        async with storage.transaction():
            for identity in IDENTITIES:
                if identity.role in (Role.VOLUNTEER, Role.COORDINATOR):
                    now = SystemClock().now()
                    user = await storage.users.get(identity.user_id)
                    if user is None:
                        await storage.users.touch(identity.user_id, identity.language_code, now)
                        await storage.users.set_role(
                            identity.user_id,
                            identity.role,
                            antenna="calais",
                            display_name=identity.first_name,
                        )
            newcomer = await storage.users.get(NEWCOMER_ID)
            if newcomer is not None and newcomer.has(Role.VOLUNTEER):
                return None
            users = UserService(storage, SystemClock(), frozenset({ADMIN_ID}), DEFAULT_ANTENNA)
            coordinator = await users.get(COORDINATOR_ID)
            assert coordinator is not None  # seeded just above
            return (await users.create_invite(coordinator)).code
    finally:
        await storage.close()


async def _read_line(prompt: str) -> str | None:
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(None, input, prompt)
    except EOFError:
        return None


def _for_readline(prompt: str) -> str:
    """Mark the prompt's colour codes as invisible, so readline measures the line right."""
    return re.sub(r"(\033\[[0-9;]*m)", "\001\\1\002", prompt)


async def session(
    database: Path,
    read_line: ReadLine,
    out: TextIO | None = None,
    *,
    tty: bool = False,
    emu: BotApiEmulator | None = None,
) -> None:
    """One sandbox: the emulator, the prepared people, the real bot and the terminal chat,
    until the person quits or the input ends. A started emulator may be given (tests); it is
    stopped at the end all the same."""
    out = out or sys.stdout
    if emu is None:
        # A kept database remembers update ids; a fresh emulator must not reuse them.
        emu = BotApiEmulator(first_update_id=int(time.time()))
        await emu.start()
    for identity in IDENTITIES:
        emu.add_user(identity.user_id, identity.first_name, language_code=identity.language_code)
    emu.add_group(TEAM_CHAT_ID, "Équipe Calais", [2001, COORDINATOR_ID, ADMIN_ID])
    invitation = await _seed(database)
    settings = Settings(
        _env_file=None,
        bot_token=emu.token,
        bot_api_base_url=emu.base_url,
        bot_api_file_url=emu.base_file_url,
        database_url=f"sqlite:///{database}",
        admin_ids=frozenset({ADMIN_ID}),
        team_chat_id=TEAM_CHAT_ID,
        # Pretend reports need a key too: a fixed one, for the sandbox's pretend data only.
        incident_key=os.environ.get("INCIDENT_KEY") or SANDBOX_INCIDENT_KEY,
    )
    stop = asyncio.Event()
    bot_task = asyncio.create_task(MaraudeBot(settings).run(stop))
    chat = TerminalChat(emu, out, invitation=invitation, tty=tty)
    chat.say(f"{BOLD}Maraude sandbox{RESET}: the real bot, a pretend Telegram, no network.")
    chat.say(f"Database: {database}\n")
    await chat.command("who")
    chat.say(HELP)
    chat.say("Start with /start.")
    try:
        await chat.run(read_line, alive=lambda: not bot_task.done())
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(bot_task, timeout=10)
        await emu.stop()
        if emu.refused:
            chat.say(f"Telegram would have refused {len(emu.refused)} request(s):")
            for refusal in emu.refused:
                chat.say(f"  {refusal.method}: {refusal.description}")
    if bot_task.done() and not bot_task.cancelled() and bot_task.exception():
        raise bot_task.exception()  # type: ignore[misc]


async def _main(database: Path) -> None:
    tty = sys.stdin.isatty() and sys.stdout.isatty()
    read_line = _read_line
    if tty:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401 - line editing and history for input()

        async def read_line(prompt: str) -> str | None:
            return await _read_line(_for_readline(prompt))

    await session(database, read_line, sys.stdout, tty=tty)


def run_sandbox(database: Path | None) -> int:
    """Run the sandbox until the person quits; logs go to a file, the terminal is the chat."""
    with tempfile.TemporaryDirectory(prefix="maraude-sandbox-") as scratch:
        path = database or Path(scratch) / "sandbox.sqlite3"
        log_file = Path(scratch) / "sandbox.log"
        root = logging.getLogger()
        root.handlers[:] = [logging.FileHandler(log_file)]
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_main(path))
        if database is None:
            print("\nThe throw-away database is gone. Use --db FILE to keep one.")
    sys.stdout.flush()
    return 0
