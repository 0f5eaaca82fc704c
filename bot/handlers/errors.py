"""The one error handler: record the failure; the runtime rolls back and apologises."""

from __future__ import annotations

import logging

from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext, current_scope

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Hand a handler's exception to the runtime, or log a job's failure."""
    error = context.error
    if error is None:
        return
    scope = current_scope.get()
    if scope is not None:
        # The update's transaction is still open; the runtime rolls it back, then apologises.
        # The first error is the cause; later groups would only fail because of it.
        if scope.error is None:
            scope.error = error
        raise ApplicationHandlerStop
    log.error("error outside an update", exc_info=(type(error), error, error.__traceback__))
