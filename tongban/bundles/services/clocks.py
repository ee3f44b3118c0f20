"""The date a bundle's results are handed out together (窗口统一出件), and its
members' delivery deadlines kept on it.

A member's result waits for the others' and is delivered by the bundle's
deadline, never sooner than ten working days after its own decision (行政许可法
第四十四条, the floor; ``cases.deadlines.recompute``). The bundle's deadline is its
promised one (the joint 45 working days when it promises none); once the lead
department's head extends the joint period (第四十二条第二款, +≤15) the
extended legal deadline, if that is later.

* :func:`members_delivery_follow` moves the members' date after an extension
  (``delivery.bundle_application_extend`` calls it in the same transaction);
* :func:`bundle_delivery_recount` brings every open application's members onto
  the rule — members filed before the date was kept with the case (f7f6e30) ran
  on the plain ten days — one application at a time, idempotently
  (``tongban bundles delivery-recount``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from tongban.bundles.models import ApplicationStatus, BundleApplication, BundleMember
from tongban.cases.services.unified_delivery import NOT_YET_DELIVERED, case_unified_delivery_set
from tongban.core import clock
from tongban.core.errors import DomainError

logger = logging.getLogger(__name__)

OPEN = (ApplicationStatus.IN_PROGRESS, ApplicationStatus.READY)
EXTENDED = "一件事联合办理期限经批准延长，统一出件期限随之调整"
RECOUNTED = "按一件事统一出件期限重新计算送达期限"


def unified_delivery_date(application: BundleApplication) -> dt.date | None:
    """The date the members' results are handed out by (the floor aside)."""
    base = application.deadline or application.legal_deadline
    if application.extension_days and application.legal_deadline is not None:
        return max(d for d in (base, application.legal_deadline) if d is not None)
    return base


def _waiting_members(application: BundleApplication) -> list[BundleMember]:
    return list(
        application.members.filter(case__status__in=NOT_YET_DELIVERED)
        .select_related("case")
        .order_by("position")
    )


def members_delivery_follow(
    application: BundleApplication, *, actor: Any, now: dt.datetime, reason: str = EXTENDED
) -> list[str]:
    """Keep every member case not yet delivered on the bundle's date; the case
    numbers whose date changed."""
    by = unified_delivery_date(application)
    if by is None:
        return []
    moved = []
    for member in _waiting_members(application):
        case = member.case
        assert case is not None  # filtered on its status
        if case_unified_delivery_set(case_id=case.pk, by=by, actor=actor, reason=reason, now=now):
            moved.append(case.case_no)
    return moved


@dataclass
class DeliveryRecount:
    applications: int = 0
    cases: list[str] = field(default_factory=list)  # case numbers whose date changed
    failed: int = 0


def bundle_delivery_recount(*, now: dt.datetime | None = None) -> DeliveryRecount:
    """Every open application's members onto the bundle's date; a second run
    changes nothing. Each case is changed in its own short transaction under
    its row lock (``case_unified_delivery_set``)."""
    moment = now or clock.now()
    result = DeliveryRecount()
    for application in BundleApplication.objects.filter(status__in=OPEN).order_by("id").iterator():
        result.applications += 1
        try:
            result.cases += members_delivery_follow(
                application, actor=None, now=moment, reason=RECOUNTED
            )
        except DomainError as exc:  # e.g. calendar_year_unavailable
            result.failed += 1
            logger.warning("delivery of %s not recounted: %s", application.application_no, exc)
    return result
