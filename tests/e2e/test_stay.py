"""/stay and /paid (issue 12): registering, changing, a full house decided by a coordinator,
reductions approved and refused, payments and their undo, access, and a restart between a
request and its decision. The fake clock starts on Tuesday 2026-12-01 at 21:00 in Paris."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from bot.callbacks import ReduceDecide, StayChange, StayDecide
from bot.sandbox.emulator import BotApiEmulator, Button, ChatMessage
from bot.storage.models import Role, Stay
from tests.helpers.clock import FakeClock
from tests.helpers.harness import (
    TEAM_CHAT_ID,
    Person,
    RunningBot,
    enrol,
    make_settings,
    start_bot,
)
from tests.helpers.help import press

COORDINATOR = 250
OUTSIDER = 260  # a coordinator of grande-synthe
ANA, BOB, CLEO = 201, 202, 203


def text(message: ChatMessage) -> str:
    return message.plain_text or ""


async def stays(running: RunningBot, user_id: int) -> list[Stay]:
    rows = await running.bot.storage.db.fetch_all(
        "SELECT id FROM stays WHERE user_id = ? ORDER BY id", (user_id,)
    )
    found = [await running.bot.storage.housing.stay(row[0]) for row in rows]
    return [stay for stay in found if stay is not None]


def small_house(running: RunningBot, beds: int) -> None:
    """Calais' house with few beds, to fill it with few people."""
    housing = running.bot.services.housing
    housing.houses = {**housing.houses, "calais": replace(housing.houses["calais"], beds=beds)}


async def forged(emu: BotApiEmulator, person: Person, data: str) -> str:
    """Press `data` as if it were on the person's last message (any client can send it)."""
    message = person.last()
    message.keyboard = [[Button(text="forged", callback_data=data)]]
    return await press(emu, person.id, message, data)


async def wait_text(emu: BotApiEmulator, chat_id: int, part: str) -> ChatMessage:
    return await emu.wait_for_bot_message(chat_id, lambda m: part in text(m), since=0)


async def open_request(emu: BotApiEmulator) -> ChatMessage:
    """The coordinator's copy of the reduction request still undecided (with its buttons)."""
    return await emu.wait_for_bot_message(
        COORDINATOR,
        lambda m: "asks for a housing reduction" in text(m) and bool(m.buttons()),
        since=0,
    )


