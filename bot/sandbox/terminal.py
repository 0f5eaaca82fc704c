"""`maraude sandbox`: the real bot against the emulator, with the terminal as the chat.

No token and no network: a newcomer tries the product here and trainers rehearse flows. You act
as any of a few prepared people, type messages and commands, and press buttons by number.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.app import MaraudeBot
from bot.clock import SystemClock
from bot.config import Settings
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from bot.storage import Storage
from bot.storage.models import Role

TEAM_CHAT_ID = -1001000000001
ADMIN_ID = 9001
SETTLE_SECONDS = 0.4
MAX_WAIT_SECONDS = 6.0
# Where the phone is when the person taps "📍 Send my location" (Calais town hall).
SHARED_LOCATION = (50.9513, 1.8587)
REPLY_BUTTON = re.compile(r"k(\d+)")
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
    Identity(1003, "newcomer with an invitation to use", "Lena", "en", Role.PUBLIC),
    Identity(2001, "volunteer (Calais)", "Camille", "fr", Role.VOLUNTEER),
    Identity(3001, "coordinator (Calais)", "Sam", "fr", Role.COORDINATOR),
    Identity(ADMIN_ID, "admin", "Alex", "en", Role.ADMIN),
]

HELP = f"""{BOLD}How to chat{RESET}
  type text or /commands        sent as the current person
  a number, e.g. 2              press button 2 of the last message with buttons
  :as N                         become person N (see :who)
  :team / :private              write in the team chat / back to the private chat
  k1, k2…                       tap a button of the keyboard under the chat (📍 shares
                                a location in Calais; :loc to choose where)
  :loc LAT LON                  share a location, e.g. :loc 50.95 1.85
  :sticker                      send something that is not text
  :history                      show this chat again
  :who  :help  :quit
