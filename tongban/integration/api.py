"""Integration API at /api/v1/integration/ for department business systems (R-PL-4).

A department system is a system account with an API token, scoped to its
department. With it a system mirrors its queue without re-entry:

GET  /integration/me                              who am I (department, roles, webhooks)
GET  /integration/cases?cursor=                   the department's cases as they change
GET  /integration/cases/{case_no}/materials/{code} a material's file
GET  /integration/deliveries                      the webhook delivery log
POST /integration/deliveries/{id}/replay          send a delivery again

A case itself is read with ``GET /api/v1/cases/{case_no}`` and each step is
recorded with the cases API's commands (``POST /api/v1/cases/{case_no}/accept``
…, with ``If-Match``): the same services the workbench uses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from tongban.cases.models import CaseStatus
from tongban.core.api.files import content_disposition
from tongban.core.api.pagination import MAX_LIMIT, paginate
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.masking import mask_name
from tongban.identity.auth import api_auth
from tongban.integration import selectors
from tongban.integration.services import webhook_replay

router = Router(tags=["部门系统对接"])


class IntegrationFeedQuery(Schema):
    cursor: str | None = Field(default=None, max_length=500, description="上次返回的 resume_cursor")
    limit: int = Field(default=100, ge=1, le=MAX_LIMIT)


class IntegrationDepartmentOut(Schema):
    id: int
    name: str
    credit_code: str


class IntegrationEndpointOut(Schema):
    id: int
    url: str
    events: list[str] = Field(description="订阅的事件；空表示全部")
    active: bool


class IntegrationMeOut(Schema):
    system: str
    username: str
    department: IntegrationDepartmentOut
    roles: list[str]
    webhooks: list[IntegrationEndpointOut]


class IntegrationItemOut(Schema):
    implementation_code: str
    name: str


class IntegrationCaseOut(Schema):
    case_no: str
    version: int
    status: str
    status_label: str
    item: IntegrationItemOut
    applicant_name: str = Field(description="申请人（自然人脱敏）；详情见 /api/v1/cases/{case_no}")
    received_at: dt.datetime
    updated_at: dt.datetime
    decision_deadline: dt.date | None


class IntegrationFeedOut(Schema):
    items: list[IntegrationCaseOut]
    next_cursor: str | None = Field(description="还有更多时的下一页游标")
    resume_cursor: str | None = Field(description="下次轮询从此继续（即使本次已取完）")


class IntegrationDeliveryOut(Schema):
    id: int
    event: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    replay_of: int | None
    payload: dict[str, Any]


class IntegrationDeliveryPage(Schema):
    items: list[IntegrationDeliveryOut]
    next_cursor: str | None


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]  # set by ninja's auth


@router.get(
    "/me",
    response={200: IntegrationMeOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="本系统的登记信息",
    description="部门业务系统的所属部门、岗位与推送地址。"
    "非系统账号为 403 integration_not_a_system。",
)
def integration_me(request: HttpRequest) -> dict[str, Any]:
    system = selectors.system_for_user(_user(request))
    return {
        "system": system.name,
        "username": system.user.username,
        "department": {
            "id": system.department_id,
            "name": system.department.name,
            "credit_code": system.department.credit_code,
        },
        "roles": selectors.system_roles(system=system),
        "webhooks": [
            {"id": e.pk, "url": e.url, "events": e.events, "active": e.active}
            for e in system.endpoints.order_by("id")
        ],
    }


@router.get(
    "/cases",
    response={200: IntegrationFeedOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="本部门办件变更流",
    description="本部门的办件，按最近变更时间先后排列（游标分页）。保存 resume_cursor，"
    "下次从此继续，即可得到此后新增或变更的办件；每条带版本号，"
    "详情用 GET /api/v1/cases/{case_no}，"
    "办理用 /api/v1/cases/{case_no}/accept 等命令（If-Match）。",
)
def integration_cases(request: HttpRequest, params: Query[IntegrationFeedQuery]) -> dict[str, Any]:
    page, resume = selectors.cases_changed_for_system(
        user=_user(request), cursor=params.cursor, limit=params.limit
    )
    return {
        "items": [
            {
                "case_no": c.case_no,
                "version": c.version,
                "status": c.status,
                "status_label": CaseStatus(c.status).label,
                "item": {
                    "implementation_code": c.service_item.implementation_code,
                    "name": c.service_item.name,
                },
                "applicant_name": c.applicant_name
                if c.applicant_entity_id
                else mask_name(c.applicant_name),
                "received_at": c.received_at,
                "updated_at": c.updated_at,
                "decision_deadline": c.decision_deadline,
            }
            for c in page.items
        ],
        "next_cursor": page.next_cursor,
        "resume_cursor": resume,
    }


@router.get(
    "/cases/{case_no}/materials/{code}",
    response={200: None, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="下载办件材料",
    description="本部门办件的一份申请材料（申请人上传的文件）。",
    openapi_extra={
        "responses": {
            200: {
                "description": "材料文件",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def integration_material(request: HttpRequest, case_no: str, code: str) -> HttpResponse:
    material = selectors.case_material_for_system(user=_user(request), case_no=case_no, code=code)
    with material.file.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/octet-stream")
    response["X-Content-Type"] = material.content_type or "application/octet-stream"
    response["Content-Disposition"] = content_disposition(
        material.file_name or material.name, f"{material.code}"
    )
    return response


def _delivery(d: Any) -> dict[str, Any]:
    return {
        "id": d.pk,
        "event": d.event,
        "status": d.status,
        "attempts": d.attempts,
        "last_status_code": d.last_status_code,
        "last_error": d.last_error,
        "created_at": d.created_at,
        "delivered_at": d.delivered_at,
        "replay_of": d.replay_of_id,
        "payload": d.payload,
    }


@router.get(
    "/deliveries",
    response={200: IntegrationDeliveryPage, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="事件推送记录",
    description="本系统各推送地址的推送记录，最新的在前（游标分页）。",
)
def integration_deliveries(
    request: HttpRequest, params: Query[IntegrationFeedQuery]
) -> dict[str, Any]:
    page = paginate(
        selectors.deliveries_for_system(user=_user(request)),
        ordering=("-created_at", "-id"),
        cursor=params.cursor,
        limit=params.limit,
    )
    return {"items": [_delivery(d) for d in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/deliveries/{delivery_id}/replay",
    response={202: IntegrationDeliveryOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="重新推送",
    description="以新的推送编号和签名再次推送同一内容（例如接收方曾出错）。支持 Idempotency-Key。",
)
def integration_replay(
    request: HttpRequest, delivery_id: int = Path(..., ge=1, le=2**53)
) -> Status[dict[str, Any]]:
    user = _user(request)
    delivery = selectors.delivery_get_for_system(user=user, delivery_id=delivery_id)
    return Status(202, _delivery(webhook_replay(delivery=delivery, actor=user)))
