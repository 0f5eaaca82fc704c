"""Logging distributions from a phone, and the coordinator's figures, through the emulator."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from bot.sandbox.emulator import BotApiEmulator, Button
from bot.services.catalogue_admin import MAX_ITEMS, MAX_PLACES
from bot.storage.models import Role
from tests.helpers.clock import FakeClock
from tests.helpers.harness import RunningBot, enrol

VOLUNTEER = 200
COORDINATOR = 250
NOW = datetime(2026, 12, 1, 20, tzinfo=UTC)


async def totals(running: RunningBot) -> list[tuple[str, int]]:
    rows = await running.bot.storage.db.fetch_all(
        "SELECT item_code, SUM(quantity) FROM distributions WHERE undone_at IS NULL "
        "GROUP BY item_code ORDER BY item_code"
    )
    return [(row[0], row[1]) for row in rows]


async def test_a_quick_log_echoes_exactly_what_was_saved(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER, language="fr")
    saved = await volunteer.say("/distrib 40 couvertures, 25 tea @ Marck")
    text = saved.plain_text or ""
    assert "40 × couvertures" in text
    assert "25 × thé/café" in text
    assert "Marck" in text
    assert "soir" in text  # 21:00 is the evening slot
    assert await totals(clocked) == [("blankets", 40), ("tea", 25)]


async def test_a_misspelt_item_gets_suggestions_and_nothing_is_guessed(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    question = await volunteer.say("/distrib 40 blanketz, 10 tea @ Atlantis")
    assert await totals(clocked) == []  # nothing saved while a name is unsure
    assert "blanketz" in (question.text or "")
    place_question = await volunteer.press(question, "blankets")
    assert "Atlantis" in (place_question.text or "")
    saved = await volunteer.press(place_question, "🚫 No place")
    assert "✅" in (saved.text or "")
    assert await totals(clocked) == [("blankets", 40), ("tea", 10)]


@pytest.mark.parametrize(
    "command",
    [
        "/distrib 0 blankets",
        "/distrib -3 blankets",
        "/distrib 1e9 blankets",
        "/distrib forty blankets",
        "/distrib 40 zzzzqq",
    ],
)
async def test_bad_logs_change_nothing(
    emu: BotApiEmulator, clocked: RunningBot, command: str
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    answer = await volunteer.say(command)
    assert "❌" in (answer.text or "")
    assert await totals(clocked) == []


async def test_public_users_cannot_log(emu: BotApiEmulator, clocked: RunningBot) -> None:
    person = await enrol(emu, clocked, 777, "Someone", Role.PUBLIC)
    for command in ("/distrib 40 blankets", "/distrib", "/undo", "/report", "/export"):
        answer = await person.say(command)
        assert "🔒" in (answer.text or ""), command
    assert await totals(clocked) == []


async def test_the_guided_form_takes_three_taps_and_a_repeat_one(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    items = await volunteer.say("/distrib")
    taps_before = len(emu.callback_answers)
    quantities = await volunteer.press(items, "dit:blankets:0")
    places = await volunteer.press(quantities, "20")
    saved = await volunteer.press(places, "Marck")
    assert "✅" in (saved.text or "")
    assert len(emu.callback_answers) - taps_before == 3  # three button presses reached Telegram
    assert await totals(clocked) == [("blankets", 20)]
    # The same log again: the first button of /distrib, one tap.
    again_menu = await volunteer.say("/distrib")
    assert again_menu.buttons()[0].callback_data.startswith("dag:")  # type: ignore[union-attr]
    assert "Marck" in again_menu.buttons()[0].text
    # Tapped twice on a weak network, before the button disappears: one log, one tap's worth.
    again = again_menu.buttons()[0].callback_data or ""
    await emu.press(VOLUNTEER, again_menu, again)
    await emu.press(VOLUNTEER, again_menu, again)
    await emu.wait_until(lambda: not emu.unanswered_callbacks() and again_menu.edits >= 1)
    await volunteer.say("/help")
    assert "✅" in (again_menu.text or "")
    assert await totals(clocked) == [("blankets", 40)]


async def test_a_shared_location_picks_the_nearest_place(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    items = await volunteer.say("/distrib")
    quantities = await volunteer.press(items, "dit:tea:0")
    await volunteer.press(quantities, "50")
    since = len(emu.bot_messages(VOLUNTEER))
    await emu.send_location(VOLUNTEER, 50.9520, 1.8270)  # at Fort-Nieulay
    saved = await emu.wait_for_bot_message(VOLUNTEER, since=since)
    assert "Fort-Nieulay" in (saved.plain_text or "")


async def test_undo_and_the_shift_summary(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await volunteer.say("/shift start distribution")
    await volunteer.say("/distrib 80 meals")
    await volunteer.say("/distrib 30 water")
    removed = await volunteer.say("/undo")
    assert "30" in (removed.plain_text or "")
    clock.advance(minutes=20)
    late = await volunteer.say("/undo")
    assert "15" in (late.text or "")  # too late: explained, nothing removed
    ended = await volunteer.say("/shift end")
    assert "80 × meals" in (ended.plain_text or "")
    assert await totals(clocked) == [("meals", 80)]


async def test_the_coordinator_gets_the_report_and_the_spreadsheets(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await volunteer.say("/shift start maraude")
    await volunteer.say("/distrib 40 blankets, 25 tea @ Marck")
    clock.advance(hours=2)  # 23:00: night
    await volunteer.say("/distrib 10 blankets")
    await volunteer.say("/shift end")
    report = await coordinator.say("/report month")
    text = report.plain_text or ""
    assert "50 × blankets" in text
    assert "25 × tea/coffee" in text
    assert "Marck: 1" in text
    assert "2 hrs" in text

    since = len(emu.bot_messages(COORDINATOR))
    preparing = await coordinator.say("/export 2026-12")
    assert "⏳" in (preparing.text or "")  # at once; the files follow, built beside the bot
    await emu.wait_until(lambda: len(emu.bot_messages(COORDINATOR)) >= since + 4)
    sent = emu.bot_messages(COORDINATOR)[since:]
    documents = {m.extra["file_name"]: m.extra["content"] for m in sent if m.kind == "document"}
    distributions = documents["distributions_2026-12-01_2026-12-31.csv"]
    assert distributions.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read it as UTF-8
    rows = list(csv.DictReader(io.StringIO(distributions.decode("utf-8-sig"))))
    assert [(r["item_code"], r["quantity"], r["place"], r["slot"]) for r in rows] == [
        ("blankets", "40", "Marck", "evening"),
        ("tea", "25", "Marck", "evening"),
        ("blankets", "10", "", "night"),
    ]
    assert {r["volunteer"] for r in rows} == {"Ana"}
    shifts = list(
        csv.DictReader(
            io.StringIO(documents["shifts_2026-12-01_2026-12-31.csv"].decode("utf-8-sig"))
        )
    )
    assert [(s["activity"], s["minutes"]) for s in shifts] == [("maraude", "120")]
    assert any(m.kind == "photo" for m in sent)  # the chart, with the charts extra


async def test_forged_distribution_buttons_change_nothing(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    public = await enrol(emu, clocked, 777, "Someone", Role.PUBLIC)
    items = await volunteer.say("/distrib")
    menu = await public.say("/menu")
    for presser, data in [
        (VOLUNTEER, "dfx:1:0:p:abc"),  # not a number
        (VOLUNTEER, "dsv:blankets:40:99999:abcdef12"),  # no such place
        (VOLUNTEER, "dsv:gold:40:0:abcdef12"),  # no such item
        (777, "dqt:blankets:40:abcdef12"),  # a public user inside the form
        (777, "dsv:blankets:40:0:abcdef12"),
    ]:
        # The client sends whatever data it likes: put it on the message, then press it.
        message = items if presser == VOLUNTEER else menu
        message.keyboard = [[Button(text="x", callback_data=data)]]
        await emu.press(presser, message, data)
    await emu.wait_until(lambda: not emu.unanswered_callbacks())
    await volunteer.say("/help")
    await public.say("/help")
    assert await totals(clocked) == []
    # Every forged press got a clear answer; none an apology or an admin report.
    assert all("😔" not in (m.text or "") for m in emu.bot_messages(VOLUNTEER))
    assert all("😔" not in (m.text or "") for m in emu.bot_messages(777))


async def test_a_spreadsheet_never_runs_a_typed_name_as_a_formula(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    volunteer = await enrol(emu, clocked, VOLUNTEER, "=HYPERLINK(1)", Role.VOLUNTEER)
    await coordinator.say("/places add =Danger")
    await volunteer.say("/distrib 5 tents @ Danger")
    since = len(emu.bot_messages(COORDINATOR))
    await coordinator.say("/export month")
    await emu.wait_until(
        lambda: any(
            m.extra.get("file_name", "").startswith("distributions")
            for m in emu.bot_messages(COORDINATOR)[since:]
        )
    )
    document = next(
        m.extra["content"]
        for m in emu.bot_messages(COORDINATOR)[since:]
        if m.extra.get("file_name", "").startswith("distributions")
    )
    row = next(iter(csv.DictReader(io.StringIO(document.decode("utf-8-sig")))))
    assert row["place"] == "'=Danger"
    assert row["volunteer"] == "'=HYPERLINK(1)"


async def test_the_owner_cancels_a_quick_log_once(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    question = await volunteer.say("/distrib 40 blanketz")
    cancel = question.button("❌ Cancel").callback_data or ""
    cancelled = await volunteer.press(question, cancel)
    assert cancelled.plain_text == "Nothing was saved."
    assert await clocked.bot.storage.drafts.latest(VOLUNTEER, "quick") is None
    # The same button again (an old message, a double tap): told, nothing else happens.
    cancelled.keyboard = [[Button(text="x", callback_data=cancel)]]
    answers = len(emu.callback_answers)
    await emu.press(VOLUNTEER, cancelled, cancel)
    await emu.wait_until(lambda: len(emu.callback_answers) > answers)
    assert list(emu.callback_answers.values())[answers]["text"] == (
        "ℹ️ This log was already saved or cancelled."
    )
    assert await totals(clocked) == []


async def add_items(running: RunningBot, count: int) -> list[str]:
    """Items added straight to the database, as an older release let coordinators do."""
    services = running.bot.services
    codes = [f"x_extra{number:03}" for number in range(count)]
    async with running.bot.storage.transaction():
        for position, code in enumerate(codes, start=100):
            names = {"en": [f"Extra {code[-3:]}"]}
            await services.storage.catalogue.upsert_item(code, "piece", position, names, NOW)
    await services.distributions.reindex()
    return codes


async def test_the_guided_form_pages_more_items_than_a_keyboard_holds(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    extra = await add_items(clocked, 110)
    await volunteer.say("/distrib 3 Extra 107")  # the team's most used item now
    page = await volunteer.say("/distrib")
    assert page.buttons()[1].text == "Extra 107"  # right after "again", most used first
    seen: list[str] = []
    pages = 0
    while True:
        pages += 1
        assert len(page.buttons()) <= 30  # far below Telegram's 100, and a phone's screen
        seen += [data for b in page.buttons() if (data := b.callback_data or "")[:4] == "dit:"]
        if not any(b.text == "➡️ More" for b in page.buttons()):
            break
        page = await volunteer.press(page, "➡️ More")
    items = clocked.bot.services.distributions.catalogue.items
    assert sorted(seen) == sorted(f"dit:{code}:0" for code in items)  # each item once
    assert pages == 7  # 126 items, 20 a page
    # An item of the last page is logged like any other.
    quantities = await volunteer.press(page, f"dit:{extra[105]}:0")
    places = await volunteer.press(quantities, "5")
    saved = await volunteer.press(places, "Marck")
    assert saved.plain_text is not None
    assert saved.plain_text.startswith("✅ Saved: 5 × Extra 105 · Marck")
    back = await volunteer.press(await volunteer.say("/distrib"), "➡️ More")
    first = await volunteer.press(back, "⬅️ Back")
    assert first.buttons()[0].callback_data.startswith("dag:")  # type: ignore[union-attr]


async def test_coordinators_cannot_grow_the_lists_past_their_cap(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    services = clocked.bot.services
    await add_items(clocked, MAX_ITEMS - len(services.distributions.catalogue.items))
    refused = await coordinator.say("/items add soup bowls piece")
    assert refused.plain_text == "❌ No more items can be added: the list holds 60 at most."
    assert len(await services.storage.catalogue.items()) == MAX_ITEMS
    calais = len(services.distributions.catalogue.places_of("calais"))
    async with clocked.bot.storage.transaction():
        for number in range(MAX_PLACES - calais - 1):
            await services.storage.catalogue.upsert_place(
                "calais", f"spot-{number}", f"Spot {number}", [], None, None, NOW
            )
    await services.distributions.reindex()
    added = await coordinator.say("/places add The Last Spot")
    assert added.plain_text == "✅ Place added: The Last Spot."
    refused = await coordinator.say("/places add One Too Many")
    assert refused.plain_text == "❌ No more places can be added: an antenna holds 60 at most."
    assert len(await services.storage.catalogue.places("calais")) == MAX_PLACES
    # Grande-Synthe has its own places.
    other = await enrol(emu, clocked, 260, "Gus", Role.COORDINATOR, antenna="grande-synthe")
    assert "✅" in ((await other.say("/places add Spot 1")).text or "")


async def test_names_with_html_characters_read_exactly_as_typed(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    """Escaped once for Telegram's HTML, never twice; button labels are not HTML at all.

    /places add and /items add now refuse markup-looking names (issue 9, point 10): these are
    names an older release let coordinators add, which the bot must still show as typed."""
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    item, place = '"Tea" & <biscuits>', 'Parking <Lidl> & "Co"'
    storage = clocked.bot.storage
    async with storage.transaction():
        await storage.catalogue.upsert_item("x_tea_biscuits", "piece", 600, {"en": [item]}, NOW)
        await storage.catalogue.upsert_item("x_soap", "piece", 601, {"en": ["Soap &amp; co"]}, NOW)
        await storage.catalogue.upsert_place("calais", "lidl", place, [], None, None, NOW)
    await clocked.bot.services.distributions.reindex()
    assert f"• {place}" in ((await volunteer.say("/places")).plain_text or "")
    assert f"• {item}" in ((await volunteer.say("/items")).plain_text or "")
    assert "Soap &amp; co" in [b.text for b in (await volunteer.say("/distrib")).buttons()]

    # The guided form, every step.
    items = await volunteer.say("/distrib")
    quantities = await volunteer.press(items, item)
    assert quantities.plain_text == f"📦 {item}: how many?"
    quantities = await volunteer.press(quantities, "➕ Other number")
    assert quantities.plain_text == (
        f"📦 {item}: how many?\nAnother number? Type it, for example: 35"
    )
    places = await volunteer.press(quantities, "15")
    assert places.plain_text == f"📍 15 × {item}: where? Tap a place, or share your location."
    assert place in [button.text for button in places.buttons()]
    saved = await volunteer.press(places, place)
    assert saved.plain_text == (
        f"✅ Saved: 15 × {item} · {place} · evening.\n"
        "Made a mistake? Send /undo within 15 minutes."
    )
    again = await volunteer.say("/distrib")
    assert again.buttons()[0].text == f"🔁 Again: 15 × {item} · {place}"
    removed = await volunteer.say("/undo")
    assert removed.plain_text == f"↩️ Removed: 15 × {item}."

    # The quick form: a misspelt item, a misspelt place, an unknown item.
    question = await volunteer.say(f"/distrib 7 {item.replace('biscuits', 'biscuitz')} @ {place}")
    assert question.plain_text == '🤔 Which item is “7 "Tea" & <biscuitz>”?'
    saved = await volunteer.press(question, item)
    assert saved.plain_text is not None
    assert saved.plain_text.startswith(f"✅ Saved: 7 × {item} · {place} · evening.")
    question = await volunteer.say(f"/distrib 2 tea @ {place.replace('Co', 'Cq')}")
    assert question.plain_text == (
        '👍 Understood: 2 × tea/coffee.\n📍 Which place is “Parking <Lidl> & "Cq"”?'
    )
    assert place in [button.text for button in question.buttons()]
    saved = await volunteer.press(question, place)
    assert saved.plain_text is not None
    assert saved.plain_text.startswith(f"✅ Saved: 2 × tea/coffee · {place} · evening.")
    unknown = await volunteer.say('/distrib 3 <zzqq> & "x"')
    assert unknown.plain_text == '❌ I don\'t know “3 <zzqq> & "x"”. Which item is it? Tap it.'
    assert item in [button.text for button in unknown.buttons()]  # the whole list, as typed
    await volunteer.press(unknown, "❌ Cancel")


async def test_a_french_report_has_capitalised_lines_with_french_colons(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR, language="fr")
    await volunteer.say("/distrib 40 blankets @ Marck")
    clock.advance(hours=2)  # 23:00: night
    await volunteer.say("/distrib 10 blankets")
    text = (await coordinator.say("/report month")).plain_text or ""
    assert "• Soirée : 1" in text
    assert "• Nuit : 1" in text
    assert "• Marck : 1" in text
    assert "• Sans lieu indiqué : 1" in text