"""


def render(message: ChatMessage, first_button: int) -> tuple[str, int]:
    """A message as the terminal shows it; returns the text and the next button number."""
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
    lines = [f"{who}{edited}: " + body.replace("\n", "\n     ")]
    number = first_button
    for row in message.keyboard or []:
        cells = []
        for button in row:
            if button.url:
                cells.append(f"[link] {button.text} <{button.url}>")
            else:
                cells.append(f"{BOLD}[{number}]{RESET} {button.text}")
                number += 1
        lines.append("     " + "   ".join(cells))
    reply = message.extra.get("reply_keyboard")
    if isinstance(reply, dict) and isinstance(reply.get("keyboard"), list):
        lines.append(f"     {DIM}keyboard:{RESET} " + reply_keyboard_text(reply["keyboard"]))
    return "\n".join(lines), number


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


class TerminalChat:
    """The read–print loop over the emulator."""

    def __init__(self, emu: BotApiEmulator) -> None:
        self.emu = emu
        self.identity = IDENTITIES[0]
        self.chat_id = self.identity.user_id
        self.last_keyboard: ChatMessage | None = None
        self._seen: dict[int, dict[int, int]] = {}  # chat -> message_id -> edits shown

    def prompt(self) -> str:
        where = "team chat" if self.chat_id < 0 else "private chat"
        return f"{BOLD}{self.identity.first_name}{RESET} ({where})> "

    def show_new(self) -> None:
        """Print messages of the current chat not shown yet (or edited since)."""
        seen = self._seen.setdefault(self.chat_id, {})
        for message in self.emu.messages(self.chat_id):
            if message.deleted or not message.from_bot:
                seen.setdefault(message.message_id, message.edits)
                continue
            # Numbers always press the latest buttons of this chat, printed now or before.
            if any(b.callback_data for b in message.buttons()):
                self.last_keyboard = message
            if seen.get(message.message_id) == message.edits:
                continue
            seen[message.message_id] = message.edits
            text, _ = render(message, 1)
            print(text)
        for chat_id in {i.user_id for i in IDENTITIES} | {TEAM_CHAT_ID}:
            if chat_id == self.chat_id:
                continue
            fresh = [
                m
                for m in self.emu.bot_messages(chat_id)
                if self._seen.setdefault(chat_id, {}).get(m.message_id) != m.edits
            ]
            if fresh:
                name = "the team chat" if chat_id < 0 else _name(chat_id)
                print(f"{DIM}({len(fresh)} new message(s) for {name}){RESET}")

    def show_history(self) -> None:
        self._seen[self.chat_id] = {}
        self.show_new()

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

    async def handle(self, line: str) -> bool:
        """Act on one input line; False to quit."""
        line = line.strip()
        if not line:
            return True
        if line.startswith(":"):
            return await self.command(line)
        if line.isdigit():
            await self.press(int(line))
        elif match := REPLY_BUTTON.fullmatch(line):
            await self.tap(int(match.group(1)))
        else:
            link = DEEP_LINK.fullmatch(line)
            text = f"/start {link.group(1)}" if link else line
            await self.emu.send_text(
                self.identity.user_id, text, chat_id=self.chat_id if self.chat_id < 0 else None
            )
        await self.settle()
        self.show_new()
        return True

    async def press(self, number: int) -> None:
        message = self.last_keyboard
        buttons = [b for b in message.buttons() if b.callback_data] if message else []
        if message is None or not 1 <= number <= len(buttons):
            print(f"{DIM}No button {number} here.{RESET}")
            return
        answered = set(self.emu.callback_answers)
        try:
            await self.emu.press(
                self.identity.user_id, message, buttons[number - 1].callback_data or ""
            )
        except ValueError as refused:  # e.g. a public user in the team chat: not a member
            print(f"{DIM}Telegram would not let you: {refused}. Try :as N.{RESET}")
            return
        await self.settle()
        for query_id, answer in self.emu.callback_answers.items():
            if query_id not in answered and answer.get("text"):
                print(f"{DIM}(pop-up){RESET} {answer['text']}")

    async def tap(self, number: int) -> None:
        """Tap a button of the keyboard shown under the private chat."""
        rows = self.emu.reply_keyboard(self.chat_id) if self.chat_id > 0 else None
        buttons = [button for row in rows or [] for button in row]
        if not 1 <= number <= len(buttons):
            print(f"{DIM}No keyboard button k{number} here.{RESET}")
            return
        button = buttons[number - 1]
        if button.get("request_location"):
            print(f"{DIM}(your phone shares {SHARED_LOCATION[0]}, {SHARED_LOCATION[1]}){RESET}")
        await self.emu.tap_reply_button(
            self.identity.user_id, str(button["text"]), location=SHARED_LOCATION
        )

    async def command(self, line: str) -> bool:
        verb, *args = line[1:].split()
        if verb in ("quit", "q", "exit"):
            return False
        if verb == "help":
            print(HELP)
        elif verb == "who":
            for number, identity in enumerate(IDENTITIES, start=1):
                mark = "→" if identity == self.identity else " "
                print(f" {mark} {number}. {identity.first_name}: {identity.label}")
        elif verb == "as" and args and args[0].isdigit() and 1 <= int(args[0]) <= len(IDENTITIES):
            self.identity = IDENTITIES[int(args[0]) - 1]
            self.chat_id = self.identity.user_id
            self.last_keyboard = None
            print(f"You are now {self.identity.first_name}, {self.identity.label}.")
            self.show_new()
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
                print(f"{DIM}Usage: :loc 50.95 1.85{RESET}")
                return True
            await self.emu.send_location(self.identity.user_id, latitude, longitude)
            await self.settle()
            self.show_new()
        elif verb == "sticker":
            await self.emu.send_sticker(self.identity.user_id)
            await self.settle()
            self.show_new()
        else:
            print(HELP)
        return True


def _name(user_id: int) -> str:
    for identity in IDENTITIES:
        if identity.user_id == user_id:
            return identity.first_name
    return str(user_id)


async def _seed(database: Path) -> None:
    """Give the prepared people their roles (idempotent: a kept database is reused)."""
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
    finally:
        await storage.close()


async def _read_line(prompt: str) -> str | None:
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(None, input, prompt)
    except EOFError:
        return None


async def _main(database: Path) -> None:
    # A kept database remembers update ids; a fresh emulator must not reuse them.
    emu = BotApiEmulator(first_update_id=int(time.time()))
    await emu.start()
    for identity in IDENTITIES:
        emu.add_user(identity.user_id, identity.first_name, language_code=identity.language_code)
    emu.add_group(TEAM_CHAT_ID, "Équipe Calais", [2001, 3001, ADMIN_ID])
    await _seed(database)
    settings = Settings(
        _env_file=None,
        bot_token=emu.token,
        bot_api_base_url=emu.base_url,
        bot_api_file_url=emu.base_file_url,
        database_url=f"sqlite:///{database}",
        admin_ids=frozenset({ADMIN_ID}),
        team_chat_id=TEAM_CHAT_ID,
    )
    stop = asyncio.Event()
    bot_task = asyncio.create_task(MaraudeBot(settings).run(stop))
    chat = TerminalChat(emu)
    print(f"{BOLD}Maraude sandbox{RESET}: the real bot, a pretend Telegram, no network.")
    print(f"Database: {database}\n")
    await chat.command(":who")
    print(HELP)
    print("Start with /start.")
    try:
        while not bot_task.done():
            line = await _read_line(chat.prompt())
            if line is None or not await chat.handle(line):
                break
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(bot_task, timeout=10)
        await emu.stop()
        if emu.refused:
            print(f"Telegram would have refused {len(emu.refused)} request(s):")
            for refusal in emu.refused:
                print(f"  {refusal.method}: {refusal.description}")
    if bot_task.done() and not bot_task.cancelled() and bot_task.exception():
        raise bot_task.exception()  # type: ignore[misc]


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
