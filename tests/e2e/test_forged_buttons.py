"""Every kind of button, forged to point at another person's records, changes nothing.

A client can send any callback data it likes (SPEC §1: callback data is never trusted). For
each kind of button of the bot — found from the subclasses of `CallbackData`, so that a new
button cannot escape this test — a forged press as a public user and as a volunteer who owns
nothing of what it points at must get a clear answer, leave the database as it was, and be
answered (the spinner on the person's button stops).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bot.callbacks import (
    AlertDelete,
    AntennaChoice,
    AuditPage,
    BroadcastAnswer,
    CallbackData,
    CatalogueCancel,
    CatalogueEdit,
    CatalogueList,
    ContentConfirm,
    DistAgain,
    DistFix,
    DistItem,
    DistMenu,
    DistPage,
    DistQty,
    DistSave,
    ForgetConfirm,
    HelpBlock,
    HelpCancel,
    HelpClose,
    HelpEnd,
    HelpNeed,
    HelpTake,
    HelpWrite,
    IncidentList,
    IncidentOpen,
    IncidentStep,
    LanguageChoice,
    MemberHours,
    MenuTopic,
    PaidUndo,
    PlanCancel,
    PlanList,
    PlanSignup,
    PlanStep,
    ReduceDecide,
    ReportPeriod,
    RoleGive,
    RoleTake,
    SafetyAnswer,
    ShiftEnd,
    ShiftStart,
    StaffNeed,
    StaffPain,
    StayCancel,
    StayChange,
    StayDecide,
    StayEnd,
    SummarySwitch,
    TeamPage,
    WoodcutPeople,
)
from bot.sandbox.emulator import BotApiEmulator, Button, ChatMessage
from bot.services.incidents import IncidentDetails
from bot.storage.models import Role
from tests.helpers.clock import FakeClock
from tests.helpers.harness import ADMIN_ID, Person, RunningBot, enrol
from tests.helpers.help import alerts, ask_for_help

VICTIM = 300
COORDINATOR = 250
OUTSIDE_COORDINATOR = 260  # coordinator of grande-synthe
PUBLIC = 777
VOLUNTEER = 400  # a volunteer of the victim's antenna, who owns none of the victim's records
# Tables the bot writes on every update whatever it does: the durable inbox and outbox.
BOOKKEEPING = {"inbox", "outbox", "message_refs", "sqlite_sequence"}
NONCE = "abcdef12"
ASKER = 310  # a person whose help request the coordinator took (a conversation is open)
OTHER_ASKER = 311  # a person of another antenna whose request nobody took yet


@dataclass(frozen=True)
class Victim:
    """Records of another person (and of another antenna) that forged buttons point at."""

    shift: int  # a night round whose "all OK?" question is open
    draft: int  # a quick log waiting for a name to be chosen
    batch: str  # a saved log
    place: int  # a place of the victim's antenna
    other_place: int  # a place of another antenna
    planned: int  # a planned shift of the victim's antenna
    other_planned: int  # a planned shift of another antenna
    help: int  # another person's help request, taken by a coordinator, conversation open
    other_help: int  # a help request of another antenna, open
    plan_form: int  # the coordinator's guided /plan, at its confirmation
    plan_nonce: str
    broadcast: int = 0  # the coordinator's /broadcast preview, waiting for ✅ Send
    incident: int = 0  # the victim's /incident draft, at its "when?" step (issue 11)
    incident_nonce: str = NONCE
    report: int = 0  # the victim's filed report
    stay: int = 0  # the victim's confirmed stay at the house (issue 12)
    waiting_stay: int = 0  # another person's stay waiting for a coordinator
    reduction: int = 0  # the victim's open reduction request
    payment: int = 0  # a payment recorded for the victim by the coordinator


Builder = Callable[[Victim, Role], list[CallbackData]]


def _public_or(public: list[CallbackData], volunteer: list[CallbackData]) -> Builder:
    return lambda _victim, presser: public if presser is Role.PUBLIC else volunteer


# For each kind, what a forger would send. Kinds that name no record of anyone (the language,
# a menu topic, the guided form's first steps) act on the presser alone: their forged form is a
# role the presser does not have, or a value the bot never offers.
FORGED: dict[type[CallbackData], Builder] = {
    LanguageChoice: lambda _v, _p: [LanguageChoice("xx")],
    # (A few of the coordinators' topics: more presses would outrun the flood limit; all of
    # them are refused to a demoted coordinator in test_coordinator_forms.py.)
    MenuTopic: _public_or(
        [
            MenuTopic(topic)
            for topic in ("distrib", "shift", "planning", "hours", "nope", "plan", "invite")
        ],
        [MenuTopic(topic) for topic in ("nope", "report", "export")],
    ),
    # Periods of a report: a coordinator's, whatever the period.
    ReportPeriod: lambda _v, _p: [ReportPeriod("month"), ReportPeriod("nope")],
    # The coordinator's own form, answered, confirmed or cancelled by someone else.
    PlanStep: lambda v, _p: [
        PlanStep(v.plan_form, v.plan_nonce, "ok", ""),
        PlanStep(v.plan_form, v.plan_nonce, "x", ""),
        PlanStep(v.plan_form, v.plan_nonce, "date", "2026-12-05"),
        PlanStep(v.plan_form, NONCE, "ok", ""),
    ],
    # Sets the presser's own town: an unknown town or topic must change nothing.
    AntennaChoice: lambda _v, _p: [
        AntennaChoice("atlantis", "health"),
        AntennaChoice("calais", "x"),
        AntennaChoice("calais", "staff.pain.gold"),
        AntennaChoice("calais", "staff.nope"),
    ],
    # "✅ still true" by a public user or a volunteer, or for another antenna: refused.
    ContentConfirm: lambda _v, _p: [
        ContentConfirm("calais", "calais", "hospital"),
        ContentConfirm("grande-synthe", "grande-synthe", "pass"),
        ContentConfirm("calais", "common", "nope"),
    ],
    # The confirmed erasure only ever erases the presser: not a forgery; "no" must change nothing.
    ForgetConfirm: lambda _v, _p: [ForgetConfirm(confirmed=False)],
    ShiftStart: _public_or([ShiftStart("maraude")], [ShiftStart("swimming")]),
    # Ends the presser's own shift: never the victim's, whoever presses it.
    ShiftEnd: lambda _v, _p: [ShiftEnd()],
    SafetyAnswer: lambda v, _p: [SafetyAnswer(v.shift, a) for a in ("ok", "extend", "help")],
    PlanSignup: lambda v, presser: [
        PlanSignup(v.other_planned, "post"),
        PlanSignup(v.other_planned, "list"),
        *([PlanSignup(v.planned, "post")] if presser is Role.PUBLIC else []),
    ],
    PlanCancel: lambda v, _p: [
        PlanCancel(v.planned, confirmed=False),
        PlanCancel(v.planned, confirmed=True),
        PlanCancel(v.other_planned, confirmed=True),
    ],
    PlanList: _public_or([PlanList()], [PlanList()]),
    DistItem: _public_or([DistItem("blankets", more=False)], [DistItem("gold", more=True)]),
    DistQty: _public_or(
        [DistQty("blankets", 40, NONCE)],
        [
            DistQty("gold", 5, NONCE),
            DistQty("blankets", 0, NONCE),
            DistQty("blankets", 10_001, NONCE),
        ],
    ),
    DistSave: lambda v, presser: [
        DistSave("blankets", 40, v.other_place, NONCE),
        DistSave("blankets", 0, 0, NONCE),
        DistSave("gold", 5, v.place, NONCE),
        *([DistSave("blankets", 40, v.place, NONCE)] if presser is Role.PUBLIC else []),
    ],
    DistAgain: lambda v, _p: [DistAgain(v.batch, NONCE)],
    DistFix: lambda v, _p: [
        # The victim's open question is question 0: the draft's owner is checked before it.
        DistFix(v.draft, 0, "x", ""),
        DistFix(v.draft, 0, "i", "blankets"),
        DistFix(v.draft, 0, "n", ""),
        DistFix(v.draft, 0, "p", str(v.place)),
        # "q" and "o" go the way of "i" and "s" (the draft's owner is checked first); more cases
        # here burst past the emulator's 30 messages a second, which the fake clock never
        # waits out.
        DistFix(v.draft, 0, "s", ""),
        DistFix(v.draft, 0, "m", "0"),
    ],
    DistMenu: _public_or([DistMenu()], [DistMenu()]),
    DistPage: _public_or([DistPage(1)], [DistPage(-1), DistPage(99)]),
    # Listing is allowed to volunteers: a kind of list the bot never offers, or the public.
    CatalogueList: _public_or(
        [CatalogueList("p", retired=False, page=0)],
        [CatalogueList("x", retired=False, page=0), CatalogueList("i", retired=True, page=-1)],
    ),
    # Renaming, retiring and restoring are for coordinators (of the place's antenna) only.
    CatalogueEdit: lambda v, _p: (
        [
            CatalogueEdit("p", action, str(place), 0)
            for action in ("n", "r", "u")
            for place in (v.place, v.other_place)
        ]
        + [CatalogueEdit("i", "r", "blankets", 0), CatalogueEdit("x", "r", "1", 0)]
    ),
    # Cancels the presser's own wait for a typed name: nothing is waiting.
    CatalogueCancel: lambda _v, _p: [CatalogueCancel()],
    # Choosing one's own need is no forgery; a need the bot never offers must change nothing.
    HelpNeed: lambda _v, _p: [HelpNeed("gold")],
    HelpCancel: lambda v, _p: [HelpCancel(v.help), HelpCancel(v.other_help), HelpCancel(999)],
    # Taken already (by the coordinator), or of another antenna, or by the public.
    HelpTake: lambda v, _p: [HelpTake(v.help), HelpTake(v.other_help), HelpTake(999)],
    HelpClose: lambda v, _p: [HelpClose(v.help), HelpClose(v.other_help)],
    HelpWrite: lambda v, _p: [HelpWrite(v.help), HelpWrite(v.other_help)],
    HelpEnd: lambda v, _p: [HelpEnd(v.help), HelpEnd(v.other_help)],
    HelpBlock: lambda v, _p: [
        HelpBlock(v.help, block=True),
        HelpBlock(v.help, block=False),
        HelpBlock(v.other_help, block=True),
    ],
    # "Show this to staff" acts on the presser alone: only needs and body parts never offered.
    StaffNeed: lambda _v, _p: [StaffNeed("nope"), StaffNeed("")],
    StaffPain: lambda _v, _p: [StaffPain("gold"), StaffPain("")],
    # Roles and the team list are for coordinators (of the person's antenna) and admins only.
    RoleGive: lambda _v, _p: [
        RoleGive(VICTIM, "legal", "volunteer"),
        RoleGive(VICTIM, "coordinator", "volunteer"),
        RoleGive(VICTIM, "", "volunteer"),
        RoleGive(COORDINATOR, "volunteer", "coordinator"),
        RoleGive(VICTIM, "admin", "volunteer"),
        # A role the victim no longer has (a stale button), and nonsense.
        RoleGive(VICTIM, "legal", "coordinator"),
        RoleGive(VICTIM, "legal", "nope"),
    ],
    RoleTake: lambda _v, _p: [
        RoleTake(VICTIM, "volunteer", sure=True),
        RoleTake(VICTIM, "volunteer", sure=False),
        RoleTake(COORDINATOR, "coordinator", sure=True),
        RoleTake(VICTIM, "nope", sure=True),
    ],
    MemberHours: lambda _v, _p: [MemberHours(VICTIM), MemberHours(COORDINATOR)],
    TeamPage: lambda _v, _p: [TeamPage(0), TeamPage(-1), TeamPage(99)],
    # Alerts and the weekly summary are for coordinators (of that antenna) and admins only.
    AlertDelete: lambda _v, _p: [AlertDelete(1), AlertDelete(999)],
    SummarySwitch: lambda _v, _p: [
        SummarySwitch("calais", on=False),
        SummarySwitch("calais", on=True),
        SummarySwitch("grande-synthe", on=False),
        SummarySwitch("nope", on=False),
    ],
    # Who comes to a wood-cutting session: a coordinator's, whatever the session (the
    # coordinator of another antenna is refused in tests/e2e/test_woodcut.py).
    WoodcutPeople: lambda v, _p: [
        WoodcutPeople(v.planned),
        WoodcutPeople(v.other_planned),
        WoodcutPeople(999),
    ],
    # The coordinator's broadcast preview, sent or cancelled by someone else; no such preview.
    BroadcastAnswer: lambda v, _p: [
        BroadcastAnswer(v.broadcast, send=True),
        BroadcastAnswer(v.broadcast, send=False),
        BroadcastAnswer(999, send=True),
    ],
    # The victim's report being written, answered, cancelled or filed by someone else; no such
    # draft; a stale nonce.
    IncidentStep: lambda v, _p: [
        IncidentStep(v.incident, v.incident_nonce, "when", "now"),
        IncidentStep(v.incident, v.incident_nonce, "x", ""),
        IncidentStep(v.incident, v.incident_nonce, "consent", "1"),
        IncidentStep(v.incident, NONCE, "kind", "police"),
        IncidentStep(999, NONCE, "review", "ok"),
    ],
    # Listing one's own reports is a volunteer's right (and audited): forged, a kind or period
    # the bot never offers; the public may list nothing.
    IncidentList: _public_or(
        [IncidentList("", "all", 0)],
        [IncidentList("nope", "all", 0), IncidentList("", "nope", 0)],
    ),
    # The victim's filed report, read by someone who is neither its reporter nor entitled.
    IncidentOpen: lambda v, _p: [IncidentOpen(v.report), IncidentOpen(999)],
    AuditPage: lambda _v, _p: [AuditPage(999_999), AuditPage(1)],
    # Housing (issue 12): the victim's own stay changed, ended or cancelled by someone else;
    # decisions and undos that are for the coordinators of the antenna and admins only.
    StayChange: lambda v, _p: [
        StayChange(v.stay, "20261001", "20261230", ok=True),
        StayChange(v.stay, "2026", "x", ok=True),
        StayChange(999, "20261201", "20261230", ok=True),
    ],
    StayEnd: lambda v, _p: [StayEnd(v.stay, ok=True), StayEnd(999, ok=True)],
    StayCancel: lambda v, _p: [StayCancel(v.stay, ok=True), StayCancel(v.waiting_stay, ok=True)],
    StayDecide: lambda v, _p: [
        StayDecide(v.waiting_stay, accept=True),
        StayDecide(v.waiting_stay, accept=False),
        StayDecide(999, accept=True),
    ],
    ReduceDecide: lambda v, _p: [
        *(ReduceDecide(v.reduction, kind) for kind in ("waived", "half", "amount", "refused")),
        ReduceDecide(v.reduction, "nope"),
        ReduceDecide(999, "waived"),
    ],
    PaidUndo: lambda v, _p: [PaidUndo(v.payment), PaidUndo(999)],
}


def is_help(message: ChatMessage) -> bool:
    return "send a command" in (message.text or "")


def button_kinds() -> list[type[CallbackData]]:
    """Every kind of callback data of the bot (the harness imports all of it), however deep
    its class; the tests' own samples are not buttons of the bot."""
    found: list[type[CallbackData]] = []
    pending = list(CallbackData.__subclasses__())
    while pending:
        kind = pending.pop(0)
        if kind.__module__.split(".")[0] == "bot":
            found.append(kind)
        pending.extend(kind.__subclasses__())
    return found


