"""Reads of 双随机、一公开 for staff and inspectors, scoped in SQL (CONVENTIONS 5).

A department's staff see its inspection items and inspectors, and the plans it
leads or takes part in (跨部门联合抽查); only the lead department's staff act on
a plan. An inspector sees the tasks she is assigned to.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tongban.core.errors import DomainError
from tongban.org.models import Department, Role
from tongban.org.selectors import StaffScope, scope_q, staff_scope_for
from tongban.supervision import inspection_errors as errors
from tongban.supervision.inspection_models import (
    InspectionItem,
    InspectionPlan,
    InspectionTask,
    Inspector,
)

PLAN_ROLES = (Role.DEPARTMENT_HEAD, Role.HANDLER, Role.SUPERVISOR, Role.PLATFORM_ADMIN)


def plan_scope_for(user: Any) -> StaffScope:
    return staff_scope_for(user=user).for_roles(*PLAN_ROLES)


def departments_for_staff(*, scope: StaffScope) -> QuerySet[Department]:
    return (
        Department.objects.filter(
            scope_q(scope=scope, region_path_field="region__path", department_field="pk")
        )
        .select_related("region")
        .order_by("region__path", "pk")
    )


def items_list_for_staff(*, scope: StaffScope) -> QuerySet[InspectionItem]:
    return (
        InspectionItem.objects.filter(
            scope_q(
                scope=scope,
                region_path_field="department__region__path",
                department_field="department",
            )
        )
        .select_related("department")
        .order_by("department_id", "code")
    )


def inspectors_list_for_staff(*, scope: StaffScope) -> QuerySet[Inspector]:
    return (
        Inspector.objects.filter(
            scope_q(
                scope=scope,
                region_path_field="department__region__path",
                department_field="department",
            )
        )
        .select_related("department")
        .order_by("department_id", "certificate_no")
    )


def plans_led_by_staff(*, scope: StaffScope) -> QuerySet[InspectionPlan]:
    """Plans whose lead department is in the scope: the ones the caller acts on."""
    return InspectionPlan.objects.filter(
        scope_q(scope=scope, region_path_field="region_path", department_field="lead_department")
    ).select_related("lead_department", "entity_draw", "inspector_draw")


def plans_list_for_staff(*, scope: StaffScope) -> QuerySet[InspectionPlan]:
    """Plans the caller's departments lead or take part in (joint inspections)."""
    led = scope_q(scope=scope, region_path_field="region_path", department_field="lead_department")
    joined = scope_q(
        scope=scope, region_path_field="departments__region__path", department_field="departments"
    )
    ids = InspectionPlan.objects.filter(led | joined).values("pk")
    return (
        InspectionPlan.objects.filter(pk__in=ids)
        .select_related("lead_department", "entity_draw", "inspector_draw")
        .order_by("-starts_on", "-pk")
    )


def plan_get_for_staff(*, scope: StaffScope, plan_id: int, lead: bool = False) -> InspectionPlan:
    found = (
        (plans_led_by_staff(scope=scope) if lead else plans_list_for_staff(scope=scope))
        .filter(pk=plan_id)
        .first()
    )
    if found is None:
        raise DomainError(errors.PLAN_NOT_FOUND, "抽查计划不存在。")
    return found


def inspector_of(user: Any) -> Inspector | None:
    user_id = getattr(user, "pk", None)
    if not user_id:
        return None
    return (
        Inspector.objects.filter(user_id=user_id, active=True).select_related("department").first()
    )


def tasks_for_inspector(*, inspector: Inspector) -> QuerySet[InspectionTask]:
    return (
        InspectionTask.objects.filter(Q(inspectors=inspector))
        .select_related("plan__lead_department", "entered_by")
        .order_by("result", "plan__ends_on", "subject_code")
    )


def _regions_q(scope: StaffScope, field: str) -> Q:
    """Rows in the caller's region subtrees, whatever their department: the other
    departments a joint plan may invite (跨部门联合抽查)."""
    combined = Q(pk__in=[])
    for grant in scope.grants:
        combined |= Q(**{f"{field}__startswith": grant.region_path})
    return combined


def departments_in_regions(*, scope: StaffScope) -> QuerySet[Department]:
    return Department.objects.filter(_regions_q(scope, "region__path")).order_by(
        "region__path", "pk"
    )


def items_in_regions(*, scope: StaffScope) -> QuerySet[InspectionItem]:
    return (
        InspectionItem.objects.filter(_regions_q(scope, "department__region__path"), active=True)
        .select_related("department")
        .order_by("department_id", "code")
    )
