"""Help statistics for /report: counts only, and minutes to the first answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.handlers.help_requests import relay_body
from bot.services.help import percentile, summarise
from bot.services.outbox import utf16_length

T0 = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


def test_percentiles_are_nearest_rank() -> None:
    assert percentile([], 0.9) is None
    assert percentile([5.0], 0.9) == 5.0
    values = [float(v) for v in range(1, 11)]  # 1..10 minutes
    assert percentile(values, 0.9) == 9.0
    assert percentile(values, 0.5) == 5.0
    assert percentile([30.0, 1.0, 2.0], 0.9) == 30.0  # unsorted input


def test_summarise_counts_needs_and_waits_of_taken_requests_only() -> None:
    rows = [
        ("medical", T0, T0 + timedelta(minutes=2)),
        ("medical", T0, T0 + timedelta(minutes=10)),
        ("shelter", T0, None),
        ("minor", T0, T0 + timedelta(minutes=6)),
    ]
    stats = summarise(rows)
    assert stats.per_need == {"medical": 2, "shelter": 1, "minor": 1}
    assert stats.total == 4
    assert stats.taken == 3
    assert stats.median_minutes == 6.0
    assert stats.p90_minutes == 10.0
    empty = summarise([])
    assert (empty.total, empty.median_minutes, empty.p90_minutes) == (0, None, None)


def test_a_relayed_text_is_escaped_and_fits_one_message() -> None:
    body = relay_body("💬 Header:", "a <b> & c")
    assert body == "💬 Header:\na &lt;b&gt; &amp; c"
    long = relay_body("💬 Header:", "&" * 4000)  # 20000 characters once escaped
    assert utf16_length(long) <= 3800
    assert long.endswith("…")
    assert "&amp" in long
    assert not long.removesuffix("…").endswith("&am")