async def test_register_change_show_end_and_refusals(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    ana = await enrol(emu, clocked, ANA, "Ana", Role.VOLUNTEER)
    before = await ana.say("/stay 2026-12-10 2026-12-05")
    assert "departure must be after the arrival" in text(before)
    same = await ana.say("/stay 2026-12-05 2026-12-05")
    assert "departure must be after the arrival" in text(same)
    past = await ana.say("/stay 2026-10-01 2026-10-20")
    assert "past" in text(past)
    assert "nights at most" in text(await ana.say("/stay 2026-12-02 2028-12-31")) or (
        "more than a year" in text(emu.last_bot_message(ANA))
    )
    assert await stays(clocked, ANA) == []
    done = await ana.say("/stay 1/12 ١١/١٢")  # day first, Arabic-Indic digits
    assert "✅ Stay at Maison de Calais registered" in text(done)
    assert "10 nights" in text(done)
    shown = text(await ana.say("/stay"))
    assert "Nights: 0 so far of 10" in shown
    assert "€5.00 a night" in shown
    assert "Due for the whole stay: €50.00" in shown
    assert "Balance: nothing owed" in shown
    # A second /stay changes the stay, once confirmed.
    question = await ana.say("/stay 2026-12-01 2026-12-15")
    assert "Change your stay?" in text(question)
    assert (await stays(clocked, ANA))[0].departure == date(2026, 12, 11)
    change = question.buttons()[0].callback_data or ""
    changed = await ana.press(question, "✅ Change")
    assert "14 nights" in text(changed)
    assert (await stays(clocked, ANA))[0].departure == date(2026, 12, 15)
    # A double tap changes nothing (and says so).
    toast = await forged(emu, ana, change)
    assert "already has these dates" in toast
    kept = await ana.say("/stay 2026-12-01 2026-12-20")
    assert "✖ Keep" in [b.text for b in kept.buttons()]
    assert "Nothing changed" in text(await ana.press(kept, "✖ Keep"))
    assert (await stays(clocked, ANA))[0].departure == date(2026, 12, 15)
    # Two nights later: the stay ends early, today.
    clock.advance(days=2)
    asked = await ana.say("/stay end")
    assert "Leave the house today" in text(asked)
    assert "2 nights" in text(asked)
    ended = await ana.press(asked, "✅ Yes, I leave")
    assert "Stay ended today" in text(ended)
    assert "€10.00 to pay" in text(ended)
    stay = (await stays(clocked, ANA))[0]
    assert stay.departure == date(2026, 12, 3)
    assert stay.ended_early
    # A new stay overlapping the one that ended is refused.
    overlap = await ana.say("/stay 2026-12-02 2026-12-06")
    assert "overlap" in text(overlap)
    # A coming stay can be cancelled; the ended one still owes its two nights.
    await ana.say("/stay 2026-12-10 2026-12-12")
    asked = await ana.say("/stay cancel")
    assert "Cancel your stay?" in text(asked)
    assert "Stay cancelled" in text(await ana.press(asked, "🗑️ Yes, cancel it"))
    assert [s.status for s in await stays(clocked, ANA)] == ["confirmed", "cancelled"]
    assert "€10.00 to pay" in text(await ana.say("/stay"))


async def test_a_full_house_waits_for_a_coordinator(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    small_house(clocked, 1)
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    outsider = await enrol(
        emu, clocked, OUTSIDER, "Gus", Role.COORDINATOR, antenna="grande-synthe"
    )
    ana = await enrol(emu, clocked, ANA, "Ana", Role.VOLUNTEER)
    bob = await enrol(emu, clocked, BOB, "Bob", Role.VOLUNTEER)
    cleo = await enrol(emu, clocked, CLEO, "Cleo", Role.VOLUNTEER)
    await ana.say("/stay 2026-12-02 2026-12-05")
    waiting = await bob.say("/stay 2026-12-03 2026-12-06")
    assert "waiting for a coordinator" in text(waiting)
    assert "full on 2 nights" in text(waiting)
    stay = (await stays(clocked, BOB))[0]
    assert stay.status == "waiting"
    request = await wait_text(emu, COORDINATOR, "Bob (@bob) asks to stay")
    assert "full on 2 nights" in text(request)
    accept = request.buttons()[0].callback_data or ""
    # The coordinator of another antenna cannot decide, nor can a volunteer.
    assert "🔒" in await forged(emu, outsider, accept)
    assert "🔒" in await forged(emu, cleo, accept)
    assert (await stays(clocked, BOB))[0].status == "waiting"
    decided = await coordinator.press(request, "✅ Accept anyway")
    assert "Accepted by Claire" in text(decided)
    assert decided.buttons() == []
    told = await wait_text(emu, BOB, "accepted your stay")
    assert "Thu 3 Dec" in text(told)
    after = (await stays(clocked, BOB))[0]
    assert after.status == "confirmed"
    assert after.decided_by == COORDINATOR
    # A late or double press changes nothing and says who decided.
    toast = await forged(emu, coordinator, f"hsd:{stay.id}:0")
    assert "Already accepted by Claire" in toast
    assert (await stays(clocked, BOB))[0].status == "confirmed"
    # Cleo's request is refused.
    await cleo.say("/stay 2026-12-04 2026-12-05")
    request = await wait_text(emu, COORDINATOR, "Cleo (@cleo) asks to stay")
    assert "Refused by Claire" in text(await coordinator.press(request, "✖ Refuse"))
    await wait_text(emu, CLEO, "was refused")
    assert (await stays(clocked, CLEO))[0].status == "refused"
    occupancy = await clocked.bot.services.housing.occupancy("calais", date(2026, 12, 2), 4)
    assert [night.booked for night in occupancy] == [1, 2, 2, 1]
    # A refused stay holds nothing: Cleo may register other dates.
    assert "registered" in text(await cleo.say("/stay 2026-12-06 2026-12-07"))


async def test_reductions_apply_from_the_decision_date(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    outsider = await enrol(
        emu, clocked, OUTSIDER, "Gus", Role.COORDINATOR, antenna="grande-synthe"
    )
    ana = await enrol(emu, clocked, ANA, "Ana", Role.VOLUNTEER)
    await ana.say("/stay 2026-12-01 2027-02-15")  # 76 nights
    early = await ana.say("/stay reduce")
    assert "passed 30 nights" in text(early)
    assert "You can ask from Thu 31 Dec" in text(early)
    assert await clocked.bot.storage.housing.open_reductions("calais") == []
    clock.advance(days=30)  # Thursday 31 December, 21:00: 30 nights so far
    sent = await ana.say("/stay reduce I lost my <b>job</b>")
    assert "sent to the coordinators" in text(sent)
    assert "already" in text(await ana.say("/stay reduce again"))
    request = await wait_text(emu, COORDINATOR, "asks for a housing reduction")
    assert "Reason: I lost my <b>job</b>" in text(request)  # shown as typed, not as markup
    assert "€150.00 to pay" in text(request)
    assert [b.text for b in request.buttons()] == [
        "🆓 Waive",
        "½ 50 %",
        "✏️ Other amount",
        "✖ Refuse",
    ]
    assert "🔒" in await forged(emu, outsider, request.buttons()[1].callback_data or "")
    waive = request.buttons()[0].callback_data or ""
    decided = await coordinator.press(request, "½ 50 %")
    assert "€2.50 a night from Thu 31 Dec" in text(decided)
    assert "Decided by Claire" in text(decided)
    told = await wait_text(emu, ANA, "€2.50 a night from Thu 31 Dec")
    assert "nights before are unchanged" in text(told)
    row = (await clocked.bot.storage.housing.reductions_of((await stays(clocked, ANA))[0].id))[0]
    assert (row.status, row.nightly, row.effective_from) == (
        "half",
        Decimal("2.50"),
        date(2026, 12, 31),
    )
    assert row.decided_by == COORDINATOR
    # A double tap on another choice changes nothing.
    toast = await forged(emu, coordinator, waive)
    assert "Already accepted by Claire" in toast
    shown = text(await ana.say("/stay"))
    assert "Due so far: €150.00" in shown  # the 30 nights before, at €5
    assert "Due for the whole stay: €265.00" in shown  # 30 × 5 + 46 × 2.50
    await later_reductions(emu, clock, ana, coordinator)


async def later_reductions(
    emu: BotApiEmulator, clock: FakeClock, ana: Person, coordinator: Person
) -> None:
    """The day after the 50 %, another amount, typed; the day after, waived."""
    # The next day, another amount, typed by the coordinator.
    clock.advance(days=1)
    await ana.say("/stay reduce")
    request = await open_request(emu)
    prompt = await coordinator.press(request, "✏️ Other amount")
    assert "Type the nightly contribution" in text(prompt)
    assert "less than €5.00" in text(prompt)
    assert "Type another amount" in text(await coordinator.say("abc"))
    assert "less than the usual" in text(await coordinator.say("7"))
    done = await coordinator.say("1,5")
    assert "€1.50 a night from Fri 1 Jan" in text(done)
    await wait_text(emu, ANA, "€1.50 a night from Fri 1 Jan")
    # And the day after, waived.
    clock.advance(days=1)
    await ana.say("/stay reduce")
    request = await open_request(emu)
    assert "Waived" in text(await coordinator.press(request, "🆓 Waive"))
    await wait_text(emu, ANA, "waived from Sat 2 Jan")
    shown = text(await ana.say("/stay"))
    # 30 × 5 + 2.50 (31 Dec) + 1.50 (1 Jan), then nothing: earlier nights unchanged.
    assert "Due so far: €154.00" in shown
    assert "Due for the whole stay: €154.00" in shown
    assert "€0.00 a night" in shown


async def test_a_refused_reduction_changes_nothing(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    bob = await enrol(emu, clocked, BOB, "Bob", Role.VOLUNTEER, language="fr")
    await bob.say("/stay 2026-12-01 2027-01-31")
    clock.advance(days=31)
    await bob.say("/stay reduce")
    request = await wait_text(emu, COORDINATOR, "asks for a housing reduction")
    assert "Refused" in text(await coordinator.press(request, "✖ Refuse"))
    await emu.wait_until(lambda: len(emu.bot_messages(BOB)) >= 4)
    reduction = (
        await clocked.bot.storage.housing.reductions_of((await stays(clocked, BOB))[0].id)
    )[0]
    assert reduction.status == "refused"
    assert reduction.nightly is None
    assert "Already refused by Claire" in await forged(emu, coordinator, "hrd:1:waived")
    account = await clocked.bot.services.housing.account(
        await clocked.bot.services.users.get(BOB)  # type: ignore[arg-type]
    )
    assert account.due_total == Decimal("305.00")  # 61 nights at €5
    assert account.due_so_far == Decimal("155.00")


async def test_payments_and_undo(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    outsider = await enrol(
        emu, clocked, OUTSIDER, "Gus", Role.COORDINATOR, antenna="grande-synthe"
    )
    ana = await enrol(emu, clocked, ANA, "Ana", Role.VOLUNTEER)
    bob = await enrol(emu, clocked, BOB, "Bob", Role.VOLUNTEER)
    await ana.say("/stay 2026-11-28 2026-12-10")  # 3 nights so far: €15 due
    assert "🔒" in text(await bob.say("/paid ana 20"))  # a volunteer records nothing
    assert "🔒" in text(await outsider.say("/paid @ana 20"))  # nor another antenna
    assert "no stay" in text(await coordinator.say("/paid bob 20"))
    assert "Type an amount" in text(await coordinator.say("/paid ana 0"))
    assert "Type an amount" in text(await coordinator.say("/paid ana 12.345"))
    since = len(emu.bot_messages(COORDINATOR))
    sent = await emu.send_text(COORDINATOR, "/paid Ana ٢٠")
    recorded = await emu.wait_for_bot_message(COORDINATOR, since=since)
    assert "Payment of €20.00 recorded for Ana (@ana)" in text(recorded)
    assert "€5.00 paid ahead" in text(recorded)
    await wait_text(emu, ANA, "Your payment of €20.00")
    # Telegram sends the update again: recorded once.
    await emu.wait_until(lambda: emu.confirmed_offset > sent)
    await emu.redeliver(sent)
    await coordinator.say("/help")
    count = await clocked.bot.storage.db.fetch_value("SELECT COUNT(*) FROM housing_payments")
    assert count == 1
    # Bob cannot see Ana's balance: /stay shows only one's own.
    assert "No stay registered" in text(await bob.say("/stay"))
    assert "Usage" in text(await bob.say("/stay @ana"))
    # Undo, once.
    undone = await coordinator.press(recorded, "↩️ Undo")
    assert "undone" in text(undone)
    assert "€15.00 to pay" in text(undone)
    await wait_text(emu, ANA, "was a mistake and was removed")
    assert "already undone" in await forged(emu, coordinator, f"hpu:{1}")
    # A late undo is refused.
    late = await coordinator.say("/paid ana 15")
    clock.advance(minutes=16)
    assert "within 15 minutes" in await press(emu, COORDINATOR, late, "↩️ Undo")
    assert "Balance: nothing owed" in text(await ana.say("/stay"))
    # Ana cannot undo it either.
    assert "🔒" in await forged(emu, ana, "hpu:2")


async def test_a_restart_between_request_and_decision(emu: BotApiEmulator, tmp_path: Path) -> None:
    clock = FakeClock()
    database = tmp_path / "restart.sqlite3"
    running = await start_bot(make_settings(emu, database), clock)
    try:
        small_house(running, 1)
        coordinator = await enrol(emu, running, COORDINATOR, "Claire", Role.COORDINATOR)
        ana = await enrol(emu, running, ANA, "Ana", Role.VOLUNTEER)
        bob = await enrol(emu, running, BOB, "Bob", Role.VOLUNTEER)
        await ana.say("/stay 2026-12-02 2026-12-05")
        await bob.say("/stay 2026-12-02 2026-12-03")
        request = await wait_text(emu, COORDINATOR, "Bob (@bob) asks to stay")
    finally:
        await running.stop()
    running = await start_bot(make_settings(emu, database), clock)
    try:
        small_house(running, 1)
        decided = await coordinator.press(request, "✅ Accept anyway")
        assert "Accepted by Claire" in text(decided)
        await wait_text(emu, BOB, "accepted your stay")
        assert (await stays(running, BOB))[0].status == "confirmed"
    finally:
        await running.stop()


async def test_commands_are_listed_by_role(emu: BotApiEmulator, clocked: RunningBot) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    ana = await enrol(emu, clocked, ANA, "Ana", Role.VOLUNTEER)
    volunteer_help = text(await ana.say("/help"))
    assert "/stay" in volunteer_help
    assert "/paid" not in volunteer_help
    coordinator_help = text(await coordinator.say("/help"))
    assert "/paid" in coordinator_help


async def test_a_french_volunteer_reads_french_money(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    """(Needs the French catalogue filled: /work/notes/i12/i18n-stay.json.)"""
    bob = await enrol(emu, clocked, BOB, "Bob", Role.VOLUNTEER, language="fr")
    done = text(await bob.say("/stay demain 12/12"))
    assert "✅ Séjour à Maison de Calais enregistré" in done
    assert "10 nuits" in done
    shown = text(await bob.say("/stay"))
    assert "Participation\u202f: 5,00\u00a0€ par nuit" in shown
    assert "Dû pour tout le séjour\u202f: 50,00\u00a0€" in shown
    early = text(await bob.say("/stay reduce"))
    assert "30 nuits" in early
    assert "À partir du ven. 1 janv., vous pourrez la demander." in early


async def test_a_waiting_stay_changed_then_cancelled(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    small_house(clocked, 1)
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    ana = await enrol(emu, clocked, ANA, "Ana", Role.VOLUNTEER)
    bob = await enrol(emu, clocked, BOB, "Bob", Role.VOLUNTEER)
    await ana.say("/stay 2026-12-02 2026-12-09")
    await bob.say("/stay 2026-12-03 2026-12-05")
    first = await wait_text(emu, COORDINATOR, "Bob (@bob) asks to stay")
    accept = first.buttons()[0].callback_data or ""
    question = await bob.say("/stay 2026-12-03 2026-12-06")
    assert "full on 3 nights" in text(question)
    await bob.press(question, "✅ Change")
    await emu.wait_until(lambda: "changed these dates since" in text(first))
    assert first.buttons() == []
    second = await emu.wait_for_bot_message(
        COORDINATOR, lambda m: "asks to stay" in text(m) and "3 nights" in text(m), since=0
    )
    assert second.message_id != first.message_id
    asked = await bob.say("/stay cancel")
    await bob.press(asked, "🗑️ Yes, cancel it")
    await emu.wait_until(lambda: "cancelled this stay" in text(second))
    assert "no longer waiting" in await forged(emu, coordinator, accept)
    assert [s.status for s in await stays(clocked, BOB)] == ["cancelled"]


async def test_two_coordinators_one_decision(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    dan = await enrol(emu, clocked, 251, "Dan", Role.COORDINATOR)
    ana = await enrol(emu, clocked, ANA, "Ana", Role.VOLUNTEER)
    await ana.say("/stay 2026-12-01 2027-01-31")
    clock.advance(days=30)
    await ana.say("/stay reduce")
    claire_copy = await wait_text(emu, COORDINATOR, "asks for a housing reduction")
    dan_copy = await wait_text(emu, 251, "asks for a housing reduction")
    prompt = await claire.press(claire_copy, "✏️ Other amount")
    assert "Type the nightly contribution" in text(prompt)
    assert "Refused" in text(await dan.press(dan_copy, "✖ Refuse"))
    # Claire's copy shows Dan's decision, without buttons.
    await emu.wait_until(lambda: "Decided by Dan" in text(claire_copy))
    assert claire_copy.buttons() == []
    # Her typed amount comes too late: nothing changes, and her next text is hers again.
    assert "Already refused by Dan" in text(await claire.say("2"))
    assert "tap a button" in text(await claire.say("hello"))
    stay = (await stays(clocked, ANA))[0]
    [reduction] = await clocked.bot.storage.housing.reductions_of(stay.id)
    assert (reduction.status, reduction.decided_by) == ("refused", 251)
    await wait_text(emu, ANA, "was refused")


async def test_stays_are_private(emu: BotApiEmulator, clocked: RunningBot) -> None:
    ana = await enrol(emu, clocked, ANA, "Ana", Role.VOLUNTEER)
    await ana.say("/stay 2026-12-01 2026-12-05")
    in_team = await Person(emu, ANA, TEAM_CHAT_ID).say("/stay")
    assert "Write to me privately" in text(in_team)
    assert "€" not in text(in_team)
    emu.add_user(777, "Someone", language_code="en")
    assert "🔒" in text(await Person(emu, 777).say("/stay 2026-12-02 2026-12-05"))


async def test_a_coming_stay_cannot_be_moved_into_the_past(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    """Review: a stay not begun moved months back would owe nights nobody slept and open
    /stay reduce at once, around the 30-night rule."""
    ana = await enrol(emu, clocked, ANA, "Ana", Role.VOLUNTEER)
    await ana.say("/stay 2026-12-10 2026-12-20")
    moved = await ana.say("/stay 2026-09-01 2026-12-20")
    assert "past" in text(moved)
    assert moved.buttons() == []
    # Nor through a forged ✅ for those dates.
    [stay] = await stays(clocked, ANA)
    assert "🔒" not in await forged(
        emu, ana, StayChange(stay.id, "20260901", "20261220", ok=True).pack()
    )
    [stay] = await stays(clocked, ANA)
    assert stay.arrival == date(2026, 12, 10)
    assert "passed 30 nights" in text(await ana.say("/stay reduce"))
    # A few days back, as for a new stay, is still fine.
    changed = await ana.say("/stay 2026-11-28 2026-12-20")
    assert "Change your stay?" in text(changed)


async def test_a_coordinator_does_not_decide_their_own_stay_or_reduction(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    """Review: the same rule for everyone: a coordinator staying at the house asks the
    others (or an admin), and does not waive their own contribution or take the last bed."""
    claire = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    dan = await enrol(emu, clocked, 251, "Dan", Role.COORDINATOR)
    await claire.say("/stay 2026-12-01 2027-01-31")
    clock.advance(days=30)
    await claire.say("/stay reduce")
    request = await wait_text(emu, 251, "asks for a housing reduction")
    [reduction] = await clocked.bot.storage.housing.reductions_of(
        (await stays(clocked, COORDINATOR))[0].id
    )
    assert "🔒" in await forged(emu, claire, ReduceDecide(reduction.id, "waived").pack())
    assert "🔒" in await forged(emu, claire, ReduceDecide(reduction.id, "amount").pack())
    [reduction] = await clocked.bot.storage.housing.reductions_of(reduction.stay_id)
    assert reduction.status == "open"
    assert "Waived" in text(await dan.press(request, "🆓 Waive"))
    await wait_text(emu, COORDINATOR, "waived from")
    # Nor records their own payment, nor accepts their own stay in a full house.
    assert "🔒" in text(await claire.say("/paid @claire 500"))
    assert await clocked.bot.storage.housing.payments_of(COORDINATOR) == []
    small_house(clocked, 1)  # Claire's bed until 31 January
    assert "waiting" in text(await dan.say("/stay 2027-01-10 2027-01-15"))
    [waiting] = await stays(clocked, 251)
    assert "🔒" in await forged(emu, dan, StayDecide(waiting.id, accept=True).pack())
    assert [s.status for s in await stays(clocked, 251)] == ["waiting"]


async def test_a_begun_stay_extended_onto_full_nights_keeps_its_nights(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    """Review: a confirmed stay under way, extended onto a full night, became 'waiting' as a
    whole: its nights slept vanished from what is owed and from the house's count, and a
    refusal erased them. It now keeps its dates and nights; the new nights are refused."""
    small_house(clocked, 1)
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    ana = await enrol(emu, clocked, ANA, "Ana", Role.VOLUNTEER)
    bob = await enrol(emu, clocked, BOB, "Bob", Role.VOLUNTEER)
    await ana.say("/stay 2026-11-25 2026-12-05")  # 6 nights so far: €30
    await bob.say("/stay 2026-12-05 2026-12-10")
    extended = await ana.say("/stay 2026-11-25 2026-12-08")
    assert "full" in text(extended)
    assert extended.buttons() == []
    [stay] = await stays(clocked, ANA)
    assert (stay.status, stay.departure) == ("confirmed", date(2026, 12, 5))
    # Nor through a forged ✅ for those dates.
    await forged(emu, ana, StayChange(stay.id, "20261125", "20261208", ok=True).pack())
    [stay] = await stays(clocked, ANA)
    assert (stay.status, stay.departure) == ("confirmed", date(2026, 12, 5))
    assert "€30.00 to pay" in text(await ana.say("/stay"))
    occupancy = await clocked.bot.services.housing.occupancy("calais", date(2026, 12, 1), 1)
    assert [night.booked for night in occupancy] == [1]
    # Shortening it is still fine.
    shorter = await ana.say("/stay 2026-11-25 2026-12-03")
    assert "registered" in text(await ana.press(shorter, "✅ Change"))
    assert [s.status for s in await stays(clocked, ANA)] == ["confirmed"]
    del coordinator


async def test_a_sole_coordinators_own_request_goes_to_someone_who_may_decide(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    """Review: Calais' only coordinator asks for a reduction: the request went to her alone,
    who may not decide it; it goes where it would without her (the team chat)."""
    await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    claire = Person(emu, COORDINATOR)
    await claire.say("/stay 2026-12-01 2027-01-31")
    clock.advance(days=30)
    assert "sent to the coordinators" in text(await claire.say("/stay reduce"))
    request = await wait_text(emu, TEAM_CHAT_ID, "Claire (@claire)")  # in French there
    assert len(request.buttons()) == 4
    assert not [
        m for m in emu.bot_messages(COORDINATOR) if "asks for a housing reduction" in text(m)
    ]
    # /housing lists it, without offering her buttons she may not press.
    listed = await claire.say("/housing", expect=lambda m: "Reduction requests" in text(m))
    assert "👉" not in text(listed)
    await claire.say("/help")
    assert not [m for m in emu.bot_messages(COORDINATOR) if m.buttons() and "reduction" in text(m)]
