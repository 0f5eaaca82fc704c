"""Logging set-up: no token and no message text of a user ever reaches the logs (SPEC §6)."""

from __future__ import annotations

import logging
import re

TOKEN = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{30,100}")
# Libraries that log whole Bot API updates and requests, or SQL parameters, at DEBUG: what
# people wrote (a relayed message, a help request). Never below INFO, whatever the level.
WORDY_AT_DEBUG = ("telegram", "aiosqlite")


class RedactingFormatter(logging.Formatter):
    """Belt and braces: httpx is silenced below INFO, but any library may log a URL, and an
    exception's text (python-telegram-bot's InvalidToken, say) may quote the token."""

    def format(self, record: logging.LogRecord) -> str:
        return TOKEN.sub("<token>", super().format(record))


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in WORDY_AT_DEBUG:
        logging.getLogger(name).setLevel(max(level, logging.INFO))
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # Its per-request debug noise says nothing the outbox does not already record.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("tornado.access").setLevel(logging.WARNING)
