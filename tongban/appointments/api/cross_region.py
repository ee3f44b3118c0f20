"""同城通办 and 异地代办 (R-CS-10) at /api/v1/appointments/.

GET /halls/{id}/cross-region-items?q=&cursor=   public: the other regions' items the hall
                                                takes in (its 通办 list)
GET /cross-region/cases?cursor=                 staff: the cases the halls in scope took for
                                                other regions, read-only (status only)
GET /cross-region/figures?from=&to=             staff: counted for both sides, per taking hall
                                                and per owning department
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tongban.appointments.api.common import staff_of
from tongban.appointments.cross_region_selectors import (
    cross_region_figures,
    remote_items_for_hall,
    taken_for_others,
)
from tongban.appointments.selectors import STAFF_ROLES
from tongban.cases.cross_region import CrossRegion
from tongban.cases.models import CaseStatus
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.api.pagination import paginate
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.errors import DomainError
from tongban.core.masking import mask_name
from tongban.identity.auth import api_auth
from tongban.org.models import Hall
from tongban.org.selectors import staff_scope_for

router = Router(tags=["预约与叫号"])
MAX_DAYS = 366


class RemoteItemOut(Schema):
    id: int
    implementation_code: str
    name: str
    department: str = Field(description="实施主体（所属地区的部门）")


class RemoteItemPageOut(Schema):
    hall: str
    items: list[RemoteItemOut]
    next_cursor: str | None


class RemoteItemsQuery(Schema):
    q: str = Field("", max_length=40, description="事项名称或实施编码中的字词")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class TakenCaseOut(Schema):
    case_no: str
    status: str
    status_label: str
    cross_region: str = Field(description="same_city（同城通办）或 other_place（异地代办）")
    cross_region_label: str
    received_at: dt.datetime | None
    decision_deadline: dt.date | None
    applicant: str = Field(description="申请人（脱敏）")
    service_item: str
    department: str = Field(description="办理部门（事项所属地区）")
    department_region: str
    intake_hall: str = Field(description="收件大厅")


class TakenPageOut(Schema):
    items: list[TakenCaseOut]
    next_cursor: str | None


class CrossRegionPageQuery(Schema):
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class CrossRegionFiguresQuery(Schema):
    first: dt.date | None = Field(
        None, alias="from", description="起始日期（收件日），默认本月一日"
    )
    last: dt.date | None = Field(None, alias="to", description="截止日期，默认今天；至多 366 天")


class FigureRowOut(Schema):
    name: str
    same_city: int
    other_place: int
    total: int


class FiguresOut(Schema):
    start: dt.date
    end: dt.date
    taken: list[FigureRowOut] = Field(description="按收件大厅：为外地收件的件数")
    received: list[FigureRowOut] = Field(description="按办理部门：收到外地大厅转来的件数")


def _scope(request: HttpRequest) -> Any:
    staff = staff_of(request, "通办办件仅对窗口人员、部门负责人和监察人员开放。")
    scope = staff_scope_for(user=staff).for_roles(*STAFF_ROLES)
    if scope.is_empty:
        raise DomainError(
            core_errors.PERMISSION_DENIED, "通办办件仅对窗口人员、部门负责人和监察人员开放。"
        )
    return scope


@router.get(
    "/halls/{hall_id}/cross-region-items",
    response={200: RemoteItemPageOut, **PROBLEM_RESPONSES},
    summary="大厅的通办事项",
    description="该大厅代收的其他地区事项（同城通办、异地代办），办件由事项所属地区的部门办理。",
)
def remote_items(request: HttpRequest, hall_id: int, query: Query[RemoteItemsQuery]) -> Any:
    hall = Hall.objects.select_related("region").filter(pk=hall_id).first()
    if hall is None:
        raise DomainError(core_errors.NOT_FOUND, "大厅不存在。")
    rows = remote_items_for_hall(hall=hall, q=query.q)
    page = paginate(rows, ordering=("name", "id"), cursor=query.cursor, limit=query.limit)
    return {
        "hall": hall.name,
        "items": [
            {
                "id": i.pk,
                "implementation_code": i.implementation_code,
                "name": i.name,
                "department": i.department.name,
            }
            for i in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/cross-region/cases",
    response={200: TakenPageOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="本大厅为外地收件的办件",
    description="只读：办件由事项所属地区的部门在其办件队列中办理，这里只显示状态。",
)
def taken_cases(request: HttpRequest, query: Query[CrossRegionPageQuery]) -> dict[str, Any]:
    rows = taken_for_others(scope=_scope(request))
    page = paginate(rows, ordering=("-received_at", "-pk"), cursor=query.cursor, limit=query.limit)
    return {
        "items": [
            {
                "case_no": c.case_no,
                "status": c.status,
                "status_label": CaseStatus(c.status).label,
                "cross_region": c.cross_region,
                "cross_region_label": CrossRegion(c.cross_region).label,
                "received_at": c.received_at,
                "decision_deadline": c.decision_deadline,
                "applicant": mask_name(c.applicant_name or ""),
                "service_item": c.service_item.name,
                "department": c.department.name,
                "department_region": c.department.region.name,
                "intake_hall": c.intake_hall.name if c.intake_hall else "",
            }
            for c in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/cross-region/figures",
    response={200: FiguresOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="通办件数",
    description="同一期间（按收件日）为外地收件和收到外地转来的件数，两边各计一次。",
)
def figures(request: HttpRequest, query: Query[CrossRegionFiguresQuery]) -> dict[str, Any]:
    scope = _scope(request)
    today = clock.today()
    end = query.last or today
    start = query.first or end.replace(day=1)
    if start > end or (end - start).days >= MAX_DAYS:
        raise DomainError(
            core_errors.VALIDATION_FAILED,
            f"统计期间须开始不晚于结束，且不超过 {MAX_DAYS} 天。",
            fields=[{"field": "from"}],
        )
    taken, received = cross_region_figures(scope=scope, start=start, end=end)

    def rows(found: list[Any]) -> list[dict[str, Any]]:
        return [
            {
                "name": r.name,
                "same_city": r.same_city,
                "other_place": r.other_place,
                "total": r.total,
            }
            for r in found
        ]

    return {"start": start, "end": end, "taken": rows(taken), "received": rows(received)}