def test_every_kind_of_button_has_a_forged_case() -> None:
    missing = [kind.__name__ for kind in button_kinds() if kind not in FORGED]
    assert missing == [], f"add a forged case to FORGED for {missing}"


async def snapshot(running: RunningBot) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the inbox and outbox bookkeeping."""
    db = running.bot.storage.db
    tables = await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
    state: dict[str, list[tuple[Any, ...]]] = {}
    for (name,) in tables:
        if name in BOOKKEEPING:
            continue
        rows = await db.fetch_all(f'SELECT * FROM "{name}"')
        state[name] = sorted((tuple(row) for row in rows), key=repr)
    return state


async def victim_records(
    emu: BotApiEmulator,
    running: RunningBot,
    clock: FakeClock,
    *,
    with_help: bool = True,
    with_plan_form: bool = True,
    with_broadcast: bool = False,
    with_incident: bool = False,
    with_housing: bool = False,
) -> tuple[Victim, Any]:
    """The victim's open records, made through the bot as the victim would make them (help
    requests only for the help buttons: no other button reaches them, and they take time)."""
    victim = await enrol(emu, running, VICTIM, "Vic", Role.VOLUNTEER)
    coordinator = await enrol(emu, running, COORDINATOR, "Claire", Role.COORDINATOR)
    outsider = await enrol(
        emu, running, OUTSIDE_COORDINATOR, "Gus", Role.COORDINATOR, antenna="grande-synthe"
    )
    await victim.say("/distrib 10 tea @ Marck")
    await coordinator.say("/plan 2026-12-05 21:00-23:00 maraude 3")
    await outsider.say("/plan 2026-12-05 21:00-23:00 maraude 3")
    await coordinator.say("/alert daily 08:00 Tea")  # alert 1, of Calais
    await victim.say("/shift start maraude 21:30")
    clock.advance(hours=1)  # 22:00 in Paris: "all OK?" is asked
    await running.bot.jobs.fire_due()
    await emu.wait_until(lambda: "🌙" in (emu.last_bot_message(VICTIM).text or ""))
    await victim.say("/distrib 40 blanketz")  # waits for the victim to choose the item
    if with_plan_form:
        await plan_to_confirmation(coordinator)
    if with_help:
        await help_records(emu, running, clock, coordinator)
    if with_broadcast:
        await coordinator.say("/broadcast volunteers Meeting at 18:00")
    if with_incident:
        form = await victim.say("/incident", expect=lambda m: "What happened" in (m.text or ""))
        await victim.press(form, "Tear gas")
    storage = running.bot.storage
    catalogue = running.bot.services.distributions.catalogue
    planned = await storage.db.fetch_all("SELECT id, antenna FROM planned_shifts")
    shift = await storage.shifts.running(VICTIM)
    draft = await storage.drafts.latest(VICTIM, "quick")
    plan_form = await storage.drafts.latest(COORDINATOR, "plan")
    assert plan_form is not None or not with_plan_form
    assert plan_form is None or plan_form.payload["step"] == "confirm"
    last = await storage.distributions.last_batch(VICTIM)
    assert shift is not None
    assert shift.safety_state == "asked"
    assert draft is not None
    assert last
    records = Victim(
        shift=shift.id,
        draft=draft.id,
        batch=last[0].batch,
        place=next(p.id for p in catalogue.places_of("calais")),
        other_place=next(p.id for p in catalogue.places_of("grande-synthe")),
        planned=next(row[0] for row in planned if row[1] == "calais"),
        other_planned=next(row[0] for row in planned if row[1] == "grande-synthe"),
        help=1,
        other_help=2,
        plan_form=plan_form.id if plan_form else 0,
        plan_nonce=str(plan_form.payload["nonce"]) if plan_form else NONCE,
        broadcast=await broadcast_draft(running) if with_broadcast else 0,
        **(await incident_draft(running) if with_incident else {}),
        **(await housing_records(running) if with_housing else {}),
    )
    return records, victim


async def housing_records(running: RunningBot) -> dict[str, Any]:
    """The victim's stay (40 nights so far) with an open reduction request and a payment,
    and the coordinator's stay waiting on a full night (issue 12)."""
    housing = running.bot.storage.housing
    now = running.bot.clock.now()
    stay = await housing.add_stay(
        VICTIM, "calais", "calais", date(2026, 10, 22), date(2026, 12, 20), "confirmed", now
    )
    waiting = await housing.add_stay(
        COORDINATOR, "calais", "calais", date(2026, 12, 5), date(2026, 12, 8), "waiting", now
    )
    reduction = await housing.add_reduction(stay, VICTIM, "", now)
    payment, _ = await housing.add_payment(VICTIM, stay, Decimal("20"), COORDINATOR, NONCE, now)
    return {"stay": stay, "waiting_stay": waiting, "reduction": reduction, "payment": payment.id}


