"""Typed callback data: a short prefix and fields, packed within Telegram's 64-byte limit.

python-telegram-bot does not check the limit, and 40 Arabic letters already take 80 bytes, so
`pack()` refuses oversized data at the source. Unpacked data is only a claim of the client: the
handler re-checks the caller's rights every time (SPEC §1).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, ClassVar, Self, get_type_hints

from bot.services.errors import DomainError

MAX_CALLBACK_BYTES = 64
SEPARATOR = ":"


class CallbackDataError(ValueError):
    """Data that cannot be packed: a bug, caught by the tests, never a user's doing."""


class StaleButton(DomainError):
    """A pressed button whose data does not parse: an old message, or forged data."""

    def __init__(self, reason: str) -> None:
        super().__init__("stale_button")
        self.reason = reason


@dataclasses.dataclass(frozen=True)
class CallbackData:
    """Subclass as a frozen dataclass with a `prefix` and str/int/bool fields."""

    prefix: ClassVar[str]

    def pack(self) -> str:
        values = []
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            text = str(int(value)) if isinstance(value, bool) else str(value)
            if SEPARATOR in text:
                raise CallbackDataError(f"{field.name} contains {SEPARATOR!r}")
            values.append(text)
        data = SEPARATOR.join([self.prefix, *values])
        if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            raise CallbackDataError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        return re.compile(rf"^{re.escape(cls.prefix)}(:|$)")

    @classmethod
    def unpack(cls, data: str | None) -> Self:
        if data is None:
            raise StaleButton("no data")
        prefix, *values = data.split(SEPARATOR)
        fields = dataclasses.fields(cls)
        if prefix != cls.prefix or len(values) != len(fields):
            raise StaleButton(f"not a {cls.__name__}: {data!r}")
        hints = get_type_hints(cls)
        kwargs: dict[str, Any] = {}
        for field, raw in zip(fields, values, strict=True):
            kind = hints[field.name]
            try:
                if kind is bool:
                    if raw not in ("0", "1"):
                        raise ValueError(raw)
                    kwargs[field.name] = raw == "1"
                elif kind is int:
                    kwargs[field.name] = int(raw)
                else:
                    kwargs[field.name] = raw
            except ValueError:
                raise StaleButton(f"bad {field.name} in {data!r}") from None
        return cls(**kwargs)


@dataclasses.dataclass(frozen=True)
class LanguageChoice(CallbackData):
    prefix: ClassVar[str] = "lang"
    locale: str


@dataclasses.dataclass(frozen=True)
class MenuTopic(CallbackData):
    prefix: ClassVar[str] = "topic"
    topic: str


@dataclasses.dataclass(frozen=True)
class AntennaChoice(CallbackData):
    """A public user picks their antenna; `then` is the menu topic they had asked for."""

    prefix: ClassVar[str] = "ant"
    antenna: str
    then: str


@dataclasses.dataclass(frozen=True)
class ContentConfirm(CallbackData):
    """ "✅ still true" on an entry of `/content`: the antenna listed, the entry's scope (the
    antenna or `common`) and its id."""

    prefix: ClassVar[str] = "cc"
    antenna: str
    scope: str
    entry: str


@dataclasses.dataclass(frozen=True)
class ForgetConfirm(CallbackData):
    prefix: ClassVar[str] = "forget"
    confirmed: bool


@dataclasses.dataclass(frozen=True)
class ShiftStart(CallbackData):
    prefix: ClassVar[str] = "shs"
    activity: str


@dataclasses.dataclass(frozen=True)
class ShiftEnd(CallbackData):
    prefix: ClassVar[str] = "she"


@dataclasses.dataclass(frozen=True)
class SafetyAnswer(CallbackData):
    prefix: ClassVar[str] = "saf"
    shift: int
    answer: str


@dataclasses.dataclass(frozen=True)
class PlanSignup(CallbackData):
    """`view` says what the pressed message shows: the team post ("post") or a list."""

    prefix: ClassVar[str] = "pls"
    planned: int
    view: str


@dataclasses.dataclass(frozen=True)
class PlanCancel(CallbackData):
    prefix: ClassVar[str] = "plc"
    planned: int
    confirmed: bool


@dataclasses.dataclass(frozen=True)
class PlanList(CallbackData):
    prefix: ClassVar[str] = "pll"


@dataclasses.dataclass(frozen=True)
class DistItem(CallbackData):
    """Guided /distrib, step 1 → 2: the item was chosen; `more` shows other quantities."""

    prefix: ClassVar[str] = "dit"
    item: str
    more: bool


@dataclasses.dataclass(frozen=True)
class DistQty(CallbackData):
    """Step 2 → 3: the quantity was chosen; the nonce makes the final save happen once."""

    prefix: ClassVar[str] = "dqt"
    item: str
    quantity: int
    nonce: str


@dataclasses.dataclass(frozen=True)
class DistSave(CallbackData):
    """Step 3: the place was chosen (0: none) and the log is saved, once per nonce."""

    prefix: ClassVar[str] = "dsv"
    item: str
    quantity: int
    place: int
    nonce: str


