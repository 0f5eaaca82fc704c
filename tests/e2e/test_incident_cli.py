"""`maraude incidents new-key|rotate-key` as an operator runs them (issue 11)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from bot.services.incidents import READY, WRONG, IncidentDetails, IncidentService
from bot.services.sealing import new_key, parse_key
from bot.storage import Storage
from bot.storage.models import Role
from tests.e2e.test_cli import maraude
from tests.helpers.clock import FakeClock

TZ = ZoneInfo("Europe/Paris")


async def service_on(path: Path, key: str) -> tuple[Storage, IncidentService, str]:
    storage = Storage(path)
    await storage.open()
    incidents = IncidentService(storage, FakeClock(), TZ, key, "calais")
    return storage, incidents, await incidents.check_key()


async def a_database_with_a_report(path: Path, key: str) -> None:
    storage, incidents, status = await service_on(path, key)
    assert status == READY
    clock = FakeClock()
    await storage.users.touch(10, "en", clock.now())
    await storage.users.set_role(10, Role.VOLUNTEER, antenna="calais")
    reporter = await storage.users.get(10)
    assert reporter is not None
    await incidents.file(
        reporter,
        kind="police",
        occurred_at=clock.now(),
        details=IncidentDetails(description=["kept through the rotation"]),
        name_reporter=False,
    )
    await incidents.start_draft(reporter)
    await storage.close()


def test_new_key_prints_a_usable_key(tmp_path: Path) -> None:
    result = maraude("incidents", "new-key", cwd=tmp_path)
    assert result.returncode == 0
    assert len(parse_key(result.stdout.strip())) == 32


async def test_rotate_key_reseals_everything_and_the_old_key_stops_working(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rotate.sqlite3"
    old, fresh = new_key(), new_key()
    await a_database_with_a_report(path, old)
    env = {"DATABASE_URL": f"sqlite:///{path}", "INCIDENT_KEY": old}
    # No new key, a malformed one, or the wrong current key: refused, nothing changed.
    assert maraude("incidents", "rotate-key", env=env, cwd=tmp_path).returncode == 2
    bad = maraude("incidents", "rotate-key", "--new-key", "secret-ish", env=env, cwd=tmp_path)
    assert bad.returncode == 2
    assert "secret-ish" not in bad.stderr
    wrong = {**env, "INCIDENT_KEY": new_key()}
    refused = maraude("incidents", "rotate-key", f"--new-key={fresh}", env=wrong, cwd=tmp_path)
    assert refused.returncode == 1
    assert "wrong" in refused.stderr
    done = maraude("incidents", "rotate-key", env={**env, "INCIDENT_NEW_KEY": fresh}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "re-encrypted 1 reports and 1 drafts" in done.stdout
    assert old not in done.stdout + done.stderr
    assert fresh not in done.stdout + done.stderr
    storage, _, status = await service_on(path, old)
    await storage.close()
    assert status == WRONG
    storage, incidents, status = await service_on(path, fresh)
    try:
        assert status == READY
        reader = await storage.users.get(10)
        assert reader is not None
        report = await incidents.read(reader, 1)
        assert report.details.description == ["kept through the rotation"]
        assert await incidents.draft_of(reader) is not None
    finally:
        await storage.close()
