"""Reads of the integration, scoped to the calling system's department (CONVENTIONS 5)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db.models import QuerySet

from tongban.cases.models import Case, CaseMaterial
from tongban.cases.selectors import case_get_for_staff
from tongban.core import clock
from tongban.core.api.pagination import Page, _encode, _value, paginate
from tongban.core.errors import DomainError
from tongban.integration import errors
from tongban.integration.models import DepartmentSystem, WebhookDelivery
from tongban.org.models import StaffAssignment

logger = logging.getLogger(__name__)

# Rows younger than this are left for the next poll: a transaction that
# stamped an earlier time may still be committing, and a keyset cursor past
# its row would never see it.
SETTLE = dt.timedelta(seconds=2)
FEED_ORDERING = ("updated_at", "id")


def system_for_user(user: Any) -> DepartmentSystem:
    """The department system this account is, or ``integration_not_a_system`` (403)."""
    system = (
        DepartmentSystem.objects.select_related("department")
        .filter(user_id=getattr(user, "pk", 0) or 0, user__kind="system", user__is_active=True)
        .first()
    )
    if system is None:
        # Refused and logged (issue 14, "bad input"): a token of another account kind.
        logger.warning(
            "integration API refused to account %s: not a department system",
            getattr(user, "pk", None),
        )
        raise DomainError(
            errors.NOT_A_SYSTEM,
            "此接口仅供已登记的部门业务系统使用（系统账号的访问令牌）。",
        )
    return system


def cases_changed_for_system(
    *, user: Any, cursor: str | None, limit: int, now: dt.datetime | None = None
) -> tuple[Page[Case], str | None]:
    """The department's cases in the order they last changed, after ``cursor``;
    and the cursor to resume from (the last row's, or the one given)."""
    system = system_for_user(user)
    settled = (now or clock.now()) - SETTLE
    qs = Case.objects.filter(
        department_id=system.department_id,
        region_path__startswith=system.department.region.path,
        updated_at__lte=settled,
    ).select_related("service_item")
    page = paginate(qs, ordering=FEED_ORDERING, cursor=cursor, limit=limit)
    if page.items:
        last = page.items[-1]
        resume: str | None = _encode([_value(last, name) for name in FEED_ORDERING])
    else:
        resume = cursor
    return page, resume


def case_material_for_system(*, user: Any, case_no: str, code: str) -> CaseMaterial:
    """A material of a case of the system's department (same scope as the workbench)."""
    system_for_user(user)
    case = case_get_for_staff(user=user, case_no=case_no)
    material = case.materials.filter(code=(code or "")[:40]).first()
    if material is None or not material.file:
        raise DomainError(errors.MATERIAL_NOT_FOUND, "该办件没有此材料的文件。")
    return material


def deliveries_for_system(*, user: Any) -> QuerySet[WebhookDelivery]:
    system = system_for_user(user)
    return WebhookDelivery.objects.filter(endpoint__system=system).select_related("endpoint")


def delivery_get_for_system(*, user: Any, delivery_id: int) -> WebhookDelivery:
    delivery = deliveries_for_system(user=user).filter(pk=delivery_id).first()
    if delivery is None:
        from tongban.core import errors as core_errors

        raise DomainError(core_errors.NOT_FOUND, "未找到该推送记录。")
    return delivery


def system_roles(*, system: DepartmentSystem) -> list[str]:
    """The roles of the system's active staff posts (its department's scope)."""
    roles = StaffAssignment.objects.filter(user_id=system.user_id, active=True)
    return sorted(set(roles.values_list("role", flat=True)))
