"""Public information from the catalogue, through the emulator (issue 8 §1, §2)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import SHIPPED_LOCALES
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from bot.services.content import ANSWER_BUDGET, CONTENT_DIR, ContentError
from bot.services.info import JOB_STALE_WEEKLY, weekly_key
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

CAVEAT = "Not confirmed recently: ask the team."
HOSPITAL = "1601 boulevard des Justes, 62100 Calais"
COORDINATOR = 250
VOLUNTEER = 400
OUTSIDER = 260  # coordinator of grande-synthe


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the shipped catalogue that a test may change."""
    directory = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, directory)
    return directory


@pytest.fixture
async def info_bot(
    emu: BotApiEmulator, tmp_path: Path, clock: FakeClock, content: Path
) -> AsyncIterator[RunningBot]:
    settings = make_settings(emu, tmp_path / "info.sqlite3", content_dir=content)
    bot = await start_bot(settings, clock)
    yield bot
    await bot.stop()


async def ask(
    person: Person, emu: BotApiEmulator, topic: str, clock: FakeClock | None = None
) -> tuple[ChatMessage, list[ChatMessage]]:
    """Press a menu topic; return the answer and the pins that follow it. The outbox paces
    each chat by the (fake) clock: a test asking much moves it on."""
    if clock is not None:
        clock.advance(seconds=10)
    menu = await person.say("/menu", expect=is_menu)
    since = len(emu.bot_messages(person.id))
    answer = await person.press(menu, f"topic:{topic}")
    messages = emu.bot_messages(person.id)[since:]
    return answer, [m for m in messages if m.kind in ("venue", "location")]


def is_menu(message: ChatMessage) -> bool:
    return any(b.callback_data == "topic:health" for b in message.buttons())


async def public(emu: BotApiEmulator, user_id: int, language: str, town: str = "calais") -> Person:
    emu.add_user(user_id, f"P{user_id}", language_code=language)
    person = Person(emu, user_id)
    menu = await person.say("/menu", expect=is_menu)
    ask_town = await person.press(menu, "topic:health")
    await person.press(ask_town, f"ant:{town}:health")
    return person


async def pins_of(emu: BotApiEmulator, person: Person, count: int) -> list[ChatMessage]:
    await emu.wait_until(
        lambda: sum(m.kind == "venue" for m in emu.bot_messages(person.id)) >= count
    )
    return [m for m in emu.bot_messages(person.id) if m.kind == "venue"]


async def test_arabic_health_answer_has_the_hospital_pin_and_verified_line(
    emu: BotApiEmulator, info_bot: RunningBot
) -> None:
    person = await public(emu, 501, "ar")
    answer, _ = await ask(person, emu, "health")
    text = answer.text or ""
    assert HOSPITAL in text
    assert "\u20661601\u2069" not in text  # the address is content, not a number to dial
    assert "\u20663237\u2069" in text  # numbers isolated left-to-right inside Arabic
    assert all(line.startswith("\u200f") for line in text.splitlines() if line)
    arabic = info_bot.bot.services.translator("ar")
    assert text.count(arabic._("⚠️ " + CAVEAT)) == 1  # the PASS is to confirm
    assert arabic._("🌐 This part is not yet in your language.") not in text  # all in Arabic
    verified = arabic._("✅ Verified on {date}", date="").strip()
    assert verified
    assert verified in text
    assert len(text) <= ANSWER_BUDGET
    pins = await pins_of(emu, person, 1)
    assert HOSPITAL in (pins[-1].text or "")
    assert answer.button("topic:staff")  # "show this to staff"


