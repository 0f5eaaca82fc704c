from __future__ import annotations

import dataclasses
from typing import ClassVar

import pytest

from bot.callbacks import (
    CallbackData,
    CallbackDataError,
    ForgetConfirm,
    LanguageChoice,
    StaleButton,
)


@dataclasses.dataclass(frozen=True)
class Sample(CallbackData):
    prefix: ClassVar[str] = "s"
    label: str
    count: int
    flag: bool


def test_round_trip() -> None:
    data = Sample("abc", 42, True).pack()
    assert data == "s:abc:42:1"
    assert Sample.unpack(data) == Sample("abc", 42, True)
    assert Sample.pattern().match(data)
    assert not LanguageChoice.pattern().match(data)


def test_data_over_64_bytes_is_refused_when_packed() -> None:
    # 40 Arabic letters are 80 bytes: python-telegram-bot would send them and Telegram refuse.
    with pytest.raises(CallbackDataError):
        Sample("ب" * 40, 1, False).pack()
    assert len(Sample("ب" * 28, 1, False).pack().encode()) <= 64


@pytest.mark.parametrize(
    "forged", ["s:abc:x:1", "s:abc:1:2", "s:abc:1", "t:abc:1:1", "", "s:a:1:1:extra"]
)
def test_forged_or_stale_data_is_refused(forged: str) -> None:
    with pytest.raises(StaleButton) as caught:
        Sample.unpack(forged)
    assert caught.value.code == "stale_button"  # answered like any refusal, in the language


def test_separator_inside_a_value_is_refused() -> None:
    with pytest.raises(CallbackDataError):
        Sample("a:b", 1, True).pack()


def test_feature_callbacks_fit() -> None:
    assert ForgetConfirm.unpack(ForgetConfirm(False).pack()) == ForgetConfirm(False)
