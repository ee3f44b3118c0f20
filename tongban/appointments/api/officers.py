"""首席服务官 and 一对一专办 (R-CS-10) at /api/v1/appointments/officers.

Assigners (监察人员, 部门负责人, 平台管理员; scoped to their regions in SQL, "not
yours" is 404):
GET  /officers?status=&cursor=          assignments of the businesses and projects in scope
POST /officers                          指派 (201; Idempotency-Key)
GET  /officers/{id}                     one, with its history; ETag
POST /officers/{id}/reassign            改派 with a note; If-Match
POST /officers/{id}/end                 结束; If-Match
The officer: GET /officers/serving      her own businesses and projects today
A business's account: GET /officers/mine   the officers serving the businesses it acts for
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from tongban.appointments import errors, officer_selectors
from tongban.appointments.api.common import (
    IF_MATCH_DOC,
    expected_version,
    staff_of,
    user_of,
    with_etag,
)
from tongban.appointments.models import OfficerKind, OfficerStatus, ServiceOfficer
from tongban.appointments.services.officers import (
    assigner_scope,
    service_officer_assign,
    service_officer_end,
    service_officer_reassign,
)
from tongban.core import clock
from tongban.core.api.pagination import paginate
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.errors import DomainError
from tongban.identity.auth import api_auth

router = Router(tags=["预约与叫号"], auth=api_auth)
WHAT = "指派"


class OfficerEventOut(Schema):
    action: str = Field(description="assign（指派）、reassign（改派）或 end（结束）")
    actor: str
    officer: str
    note: str
    at: dt.datetime


class OfficerOut(Schema):
    id: int
    kind: str = Field(description="chief（首席服务官）或 dedicated（一对一专办）")
    kind_label: str
    status: str = Field(description="active（在任）或 ended（已结束）")
    status_label: str
    credit_code: str = Field(description="企业（项目单位）统一社会信用代码")
    business: str = Field(description="服务企业名称；服务项目时为空")
    project_code: str = Field(description="重点项目的投资项目代码；服务企业时为空")
    project_name: str
    officer: str = Field(description="服务专员姓名")
    department: str
    phone: str
    office: str
    duties: str
    starts_on: dt.date
    ends_on: dt.date | None
    version: int


class OfficerDetailOut(OfficerOut):
    events: list[OfficerEventOut]


class OfficerPageOut(Schema):
    items: list[OfficerOut]
    next_cursor: str | None


class OfficersQuery(Schema):
    status: Literal["", "active", "ended"] = Field("", description="按状态筛选")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class AssignIn(Schema):
    kind: Literal["chief", "dedicated"]
    officer: str = Field(max_length=150, description="服务专员的工作人员用户名")
    phone: str = Field(max_length=40, description="办公电话")
    duties: str = Field(max_length=400, description="服务内容")
    credit_code: str = Field("", max_length=40, description="企业统一社会信用代码（与项目二选一）")
    project_code: str = Field("", max_length=40, description="投资项目代码（与企业二选一）")
    office: str = Field("", max_length=200)
    starts_on: dt.date | None = Field(None, description="起始日期，默认今天")
    ends_on: dt.date | None = None


class ReassignIn(Schema):
    officer: str = Field(max_length=150, description="新服务专员的工作人员用户名")
    note: str = Field(max_length=400, description="改派说明")
    phone: str = Field("", max_length=40, description="新的办公电话，可不填")
    office: str | None = Field(None, max_length=200)


class EndIn(Schema):
    note: str = Field("", max_length=400)


def _out(row: ServiceOfficer) -> dict[str, Any]:
    entity, project = row.legal_entity, row.project
    return {
        "id": row.pk,
        "kind": row.kind,
        "kind_label": OfficerKind(row.kind).label,
        "status": row.status,
        "status_label": OfficerStatus(row.status).label,
        "credit_code": row.credit_code,
        "business": entity.name if entity else "",
        "project_code": project.code if project else "",
        "project_name": project.name if project else "",
        "officer": row.officer.display_name,
        "department": row.department.name,
        "phone": row.phone,
        "office": row.office,
        "duties": row.duties,
        "starts_on": row.starts_on,
        "ends_on": row.ends_on,
        "version": row.version,
    }


def _assigner(request: HttpRequest) -> Any:
    staff = staff_of(request, "只有监察人员或大厅负责人可以查看和指派服务专员。")
    scope = assigner_scope(staff)
    if scope.is_empty:
        raise DomainError(errors.OFFICER_FORBIDDEN, "只有监察人员或大厅负责人可以指派服务专员。")
    return staff, scope


def _detail(response: HttpResponse, scope: Any, assignment_id: int) -> dict[str, Any]:
    row = officer_selectors.officer_assignment_in_scope(scope, assignment_id)
    if row is None:
        raise DomainError(errors.OFFICER_NOT_FOUND, "指派不存在，或不在您的管辖范围内。")
    with_etag(response, row.version)
    events = [
        {
            "action": e.action,
            "actor": e.actor.display_name,
            "officer": e.officer.display_name,
            "note": e.note,
            "at": e.at,
        }
        for e in row.events.all()
    ]
    return {**_out(row), "events": events}


@router.get(
    "/officers",
    response={200: OfficerPageOut, **PROBLEM_RESPONSES},
    summary="服务专员指派（管辖范围内）",
    description="监察人员、部门负责人可见其管辖区划内企业和项目的指派，新指派在前。",
)
def officer_list(request: HttpRequest, query: Query[OfficersQuery]) -> dict[str, Any]:
    _staff, scope = _assigner(request)
    rows = officer_selectors.officer_assignments_in_scope(scope)
    if query.status:
        rows = rows.filter(status=query.status)
    page = paginate(rows, ordering=("-created_at", "-pk"), cursor=query.cursor, limit=query.limit)
    return {"items": [_out(r) for r in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/officers",
    response={201: OfficerDetailOut, **PROBLEM_RESPONSES},
    summary="指派服务专员",
    description="企业或项目不在管辖范围为 404；同期已有同类在任专员为 409 service_officer_overlap；"
    "专员不是管辖范围内在岗工作人员为 422。支持 Idempotency-Key。",
)
def officer_assign(request: HttpRequest, response: HttpResponse, body: AssignIn) -> Status[Any]:
    staff, scope = _assigner(request)
    row = service_officer_assign(
        staff=staff,
        kind=body.kind,
        officer=body.officer,
        phone=body.phone,
        duties=body.duties,
        credit_code=body.credit_code,
        project_code=body.project_code,
        office=body.office,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
    )
    return Status(201, _detail(response, scope, row.pk))


@router.get(
    "/officers/serving",
    response={200: list[OfficerOut], **PROBLEM_RESPONSES},
    summary="我服务的企业和项目",
    description="服务专员本人今日在任的指派。",
)
def officer_serving(request: HttpRequest) -> list[dict[str, Any]]:
    staff = staff_of(request, "只有工作人员可以查看本人的服务指派。")
    rows = officer_selectors.officer_assignments_for_officer(user=staff, today=clock.today())
    for row in rows:
        row.officer = staff
    return [_out(r) for r in rows]


@router.get(
    "/officers/mine",
    response={200: list[OfficerOut], **PROBLEM_RESPONSES},
    summary="为我单位服务的专员",
    description="本账号可代表的企业（及其项目）今日在任的首席服务官和一对一专办。",
)
def officer_mine(request: HttpRequest) -> list[dict[str, Any]]:
    rows = officer_selectors.officers_for_user(user=user_of(request), today=clock.today())
    return [_out(r) for r in rows]


@router.get(
    "/officers/{assignment_id}",
    response={200: OfficerDetailOut, **PROBLEM_RESPONSES},
    summary="一项指派及其记录",
)
def officer_get(request: HttpRequest, response: HttpResponse, assignment_id: int) -> Any:
    _staff, scope = _assigner(request)
    return _detail(response, scope, assignment_id)


@router.post(
    "/officers/{assignment_id}/reassign",
    response={200: OfficerDetailOut, **PROBLEM_RESPONSES},
    summary="改派服务专员",
    description="须写明改派说明；已结束为 409；If-Match 版本不符为 412。",
)
def officer_reassign(
    request: HttpRequest,
    response: HttpResponse,
    assignment_id: int,
    body: ReassignIn,
    if_match: str | None = Header(None, description=IF_MATCH_DOC),
) -> Any:
    staff, scope = _assigner(request)
    service_officer_reassign(
        staff=staff,
        assignment_id=assignment_id,
        officer=body.officer,
        note=body.note,
        phone=body.phone,
        office=body.office,
        expected_version=expected_version(if_match, WHAT),
    )
    return _detail(response, scope, assignment_id)


@router.post(
    "/officers/{assignment_id}/end",
    response={200: OfficerDetailOut, **PROBLEM_RESPONSES},
    summary="结束指派",
    description="已结束为 409；If-Match 版本不符为 412。",
)
def officer_end(
    request: HttpRequest,
    response: HttpResponse,
    assignment_id: int,
    body: EndIn,
    if_match: str | None = Header(None, description=IF_MATCH_DOC),
) -> Any:
    staff, scope = _assigner(request)
    service_officer_end(
        staff=staff,
        assignment_id=assignment_id,
        note=body.note,
        expected_version=expected_version(if_match, WHAT),
    )
    return _detail(response, scope, assignment_id)
