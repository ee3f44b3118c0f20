"""The keys that sign ID tokens (RS256), newest first; every one is published at JWKS.

The first key of the bundle signs; the others are the retired keys, still
published so that ID tokens issued before a rotation keep verifying until
they expire (R-ID-1: keys rotate without breaking tokens). The bundle is a PEM
file (``TONGBAN_OIDC_KEY_FILE``); in production it must exist, elsewhere it
is made on first start. ``tongban sso rotate-key`` puts a new key in front
and keeps ``TONGBAN_OIDC_RETIRED_KEYS`` old ones.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

_PEM_BLOCK = re.compile(r"-----BEGIN PRIVATE KEY-----\s.+?-----END PRIVATE KEY-----", re.DOTALL)
KEY_BITS = 2048


def new_private_key_pem() -> str:
    """A fresh RSA key (PKCS#8 PEM) for RS256."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def parse_bundle(text: str) -> list[str]:
    """The PEM private keys in ``text``, in order."""
    return [block.strip() + "\n" for block in _PEM_BLOCK.findall(text)]


def _write(path: Path, pems: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write("".join(pems))
    tmp.replace(path)


def read_bundle(path: Path, *, create: bool) -> list[str]:
    if not path.exists():
        if not create:
            raise ImproperlyConfigured(
                f"OIDC signing key file {path} is missing: create it with `tongban sso rotate-key`"
            )
        logger.warning("No OIDC signing key yet; making one in %s", path)
        _write(path, [new_private_key_pem()])
    pems = parse_bundle(path.read_text(encoding="ascii"))
    if not pems:
        raise ImproperlyConfigured(f"OIDC signing key file {path} holds no PKCS#8 private key")
    return pems


def provider_settings(pems: list[str]) -> dict[str, object]:
    """The django-oauth-toolkit settings for this bundle: the first key signs."""
    return {"OIDC_RSA_PRIVATE_KEY": pems[0], "OIDC_RSA_PRIVATE_KEYS_INACTIVE": pems[1:]}


def install() -> None:
    """Load the bundle into ``OAUTH2_PROVIDER`` at start (nothing when the
    settings already carry a key, as tests do, or name no key file)."""
    from oauth2_provider.settings import oauth2_settings

    provider = settings.OAUTH2_PROVIDER
    path = settings.TONGBAN_OIDC_KEY_FILE
    if provider.get("OIDC_RSA_PRIVATE_KEY") or not path:
        return
    provider.update(
        provider_settings(read_bundle(Path(path), create=not settings.TONGBAN_REQUIRE_KEYS))
    )
    oauth2_settings.reload()


def rotate(*, path: Path, keep: int) -> tuple[str, int]:
    """Put a new signing key in front of the bundle at ``path`` and keep at most
    ``keep`` retired ones; the new key's id (RFC 7638 thumbprint) and how many
    keys the bundle now holds. Running servers use it after a restart."""
    from jwcrypto import jwk

    current = parse_bundle(path.read_text(encoding="ascii")) if path.exists() else []
    fresh = new_private_key_pem()
    bundle = [fresh, *current[: max(0, keep)]]
    _write(path, bundle)
    kid = jwk.JWK.from_pem(fresh.encode("ascii")).thumbprint()
    return kid, len(bundle)
