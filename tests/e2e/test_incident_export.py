"""/incidents export and `maraude incidents export` (issue 11): the PDF for a legal referral,
with the photos fetched from Telegram, sent protected, anonymised, and audited once."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest

from bot.handlers.incident_export import JOB_INCIDENT_EXPORT, export_job
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from bot.services.incidents import IncidentDetails
from bot.services.sealing import new_key
from bot.storage.models import Job, Role
from tests.e2e.test_cli import maraude
from tests.helpers.clock import FakeClock
from tests.helpers.harness import (
    Person,
    RunningBot,
    enrol,
    make_settings,
    outbox_settled,
    start_bot,
)

VOLUNTEER = 40417
OTHER = 40533
COORDINATOR = 25013
LEGAL = 27021
OUTSIDER = 26047
PUBLIC = 77731


def documents(emu: BotApiEmulator, chat: int) -> list[ChatMessage]:
    return [m for m in emu.bot_messages(chat) if m.kind == "document"]


def pdf_text_and_images(data: bytes) -> tuple[str, int]:
    document = pdfium.PdfDocument(data)
    text, images = [], 0
    try:
        for page in document:
            text.append(page.get_textpage().get_text_range())
            images += sum(
                1 for obj in page.get_objects() if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE
            )
    finally:
        document.close()
    return "\n".join(text), images


async def sent_photo(emu: BotApiEmulator, person: Person) -> str:
    """A photo the person sends the bot: its real emulator file_id (the largest size)."""
    await emu.send_photo(person.id)
    message = [m for m in emu.messages(person.id) if not m.from_bot and m.kind == "photo"][-1]
    return str(message.extra["photo"][-1]["file_id"])


async def file_report(
    running: RunningBot,
    reporter_id: int,
    words: str,
    media: list[tuple[str, str]],
    *,
    named: bool,
) -> str:
    reporter = await running.bot.storage.users.get(reporter_id)
    assert reporter is not None
    row = await running.bot.services.incidents.file(
        reporter,
        kind="eviction",
        occurred_at=running.bot.clock.now(),
        details=IncidentDetails(people=4, description=[words], media=media, place_text="Dunes"),
        name_reporter=named,
    )
    return row.reference


async def exported(running: RunningBot) -> list[tuple[int | None, int | None]]:
    entries = await running.bot.storage.incidents.audit_entries(None, limit=100)
    return sorted((e.actor_id, e.incident_id) for e in entries if e.action == "export")


async def test_a_coordinator_gets_the_protected_anonymised_pdf_and_it_is_audited_once(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    vic = await enrol(emu, clocked, VOLUNTEER, "Vicenta", Role.VOLUNTEER)
    await enrol(emu, clocked, OTHER, "Olgaria", Role.VOLUNTEER)
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    photos = [await sent_photo(emu, vic), await sent_photo(emu, vic)]
    first = await file_report(
        clocked,
        VOLUNTEER,
        "Bulldozers flattened shelters",
        [("photo", photos[0]), ("photo", photos[1]), ("video", "a-video")],
        named=True,
    )
    second = await file_report(
        clocked, OTHER, "Gendarmes confiscated sleepingbags", [], named=False
    )
    await outbox_settled(clocked)
    answer = await claire.say("/incidents EXPORT month")
    assert "Preparing" in (answer.plain_text or "")
    await emu.wait_until(lambda: bool(documents(emu, COORDINATOR)))
    await outbox_settled(clocked)
    [document] = documents(emu, COORDINATOR)
    assert document.extra.get("protect_content")
    assert document.extra["file_name"] == "incidents_2026-12-01_2026-12-01.pdf"
    assert "2 incident reports" in (document.plain_text or "")
    text, images = pdf_text_and_images(document.extra["content"])
    assert first in text
    assert second in text
    assert "Bulldozers" in text
    assert "sleepingbags" in text
    assert "Vicenta" in text  # agreed to be named
    assert "Olgaria" not in text  # did not
    for user_id in (VOLUNTEER, OTHER, COORDINATOR):
        assert str(user_id) not in text
    assert images >= 2  # both photos embedded
    # Every report audited as exported, once, by the coordinator.
    assert await exported(clocked) == [(COORDINATOR, 1), (COORDINATOR, 2)]
    # The file went once sent.
    assert list(clocked.bot.settings.outgoing_path.iterdir()) == []


async def test_who_may_export_and_what_an_empty_or_huge_period_says(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    vic = await enrol(emu, clocked, VOLUNTEER, "Vicenta", Role.VOLUNTEER)
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    lea = await enrol(emu, clocked, LEGAL, "Lea", Role.LEGAL)
    gus = await enrol(emu, clocked, OUTSIDER, "Gus", Role.COORDINATOR, antenna="grande-synthe")
    public = await enrol(emu, clocked, PUBLIC, "Someone", Role.PUBLIC)
    await file_report(
        clocked, VOLUNTEER, "Teargas at dawn", [("photo", "no-such-file")], named=False
    )
    # A volunteer (even the reporter) and a public user: refused, nothing queued.
    assert "🔒" in ((await vic.say("/incidents export")).plain_text or "")
    assert "🔒" in ((await public.say("/incidents export")).plain_text or "")
    # Another antenna's coordinator gets nothing of Calais.
    await gus.say("/incidents export month")
    await emu.wait_until(
        lambda: "nothing to export" in (emu.bot_messages(OUTSIDER)[-1].plain_text or "")
    )
    # An empty period: a clear answer, no document.
    await claire.say("/incidents export 2026-11")
    await emu.wait_until(
        lambda: "nothing to export" in (emu.bot_messages(COORDINATOR)[-1].plain_text or "")
    )
    # Over Telegram's 50 MB (here lowered): never sent, the coordinator told what to do.
    clocked.bot.services.incident_export.limit = 1000
    await claire.say("/incidents export month")
    await emu.wait_until(
        lambda: "shorter period" in (emu.bot_messages(COORDINATOR)[-1].plain_text or "")
    )
    await outbox_settled(clocked)
    assert not documents(emu, COORDINATOR)
    assert not documents(emu, OUTSIDER)
    assert await exported(clocked) == []
    # The legal team of the antenna may; a photo that cannot be fetched is listed, not fatal.
    clocked.bot.services.incident_export.limit = 50 * 1024 * 1024
    await lea.say("/incidents export month")
    await emu.wait_until(lambda: bool(documents(emu, LEGAL)))
    [document] = documents(emu, LEGAL)
    assert "1 photo could not be fetched" in (document.plain_text or "")
    assert "Teargas" in pdf_text_and_images(document.extra["content"])[0]
    assert await exported(clocked) == [(LEGAL, 1)]
    # The lost photo was asked for (in the too-large attempt, then for Lea), refused each time.
    assert {(r.method, r.params.get("file_id")) for r in emu.refused} == {
        ("getFile", "no-such-file")
    }
    emu.refused.clear()


async def test_the_command_line_writes_the_pdf(
    emu: BotApiEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    key = new_key()
    database = tmp_path / "cli.sqlite3"
    running = await start_bot(make_settings(emu, database, incident_key=key), clock)
    try:
        await enrol(emu, running, VOLUNTEER, "Vicenta", Role.VOLUNTEER)
        reference = await file_report(running, VOLUNTEER, "Rubbish trucks", [], named=False)
        await outbox_settled(running)
    finally:
        await running.stop()
    out = tmp_path / "out" / "referral.pdf"
    env = {"DATABASE_URL": f"sqlite:///{database}", "INCIDENT_KEY": key, "BOT_TOKEN": ""}
    result = maraude(
        "incidents",
        "export",
        "--period",
        "2026-12",
        "--antenna",
        "calais",
        "--out",
        str(out),
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "1 report" in result.stdout
    text, _ = pdf_text_and_images(out.read_bytes())
    assert reference in text
    assert "Rubbish" in text
    assert str(VOLUNTEER) not in text


async def test_the_job_audits_nothing_until_its_document_is_queued(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    """A detached job run again after a crash builds the document again: only the transaction
    that marks it done (and queues the document) audits, so the export counts once."""
    await enrol(emu, clocked, VOLUNTEER, "Vicenta", Role.VOLUNTEER)
    await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await file_report(clocked, VOLUNTEER, "Shelters slashed", [], named=False)
    services = clocked.bot.services
    job = Job(
        0,
        JOB_INCIDENT_EXPORT,
        "incident-export:test",
        clocked.bot.clock.now(),
        {
            "user": COORDINATOR,
            "period": "2026-12-01..2026-12-01",
            "chat": COORDINATOR,
            "locale": "en",
        },
        "running",
    )
    # Built twice (the first run's results lost with its lease): nothing audited yet.
    assert await export_job(job, services) is not None
    commit = await export_job(job, services)
    assert commit is not None
    assert await exported(clocked) == []
    async with services.storage.transaction():
        await commit()
    assert await exported(clocked) == [(COORDINATOR, 1)]
    await emu.wait_until(lambda: bool(documents(emu, COORDINATOR)))
    await outbox_settled(clocked)
    assert len(documents(emu, COORDINATOR)) == 1


async def test_in_french_the_answers_and_the_document_speak_french(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    preparing = "⏳ Preparing the document of the incident reports…"
    if clocked.bot.services.translator("fr")._(preparing) == preparing:
        pytest.skip("French not filled yet: /work/notes/i18n-incident-export.json (the lead's)")
    await enrol(emu, clocked, VOLUNTEER, "Vicenta", Role.VOLUNTEER)
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR, language="fr")
    await claire.say("/incidents export 2026-11")
    await emu.wait_until(
        lambda: "rien à exporter" in (emu.bot_messages(COORDINATOR)[-1].plain_text or "")
    )
    await file_report(clocked, VOLUNTEER, "Cabanes rasées", [], named=False)
    answer = await claire.say("/incidents export")
    assert "Préparation du document" in (answer.plain_text or "")
    await emu.wait_until(lambda: bool(documents(emu, COORDINATOR)))
    [document] = documents(emu, COORDINATOR)
    assert "1 signalement" in (document.plain_text or "")
    assert "Confidentiel\u202f: ne pas transférer" in (document.plain_text or "")
