"""/incidents export [period]: the PDF of a period's reports for a legal referral (issue 11).

Coordinators and the legal team of an antenna, admins. The document is built by a detached job
(photos fetched from Telegram, the PDF rendered in a worker thread), then sent protected (not
forwardable); each report in it is audited as exported in the transaction that queues it, so a
job run again after a crash never counts twice.
"""

from __future__ import annotations

import html
import secrets

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import BotContext, Services
from bot.handlers.common import error_text, refuse
from bot.handlers.reports import period_text
from bot.jobs import Commit, JobHandler
from bot.runtime import apology
from bot.services.errors import DomainError
from bot.services.numerals import numeric_words
from bot.services.reports import parse_period
from bot.storage.models import Job

JOB_INCIDENT_EXPORT = "incidents.export"
# "/incidents export …" (and "/incidents@bot export …"); the rest of /incidents is the list.
EXPORT_COMMAND = filters.Regex(r"(?i)^/incidents(@\w+)?\s+export\b")


async def export_incidents(update: Update, context: BotContext) -> None:
    """Check the request now; the document is prepared beside the bot (it may take a while)."""
    t = context.t
    services = context.services
    chat = update.effective_chat
    if chat is None:
        return
    try:
        services.incidents.check_export(context.user)
        if chat.type != "private":
            await context.reply(update, t._("ℹ️ Write to me privately for this."))
            return
        words = numeric_words(context.args or [])[1:]
        period = parse_period(
            " ".join(words) or "month", services.clock.now(), services.settings.tz
        )
    except DomainError as error:
        await refuse(update, context, error)
        return
    await services.scheduler.schedule(
        JOB_INCIDENT_EXPORT,
        f"incident-export:{context.user.id}:{secrets.token_hex(4)}",
        services.clock.now(),
        {
            "user": context.user.id,
            "period": f"{period.first_day.isoformat()}..{period.last_day.isoformat()}",
            "chat": chat.id,
            "locale": t.locale,
        },
    )
    await context.reply(update, t._("⏳ Preparing the document of the incident reports…"))


async def export_job(job: Job, services: Services) -> Commit | None:
    """Build the PDF outside any transaction; audit and queue it as the job is marked done."""
    payload = job.payload
    user = await services.users.get(int(payload["user"]))
    if user is None:
        return None
    t = services.translator(str(payload["locale"]))
    chat_id = int(payload["chat"])
    try:
        period = parse_period(str(payload["period"]), services.clock.now(), services.settings.tz)
        label = period_text(t, period)
        document = await services.incident_export.build(
            user,
            period,
            t=t,
            period_label=html.unescape(label),
            fetch=services.fetch_file,
        )
    except DomainError as error:  # no longer entitled, or the document is too large
        refusal = error_text(t, error)

        async def refuse_export() -> None:
            await services.outbox.send_text(chat_id, refusal)

        return refuse_export
    except Exception:
        async with services.storage.transaction():
            await services.outbox.send_text(chat_id, apology(t))
        raise
    if document is None:
        empty = t._(
            "📭 No incident was reported in this period ({period}): there is nothing to export.",
            period=label,
        )

        async def tell_empty() -> None:
            await services.outbox.send_text(chat_id, empty)

        return tell_empty
    caption = t.n_(
        "⚖️ {n} incident report, {period}. Confidential: do not forward.",
        "⚖️ {n} incident reports, {period}. Confidential: do not forward.",
        len(document.incidents),
        period=label,
    )
    if document.missing_photos:
        caption += "\n" + t.n_(
            "⚠️ {n} photo could not be fetched from Telegram; it is listed as missing.",
            "⚠️ {n} photos could not be fetched from Telegram; they are listed as missing.",
            document.missing_photos,
        )
    refused = t._("⚠️ Telegram refused the document of the incident reports. Try a shorter period.")

    async def send_document() -> None:
        await services.incidents.audit_exported(user, document.incidents)
        await services.outbox.send_document(
            chat_id,
            document.path,
            document.name,
            caption=caption,
            if_refused=refused,
            protect=True,
        )

    return send_document


JOBS: dict[str, JobHandler] = {JOB_INCIDENT_EXPORT: export_job}
DETACHED = frozenset({JOB_INCIDENT_EXPORT})


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    # Before bot/handlers/incidents.py's /incidents, which lists.
    return [CommandHandler("incidents", export_incidents, filters=EXPORT_COMMAND)]
