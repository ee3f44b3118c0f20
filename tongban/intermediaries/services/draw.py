"""The random draw of a purchase (随机抽取) on the platform's one engine (tongban.core.draws).

At publication the draw is opened: only the commitment (SHA-256 of a secret
seed) is published, before anyone can sign up. After sign-up closes the
eligible sign-ups' credit codes — every sign-up re-checked for credit at that
moment — are the candidate list and the engine picks one. The engine stores the
candidates, reveals the seed and refuses any re-run with other inputs
(``draw_already_run``), so neither the buyer nor the centre can choose or re-roll.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tongban.core import clock, draws
from tongban.core.errors import DomainError
from tongban.core.models import DrawRecord
from tongban.intermediaries import errors
from tongban.intermediaries.models import Purchase, PurchaseStatus, SelectionMethod
from tongban.intermediaries.services._common import audit, lock, refuse
from tongban.intermediaries.services.purchases import (
    _close_signup,
    eligible_signups,
    fail,
    record_selection,
)

DRAW_PURPOSE = "intermediaries.purchase"


def purchase_draw_open(*, purchase: Purchase, actor: Any = None) -> DrawRecord:
    """Publish the draw's commitment (idempotent: the same purchase answers the same draw)."""
    record = draws.draw_open(
        purpose=DRAW_PURPOSE,
        subject=purchase.code,
        actor=actor,
        title=f"中介服务采购“{purchase.title}”随机抽取",
    )
    if purchase.draw_public_id != record.public_id:
        Purchase.objects.filter(pk=purchase.pk).update(draw_public_id=record.public_id)
        purchase.draw_public_id = record.public_id
    return record


def purchase_draw_run(
    *, purchase: Purchase, actor: Any = None, now: dt.datetime | None = None
) -> Purchase:
    """After sign-up closes: draw one agency from the eligible sign-ups, publicly."""
    now = now or clock.now()
    if purchase.method != SelectionMethod.RANDOM:
        raise DomainError(errors.SELECTION_INVALID, "该采购项目不是随机抽取。")
    with draws.draw_atomic():  # a failure after the draw deletes its candidate file again
        locked = lock(purchase)
        _close_signup(locked, actor=actor, now=now)
        if locked.status != PurchaseStatus.SELECTING:
            # A second draw (another seed, other candidates) is not a re-roll: refused.
            raise refuse(
                errors.PURCHASE_INVALID_STATE,
                "该采购项目已完成抽取，不能重新抽取。",
                purchase=locked,
                actor=actor,
            )
        assert locked.draw_public_id is not None  # opened at publication
        record = DrawRecord.objects.get(public_id=locked.draw_public_id)
        signups = eligible_signups(locked, actor=actor, now=now)
        if not signups:
            return fail(locked, reason="没有符合条件的报名机构，无法抽取", actor=actor, now=now)
        by_code = {s.agency.credit_code: s for s in signups}
        record = draws.draw_run(record, candidates=sorted(by_code), k=1, actor=actor)
        winner = by_code[(record.result or [])[0]]
        audit(locked, "purchase_draw_run", actor, now, draw=str(record.public_id))
        return record_selection(
            locked,
            winner,
            signups,
            reason=f"随机抽取：从 {len(by_code)} 家符合条件的报名机构中抽中"
            f"（抽取记录 {record.public_id}）",
            actor=actor,
            now=now,
        )
