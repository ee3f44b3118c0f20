"""The append-only, SM3 hash-chained audit log (DESIGN §8).

Each event carries the hash of the one before it; the hash covers every
field, so editing, deleting or re-ordering a stored row breaks the chain at
that row, and ``tongban audit verify`` names the first broken link. Events
are appended under a lock on the single chain-head row so the chain stays
linear under concurrency.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from tongban.core import clock
from tongban.core.crypto import sm3_hex
from tongban.core.models import AuditChainHead, AuditEvent

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
    """Append one event to the chain, in the caller's transaction.

    The chain head stays locked until that transaction ends, so every writer
    waits here for the one before: callers append as the last step of their
    transaction, to hold the lock as briefly as possible."""
    details = json.loads(json.dumps(details or {}, ensure_ascii=False, default=str))
    personal = personal_keys(details)
    if personal:  # a programming error: never store it
        raise ValueError(f"audit details must not carry personal data: {', '.join(personal)}")
    # No savepoint: an append that fails fails the caller's transaction anyway.
    with transaction.atomic(savepoint=False):
        head = AuditChainHead.objects.select_for_update().filter(id=1).first()
        if head is None:  # the first event ever
            AuditChainHead.objects.get_or_create(id=1, defaults={"last_hash": GENESIS})
            head = AuditChainHead.objects.select_for_update().get(id=1)
        at = (now or clock.now()).astimezone(dt.UTC)
        event = AuditEvent(
            at=at,
            actor=actor[:200],
            action=action,
            object_type=object_type,
            object_id=str(object_id)[:200],
            address=address[:64],
            details=details,
            prev_hash=head.last_hash,
        )
        event.hash = event_hash(
            prev_hash=event.prev_hash,
            at=at,
            actor=event.actor,
            action=action,
            object_type=object_type,
            object_id=event.object_id,
            address=event.address,
            details=details,
        )
        event.save(force_insert=True)
        head.last_hash = event.hash
        head.last_seq = event.seq
        head.save(update_fields=["last_hash", "last_seq"])
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def audit_verify() -> VerifyResult:
    """Recompute the chain; report the first event whose link or hash is wrong."""
    prev = GENESIS
    checked = 0
    last_seq = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.prev_hash != prev:
            return VerifyResult(
                False, checked, event.seq, "前一条哈希不符（记录被删除、插入或改动）"
            )
        expected = event_hash(
            prev_hash=event.prev_hash,
            at=event.at,
            actor=event.actor,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            address=event.address,
            details=event.details,
        )
        if expected != event.hash:
            return VerifyResult(False, checked, event.seq, "记录内容与哈希不符（记录被改动）")
        prev = event.hash
        last_seq = event.seq
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_hash != prev or head.last_seq != last_seq):
        return VerifyResult(False, checked, last_seq or None, "链尾与记录不符（末尾记录被删除）")
    return VerifyResult(True, checked)
