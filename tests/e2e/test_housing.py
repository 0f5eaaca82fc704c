"""/housing and the housing spreadsheets of /export (issue 12): the nights against the beds
with ⚠️ on a full night, who owes what largest first, what waits for a decision (with its
buttons), who may see which house, a right-to-left table that still reads, and the chart
drawn off the event loop. The fake clock starts on Tuesday 2026-12-01 at 21:00 in Paris."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import threading
from dataclasses import replace

import pytest

from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from bot.storage.models import Role
from tests.helpers.clock import FakeClock
from tests.helpers.harness import ADMIN_ID, TEAM_CHAT_ID, Person, RunningBot, enrol

COORDINATOR = 250
OUTSIDER = 260  # a coordinator of grande-synthe
ANA, BOB, CLEO = 201, 202, 203


def text(message: ChatMessage) -> str:
    return message.plain_text or ""


def small_house(running: RunningBot, beds: int) -> None:
    housing = running.bot.services.housing
    housing.houses = {**housing.houses, "calais": replace(housing.houses["calais"], beds=beds)}


async def calais(emu: BotApiEmulator, running: RunningBot) -> Person:
    """Two beds at Calais: Ana since 25 Nov (paid 20 €), Bob 28 Nov – 3 Dec, both there on
    the nights of 1 and 2 Dec (full); Cleo asks for 2 Dec and waits. Ana owes 6 × 5 − 20 =
    10 €, Bob 3 × 5 = 15 €."""
    small_house(running, 2)
    coordinator = await enrol(emu, running, COORDINATOR, "Claire", Role.COORDINATOR)
    ana = await enrol(emu, running, ANA, "Ana", Role.VOLUNTEER)
    bob = await enrol(emu, running, BOB, "Bob", Role.VOLUNTEER)
    cleo = await enrol(emu, running, CLEO, "Cleo", Role.VOLUNTEER)
    assert "registered" in text(await ana.say("/stay 2026-11-25 2026-12-10"))
    assert "registered" in text(await bob.say("/stay 2026-11-28 2026-12-03"))
    assert "waiting" in text(await cleo.say("/stay 2026-12-02 2026-12-03"))
    await emu.wait_for_bot_message(COORDINATOR, lambda m: "Cleo (@cleo) asks" in text(m))
    await coordinator.say("/paid @ana 20", expect=lambda m: "Payment of" in text(m))
    return coordinator


TABLE_ROW = re.compile(r"\d\d/\d\d +\d+/\d+")


async def housing_messages(person: Person, command: str = "/housing") -> list[ChatMessage]:
    """What /housing answers, in this order: the nights, the people (then the requests)."""
    since = len(person.emu.bot_messages(person.chat_id))
    await person.say(command)

    def answered() -> list[ChatMessage]:
        found = [m for m in person.emu.bot_messages(person.chat_id)[since:] if m.kind == "text"]
        # In any language: the table's rows read "01/12 2/2 …"; the people follow it.
        nights = [m for m in found if TABLE_ROW.search(text(m))]
        people = found[found.index(nights[0]) + 1 :] if nights else []
        return [nights[0], people[0]] if nights and people else []

    await person.emu.wait_until(lambda: bool(answered()))
    return answered()


def night_line(table: str, day: str) -> str:
    return next(line for line in table.splitlines() if day in line)


async def test_nights_balances_and_waiting_requests(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    coordinator = await calais(emu, clocked)
    messages = await housing_messages(coordinator)
    nights = text(messages[0])
    assert "Maison de Calais: 2 beds" in nights
    assert "<pre>" in (messages[0].text or "")
    # 28 nights from tonight, full ones flagged.
    assert "01/12" in nights
    assert "28/12" in nights
    assert "29/12" not in nights
    assert "2/2" in night_line(nights, "01/12")
    assert "⚠️" in night_line(nights, "01/12")
    assert "⚠️" in night_line(nights, "02/12")
    assert "1/2" in night_line(nights, "03/12")
    assert "⚠️" not in night_line(nights, "03/12")
    assert "0/2" in night_line(nights, "10/12")
    assert "Full or over on 2 nights" in nights
    people = text(messages[1])
    # This week: Bob leaves on Thursday 3 Dec; Cleo's stay is not accepted: no arrival.
    assert "Thu 3 Dec: Bob (@bob)" in people
    assert "No arrivals" in people
    # Largest balance first, with the total.
    assert people.index("Bob (@bob): €15.00") < people.index("Ana (@ana): €10.00")
    assert "total €25.00" in people
    assert "Cleo (@cleo): Wed 2 Dec → Thu 3 Dec" in people
    # Cleo's request follows with its buttons, and deciding here decides for good.
    request = await emu.wait_for_bot_message(
        COORDINATOR,
        lambda m: "Cleo (@cleo) asks to stay" in text(m) and bool(m.buttons()),
        since=len(emu.bot_messages(COORDINATOR)) - 3,
    )
    decided = await coordinator.press(request, "✅ Accept anyway")
    assert "Accepted by Claire" in text(decided)
    stay = await clocked.bot.services.housing.current(CLEO)
    assert stay is not None
    assert stay.status == "confirmed"
    # Now three people on the night of 2 Dec: over the beds, still ⚠️.
    again = text((await housing_messages(coordinator))[0])
    assert "3/2" in night_line(again, "02/12")
    assert "⚠️" in night_line(again, "02/12")
    assert "+" in night_line(again, "02/12")


async def test_balances_are_capped(emu: BotApiEmulator, clocked: RunningBot) -> None:
    small_house(clocked, 40)
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    for n in range(33):
        person = await enrol(emu, clocked, 300 + n, f"V{n:02}", Role.VOLUNTEER)
        await person.say(f"/stay 2026-11-{24 + n % 7} 2026-12-20")
    people = text((await housing_messages(coordinator))[1])
    assert "…and 3 more." in people
    assert people.count("• V") == 30
    # Largest first: those who came on 24 Nov owe 7 nights, those of 30 Nov one (4 of them,
    # 3 not shown).
    amounts = [line.rsplit("€", 1)[1] for line in people.splitlines() if line.startswith("• V")]
    assert amounts == sorted(amounts, key=float, reverse=True)
    assert amounts[0] == "35.00"
    assert amounts.count("10.00") == 4
    assert amounts[-1] == "5.00"
    assert len(people) < 4096


async def test_who_sees_which_house(emu: BotApiEmulator, clocked: RunningBot) -> None:
    await calais(emu, clocked)
    ana = Person(emu, ANA)
    assert "🔒" in text(await ana.say("/housing", expect=lambda m: "🔒" in text(m)))
    outsider = await enrol(
        emu, clocked, OUTSIDER, "Gus", Role.COORDINATOR, antenna="grande-synthe"
    )
    messages = await housing_messages(outsider)
    seen = "\n".join(text(m) for m in messages)
    assert "Maison de Grande-Synthe: 10 beds" in seen
    assert "Bob" not in seen
    assert "Ana" not in seen
    assert "Cleo" not in seen
    assert "Nobody owes anything" in seen
    refused = text(await outsider.say("/housing calais"))
    assert "Only an admin" in refused
    assert "Bob" not in refused
    # An admin names the antenna; an unknown one is said so.
    admin = Person(emu, ADMIN_ID)
    seen = "\n".join(text(m) for m in await housing_messages(admin, "/housing calais"))
    assert "Maison de Calais" in seen
    assert "Bob (@bob)" in seen
    seen = "\n".join(text(m) for m in await housing_messages(admin, "/housing grande-synthe"))
    assert "Maison de Grande-Synthe" in seen
    assert "Bob" not in seen
    assert "nowhere" in text(await admin.say("/housing nowhere"))
    # Without a name, the admin's own antenna (the default one).
    seen = "\n".join(text(m) for m in await housing_messages(admin, "/housing"))
    assert "Maison de Calais" in seen
    # Never in a group chat: balances are nobody else's business.
    in_team = await Person(emu, COORDINATOR, TEAM_CHAT_ID).say("/housing")
    assert "Write to me privately" in text(in_team)
    assert "€" not in text(in_team)


async def test_the_table_reads_left_to_right_in_arabic(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    await calais(emu, clocked)
    arabic = await enrol(emu, clocked, 270, "Karim", Role.COORDINATOR, language="ar")
    messages = await housing_messages(arabic)
    table = (messages[0].plain_text or "").split("\n")
    rows = [line for line in table if "/12" in line]
    assert len(rows) == 28
    # Every row starts left to right, with Latin digits and no Arabic weekday.
    assert all(line.startswith("\u200e") and "\u200f" not in line for line in rows)
    assert rows[0].lstrip("\u200e").startswith("01/12 2/2")
    assert not any("\u0660" <= ch <= "\u0669" for line in rows for ch in line)


async def test_the_chart_is_drawn_off_the_event_loop(
    emu: BotApiEmulator, clocked: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    figure = pytest.importorskip("matplotlib.figure")
    coordinator = await calais(emu, clocked)
    loop_thread = threading.get_ident()
    charts: list[int] = []
    real_savefig = figure.Figure.savefig

    def savefig(self: object, *args: object, **kwargs: object) -> object:
        charts.append(threading.get_ident())
        return real_savefig(self, *args, **kwargs)

    monkeypatch.setattr(figure.Figure, "savefig", savefig)
    await coordinator.say("/housing")
    await emu.wait_until(lambda: any(m.kind == "photo" for m in emu.bot_messages(COORDINATOR)))
    assert charts
    assert loop_thread not in charts


def csv_rows(message: ChatMessage) -> list[dict[str, str]]:
    content = message.extra["content"]
    raw = content if isinstance(content, bytes) else str(content).encode()
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


async def test_the_export_holds_the_housing_tables(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    coordinator = await calais(emu, clocked)
    # A name typed as a formula does not run in the spreadsheet.
    await clocked.bot.storage.db.execute(
        "UPDATE users SET display_name = '=HYPERLINK(1)' WHERE id = ?", (BOB,)
    )
    await coordinator.say("/export today")
    names = {
        "housing_stays_2026-12-01_2026-12-01.csv",
        "housing_payments_2026-12-01_2026-12-01.csv",
        "housing_reductions_2026-12-01_2026-12-01.csv",
    }

    def sent() -> dict[str, ChatMessage]:
        return {
            str(m.extra["file_name"]): m
            for m in emu.bot_messages(COORDINATOR)
            if m.kind == "document"
        }

    await emu.wait_until(lambda: names <= set(sent()))
    stay_rows = csv_rows(sent()["housing_stays_2026-12-01_2026-12-01.csv"])
    stays = {row["volunteer"]: row for row in stay_rows}
    assert stays["Ana"]["nights_so_far"] == "6"
    assert stays["Ana"]["nights"] == "15"
    assert stays["Ana"]["due_so_far_eur"] == "30.00"
    assert stays["Ana"]["due_total_eur"] == "75.00"
    assert stays["Ana"]["paid_eur"] == "20.00"
    assert stays["Ana"]["balance_eur"] == "10.00"
    assert stays["'=HYPERLINK(1)"]["balance_eur"] == "15.00"
    assert stays["Cleo"]["status"] == "waiting"
    assert stays["Cleo"]["due_so_far_eur"] == "0.00"
    payments = csv_rows(sent()["housing_payments_2026-12-01_2026-12-01.csv"])
    assert [(p["volunteer"], p["amount_eur"], p["recorded_by"]) for p in payments] == [
        ("Ana", "20.00", "Claire")
    ]
    assert csv_rows(sent()["housing_reductions_2026-12-01_2026-12-01.csv"]) == []


async def test_a_credit_is_a_number_in_the_export(
    emu: BotApiEmulator, clocked: RunningBot
) -> None:
    """Review: a volunteer who paid ahead has a negative balance, a number in the spreadsheet
    (not the text "'-5.00" that the formula guard makes of a typed name)."""
    coordinator = await calais(emu, clocked)
    await coordinator.say("/paid @bob 20", expect=lambda m: "Bob" in text(m))
    await coordinator.say("/export today")
    name = "housing_stays_2026-12-01_2026-12-01.csv"
    sent = await emu.wait_for_bot_message(
        COORDINATOR, lambda m: m.kind == "document" and m.extra["file_name"] == name
    )
    stays = {row["volunteer"]: row for row in csv_rows(sent)}
    assert stays["Bob"]["balance_eur"] == "-5.00"
    assert stays["Ana"]["balance_eur"] == "10.00"


async def test_reductions_in_housing_and_in_the_export(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    ana = await enrol(emu, clocked, ANA, "Ana", Role.VOLUNTEER)
    await ana.say("/stay 2026-12-01 2027-02-15")
    clock.advance(days=30)  # Thursday 31 December, 21:00: 30 nights so far, €150 owed
    await ana.say("/stay reduce no more savings")
    await emu.wait_for_bot_message(COORDINATOR, lambda m: "housing reduction" in text(m))
    messages = await housing_messages(coordinator)
    assert "📨 Reduction requests to decide:\n• Ana (@ana)" in text(messages[1])
    assert "• Ana (@ana): €150.00" in text(messages[1])
    # The request follows with its four buttons; ½ pressed there decides it.
    since = len(emu.bot_messages(COORDINATOR)) - 2
    request = await emu.wait_for_bot_message(
        COORDINATOR,
        lambda m: "asks for a housing reduction" in text(m) and len(m.buttons()) == 4,
        since=since,
    )
    decided = await coordinator.press(request, "½ 50 %")
    assert "Decided by Claire" in text(decided)
    assert "Nothing waits for a decision" in text((await housing_messages(coordinator))[1])
    await coordinator.say("/export month", expect=lambda m: "Preparing" in text(m))
    name = "housing_reductions_2026-12-01_2026-12-31.csv"
    await emu.wait_until(
        lambda: any(m.extra.get("file_name") == name for m in emu.bot_messages(COORDINATOR))
    )
    sent = {str(m.extra.get("file_name")): m for m in emu.bot_messages(COORDINATOR)}
    (row,) = csv_rows(sent[name])
    assert row["volunteer"] == "Ana"
    assert row["reason"] == "no more savings"
    assert (row["status"], row["nightly_eur"], row["effective_from"]) == (
        "half",
        "2.50",
        "2026-12-31",
    )
    assert row["decided_by"] == "Claire"
    assert row["decided_at"].startswith("2026-12-31 ")
    (stay,) = csv_rows(sent["housing_stays_2026-12-01_2026-12-31.csv"])
    # 30 × 5 so far; in all 30 × 5 + 46 × 2.50.
    assert (stay["due_so_far_eur"], stay["due_total_eur"]) == ("150.00", "265.00")
    assert (stay["reduction"], stay["reduction_nightly_eur"]) == ("half", "2.50")


async def test_a_french_coordinator_reads_french(emu: BotApiEmulator, clocked: RunningBot) -> None:
    """(Needs the French catalogue filled: /work/notes/i12/i18n-housing.json.)"""
    await calais(emu, clocked)
    french = await enrol(emu, clocked, 280, "Lou", Role.COORDINATOR, language="fr")
    messages = await housing_messages(french, "/housing")
    nights, people = text(messages[0]), text(messages[1])
    assert "Maison de Calais\u202f: 2 lits" in nights
    assert "mar 01/12 2/2 ██████████ ⚠️" in nights
    assert "Complet (ou au-delà) sur 2 nuits." in nights
    assert "Qui doit combien (total 25,00\u00a0€)\u202f:" in people
    assert "• Bob (@bob)\u202f: 15,00\u00a0€" in people


async def test_a_payment_for_a_stay_ended_before_the_period_is_exported(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock
) -> None:
    coordinator = await enrol(emu, clocked, COORDINATOR, "Claire", Role.COORDINATOR)
    outsider = await enrol(
        emu, clocked, OUTSIDER, "Gus", Role.COORDINATOR, antenna="grande-synthe"
    )
    ana = await enrol(emu, clocked, ANA, "Ana", Role.VOLUNTEER)
    await ana.say("/stay 2026-12-01 2026-12-03")
    clock.advance(days=31)  # 1 January 2027: the stay ended last year
    await coordinator.say("/paid @ana 10,5", expect=lambda m: "Payment of" in text(m))
    name = "housing_payments_2027-01-01_2027-01-01.csv"
    await coordinator.say("/export today", expect=lambda m: "Preparing" in text(m))
    await emu.wait_until(
        lambda: any(m.extra.get("file_name") == name for m in emu.bot_messages(COORDINATOR))
    )
    sent = {str(m.extra.get("file_name")): m for m in emu.bot_messages(COORDINATOR)}
    (row,) = csv_rows(sent[name])
    assert (row["volunteer"], row["amount_eur"], row["recorded_by"]) == ("Ana", "10.50", "Claire")
    assert csv_rows(sent["housing_stays_2027-01-01_2027-01-01.csv"]) == []
    # Grande-Synthe's coordinator gets no Calais payment (nor any housing file).
    await outsider.say("/export today", expect=lambda m: "Preparing" in text(m))
    await emu.wait_until(
        lambda: sum(m.kind == "document" for m in emu.bot_messages(OUTSIDER)) >= 2
    )
    for _ in range(500):  # until the bot has nothing left to send
        if not await clocked.bot.storage.db.fetch_value(
            "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"
        ):
            break
        await asyncio.sleep(0.01)
    names = [str(m.extra.get("file_name")) for m in emu.bot_messages(OUTSIDER)]
    assert not any(n.startswith("housing_") for n in names)
