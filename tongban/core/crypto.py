"""Field encryption (SM4-GCM), search tokens (HMAC-SM3) and SM3 hashing.

DESIGN §8: ID and phone numbers are encrypted at rest with a key id in every
ciphertext, so keys can rotate (the first configured key encrypts; every
configured key decrypts), and carry a keyed search token for equality
lookups. Each ciphertext is bound to its field by the associated data, so a
value copied into another column does not decrypt.

Keys come from settings (``TONGBAN_FIELD_KEYS``, ``TONGBAN_SEARCH_KEY``). In
production they are required; the embedded default creates a local key file
beside the database and warns once.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

PREFIX = "sm4gcm"
_NONCE_BYTES = 12
_TAG_BYTES = 16


class DecryptionError(Exception):
    """A ciphertext that is malformed, tampered with, or under an unknown key."""


def sm3_hex(data: bytes) -> str:
    """The SM3 digest (GB/T 32905) of ``data`` as 64 hex characters."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def hmac_sm3_hex(key: bytes, data: bytes) -> str:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


@dataclass(frozen=True)
class KeyRing:
    field_keys: tuple[tuple[str, bytes], ...]  # (key id, 16-byte SM4 key), first encrypts
    search_key: bytes

    def key(self, key_id: str) -> bytes:
        for kid, key in self.field_keys:
            if kid == key_id:
                return key
        raise DecryptionError(f"unknown key id {key_id!r}")


def _parse_field_keys(entries: list[str]) -> tuple[tuple[str, bytes], ...]:
    parsed = []
    for entry in entries:
        key_id, sep, hex_key = entry.partition(":")
        if not sep or not key_id or ":" in key_id:
            raise ImproperlyConfigured("TONGBAN_FIELD_KEYS entries must be 'key_id:hex'")
        try:
            key = bytes.fromhex(hex_key)
        except ValueError as exc:
            raise ImproperlyConfigured(f"field key {key_id!r} is not hex") from exc
        if len(key) != 16:
            raise ImproperlyConfigured(f"field key {key_id!r} must be 16 bytes (SM4)")
        parsed.append((key_id, key))
    return tuple(parsed)


def _local_keys(path: Path) -> dict[str, object]:
    if path.exists():
        data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
        return data
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "field_keys": [f"local1:{secrets.token_hex(16)}"],
        "search_key": secrets.token_hex(32),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    return data


_ring_lock = threading.Lock()
_ring: dict[str, KeyRing] = {}


def keyring() -> KeyRing:
    """The configured keys, read from settings at first use (not at import)."""
    with _ring_lock:
        ring = _ring.get("ring")
        if ring is not None:
            return ring
        field_entries = list(settings.TONGBAN_FIELD_KEYS)
        search = settings.TONGBAN_SEARCH_KEY
        if not field_entries or not search:
            if settings.TONGBAN_REQUIRE_KEYS:
                raise ImproperlyConfigured(
                    "TONGBAN_FIELD_KEYS and TONGBAN_SEARCH_KEY are required in production"
                )
            path = Path(settings.TONGBAN_LOCAL_KEY_FILE)
            logger.warning(
                "No encryption keys configured; using the local key file %s. "
                "Set TONGBAN_FIELD_KEYS and TONGBAN_SEARCH_KEY for a real deployment.",
                path,
            )
            local = _local_keys(path)
            field_entries = field_entries or [str(k) for k in local["field_keys"]]  # type: ignore[attr-defined]  # JSON list
            search = search or str(local["search_key"])
        ring = KeyRing(_parse_field_keys(field_entries), search.encode("utf-8"))
        _ring["ring"] = ring
        return ring


def reset_keyring() -> None:
    """Forget the cached keys (tests that change settings)."""
    with _ring_lock:
        _ring.clear()


def encrypt(plaintext: str, *, context: str) -> str:
    """Encrypt ``plaintext`` for the column named by ``context``.

    Output: ``sm4gcm:<key id>:<base64(nonce | ciphertext | tag)>``.
    """
    key_id, key = keyring().field_keys[0]
    nonce = os.urandom(_NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(context.encode("utf-8"))
    body = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
    blob = base64.b64encode(nonce + body + encryptor.tag).decode("ascii")
    return f"{PREFIX}:{key_id}:{blob}"


def decrypt(token: str, *, context: str) -> str:
    try:
        prefix, key_id, blob = token.split(":", 2)
        raw = base64.b64decode(blob, validate=True)
    except ValueError as exc:
        raise DecryptionError("malformed ciphertext") from exc
    if prefix != PREFIX or len(raw) < _NONCE_BYTES + _TAG_BYTES:
        raise DecryptionError("malformed ciphertext")
    nonce, body, tag = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:-_TAG_BYTES], raw[-_TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(keyring().key(key_id)), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(context.encode("utf-8"))
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")
    except InvalidTag as exc:
        raise DecryptionError("ciphertext does not authenticate") from exc


def key_id_of(token: str) -> str:
    """The key id a ciphertext was made under (to find rows needing re-encryption)."""
    return token.split(":", 2)[1]


def search_token(value: str, *, context: str) -> str:
    """A keyed HMAC-SM3 token for equality lookups on an encrypted column."""
    data = context.encode("utf-8") + b"\x00" + value.encode("utf-8")
    return hmac_sm3_hex(keyring().search_key, data)
