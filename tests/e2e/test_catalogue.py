"""Coordinators keep the places and items up to date through the emulator (issue 9, point 10):
names that could not be shown are refused, renames keep the old names typed, retired entries
leave every button but stay in the figures, and the database wins over content/ at restart."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.emulator import BotApiEmulator, Button, ChatMessage
from bot.storage.models import Role
from tests.e2e.test_privacy import traces_of
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

VOLUNTEER = 200
COORDINATOR = 250
OUTSIDE_COORDINATOR = 260  # of grande-synthe
NOW = datetime(2026, 12, 1, 20, tzinfo=UTC)


async def catalogue_rows(running: RunningBot) -> dict[str, list[tuple[Any, ...]]]:
    """What the catalogue tables hold: a refusal must leave them exactly as they were."""
    db = running.bot.storage.db
    return {
        table: [tuple(row) for row in await db.fetch_all(f"SELECT * FROM {table} ORDER BY 1")]
        for table in ("items", "item_names", "item_renames", "places", "drafts")
    }


async def place_id(running: RunningBot, name: str, antenna: str = "calais") -> int:
    value = await running.bot.storage.db.fetch_value(
        "SELECT id FROM places WHERE antenna = ? AND name = ?", (antenna, name)
    )
    assert value is not None, name
    return int(value)


async def totals(running: RunningBot) -> list[tuple[str, int, int | None]]:
    rows = await running.bot.storage.db.fetch_all(
        "SELECT item_code, SUM(quantity), place_id FROM distributions WHERE undone_at IS NULL "
        "GROUP BY item_code, place_id ORDER BY item_code"
    )
    return [(row[0], row[1], row[2]) for row in rows]


async def press_data(person_id: int, emu: BotApiEmulator, message: ChatMessage, data: str) -> str:
    """Press a button with this data (forged if the message never had it); the toast shown."""
    keyboard = message.keyboard
    if all(button.callback_data != data for button in message.buttons()):
        message.keyboard = [[Button(text="x", callback_data=data)]]
    answers = len(emu.callback_answers)
    await emu.press(person_id, message, data)
    await emu.wait_until(lambda: len(emu.callback_answers) > answers)
    message.keyboard = keyboard
    return str(list(emu.callback_answers.values())[answers].get("text") or "")


LONG = "Parking of the old ferry terminal: east"  # 39 characters


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("<b>Lidl</b>", "❌ A name is plain text"),
        ("Soap &lt; co", "❌ A name is plain text"),
        ('<a href="https://x.example">Lidl</a>', "❌ A name is plain text"),
        ("Li\u200bdl", "❌ A name is plain text"),  # zero-width space
        ("Lidl \u202eevil", "❌ A name is plain text"),  # right-to-left override
        ("Li\u0007dl", "❌ A name is plain text"),  # a control character
        ("/start", "❌ A name is plain text"),
        ("@Danger", "❌ A name is plain text"),
        (LONG + "er", "❌ This name is too long: 40 characters at most"),
        ("ب" * 41, "❌ This name is too long: 40 characters at most"),  # 82 bytes, 41 letters
        ("x" * 500, "❌ This name is too long: 40 characters at most"),
        ("", "❌ The name is missing"),
        ("Z", "❌ This name is too short: 2 characters at least."),
        ("!!!", "❌ A name needs letters or digits."),
    ],
)
async def test_names_that_cannot_be_shown_are_refused_and_nothing_is_stored(
    emu: BotApiEmulator, clocked: RunningBot, name: str, answer: str
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    before = await catalogue_rows(clocked)
    for command in (f"/places add {name}", f"/items add {name} piece"):
        refused = await coordinator.say(command)
        if not name and command.startswith("/items"):
            answer = "Usage: /items add NAME piece|litre|portion|kg"  # a unit, or a name?
        assert (refused.plain_text or "").startswith(answer), (command, refused.plain_text)
        assert len(refused.plain_text or "") < 200  # a huge name is never echoed back
    assert await catalogue_rows(clocked) == before


async def test_names_at_the_limit_and_in_other_scripts_are_taken(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    added = await coordinator.say(f"/places add {LONG}!")  # 40 characters
    assert added.plain_text == f"✅ Place added: {LONG}!."
    # Forty Arabic letters are 80 bytes: counted in characters, and a Persian zero-width
    # non-joiner between two letters is spelling.
    added = await coordinator.say("/places add " + "ب" * 40)
    assert (added.plain_text or "").startswith("✅ Place added:")
    added = await coordinator.say("/items add کیسه\u200cخواب نو piece")
    assert (added.plain_text or "").startswith("✅ Item added:")
    added = await coordinator.say("/items add Tea & biscuits > 2 piece")  # no tag, no entity
    assert added.plain_text == "✅ Item added: Tea & biscuits > 2."
    listing = await volunteer.say("/places")
    assert f"• {LONG}!" in (listing.plain_text or "")


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/places add marck", "ℹ️ This place already exists: Marck."),
        ("/places add  MARCK ", "ℹ️ This place already exists: Marck."),
        ("/places add Hospital", "ℹ️ This place already exists: Hôpital."),  # an alias
        ("/items add Tea piece", "ℹ️ This item already exists: tea/coffee."),
        ("/items add Thés piece", "ℹ️ This item already exists: tea/coffee."),  # French, plural
        ("/items add COUVERTURE piece", "ℹ️ This item already exists: blankets."),
    ],
)
async def test_duplicates_after_normalisation_are_refused(
    emu: BotApiEmulator, clocked: RunningBot, command: str, answer: str
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    before = await catalogue_rows(clocked)
    assert (await coordinator.say(command)).plain_text == answer
    assert await catalogue_rows(clocked) == before


async def test_a_place_of_another_antenna_may_share_a_name(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    other = await enrol(
        emu, clocked, OUTSIDE_COORDINATOR, "Gus", Role.COORDINATOR, antenna="grande-synthe"
    )
    assert (await other.say("/places add Marck")).plain_text == "✅ Place added: Marck."


async def test_rename_by_command_keeps_the_old_names_understood(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    french = await enrol(emu, clocked, 201, "Flo", Role.VOLUNTEER, language="fr")
    marck = await place_id(clocked, "Marck")
    renamed = await coordinator.say("/places rename Marck → Marck bridge")
    assert renamed.plain_text == (
        "✏️ Place renamed: Marck → Marck bridge.\n“Marck” is still understood when typed."
    )
    # The right-to-left examples show "OLD ← NEW" (the arrow points to the new name for a
    # right-to-left reader): typed in that order, it renames the same way.
    renamed = await coordinator.say("/places rename Marck bridge ← Marck")
    assert (renamed.plain_text or "").startswith("✏️ Place renamed: Marck bridge → Marck.")
    renamed = await coordinator.say("/places rename Marck → Marck bridge")
    # Without an arrow: the longest start that names a place is the old name.
    renamed = await coordinator.say("/places rename Fort-Nieulay Fort North")
    assert (renamed.plain_text or "").startswith("✏️ Place renamed: Fort-Nieulay → Fort North.")
    # Sent again (or a name already its own): nothing more changes, and it says so.
    again = await coordinator.say("/places rename Marck bridge → Marck bridge")
    assert again.plain_text == "ℹ️ Nothing to change: it is already called Marck bridge."
    refused = await coordinator.say("/places rename Marck bridge → Hôpital")
    assert refused.plain_text == "ℹ️ This place already exists: Hôpital."
    refused = await coordinator.say("/places rename Marck bridge → <i>x</i>")
    assert (refused.plain_text or "").startswith("❌ A name is plain text")

    renamed = await coordinator.say("/items rename tea → Hot drinks")
    assert renamed.plain_text == (
        "✏️ Item renamed: tea/coffee → Hot drinks.\n"
        "“tea/coffee” is still understood when typed.\n"
        "Other languages keep their own names."
    )
    # Volunteers' habits keep working: the old names, typed, find the renamed entries.
    saved = await volunteer.say("/distrib 5 tea @ Marck")
    assert (saved.plain_text or "").startswith("✅ Saved: 5 × Hot drinks · Marck bridge")
    saved = await french.say("/distrib 2 thé @ fort nieulay")
    # French names are kept: the rename was made in English.
    assert (saved.plain_text or "").startswith("✅ Enregistré : 2 × thé/café · Fort North")
    fort = await place_id(clocked, "Fort North")
    assert sorted(await totals(clocked)) == sorted([("tea", 5, marck), ("tea", 2, fort)])
    assert "• Marck bridge" in ((await volunteer.say("/places")).plain_text or "")
    assert "• Hot drinks" in ((await volunteer.say("/items")).plain_text or "")
    # The old name is taken: no other place may be called so.
    refused = await coordinator.say("/places add Marck")
    assert refused.plain_text == "ℹ️ This place already exists: Marck bridge."


async def test_rename_by_buttons_waits_for_the_typed_name_across_a_restart(
    emu: BotApiEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    settings = make_settings(emu, tmp_path / "rename.sqlite3")
    running = await start_bot(settings, clock)
    try:
        coordinator = await enrol(emu, running, COORDINATOR, "Claire", Role.COORDINATOR)
        listing = await coordinator.say("/places")
        assert "✏️ Marck" in [button.text for button in listing.buttons()]
        asked = await coordinator.press(listing, "✏️ Marck")
        assert asked.plain_text == "✏️ Type the new name for Marck (40 characters at most)."
        await running.stop()
        running = await start_bot(settings, clock)
        # A name that cannot be used: said why, and the question stays open.
        refused = await coordinator.say("<b>Marck</b>")
        assert refused.plain_text == (
            "❌ A name is plain text: no HTML tags or entities, no invisible or control "
            "characters, and no / or @ at the start.\nType another name, or tap Cancel."
        )
        renamed = await coordinator.say("Marck beach")
        assert (renamed.plain_text or "").startswith("✏️ Place renamed: Marck → Marck beach.")
        assert await running.bot.storage.drafts.latest(COORDINATOR, "wait") is None
        # The next text is no longer taken for a name.
        await coordinator.say("Marck dunes")
        assert (
            await running.bot.storage.db.fetch_value(
                "SELECT COUNT(*) FROM places WHERE name = 'Marck dunes'"
            )
            == 0
        )

        # Cancelled: nothing changes, and a second tap of Cancel only says so.
        listing = await coordinator.say("/items")
        asked = await coordinator.press(listing, "✏️ blankets")
        cancel = asked.button("❌ Cancel").callback_data or ""
        cancelled = await coordinator.press(asked, cancel)
        assert cancelled.plain_text == "Nothing was changed."
        before = await catalogue_rows(running)
        assert await press_data(COORDINATOR, emu, cancelled, cancel) == "ℹ️ Nothing to cancel."
        await coordinator.say("Duvets")
        assert await catalogue_rows(running) == before
        names = await running.bot.storage.db.fetch_all("SELECT name FROM item_renames")
        assert names == []
    finally:
        await running.stop()


async def test_retired_entries_leave_every_button_and_stay_in_the_figures(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    await volunteer.say("/distrib 10 tea @ Marck")
    retired = await coordinator.say("/places retire marck")
    assert (retired.plain_text or "").startswith(
        "🗑 Place retired: Marck. It is no longer offered."
    )
    retired = await coordinator.say("/items retire Tea")
    assert (retired.plain_text or "").startswith(
        "🗑 Item retired: tea/coffee. It is no longer offered."
    )
    again = await coordinator.say("/items retire tea")
    assert again.plain_text == "❌ No item is called “tea”. Send /items to see them."

    # The guided form: neither the item, nor the place, nor "again" with them.
    items = await volunteer.say("/distrib")
    labels = [button.text for button in items.buttons()]
    assert "tea/coffee" not in labels
    assert not any(label.startswith("🔁") for label in labels)
    quantities = await volunteer.press(items, "blankets")
    places = await volunteer.press(quantities, "5")
    assert "Marck" not in [button.text for button in places.buttons()]
    # Typed: said to be retired, not unknown; nothing saved.
    answer = await volunteer.say("/distrib 5 tea")
    assert answer.plain_text == (
        "🗑 tea/coffee was retired by a coordinator: it can no longer be logged.\n"
        "Nothing was saved."
    )
    answer = await volunteer.say("/distrib 5 blankets @ Marck")
    assert answer.plain_text == (
        "🗑 Marck is a retired place: choose another one.\nNothing was saved."
    )
    assert await totals(clocked) == [("tea", 10, await place_id(clocked, "Marck"))]
    assert "Marck" not in ((await volunteer.say("/places")).plain_text or "")
    assert "tea/coffee" not in ((await volunteer.say("/items")).plain_text or "")
    # A planned shift cannot be placed there either.
    planned = await coordinator.say("/plan 2026-12-05 21:00-23:00 maraude 3 @ Marck")
    assert "❌" in (planned.plain_text or "")

    # Reports and exports keep them with their names.
    report = await coordinator.say("/report month")
    assert "10 × tea/coffee" in (report.plain_text or "")
    assert "Marck: 1" in (report.plain_text or "")
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
    rows = list(csv.DictReader(io.StringIO(document.decode("utf-8-sig"))))
    assert [(r["item_code"], r["quantity"], r["place"]) for r in rows] == [("tea", "10", "Marck")]

    # Restored: offered and matched again.
    restored = await coordinator.say(
        "/places restore Marck", expect=lambda m: "♻️" in (m.plain_text or "")
    )
    assert restored.plain_text == "♻️ Place restored: Marck. It is offered again."
    restored = await coordinator.say(
        "/items restore tea/coffee", expect=lambda m: "♻️" in (m.plain_text or "")
    )
    assert restored.plain_text == "♻️ Item restored: tea/coffee. It is offered again."
    saved = await volunteer.say("/distrib 5 tea @ Marck")
    assert (saved.plain_text or "").startswith("✅ Saved: 5 × tea/coffee · Marck")


async def test_retired_names_cannot_be_taken_and_point_to_restore(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await coordinator.say("/places retire Marck")
    refused = await coordinator.say("/places add marck")
    assert refused.plain_text == (
        "ℹ️ Marck is a retired place. Bring it back with /places restore Marck"
    )
    refused = await coordinator.say("/places rename Hôpital → Marck")
    assert (refused.plain_text or "").startswith("ℹ️ Marck is a retired place.")
    usage = await coordinator.say("/places retire")
    assert (usage.plain_text or "").startswith("Usage: /places, /places add NAME,")
    unknown = await coordinator.say("/places restore Atlantis")
    assert unknown.plain_text == (
        "❌ No retired place is called “Atlantis”. Send /places retired to see them."
    )


async def test_retire_and_restore_by_buttons_once_whatever_the_taps(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    listing = await coordinator.say("/items")
    row = next(r for r in listing.keyboard or [] if r[0].text == "✏️ tea/coffee")
    retire = row[1].callback_data or ""
    assert row[1].text == "🗑 Retire"
    edited = await coordinator.press(listing, retire)
    assert (edited.plain_text or "").startswith("🗑 Item retired: tea/coffee.")
    assert "✏️ tea/coffee" not in [button.text for button in edited.buttons()]
    before = await catalogue_rows(clocked)
    # A double tap (the same data pressed again on an older message): said, nothing more.
    toast = await press_data(COORDINATOR, emu, edited, retire)
    assert toast == "ℹ️ tea/coffee was already retired."
    assert await catalogue_rows(clocked) == before

    shelf = await coordinator.press(edited, "🗑 Retired ones")
    assert "🗑 Retired items:\n• tea/coffee" in (shelf.plain_text or "")
    restore = shelf.button("♻️ Restore tea/coffee").callback_data or ""
    restored = await coordinator.press(shelf, restore)
    assert (restored.plain_text or "").startswith("♻️ Item restored: tea/coffee.")
    before = await catalogue_rows(clocked)
    assert await press_data(COORDINATOR, emu, restored, restore) == (
        "ℹ️ tea/coffee is already offered."
    )
    assert await catalogue_rows(clocked) == before
    back = await coordinator.press(restored, "📋 Offered ones")
    assert "✏️ tea/coffee" in [button.text for button in back.buttons()]
    # Sixteen items: fifteen with their buttons a page, the others one "More" away.
    assert len([b for b in back.buttons() if b.text.startswith("✏️")]) == 15
    further = await coordinator.press(back, "➡️ More")
    assert [b.text for b in further.buttons() if b.text.startswith("✏️")] == ["✏️ other"]
    first = await coordinator.press(further, "⬅️ Back")
    assert "✏️ meals" in [button.text for button in first.buttons()]


async def test_a_restart_reloading_content_keeps_every_decision(
    emu: BotApiEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "restart.sqlite3"
    settings = make_settings(emu, path)
    running = await start_bot(settings, clock)
    try:
        coordinator = await enrol(emu, running, COORDINATOR, "Claire", Role.COORDINATOR)
        await coordinator.say("/places rename Marck → Marck bridge")
        await coordinator.say("/places retire Hôpital")
        await coordinator.say("/items rename blankets → Warm covers")
        await coordinator.say("/items retire tea")
        await coordinator.say("/items add Soup bowls portion")
        await coordinator.say("/items retire Soup bowls")
        await running.stop()
        # A new release: content/ changed, so items.toml and places.toml are written again.
        with sqlite3.connect(path) as db:
            db.execute("DELETE FROM meta WHERE key = 'content:signature'")
        running = await start_bot(settings, clock)
        assert await running.bot.storage.meta.get("content:signature")  # it did reload
        volunteer = await enrol(emu, running, VOLUNTEER, "Ana", Role.VOLUNTEER)
        places = (await volunteer.say("/places")).plain_text or ""
        assert "• Marck bridge" in places
        assert "Hôpital" not in places
        assert "• Marck\n" not in places
        items = (await volunteer.say("/items")).plain_text or ""
        assert "• Warm covers" in items
        assert "tea/coffee" not in items
        assert "Soup bowls" not in items
        answer = await volunteer.say("/distrib 5 tea")
        assert (answer.plain_text or "").startswith("🗑 tea/coffee was retired")
        saved = await volunteer.say("/distrib 3 blankets @ Marck")
        assert (saved.plain_text or "").startswith("✅ Saved: 3 × Warm covers · Marck bridge")
    finally:
        await running.stop()


async def test_volunteers_list_and_cannot_change_even_with_forged_buttons(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    volunteer = await enrol(emu, clocked, VOLUNTEER, "Ana", Role.VOLUNTEER)
    outsider = await enrol(
        emu, clocked, OUTSIDE_COORDINATOR, "Gus", Role.COORDINATOR, antenna="grande-synthe"
    )
    listing = await volunteer.say("/places")
    assert "• Marck" in (listing.plain_text or "")
    assert listing.buttons() == []  # nothing to change
    for command in (
        "/places add Secret spot",
        "/places rename Marck → Mine",
        "/places retire Marck",
        "/places restore Marck",
        "/items add Gold piece",
        "/items add Gold",
        "/items retire tea",
    ):
        assert "🔒" in ((await volunteer.say(command)).plain_text or ""), command
    marck = await place_id(clocked, "Marck")
    before = await catalogue_rows(clocked)
    for data in (
        f"cate:p:r:{marck}:0",
        f"cate:p:n:{marck}:0",
        f"cate:p:u:{marck}:0",
        "cate:i:r:tea:0",
        "catx",
    ):
        toast = await press_data(VOLUNTEER, emu, listing, data)
        assert toast.startswith(("🔒", "ℹ️ Nothing to cancel")), (data, toast)
    # A coordinator of another antenna cannot touch Calais's places; items are shared.
    gus = await outsider.say("/places")
    assert "Marck" not in (gus.plain_text or "")
    toast = await press_data(OUTSIDE_COORDINATOR, emu, gus, f"cate:p:r:{marck}:0")
    assert toast == "This button is no longer valid. Send /menu."
    assert (await outsider.say("/places retire Marck")).plain_text == (
        "❌ No place is called “Marck”. Send /places to see them."
    )
    assert await catalogue_rows(clocked) == before

    # Rights are checked on every press: a coordinator demoted since the list was sent.
    coordinator_list = await coordinator.say("/places")
    async with clocked.bot.storage.transaction():
        await clocked.bot.storage.users.set_role(COORDINATOR, Role.VOLUNTEER, antenna="calais")
    toast = await press_data(COORDINATOR, emu, coordinator_list, f"cate:p:r:{marck}:0")
    assert toast.startswith("🔒")
    assert await catalogue_rows(clocked) == before


async def test_forget_erases_who_renamed_and_retired_and_keeps_the_changes(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    await coordinator.say("/places rename Marck → Marck bridge")
    await coordinator.say("/places retire Hôpital")
    await coordinator.say("/items rename blankets → Warm covers")
    await coordinator.say("/items retire tea")
    await coordinator.press(await coordinator.say("/places"), "✏️ Marck bridge")  # waiting
    assert await traces_of(clocked, COORDINATOR)
    confirm = await coordinator.say("/forget")
    await coordinator.press(confirm, "forget:1")
    await outbox_settled(clocked)
    assert await traces_of(clocked, COORDINATOR) == []
    catalogue = clocked.bot.services.distributions.catalogue
    assert "Marck bridge" in [place.name for place in catalogue.places_of("calais")]
    assert catalogue.item_name("blankets", "en") == "Warm covers"
    assert "tea" not in catalogue.items


async def test_a_rename_pressed_in_the_team_chat_is_asked_privately(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    in_team_chat = Person(emu, COORDINATOR, TEAM_CHAT_ID)
    listing = await in_team_chat.say("/places")
    data = listing.button("✏️ Marck").callback_data or ""
    since = len(emu.bot_messages(COORDINATOR))
    toast = await press_data(COORDINATOR, emu, listing, data)
    assert toast == "✏️ I asked you privately for the new name."
    asked = await emu.wait_for_bot_message(COORDINATOR, since=since)
    assert asked.plain_text == "✏️ Type the new name for Marck (40 characters at most)."
    renamed = await Person(emu, COORDINATOR).say("Marck bridge")
    assert (renamed.plain_text or "").startswith("✏️ Place renamed: Marck → Marck bridge.")
