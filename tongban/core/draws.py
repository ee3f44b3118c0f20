"""Services over :class:`DrawRecord`: open a draw (publish the commitment) and
run it once (reveal the seed, store candidates and result). docs/draws.md.

The candidate list of a run is published as a snapshot file named by its
SHA-256 in the platform's file storage (``draws/candidates/<sha256>.json``); the
record keeps that digest, the file's size and the number of candidates, so a
1,000,000-entity list is not a 20 MB value written in the draw's transaction.
Records drawn before the snapshot keep their list in ``DrawRecord.candidates``.

Apps that select at random (credit inspections, the marketplace, expert
panels) call these two functions and nothing else; the public page
``/draws/<public_id>/`` and ``scripts/verify_draw.py`` let anyone re-run it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.core import clock, crypto, draw
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import VALIDATION_FAILED, DomainError, define
from tongban.core.models import DrawRecord, DrawState

DRAW_ALREADY_RUN = define("draw_already_run", 409, "该次抽取已经完成，不能重新抽取")
DRAW_EMPTY_POOL = define("draw_empty_pool", 422, "候选名单为空，无法抽取")
DRAW_INVALID = define("draw_invalid", 422, "抽取参数有误")

_SEED_CONTEXT = "core.drawrecord.seed"
MAX_CANDIDATES = 2_000_000
SNAPSHOT_DIR = "draws/candidates"
logger = logging.getLogger(__name__)


class DrawSnapshotError(RuntimeError):
    """The snapshot of a drawn list is missing or does not match its digest."""


def snapshot_name(sha256: str) -> str:
    """Where the candidate list with this SHA-256 is stored (content-addressed)."""
    if not draw.is_hex64(sha256):
        raise DrawSnapshotError("not a SHA-256 digest")
    return f"{SNAPSHOT_DIR}/{sha256}.json"


def _json_list(members: Sequence[str]) -> str:
    # json.dumps escapes only '"', '\\' and control characters here; without them
    # (each '"' is then a separator's) the joined text is the same bytes, made
    # without encoding 1,000,000 strings one by one.
    body = '","'.join(members)
    if (
        not members
        or body.count('"') != 2 * (len(members) - 1)
        or "\\" in body
        or not body.isprintable()
    ):
        return json.dumps(list(members), ensure_ascii=False, separators=(",", ":"))
    return f'["{body}"]'


def snapshot_bytes(candidates: Any) -> bytes:
    """The published file: the ordered list (or label → list) as compact UTF-8
    JSON, keys sorted — ``json.dumps(…, ensure_ascii=False, separators=(",", ":"),
    sort_keys=True)``."""
    if isinstance(candidates, Mapping):
        text = ",".join(
            f"{json.dumps(label, ensure_ascii=False)}:{_json_list(candidates[label])}"
            for label in sorted(candidates)
        )
        return f"{{{text}}}".encode()
    return _json_list(candidates).encode("utf-8")


_written = threading.local()


def _written_names() -> list[str]:
    """The snapshot files this thread has written in transactions not yet over."""
    names: list[str] | None = getattr(_written, "names", None)
    if names is None:
        names = _written.names = []
    return names


@contextmanager
def draw_atomic() -> Iterator[None]:
    """``transaction.atomic()`` for a block that runs draws (``draw_run`` and the
    services around it, e.g. an inspection plan's draw that may still fail on
    回避 after the list is written): when the block fails, the snapshot files it
    wrote are deleted again, unless a committed draw names the same file."""
    names = _written_names()
    mark = len(names)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        orphans = names[mark:]
        del names[mark:]
        for name in orphans:
            _discard_orphan(name)
        raise
    if not transaction.get_connection().in_atomic_block:
        del names[mark:]  # committed: the files are the draws' now


def _discard_orphan(name: str) -> None:
    """Delete a failed draw's file unless a committed draw names it. A draw of
    the same list that found the file present and commits between the check and
    the delete restores nothing (its file was there when it committed): the
    name is checked again after the delete and the bytes put back for it."""
    sha256 = name.rsplit("/", 1)[-1].removesuffix(".json")
    named = DrawRecord.objects.filter(candidates_sha256=sha256)
    try:
        if named.exists() or not default_storage.exists(name):
            return
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
        default_storage.delete(name)
        if named.exists():
            _snapshot_restore(name, data)
    except Exception:  # the failure may be the database's own: the file stays, logged
        logger.exception("draw snapshot %s left after a failed draw", sha256)


def _snapshot_write(data: bytes) -> str:
    """Store ``data`` under its SHA-256 once; the same list drawn twice is one file.

    A file this call writes is remembered until its transaction ends, so that
    ``draw_atomic`` deletes it if the draw fails. A file already there may be
    another, still open, draw's: should that draw fail and delete it, it is
    written again when this one commits."""
    sha256 = hashlib.sha256(data).hexdigest()
    name = snapshot_name(sha256)
    if default_storage.exists(name):
        if default_storage.size(name) == len(data) and _stored_digest(name) == sha256:
            transaction.on_commit(lambda: _snapshot_restore(name, data))
            return sha256
        default_storage.delete(name)  # cut short or altered: write it again
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:  # a concurrent run stored the same bytes under the name first
        default_storage.delete(saved)
    else:
        names = _written_names()
        names.append(name)
        # Committed (also when the caller's own transaction.atomic() holds the draw):
        # the file is the draw's, no longer a candidate for deletion.
        transaction.on_commit(lambda: _forget(names, name))
    return sha256


def _forget(names: list[str], name: str) -> None:
    if name in names:
        names.remove(name)


def _snapshot_restore(name: str, data: bytes) -> None:
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(data))


def _stored_digest(name: str) -> str:
    """The SHA-256 of a stored file, read in chunks."""
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def snapshot_read(sha256: str, size: int | None = None) -> Any:
    """The candidates of a snapshot, after checking its size and SHA-256."""
    name = snapshot_name(sha256)
    try:
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError) as exc:
        raise DrawSnapshotError(f"snapshot {sha256} is missing") from exc
    if (size is not None and len(data) != size) or hashlib.sha256(data).hexdigest() != sha256:
        raise DrawSnapshotError(f"snapshot {sha256} does not match its digest")
    return json.loads(data)


def draw_open(*, purpose: str, subject: str, actor: Any, title: str = "") -> DrawRecord:
    """Create the draw of ``(purpose, subject)`` and publish its commitment.

    Idempotent: opening the same subject again answers the existing draw, so a
    retried request can never replace a published commitment with a new one.
    """
    purpose, subject = purpose.strip(), subject.strip()
    if not purpose or not subject or len(purpose) > 40 or len(subject) > 120:
        raise DomainError(VALIDATION_FAILED, "抽取的用途和对象必须填写（用途≤40字，对象≤120字）")
    existing = DrawRecord.objects.filter(purpose=purpose, subject=subject).first()
    if existing is not None:
        return existing
    seed = draw.new_seed()
    label = actor_label(actor)
    try:
        with transaction.atomic():
            record = DrawRecord.objects.create(
                public_id=uuid.uuid4(),
                purpose=purpose,
                subject=subject,
                title=title[:200],
                state=DrawState.OPEN,
                commitment=draw.commitment(seed),
                seed_sealed=crypto.encrypt(seed, context=_SEED_CONTEXT),
                opened_at=clock.now(),
                opened_by=label,
            )
            audit_record(
                actor=label,
                action="draw.opened",
                object_type="draw",
                object_id=str(record.public_id),
                details={"purpose": purpose, "subject": subject, "commitment": record.commitment},
            )
    except IntegrityError:  # a concurrent open of the same subject won
        return DrawRecord.objects.get(purpose=purpose, subject=subject)
    return record


def _strata_digest(strata: Mapping[str, Sequence[str]], *, ordered: bool = False) -> str:
    """With ``ordered``, each stratum is already ``draw.canonical`` (not checked again)."""
    lines = [
        f"{label}:{_ordered_digest(members) if ordered else draw.candidates_digest(members)}"
        for label, members in sorted(strata.items())
    ]
    return _lines_digest(lines)


def _lines_digest(lines: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _ordered_digest(ordered: Sequence[str]) -> str:
    # draw.candidates_digest of a list that draw.canonical has just answered.
    return hashlib.sha256("\n".join(ordered).encode("utf-8")).hexdigest()


_CONTROL = bytes(range(32))


def _json_joined(members: Sequence[str], joined: str, encoded: bytes) -> bytes:
    """``_json_list(members)`` as UTF-8 from ``"\\n".join(members)`` (``joined``,
    and ``encoded`` in UTF-8) that the canonical check made: when no candidate
    needs escaping, the separators are swapped at C speed. Only the line breaks
    between candidates are control bytes then (a UTF-8 sequence has none)."""
    if (
        members
        and '"' not in joined
        and "\\" not in joined
        and len(encoded) - len(encoded.translate(None, _CONTROL)) == len(members) - 1
    ):
        return b'["' + encoded.replace(b"\n", b'","') + b'"]'
    return _json_list(members).encode("utf-8")


def _prepared(
    candidates: Sequence[str] | None,
    k: int | None,
    strata: Mapping[str, tuple[Sequence[str], int]] | None,
) -> tuple[Any, dict[str, Any], str, bytes]:
    """(stored candidates, spec, digest, snapshot bytes) of the inputs, validated.

    Each list is sorted and checked once (``draw.canonical_joined``); its digest
    and its part of the snapshot file are made from that one joined text."""
    try:
        if strata is not None:
            if candidates is not None or k is not None:
                raise DomainError(DRAW_INVALID, "分层抽取时不能另给候选名单和数量")
            if not strata or sum(len(m) for m, _ in strata.values()) == 0:
                raise DomainError(DRAW_EMPTY_POOL, "各层候选名单都为空，无法抽取")
            spec = {"strata": {label: int(n) for label, (_m, n) in strata.items()}}
            if any(n < 1 for n in spec["strata"].values()):
                raise DomainError(DRAW_INVALID, "每层抽取数量至少为 1")
            stored: dict[str, list[str]] = {}
            lines: list[str] = []
            parts: list[bytes] = []
            for label in sorted(strata):
                ordered, joined = draw.canonical_joined(strata[label][0])
                stored[label] = ordered
                encoded = joined.encode("utf-8")
                lines.append(f"{label}:{hashlib.sha256(encoded).hexdigest()}")
                parts.append(f"{json.dumps(label, ensure_ascii=False)}:".encode())
                parts.append(_json_joined(ordered, joined, encoded))
                parts.append(b",")
            draw.check_disjoint_ordered(list(stored.values()))
            data = b"".join([b"{", *parts[:-1], b"}"])
            return stored, spec, _lines_digest(lines), data
        if candidates is None or k is None:
            raise DomainError(DRAW_INVALID, "须给出候选名单和抽取数量")
        if not candidates:
            raise DomainError(DRAW_EMPTY_POOL, "候选名单为空，无法抽取")
        if k < 1:
            raise DomainError(DRAW_INVALID, "抽取数量至少为 1")
        if len(candidates) > MAX_CANDIDATES:
            raise DomainError(DRAW_INVALID, f"候选名单不能超过 {MAX_CANDIDATES} 个")
        ordered, joined = draw.canonical_joined(candidates)
        encoded = joined.encode("utf-8")
        digest = hashlib.sha256(encoded).hexdigest()
        return ordered, {"k": int(k)}, digest, _json_joined(ordered, joined, encoded)
    except draw.DrawInputError as exc:
        raise DomainError(DRAW_INVALID, f"候选名单有误：{exc}") from exc


def draw_run(
    record: DrawRecord,
    *,
    actor: Any,
    candidates: Sequence[str] | None = None,
    k: int | None = None,
    strata: Mapping[str, tuple[Sequence[str], int]] | None = None,
) -> DrawRecord:
    """Run the draw once: reveal the seed and store the ordered candidates and
    the result. Asked again with the same inputs it answers the stored result;
    with other inputs it is refused (``draw_already_run``): no re-roll."""
    stored, spec, digest, data = _prepared(candidates, k, strata)
    with draw_atomic():
        locked = DrawRecord.objects.select_for_update().get(pk=record.pk)
        if locked.state == DrawState.DRAWN:
            if locked.candidates_digest == digest and locked.spec == spec:
                return locked
            raise DomainError(
                DRAW_ALREADY_RUN,
                f"该次抽取已于 {timezone.localtime(locked.drawn_at):%Y-%m-%d %H:%M} 完成，"
                "候选名单或数量不同也不能重新抽取",
                extra={"public_id": str(locked.public_id)},
            )
        seed = crypto.decrypt(locked.seed_sealed, context=_SEED_CONTEXT)
        if draw.commitment(seed) != locked.commitment:  # the stored seed was altered
            raise RuntimeError(f"draw {locked.public_id}: sealed seed does not match commitment")
        if "strata" in spec:
            assert strata is not None
            # pick_strata per stratum; the strata were checked disjoint above.
            result: Any = {
                label: draw.pick_canonical(seed, stored[label], spec["strata"][label], label=label)
                for label in strata  # the caller's order, as before
            }
            count = sum(len(members) for members in stored.values())
        else:
            result = draw.pick_canonical(seed, stored, spec["k"])
            count = len(stored)
        locked.state = DrawState.DRAWN
        locked.seed = seed
        locked.spec = spec
        locked.candidates = None
        locked.candidates_sha256 = _snapshot_write(data)
        locked.candidates_size = len(data)
        locked.candidates_count = count
        locked.candidates_digest = digest
        locked.result = result
        locked.drawn_at = clock.now()
        locked.drawn_by = actor_label(actor)
        locked.save()
        audit_record(
            actor=locked.drawn_by,
            action="draw.run",
            object_type="draw",
            object_id=str(locked.public_id),
            details={
                "candidates_digest": digest,
                "candidates_file": locked.candidates_sha256,
                "spec": spec,
                "result": result,
            },
        )
    return locked


def draw_candidates(record: DrawRecord) -> Any:
    """The ordered candidates of a drawn record (None before it runs): from its
    snapshot, checked against the digest (``DrawSnapshotError`` otherwise), or
    from the record itself for draws run before snapshots."""
    if record.state != DrawState.DRAWN:
        return None
    if record.candidates_sha256:
        return snapshot_read(record.candidates_sha256, record.candidates_size)
    return record.candidates


_VERIFIED_TTL = 7 * 24 * 3600
_RACY_NS = 2_000_000_000  # a file changed this recently may change again with the same stat


def draw_checked(record: DrawRecord, shown: int) -> tuple[list[tuple[str, int]], Any, bool]:
    """What the public page shows of a drawn record: per group (label, or ""
    for a plain list) the first ``shown`` candidates and the count, and whether
    the draw re-runs to its published result (``draw_verify``).

    Re-reading and re-running a 21 MB snapshot is 1–2 s; a passed check is kept
    in the cache under the SHA-256 of the published document (which names the
    snapshot's digest, so another list or result is another key) together with
    the file's stat as it was before the check (size, mtime and ctime in ns,
    inode and device): any rewrite of the file, even one that keeps its size,
    changes the stat, and the next view checks the file again. A file changed
    within the last 2 s is not kept (a file system stamps times in ticks, so a
    second change in the same tick could leave the stat as it was). A failed
    check is not kept: a restored file verifies on the next view."""
    doc = draw_document(record)
    key = (
        "tongban:draw-checked:"
        + hashlib.sha256(
            json.dumps(doc, sort_keys=True, ensure_ascii=False).encode("utf-8")
        ).hexdigest()
    )
    stat = _snapshot_stat(record)  # taken before the file is read
    kept = cache.get(key)
    if (
        kept is not None
        and stat is not None
        and kept["shown"] == shown
        and kept.get("stat") == list(stat)
    ):
        return kept["counts"], kept["preview"], True
    try:  # a snapshot file is read once and checked against its SHA-256
        candidates = draw_candidates(record)
    except DrawSnapshotError:
        return [], None, False
    if isinstance(candidates, dict):
        counts = [(label, len(members)) for label, members in candidates.items()]
        preview: Any = {label: members[:shown] for label, members in candidates.items()}
    elif candidates is not None:
        counts, preview = [("", len(candidates))], candidates[:shown]
    else:
        return [], None, False
    verified = draw_verify(doc, candidates)
    if verified and stat is not None:
        kept = {"shown": shown, "counts": counts, "preview": preview, "stat": list(stat)}
        cache.set(key, kept, _VERIFIED_TTL)
    return counts, preview, verified


def _snapshot_stat(record: DrawRecord) -> tuple[Any, ...] | None:
    """What changes when a record's snapshot file is rewritten, or None when it
    is missing, has not the recorded size or was changed too recently to tell.
    A list kept in the record itself has no file: ``()``."""
    if not record.candidates_sha256:
        return ()
    name = snapshot_name(record.candidates_sha256)
    try:
        if isinstance(default_storage, FileSystemStorage):
            st = os.stat(default_storage.path(name))
            size = st.st_size
            if max(st.st_mtime_ns, st.st_ctime_ns) > time.time_ns() - _RACY_NS:
                return None
            stat: tuple[Any, ...] = (size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
        else:  # a storage without local files (in memory, in tests): its own time stamp
            size = default_storage.size(name)
            stat = (size, default_storage.get_modified_time(name).isoformat())
    except (FileNotFoundError, OSError, NotImplementedError):
        return None
    return stat if size == record.candidates_size else None


def candidates_url(record: DrawRecord) -> str:
    """The public address of a record's snapshot file (no login)."""
    return f"/api/v1/draws/{record.public_id}/candidates"


