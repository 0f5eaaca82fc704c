"""Handler registration, in an explicit order.

Group −1: the gatekeeper runs first on every update (loads the caller, their language and
role; drops what the bot must not handle). Group 0: the features, then the fallbacks last —
PTB uses only the first matching handler of a group, so a fallback placed after every feature
in the same group answers exactly what no feature took.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.context import BotContext
from bot.handlers import fallback, public, team
from bot.handlers.errors import on_error
from bot.handlers.gate import gatekeeper

GATE_GROUP = -1
FEATURE_GROUP = 0


def register(app: Application[Any, BotContext, Any, Any, Any, Any]) -> None:
    app.add_handler(TypeHandler(Update, gatekeeper), group=GATE_GROUP)
    for handler in [*public.handlers(), *team.handlers(), *fallback.handlers()]:
        app.add_handler(handler, group=FEATURE_GROUP)
    app.add_error_handler(on_error)