async def test_tigrinya_and_unknown_language_fall_back_and_say_so(
    emu: BotApiEmulator, info_bot: RunningBot, content: Path
) -> None:
    tigrinya = await public(emu, 502, "ti")
    answer, _ = await ask(tigrinya, emu, "shelter")
    text = answer.text or ""
    assert "\u2066115\u2069" in text
    assert "Emergency shelter" not in text  # the catalogue is translated into Tigrinya
    # A translation missing from the files: English first, said in one line in Tigrinya.
    common = content / "common.toml"
    kept = [line for line in common.read_text("utf-8").splitlines() if ".ti = " not in line]
    common.write_text("\n".join(kept) + "\n", "utf-8")
    coordinator = await enrol(emu, info_bot, COORDINATOR, "Claire", Role.COORDINATOR)
    assert "reloaded" in ((await coordinator.say("/content reload")).text or "")
    answer, _ = await ask(tigrinya, emu, "shelter")
    text = answer.text or ""
    assert "Emergency shelter: 115" in text  # English, the first fallback
    assert (
        info_bot.bot.services.translator("ti")._("🌐 This part is not yet in your language.")
        in text
    )
    unknown = await public(emu, 503, "xx")
    answer, _ = await ask(unknown, emu, "shelter")
    text = answer.text or ""
    assert "Hébergement d’urgence : 115" in text  # the default locale, French, has it all
    assert "pas encore dans votre langue" not in text


async def test_every_answer_fits_one_screen_in_every_language(
    emu: BotApiEmulator, info_bot: RunningBot, clock: FakeClock
) -> None:
    async def time_flows() -> None:
        # The outbox paces each chat (and waits out the emulator's flood control) by the
        # fake clock: let it run fast while this test asks 140 questions.
        while True:
            clock.advance(seconds=1)
            await asyncio.sleep(0.01)

    flowing = asyncio.create_task(time_flows())
    try:
        await every_answer(emu, clock)
    finally:
        flowing.cancel()


async def every_answer(emu: BotApiEmulator, clock: FakeClock) -> None:
    for offset, locale in enumerate(SHIPPED_LOCALES):
        for town in ("calais", "grande-synthe"):
            user_id = 600 + offset * 2 + (town == "grande-synthe")
            person = await public(emu, user_id, locale, town)
            for topic in (
                "health",
                "shelter",
                "legal",
                "food",
                "showers",
                "charging",
                "emergency",
            ):
                answer, _ = await ask(person, emu, topic, clock)
                text = answer.text or ""
                assert len(text) <= ANSWER_BUDGET, (locale, town, topic, len(text))
                assert "\n" in text


async def test_a_stale_entry_shows_one_caveat(
    emu: BotApiEmulator, info_bot: RunningBot, clock: FakeClock
) -> None:
    person = await public(emu, 504, "en")
    answer, _ = await ask(person, emu, "health")
    assert (answer.text or "").count(CAVEAT) == 1  # the PASS is to confirm
    food, _ = await ask(person, emu, "emergency")
    assert CAVEAT not in (food.text or "")
    clock.advance(days=120)  # now every entry is older than 90 days
    answer, _ = await ask(person, emu, "emergency")
    assert (answer.text or "").count(CAVEAT) == 1


