"""Webhook signatures: HMAC over the timestamp and the body (issue 14, item 6).

Header ``Tongban-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>,sm3=<hex HMAC-SM3>``
where each MAC is over ``f"{t}.".encode() + body`` with the endpoint's secret.
A receiver checks one of the two MACs in constant time and refuses a
timestamp more than ``tolerance`` seconds away (a replayed old delivery);
``Tongban-Delivery`` is unique per delivery, so a receiver that remembers
the ones it has seen also refuses a replay within the window.
"""

from __future__ import annotations

import hashlib
import hmac

from tongban.core.crypto import hmac_sm3_hex

HEADER = "Tongban-Signature"
TOLERANCE_SECONDS = 300


def _signed(timestamp: int, body: bytes) -> bytes:
    return f"{timestamp}.".encode("ascii") + body


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    key = secret.encode("utf-8")
    sha = hmac.new(key, _signed(timestamp, body), hashlib.sha256).hexdigest()
    sm3 = hmac_sm3_hex(key, _signed(timestamp, body))
    return f"t={timestamp},v1={sha},sm3={sm3}"


def signature_valid(
    secret: str,
    header: str,
    body: bytes,
    *,
    now: int,
    tolerance: int = TOLERANCE_SECONDS,
    algorithm: str = "v1",
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` at a time near ``now``;
    ``algorithm`` is ``"v1"`` (HMAC-SHA256) or ``"sm3"`` (HMAC-SM3, GB/T 32905)."""
    parts = dict(p.split("=", 1) for p in (header or "").split(",") if "=" in p)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    key, signed = secret.encode("utf-8"), _signed(timestamp, body)
    if algorithm == "sm3":
        expected = hmac_sm3_hex(key, signed)
    elif algorithm == "v1":
        expected = hmac.new(key, signed, hashlib.sha256).hexdigest()
    else:
        return False
    return hmac.compare_digest(expected, parts.get(algorithm, ""))
