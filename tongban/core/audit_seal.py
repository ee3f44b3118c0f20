"""Sealing the audit log: the chain, signed checkpoints, the witness, verify (ADR-0008).

* **Seal.** :func:`audit_seal` takes the committed events that have no place
  yet, in insertion order, gives each the next ``position``, its
  predecessor's hash and its own (``core.audit.event_hash``), moves the head,
  and records an :class:`~tongban.core.models.AuditCheckpoint` signed with
  Ed25519 under a key the database does not hold. Only the sealer locks the
  head row; writers never wait for it. An event that commits late (a long
  transaction with an earlier ``seq``) is simply sealed in the next batch.
* **Witness.** After the seal commits, the checkpoint is appended to the
  witness file (``TONGBAN_AUDIT_WITNESS_FILE``, a JSON line each, opened for
  appending only), and served at ``/api/v1/audit/checkpoint`` for a second
  system to poll and keep.
* **Verify.** :func:`audit_verify` recomputes the chain in position order,
  checks every checkpoint's signature and that the chain passes through its
  head hash, and that every witnessed checkpoint is in the database
  unchanged. Someone who edits a row and recomputes every later hash and the
  head still fails: the next checkpoint's signature is over the old head,
  and he holds no key to sign a new one.

Keys: ``TONGBAN_AUDIT_SIGNING_KEYS`` (``key_id:base64 32-byte Ed25519 seed``,
the first signs, all verify), ``TONGBAN_AUDIT_VERIFY_KEYS`` (``key_id:base64
public key`` of retired keys). Required in production; the embedded default
writes a local key file (0600) beside the database, as the field keys do.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from tongban.core import clock
from tongban.core.audit import GENESIS, event_hash
from tongban.core.models import AuditChainHead, AuditCheckpoint, AuditEvent

logger = logging.getLogger(__name__)

BATCH = 5000
PAYLOAD_VERSION = "tongban-audit-checkpoint/v1"


# --- keys -------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditKeys:
    signing: tuple[tuple[str, Ed25519PrivateKey], ...]  # first signs
    public: dict[str, Ed25519PublicKey]


def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{what} is not base64") from exc


def _split(entry: str, setting: str) -> tuple[str, str]:
    key_id, sep, value = entry.partition(":")
    if not sep or not key_id or not value:
        raise ImproperlyConfigured(f"{setting} entries must be 'key_id:base64'")
    return key_id, value


def _local_key(path: Path) -> str:
    if path.exists():
        return str(json.loads(path.read_text(encoding="utf-8"))["signing_key"])
    path.parent.mkdir(parents=True, exist_ok=True)
    seed = base64.b64encode(os.urandom(32)).decode("ascii")
    entry = f"local-audit-1:{seed}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"signing_key": entry}, handle)
    return entry


_keys_lock = threading.Lock()
_keys: dict[str, AuditKeys] = {}


def audit_keys() -> AuditKeys:
    """The checkpoint keys, read from settings at first use."""
    with _keys_lock:
        cached = _keys.get("keys")
        if cached is not None:
            return cached
        entries = list(settings.TONGBAN_AUDIT_SIGNING_KEYS)
        if not entries:
            if settings.TONGBAN_REQUIRE_KEYS:
                raise ImproperlyConfigured("TONGBAN_AUDIT_SIGNING_KEYS is required in production")
            path = Path(settings.TONGBAN_AUDIT_LOCAL_KEY_FILE)
            logger.warning("No audit signing key configured; using the local key file %s.", path)
            entries = [_local_key(path)]
        signing = []
        public: dict[str, Ed25519PublicKey] = {}
        for entry in entries:
            key_id, value = _split(entry, "TONGBAN_AUDIT_SIGNING_KEYS")
            key = Ed25519PrivateKey.from_private_bytes(_b64(value, f"audit key {key_id}"))
            signing.append((key_id, key))
            public[key_id] = key.public_key()
        for entry in settings.TONGBAN_AUDIT_VERIFY_KEYS:
            key_id, value = _split(entry, "TONGBAN_AUDIT_VERIFY_KEYS")
            public.setdefault(
                key_id, Ed25519PublicKey.from_public_bytes(_b64(value, f"audit key {key_id}"))
            )
        keys = AuditKeys(tuple(signing), public)
        _keys["keys"] = keys
        return keys


def reset_audit_keys() -> None:
    with _keys_lock:
        _keys.clear()


def public_keys() -> dict[str, str]:
    """Every verifying key, base64 raw Ed25519 (published at /api/v1/audit/keys)."""
    return {
        key_id: base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
        for key_id, key in audit_keys().public.items()
    }


def checkpoint_payload(*, position: int, head_hash: str, sealed_at: dt.datetime) -> bytes:
    """What a checkpoint's signature covers."""
    moment = sealed_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{PAYLOAD_VERSION}\n{position}\n{head_hash}\n{moment}".encode("ascii")