async def test_content_confirm_by_a_coordinator_once_and_refused_to_others(
    emu: BotApiEmulator, info_bot: RunningBot
) -> None:
    coordinator = await enrol(emu, info_bot, COORDINATOR, "Claire", Role.COORDINATOR)
    volunteer = await enrol(emu, info_bot, VOLUNTEER, "Vera", Role.VOLUNTEER)
    refused = await volunteer.say("/content")
    assert "only for team members" in (refused.text or "")
    listing = await coordinator.say("/content")
    assert "pass" in [b.callback_data.split(":")[-1] for b in listing.buttons()]
    button = next(b for b in listing.buttons() if b.callback_data == "cc:calais:calais:pass")
    await coordinator.press(listing, button.callback_data)
    rows = await info_bot.bot.storage.info.confirmations()
    assert rows[("calais", "pass")].confirmed_by == COORDINATOR
    stamped = rows[("calais", "pass")].confirmed_at
    assert "cc:calais:calais:pass" not in [b.callback_data for b in listing.buttons()]
    # A second tap (an old copy of the list) changes nothing.
    answers = len(emu.callback_answers)
    listing.keyboard = [[button]]
    await emu.press(COORDINATOR, listing, button.callback_data)
    await emu.wait_until(lambda: len(emu.callback_answers) > answers)
    assert "Already confirmed" in str(list(emu.callback_answers.values())[-1].get("text"))
    rows = await info_bot.bot.storage.info.confirmations()
    assert rows[("calais", "pass")].confirmed_at == stamped
    # Another antenna's entry: refused, nothing stored.
    forged = type(button)(text="x", callback_data="cc:grande-synthe:grande-synthe:pass")
    listing.keyboard = [[forged]]
    answers = len(emu.callback_answers)
    await emu.press(COORDINATOR, listing, forged.callback_data)
    await emu.wait_until(lambda: len(emu.callback_answers) > answers)
    rows = await info_bot.bot.storage.info.confirmations()
    assert ("grande-synthe", "pass") not in rows
    # The health answer no longer has the caveat; /forget keeps the date, not the id.
    person = await public(emu, 505, "en")
    answer, _ = await ask(person, emu, "health")
    assert CAVEAT not in (answer.text or "")
    async with info_bot.bot.storage.transaction():
        user = await info_bot.bot.services.users.get(COORDINATOR)
        assert user is not None
        await info_bot.bot.services.users.forget(user)
    rows = await info_bot.bot.storage.info.confirmations()
    assert rows[("calais", "pass")].confirmed_by is None


async def test_reload_with_a_broken_file_keeps_the_old_catalogue(
    emu: BotApiEmulator, info_bot: RunningBot, content: Path
) -> None:
    coordinator = await enrol(emu, info_bot, COORDINATOR, "Claire", Role.COORDINATOR)
    calais = content / "calais.toml"
    good = calais.read_text(encoding="utf-8")
    calais.write_text(
        good.replace('phones = ["15"]', "").replace("latitude = 50.9407", "latitude = 95.0"),
        encoding="utf-8",
    )
    answer = await coordinator.say("/content reload")
    text = answer.text or ""
    assert "nothing was changed" in text.lower()
    assert "calais.toml:" in text
    lines = calais.read_text(encoding="utf-8").splitlines()
    line = next(number for number, text in enumerate(lines, 1) if "95.0" in text)
    assert f"calais.toml:{line}" in text
    person = await public(emu, 506, "en")
    health, _ = await ask(person, emu, "health")
    assert HOSPITAL in (health.text or "")  # still the old catalogue
    calais.write_text(
        good.replace("Hospital: emergency department", "Hospital: A&E <24h>"), encoding="utf-8"
    )
    answer = await coordinator.say("/content reload")
    assert "reloaded" in (answer.text or "")
    health, _ = await ask(person, emu, "health")
    assert "A&amp;E &lt;24h&gt;" in (health.text or "")  # escaped for HTML
    refused = await (await enrol(emu, info_bot, VOLUNTEER, "Vera", Role.VOLUNTEER)).say(
        "/content reload"
    )
    assert "only for team members" in (refused.text or "")


async def test_today_shows_planning_and_the_team_without_names(
    emu: BotApiEmulator, info_bot: RunningBot
) -> None:
    person = await public(emu, 507, "en")
    nothing, _ = await ask(person, emu, "today")
    assert "Nothing more is planned today." in (nothing.text or "")
    coordinator = await enrol(emu, info_bot, COORDINATOR, "Claire", Role.COORDINATOR)
    volunteer = await enrol(emu, info_bot, VOLUNTEER, "Vera", Role.VOLUNTEER)
    await coordinator.say("/plan 2026-12-01 22:00-23:30 distribution 2")
    await coordinator.say("/plan 2026-12-01 22:30-23:00 woodyard 2")
    await volunteer.say("/shift start maraude 23:30")
    today, _ = await ask(person, emu, "today")
    text = today.plain_text or ""
    assert "22:00" in text
    assert "Wood-yard" not in text  # only distributions and rounds are announced
    assert "Maraude" in text
    for name in ("Vera", "Claire", "vera", "claire"):
        assert name not in text