@dataclasses.dataclass(frozen=True)
class DistAgain(CallbackData):
    """One tap: log again what the caller logged last."""

    prefix: ClassVar[str] = "dag"
    batch: str
    nonce: str


@dataclasses.dataclass(frozen=True)
class DistFix(CallbackData):
    """A quick log's open question answered: "i" item, "q" quantity, "o" other number (more
    numbers, or type one), "p" place, "n" no place, "s" save what was understood, "m" a page
    of items, "x" cancel. `question` is the number of the question in its log (the answers
    given before it): a second tap on an answer never answers the question that follows."""

    prefix: ClassVar[str] = "dfx"
    draft: int
    question: int
    kind: str
    value: str


@dataclasses.dataclass(frozen=True)
class DistMenu(CallbackData):
    """Back to step 1 of the guided form."""

    prefix: ClassVar[str] = "dmn"


@dataclasses.dataclass(frozen=True)
class DistPage(CallbackData):
    """Step 1 of the guided form, a further page of items (Telegram shows 100 buttons at most)."""

    prefix: ClassVar[str] = "dpg"
    page: int


@dataclasses.dataclass(frozen=True)
class CatalogueList(CallbackData):
    """/places ("p") or /items ("i") as a list, a page of it, or (`retired`) the retired ones."""

    prefix: ClassVar[str] = "catl"
    kind: str
    retired: bool
    page: int


@dataclasses.dataclass(frozen=True)
class CatalogueEdit(CallbackData):
    """A coordinator's button on one place ("p", its id) or item ("i", its code): "n" asks
    for a new name, "r" retires it, "u" restores it. `page` is the list page to show after."""

    prefix: ClassVar[str] = "cate"
    kind: str
    action: str
    key: str
    page: int


@dataclasses.dataclass(frozen=True)
class CatalogueCancel(CallbackData):
    """Stop waiting for the new name of a place or item."""

    prefix: ClassVar[str] = "catx"


@dataclasses.dataclass(frozen=True)
class HelpNeed(CallbackData):
    """ "I need help", step 1: the person chose what they need."""

    prefix: ClassVar[str] = "hlpn"
    need: str


@dataclasses.dataclass(frozen=True)
class StaffNeed(CallbackData):
    """Show this to staff: a need was chosen (its card, or the body parts for "pain")."""

    prefix: ClassVar[str] = "stn"
    need: str


@dataclasses.dataclass(frozen=True)
class HelpCancel(CallbackData):
    """The person cancels their own request."""

    prefix: ClassVar[str] = "hlpc"
    request: int


@dataclasses.dataclass(frozen=True)
class HelpTake(CallbackData):
    """A volunteer of the antenna takes a request ("I'll take it")."""

    prefix: ClassVar[str] = "hlpt"
    request: int


@dataclasses.dataclass(frozen=True)
class HelpClose(CallbackData):
    """The owner or a coordinator closes a request."""

    prefix: ClassVar[str] = "hlpx"
    request: int


@dataclasses.dataclass(frozen=True)
class HelpWrite(CallbackData):
    """The owner's next private message goes to the person."""

    prefix: ClassVar[str] = "hlpw"
    request: int


@dataclasses.dataclass(frozen=True)
class HelpEnd(CallbackData):
    """Either side ends the conversation through the bot."""

    prefix: ClassVar[str] = "hlpe"
    request: int


@dataclasses.dataclass(frozen=True)
class HelpBlock(CallbackData):
    """A coordinator blocks (or unblocks) the person behind a request."""

    prefix: ClassVar[str] = "hlpb"
    request: int
    block: bool


@dataclasses.dataclass(frozen=True)
class StaffPain(CallbackData):
    """I am in pain here: the body part was chosen."""

    prefix: ClassVar[str] = "stp"
    part: str


@dataclasses.dataclass(frozen=True)
class RoleGive(CallbackData):
    """A coordinator gives a team member a role; an empty role asks which one first. Only
    from the role shown (`current`): a button left from before someone else changed that
    person's role is stale, and changes nothing."""

    prefix: ClassVar[str] = "tmg"
    user: int
    role: str
    current: str


@dataclasses.dataclass(frozen=True)
class RoleTake(CallbackData):
    """A coordinator takes one role step from a team member, only from the role shown (`role`),
    so that a second tap takes no second step; out of the team, or the last coordinator of an
    antenna down to volunteer, only once `sure` (after a second tap that says so)."""

    prefix: ClassVar[str] = "tmt"
    user: int
    role: str
    sure: bool


@dataclasses.dataclass(frozen=True)
class MemberHours(CallbackData):
    """A coordinator looks at a team member's hours this month."""

    prefix: ClassVar[str] = "tmh"
    user: int


@dataclasses.dataclass(frozen=True)
class TeamPage(CallbackData):
    """Another page of /volunteers."""

    prefix: ClassVar[str] = "tmp"
    page: int


