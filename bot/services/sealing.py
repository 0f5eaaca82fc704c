"""Sealing incident reports at rest: AES-256-GCM with `INCIDENT_KEY` (issue 11, SPEC §5).

The key is 32 random bytes written as URL-safe base64 (44 characters, `maraude incidents
new-key` prints one). It is used as is: no passphrase, so no KDF and no salt to keep.

Each sealed value is `version (1 byte) ‖ nonce (12 bytes) ‖ ciphertext and tag`, and is bound
to where it is stored by GCM's associated data (say "incidents:7:details"): a value copied to
another row or field does not open. A random 96-bit nonce per value is safe far beyond the
number of reports an association writes (NIST's bound is 2³² values per key).

Whether the configured key is the one the data was sealed with is checked at start-up against a
stored canary (`IncidentService.check_key`): a wrong key is refused, never used to seal a second
generation of data beside the first.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
VERSION = b"\x01"


class SealError(Exception):
    """A sealed value that does not open: wrong key, altered bytes, or moved elsewhere."""


class KeyFormatError(ValueError):
    """`INCIDENT_KEY` is not 32 bytes of URL-safe base64."""


def new_key() -> str:
    """A fresh key, as `INCIDENT_KEY` expects it."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def parse_key(text: str) -> bytes:
    """The 32 key bytes of an `INCIDENT_KEY` value; KeyFormatError (never echoing it) else."""
    cleaned = text.strip()
    try:
        raw = base64.urlsafe_b64decode(cleaned.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise KeyFormatError("INCIDENT_KEY is not URL-safe base64") from None
    if len(raw) != KEY_BYTES:
        raise KeyFormatError(f"INCIDENT_KEY must encode {KEY_BYTES} bytes, not {len(raw)}")
    return raw


class Sealer:
    """Seals and opens values with one key; each value bound to its place by `where`."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise KeyFormatError(f"a key is {KEY_BYTES} bytes")
        self._aead = AESGCM(key)

    @classmethod
    def from_text(cls, text: str) -> Sealer:
        return cls(parse_key(text))

    def seal(self, plaintext: bytes, where: str) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return VERSION + nonce + self._aead.encrypt(nonce, plaintext, where.encode("utf-8"))

    def open(self, sealed: bytes, where: str) -> bytes:
        if len(sealed) < 1 + NONCE_BYTES + 16 or sealed[:1] != VERSION:
            raise SealError("not a sealed value")
        nonce = sealed[1 : 1 + NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, sealed[1 + NONCE_BYTES :], where.encode("utf-8"))
        except InvalidTag:
            raise SealError("the value does not open with this key here") from None

    def __repr__(self) -> str:
        # Never the key, whatever logs a service.
        return "Sealer(<key>)"
