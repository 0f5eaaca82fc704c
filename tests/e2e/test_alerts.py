"""Team alerts and the weekly summary, end to end (issue 10 §4–5).

The clock is a FakeClock moved by hand; a job is run by `fire_due` as the sweeper would (the
JobQueue's own timers wait real seconds, which the tests never let pass).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.sandbox.emulator import BotApiEmulator, Button, ChatMessage
from bot.services.alerts import MAX_ALERTS, MAX_TEXT, alert_key, summary_key
from bot.services.outbox import utf16_length
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
from tests.helpers.help import alerts as help_alerts
from tests.helpers.help import ask_for_help, has_button, press

COORDINATOR = 250
OUTSIDER = 260  # a coordinator of Grande-Synthe
VOLUNTEER = 400
ASKER = 510  # a person asking for help


def posted(emu: BotApiEmulator) -> list[ChatMessage]:
    """The alerts the team chat received, oldest first."""
    return [m for m in emu.bot_messages(TEAM_CHAT_ID) if (m.text or "").startswith("⏰")]


async def fire_at(
    emu: BotApiEmulator, running: RunningBot, clock: FakeClock, moment: datetime
) -> int:
    """Move the clock and run what is due: how many alerts the team chat received."""
    before = len(posted(emu))
    clock.current = moment
    await running.bot.jobs.fire_due()
    await outbox_settled(running)
    return len(posted(emu)) - before


async def started(emu: BotApiEmulator, database: Path, clock: FakeClock) -> RunningBot:
    return await start_bot(make_settings(emu, database), clock)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


async def due_of(running: RunningBot, key: str) -> tuple[str, datetime] | None:
    job = await running.bot.storage.jobs.by_key(key)
    return None if job is None else (job.status, job.due_at)


async def test_each_form_fires_once_at_its_time_in_the_team_chat(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    # Tuesday 1 December 2026, 21:00 in Paris.
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    answer = await claire.say("/alert 21h30 Soup <b>at</b> the station")
    assert "#1 saved (once)" in (answer.text or "")
    await claire.say("/alert 2026-12-03 18:00 Blankets\nfrom the store")
    await claire.say("/alert daily ٠٨:٠٠ Tea")
    await claire.say("/alert chaque jeudi 19h Stock count")
    assert await due_of(clocked, alert_key(1)) == ("pending", utc(2026, 12, 1, 20, 30))
    assert await due_of(clocked, alert_key(2)) == ("pending", utc(2026, 12, 3, 17))
    assert await due_of(clocked, alert_key(3)) == ("pending", utc(2026, 12, 2, 7))
    assert await due_of(clocked, alert_key(4)) == ("pending", utc(2026, 12, 3, 18))
    assert posted(emu) == []
    # A minute early: nothing.
    assert await fire_at(emu, clocked, clock, utc(2026, 12, 1, 20, 29)) == 0
    assert await fire_at(emu, clocked, clock, utc(2026, 12, 1, 20, 30)) == 1
    first = await emu.wait_for_bot_message(TEAM_CHAT_ID, lambda m: "Soup" in (m.text or ""))
    # The text is the coordinator's, escaped: the tags show as typed.
    assert "<b>at</b>" in (first.plain_text or "")
    assert "Claire" in (first.text or "")
    assert await fire_at(emu, clocked, clock, utc(2026, 12, 1, 20, 31)) == 0  # exactly once
    assert await due_of(clocked, alert_key(1)) == ("done", utc(2026, 12, 1, 20, 30))
    assert await fire_at(emu, clocked, clock, utc(2026, 12, 2, 7)) == 1
    # The daily one is armed for the next day, from the occurrence.
    assert await due_of(clocked, alert_key(3)) == ("pending", utc(2026, 12, 3, 7))
    assert await fire_at(emu, clocked, clock, utc(2026, 12, 3, 7)) == 1
    assert await fire_at(emu, clocked, clock, utc(2026, 12, 3, 17)) == 1
    assert "Blankets\nfrom the store" in (posted(emu)[-1].text or "")
    assert await fire_at(emu, clocked, clock, utc(2026, 12, 3, 18)) == 1
    assert "Stock count" in (posted(emu)[-1].text or "")
    assert await due_of(clocked, alert_key(4)) == ("pending", utc(2026, 12, 10, 18))
    texts = [m.text or "" for m in posted(emu)]
    assert len(texts) == 5
    assert sum("Tea" in text for text in texts) == 2
    # The one-offs are over: /alerts lists what is still to come.
    listed = (await claire.say("/alerts")).text or ""
    assert "Calais: 2 alerts." in listed
    assert "#1" not in listed
    assert "#3 — next:" in listed


@pytest.mark.parametrize(
    ("start", "fires", "not_again", "following"),
    [
        # 29 March 2026: 02:30 never shows; it fires once, at 03:00 summer time.
        (
            utc(2026, 3, 28, 12),
            utc(2026, 3, 29, 1, 0),
            utc(2026, 3, 29, 1, 30),
            utc(2026, 3, 30, 0, 30),
        ),
        # 25 October 2026: 02:30 shows twice; it fires the first time only.
        (
            utc(2026, 10, 24, 12),
            utc(2026, 10, 25, 0, 30),
            utc(2026, 10, 25, 1, 30),
            utc(2026, 10, 26, 1, 30),
        ),
    ],
    ids=["spring", "autumn"],
)
async def test_a_daily_alert_fires_once_on_the_nights_the_clocks_change(
    emu: BotApiEmulator,
    tmp_path: Path,
    start: datetime,
    fires: datetime,
    not_again: datetime,
    following: datetime,
) -> None:
    clock = FakeClock(start)
    running = await started(emu, tmp_path / "dst.sqlite3", clock)
    try:
        claire = await enrol(emu, running, COORDINATOR, "Claire", Role.COORDINATOR)
        await claire.say("/alert daily 2h30 Night round check")
        assert await due_of(running, alert_key(1)) == ("pending", fires)
        assert await fire_at(emu, running, clock, fires - (fires - start) / 1000) == 0
        assert await fire_at(emu, running, clock, fires) == 1
        assert await fire_at(emu, running, clock, not_again) == 0
        assert len(posted(emu)) == 1
        assert await due_of(running, alert_key(1)) == ("pending", following)
    finally:
        await running.stop()


async def test_an_alert_survives_a_restart_and_fires_once(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    clock = FakeClock(utc(2026, 12, 1, 20))
    database = tmp_path / "restart.sqlite3"
    running = await started(emu, database, clock)
    try:
        claire = await enrol(emu, running, COORDINATOR, "Claire", Role.COORDINATOR)
        await claire.say("/alert 22:00 Lights out")
    finally:
        await running.stop()
    # Back ten minutes after it was due (within MISFIRE_GRACE_MINUTES): re-armed, run once.
    clock.current = utc(2026, 12, 1, 21, 10)
    running = await started(emu, database, clock)
    try:
        await emu.wait_until(lambda: len(posted(emu)) == 1)
        await running.bot.jobs.fire_due()
        await outbox_settled(running)
        assert len(posted(emu)) == 1
        assert "Lights out" in (posted(emu)[0].text or "")
    finally:
        await running.stop()


async def test_alerts_missed_beyond_the_grace_do_not_fire_and_recurring_ones_rearm(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    clock = FakeClock(utc(2026, 12, 1, 20))
    database = tmp_path / "missed.sqlite3"
    running = await started(emu, database, clock)
    try:
        claire = await enrol(emu, running, COORDINATOR, "Claire", Role.COORDINATOR)
        await claire.say("/alert daily 08:00 Tea")
        await claire.say("/alert demain 9h Meeting")
        await claire.say("/alert weekly wednesday 08:30 Stock")
    finally:
        await running.stop()
    # Down all morning: 10:30 in Paris, hours after every one of them (grace: 60 minutes).
    clock.current = utc(2026, 12, 2, 9, 30)
    running = await started(emu, database, clock)
    try:
        await running.bot.jobs.fire_due()
        await outbox_settled(running)
        assert posted(emu) == []
        assert await due_of(running, alert_key(1)) == ("pending", utc(2026, 12, 3, 7))
        assert await due_of(running, alert_key(2)) == ("skipped", utc(2026, 12, 2, 8))
        assert await due_of(running, alert_key(3)) == ("pending", utc(2026, 12, 9, 7, 30))
        assert await fire_at(emu, running, clock, utc(2026, 12, 3, 7)) == 1
        assert len(posted(emu)) == 1
    finally:
        await running.stop()


async def test_a_recurring_alert_found_late_by_the_sweeper_is_rearmed(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    """Skipped while running (a lost timer, a frozen machine): its next occurrence stays."""
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await claire.say("/alert daily 08:00 Tea")
    assert await fire_at(emu, clocked, clock, utc(2026, 12, 2, 9, 1)) == 0
    assert posted(emu) == []
    assert await due_of(clocked, alert_key(1)) == ("pending", utc(2026, 12, 3, 7))


async def test_list_delete_by_button_and_by_command(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    helped = (await claire.say("/help")).text or ""
    assert "/alert" in helped
    assert "/alerts" in helped
    gus = await enrol(emu, clocked, OUTSIDER, "Gus", Role.COORDINATOR, antenna="grande-synthe")
    vera = await enrol(emu, clocked, VOLUNTEER, "Vera", Role.VOLUNTEER)
    await claire.say("/alert daily 08:00 Tea")
    await claire.say("/alert weekly monday 18:00 Stock")
    await claire.say("/alert 2026-12-24 18:00 Christmas meal")
    listed = await claire.say("/alerts")
    text = listed.text or ""
    assert "Calais: 3 alerts" in text
    assert "every day at 08:00" in text
    assert "every Monday at 18:00" in text
    assert "Weekly summary: on" in text
    assert all(has_button(listed, f"ald:{n}") for n in (1, 2, 3))
    assert has_button(listed, "aws:calais:0")
    # A double tap: both presses reach the bot before the list is edited; one deletes.
    answers = len(emu.callback_answers)
    await emu.press(COORDINATOR, listed, "ald:1")
    await emu.press(COORDINATOR, listed, "ald:1")
    await emu.wait_until(lambda: len(emu.callback_answers) >= answers + 2)
    toasts = [str(a.get("text")) for a in list(emu.callback_answers.values())[answers:]]
    assert any("#1 deleted" in toast for toast in toasts)
    assert any("already deleted" in toast for toast in toasts)
    await outbox_settled(clocked)
    assert not has_button(listed, "ald:1")
    assert "2 alerts" in (listed.text or "")
    assert await due_of(clocked, alert_key(1)) == ("cancelled", utc(2026, 12, 2, 7))
    rows = await clocked.bot.storage.db.fetch_all("SELECT id FROM alerts WHERE deleted_at IS NULL")
    assert [row[0] for row in rows] == [2, 3]
    # Another antenna's coordinator, by command or by a forged button: refused, nothing changes.
    refused = await gus.say("/alert del 2")
    assert "no alert #2 here" in (refused.text or "")
    message = gus.last()
    message.keyboard = [[Button(text="forged", callback_data="ald:2")]]
    assert "no alert #2 here" in await press(emu, OUTSIDER, message, "ald:2")
    # A volunteer may not add one.
    assert "only for team members" in ((await vera.say("/alert 18:00 Hi")).text or "")
    assert "only for team members" in ((await vera.say("/alerts")).text or "")
    assert await due_of(clocked, alert_key(2)) is not None
    # By command, twice.
    assert "#2 deleted" in ((await claire.say("/alert del 2")).text or "")
    assert "already deleted" in ((await claire.say("/alert del #2")).text or "")
    assert await due_of(clocked, alert_key(2)) == ("cancelled", utc(2026, 12, 7, 17))
    # Deleted ones never fire.
    assert await fire_at(emu, clocked, clock, utc(2026, 12, 8, 0)) == 0
    assert posted(emu) == []


async def test_bad_inputs_get_an_answer_and_store_nothing(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    bad = await claire.say("/alert soon Soup")
    assert "“soon Soup” is not a time" in (bad.text or "")
    assert "/alert daily 08:00 TEXT" in (bad.text or "")
    assert "/alert weekly monday 18:00" in (bad.text or "")
    usage = await claire.say("/alert")
    assert "Usage: /alert WHEN TEXT" in (usage.text or "")
    assert "Usage" in ((await claire.say("/alert 18:00")).text or "")  # no text
    past = await claire.say("/alert 2026-11-30 18:00 Too late")
    assert "already past" in (past.text or "")
    long = await claire.say("/alert 18:00 " + "x" * (MAX_TEXT + 1))
    assert f"{MAX_TEXT} characters at most" in (long.text or "")
    assert "Usage: /alert del" in ((await claire.say("/alert del abc")).text or "")
    assert await clocked.bot.storage.db.fetch_value("SELECT COUNT(*) FROM alerts") == 0
    # At the limit: kept whole, however long, escaped.
    text = "<i>" + "é" * (MAX_TEXT - 3)
    await claire.say(f"/alert 22:00 {text}")
    stored = await clocked.bot.storage.alerts.get(1)
    assert stored is not None
    assert stored.text == text


def weekly_summary_posts(emu: BotApiEmulator) -> list[ChatMessage]:
    """The team chat speaks the default language (French): its report's heading."""
    return [m for m in emu.bot_messages(TEAM_CHAT_ID) if "📊 Calais" in (m.text or "")]


