"""`make bench` runs end to end on a tiny load (issue 13). Its figures are never asserted: the
benchmark is run by hand, on a quiet machine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.bench_side_by_side import MIXES, PUBLIC_BASE, VOLUNTEER_BASE, scripts

ROOT = Path(__file__).resolve().parents[2]


def test_the_scripts_give_every_user_its_turn_and_exactly_the_updates_asked() -> None:
    for mix in MIXES:
        steps = scripts(mix, users=6, updates=20)
        assert sum(len(s) for s in steps.values()) == 20
        assert max(len(s) for s in steps.values()) - min(len(s) for s in steps.values()) <= 1
    mixed = scripts("mix", users=6, updates=60)
    assert set(mixed) == {PUBLIC_BASE + i for i in range(3)} | {
        VOLUNTEER_BASE + i for i in range(3)
    }
    assert "/shift end" in mixed[VOLUNTEER_BASE]
    assert any(not isinstance(step, str) for step in mixed[VOLUNTEER_BASE])  # guided taps


def test_the_side_by_side_benchmark_runs_both_bots_end_to_end() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.bench_side_by_side",
            *("--updates", "20", "--users", "4", "--rounds", "2"),
            *("--rows", "1000", "--people", "100", "--latency-updates", "20", "--rate", "200"),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "seeded 100 users and 1000 rows" in out
    for round_no in (1, 2):
        for bot in ("echo", "maraude"):
            for mix in MIXES:
                assert f"round {round_no} {bot} {mix}: " in out
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert [row.split(" | ")[0] for row in rows[1:]] == [f"| {mix}" for mix in MIXES]
    assert "start-up (process start → first getUpdates)" in out
    assert "VmRSS after start-up" in out
