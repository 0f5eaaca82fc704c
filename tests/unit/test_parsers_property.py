"""Every parser of what people type, fed anything: a value, or a refusal they can read.

Random text alone rarely looks like a date, so each property also draws near-valid strings
(the right shape with any digits, real dates from year 1 to 9999, times past 23:59) where the
edge cases live. A refusal must carry a code the handlers translate (`ERRORS`): anything else
would reach the person as the generic apology and the admins as an error report.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.callbacks import CallbackData
from bot.handlers.common import ERRORS
from bot.services.catalogue import Catalogue, load_content
from bot.services.distributions import MAX_QUANTITY, DistributionService, parse_quantity
from bot.services.errors import DomainError
from bot.services.planning import MAX_NEEDED, parse_needed, parse_span
from bot.services.reports import MAX_SPAN, parse_period
from bot.services.shifts import ACTIVITIES, parse_activity
from bot.services.timeparse import (
    MAX_YEAR,
    MIN_YEAR,
    at_local,
    month_bounds,
    next_occurrence,
    parse_clock,
    parse_date,
    parse_month,
)
from bot.storage.interface import Store
from bot.storage.models import Item, Place
from tests.helpers.clock import FakeClock

# Fast enough for every run, and no deadline: a slow CI machine must not turn flaky.
PROPERTY = settings(max_examples=200, deadline=None)

PARIS = ZoneInfo("Europe/Paris")
# Paris, and zones whose clocks change by 30 minutes, sit 14 hours ahead, never change, or
# skipped a whole day (Apia, 30 December 2011).
ZONE_LIST = [
    PARIS,
    ZoneInfo("Australia/Lord_Howe"),
    ZoneInfo("Pacific/Kiritimati"),
    ZoneInfo("America/St_Johns"),
    ZoneInfo("Pacific/Apia"),
    ZoneInfo("UTC"),
]
ZONES = st.sampled_from(ZONE_LIST)
# "Now", as the bot's clock may give it.
# Hypothesis takes naive bounds and makes the values aware itself.
NOWS = st.datetimes(
    min_value=datetime(MIN_YEAR, 1, 2),  # noqa: DTZ001
    max_value=datetime(MAX_YEAR, 12, 30),  # noqa: DTZ001
    timezones=st.just(UTC),
)
TODAYS = st.dates(min_value=date(MIN_YEAR, 1, 1), max_value=date(MAX_YEAR, 12, 31))
ANY_DATE = st.dates(min_value=date.min, max_value=date.max)


def clock_changes() -> list[tuple[ZoneInfo, datetime]]:
    """Every instant the clocks of ZONE_LIST change between 2000 and 2100, to the second:
    random instants would almost never fall on the hours where the edge cases live."""
    found = []
    for tz in ZONE_LIST:
        moment = datetime(MIN_YEAR, 1, 1, tzinfo=UTC)
        while moment.year <= MAX_YEAR:
            following = moment + timedelta(days=7)
            if moment.astimezone(tz).utcoffset() != following.astimezone(tz).utcoffset():
                before, after = moment, following
                while after - before > timedelta(seconds=1):
                    middle = before + (after - before) // 2
                    if middle.astimezone(tz).utcoffset() == before.astimezone(tz).utcoffset():
                        before = middle
                    else:
                        after = middle
                found.append((tz, after))
            moment = following
    return found


CHANGES = st.sampled_from(clock_changes())
# A zone and a wall time within two hours of one of its clock changes.
WALLS_NEAR_CHANGES = st.builds(
    lambda change, minutes: (
        change[0],
        change[1].astimezone(change[0]).replace(tzinfo=None) + timedelta(minutes=minutes),
    ),
    CHANGES,
    st.integers(-120, 120),
)
# A zone, an instant from a day before one of its clock changes to two hours after, and a
# time of day within an hour and a half of the change.
NOWS_AND_CLOCKS_NEAR_CHANGES = st.builds(
    lambda change, before, minutes: (
        change[0],
        change[1] + timedelta(minutes=before),
        (change[1].astimezone(change[0]) + timedelta(minutes=minutes)).time().replace(second=0),
    ),
    CHANGES,
    st.integers(-26 * 60, 120),
    st.integers(-90, 90),
)

DIGITS = "0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹²"
SPACE = st.sampled_from(["", " ", "\n", "\t"])


def near(*patterns: str) -> st.SearchStrategy[str]:
    """Strings of a given shape, ASCII digits or any, with stray space around."""
    shaped = st.one_of(*(st.from_regex(p, fullmatch=True) for p in patterns))
    return st.builds(lambda a, s, b: a + s + b, SPACE, shaped, SPACE)


CLOCK_TEXTS = st.one_of(
    st.text(max_size=12),
    near(r"[0-9]{1,3}[:hH.][0-9]{1,3}", r"\d{1,2}:\d{2}", r"-?[0-9]{1,2}:[0-9]{2}"),
    st.times().map(lambda t: t.strftime("%H:%M")),
    st.builds(lambda h, m: f"{h}:{m:02d}", st.integers(0, 99), st.integers(0, 99)),
)
DATE_TEXTS = st.one_of(
    st.text(max_size=24),
    near(
        r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}",
        r"\d{4}-\d{2}(-\d{2})?",
        r"[0-9]{1,2}/[0-9]{1,2}(/[0-9]{4})?",
        r"\d{1,2}/\d{1,2}(/\d{4})?",
    ),
    ANY_DATE.map(date.isoformat),
    ANY_DATE.map(lambda d: d.strftime("%d/%m/") + f"{d.year:04d}"),
    ANY_DATE.map(lambda d: d.strftime("%d/%m")),
)
MONTH_TEXTS = st.one_of(
    st.text(max_size=12),
    near(r"[0-9]{4}-[0-9]{1,2}", r"\d{4}-\d{1,2}", r"[0-9]{1,6}-[0-9]{1,3}"),
    ANY_DATE.map(lambda d: d.isoformat()[:7]),
)
PERIOD_TEXTS = st.one_of(
    st.none(),
    MONTH_TEXTS,
    DATE_TEXTS,
    st.sampled_from(["today", "week", "month", " Month ", "TODAY"]),
    near(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\.\.[0-9]{4}-[0-9]{2}-[0-9]{2}", r"\d{4}-\d{2}-\d{2}\.\.\S+"),
    st.builds(lambda a, b: f"{a.isoformat()}..{b.isoformat()}", ANY_DATE, ANY_DATE),
    st.builds(
        lambda a, days: f"{a.isoformat()}..{(a + timedelta(days=days)).isoformat()}",
        TODAYS,
        st.integers(-2, 400),
    ),
)
NUMBER_TEXTS = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=DIGITS + "+-_.,eExX ", max_size=12),
    st.integers().map(str),
    st.integers(min_value=0, max_value=20_000).map(lambda n: f"{n}x"),
    st.just("9" * 5000),  # int() refuses strings past 4300 digits
)


def refused_clearly(error: DomainError, *codes: str) -> None:
    """A refusal the person reads as a sentence: a code the handlers translate (the one the
    parser is meant to give, when it is known), with the typed value as text."""
    assert error.code in ERRORS, error.code
    if codes:
        assert error.code in codes, error.code
    if "value" in error.params:
        assert isinstance(error.params["value"], str)


@PROPERTY
@given(CLOCK_TEXTS)
def test_parse_clock(text: str) -> None:
    try:
        found = parse_clock(text)
    except DomainError as error:
        refused_clearly(error, "bad_time")
    else:
        assert isinstance(found, time)


@PROPERTY
@given(DATE_TEXTS, TODAYS)
def test_parse_date(text: str, today: date) -> None:
    try:
        found = parse_date(text, today)
    except DomainError as error:
        refused_clearly(error, "bad_date")
    else:
        assert MIN_YEAR <= found.year <= MAX_YEAR


@PROPERTY
@given(MONTH_TEXTS, ZONES)
@example("0000-01", PARIS)  # the far-off dates of issue 7, always tried
@example("9999-12", PARIS)
def test_parse_month_and_its_bounds(text: str, tz: ZoneInfo) -> None:
    try:
        year, month = parse_month(text)
        since, until = month_bounds(year, month, tz)
    except DomainError as error:
        refused_clearly(error, "bad_month")
    else:
        assert MIN_YEAR <= year <= MAX_YEAR
        assert 1 <= month <= 12
        assert timedelta(days=27) < until - since < timedelta(days=32)


EVENING = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


@PROPERTY
@given(PERIOD_TEXTS, NOWS, ZONES)
@example("9999-12", EVENING, PARIS)
@example("0001-01-01..0001-01-02", EVENING, PARIS)
@example("2100-12", EVENING, ZoneInfo("Pacific/Kiritimati"))
def test_parse_period(text: str | None, now: datetime, tz: ZoneInfo) -> None:
    try:
        period = parse_period(text, now, tz)
    except DomainError as error:
        refused_clearly(error, "bad_period")
    else:
        assert period.first_day <= period.last_day
        assert period.last_day - period.first_day <= MAX_SPAN
        # The instants are the local midnights that open the first day and follow the last.
        assert period.since == at_local(period.first_day, time(0), tz)
        assert period.until == at_local(period.last_day + timedelta(days=1), time(0), tz)


@PROPERTY
@given(DATE_TEXTS, st.one_of(st.text(max_size=16), near(r"\d{1,2}:\d{2}-\d{1,2}:\d{2}")), NOWS)
def test_parse_span_of_a_planned_shift(date_text: str, span_text: str, now: datetime) -> None:
    try:
        starts_at, ends_at = parse_span(date_text, span_text, now, PARIS)
    except DomainError as error:
        # A date that is no date nor a day's name lists the day words (issue 9, point 5).
        refused_clearly(error, "bad_date", "bad_plan_date", "bad_time")
    else:
        assert timedelta(0) < ends_at - starts_at <= timedelta(hours=25)


@PROPERTY
@given(ANY_DATE.map(date.isoformat), NOWS)
@example("9999-12-31", EVENING)
@example("2100-12-31", EVENING)
def test_parse_span_over_the_whole_calendar(date_text: str, now: datetime) -> None:
    # "/plan 9999-12-31 23:00-01:00 maraude" ended a day past the calendar's end (issue 7).
    for span in ("23:00-01:00", "00:00-23:59", "02:30-02:00"):
        try:
            parse_span(date_text, span, now, PARIS)
        except DomainError as error:
            refused_clearly(error)


@PROPERTY
@given(
    st.one_of(
        st.builds(lambda tz, d, t: (tz, datetime.combine(d, t)), ZONES, TODAYS, st.times()),
        WALLS_NEAR_CHANGES,
    )
)
def test_at_local_names_the_wall_time_or_the_instant_after_a_gap(
    zone_wall: tuple[ZoneInfo, datetime],
) -> None:
    tz, wall = zone_wall
    moment = at_local(wall.date(), wall.time(), tz)
    assert moment.tzinfo is UTC
    shown = moment.astimezone(tz).replace(tzinfo=None)
    if shown != wall:
        # A wall time the clocks skip: the instant they jump, which shows later, while a
        # second before it they showed a time before the skipped one.
        assert shown > wall
        assert (moment - timedelta(seconds=1)).astimezone(tz).replace(tzinfo=None) < wall
        assert (moment - timedelta(seconds=1)).astimezone(tz).utcoffset() != (
            moment.astimezone(tz).utcoffset()
        )
    elif wall.replace(tzinfo=tz, fold=1).astimezone(UTC) != moment:
        # A wall time shown twice: the first one.
        assert moment < wall.replace(tzinfo=tz, fold=1).astimezone(UTC)


@PROPERTY
@given(
    st.one_of(
        st.tuples(
            ZONES, NOWS, st.builds(time, st.integers(0, 23), st.sampled_from([0, 1, 30, 59]))
        ),
        NOWS_AND_CLOCKS_NEAR_CHANGES,
    )
)
def test_next_occurrence_is_the_next_time_the_clock_shows_it(
    zone_now_clock: tuple[ZoneInfo, datetime, time],
) -> None:
    tz, now, clock = zone_now_clock
    moment = next_occurrence(clock, now, tz)
    assert now < moment <= now + timedelta(hours=49)
    shown = moment.astimezone(tz)
    if shown.time() != clock:
        # Only where the clocks skip that time: then it is the instant after the gap.
        assert moment in (
            at_local(shown.date(), clock, tz),
            at_local(shown.date() - timedelta(days=1), clock, tz),
        )
    # Nothing earlier after now showed it: every minute between shows another time.
    step = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while step < moment:
        assert step.astimezone(tz).time() != clock
        step += timedelta(minutes=1)


@PROPERTY
@given(NUMBER_TEXTS)
@example("²")  # a digit to str.isdigit(), not to int()
def test_parse_quantity(text: str) -> None:
    found = parse_quantity(text)
    assert found is None or 1 <= found <= MAX_QUANTITY


@PROPERTY
@given(st.one_of(st.none(), NUMBER_TEXTS))
def test_parse_needed(text: str | None) -> None:
    try:
        found = parse_needed(text)
    except DomainError as error:
        refused_clearly(error, "bad_needed")
    else:
        assert 1 <= found <= MAX_NEEDED


@PROPERTY
@given(st.one_of(st.text(max_size=20), st.sampled_from(ACTIVITIES)))
def test_parse_activity(text: str) -> None:
    try:
        found = parse_activity(text)
    except DomainError as error:
        refused_clearly(error)
    else:
        assert found in ACTIVITIES


def _catalogue() -> Catalogue:
    items, places = load_content()
    return Catalogue(
        [Item(i["code"], i["unit"], n, i["names"]) for n, i in enumerate(items)],
        [
            Place(
                n,
                p["antenna"],
                p["code"],
                p["name"],
                p.get("aliases", []),
                p.get("latitude"),
                p.get("longitude"),
            )
            for n, p in enumerate(places, start=1)
        ],
    )


QUICK = DistributionService(
    cast(Store, None), FakeClock(), PARIS, (time(7), time(18), time(22)), "calais"
)
QUICK.catalogue = _catalogue()
QUICK_TEXTS = st.one_of(
    st.text(max_size=80),
    near(r"\d{1,6}x? [a-z]{2,10}( ?[,;+] ?\d{1,6} [a-z]{2,10})*( @ [A-Za-z -]{0,12})?"),
    st.builds(
        lambda n, name: f"{n} {name}",
        NUMBER_TEXTS,
        st.sampled_from(["blankets", "couvertures", "thé", "بطانية", "@", "@ Marck", ""]),
    ),
)


@PROPERTY
@given(QUICK_TEXTS)
def test_parse_quick_form_of_distrib(text: str) -> None:
    quick = QUICK.parse_quick(text, "calais")
    for line in quick.lines:
        assert line.quantity is None or 1 <= line.quantity <= MAX_QUANTITY
        assert line.problem is not None or (line.item in QUICK.catalogue.items)


@PROPERTY
@given(st.sampled_from(CallbackData.__subclasses__()), st.data())
def test_callback_data_unpacks_or_is_a_stale_button(
    kind: type[CallbackData], data: st.DataObject
) -> None:
    text = data.draw(
        st.one_of(
            st.text(max_size=64),
            st.builds(
                lambda fields: ":".join([kind.prefix, *fields]),
                st.lists(st.text(alphabet=DIGITS + "-_ab", max_size=6), max_size=5),
            ),
        )
    )
    try:
        kind.unpack(text)
    except DomainError as error:
        refused_clearly(error, "stale_button")


def _display_names() -> list[tuple[str, str]]:
    """(code, name) for every name of every item in every locale."""
    items, _ = load_content()
    return [
        (item["code"], name)
        for item in items
        for names in item["names"].values()
        for name in names
    ]


ITEM_NAMES = _display_names()
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PAIR_SEPARATORS = [
    ", ",
    " ",
    " and ",
    " et ",
    " و ",
    " và ",
    " iyo ",
    " እና ",
    "; ",
    " + ",
    "، ",
    ",\n",
    "/",
    " / ",
    ",",
]


@PROPERTY
@given(
    st.lists(
        st.tuples(st.integers(1, MAX_QUANTITY), st.sampled_from(ITEM_NAMES), st.booleans()),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(PAIR_SEPARATORS),
    st.sampled_from(["", ",", " ,", "،"]),
)
def test_typed_pairs_are_read_back_exactly(
    pairs: list[tuple[int, tuple[str, str], bool]], separator: str, trailing: str
) -> None:
    """Any items' names in any locale, with any separator (or none), any digits: every pair
    is understood, in order, with its quantity."""
    text = separator.join(
        f"{str(n).translate(ARABIC_DIGITS) if arabic else n} {name}"
        for n, (_code, name), arabic in pairs
    )
    quick = QUICK.parse_quick(text + trailing, "calais")
    assert [(line.item, line.quantity) for line in quick.lines] == [
        (code, n) for n, (code, _name), _arabic in pairs
    ], text
    assert quick.complete


@PROPERTY
@given(st.text(max_size=300))
def test_whatever_is_typed_the_log_is_whole_or_asks(text: str) -> None:
    """Never a line both understood and wrong; never more lines read than the cap and one."""
    quick = QUICK.parse_quick(text, "calais")
    assert len(quick.lines) <= 21
    for line in quick.lines:
        assert line.understood == (line.problem is None)
        if line.understood:
            assert line.item in QUICK.catalogue.items
    total = sum(n for _code, n in quick.merged())
    assert total == sum(line.quantity or 0 for line in quick.understood)