async def test_weekly_summary_posts_last_week_with_its_chart_once(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    # Tuesday 1 December: within the week Monday 30 November to Sunday 6 December.
    await claire.say("/distrib 10 tea @ Marck")
    # A help request, taken by Claire twelve minutes later.
    emu.add_user(ASKER, "Ahmad", language_code="ar", username="ahmad_k99")
    await ask_for_help(emu, clocked, Person(emu, ASKER))
    clock.advance(minutes=12)
    await press(emu, COORDINATOR, help_alerts(emu)[-1], "hlpt:1")
    monday = utc(2026, 12, 7, 7)  # 08:00 in Paris
    assert await due_of(clocked, summary_key("calais")) == ("pending", monday)
    await fire_at(emu, clocked, clock, monday)
    await emu.wait_until(lambda: any(m.kind == "photo" for m in emu.bot_messages(TEAM_CHAT_ID)))
    # The bulk text keeps its pace in the chat (3 s after the chart, if that went first).
    clock.advance(seconds=5)
    clocked.bot.services.outbox.wake()
    await emu.wait_for_bot_message(TEAM_CHAT_ID, lambda m: "📊 Calais" in (m.text or ""))
    photo = next(m for m in emu.bot_messages(TEAM_CHAT_ID) if m.kind == "photo")
    assert "Calais" in (photo.plain_text or "")
    summaries = weekly_summary_posts(emu)
    assert len(summaries) == 1
    text = summaries[0].text or ""
    assert "30 nov. 2026 au 6 déc. 2026" in text
    assert "10 × thé" in text
    assert "• Marck : 1" in text
    assert "1 demande d’aide" in text
    assert "Prises en charge après 12" in text
    assert await due_of(clocked, summary_key("calais")) == ("pending", utc(2026, 12, 14, 7))
    await fire_at(emu, clocked, clock, utc(2026, 12, 7, 9))
    assert len(weekly_summary_posts(emu)) == 1
    assert len([m for m in emu.bot_messages(TEAM_CHAT_ID) if m.kind == "photo"]) == 1


async def test_weekly_summary_switch_survives_a_restart(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    clock = FakeClock(utc(2026, 12, 1, 20))
    database = tmp_path / "switch.sqlite3"
    running = await started(emu, database, clock)
    try:
        claire = await enrol(emu, running, COORDINATOR, "Claire", Role.COORDINATOR)
        listed = await claire.say("/alerts")
        answers = len(emu.callback_answers)
        await emu.press(COORDINATOR, listed, "aws:calais:0")
        await emu.press(COORDINATOR, listed, "aws:calais:0")  # a double tap
        await emu.wait_until(lambda: len(emu.callback_answers) >= answers + 2)
        toasts = [str(a.get("text")) for a in list(emu.callback_answers.values())[answers:]]
        assert any("summary off" in toast for toast in toasts)
        assert any("already off" in toast for toast in toasts)
        await outbox_settled(running)
        assert "Weekly summary: off" in (listed.text or "")
        assert has_button(listed, "aws:calais:1")
        assert (await due_of(running, summary_key("calais")) or ("",))[0] == "cancelled"
    finally:
        await running.stop()
    clock.current = utc(2026, 12, 7, 7)
    running = await started(emu, database, clock)
    try:
        await running.bot.jobs.fire_due()
        assert (await due_of(running, summary_key("calais")) or ("",))[0] == "cancelled"
        claire = Person(emu, COORDINATOR)
        listed = await claire.say("/alerts")
        assert "Weekly summary: off" in (listed.text or "")
        assert "summary on" in await press(emu, COORDINATOR, listed, "aws:calais:1")
        await outbox_settled(running)
        assert await due_of(running, summary_key("calais")) == ("pending", utc(2026, 12, 14, 7))
        assert "Weekly summary: on" in (listed.text or "")
    finally:
        await running.stop()
    assert weekly_summary_posts(emu) == []


async def test_a_french_coordinator_types_french_words_and_reads_french(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    if "Alerte" not in clocked.bot.services.translator("fr")._("🗑 Alert #{id} deleted.", id="1"):
        pytest.skip("the French catalogue has no alerts yet (filled by the lead after merging)")
    claude = await enrol(emu, clocked, COORDINATOR, "Claude", Role.COORDINATOR, language="fr")
    saved = await claude.say("/alert tous les Mercredis 7h45 Café au local")
    assert "chaque mercredi à 07:45" in (saved.text or "")
    assert await due_of(clocked, alert_key(1)) == ("pending", utc(2026, 12, 2, 6, 45))
    bad = await claude.say("/alert bientôt Café")
    assert "Je ne comprends pas le moment « bientôt Café »" in (bad.text or "")
    assert "/alert chaque jour 08:00 TEXTE" in (bad.text or "")
    listed = await claude.say("/alerts")
    assert "Calais : 1 alerte." in (listed.text or "")
    assert "Bilan de la semaine : activé, le lundi à 08:00" in (listed.text or "")
    assert await fire_at(emu, clocked, clock, utc(2026, 12, 2, 6, 45)) == 1
    assert "Café au local\n\n— Claude (@claude), /alerts" in (posted(emu)[0].text or "")


async def test_a_daily_alert_whose_run_failed_is_armed_again_at_start(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    clock = FakeClock(utc(2026, 12, 1, 20))
    database = tmp_path / "failed.sqlite3"
    running = await started(emu, database, clock)
    try:
        claire = await enrol(emu, running, COORDINATOR, "Claire", Role.COORDINATOR)
        await claire.say("/alert daily 08:00 Tea")
        # Its run failed (and so armed nothing): the row says so.
        async with running.bot.storage.transaction():
            job = await running.bot.storage.jobs.by_key(alert_key(1))
            assert job is not None
            await running.bot.storage.jobs.finish(job.id, "failed", "RuntimeError", clock.now())
    finally:
        await running.stop()
    clock.current = utc(2026, 12, 2, 12)
    running = await started(emu, database, clock)
    try:
        assert await due_of(running, alert_key(1)) == ("pending", utc(2026, 12, 3, 7))
    finally:
        await running.stop()


async def test_the_list_at_its_limits_shows_every_alert_in_one_message(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    # 25 alerts (the cap) whose texts are all markup: "&" and "<" are five and four
    # characters once escaped, which Telegram's 4096 counts.
    for minute in range(MAX_ALERTS):
        await claire.say(f"/alert daily 08:{minute:02d} " + "&<" * (MAX_TEXT // 2))
    listed = await claire.say("/alerts")
    text = listed.text or ""
    assert utf16_length(text) <= 4096
    assert "Calais: 25 alerts." in text
    assert all(f"#{n} — next:" in text for n in range(1, MAX_ALERTS + 1))
    assert "<i>&amp;&lt;&amp;" in text  # previews escaped, shortened, still there
    assert "Weekly summary: on" in text
    assert sum(len(row) for row in listed.keyboard) == MAX_ALERTS + 1


async def test_a_day_word_of_two_words_is_understood(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    # Tuesday 1 December 2026, 21:00 in Paris.
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    saved = await claire.say("/alert ce soir 22h Maraude at the station")
    assert "#1 saved (once)" in (saved.text or "")
    assert await due_of(clocked, alert_key(1)) == ("pending", utc(2026, 12, 1, 21))
    await claire.say("/alert tomorrow night 20:00 Soup")
    assert await due_of(clocked, alert_key(2)) == ("pending", utc(2026, 12, 2, 19))
    stored = await clocked.bot.storage.alerts.get(1)
    assert stored is not None
    assert stored.text == "Maraude at the station"


async def test_the_summary_of_an_antenna_without_team_chat_says_it_goes_nowhere(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    gus = await enrol(emu, clocked, OUTSIDER, "Gus", Role.COORDINATOR, antenna="grande-synthe")
    listed = (await gus.say("/alerts")).text or ""
    assert "Weekly summary: on" in listed
    assert "no team chat: the weekly summary is not posted" in listed
    # Monday comes: nothing is sent anywhere, and next Monday's is armed.
    sent = len(emu.bot_messages(OUTSIDER))
    await fire_at(emu, clocked, clock, utc(2026, 12, 7, 7))
    assert await due_of(clocked, summary_key("grande-synthe")) == (
        "pending",
        utc(2026, 12, 14, 7),
    )
    assert len(emu.bot_messages(OUTSIDER)) == sent
    # Calais has its team chat: no such warning there.
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    assert "no team chat" not in ((await claire.say("/alerts")).text or "")


async def test_the_timer_and_the_sweeper_racing_then_a_restart_fire_it_once(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    clock = FakeClock(utc(2026, 12, 1, 20))
    database = tmp_path / "race.sqlite3"
    running = await started(emu, database, clock)
    try:
        claire = await enrol(emu, running, COORDINATOR, "Claire", Role.COORDINATOR)
        await claire.say("/alert daily 08:00 Tea")
        await claire.say("/alert daily 09:00 Coffee")
        tea = await running.bot.storage.jobs.by_key(alert_key(1))
        coffee = await running.bot.storage.jobs.by_key(alert_key(2))
        assert tea is not None
        assert coffee is not None
        clock.current = utc(2026, 12, 2, 7)
        jobs = running.bot.jobs
        # Its timer, a second timer and the sweeper, all at once: one runs it.
        await asyncio.gather(jobs.fire(tea.id), jobs.fire(tea.id), jobs.fire_due())
        # Coffee fires while a coordinator deletes it: either it fired, or it never will.
        clock.current = utc(2026, 12, 2, 8)
        user = await running.bot.services.users.get(COORDINATOR)
        assert user is not None
        await asyncio.gather(jobs.fire(coffee.id), running.bot.services.alerts.delete(user, 2))
        assert await due_of(running, alert_key(2)) == ("cancelled", utc(2026, 12, 3, 8))
    finally:
        # Stopped right after: the posts may still be in the outbox.
        await running.stop()
    clock.current = utc(2026, 12, 2, 8, 5)
    running = await started(emu, database, clock)
    try:
        await emu.wait_until(lambda: len(posted(emu)) >= 1)
        await running.bot.jobs.fire_due()
        await outbox_settled(running)
        texts = [m.text or "" for m in posted(emu)]
        assert sum("Tea" in text for text in texts) == 1
        assert sum("Coffee" in text for text in texts) <= 1
        assert await due_of(running, alert_key(1)) == ("pending", utc(2026, 12, 3, 7))
        # The next day: Tea again, Coffee never.
        assert await fire_at(emu, running, clock, utc(2026, 12, 3, 8)) == 1
        assert "Tea" in (posted(emu)[-1].text or "")
    finally:
        await running.stop()


async def test_the_summary_switched_off_and_on_twice_posts_once_on_monday(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    listed = await claire.say("/alerts")
    for _ in range(2):
        assert "summary off" in await press(emu, COORDINATOR, listed, "aws:calais:0")
        await outbox_settled(clocked)
        assert "summary on" in await press(emu, COORDINATOR, listed, "aws:calais:1")
        await outbox_settled(clocked)
    assert "Weekly summary: on" in (listed.text or "")
    assert await due_of(clocked, summary_key("calais")) == ("pending", utc(2026, 12, 7, 7))
    count = await clocked.bot.storage.db.fetch_value(
        "SELECT COUNT(*) FROM jobs WHERE key = ?", (summary_key("calais"),)
    )
    assert count == 1
    await fire_at(emu, clocked, clock, utc(2026, 12, 7, 7))
    clock.advance(seconds=5)
    clocked.bot.services.outbox.wake()
    await emu.wait_for_bot_message(TEAM_CHAT_ID, lambda m: "📊 Calais" in (m.text or ""))
    await fire_at(emu, clocked, clock, utc(2026, 12, 7, 8))
    assert len(weekly_summary_posts(emu)) == 1
    assert await due_of(clocked, summary_key("calais")) == ("pending", utc(2026, 12, 14, 7))
