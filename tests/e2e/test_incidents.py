"""/incident end to end (issue 11): a guided report, sealed, and nothing of it left in the chat."""

from __future__ import annotations

from pathlib import Path

from bot.callbacks import IncidentStep
from bot.sandbox.emulator import BotApiEmulator, Button, ChatMessage
from bot.services.incidents import IncidentDetails
from bot.services.sealing import new_key
from bot.storage.models import Role
from tests.helpers.clock import FakeClock
from tests.helpers.harness import (
    TEAM_CHAT_ID,
    Person,
    RunningBot,
    enrol,
    make_settings,
    outbox_settled,
    start_bot,
)

VOLUNTEER = 400
OTHER = 401
PUBLIC = 777
COORDINATOR = 250
OUTSIDER = 260
LEGAL = 270
SECRET = "Quetzalpommier"


def text_of(message: ChatMessage) -> str:
    return message.plain_text or ""


def form_messages(emu: BotApiEmulator, chat: int, since: int) -> list[ChatMessage]:
    """Every message of the chat from the `since`-th on, deleted ones included."""
    return emu.messages(chat)[since:]


async def photo(emu: BotApiEmulator, person: Person) -> ChatMessage:
    since = len(emu.bot_messages(person.id))
    await emu.send_photo(person.id)
    return await emu.wait_for_bot_message(person.id, since=since)


async def check_stored(clocked: RunningBot) -> None:
    # Stored once, sealed; readable by the service with the key; the creation audited.
    storage = clocked.bot.storage
    services = clocked.bot.services
    assert await storage.incidents.count() == 1
    row = await storage.incidents.get(1)
    assert row is not None
    assert SECRET.encode() not in row.sealed
    assert not row.name_reporter
    user = await storage.users.get(VOLUNTEER)
    assert user is not None
    report = await services.incidents.read(user, 1)
    assert report.details.people == 3
    assert report.details.minors is True
    assert report.details.injuries is False
    assert report.details.place_text == f"Under the bridge <b>{SECRET}</b>"
    assert len(report.details.description) == 2
    assert [kind for kind, _ in report.details.media] == ["photo", "photo"]
    assert report.row.occurred_at.astimezone(services.settings.tz).strftime("%H:%M") == "19:45"
    audit = await storage.incidents.audit_entries(None, limit=5)
    assert [(e.action, e.actor_id) for e in audit] == [("read", VOLUNTEER), ("create", VOLUNTEER)]
    assert await storage.incidents.draft_of(VOLUNTEER) is None
    # The outbox kept no copy of the messages that showed the details, nor the inbox the
    # person's messages.
    for table in ("outbox", "inbox"):
        rows = await storage.db.fetch_all(f"SELECT * FROM {table}")
        assert not any(SECRET in repr(tuple(row)) for row in rows), table
    # The old buttons are stale: a second tap files nothing twice.
    assert await storage.incidents.count() == 1


def raw_database(path: Path) -> bytes:
    """The database file and its write-ahead log, as a thief would copy them."""
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def check_raw(raw: bytes) -> None:
    assert b"INC-2026-0001" in raw  # what is not sealed is found: the reading is real
    for word in (SECRET, "slashed", "pushed to the ground", "Under the bridge"):
        assert word.encode() not in raw, word


