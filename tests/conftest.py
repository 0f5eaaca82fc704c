"""Shared fixtures: a real SQLite file per test, and a clock moved by hand."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import Storage
from tests.helpers.clock import FakeClock

# As MaraudeBot does at start-up: PTB 22 warns about RetryAfter otherwise, and tests treat
# warnings as errors.
os.environ.setdefault("PTB_TIMEDELTA", "1")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    store = Storage(tmp_path / "test.sqlite3")
    await store.open()
    yield store
    await store.close()