def draw_document(record: DrawRecord) -> dict[str, Any]:
    """What is published: the input of ``scripts/verify_draw.py``. A snapshot
    list is referenced (``candidates_file``: its SHA-256, size, count and
    address), an older record's list is in the document."""
    doc: dict[str, Any] = {
        "algorithm": draw.ALGORITHM,
        "public_id": str(record.public_id),
        "purpose": record.purpose,
        "subject": record.subject,
        "title": record.title,
        "state": record.state,
        "commitment": record.commitment,
        "opened_at": record.opened_at.isoformat(),
    }
    if record.state == DrawState.DRAWN:
        assert record.drawn_at is not None
        doc.update(
            seed=record.seed,
            spec=record.spec,
            candidates_digest=record.candidates_digest,
            result=record.result,
            drawn_at=record.drawn_at.isoformat(),
        )
        if record.candidates_sha256:
            doc["candidates_file"] = {
                "sha256": record.candidates_sha256,
                "size": record.candidates_size,
                "count": record.candidates_count,
                "url": candidates_url(record),
            }
        else:
            doc["candidates"] = record.candidates
    return doc


def draw_verify(doc: Mapping[str, Any], candidates: Any = None) -> bool:
    """Re-run a published draw from its document and its candidate list: the
    list in the document, else ``candidates`` (already read), else the snapshot
    the document names, read from storage and checked against its SHA-256."""
    if doc.get("state") != DrawState.DRAWN or doc.get("algorithm") != draw.ALGORITHM:
        return False
    try:
        if draw.commitment(doc["seed"]) != doc["commitment"]:
            return False
        spec = doc["spec"]
        if doc.get("candidates") is not None:
            candidates = doc["candidates"]
        elif candidates is None:
            listed = doc["candidates_file"]
            candidates = snapshot_read(listed["sha256"], listed.get("size"))
        if "strata" in spec:
            again: Any = draw.pick_strata(
                doc["seed"], {label: (candidates[label], n) for label, n in spec["strata"].items()}
            )
            digest = _strata_digest(candidates)
        else:
            again = draw.pick(doc["seed"], candidates, spec["k"])
            digest = draw.candidates_digest(candidates)
    except (draw.DrawInputError, DrawSnapshotError, KeyError, TypeError, ValueError):
        return False
    return bool(again == doc["result"] and digest == doc["candidates_digest"])
