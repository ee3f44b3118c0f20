"""Reads of the supervisor's desk (监察工作台) and of 督办, scoped in SQL
(CONVENTIONS 5): "not yours" is "not found".

The desk, for a region and optionally one department in the supervisor's
scope: the cases past or near a deadline (red alerts first), the bad ratings
awaiting rectification (overdue first), and the 督办 instructions still open.
A few bounded queries; nothing is counted over the whole table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case as When_
from django.db.models import IntegerField, Q, QuerySet, Value, When

from tongban.core import errors as core_errors
from tongban.core.errors import DomainError
from tongban.evaluation.models import Rectification
from tongban.evaluation.models import RectificationStatus as RS
from tongban.org.models import Department, Region
from tongban.org.selectors import StaffScope, scope_q, staff_scope_for
from tongban.supervision.instructions import READ_ROLES, SUPERVISE_ROLES
from tongban.supervision.models import Alert, AlertLevel, Instruction, InstructionStatus

DESK_LIMIT = 50


def _scope(user: Any, roles: Any) -> StaffScope:
    return staff_scope_for(user=user).for_roles(*roles)


def may_supervise(user: Any) -> bool:
    return not _scope(user, SUPERVISE_ROLES).is_empty


def may_read_instructions(user: Any) -> bool:
    return not _scope(user, READ_ROLES).is_empty


def _instructions(user: Any) -> QuerySet[Instruction]:
    scope = _scope(user, READ_ROLES)
    return Instruction.objects.filter(
        scope_q(scope=scope, region_path_field="region_path", department_field="department")
    )


def instruction_list_for_staff(
    *, user: Any, open_only: bool = True, limit: int = DESK_LIMIT
) -> list[Instruction]:
    """督办单 in scope: unanswered first, then by deadline (a bounded list)."""
    rows = _instructions(user).select_related("department", "issued_by")
    if open_only:
        rows = rows.exclude(status=InstructionStatus.CLOSED)
    order = When_(
        When(status=InstructionStatus.SENT, then=Value(0)),
        When(status=InstructionStatus.ANSWERED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return list(rows.annotate(stage=order).order_by("stage", "due_on", "id")[:limit])


def instruction_get_for_staff(*, user: Any, instruction_id: int) -> Instruction:
    instruction = (
        _instructions(user)
        .select_related("department", "issued_by", "case")
        .prefetch_related("events")
        .filter(pk=instruction_id)
        .first()
    )
    if instruction is None:
        raise DomainError(core_errors.NOT_FOUND, "督办单不存在。")
    return instruction


def departments_for_supervisor(*, user: Any) -> list[Department]:
    """The departments the supervisor may send 督办 to, by region then name."""
    scope = _scope(user, SUPERVISE_ROLES)
    if scope.is_empty:
        return []
    return list(
        Department.objects.filter(
            scope_q(scope=scope, region_path_field="region__path", department_field="pk")
        )
        .select_related("region")
        .order_by("region__path", "name")[:500]
    )


@dataclass
class Desk:
    region: Region | None
    department: Department | None
    regions: list[Region]
    departments: list[Department]
    alerts: list[Alert] = field(default_factory=list)
    rectifications: list[Rectification] = field(default_factory=list)
    instructions: list[Instruction] = field(default_factory=list)


def supervisor_desk_for_staff(
    *, user: Any, today: dt.date, region_code: str = "", department_id: int | None = None
) -> Desk:
    """The desk of a supervisor, narrowed to a region and a department in scope.

    ``not_found`` for a region or department outside the scope; a user who
    supervises nothing gets ``permission_denied``.
    """
    scope = _scope(user, SUPERVISE_ROLES)
    if scope.is_empty:
        raise DomainError(core_errors.PERMISSION_DENIED, "监察工作台仅对监察人员开放。")
    departments = departments_for_supervisor(user=user)
    region_q = Q(pk__in=[])
    for path in scope.region_paths:
        region_q |= Q(path=path) | Q(parent__path=path)
    regions = list(Region.objects.filter(region_q).order_by("path").only("code", "name", "path"))
    region = None
    if region_code:
        region = next((r for r in regions if r.code == region_code), None)
        if region is None:
            raise DomainError(core_errors.NOT_FOUND, "区划不存在或不在本人监察范围内。")
    department = None
    if department_id is not None:
        department = next((d for d in departments if d.pk == department_id), None)
        if department is None:
            raise DomainError(core_errors.NOT_FOUND, "部门不存在或不在本人监察范围内。")

    def narrow(rows: QuerySet[Any], dept_field: str) -> QuerySet[Any]:
        rows = rows.filter(
            scope_q(scope=scope, region_path_field="region_path", department_field=dept_field)
        )
        if region is not None:
            rows = rows.filter(region_path__startswith=region.path)
        if department is not None:
            rows = rows.filter(**{dept_field: department.pk})
        return rows

    desk = Desk(region, department, regions, departments)
    red_first = When_(
        When(level=AlertLevel.RED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    desk.alerts = list(
        narrow(Alert.objects.filter(resolved_at__isnull=True), "department")
        .select_related("case__service_item", "department")
        .annotate(red=red_first)
        .order_by("red", "deadline", "id")[:DESK_LIMIT]
    )
    desk.rectifications = list(
        narrow(Rectification.objects.filter(status__in=(RS.OPEN, RS.ESCALATED)), "department_id")
        .select_related("rating__service_item", "department")
        .order_by("due_on", "id")[:DESK_LIMIT]
    )
    desk.instructions = list(
        narrow(Instruction.objects.exclude(status=InstructionStatus.CLOSED), "department")
        .select_related("department")
        .order_by("due_on", "id")[:DESK_LIMIT]
    )
    return desk
