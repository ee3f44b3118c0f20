"""The append-only, SM3 hash-chained audit log (DESIGN §8, ADR-0008).

Appending takes no lock: :func:`audit_record` inserts the event in the
caller's transaction and returns. The sealer (:mod:`tongban.core.audit_seal`,
every few seconds) gives the committed events their place in one chain: each
carries the hash of the one before it, the hash covers every field, so
editing, deleting or re-ordering a sealed row breaks the chain at that row;
and each seal ends with a checkpoint signed with a key the database does not
hold, also written outside the database. ``tongban audit verify`` checks all
of it and names the first broken link.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tongban.core import clock
from tongban.core.crypto import sm3_hex
from tongban.core.models import AuditEvent

GENESIS = "0" * 64


def _canonical_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    *,
    prev_hash: str,
    at: dt.datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    address: str,
    details: dict[str, Any],
) -> str:
    body = json.dumps(
        [prev_hash, _canonical_time(at), actor, action, object_type, object_id, address, details],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return sm3_hex(body.encode("utf-8"))


def actor_label(user: Any) -> str:
    """How an actor is named in the log: ``user:<id>``, ``system`` (no user: the
    scheduler, a command, data loading) or ``anonymous`` (a visitor)."""
    if user is None:
        return "system"
    if not getattr(user, "is_authenticated", False):
        return "anonymous"
    return f"user:{user.pk}"


# The chain keeps what it is given for ever: details never carry personal data
# (R-SC-1). A key naming any of these is refused; the object id names the row.
PERSONAL_KEY_PARTS = ("id_number", "phone", "mobile", "bank_account", "password", "id_card")


def personal_keys(details: Any, path: str = "") -> list[str]:
    """The keys in ``details`` (nested dicts and lists too) that name personal data."""
    found: list[str] = []
    if isinstance(details, dict):
        for key, value in details.items():
            where = f"{path}.{key}" if path else str(key)
            if any(part in str(key).lower() for part in PERSONAL_KEY_PARTS):
                found.append(where)
            found += personal_keys(value, where)
    elif isinstance(details, list | tuple):
        for index, value in enumerate(details):
            found += personal_keys(value, f"{path}[{index}]")
    return found


def audit_record(
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any] | None = None,
    address: str = "",
    now: dt.datetime | None = None,
) -> AuditEvent:
    """Append one event, in the caller's transaction: it is stored at once and
    sealed into the chain by :func:`tongban.core.audit_seal.audit_seal`."""
    # A plain insert: no chain-head lock on the write path (ADR-0008). The
    # sealer links it into the chain after the caller commits.
    event = audit_event(
        actor=actor, action=action, object_type=object_type, object_id=object_id,
        details=details, address=address, now=now,
    )  # fmt: skip
    event.save(force_insert=True)
    return event


def audit_event(
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any] | None = None,
    address: str = "",
    now: dt.datetime | None = None,
) -> AuditEvent:
    """The event :func:`audit_record` appends, checked but not yet saved: for a
    hot path that writes it within one of its own statements (the callbacks')."""
    details = json.loads(json.dumps(details or {}, ensure_ascii=False, default=str))
    personal = personal_keys(details)
    if personal:  # a programming error: never store it
        raise ValueError(f"audit details must not carry personal data: {', '.join(personal)}")
    return AuditEvent(
        at=(now or clock.now()).astimezone(dt.UTC),
        actor=actor[:200],
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:200],
        address=address[:64],
        details=details,
    )