async def test_a_shared_location_sets_the_town(emu: BotApiEmulator, info_bot: RunningBot) -> None:
    emu.add_user(508, "Loc", language_code="en")
    person = Person(emu, 508)
    await person.say("/menu")
    since = len(emu.bot_messages(508))
    await emu.send_location(508, 51.0100, 2.3000)  # in Grande-Synthe
    menu = await emu.wait_for_bot_message(508, since=since)
    assert "Grande-Synthe" in (menu.text or "")
    user = await info_bot.bot.services.users.get(508)
    assert user is not None
    assert user.antenna == "grande-synthe"
    answer, _ = await ask(person, emu, "health")
    assert "polyclinic" in (answer.text or "")


async def test_report_shows_information_counts(emu: BotApiEmulator, info_bot: RunningBot) -> None:
    person = await public(emu, 509, "ar")
    await ask(person, emu, "health")
    await ask(person, emu, "shelter")
    coordinator = await enrol(emu, info_bot, COORDINATOR, "Claire", Role.COORDINATOR)
    report = await coordinator.say("/report month")
    text = report.plain_text or ""
    assert "3 information requests" in text  # the first health (after the town) counts too
    assert "ar 3" in text
    rows = await info_bot.bot.storage.db.fetch_all("SELECT * FROM info_requests")
    assert all(509 not in tuple(row) for row in rows)


async def weekly_bot(
    emu: BotApiEmulator, tmp_path: Path, start: datetime
) -> tuple[RunningBot, FakeClock]:
    clock = FakeClock(start)
    content = tmp_path / "dated"
    shutil.copytree(CONTENT_DIR, content)
    for path in content.glob("*.toml"):  # checked on 5 January, before the clock's days
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("verified = 2026-12-04", "verified = 2026-01-05"), "utf-8")
    settings = make_settings(emu, tmp_path / f"w{start:%m%d}.sqlite3", content_dir=content)
    return await start_bot(settings, clock), clock


@pytest.mark.parametrize(
    ("start", "first_due", "second_due"),
    [
        # Spring: Monday 23 March 10:00 CET (09:00 UTC), then 30 March 10:00 CEST (08:00 UTC).
        (
            datetime(2026, 3, 20, 12, 0, tzinfo=UTC),
            datetime(2026, 3, 23, 9, 0, tzinfo=UTC),
            datetime(2026, 3, 30, 8, 0, tzinfo=UTC),
        ),
        # Autumn: Monday 19 October 10:00 CEST (08:00 UTC), then 26 October 10:00 CET (09:00).
        (
            datetime(2026, 10, 16, 12, 0, tzinfo=UTC),
            datetime(2026, 10, 19, 8, 0, tzinfo=UTC),
            datetime(2026, 10, 26, 9, 0, tzinfo=UTC),
        ),
    ],
)
async def test_weekly_list_of_stale_entries_across_dst(
    emu: BotApiEmulator,
    tmp_path: Path,
    start: datetime,
    first_due: datetime,
    second_due: datetime,
) -> None:
    running, clock = await weekly_bot(emu, tmp_path, start)
    try:
        await enrol(emu, running, OUTSIDER, "Gus", Role.COORDINATOR, antenna="grande-synthe")
        job = await running.bot.storage.jobs.by_key(weekly_key("calais"))
        assert job is not None
        assert job.kind == JOB_STALE_WEEKLY
        assert job.due_at == first_due
        clock.current = first_due
        since = len(emu.bot_messages(TEAM_CHAT_ID))
        await running.bot.jobs.fire_due()
        posted = await emu.wait_for_bot_message(TEAM_CHAT_ID, since=since)
        assert "/content" in (posted.text or "")
        job = await running.bot.storage.jobs.by_key(weekly_key("calais"))
        assert job is not None
        assert job.status == "pending"
        assert job.due_at == second_due
        # Grande-Synthe has no team chat: its coordinator hears it privately.
        assert len(emu.bot_messages(TEAM_CHAT_ID)[since:]) == 1
        gus = await emu.wait_for_bot_message(OUTSIDER, lambda m: "/content" in (m.text or ""))
        assert "Grande-Synthe" in (gus.text or "")
        # Once everything is confirmed, next week's job posts nothing, and rearms again.
        async with running.bot.storage.transaction():
            for item in await running.bot.services.info.stale("calais"):
                await running.bot.storage.info.confirm(
                    item.scope, item.entry.id, clock.now(), None
                )
        clock.current = second_due
        assert await running.bot.jobs.fire_due() >= 1
        await outbox_settled(running)
        assert len(emu.bot_messages(TEAM_CHAT_ID)[since:]) == 1
        job = await running.bot.storage.jobs.by_key(weekly_key("calais"))
        assert job is not None
        assert job.due_at > second_due
    finally:
        await running.stop()


