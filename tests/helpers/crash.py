"""The bot as its own process, killed and restarted: what the crash tests share."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.sandbox.emulator import BotApiEmulator
from bot.storage import Storage
from tests.helpers.harness import ADMIN_ID

ROOT = Path(__file__).resolve().parents[2]


def bot_env(emu: BotApiEmulator, database: Path) -> dict[str, str]:
    """`maraude run`'s environment against the emulator."""
    return {
        **os.environ,
        "BOT_TOKEN": emu.token,
        "BOT_API_BASE_URL": emu.base_url,
        "BOT_API_FILE_URL": emu.base_file_url,
        "DATABASE_URL": f"sqlite:///{database}",
        "ADMIN_IDS": str(ADMIN_ID),
        "PYTHONPATH": str(ROOT),
    }


async def launch(env: dict[str, str], cwd: Path, *args: str) -> asyncio.subprocess.Process:
    """`python ARGS` (`-m bot run`, or `-c SCRIPT`), its output thrown away."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def count_invites(storage: Storage) -> int:
    return int(await storage.db.fetch_value("SELECT COUNT(*) FROM invites"))


def invitations(emu: BotApiEmulator) -> int:
    """The admin also hears start-up notices; a burst's answers are the invitations."""
    return sum("?start=" in (m.text or "") for m in emu.bot_messages(ADMIN_ID))


async def assert_burst_took_effect_once(database: Path, first_user: int, burst: int) -> None:
    """A burst of `/invite` and `/start lang-so` from `burst` newcomers, across a crash: each
    update handled once and fine, each invitation made once, each newcomer in Somali."""
    storage = Storage(database)
    await storage.open()
    try:
        assert await count_invites(storage) == burst  # each /invite took effect exactly once
        outcomes = await storage.inbox.outcomes()
        assert len(outcomes) == 2 * burst
        assert set(outcomes.values()) == {"ok"}
        locales = await storage.db.fetch_all(
            "SELECT locale FROM users WHERE id BETWEEN ? AND ?",
            (first_user, first_user + burst - 1),
        )
        assert [row[0] for row in locales] == ["so"] * burst
    finally:
        await storage.close()
