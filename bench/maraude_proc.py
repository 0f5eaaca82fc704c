"""Maraude as `maraude run` starts it, with Telegram's pacing lifted (`bench.bench_side_by_side`).

`python -m bench.maraude_proc` reads its settings from the environment like `maraude run`.
The emulator's flood limits are lifted for the benchmark; the bot also paces itself (30
messages a second for the whole bot, in its sender and in PTB's AIORateLimiter), which would
make every figure 30/s. Both are lifted here, and only here: the figure is the bot's own
handling capacity (inbox → handler → commit → outbox → sendMessage), the same path otherwise.
`--paced` keeps them.
"""

from __future__ import annotations

import sys
from typing import Any

from telegram.ext import AIORateLimiter

import bot.app
from bot.__main__ import main as maraude_main
from bot.delivery import Delivery


def lift_pacing() -> None:
    defaults = Delivery.__init__.__kwdefaults__
    assert defaults is not None
    assert "per_second" in defaults
    defaults["per_second"] = None

    def unlimited(**kwargs: Any) -> AIORateLimiter:
        return AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=0)

    bot.app.AIORateLimiter = unlimited  # type: ignore[attr-defined,assignment]


def main() -> int:
    if "--paced" not in sys.argv[1:]:
        lift_pacing()
    return maraude_main(["run"])


if __name__ == "__main__":
    sys.exit(main())