async def test_the_bot_refuses_to_start_on_an_invalid_catalogue(
    emu: BotApiEmulator, tmp_path: Path, content: Path
) -> None:
    calais = content / "calais.toml"
    text = calais.read_text(encoding="utf-8").replace('topics = ["showers"]', 'topics = ["spa"]')
    calais.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if '"spa"' in row)
    settings = make_settings(emu, tmp_path / "refused.sqlite3", content_dir=content)
    with pytest.raises(ContentError, match=f"calais.toml:{line}: "):
        await start_bot(settings)


async def test_content_for_an_unknown_town_says_so_and_another_town_is_refused(
    emu: BotApiEmulator, info_bot: RunningBot
) -> None:
    coordinator = await enrol(emu, info_bot, COORDINATOR, "Claire", Role.COORDINATOR)
    typo = (await coordinator.say("/content calias")).text or ""
    assert "calias" in typo
    assert "🔒" not in typo  # a typo, not a question of rights
    other = (await coordinator.say("/content grande-synthe")).text or ""
    assert "🔒" in other  # only an admin keeps another antenna's entries


async def test_today_shows_the_place_and_time_of_a_planned_shift_and_pins_it(
    emu: BotApiEmulator, info_bot: RunningBot
) -> None:
    person = await public(emu, 508, "en")
    coordinator = await enrol(emu, info_bot, COORDINATOR, "Claire", Role.COORDINATOR)
    volunteer = await enrol(emu, info_bot, VOLUNTEER, "Vera", Role.VOLUNTEER)
    await coordinator.say("/plan 2026-12-01 22:00-23:30 distribution 2 @ Marck")
    await coordinator.say("/plan 2026-12-01 22:30-23:45 maraude @fort nieulay")
    await coordinator.say("/plan 2026-12-01 23:00-23:50 distribution @ hospital")
    listing = await volunteer.say("/planning")
    await volunteer.press(listing, "pls:1:list")
    since = len(emu.bot_messages(person.id))
    today, _ = await ask(person, emu, "today")
    text = today.plain_text or ""
    assert "22:00–23:30 · 📍 Marck" in text
    assert "📍 Fort-Nieulay" in text
    assert "📍 Hôpital" in text
    for name in ("Vera", "Claire", "vera", "claire"):
        assert name not in text
    # At most two venue pins: the first two places, named with the town.
    await emu.wait_until(
        lambda: sum(m.kind == "venue" for m in emu.bot_messages(person.id)[since:]) >= 2
    )
    await outbox_settled(info_bot)
    pins = [m for m in emu.bot_messages(person.id)[since:] if m.kind == "venue"]
    assert [(pin.text or "").splitlines()[0] for pin in pins] == ["Marck", "Fort-Nieulay"]
    assert "Calais" in (pins[0].text or "")
    for pin in pins:
        assert "Vera" not in (pin.text or "")
