"""Who may not take part: 一处失信、全省受限 (R-IM-1), 一地受罚、处处受制 (R-PR-1).

Every selection asks :func:`restrictions_for` with the measure it applies
(``"marketplace"`` for the agency library and purchases, ``"bidding"`` for
trading). It joins two sources: the agency library's own suspensions
(:class:`~tongban.intermediaries.models.AgencyPenalty`, recorded by the centre,
binding in every region whatever region recorded them) and the platform's credit
registry's black lists (``tongban.credit.selectors.restrictions``), which bind
every region too. A buyer's rating of a finished service is recorded in the
credit registry (:func:`rating_to_credit`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from tongban.core import clock
from tongban.credit import selectors as credit_selectors
from tongban.credit.services.records import credit_record_add
from tongban.intermediaries.models import AgencyPenalty, AgencyRating, PenaltyKind


def penalties_in_force(now: dt.datetime) -> Q:
    return Q(kind=PenaltyKind.SUSPENSION, starts_at__lte=now) & (
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )


def restrictions_for(*, credit_code: str, measure: str, now: dt.datetime) -> list[str]:
    """Reasons why the entity with this credit code may not take part (empty: it may)."""
    reasons: list[str] = []
    if measure == "marketplace":  # the library's suspensions bar intermediary work only
        reasons += [
            f"{p.decided_by}：{p.reason}（暂停承接中介业务，全省适用）"
            for p in AgencyPenalty.objects.filter(
                penalties_in_force(now), agency__credit_code=credit_code
            )
        ]
    for entry in credit_selectors.restrictions(
        credit_code, measure=measure, today=clock.local_date(now)
    ):
        reasons.append(f"{entry.list_name}（{entry.department_name}）：{entry.reason}")
    return reasons


# 1–2 stars: a general lapse (一般失信); 3: nothing to record; 4–5: good conduct (守信).
_SEVERITY = {1: "general", 2: "minor", 4: "positive", 5: "positive"}


def rating_to_credit(rating: AgencyRating, *, actor: Any, now: dt.datetime) -> bool:
    """Feed a rating to the credit registry; a neutral 3 records nothing. True when recorded."""
    severity = _SEVERITY.get(rating.score)
    if severity is None:
        return False
    credit_record_add(
        subject_code=rating.agency.credit_code,
        subject_kind="entity",
        subject_name=rating.agency.name,
        source="marketplace_rating",
        ref=f"purchase:{rating.purchase.code}",
        summary=(
            f"中介服务“{rating.purchase.title}”采购人评价 {rating.score} 星"
            + (f"：{rating.comment}" if rating.comment else "")
        )[:500],
        severity=severity,
        occurred_at=rating.rated_at,
        actor=actor,
        now=now,
    )
    return True
