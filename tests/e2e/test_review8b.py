"""Second outside review of issue 8: information, cards, flyer, help key (failing tests)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sandbox.emulator import BotApiEmulator
from bot.services.content import CONTENT_DIR
from bot.storage.models import Role
from tests.e2e.test_cli import ROOT, maraude
from tests.e2e.test_flyer import env
from tests.helpers.clock import FakeClock
from tests.helpers.harness import Person, enrol, make_settings, outbox_settled, start_bot

COORDINATOR = 250


@pytest.mark.parametrize("where", ["a-directory", "under-a-file"])
def test_flyer_to_a_path_it_cannot_write_says_why_without_a_traceback(
    tmp_path: Path, where: str
) -> None:
    """`--out` naming a directory, or a path under a file: a clear message, no traceback."""
    if where == "a-directory":
        out = tmp_path / "vans"
        out.mkdir()
    else:
        blocker = tmp_path / "file"
        blocker.write_text("x", encoding="utf-8")
        out = blocker / "flyer.pdf"
    result = maraude(
        "flyer", "--antenna", "calais", "--bot", "MaraudeBot", "--out", str(out),
        env=env(tmp_path), cwd=tmp_path,
    )  # fmt: skip
    assert "Traceback" not in result.stderr
    assert result.returncode != 0
    assert str(out) in result.stderr or "flyer:" in result.stderr


@pytest.mark.parametrize("missing", ["segno", "uharfbuzz"])
def test_flyer_without_the_extra_says_what_to_install(tmp_path: Path, missing: str) -> None:
    """The flyer extra not installed (or partly): one line naming the extra, no traceback.
    `uharfbuzz` is imported by fpdf2 only when shaping is turned on, after the guarded
    import, so its absence ends in an FPDFException traceback."""
    out = tmp_path / "flyer.pdf"
    code = (
        f"import sys; sys.modules[{missing!r}] = None; from bot.__main__ import main; "
        f"sys.exit(main(['flyer', '--antenna', 'calais', '--bot', 'MaraudeBot', "
        f"'--out', {str(out)!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr[-400:]
    assert result.returncode == 2
    assert "pip install -e '.[flyer]'" in result.stderr
    assert not out.exists()


def _long_entries(per_topic: dict[str, int]) -> str:
    """Entries with full-length (80-character) titles, within every answer's budget."""
    blocks = []
    for topic, count in per_topic.items():
        for number in range(count):
            title = f"Extra {topic} place number {number} ".ljust(80, "x")
            blocks.append(
                f'\n[[entry]]\nid = "x-{topic}-{number}"\ntopics = ["{topic}"]\n'
                f'title.en = "{title}"\ntext.en = "Ask."\nsource = "review"\n'
                "verified = 2026-01-01\n"
            )
    return "".join(blocks)


async def test_confirming_on_a_list_longer_than_one_message_does_not_duplicate_it(
    emu: BotApiEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    """A valid catalogue (every answer within one screen) whose entries all went stale
    together (same `verified` date, 90 days later): `/content` lists up to 60 lines of up
    to 80-character titles, over 4096 characters, so the list is split in two messages,
    the buttons on the second. Each "✅ still true" edits the second into the new list's head
    and sends its tail anew: the chat then shows the list's head twice, the first copy still
    offering the confirmed entry; every press adds one more message."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    calais = content / "calais.toml"
    extra = {"health": 1, "shelter": 1, "food": 6, "showers": 7, "charging": 7, "emergency": 7}
    calais.write_text(calais.read_text(encoding="utf-8") + _long_entries(extra), "utf-8")
    clock.advance(days=120)  # every entry is now older than CONTENT_STALE_DAYS
    settings = make_settings(emu, tmp_path / "stale.sqlite3", content_dir=content)
    running = await start_bot(settings, clock)
    try:
        coordinator = await enrol(emu, running, COORDINATOR, "Claire", Role.COORDINATOR)
        assert len(await running.bot.services.info.stale("calais")) > 40
        listing = await coordinator.say("/content", expect=lambda m: bool(m.buttons()))
        await coordinator.press(listing, "cc:calais:calais:hospital")
        await outbox_settled(running)
        heads = [m for m in emu.bot_messages(COORDINATOR) if "entries to check" in (m.text or "")]
        assert len(heads) == 1, [m.text[:80] for m in heads if m.text]
        assert all("Hospital" not in (m.text or "") for m in heads)
    finally:
        await running.stop()


async def test_a_location_far_from_every_antenna_does_not_set_a_town(
    emu: BotApiEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    """A person with no town yet shares a location in Paris (290 km away): the bot says
    "You are near Calais" and stores Calais, so every answer (hospital, shelter) is for a
    town they are not in. Beyond MAX_KM_FROM_ANTENNA the town should be asked instead."""
    settings = make_settings(emu, tmp_path / "far.sqlite3")
    running = await start_bot(settings, clock)
    try:
        emu.add_user(611, "Far", language_code="en")
        person = Person(emu, 611)
        await person.say("/menu")
        since = len(emu.bot_messages(611))
        await emu.send_location(611, 48.8566, 2.3522)  # Paris
        answer = await emu.wait_for_bot_message(611, since=since)
        assert "You are near" not in (answer.text or "")
        user = await running.bot.services.users.get(611)
        assert user is not None
        assert user.antenna is None
    finally:
        await running.stop()
