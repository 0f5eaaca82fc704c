"""Typed rows: what repositories return, so no SQL row ever leaves `bot/storage`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    """Roles are ordered: each includes the rights of the ones before it (SPEC §1)."""

    PUBLIC = "public"
    VOLUNTEER = "volunteer"
    LEGAL = "legal"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def includes(self, other: Role) -> bool:
        return self.rank >= other.rank


@dataclass(frozen=True)
class Antenna:
    code: str
    name: str
    team_chat_id: int | None


@dataclass(frozen=True)
class User:
    id: int
    locale: str | None
    telegram_language: str | None
    role: Role
    antenna: str | None
    display_name: str | None
    username: str | None
    active: bool
    created_at: datetime
    last_seen_at: datetime
    menu_signature: str | None

    def has(self, role: Role) -> bool:
        return self.role.includes(role)


@dataclass(frozen=True)
class Invite:
    code: str
    antenna: str
    created_by: int
    created_at: datetime
    expires_at: datetime
    used_by: int | None
    used_at: datetime | None


@dataclass(frozen=True)
class InboxEntry:
    update_id: int
    payload: dict[str, Any]
    received_at: datetime


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    chat_id: int | None
    method: str
    payload: dict[str, Any]
    priority: int
    batch: str | None
    created_at: datetime
    not_before: datetime
    attempts: int
    status: str
