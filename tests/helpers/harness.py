"""End-to-end harness: the real MaraudeBot, over HTTP, against the Bot API emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import MaraudeBot
from bot.clock import Clock
from bot.config import Settings
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from bot.storage.models import Role

ADMIN_ID = 900
TEAM_CHAT_ID = -1001234567890


# A fixed key for the tests' incident reports (32 bytes, URL-safe base64).
TEST_INCIDENT_KEY = "dGVzdC1vbmx5LWluY2lkZW50LWtleS0zMi1ieXRlcyE="


def make_settings(emu: BotApiEmulator, database: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": emu.token,
        "bot_api_base_url": emu.base_url,
        "bot_api_file_url": emu.base_file_url,
        "database_url": f"sqlite:///{database}",
        "admin_ids": frozenset({ADMIN_ID}),
        "team_chat_id": TEAM_CHAT_ID,
        # Incident reports work in every test unless one takes the key away (issue 11).
        "incident_key": TEST_INCIDENT_KEY,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class RunningBot:
    """A bot running as a task in the test's event loop."""

    bot: MaraudeBot
    stop_event: asyncio.Event
    task: asyncio.Task[None]

    async def stop(self) -> None:
        self.stop_event.set()
        # A bot that does not stop fails the test at once, never hangs the whole run.
        done, _ = await asyncio.wait({self.task}, timeout=10)
        if not done:
            self.task.cancel()
            done, _ = await asyncio.wait({self.task}, timeout=5)
            raise AssertionError("the bot did not stop within 10 s")
        self.task.result()


async def start_bot(settings: Settings, clock: Clock | None = None) -> RunningBot:
    bot = MaraudeBot(settings, clock)
    stop = asyncio.Event()
    task = asyncio.create_task(bot.run(stop))
    running = RunningBot(bot, stop, task)
    # Ready once the services are open: updates sent before that simply wait in the emulator.
    for _ in range(500):
        if bot._services is not None or task.done():
            break
        await asyncio.sleep(0.01)
    if task.done():
        task.result()
    # What the bot says by itself at start-up (notices to admins) goes out before the test
    # talks, so that it is never taken for the answer to the test's first message.
    await outbox_settled(running)
    return running


async def outbox_settled(running: RunningBot) -> None:
    """Wait until nothing is left to send now (for at most five seconds)."""
    bot = running.bot
    for _ in range(500):
        if running.task.done() or not await bot.storage.outbox.due(bot.clock.now()):
            return
        await asyncio.sleep(0.01)


class Person:
    """A Telegram user driving the bot through the emulator, as a person would."""

    def __init__(self, emu: BotApiEmulator, user_id: int, chat_id: int | None = None) -> None:
        self.emu = emu
        self.id = user_id
        self.chat_id = chat_id if chat_id is not None else user_id

    def _mark(self) -> int:
        return len(self.emu.bot_messages(self.chat_id))

    async def say(
        self, text: str, *, expect: Callable[[ChatMessage], bool] | None = None
    ) -> ChatMessage:
        """Send a text and return the bot's next message in this chat."""
        since = self._mark()
        await self.emu.send_text(self.id, text, chat_id=self.chat_id if self.chat_id < 0 else None)
        return await self.emu.wait_for_bot_message(self.chat_id, expect, since=since)

    async def press(self, message: ChatMessage, button: str) -> ChatMessage:
        """Press a button and return the message the bot edited or sent in answer."""
        edits_before = message.edits
        since = self._mark()
        await self.emu.press(self.id, message, button)

        def changed() -> bool:
            return message.edits > edits_before or self._mark() > since

        await self.emu.wait_until(changed)
        if message.edits > edits_before:
            return message
        return self.emu.bot_messages(self.chat_id)[since]

    def last(self) -> ChatMessage:
        return self.emu.last_bot_message(self.chat_id)


async def enrol(
    emu: BotApiEmulator,
    running: RunningBot,
    user_id: int,
    name: str,
    role: Role,
    *,
    language: str = "en",
    antenna: str = "calais",
) -> Person:
    """A team member who has talked to the bot once and holds a role, in the team chat too."""
    emu.add_user(user_id, name, language_code=language, username=name.lower())
    person = Person(emu, user_id)
    await person.say("/help")
    async with running.bot.storage.transaction():
        await running.bot.storage.users.set_role(
            user_id, role, antenna=antenna, display_name=name, username=name.lower()
        )
    emu.add_group(TEAM_CHAT_ID, "Équipe Calais", [user_id])  # members add up
    return person
