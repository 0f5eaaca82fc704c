"""The information catalogue: validation with file and line, fallback, staleness."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.services.content import (
    CONTENT_DIR,
    Entry,
    check_file,
    load_catalogue,
    missing_translations,
    pick,
)
from bot.services.info import InfoService, next_weekly
from bot.storage import Storage
from bot.storage.models import Confirmation, Role, User
from tests.helpers.clock import FakeClock

PARIS = ZoneInfo("Europe/Paris")
ANTENNAS = {"calais", "grande-synthe"}
GOOD = """\
[antenna]
latitude = 50.95
longitude = 1.85

[[entry]]
id = "first"
topics = ["health"]
title.en = "First"
text.en = "Text."
source = "https://example.org"
verified = 2026-12-01

[[entry]]
id = "second"
topics = ["shelter"]
title.en = "Second"
title.fr = "Deuxième"
text.en = "Text."
text.fr = "Texte."
address = "1 rue X, Calais"
latitude = 50.94
longitude = 1.89
phones = ["115"]
source = "https://example.org"
verified = 2026-12-01
"""


def write(tmp_path: Path, text: str, name: str = "calais.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_shipped_catalogue_is_valid() -> None:
    catalogue, issues = load_catalogue(CONTENT_DIR, ANTENNAS)
    assert catalogue is not None, [str(i) for i in issues if i.error]
    assert catalogue.get("calais", "hospital") is not None
    assert catalogue.get("grande-synthe", "pass") is not None
    # Only English and French are written: every other locale is reported, as a warning.
    missing = missing_translations(issues)
    assert set(missing) == set()  # every entry in every shipped language


def test_a_good_file_passes(tmp_path: Path) -> None:
    parsed, issues = check_file(write(tmp_path, GOOD), ANTENNAS)
    assert parsed is not None
    assert not [i for i in issues if i.error]
    # "first" has no French: a warning naming its line, not an error.
    warning = next(i for i in issues if "first" in i.message and "fr" in i.message)
    assert not warning.error
    assert warning.line == line_of(GOOD, 'id = "first"')


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        ('topics = ["shelter"]', 'topics = ["sheltr"]', "sheltr", "topics"),
        ("latitude = 50.94", "latitude = 95.0", "95.0", "latitude"),
        ("latitude = 50.94", "latitude = 1.89", "latitude = 1.89", "km from the town"),
        ('phones = ["115"]', 'phones = ["11S"]', "11S", "not a phone number"),
        ('text.en = "Text."\ntext.fr', 'text.en = "' + "x" * 400 + '"\ntext.fr', "xxxx", "budget"),
        ("verified = 2026-12-01\n", 'verified = "last week"\n', "last week", "verified"),
        ('id = "second"', 'id = "first"', 'id = "first"\ntopics = ["shelter"]', "already used"),
        ('title.fr = "Deuxième"', 'title.xx = "Deuxième"', "title.xx", "unknown locale"),
        ("longitude = 1.89\n", "", 'id = "second"', "go together"),
    ],
)
def test_errors_name_the_file_and_line(
    tmp_path: Path, old: str, new: str, needle: str, message: str
) -> None:
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    _, issues = check_file(write(tmp_path, text), ANTENNAS)
    errors = [i for i in issues if i.error]
    assert errors, text
    error = errors[0]
    assert error.file == "calais.toml"
    assert message in error.message or message in str(error)
    first_line = needle.splitlines()[-1] if "\n" in needle else needle
    expected = line_of(text, first_line)
    if message == "already used":
        lines = text.splitlines()
        expected = [n for n, line in enumerate(lines, 1) if 'id = "first"' in line][1]
    assert error.line == expected, (str(error), expected)
    assert str(error).startswith(f"calais.toml:{expected}: ")


def test_bad_toml_and_bad_dates_name_the_line(tmp_path: Path) -> None:
    text = GOOD.replace("verified = 2026-12-01\n", "verified = 2026-13-01\n", 1)
    _, issues = check_file(write(tmp_path, text), ANTENNAS)
    assert issues[0].error
    assert issues[0].line == line_of(text, "2026-13-01")


def test_an_invalid_file_makes_the_whole_catalogue_invalid(tmp_path: Path) -> None:
    shutil.copytree(CONTENT_DIR, tmp_path / "c")
    write(tmp_path / "c", GOOD.replace('"115"', '"call me"'), "grande-synthe.toml")
    catalogue, issues = load_catalogue(tmp_path / "c", ANTENNAS)
    assert catalogue is None
    assert any(i.file == "grande-synthe.toml" and i.line for i in issues if i.error)
    (tmp_path / "c" / "grande-synthe.toml").unlink()
    catalogue, issues = load_catalogue(tmp_path / "c", ANTENNAS)
    assert catalogue is None
    assert any("grande-synthe.toml" in str(i) and "missing" in i.message for i in issues)


def test_unknown_antenna_file_and_overlong_answer(tmp_path: Path) -> None:
    _, issues = check_file(write(tmp_path, GOOD, "atlantis.toml"), ANTENNAS)
    assert any("no antenna is called" in i.message for i in issues if i.error)
    shutil.copytree(CONTENT_DIR, tmp_path / "c")
    first = GOOD.split("[[entry]]")[1]
    extra = "".join(
        "\n[[entry]]" + first.replace('"first"', f'"more{n}"').replace("Text.", "y" * 300)
        for n in range(4)
    )
    calais = tmp_path / "c" / "calais.toml"
    calais.write_text(calais.read_text(encoding="utf-8") + extra, encoding="utf-8")
    catalogue, issues = load_catalogue(tmp_path / "c", ANTENNAS)
    assert catalogue is None
    assert any("over one screen" in i.message for i in issues if i.error)


def test_fallback_goes_to_english_then_french() -> None:
    assert pick({"ar": "ع", "en": "E", "fr": "F"}, "ar") == ("ع", False)
    assert pick({"en": "E", "fr": "F"}, "ti") == ("E", True)
    assert pick({"fr": "F"}, "ti") == ("F", True)


def entry(**changes: object) -> Entry:
    values: dict[str, object] = {
        "id": "e",
        "topics": ["health"],
        "title": {"en": "T"},
        "text": {"en": "X"},
        "source": "https://example.org",
        "verified": date(2026, 12, 1),
    }
    values.update(changes)
    return Entry.model_validate(values)


@pytest.fixture
async def info(storage: Storage) -> InfoService:
    service = InfoService(storage, FakeClock(), PARIS, CONTENT_DIR, 90, "calais")
    await service.load()
    return service


async def test_staleness_and_confirmations_override(info: InfoService) -> None:
    clock = info.clock
    assert isinstance(clock, FakeClock)
    clock.current = datetime(2027, 2, 28, 12, tzinfo=UTC)  # 89 days after 1 December
    assert not info.freshness(entry(), None).stale
    clock.current = datetime(2027, 3, 2, 12, tzinfo=UTC)  # 91 days
    assert info.freshness(entry(), None).stale
    newer = Confirmation("calais", "e", datetime(2027, 3, 1, 9, tzinfo=UTC), 250)
    fresh = info.freshness(entry(), newer)
    assert not fresh.stale
    assert fresh.verified == date(2027, 3, 1)
    # to_confirm stays stale until someone confirms it after the file's date.
    assert info.freshness(entry(status="to_confirm", verified=date(2027, 3, 1)), None).stale
    older = Confirmation("calais", "e", datetime(2027, 2, 1, 9, tzinfo=UTC), 250)
    assert info.freshness(entry(status="to_confirm", verified=date(2027, 3, 1)), older).stale
    assert not info.freshness(entry(status="to_confirm", verified=date(2027, 3, 1)), newer).stale


async def test_confirm_once_and_only_by_the_antenna_coordinators(
    info: InfoService, storage: Storage
) -> None:
    async def member(user_id: int, role: Role, antenna: str) -> User:
        async with storage.transaction():
            await storage.users.touch(user_id, "en", info.clock.now())
            await storage.users.set_role(user_id, role, antenna=antenna, display_name="X")
        user = await storage.users.get(user_id)
        assert user is not None
        return user

    coordinator = await member(250, Role.COORDINATOR, "calais")
    volunteer = await member(400, Role.VOLUNTEER, "calais")
    outsider = await member(260, Role.COORDINATOR, "grande-synthe")
    with pytest.raises(Exception, match="not_allowed"):
        await info.confirm(volunteer, "calais", "pass")
    with pytest.raises(Exception, match="not_allowed"):
        await info.confirm(outsider, "calais", "pass")
    _, changed = await info.confirm(coordinator, "calais", "pass")
    assert changed
    _, changed = await info.confirm(coordinator, "calais", "pass")
    assert not changed  # a second tap stamps nothing
    assert "pass" not in [s.entry.id for s in await info.stale("calais")]


def test_the_weekly_list_is_monday_ten_local_across_dst() -> None:
    spring = next_weekly(datetime(2026, 3, 23, 9, 0, tzinfo=UTC), PARIS)
    assert spring == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # 10:00 summer time
    autumn = next_weekly(datetime(2026, 10, 19, 8, 0, tzinfo=UTC), PARIS)
    assert autumn == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)  # 10:00 winter time
    monday_early = next_weekly(datetime(2026, 12, 7, 8, 0, tzinfo=UTC), PARIS)
    assert monday_early == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_content_check_verb(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.__main__ import main

    shutil.copytree(CONTENT_DIR, tmp_path / "c")
    common = tmp_path / "c" / "common.toml"
    kept = [line for line in common.read_text("utf-8").splitlines() if ".ar = " not in line]
    common.write_text("\n".join(kept) + "\n", "utf-8")
    assert main(["content", "check", "--dir", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert "warning: ar: 9 entries without a translation" in out  # listed, not fatal
    calais = tmp_path / "c" / "calais.toml"
    text = calais.read_text(encoding="utf-8").replace('title.fr = "PASS', "title.fr = PASS", 1)
    calais.write_text(text, encoding="utf-8")
    assert main(["content", "check", "--dir", str(tmp_path / "c")]) == 1
    out = capsys.readouterr().out
    assert f"error: calais.toml:{line_of(text, 'title.fr = PASS')}: not valid TOML" in out
