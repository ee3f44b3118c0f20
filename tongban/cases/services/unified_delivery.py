"""A member case of an 一件事 handed out with the bundle's results (窗口统一出件):
the date its delivery waits for (``rules["unified_delivery_by"]``, f7f6e30).

``case_submit(unified_delivery_by=…)`` keeps the date when the case is filed;
:func:`case_unified_delivery_set` moves it later — when the bundle's joint
period is extended (行政许可法 第四十二条第二款), or for a member filed before the
date was kept — and re-derives the delivery deadline as ``recompute`` does: the
later of ten working days after the decision (第四十四条, the floor) and that
date. Only a case whose result is not yet handed out is changed; setting the
date it already has writes nothing, so callers may repeat it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tongban.cases.models import Case, CaseStatus
from tongban.cases.services._common import DEADLINE_FIELDS, refresh_deadlines
from tongban.core import clock

# Before 送达: the delivery deadline is still ahead of the case.
NOT_YET_DELIVERED = (
    CaseStatus.SUBMITTED,
    CaseStatus.SUPPLEMENT_REQUESTED,
    CaseStatus.SUPPLEMENTED,
    CaseStatus.ACCEPTED,
    CaseStatus.UNDER_REVIEW,
    CaseStatus.SUSPENDED,
    CaseStatus.DECIDED,
)


def case_unified_delivery_set(
    *, case_id: int, by: dt.date, actor: Any, reason: str, now: dt.datetime | None = None
) -> bool:
    """Keep ``by`` as the date the case's result is handed out with the bundle's;
    whether anything changed. A deadline that moves is a ``deadline_change``
    history row with ``reason``, as every re-derived deadline is (a case not
    yet decided has no delivery deadline to move: only its rules change)."""
    moment = now or clock.now()
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).get(pk=case_id)
        if case.status not in NOT_YET_DELIVERED:
            return False
        if case.rules.get("unified_delivery_by") == by.isoformat():
            return False
        case.rules = {**case.rules, "unified_delivery_by": by.isoformat()}
        refresh_deadlines(case, actor=actor, now=moment, reason=reason)
        case.updated_at = moment
        case.save(update_fields=["rules", *DEADLINE_FIELDS, "provisional_year", "updated_at"])
    return True
