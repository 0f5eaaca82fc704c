"""Running the bot: the durable inbox, polling or webhook intake, and the outbox sender.

python-telegram-bot's own Updater confirms an update to Telegram before any handler ran, and
its webhook answers 200 once the update is queued in memory; a crash then loses updates. Here
every update is written to the `inbox` table first and confirmed only after that commit; it is
handled from the table, in the same transaction as its effects and its outgoing messages, and a
re-delivered update_id is ignored (SPEC §8).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import time
import traceback
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

from telegram import Update
from telegram.error import Conflict, NetworkError, RetryAfter, TimedOut
from telegram.request import BaseRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.context import BotApplication, Services, UpdateScope, current_scope
from bot.delivery import Delivery, retry_seconds
from bot.i18n import Translator, negotiate
from bot.storage.models import InboxEntry

log = logging.getLogger(__name__)

POLL_TIMEOUT = 25
# Telegram re-sends an unconfirmed update for 24 hours at most; keep ids twice that long.
INBOX_KEEP = timedelta(hours=48)
# An incident report left half-way (issue 11): kept a week, sealed, then forgotten.
INCIDENT_DRAFT_KEEP = timedelta(days=7)
# Finished jobs and expired invitations are kept a while for anyone looking into a problem.
HISTORY_KEEP = timedelta(days=30)
# Where a message went is kept while it may still be edited (a sign-up post, until its shift);
# a message nobody changed for this long is not edited any more.
MESSAGE_REF_KEEP = timedelta(days=60)
# A file nothing will send (the bot died before queueing it) is deleted after this long; a
# younger one may still be being written.
ORPHAN_FILE_AGE = timedelta(hours=1)
# An update still unhandled after this many start-ups is what crashes the bot: set it aside
# so that everyone else's messages get through.
POISON_AFTER_STARTS = 3
MAX_POLL_BACKOFF = 30.0
# Group commit (issue 13): the updates waiting are handled in one transaction, each in its own
# savepoint, and committed together: one fsync for the batch instead of one per update. A
# batch closes after this many updates, or once its handling took this long (wall time, not
# the injected clock), whichever comes first. Both bound how long the replies of a batch's
# first update wait for its commit, and how long a job (a safety alert) waits for the write
# lock: the worker holds it for the whole batch.
BATCH_MAX_UPDATES = 32
BATCH_MAX_SECONDS = 0.02


class _HandlerFailed(Exception):
    """Raised inside the update's transaction to roll its effects back."""


def error_kind(error: BaseException) -> str:
    """A short, stable name for an error: its type and the innermost frame of our code.

    The database wrapper is skipped: every SQL error passes through it, and unrelated bugs
    must not silence each other's reports.
    """
    frames = traceback.extract_tb(error.__traceback__)
    ours = [
        frame
        for frame in frames
        if "/bot/" in frame.filename and not frame.filename.endswith("storage/database.py")
    ]
    where = f"{ours[-1].filename.rsplit('/bot/', 1)[-1]}:{ours[-1].lineno}" if ours else "?"
    return f"{type(error).__name__} at {where}"


