"""Domain errors: a stable code and parameters; handlers turn them into translated sentences."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal the user should read about, e.g. an expired invite. Nothing was changed."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class NotAllowed(DomainError):
    """The caller's role does not allow this."""

    def __init__(self) -> None:
        super().__init__("not_allowed")