def checkpoint_valid(checkpoint: AuditCheckpoint | dict[str, Any]) -> bool:
    """Whether a checkpoint (a row, or a witness line) is signed by a known key."""
    row = checkpoint if isinstance(checkpoint, dict) else checkpoint_dict(checkpoint)
    key = audit_keys().public.get(str(row["key_id"]))
    if key is None:
        return False
    try:
        sealed_at = dt.datetime.fromisoformat(str(row["sealed_at"]))
        key.verify(
            base64.b64decode(str(row["signature"]), validate=True),
            checkpoint_payload(
                position=int(row["position"]), head_hash=str(row["head_hash"]), sealed_at=sealed_at
            ),
        )
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def checkpoint_dict(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    return {
        "position": checkpoint.position,
        "head_hash": checkpoint.head_hash,
        "count": checkpoint.count,
        "sealed_at": checkpoint.sealed_at.astimezone(dt.UTC).isoformat(),
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
    }


# --- seal -------------------------------------------------------------------------


def _witness(checkpoint: AuditCheckpoint) -> None:
    """Append the checkpoint to the witness file (after the seal commits)."""
    path = Path(settings.TONGBAN_AUDIT_WITNESS_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(checkpoint_dict(checkpoint), ensure_ascii=True, sort_keys=True) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    try:
        os.write(fd, line.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


def audit_seal(*, now: dt.datetime | None = None, batch: int = BATCH) -> int:
    """Seal the events waiting for their place; the number sealed."""
    moment = (now or clock.now()).astimezone(dt.UTC)
    key_id, key = audit_keys().signing[0]
    with transaction.atomic():
        AuditChainHead.objects.get_or_create(id=1, defaults={"last_hash": GENESIS})
        head = AuditChainHead.objects.select_for_update().get(id=1)
        events = list(AuditEvent.objects.filter(position__isnull=True).order_by("seq")[:batch])
        if not events:
            return 0
        prev, position = head.last_hash, head.last_position
        for event in events:
            position += 1
            event.position = position
            event.prev_hash = prev
            event.hash = event_hash(
                prev_hash=prev,
                at=event.at,
                actor=event.actor,
                action=event.action,
                object_type=event.object_type,
                object_id=event.object_id,
                address=event.address,
                details=event.details,
            )
            prev = event.hash
        AuditEvent.objects.bulk_update(events, ["position", "prev_hash", "hash"], batch_size=500)
        head.last_hash, head.last_position, head.last_seq = prev, position, events[-1].seq
        head.save(update_fields=["last_hash", "last_position", "last_seq"])
        signature = key.sign(
            checkpoint_payload(position=position, head_hash=prev, sealed_at=moment)
        )
        checkpoint = AuditCheckpoint.objects.create(
            position=position,
            head_hash=prev,
            count=len(events),
            sealed_at=moment,
            key_id=key_id,
            signature=base64.b64encode(signature).decode("ascii"),
        )
        transaction.on_commit(lambda: _witness(checkpoint))
    return len(events)


def audit_seal_all(*, now: dt.datetime | None = None) -> int:
    """Seal in batches until nothing waits (the scheduler's job, and tests)."""
    total = 0
    while sealed := audit_seal(now=now):
        total += sealed
    return total


# --- verify -----------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    checkpoints: int = 0
    witnessed: int = 0
    unsealed: int = 0
    oldest_unsealed: dt.datetime | None = None  # when the oldest waiting event was appended


def _witness_lines() -> list[dict[str, Any]]:
    path = Path(settings.TONGBAN_AUDIT_WITNESS_FILE)
    if not path.exists():
        return []
    lines = []
    for raw in path.read_text(encoding="ascii").splitlines():
        if raw.strip():
            try:
                lines.append(json.loads(raw))
            except ValueError:
                lines.append({"position": -1})  # a damaged line never matches
    return lines


def audit_verify() -> VerifyResult:
    """Recompute the chain and check every checkpoint and witness line."""
    checkpoints = {c.position: c for c in AuditCheckpoint.objects.all()}
    prev, expected_position, checked, last = GENESIS, 0, 0, None
    sealed = AuditEvent.objects.filter(position__isnull=False).order_by("position")
    for event in sealed.iterator(chunk_size=2000):
        expected_position += 1
        if event.position != expected_position or event.prev_hash != prev:
            return VerifyResult(
                False, checked, event.seq, "前一条哈希不符（记录被删除、插入或改动）"
            )
        recomputed = event_hash(
            prev_hash=event.prev_hash,
            at=event.at,
            actor=event.actor,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            address=event.address,
            details=event.details,
        )
        if recomputed != event.hash:
            return VerifyResult(False, checked, event.seq, "记录内容与哈希不符（记录被改动）")
        checkpoint = checkpoints.get(event.position)
        if checkpoint is not None and (
            checkpoint.head_hash != event.hash or not checkpoint_valid(checkpoint)
        ):
            return VerifyResult(
                False, checked, event.seq, "与签名检查点不符（链被重新计算或检查点被改动）"
            )
        prev, last = event.hash, event
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_hash != prev or head.last_position != expected_position):
        seq = last.seq if last else None
        return VerifyResult(False, checked, seq, "链尾与记录不符（末尾记录被删除）")
    for position, checkpoint in checkpoints.items():
        if position > expected_position or not checkpoint_valid(checkpoint):
            return VerifyResult(False, checked, None, "检查点指向不存在的记录或签名无效")
    witnessed = _witness_lines()
    for line in witnessed:
        row = checkpoints.get(int(line.get("position", -1)))
        if row is None or checkpoint_dict(row) != line or not checkpoint_valid(line):
            return VerifyResult(
                False,
                checked,
                None,
                f"见证文件中的检查点（位置 {line.get('position')}）与数据库不符",
            )
    waiting = AuditEvent.objects.filter(position__isnull=True)
    oldest = waiting.order_by("seq").values_list("at", flat=True).first()
    return VerifyResult(
        True,
        checked,
        checkpoints=len(checkpoints),
        witnessed=len(witnessed),
        unsealed=waiting.count(),
        oldest_unsealed=oldest,
    )
