"""Append, seal and verify the access log (docs/sharing.md, "The access log").

Two chains, so that no global lock sits on the write path:

1. **Per subject.** A line carries the SM3 hash of the previous line about
   the same subject; appending locks only that subject's head row. Editing or
   deleting a line, or the last line of a chain, breaks its chain or head.
2. **Seals.** ``access_log_seal`` (the scheduler, every five minutes) takes
   the lines not yet sealed that are older than a settling margin, hashes
   their (seq, hash) pairs into one digest and appends a seal chained to the
   previous seal. A subject's whole chain deleted with its head still breaks
   the seals that covered it. Only the scheduler (one holder of its lease)
   seals, and a unique ``prev_hash`` makes a second sealer fail, not fork.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from tongban.core import clock
from tongban.core.audit import GENESIS
from tongban.core.audit import actor_label as audit_actor_label
from tongban.core.crypto import sm3_hex
from tongban.sharing.models import AccessLogEntry, AccessLogHead, AccessLogSeal, DataResource
from tongban.sharing.subjects import SubjectRef

# A line is sealed only once it is this old, so that a transaction still open
# when the seal is made (its seq lower than lines already committed) is sealed
# next time rather than missed.
SETTLE_SECONDS = 60


def _canonical_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_HASHED = (
    "kind", "target", "resource_id", "fields", "consumer_id", "consumer_name", "actor_id",
    "actor_label", "purpose", "case_no", "subject_kind", "subject_token", "subject_label",
    "outcome", "error_code", "channel",
)  # fmt: skip


def entry_hash(entry: AccessLogEntry) -> str:
    body = json.dumps(
        [entry.prev_hash, _canonical_time(entry.at), *(getattr(entry, f) for f in _HASHED)],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return sm3_hex(body.encode("utf-8"))


def actor_label(actor: Any) -> str:
    """``user:<id> <name>`` (the audit label with the name), ``system`` without a user."""
    name = getattr(actor, "display_name", "") or getattr(actor, "username", "")
    return f"{audit_actor_label(actor)} {name}".strip()[:200]


def access_log_append(
    *,
    kind: str,
    target: str,
    subject: SubjectRef | None,
    outcome: str,
    purpose: str,
    consumer: Any = None,
    actor: Any = None,
    resource: DataResource | None = None,
    fields: list[str] | tuple[str, ...] = (),
    case_no: str = "",
    error_code: str = "",
    channel: str = "",
    subject_label: str = "",
    now: dt.datetime | None = None,
) -> AccessLogEntry:
    """Append one line, in the caller's transaction (its own when there is none).

    ``consumer`` is the using department, ``actor`` the user (staff, system
    account, or the applicant whose application triggered the call). The
    certificates app logs its certificate reads here too (``kind="certificate"``).
    A caller that raises after a refusal must append outside the transaction
    it rolls back: the sharing services do so.
    """
    moment = now or clock.now()
    token = subject.token if subject is not None else "-"
    entry = AccessLogEntry(
        at=moment.astimezone(dt.UTC),
        kind=kind,
        target=target[:60],
        resource=resource,
        fields=[str(f)[:40] for f in fields],
        consumer=consumer if getattr(consumer, "pk", None) else None,
        consumer_name=str(getattr(consumer, "name", "") or "")[:100],
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label(actor),
        purpose=purpose.strip()[:500],
        case_no=case_no.strip()[:40],
        subject_kind=subject.kind if subject is not None else "none",
        subject_token=token,
        subject_label=(subject_label or (subject.label if subject else ""))[:120],
        outcome=outcome,
        error_code=error_code[:60],
        channel=channel[:20],
    )
    # No savepoint: an append that fails fails the caller's transaction anyway.
    with transaction.atomic(savepoint=False):
        head = _locked_head(token)
        entry.prev_hash = head.last_hash
        entry.hash = entry_hash(entry)
        entry.save(force_insert=True)
        head.last_hash = entry.hash
        head.last_seq = entry.seq
        head.count += 1
        head.save(update_fields=["last_hash", "last_seq", "count"])
    return entry


def _locked_head(token: str) -> AccessLogHead:
    head = AccessLogHead.objects.select_for_update().filter(subject_token=token).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():  # a savepoint: a concurrent first line wins the insert
            AccessLogHead.objects.create(subject_token=token, last_hash=GENESIS)
    except IntegrityError:
        pass
    return AccessLogHead.objects.select_for_update().get(subject_token=token)


def _seal_digest(pairs: list[tuple[int, str]]) -> str:
    return sm3_hex("\n".join(f"{seq}:{h}" for seq, h in pairs).encode("ascii"))


def _seal_hash(seal: AccessLogSeal) -> str:
    body = json.dumps(
        [
            seal.prev_hash,
            _canonical_time(seal.sealed_at),
            seal.first_seq,
            seal.last_seq,
            seal.count,
            seal.digest,
        ],
        separators=(",", ":"),
    )
    return sm3_hex(body.encode("ascii"))


def access_log_seal(*, now: dt.datetime | None = None, limit: int = 50_000) -> AccessLogSeal | None:
    """Seal the settled lines not yet sealed (at most ``limit``); None if there are none."""
    moment = now or clock.now()
    cutoff = moment - dt.timedelta(seconds=SETTLE_SECONDS)
    with transaction.atomic():
        last = AccessLogSeal.objects.select_for_update().order_by("-id").first()
        pairs = list(
            AccessLogEntry.objects.filter(seal__isnull=True, at__lte=cutoff)
            .order_by("seq")
            .values_list("seq", "hash")[:limit]
        )
        if not pairs:
            return None
        seal = AccessLogSeal(
            sealed_at=moment,
            first_seq=pairs[0][0],
            last_seq=pairs[-1][0],
            count=len(pairs),
            digest=_seal_digest(pairs),
            prev_hash=last.hash if last else GENESIS,
        )
        seal.hash = _seal_hash(seal)
        seal.save(force_insert=True)
        # The same predicate up to the last line read: exactly the lines read,
        # unless one committed meanwhile; then seal nothing now, retry next time.
        updated = AccessLogEntry.objects.filter(
            seal__isnull=True, at__lte=cutoff, seq__lte=seal.last_seq
        ).update(seal=seal)
        if updated != len(pairs):
            transaction.set_rollback(True)
            return None
    return seal


@dataclass(frozen=True)
class LogVerifyResult:
    ok: bool
    checked: int
    seals: int
    broken_seq: int | None = None
    reason: str = ""


def access_log_verify() -> LogVerifyResult:
    """Recompute every subject chain, every head and every seal; the first fault."""
    last: dict[str, tuple[str, int, int]] = {}  # token → (hash, seq, count)
    sealed: dict[int, list[tuple[int, str]]] = {}
    checked = 0
    for entry in AccessLogEntry.objects.order_by("seq").iterator(chunk_size=2000):
        prev_hash, _, count = last.get(entry.subject_token, (GENESIS, 0, 0))
        if entry.prev_hash != prev_hash:
            return LogVerifyResult(
                False, checked, 0, entry.seq, "同一主体的前一条哈希不符（记录被删除、插入或改动）"
            )
        if entry_hash(entry) != entry.hash:
            return LogVerifyResult(False, checked, 0, entry.seq, "记录内容与哈希不符（记录被改动）")
        last[entry.subject_token] = (entry.hash, entry.seq, count + 1)
        if entry.seal_id is not None:
            sealed.setdefault(entry.seal_id, []).append((entry.seq, entry.hash))
        checked += 1
    for head in AccessLogHead.objects.iterator(chunk_size=2000):
        found = last.get(head.subject_token, (GENESIS, 0, 0))
        if (head.last_hash, head.last_seq, head.count) != found:
            return LogVerifyResult(
                False, checked, 0, found[1] or None, "主体链尾与记录不符（末尾记录被删除）"
            )
    if set(last) - set(AccessLogHead.objects.values_list("subject_token", flat=True)):
        return LogVerifyResult(False, checked, 0, None, "有记录缺少主体链尾")
    prev = GENESIS
    seals = 0
    for seal in AccessLogSeal.objects.order_by("id").iterator(chunk_size=2000):
        pairs = sealed.pop(seal.pk, [])
        if (
            seal.prev_hash != prev
            or _seal_hash(seal) != seal.hash
            or seal.count != len(pairs)
            or _seal_digest(pairs) != seal.digest
        ):
            return LogVerifyResult(
                False, checked, seals, seal.first_seq, f"封存批次 #{seal.pk} 与记录不符"
            )
        prev = seal.hash
        seals += 1
    if sealed:
        return LogVerifyResult(False, checked, seals, None, "有记录指向不存在的封存批次")
    return LogVerifyResult(True, checked, seals)