@dataclasses.dataclass(frozen=True)
class ReportPeriod(CallbackData):
    """The guided /report: a period was chosen (one of `keywords.PERIODS`)."""

    prefix: ClassVar[str] = "rpp"
    period: str


@dataclasses.dataclass(frozen=True)
class PlanStep(CallbackData):
    """The guided /plan: an answer to `step` of the caller's own form (a draft); the nonce makes
    the buttons of a replaced form stale. Step "ok" confirms, "x" cancels; value "t" asks to
    type the answer. Times travel as "21h00-02h00": the separator is ":"."""

    prefix: ClassVar[str] = "pgf"
    draft: int
    nonce: str
    step: str
    value: str


# Team alerts and the weekly summary (issue 10 §4–5).
@dataclasses.dataclass(frozen=True)
class AlertDelete(CallbackData):
    """🗑 on a line of /alerts: delete that alert (a coordinator of its antenna, or an admin)."""

    prefix: ClassVar[str] = "ald"
    alert: int


@dataclasses.dataclass(frozen=True)
class SummarySwitch(CallbackData):
    """The weekly summary of an antenna switched on or off (set, not toggled: a double tap
    sets the same state twice and changes nothing)."""

    prefix: ClassVar[str] = "aws"
    antenna: str
    on: bool


# --- Wood-cutting sessions (issue 10 §3) -------------------------------------------------
# Their "I'm in" is PlanSignup and their cancellation PlanCancel: a session is a planned shift.


@dataclasses.dataclass(frozen=True)
class WoodcutPeople(CallbackData):
    """ "👥 Participants" on a session's post: who comes, sent privately to a coordinator of
    its antenna (re-checked on every press)."""

    prefix: ClassVar[str] = "wcp"
    planned: int


# Issue 10, §2.
@dataclasses.dataclass(frozen=True)
class BroadcastAnswer(CallbackData):
    """✅ Send / ✖ Cancel under a broadcast's preview: the stored draft, and which."""

    prefix: ClassVar[str] = "bca"
    draft: int
    send: bool


# Rights-violation reports (issue 11).
@dataclasses.dataclass(frozen=True)
class IncidentStep(CallbackData):
    """The guided /incident: an answer to `step` of the caller's own draft; the nonce makes the
    buttons of a cancelled or filed draft stale. Step "x" cancels."""

    prefix: ClassVar[str] = "inc"
    draft: int
    nonce: str
    step: str
    value: str


@dataclasses.dataclass(frozen=True)
class IncidentList(CallbackData):
    """A page of /incidents, filtered by kind ("" for all) and period ("all", "month"...);
    what it lists is decided by the presser's role, never by the data."""

    prefix: ClassVar[str] = "inl"
    kind: str
    period: str
    page: int


@dataclasses.dataclass(frozen=True)
class IncidentOpen(CallbackData):
    """🔎 on a line of /incidents: the report in full, if the presser may read it (audited)."""

    prefix: ClassVar[str] = "ino"
    incident: int


@dataclasses.dataclass(frozen=True)
class AuditPage(CallbackData):
    """Older entries of /audit, before an entry id (coordinators of the antenna, admins)."""

    prefix: ClassVar[str] = "aup"
    before: int


# --- Volunteer housing (issue 12) ------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class StayChange(CallbackData):
    """✅ / ✖ under "change your stay?": the stay and the new dates (YYYYMMDD), re-checked
    on press (the presser's own stay, still current, house re-counted)."""

    prefix: ClassVar[str] = "hsc"
    stay: int
    arrival: str
    departure: str
    ok: bool


@dataclasses.dataclass(frozen=True)
class StayEnd(CallbackData):
    """✅ / ✖ under "leave today?" (`/stay end`): the presser's own ongoing stay."""

    prefix: ClassVar[str] = "hse"
    stay: int
    ok: bool


@dataclasses.dataclass(frozen=True)
class StayCancel(CallbackData):
    """✅ / ✖ under "cancel your stay?" (`/stay cancel`): the presser's own coming stay."""

    prefix: ClassVar[str] = "hsx"
    stay: int
    ok: bool


@dataclasses.dataclass(frozen=True)
class StayDecide(CallbackData):
    """✅ Accept anyway / ✖ Refuse on a stay waiting because the house is full: coordinators
    of the stay's antenna and admins; the first decision wins."""

    prefix: ClassVar[str] = "hsd"
    stay: int
    accept: bool


@dataclasses.dataclass(frozen=True)
class ReduceDecide(CallbackData):
    """🆓 Waive / ½ 50 % / ✏️ Other amount / ✖ Refuse on a reduction request: `kind` is
    waived, half, amount (then the amount is typed) or refused; coordinators of the stay's
    antenna and admins; the first decision wins."""

    prefix: ClassVar[str] = "hrd"
    reduction: int
    kind: str


@dataclasses.dataclass(frozen=True)
class PaidUndo(CallbackData):
    """↩️ Undo under a recorded payment: once, within 15 minutes, by a coordinator of the
    person's antenna or an admin."""

    prefix: ClassVar[str] = "hpu"
    payment: int