async def test_a_full_report_with_two_photos_leaves_only_its_reference(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock, tmp_path: Path
) -> None:
    vic = await enrol(emu, clocked, VOLUNTEER, "Vic", Role.VOLUNTEER)
    start = len(emu.messages(VOLUNTEER))
    form = await vic.say("/incident")
    assert "What happened?" in text_of(form)
    form = await vic.press(form, "Eviction")
    assert "When did it happen?" in text_of(form)
    form = await vic.press(form, "Earlier today")
    # 21:00 in Paris: 22:30 is still to come, and refused.
    form = await vic.say("22:30")
    assert "still to come" in text_of(form)
    form = await vic.say("19:45")
    assert "Where?" in text_of(form)
    form = await vic.say(f"Under the bridge <b>{SECRET}</b>")
    assert "How many people" in text_of(form)
    form = await vic.say("٣")  # Arabic-Indic digits
    assert "minors" in text_of(form)
    form = await vic.press(form, "Yes")
    form = await vic.press(form, "No")
    assert "Describe what happened" in text_of(form)
    form = await vic.say(f"The police slashed {SECRET} tents at dawn.")
    assert "1 message noted" in text_of(form)
    form = await vic.say("Two people were pushed to the ground.")
    assert "2 messages noted" in text_of(form)
    form = await vic.press(form, "Done")
    assert "Send photos or videos" in text_of(form)
    await photo(emu, vic)
    form = await photo(emu, vic)
    assert "2 photos or videos received" in text_of(form)
    review = await vic.press(form, "Done")
    shown = text_of(review)
    assert "Check the report" in shown
    assert f"<b>{SECRET}</b>" in shown  # echoed as typed, escaped
    assert "3 people affected" in shown
    assert "Minors present" in shown
    assert "No injuries" in shown
    assert "2 photos or videos" in shown
    consent = await vic.press(review, "Send the report")
    assert "May we give your name" in text_of(consent)
    done = await vic.press(consent, "No")
    assert "INC-2026-0001 saved" in text_of(done)
    await outbox_settled(clocked)
    # Nothing left in the chat but the summary: type, date and reference.
    kept = [m for m in form_messages(emu, VOLUNTEER, start) if not m.deleted]
    assert kept == [done]
    assert SECRET not in text_of(done)
    assert "Eviction" in text_of(done)
    # Every message of the form the bot sent was protected.
    sent = [m for m in form_messages(emu, VOLUNTEER, start) if m.from_bot]
    assert len(sent) > 8
    assert all(m.extra.get("protect_content") for m in sent)
    await check_stored(clocked)
    # Once the log is emptied (a job queued at filing), the file holds no word of it: not in
    # the reports, not in the handled updates, not in what was sent.
    await clocked.bot.jobs.fire_due()
    check_raw(raw_database(tmp_path / "clocked.sqlite3"))