class Runtime:
    """Owns the inbox worker, the intake (polling or webhook) and the outbox sender."""

    def __init__(
        self,
        app: BotApplication,
        services: Services,
        delivery: Delivery,
        poll_request: BaseRequest,
    ) -> None:
        self.app = app
        # The long poll's own connection (python-telegram-bot's get_updates request).
        self.poll_request = poll_request
        self.services = services
        self.delivery = delivery
        self._inbox_ready = asyncio.Event()

    def wake_worker(self) -> None:
        self._inbox_ready.set()

    # --- handling -------------------------------------------------------------------------

    async def set_aside_poison(self) -> None:
        """Run once at start-up, before handling the leftovers of the previous run.

        Updates are handled in order, so the one that crashed the bot is the first one still
        unhandled. It gets a mark at each start-up; a clean shutdown clears the marks.
        """
        services = self.services
        async with services.storage.transaction():
            poisoned = await services.storage.inbox.count_restart(
                POISON_AFTER_STARTS, services.clock.now()
            )
            for entry in poisoned:
                log.error(
                    "update %s crashed the bot %d times; set aside",
                    entry.update_id,
                    POISON_AFTER_STARTS,
                )
                try:
                    update = Update.de_json(entry.payload, self.app.bot)
                    await self._apologise(update, UpdateScope(entry.update_id))
                except Exception:
                    # The update may be what is broken: setting it aside must not fail too.
                    log.exception("could not apologise for update %s", entry.update_id)
                await self.report_error(
                    f"update set aside after {POISON_AFTER_STARTS} crashed start-ups",
                    f"update {entry.update_id}",
                )

    async def clean_shutdown(self) -> None:
        """Nothing crashed: forget the start-up marks of the updates still waiting."""
        async with self.services.storage.transaction():
            await self.services.storage.inbox.clear_restart_marks()

    async def work_forever(self) -> None:
        """Handle inbox rows in update_id order, leftovers from before a crash first."""
        storage = self.services.storage
        await self.set_aside_poison()
        # The batch open at a crash is the first rows still unhandled: handle those one per
        # transaction, so that an update that crashes the bot again is, at the next start-up,
        # the first one unhandled, the one set_aside_poison counts (a batch would roll back
        # and leave its innocent first update counted instead).
        careful = {entry.update_id for entry in await storage.inbox.pending(BATCH_MAX_UPDATES)}
        entries: list[InboxEntry] = []
        while True:
            self._inbox_ready.clear()
            try:
                fetched = entries = await storage.inbox.pending()
                while entries:
                    first = entries[0].update_id
                    done = await self.handle_batch(entries[:1] if first in careful else entries)
                    careful.discard(first)
                    entries = entries[done:]
            except Exception:
                # The database itself failed and the batch was rolled back: wait, then try
                # the same rows again, one by one (one of them may be what fails).
                log.exception("inbox worker failed; retrying")
                careful |= {entry.update_id for entry in entries[:BATCH_MAX_UPDATES]}
                await asyncio.sleep(1)
                continue
            if not fetched:
                await self._inbox_ready.wait()

    async def handle_batch(self, entries: list[InboxEntry]) -> int:
        """Handle the first of `entries` in one transaction, each in its own savepoint, and
        commit them together; return how many were handled (at least one, at most
        BATCH_MAX_UPDATES or what BATCH_MAX_SECONDS allows).

        The inbox rows are marked in the same transaction as their effects and replies: a
        crash before the commit leaves the whole batch to be handled again, exactly once. The
        replies (and the answers to pressed buttons) are outbox rows of that transaction: the
        sender sees them, and is woken, only after the commit.
        """
        started = time.monotonic()
        handled: list[int] = []
        async with self.services.storage.transaction():
            for entry in entries:
                await self.handle(entry)
                handled.append(entry.update_id)
                if (
                    len(handled) >= BATCH_MAX_UPDATES
                    or time.monotonic() - started >= BATCH_MAX_SECONDS
                ):
                    break
            await self._closing_batch(handled)
        self.delivery.wake()
        return len(handled)

    async def _closing_batch(self, update_ids: list[int]) -> None:
        """The batch is handled and about to be committed (tests look in here)."""
        log.debug("committing %d updates", len(update_ids))

    async def handle(self, entry: InboxEntry) -> None:
        """Handle one stored update; whatever fails, the row is closed and the queue moves on.

        Inside a batch (handle_batch) its transaction is a savepoint: a failing update rolls
        back alone, and its "error" mark is written in the batch, committed with the others.
        """
        storage = self.services.storage
        scope = UpdateScope(entry.update_id)
        token = current_scope.set(scope)
        update: Update | None = None
        try:
            update = Update.de_json(entry.payload, self.app.bot)
            async with storage.transaction():
                await self.app.process_update(update)
                if scope.error is not None:
                    raise _HandlerFailed
                await self._answer_pressed_button(update, scope)
                await storage.inbox.mark_handled(entry.update_id, "ok", self.services.clock.now())
        except Exception as exc:
            if scope.error is None:
                scope.error = exc
            await self._after_failure(update, scope)
        finally:
            current_scope.reset(token)

    async def _answer_pressed_button(self, update: Update, scope: UpdateScope) -> None:
        """Stop the client's spinner even when no handler answered the press."""
        query = update.callback_query
        if query is not None and not scope.answered:
            scope.answered = True
            await self.services.outbox.answer_callback(query.id)

    async def _after_failure(self, update: Update | None, scope: UpdateScope) -> None:
        """The update's effects were rolled back: log, apologise, report, and move on."""
        error = scope.error
        assert error is not None
        # The traceback goes to the log; the message text of the update never does.
        log.error(
            "update %s failed", scope.update_id, exc_info=(type(error), error, error.__traceback__)
        )
        services = self.services
        now = services.clock.now()
        try:
            async with services.storage.transaction():
                await services.storage.inbox.mark_handled(scope.update_id, "error", now)
                if update is not None:
                    await self._apologise(update, scope)
                await self.report_error(error_kind(error), f"update {scope.update_id}")
        except Exception:
            # Even the apology failed (a broken translation, the database): close the row
            # alone, so one update never holds up everyone else's.
            log.exception("could not apologise for update %s", scope.update_id)
            async with services.storage.transaction():
                await services.storage.inbox.mark_handled(scope.update_id, "error", now)

    async def _apologise(self, update: Update, scope: UpdateScope) -> None:
        services = self.services
        sender = update.effective_user
        t = scope.t or services.translator(
            negotiate(
                None, sender.language_code if sender else None, services.settings.default_locale
            )
        )
        if update.callback_query is not None:
            await services.outbox.answer_callback(update.callback_query.id)
        chat = update.effective_chat
        if chat is not None and chat.type == "private":
            await services.outbox.send_text(chat.id, apology(t))

    async def report_error(self, kind: str, where: str) -> None:
        """Tell the admins, at most once per kind of error per ten minutes; never raises."""
        suppressed = self.services.errors.should_report(kind)
        if suppressed is None:
            return
        for admin_id in sorted(self.services.settings.admin_ids):
            try:
                admin = await self.services.users.get(admin_id)
                t = self.services.translator_for(admin)
                text = t._("⚠️ Error: {kind} ({where}).", kind=kind, where=where)
                if suppressed:
                    text += "\n" + t.n_(
                        "{n} similar error was not reported.",
                        "{n} similar errors were not reported.",
                        suppressed,
                    )
                await self.services.outbox.send_text(admin_id, text)
            except Exception:
                log.exception("could not report an error to admin %s", admin_id)

    async def prune(self) -> None:
        """Forget handled updates and sent messages past the re-delivery window, old message
        references, and files nothing will send."""
        storage = self.services.storage
        now = self.services.clock.now()
        before = now - INBOX_KEEP
        async with storage.transaction():
            updates = await storage.inbox.prune(before)
            messages = await storage.outbox.prune(before)
            await storage.drafts.prune(before)
            await storage.incidents.drafts_prune(now - INCIDENT_DRAFT_KEEP)
            await storage.distributions.prune_nonces(before)
            await storage.message_refs.prune(now - MESSAGE_REF_KEEP)
            await storage.jobs.prune(now - HISTORY_KEEP)
            await storage.invites.prune(now - HISTORY_KEEP)
            # Inside the transaction: no file can be queued between the listing and the deletion.
            waiting = await storage.outbox.pending_files()
            files = self.services.exports.prune(waiting, now - ORPHAN_FILE_AGE)
        if updates or messages or files:
            log.info(
                "pruned %d handled updates, %d sent messages and %d orphan files",
                updates,
                messages,
                files,
            )

    # --- intake ---------------------------------------------------------------------------

    async def store_updates(self, updates: list[dict[str, Any]]) -> int:
        """Write fetched updates to the inbox and commit; only then may they be confirmed."""
        rows = [(int(u["update_id"]), u) for u in updates]
        async with self.services.storage.transaction():
            stored = await self.services.storage.inbox.store(rows, self.services.clock.now())
        self.wake_worker()
        return stored

    async def _fetch(self, offset: int | None) -> list[dict[str, Any]]:
        """getUpdates, the updates kept as Telegram's JSON: they are stored as they came and
        decoded once, by the worker (python-telegram-bot's get_updates decodes each into an
        Update, which would be turned back into JSON for the inbox). Its errors are PTB's."""
        parameters = [
            RequestParameter("timeout", POLL_TIMEOUT, None),
            RequestParameter("allowed_updates", [], None),
        ]
        if offset is not None:
            parameters.append(RequestParameter("offset", offset, None))
        result = await self.poll_request.post(
            f"{self.app.bot.base_url}/getUpdates",
            RequestData(parameters),
            # A long poll answers after POLL_TIMEOUT at most; the usual read time on top.
            read_timeout=(self.poll_request.read_timeout or 0) + POLL_TIMEOUT,
        )
        if not isinstance(result, list):
            raise NetworkError(f"getUpdates answered {type(result).__name__}, not a list")
        return result

    async def poll_forever(self) -> None:
        bot = self.app.bot
        await bot.delete_webhook(drop_pending_updates=False)
        # No stored offset: Telegram re-sends whatever was not confirmed, and the inbox ignores
        # what it already holds. After a week without updates Telegram restarts numbering at
        # a random value, which a stored "last id + 1" would silently confirm away.
        offset: int | None = None
        backoff = 1.0
        while True:
            try:
                fetched = await self._fetch(offset)
            except TimedOut:
                continue
            except RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc))
                continue
            except Conflict as exc:
                log.exception("another instance is polling or a webhook is set: %s", exc.message)
                await asyncio.sleep(5)
                continue
            except NetworkError as exc:
                log.warning("polling failed (%s); retrying in %.0f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(MAX_POLL_BACKOFF, backoff * 2)
                continue
            backoff = 1.0
            if fetched:
                await self.store_updates(fetched)
                # The next getUpdates with this offset is what confirms them to Telegram.
                offset = max(int(update["update_id"]) for update in fetched) + 1

    async def serve_webhook(self) -> None:
        """Listen for Telegram's calls; answer 200 only once the update is committed."""
        import tornado.httpserver
        import tornado.web

        settings = self.services.settings
        assert settings.webhook_url is not None
        assert settings.webhook_secret is not None
        secret = settings.webhook_secret.get_secret_value()
        path = urlparse(settings.webhook_url).path or "/"
        runtime = self

        class WebhookHandler(tornado.web.RequestHandler):
            async def post(self) -> None:
                given = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
                if not hmac.compare_digest(given.encode(), secret.encode()):
                    log.warning("webhook call with a wrong secret from %s", self.request.remote_ip)
                    self.set_status(403)
                    return
                try:
                    update = json.loads(self.request.body)
                    int(update["update_id"])
                except (ValueError, KeyError, TypeError):
                    self.set_status(400)
                    return
                await runtime.store_updates([update])
                self.set_status(200)

        server = tornado.httpserver.HTTPServer(tornado.web.Application([(path, WebhookHandler)]))
        server.listen(settings.webhook_port, address=settings.webhook_listen)
        try:
            await self.app.bot.set_webhook(
                settings.webhook_url, secret_token=secret, allowed_updates=[]
            )
            await asyncio.Event().wait()
        finally:
            server.stop()
            with contextlib.suppress(Exception):
                await server.close_all_connections()


def apology(t: Translator) -> str:
    return t._("😔 Sorry, something went wrong. Nothing was changed. Please try again.")
