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
from bot.handlers import (
    alerts,
    broadcast,
    cards,
    catalogue,
    distributions,
    fallback,
    help_requests,
    housing,
    incident_export,
    incidents,
    info,
    inputs,
    plan_form,
    planning,
    public,
    reports,
    shifts,
    stay,
    team,
    woodcut,
)
from bot.handlers.errors import on_error
from bot.handlers.gate import gatekeeper
from bot.jobs import JobHandler, SkipHandler
from bot.services.shifts import SAFETY_JOBS

# Stored jobs by kind (see bot/jobs.py), and those that run however late the bot restarts.
JOB_HANDLERS: dict[str, JobHandler] = {
    **shifts.JOBS,
    **planning.JOBS,
    **reports.JOBS,
    **info.JOBS,
    **help_requests.JOBS,
    **alerts.JOBS,
    **incidents.JOBS,
    **incident_export.JOBS,
}
ALWAYS_RUN_JOBS = (
    SAFETY_JOBS
    | {reports.JOB_EXPORT, incident_export.JOB_INCIDENT_EXPORT}
    | help_requests.ALWAYS_RUN
    | {incidents.JOB_FORGET_READ}
)
# Long jobs that run outside any transaction (they write their results in a short one).
DETACHED_JOBS = (
    frozenset({reports.JOB_EXPORT})
    | alerts.DETACHED
    | incidents.DETACHED
    | incident_export.DETACHED
)
# What a kind does when one of its jobs is skipped as too late (recurring ones re-arm).
SKIP_HANDLERS: dict[str, SkipHandler] = {**alerts.ON_SKIP}

GATE_GROUP = -1
FEATURE_GROUP = 0


def register(app: Application[Any, BotContext, Any, Any, Any, Any]) -> None:
    app.add_handler(TypeHandler(Update, gatekeeper), group=GATE_GROUP)
    features = [
        *public.handlers(),
        *cards.handlers(),
        *team.handlers(),
        *shifts.handlers(),
        *planning.handlers(),
        *plan_form.handlers(),
        *woodcut.handlers(),
        *stay.handlers(),
        *housing.handlers(),
        *distributions.handlers(),
        *catalogue.handlers(),
        *reports.handlers(),
        *info.handlers(),
        *help_requests.handlers(),
        *alerts.handlers(),
        *broadcast.handlers(),
        # Rights-violation reports (issue 11); the export before the list.
        *incident_export.handlers(),
        *incidents.handlers(),
        # Typed text and locations after every command and button: forms waiting for them.
        *inputs.handlers(),
    ]
    for handler in [*features, *fallback.handlers()]:
        app.add_handler(handler, group=FEATURE_GROUP)
    app.add_error_handler(on_error)
