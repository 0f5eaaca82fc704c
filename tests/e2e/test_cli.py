"""The command line as an operator uses it: real processes, real logs."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.sandbox.emulator import BotApiEmulator
from bot.storage.models import Role
from tests.helpers.harness import ADMIN_ID

ROOT = Path(__file__).resolve().parents[2]


def maraude(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd or ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_wrong_setting_stops_start_up_with_one_clear_line(tmp_path: Path) -> None:
    result = maraude("run", env={"TIMEZONE": "Mars/Olympus"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Configuration error: TIMEZONE: unknown time zone 'Mars/Olympus' "
        "(expected e.g. Europe/Paris)"
    ]
    assert "Traceback" not in result.stderr


def test_run_without_a_token_points_to_the_sandbox(tmp_path: Path) -> None:
    env = {"BOT_TOKEN": ""}
    result = maraude("run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "maraude sandbox" in result.stderr


async def test_a_rejected_token_is_one_line_without_the_token(tmp_path: Path) -> None:
    wrong = "987654321:AAWrongTokenWrongTokenWrongTokenWrong00"
    async with BotApiEmulator() as telegram:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": wrong,
            "BOT_API_BASE_URL": telegram.base_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        raw, _ = await asyncio.wait_for(process.communicate(), timeout=30)
        # Telegram said 401 to the wrong token, as expected here.
        assert [(r.method, r.error_code) for r in telegram.refused] == [("getMe", 401)]
    output = raw.decode()
    assert process.returncode == 2, output
    assert "Configuration error: BOT_TOKEN: rejected by Telegram" in output
    assert "Traceback" not in output
    assert wrong.split(":")[1] not in output


def test_db_upgrade_and_backup(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}"}
    first = maraude("db", "upgrade", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "0001_initial" in first.stdout
    again = maraude("db", "upgrade", env=env, cwd=tmp_path)
    assert "already current" in again.stdout
    backup = maraude("backup", str(tmp_path / "copy.sqlite3"), env=env, cwd=tmp_path)
    assert backup.returncode == 0, backup.stderr
    assert (tmp_path / "copy.sqlite3").stat().st_size > 0
    chat = maraude("admin", "team-chat", "grande-synthe", "-1009", env=env, cwd=tmp_path)
    assert chat.returncode == 0, chat.stderr
    listing = maraude("admin", "antennas", env=env, cwd=tmp_path)
    assert "grande-synthe\tGrande-Synthe\tteam chat: -1009" in listing.stdout


def test_i18n_check_passes_on_the_shipped_catalogues() -> None:
    result = maraude("i18n", "check")
    assert result.returncode == 0, result.stdout
    for locale in ("fr", "en", "ar", "ps", "fa", "ti", "am", "ckb", "vi", "so"):
        assert any(line.startswith(locale + " ") for line in result.stdout.splitlines())


def test_the_sandbox_chats_in_the_terminal(tmp_path: Path) -> None:
    result = maraude("sandbox", stdin="/start\n10\n:as 5\n/invite\n:quit\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for name in ("العربية", "ትግርኛ", "Soomaali", "Français"):
        assert name in out
    assert "?start=" in out  # the coordinator got an invitation link
    assert "would have refused" not in out


async def test_logs_hold_neither_the_token_nor_what_people_wrote(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": emu.token,
        "BOT_API_BASE_URL": emu.base_url,
        "BOT_API_FILE_URL": emu.base_file_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'logs.sqlite3'}",
        "ADMIN_IDS": str(ADMIN_ID),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        emu.add_user(700, "Private", language_code="en")
        await emu.send_text(700, "my name is Karim and I sleep under the bridge")
        await emu.send_text(700, "/menu")
        await emu.wait_until(lambda: len(emu.bot_messages(700)) >= 2, timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        raw, _ = await asyncio.wait_for(process.communicate(), timeout=20)
    output = raw.decode()
    assert process.returncode == 0, output
    assert "INFO" in output  # the bot does log
    assert emu.token not in output
    assert emu.token.split(":")[1] not in output
    assert "Karim" not in output
    assert "bridge" not in output


async def test_export_from_the_command_line(tmp_path: Path) -> None:
    from datetime import UTC, datetime, time
    from zoneinfo import ZoneInfo

    from bot.services.distributions import DistributionService
    from bot.storage import Storage
    from tests.helpers.clock import FakeClock

    database = tmp_path / "live.sqlite3"
    storage = Storage(database)
    await storage.open()
    try:
        clock = FakeClock(datetime(2026, 12, 3, 19, 0, tzinfo=UTC))
        service = DistributionService(
            storage, clock, ZoneInfo("Europe/Paris"), (time(7), time(18), time(22)), "calais"
        )
        await service.load()
        await storage.users.touch(5, "fr", clock.now())
        await storage.users.set_role(5, Role.VOLUNTEER, antenna="calais", display_name="Ana")
        user = await storage.users.get(5)
        assert user is not None
        await service.log(user, [("blankets", 12), ("water", 30)], None)
    finally:
        await storage.close()
    out = tmp_path / "out" / "dec.csv"
    env = {"DATABASE_URL": f"sqlite:///{database}"}
    result = maraude(
        "export",
        "distributions",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-31",
        "--out",
        str(out),
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = out.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("time,slot,antenna,item_code")
    assert lines[1].startswith("2026-12-03 20:00,evening,calais,blankets,couvertures,12,piece")
    assert len(lines) == 3
    bad = maraude(
        "export",
        "shifts",
        "--from",
        "2026-12-31",
        "--to",
        "2026-12-01",
        "--out",
        str(out),
        env=env,
        cwd=tmp_path,
    )
    assert bad.returncode == 1