async def test_a_draft_survives_a_restart_and_can_be_cancelled(
    emu: BotApiEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    database = tmp_path / "restart.sqlite3"
    first = await start_bot(make_settings(emu, database), clock)
    vic = await enrol(emu, first, VOLUNTEER, "Vic", Role.VOLUNTEER)
    form = await vic.say("/incident")
    form = await vic.press(form, "Tear gas")
    form = await vic.press(form, "Now")
    await outbox_settled(first)
    await first.stop()
    second = await start_bot(make_settings(emu, database), clock)
    try:
        # The typed wait survived too: the place is read as the answer.
        form = await vic.say("Near the hospital")
        assert "How many people" in text_of(form)
        resumed = await vic.say("/incident")
        assert "unfinished report" in text_of(resumed)
        assert "minors" not in text_of(resumed)
        assert "How many people" in text_of(resumed)
        start = len(emu.messages(VOLUNTEER))
        cancelled = await vic.press(resumed, "Cancel")
        assert "nothing was saved" in text_of(cancelled)
        await outbox_settled(second)
        assert await second.bot.storage.incidents.count() == 0
        assert await second.bot.storage.incidents.draft_of(VOLUNTEER) is None
        # The typed place went with the draft.
        assert all(
            m.deleted for m in emu.messages(VOLUNTEER)[: start - 1] if "hospital" in text_of(m)
        )
        # A new report starts afresh.
        fresh = await vic.say("/incident")
        assert "What happened?" in text_of(fresh)
    finally:
        await second.stop()


async def test_without_a_key_reports_are_refused_and_the_rest_works(
    emu: BotApiEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    running = await start_bot(
        make_settings(emu, tmp_path / "nokey.sqlite3", incident_key=None), clock
    )
    try:
        vic = await enrol(emu, running, VOLUNTEER, "Vic", Role.VOLUNTEER)
        answer = await vic.say("/incident")
        assert "no encryption key is configured" in text_of(answer)
        saved = await vic.say("/distrib 10 tea @ Marck")
        assert "10" in text_of(saved)
        assert len(await running.bot.storage.distributions.last_batch(VOLUNTEER)) == 1
        public = await enrol(emu, running, PUBLIC, "Someone", Role.PUBLIC)
        assert "🔒" in text_of(await public.say("/incident"))
        assert await running.bot.storage.meta.get("incident_canary") is None
    finally:
        await running.stop()


async def test_a_wrong_key_is_refused_without_sealing_anything(
    emu: BotApiEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    database = tmp_path / "wrongkey.sqlite3"
    first = await start_bot(make_settings(emu, database), clock)
    canary = await first.bot.storage.meta.get("incident_canary")
    assert canary is not None
    await first.stop()
    second = await start_bot(make_settings(emu, database, incident_key=new_key()), clock)
    try:
        vic = await enrol(emu, second, VOLUNTEER, "Vic", Role.VOLUNTEER)
        answer = await vic.say("/incident")
        assert "does not match" in text_of(answer)
        assert await second.bot.storage.meta.get("incident_canary") == canary
        assert await second.bot.storage.incidents.draft_of(VOLUNTEER) is None
    finally:
        await second.stop()


async def test_public_users_and_groups_get_no_form(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    public = await enrol(emu, clocked, PUBLIC, "Someone", Role.PUBLIC)
    assert "🔒" in text_of(await public.say("/incident"))
    assert await clocked.bot.storage.incidents.draft_of(PUBLIC) is None
    # A photo from someone with no draft is not taken.
    other = await enrol(emu, clocked, OTHER, "Olga", Role.VOLUNTEER)
    answer = await photo(emu, other)
    assert "I can read text" in text_of(answer)
    # Never in a group: the team chat would see every detail.
    in_group = Person(emu, OTHER, chat_id=TEAM_CHAT_ID)
    assert "privately" in text_of(await in_group.say("/incident@" + emu.bot_username))
    assert await clocked.bot.storage.incidents.draft_of(OTHER) is None


async def test_a_field_edited_from_the_review_and_a_double_tap_on_send(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    vic = await enrol(emu, clocked, VOLUNTEER, "Vic", Role.VOLUNTEER)
    form = await vic.say("/incident")
    form = await vic.press(form, "Danger at sea")
    form = await vic.press(form, "Another day")
    form = await vic.say("2026-12-05 10:00")  # the clock says 1 December
    assert "still to come" in text_of(form)
    form = await vic.say("28/11 ٠٦:١٥")  # a day without a year is the last one past
    assert "Where?" in text_of(form)
    await emu.send_location(VOLUNTEER, 50.9581, 1.8525)
    form = await emu.wait_for_bot_message(VOLUNTEER, lambda m: "How many" in text_of(m))
    form = await vic.press(form, "5")
    form = await vic.press(form, "No")
    form = await vic.press(form, "Yes")
    assert "Done" not in [b.text for b in form.buttons()]  # nothing written yet
    form = await vic.say("A boat in distress.")
    form = await vic.press(form, "Done")
    review = await vic.press(form, "No photos")
    assert "Shared location (50.95810, 1.85250)" in text_of(review)
    assert "28" in text_of(review)
    # ✏️ People: the number, minors and injuries again, then straight back to the review.
    form = await vic.press(review, "✏️ People")
    form = await vic.say("12")
    form = await vic.press(form, "Yes")
    review = await vic.press(form, "No")
    assert "12 people affected" in text_of(review)
    assert "Minors present" in text_of(review)
    # ✏️ Description: written again from scratch.
    form = await vic.press(review, "✏️ Description")
    form = await vic.say("Fifteen people on a small boat.")
    review = await vic.press(form, "Done")
    assert "Fifteen people" in text_of(review)
    assert "A boat in distress" not in text_of(review)
    consent = await vic.press(review, "Send the report")
    yes = consent.button("Yes")
    done = await vic.press(consent, "Yes")
    assert "INC-2026-0001 saved" in text_of(done)
    # The same "Yes" again (a double tap, a re-sent press): nothing is filed twice.
    answers = len(emu.callback_answers)
    consent.keyboard = [[yes]]
    await emu.press(VOLUNTEER, consent, "Yes")
    await emu.wait_until(lambda: len(emu.callback_answers) > answers)
    await outbox_settled(clocked)
    storage = clocked.bot.storage
    assert await storage.incidents.count() == 1
    row = await storage.incidents.get(1)
    assert row is not None
    assert row.name_reporter
    assert row.kind == "sea"
    assert row.occurred_at.isoformat() == "2026-11-28T05:15:00+00:00"


async def file_report(running: RunningBot, reporter_id: int, text: str) -> int:
    services = running.bot.services
    reporter = await running.bot.storage.users.get(reporter_id)
    assert reporter is not None
    row = await services.incidents.file(
        reporter,
        kind="police",
        occurred_at=running.bot.clock.now(),
        details=IncidentDetails(people=2, description=[text]),
        name_reporter=False,
    )
    return row.id


async def test_only_the_entitled_list_and_read_and_every_read_is_audited(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    vic = await enrol(emu, clocked, VOLUNTEER, "Vic", Role.VOLUNTEER)
    olga = await enrol(emu, clocked, OTHER, "Olga", Role.VOLUNTEER)
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    lea = await enrol(emu, clocked, LEGAL, "Lea", Role.LEGAL)
    gus = await enrol(emu, clocked, OUTSIDER, "Gus", Role.COORDINATOR, antenna="grande-synthe")
    public = await enrol(emu, clocked, PUBLIC, "Someone", Role.PUBLIC)
    first = await file_report(clocked, VOLUNTEER, f"Batons used, {SECRET}.")
    await file_report(clocked, VOLUNTEER, "A second report.")
    storage = clocked.bot.storage
    listing = await claire.say("/incidents")
    assert "2 reports" in text_of(listing)
    assert listing.extra.get("protect_content")
    assert SECRET not in text_of(listing)  # a list shows kind, time and reference only
    detail = await claire.press(listing, "🔎 INC-2026-0001")
    assert SECRET in text_of(detail)
    assert "Anonymous" in text_of(detail)
    assert detail.extra.get("protect_content")
    assert "2 reports" in text_of(await lea.say("/incidents police month"))
    assert "2 reports" in text_of(await vic.say("/incidents"))  # the reporter's own
    assert "0 reports" in text_of(await olga.say("/incidents"))
    assert "0 reports" in text_of(await gus.say("/incidents"))
    assert "🔒" in text_of(await public.say("/incidents"))
    assert "🔒" in text_of(await olga.say("/audit"))
    entries_before = len(await storage.incidents.audit_entries(None, limit=100))
    # Olga and Gus forge Claire's 🔎 button: refused, and no read is recorded.
    for person in (olga, gus):
        message = person.last()
        message.keyboard = [[listing.button("🔎 INC-2026-0001")]]
        answers = len(emu.callback_answers)
        await emu.press(person.id, message, "🔎 INC-2026-0001")
        await emu.wait_until(lambda: len(emu.callback_answers) > answers)  # noqa: B023
        answer = list(emu.callback_answers.values())[answers]
        assert "🔒" in (answer.get("text") or "")
    await outbox_settled(clocked)
    entries = await storage.incidents.audit_entries(None, limit=100)
    assert len(entries) == entries_before
    reads = [(e.actor_id, e.incident_id) for e in entries if e.action == "read"]
    assert reads == [(COORDINATOR, first)]
    listed = {e.actor_id for e in entries if e.action == "list"}
    assert listed == {COORDINATOR, LEGAL, VOLUNTEER, OTHER, OUTSIDER}
    log = text_of(await claire.say("/audit"))
    assert "read · INC-2026-0001" in log
    assert "Claire" in log
    assert SECRET not in log


async def test_the_report_counts_incidents_per_month_and_kind_only(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    await enrol(emu, clocked, VOLUNTEER, "Vic", Role.VOLUNTEER)
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await file_report(clocked, VOLUNTEER, f"{SECRET} one")
    await file_report(clocked, VOLUNTEER, f"{SECRET} two")
    report = text_of(await claire.say("/report month"))
    assert "Rights violations documented" in report
    assert "2026-12: 👮 Police violence 2" in report
    assert SECRET not in report
    # Counts open nothing sealed: no read is recorded.
    entries = await clocked.bot.storage.incidents.audit_entries(None, limit=9)
    assert {e.action for e in entries} == {"create"}


async def test_a_place_of_another_antenna_forged_on_ones_own_form_is_refused(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    vic = await enrol(emu, clocked, VOLUNTEER, "Vic", Role.VOLUNTEER)
    form = await vic.press(await vic.say("/incident"), "seized")
    form = await vic.press(form, "Now")
    storage = clocked.bot.storage
    draft = await clocked.bot.services.incidents.draft_of(await storage.users.get(VOLUNTEER))  # type: ignore[arg-type]
    assert draft is not None
    assert draft.step == "where"
    catalogue = clocked.bot.services.distributions.catalogue
    foreign = next(p.id for p in catalogue.places_of("grande-synthe"))
    shown = form.keyboard
    for value in (str(foreign), "999999"):
        forged = IncidentStep(draft.id, draft.nonce, "where", value).pack()
        form.keyboard = [[Button(text="forged", callback_data=forged)]]
        answers = len(emu.callback_answers)
        await emu.press(VOLUNTEER, form, forged)
        await emu.wait_until(lambda: len(emu.callback_answers) > answers)  # noqa: B023
        answer = list(emu.callback_answers.values())[answers]
        assert "no longer valid" in (answer.get("text") or "")
    after = await clocked.bot.services.incidents.draft_of(await storage.users.get(VOLUNTEER))  # type: ignore[arg-type]
    assert after is not None
    assert after.step == "where"
    assert after.details.place_id is None
    # A place of the list is taken.
    form.keyboard = shown
    form = await vic.press(form, form.buttons()[0].text)
    assert "How many people" in text_of(form)


async def test_a_huge_description_in_markup_is_reviewed_protected_and_read_in_full(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    # Review (issue 11): 4096 characters of "<b>&" grow fourfold once escaped; the review must
    # still be one protected message deleted at filing, and the 🔎 view show every word.
    vic = await enrol(emu, clocked, VOLUNTEER, "Vic", Role.VOLUNTEER)
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    start = len(emu.messages(VOLUNTEER))
    huge = ("<b>&" * 1018) + SECRET + " end."
    assert len(huge) <= 4096
    form = await vic.say("/incident")
    form = await vic.press(form, "Police violence")
    form = await vic.press(form, "Now")
    form = await vic.say("Le pont")
    form = await vic.press(form, "2")
    form = await vic.press(form, "No")
    form = await vic.press(form, "No")
    form = await vic.say(huge)
    form = await vic.say("مرحبا، الشرطة " + "🚓" * 1500)
    form = await vic.press(form, "Done")
    review = await vic.press(form, "No photos")
    assert "Check the report" in text_of(review)
    assert "Send it?" in text_of(review)
    consent = await vic.press(review, "Send the report")
    done = await vic.press(consent, "No")
    assert "INC-2026-0001 saved" in text_of(done)
    await outbox_settled(clocked)
    sent = [m for m in form_messages(emu, VOLUNTEER, start) if m.from_bot]
    assert all(m.extra.get("protect_content") for m in sent)
    kept = [m for m in form_messages(emu, VOLUNTEER, start) if not m.deleted]
    assert kept == [done]
    rows = await clocked.bot.storage.db.fetch_all("SELECT * FROM outbox")
    assert not any(SECRET in repr(tuple(row)) for row in rows)
    reporter = await clocked.bot.storage.users.get(VOLUNTEER)
    assert reporter is not None
    stored = await clocked.bot.services.incidents.read(reporter, 1)
    assert stored.details.description[0] == huge  # nothing cut from the testimony
    listing = await claire.say("/incidents")
    since = len(emu.bot_messages(COORDINATOR))
    await emu.press(COORDINATOR, listing, "🔎 INC-2026-0001")
    await emu.wait_until(
        lambda: any("🚓" in text_of(m) for m in emu.bot_messages(COORDINATOR)[since:])
    )
    await outbox_settled(clocked)
    shown = emu.bot_messages(COORDINATOR)[since:]
    assert all(m.extra.get("protect_content") for m in shown)
    whole = "\n".join(text_of(m) for m in shown)
    assert SECRET + " end." in whole
    assert "🚓" * 1500 in whole.replace("\n", "")


async def test_photos_sent_early_and_their_captions_are_kept_and_removed_from_the_chat(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    # Review (issue 11): a photo sent before the description step, or with a caption, is part
    # of the testimony: kept (sealed) and deleted from the chat with the rest.
    vic = await enrol(emu, clocked, VOLUNTEER, "Vic", Role.VOLUNTEER)
    start = len(emu.messages(VOLUNTEER))
    form = await vic.say("/incident")
    form = await vic.press(form, "Tear gas")
    form = await vic.press(form, "Now")
    form = await vic.say("Le pont")
    since = len(emu.bot_messages(VOLUNTEER))
    await emu.send_photo(VOLUNTEER, caption=f"Gas at the camp {SECRET}")
    form = await emu.wait_for_bot_message(VOLUNTEER, since=since)
    assert "How many people" in text_of(form)
    form = await vic.press(form, "2")
    form = await vic.press(form, "No")
    form = await vic.press(form, "No")
    assert "1 message noted" in text_of(form)
    since = len(emu.bot_messages(VOLUNTEER))
    await emu.send_photo(VOLUNTEER, caption="Canisters on the ground")
    form = await emu.wait_for_bot_message(VOLUNTEER, since=since)
    assert "2 photos or videos received" in text_of(form)
    review = await vic.press(form, "Done")
    assert SECRET in text_of(review)
    assert "Canisters on the ground" in text_of(review)
    consent = await vic.press(review, "Send the report")
    done = await vic.press(consent, "No")
    await outbox_settled(clocked)
    kept = [m for m in form_messages(emu, VOLUNTEER, start) if not m.deleted]
    assert kept == [done]
    reporter = await clocked.bot.storage.users.get(VOLUNTEER)
    assert reporter is not None
    report = await clocked.bot.services.incidents.read(reporter, 1)
    assert report.details.description == [f"Gas at the camp {SECRET}", "Canisters on the ground"]
    assert len(report.details.media) == 2


async def test_a_detail_typed_at_the_review_joins_the_description_and_leaves_the_chat(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    # Review (issue 11): a tired volunteer remembers a detail at the review and types it; it
    # was answered "tap a button", lost for the report and left on the phone.
    vic = await enrol(emu, clocked, VOLUNTEER, "Vic", Role.VOLUNTEER)
    start = len(emu.messages(VOLUNTEER))
    form = await vic.say("/incident")
    form = await vic.press(form, "Belongings seized")
    form = await vic.press(form, "Now")
    form = await vic.say("Le pont")
    form = await vic.press(form, "1")
    form = await vic.press(form, "No")
    form = await vic.press(form, "No")
    form = await vic.say("Sleeping bags taken.")
    form = await vic.press(form, "Done")
    review = await vic.press(form, "No photos")
    review = await vic.say(f"They also took his phone, {SECRET}.")
    assert "Check the report" in text_of(review)
    assert SECRET in text_of(review)
    consent = await vic.press(review, "Send the report")
    done = await vic.press(consent, "No")
    await outbox_settled(clocked)
    kept = [m for m in form_messages(emu, VOLUNTEER, start) if not m.deleted]
    assert kept == [done]
    reporter = await clocked.bot.storage.users.get(VOLUNTEER)
    assert reporter is not None
    report = await clocked.bot.services.incidents.read(reporter, 1)
    assert report.details.description[-1] == f"They also took his phone, {SECRET}."


async def test_a_reporter_removed_from_the_team_cannot_reopen_their_report(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    # Review (issue 11): a volunteer's phone is taken, the coordinator removes them; the 🔎
    # buttons left in that chat must open nothing any more.
    vic = await enrol(emu, clocked, VOLUNTEER, "Vic", Role.VOLUNTEER)
    await file_report(clocked, VOLUNTEER, f"Batons used, {SECRET}.")
    listing = await vic.say("/incidents")
    assert "1 report" in text_of(listing)
    await clocked.bot.storage.users.set_role(VOLUNTEER, Role.PUBLIC, antenna="calais")
    since = len(emu.bot_messages(VOLUNTEER))
    answers = len(emu.callback_answers)
    await emu.press(VOLUNTEER, listing, "🔎 INC-2026-0001")
    await emu.wait_until(lambda: len(emu.callback_answers) > answers)
    await outbox_settled(clocked)
    assert "🔒" in (list(emu.callback_answers.values())[answers].get("text") or "")
    assert not any(SECRET in text_of(m) for m in emu.bot_messages(VOLUNTEER)[since:])
    reads = await clocked.bot.storage.incidents.audit_entries(None, limit=20)
    assert not [e for e in reads if e.action == "read"]


async def test_a_report_opened_with_the_magnifier_leaves_the_chat_an_hour_after(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    # Review (issue 11): the 🔎 view stayed in the reader's chat for good, readable on a
    # phone that is taken; it goes after an hour, every part of a long one.
    await enrol(emu, clocked, VOLUNTEER, "Vic", Role.VOLUNTEER)
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await file_report(clocked, VOLUNTEER, f"Batons used, {SECRET}. " + "🚓" * 3000)
    listing = await claire.say("/incidents")
    since = len(emu.bot_messages(COORDINATOR))
    await emu.press(COORDINATOR, listing, "🔎 INC-2026-0001")
    await emu.wait_until(
        lambda: any("Deleted from this chat" in text_of(m) for m in emu.bot_messages(COORDINATOR))
    )
    await outbox_settled(clocked)
    shown = emu.bot_messages(COORDINATOR)[since:]
    assert len(shown) >= 2
    assert SECRET in text_of(shown[0])
    clock.advance(minutes=59)
    await clocked.bot.jobs.fire_due()
    await outbox_settled(clocked)
    assert not any(m.deleted for m in shown)
    clock.advance(minutes=2)
    await clocked.bot.jobs.fire_due()
    await outbox_settled(clocked)
    assert all(m.deleted for m in shown)
    assert not listing.deleted


async def test_a_cancelled_report_leaves_no_word_in_the_database_file(
    emu: BotApiEmulator, clocked: RunningBot, tmp_path: Path
) -> None:
    # Review (issue 11): the log was emptied after filing only; a cancelled report's typed
    # words stayed readable in the write-ahead log.
    vic = await enrol(emu, clocked, VOLUNTEER, "Vic", Role.VOLUNTEER)
    form = await vic.say("/incident")
    form = await vic.press(form, "Police violence")
    form = await vic.press(form, "Now")
    form = await vic.say(f"Under the bridge {SECRET}")
    form = await vic.press(form, "2")
    form = await vic.press(form, "No")
    form = await vic.press(form, "No")
    form = await vic.say(f"The police slashed {SECRET} tents at dawn.")
    cancelled = await vic.press(form, "Cancel")
    assert "nothing was saved" in text_of(cancelled)
    await outbox_settled(clocked)
    await clocked.bot.jobs.fire_due()
    raw = raw_database(tmp_path / "clocked.sqlite3")
    assert SECRET.encode() not in raw


async def test_a_voice_message_and_a_photo_sent_as_a_file_are_kept_and_removed(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    # Review (issue 11): at 2 a.m. a volunteer records a voice message, or sends the original
    # photo as a file; both were refused ("I can read text") and left on the phone.
    vic = await enrol(emu, clocked, VOLUNTEER, "Vic", Role.VOLUNTEER)
    start = len(emu.messages(VOLUNTEER))
    form = await vic.say("/incident")
    form = await vic.press(form, "Police violence")
    form = await vic.press(form, "Now")
    form = await vic.say("Le pont")
    form = await vic.press(form, "1")
    form = await vic.press(form, "No")
    form = await vic.press(form, "Yes")
    form = await vic.say("Kicked while asleep.")
    for kind in ("voice", "document"):
        since = len(emu.bot_messages(VOLUNTEER))
        await emu.send_file(VOLUNTEER, kind)
        form = await emu.wait_for_bot_message(VOLUNTEER, since=since)
    assert "2 photos or videos received" in text_of(form)
    review = await vic.press(form, "Done")
    consent = await vic.press(review, "Send the report")
    done = await vic.press(consent, "No")
    await outbox_settled(clocked)
    kept = [m for m in form_messages(emu, VOLUNTEER, start) if not m.deleted]
    assert kept == [done]
    reporter = await clocked.bot.storage.users.get(VOLUNTEER)
    assert reporter is not None
    report = await clocked.bot.services.incidents.read(reporter, 1)
    assert [kind for kind, _ in report.details.media] == ["voice", "document"]


async def test_a_report_still_names_its_place_once_the_place_is_retired(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    # Review (issue 11): the 🔎 view looked the place up among today's places only; once the
    # place was retired, the report lost where it happened.
    await enrol(emu, clocked, VOLUNTEER, "Vic", Role.VOLUNTEER)
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    catalogue = clocked.bot.services.distributions.catalogue
    marck = next(p for p in catalogue.places.values() if p.name == "Marck")
    reporter = await clocked.bot.storage.users.get(VOLUNTEER)
    assert reporter is not None
    await clocked.bot.services.incidents.file(
        reporter,
        kind="eviction",
        occurred_at=clocked.bot.clock.now(),
        details=IncidentDetails(place_id=marck.id, people=4, description=["Tents taken."]),
        name_reporter=False,
    )
    retired = await claire.say("/places retire marck")
    assert "Place retired" in text_of(retired)
    listing = await claire.say("/incidents")
    since = len(emu.bot_messages(COORDINATOR))
    await emu.press(COORDINATOR, listing, "🔎 INC-2026-0001")
    await emu.wait_until(lambda: len(emu.bot_messages(COORDINATOR)) > since)
    assert "📍 Marck" in text_of(emu.bot_messages(COORDINATOR)[since])