async def incident_draft(running: RunningBot) -> dict[str, Any]:
    storage = running.bot.storage
    draft = await storage.incidents.draft_of(VICTIM)
    assert draft is not None
    reporter = await storage.users.get(VICTIM)
    assert reporter is not None
    row = await running.bot.services.incidents.file(
        reporter,
        kind="police",
        occurred_at=running.bot.clock.now(),
        details=IncidentDetails(description=["forged-button target"]),
        name_reporter=False,
    )
    return {"incident": draft.id, "incident_nonce": draft.nonce, "report": row.id}


async def broadcast_draft(running: RunningBot) -> int:
    draft = await running.bot.storage.drafts.latest(COORDINATOR, "broadcast")
    assert draft is not None
    return draft.id


async def plan_to_confirmation(coordinator: Person) -> None:
    """The coordinator's guided /plan, left at "Plan this shift?"."""
    form = await coordinator.say("/plan")
    for label in ("Tomorrow", "18:00–21:00", "Distribution", "2", "No place"):
        form = await coordinator.press(form, label)


async def help_records(
    emu: BotApiEmulator, running: RunningBot, clock: FakeClock, coordinator: Person
) -> None:
    """Request 1: Calais, taken by the coordinator, who wrote; request 2: another antenna."""
    for asker, antenna in ((ASKER, "calais"), (OTHER_ASKER, "grande-synthe")):
        # A second on both clocks: the burst stays under the emulator's 30 messages a second.
        clock.advance(seconds=2)
        await asyncio.sleep(1.05)
        emu.add_user(asker, "Asker", language_code="ar", username=f"asker{asker}")
        await ask_for_help(emu, running, Person(emu, asker), antenna=antenna)
    clock.advance(seconds=2)
    await asyncio.sleep(1.05)
    # The coordinator takes the Calais request and writes: a conversation is open.
    answers = len(emu.callback_answers)
    await emu.press(COORDINATOR, alerts(emu)[-1], "hlpt:1")
    await emu.wait_until(lambda: len(emu.callback_answers) > answers)
    await coordinator.say("/reply 1")
    await coordinator.say("On arrive.")


