"""Settings of a Maraude deployment, read from the environment or a `.env` file."""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SHIPPED_LOCALES: tuple[str, ...] = (
    "fr",
    "en",
    "ar",
    "ps",
    "fa",
    "ti",
    "am",
    "ckb",
    "vi",
    "so",
    "kmr",
    "om",
    "ur",
)
TOKEN_PATTERN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,100}$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


class Settings(BaseSettings):
    """Every variable of SPEC §7, validated once at start-up."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        # `TEAM_CHAT_ID=` as left in .env.example means "not set", not "not a number".
        env_ignore_empty=True,
    )

    bot_token: SecretStr | None = None
    bot_api_base_url: str = "https://api.telegram.org/bot"
    bot_api_file_url: str | None = None
    database_url: str = "sqlite:///data/maraude.sqlite3"
    team_chat_id: int | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_locale: str = "fr"
    timezone: str = "Europe/Paris"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    incident_key: SecretStr | None = None
    help_realert_minutes: int = Field(default=10, ge=1)
    # "I need help": how many requests one person may make in 24 hours (one open at a time).
    help_max_per_day: int = Field(default=3, ge=1, le=50)
    shift_reminder_minutes: int = Field(default=120, ge=1)
    misfire_grace_minutes: int = Field(default=60, ge=0)
    retention_days: int = Field(default=30, ge=1)
    # Money is Decimal, never float: "5.5" in the environment is exactly 5.50 €.
    housing_daily_fee_eur: Decimal = Field(default=Decimal("5"), ge=0, le=1000, decimal_places=2)
    # When the day, evening and night time slots of distributions begin, local time.
    distribution_slots: str = "07:00,18:00,22:00"
    # An information entry not confirmed for this many days is shown with a caveat.
    content_stale_days: int = Field(default=90, ge=1, le=3650)
    # Where the information catalogue lives (content/*.toml); empty: the repository's.
    content_dir: Path | None = None

    @field_validator("bot_token", mode="before")
    @classmethod
    def _check_token(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not TOKEN_PATTERN.match(value.strip()):
            raise ValueError("malformed token (expected the form 123456789:AA... from @BotFather)")
        return value.strip()

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(re.fullmatch(r"-?\d+", part) for part in parts):
                raise ValueError("expected comma-separated numeric Telegram user ids")
            return frozenset(int(part) for part in parts)
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (expected e.g. Europe/Paris)") from exc
        return value

    @field_validator("default_locale")
    @classmethod
    def _check_locale(cls, value: str) -> str:
        if value not in SHIPPED_LOCALES:
            raise ValueError(f"expected one of {', '.join(SHIPPED_LOCALES)}")
        return value

    @field_validator("distribution_slots")
    @classmethod
    def _check_slots(cls, value: str) -> str:
        parts = [part.strip() for part in value.split(",")]
        if len(parts) != 3 or not all(re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", p) for p in parts):
            raise ValueError("expected three times HH:MM,HH:MM,HH:MM (day, evening, night)")
        if not parts[0] < parts[1] < parts[2]:
            raise ValueError("the day, evening and night must start in that order")
        return ",".join(parts)

    @property
    def slot_starts(self) -> tuple[time, time, time]:
        day, evening, night = (time.fromisoformat(p) for p in self.distribution_slots.split(","))
        return day, evening, night

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if not value.startswith("sqlite:///") or value.endswith(":memory:"):
            # A file: the bot reads it through a second, read-only connection too.
            raise ValueError("only sqlite:///PATH to a file is supported for now")
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _check_webhook_secret(cls, value: object) -> object:
        if value in (None, ""):
            return None
        # Telegram accepts 1-256 characters of this alphabet in X-Telegram-Bot-Api-Secret-Token.
        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value):
            raise ValueError("expected 1-256 characters among A-Z, a-z, 0-9, _ and -")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def database_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))

    @property
    def outgoing_path(self) -> Path:
        """Where files wait to be sent (spreadsheets, charts): beside the database, never in it."""
        return self.database_path.resolve().parent / "outgoing"

    @property
    def file_base_url(self) -> str:
        if self.bot_api_file_url:
            return self.bot_api_file_url
        return self.bot_api_base_url.removesuffix("/bot") + "/file/bot"


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning a validation error into one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        variable = str(error["loc"][0]).upper() if error["loc"] else "settings"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{variable}: {message}") from None
