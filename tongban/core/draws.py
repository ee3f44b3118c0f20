"""Services over :class:`DrawRecord`: open a draw (publish the commitment) and
run it once (reveal the seed, store candidates and result). docs/draws.md.

Apps that select at random (credit inspections, the marketplace, expert
panels) call these two functions and nothing else; the public page
``/draws/<public_id>/`` and ``scripts/verify_draw.py`` let anyone re-run it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

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


def _strata_digest(strata: Mapping[str, Sequence[str]]) -> str:
    lines = [
        f"{label}:{draw.candidates_digest(members)}" for label, members in sorted(strata.items())
    ]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _prepared(
    candidates: Sequence[str] | None,
    k: int | None,
    strata: Mapping[str, tuple[Sequence[str], int]] | None,
) -> tuple[Any, dict[str, Any], str]:
    """(stored candidates, spec, digest) of the inputs, validated."""
    try:
        if strata is not None:
            if candidates is not None or k is not None:
                raise DomainError(DRAW_INVALID, "分层抽取时不能另给候选名单和数量")
            if not strata or sum(len(m) for m, _ in strata.values()) == 0:
                raise DomainError(DRAW_EMPTY_POOL, "各层候选名单都为空，无法抽取")
            stored = {label: draw.canonical(members) for label, (members, _k) in strata.items()}
            spec = {"strata": {label: int(n) for label, (_m, n) in strata.items()}}
            if any(n < 1 for n in spec["strata"].values()):
                raise DomainError(DRAW_INVALID, "每层抽取数量至少为 1")
            draw.check_disjoint([members for members, _n in strata.values()])
            return stored, spec, _strata_digest(stored)
        if candidates is None or k is None:
            raise DomainError(DRAW_INVALID, "须给出候选名单和抽取数量")
        if not candidates:
            raise DomainError(DRAW_EMPTY_POOL, "候选名单为空，无法抽取")
        if k < 1:
            raise DomainError(DRAW_INVALID, "抽取数量至少为 1")
        if len(candidates) > MAX_CANDIDATES:
            raise DomainError(DRAW_INVALID, f"候选名单不能超过 {MAX_CANDIDATES} 个")
        ordered = draw.canonical(candidates)
        return ordered, {"k": int(k)}, draw.candidates_digest(ordered)
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
    stored, spec, digest = _prepared(candidates, k, strata)
    with transaction.atomic():
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
            result: Any = draw.pick_strata(
                seed, {label: (stored[label], spec["strata"][label]) for label in stored}
            )
        else:
            result = draw.pick(seed, stored, spec["k"])
        locked.state = DrawState.DRAWN
        locked.seed = seed
        locked.spec = spec
        locked.candidates = stored
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
            details={"candidates_digest": digest, "spec": spec, "result": result},
        )
    return locked


def draw_document(record: DrawRecord) -> dict[str, Any]:
    """What is published: the input of ``scripts/verify_draw.py``."""
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
            candidates=record.candidates,
            candidates_digest=record.candidates_digest,
            result=record.result,
            drawn_at=record.drawn_at.isoformat(),
        )
    return doc


def draw_verify(doc: Mapping[str, Any]) -> bool:
    """Re-run a published draw from its document alone."""
    if doc.get("state") != DrawState.DRAWN or doc.get("algorithm") != draw.ALGORITHM:
        return False
    try:
        if draw.commitment(doc["seed"]) != doc["commitment"]:
            return False
        spec, candidates = doc["spec"], doc["candidates"]
        if "strata" in spec:
            again: Any = draw.pick_strata(
                doc["seed"], {label: (candidates[label], n) for label, n in spec["strata"].items()}
            )
            digest = _strata_digest(candidates)
        else:
            again = draw.pick(doc["seed"], candidates, spec["k"])
            digest = draw.candidates_digest(candidates)
    except (draw.DrawInputError, KeyError, TypeError):
        return False
    return bool(again == doc["result"] and digest == doc["candidates_digest"])