@pytest.mark.parametrize("kind", button_kinds(), ids=lambda kind: kind.__name__)
async def test_a_forged_button_of_every_kind_changes_nothing(
    emu: BotApiEmulator, clocked: RunningBot, clock: FakeClock, kind: type[CallbackData]
) -> None:
    # Dozens of presses and answers a second: Telegram's flood limits would postpone an answer
    # by a second of the fake clock, which never moves here (the test then times out on a fast
    # machine). What is tested is who may press what; the limits have their own tests.
    emu.limits.global_per_second = None
    emu.limits.per_chat_per_second = None
    emu.limits.per_group_per_minute = None
    records, _ = await victim_records(
        emu,
        clocked,
        clock,
        with_help=kind.__name__.startswith("Help"),
        with_plan_form=kind is PlanStep,
        with_broadcast=kind is BroadcastAnswer,
        with_incident=kind in (IncidentStep, IncidentOpen, AuditPage),
        with_housing=kind in (StayChange, StayEnd, StayCancel, StayDecide, ReduceDecide, PaidUndo),
    )
    pressers = {
        Role.PUBLIC: await enrol(emu, clocked, PUBLIC, "Someone", Role.PUBLIC),
        Role.VOLUNTEER: await enrol(emu, clocked, VOLUNTEER, "Vera", Role.VOLUNTEER),
    }
    for presser in pressers.values():
        await presser.say("/help")  # the first update after enrolment syncs the command menu
    builder = FORGED[kind]  # a kind without a case fails the test above, and here
    admin_messages = len(emu.bot_messages(ADMIN_ID))
    for role, presser in pressers.items():
        for data in builder(records, role):
            packed = data.pack()
            before = await snapshot(clocked)
            # The client sends whatever data it likes: put it on the presser's last message.
            message = presser.last()
            message.keyboard = [[Button(text="forged", callback_data=packed)]]
            edits, sent = message.edits, len(emu.bot_messages(presser.id))
            answers = len(emu.callback_answers)
            update_id = await emu.press(presser.id, message, packed)
            await emu.wait_until(lambda: len(emu.callback_answers) > answers)  # noqa: B023
            # Updates are handled in order: once /help is answered, the press was too.
            await presser.say("/help", expect=is_help)
            where = f"{kind.__name__} {packed!r} pressed by a {role.value}"
            outcomes = await clocked.bot.storage.inbox.outcomes()
            assert outcomes[update_id] != "error", f"{where}: the bot crashed"
            answer = list(emu.callback_answers.values())[answers]
            told = bool(answer.get("text")) or message.edits > edits
            told = told or len(emu.bot_messages(presser.id)) > sent + 1  # more than /help's
            assert told, f"{where}: no answer the person can read"
            assert await snapshot(clocked) == before, f"{where}: the database changed"
    assert len(emu.bot_messages(ADMIN_ID)) == admin_messages  # no error report either
