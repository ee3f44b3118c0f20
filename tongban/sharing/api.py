"""Sharing API at /api/v1/sharing/ (DESIGN §6): for other government systems and subjects.

GET  /api/v1/sharing/services                 the query-and-verify services
POST /api/v1/sharing/verify/{service}         a yes/no answer (staff or system accounts)
POST /api/v1/sharing/query/{resource_code}    the granted fields of one resource
GET  /api/v1/sharing/open-data                公共数据开放: the open resources (no login)
GET  /api/v1/sharing/access-log               谁查询了我的数据 (the subject: citizen or business)

A system calls with ``Authorization: Bearer`` of a system account that has a
staff assignment (窗口人员, 审批人员, 部门负责人 or 承办人员) in the consumer
department; ``consumer_department`` names it (统一社会信用代码) when the
account works for several. Every call, answered or refused, is in the access
log; a refusal is problem+json with a ``sharing_*`` code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field, model_validator

from tongban.core import errors as core_errors
from tongban.core.api.schemas import PROBLEM_RESPONSES, InputSchema
from tongban.core.errors import DomainError
from tongban.identity.auth import api_auth
from tongban.identity.models import AccountKind, User
from tongban.org.models import Department
from tongban.sharing import errors, selectors, services, workflow
from tongban.sharing.models import (
    AccessLogEntry,
    CallKind,
    Outcome,
    UpdateFrequency,
)
from tongban.sharing.subjects import SubjectRef
from tongban.sharing.verification import SERVICES

router = Router(tags=["数据共享"])
CALLERS = (AccountKind.STAFF, AccountKind.SYSTEM)


# --- schemas ------------------------------------------------------------------


class SharingSubjectIn(InputSchema):
    id_number: str | None = Field(
        default=None, max_length=30, description="自然人的公民身份号码（18 位）"
    )
    credit_code: str | None = Field(
        default=None, max_length=30, description="法人的统一社会信用代码（18 位）"
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> SharingSubjectIn:
        if bool(self.id_number) == bool(self.credit_code):
            raise ValueError("须填写 id_number 或 credit_code 之一")
        return self

    def ref(self) -> SubjectRef:
        if self.id_number:
            return SubjectRef.person(self.id_number)
        return SubjectRef.entity(self.credit_code or "")


class SharingCallIn(InputSchema):
    subject: SharingSubjectIn
    purpose: str = Field(
        default="", max_length=500, description="查询用途（必填；记入数据主体可见的访问日志）"
    )
    case_no: str = Field(default="", max_length=40, description="办件编号（为办件查询时填写）")
    consumer_department: str | None = Field(
        default=None,
        max_length=18,
        description="使用部门的统一社会信用代码；账号只属于一个部门时可不填",
    )


class SharingVerifyIn(SharingCallIn):
    params: dict[str, str] = Field(
        default_factory=dict, max_length=10, description="核验参数，见 GET /sharing/services"
    )


class SharingQueryIn(SharingCallIn):
    fields: list[str] | None = Field(
        default=None, max_length=50, description="要取的信息项代码；不填则返回全部已授权信息项"
    )


class SharingVerifyOut(Schema):
    service: str
    service_name: str
    question: str
    result: bool = Field(description="核验结果：true 是，false 否")
    resource_code: str = Field(description="所依据的数据资源")
    answered_at: dt.datetime
    log_seq: int = Field(description="访问日志序号")


class SharingQueryOut(Schema):
    resource_code: str
    resource_name: str
    fields: dict[str, Any] = Field(description="已授权信息项的值（仅含授权的信息项）")
    answered_at: dt.datetime
    log_seq: int = Field(description="访问日志序号")


class SharingParamOut(Schema):
    code: str
    label: str
    required: bool
    kind: str = Field(description="text、id_number、region 或 choice")
    choices: list[str]


class SharingServiceOut(Schema):
    code: str
    name: str
    question: str
    registry: str
    fields: list[str] = Field(description="核验所读取的信息项（授权须覆盖）")
    subject_kinds: list[str]
    params: list[SharingParamOut]


class SharingFieldOut(Schema):
    code: str
    name: str
    data_type: str = Field(description="string、code、date、integer、decimal、boolean 或 list")
    sensitivity: str = Field(description="public、internal、personal 或 sensitive")


class SharingOpenResourceOut(Schema):
    code: str
    name: str
    description: str
    provider: str
    sharing_type: str = Field(description="unconditional（无条件共享）、conditional 或 none")
    update_frequency: str = Field(
        description="realtime、daily、weekly、monthly、quarterly、yearly 或 irregular"
    )
    update_frequency_label: str
    open_format: str
    fields: list[SharingFieldOut]


class SharingOpenResourcePage(Schema):
    items: list[SharingOpenResourceOut]
    next_cursor: str | None = Field(description="下一页的游标；没有更多时为 null")


class SharingOpenDataQuery(Schema):
    q: str = Field(default="", max_length=50, description="名称或代码中的文字")
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=200)


class SharingAccessLogOut(Schema):
    seq: int
    at: dt.datetime
    consumer: str = Field(description="使用部门")
    kind: str = Field(
        description="verify（查询核验）、query（数据查询）、lookup（办件免提交核验）或 certificate"
    )
    kind_label: str
    target: str = Field(description="核验服务或数据资源")
    fields: list[str]
    purpose: str
    case_no: str
    outcome: str = Field(description="answered（已答复）、not_found（未查到）或 refused（已拒绝）")
    outcome_label: str


class SharingAccessLogPage(Schema):
    items: list[SharingAccessLogOut]
    next_cursor: str | None = Field(description="下一页的游标；没有更多时为 null")


class SharingAccessLogQuery(Schema):
    subject: str = Field(
        default="me", max_length=18, description="me（本人）或本账号可代办的法人的统一社会信用代码"
    )
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=200)


# --- helpers --------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]  # set by ninja's auth


def _consumer(user: User, body: SharingCallIn, *, kind: str, target: str) -> Department:
    """The department the caller acts for; a refusal is logged like any call."""
    error: DomainError | None = None
    department: Department | None = None
    if user.kind not in CALLERS:
        error = DomainError(
            errors.NOT_CONSUMER, "只有政务部门的工作人员或系统账号可以使用共享数据。"
        )
    else:
        mine = selectors.departments_acting_for(user, workflow.USE_ROLES)
        wanted = (body.consumer_department or "").strip().upper()
        found = list((mine.filter(credit_code=wanted) if wanted else mine)[:2])
        if len(found) == 1:
            department = found[0]
        elif not found:
            error = DomainError(
                errors.NOT_CONSUMER,
                "该账号在所指部门没有可使用共享数据的岗位（窗口人员、审批人员、部门负责人或承办人员）。",
            )
        else:
            error = DomainError(
                errors.CONSUMER_AMBIGUOUS,
                "该账号属于多个部门，请用 consumer_department 指明以哪个部门的名义查询。",
            )
    if error is not None:
        raise services.sharing_call_refuse(
            kind=kind, target=target, subject=body.subject.ref(), error=error, actor=user,
            purpose=body.purpose, case_no=body.case_no, channel="api",
        )  # fmt: skip
    assert department is not None
    return department


def _log_out(entry: AccessLogEntry) -> dict[str, Any]:
    target = entry.resource.name if entry.resource else entry.target
    service = SERVICES.get(entry.target)
    if service is not None and entry.kind != CallKind.QUERY:
        target = service.name
    return {
        "seq": entry.seq,
        "at": entry.at,
        "consumer": entry.consumer_name or "（未指明部门）",
        "kind": entry.kind,
        "kind_label": CallKind(entry.kind).label,
        "target": target,
        "fields": entry.fields,
        "purpose": entry.purpose,
        "case_no": entry.case_no,
        "outcome": entry.outcome,
        "outcome_label": Outcome(entry.outcome).label,
    }


# --- endpoints --------------------------------------------------------------------


@router.get(
    "/services",
    response={200: list[SharingServiceOut], **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="查询核验服务",
    description="可调用的查询核验服务：问题、所依据的基础库、读取的信息项和参数。",
)
def service_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": s.code,
            "name": s.name,
            "question": s.question,
            "registry": s.registry,
            "fields": list(s.fields),
            "subject_kinds": list(s.subject_kinds),
            "params": [
                {
                    "code": p.code,
                    "label": p.label,
                    "required": p.required,
                    "kind": p.kind,
                    "choices": [c for c, _ in p.choices],
                }
                for p in s.params
            ],
        }
        for s in SERVICES.values()
    ]


@router.post(
    "/verify/{service}",
    response={200: SharingVerifyOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="查询核验",
    description="对一个自然人或法人回答“是”或“否”，不返回原始记录。须有共享授权"
    "（无条件共享资源除外）；每次调用（含被拒绝的）都记入访问日志，数据主体可见。",
)
def verify(request: HttpRequest, service: str, body: SharingVerifyIn) -> dict[str, Any]:
    user = _user(request)
    target = service[:60]
    consumer = _consumer(user, body, kind=CallKind.VERIFY, target=target)
    answer = services.sharing_verify(
        consumer_department=consumer, staff_user=user, service=service,
        subject=body.subject.ref(), purpose=body.purpose, case_no=body.case_no,
        params=body.params, channel="api",
    )  # fmt: skip
    return {
        "service": answer.service,
        "service_name": answer.service_name,
        "question": answer.question,
        "result": answer.result,
        "resource_code": answer.resource_code,
        "answered_at": answer.answered_at,
        "log_seq": answer.log_seq,
    }


@router.post(
    "/query/{resource_code}",
    response={200: SharingQueryOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="数据查询",
    description="返回一个数据资源中本部门已获授权的信息项；请求未授权的信息项被拒绝"
    "（sharing_field_not_granted）。每次调用都记入访问日志。",
)
def query(request: HttpRequest, resource_code: str, body: SharingQueryIn) -> dict[str, Any]:
    user = _user(request)
    consumer = _consumer(user, body, kind=CallKind.QUERY, target=resource_code)
    answer = services.sharing_query(
        consumer_department=consumer, staff_user=user, resource_code=resource_code,
        subject=body.subject.ref(), purpose=body.purpose, case_no=body.case_no,
        fields=body.fields, channel="api",
    )  # fmt: skip
    return {
        "resource_code": answer.resource_code,
        "resource_name": answer.resource_name,
        "fields": answer.fields,
        "answered_at": answer.answered_at,
        "log_seq": answer.log_seq,
    }


@router.get(
    "/open-data",
    response={200: SharingOpenResourcePage, **PROBLEM_RESPONSES},
    summary="公共数据开放目录",
    description="向社会开放的数据资源（不含个人信息），无需登录。",
)
def open_data(request: HttpRequest, params: Query[SharingOpenDataQuery]) -> dict[str, Any]:
    page = selectors.open_resource_page(q=params.q, cursor=params.cursor, limit=params.limit)
    return {
        "items": [
            {
                "code": r.code,
                "name": r.name,
                "description": r.description,
                "provider": r.provider.name,
                "sharing_type": r.sharing_type,
                "update_frequency": r.update_frequency,
                "update_frequency_label": UpdateFrequency(r.update_frequency).label,
                "open_format": r.open_format,
                "fields": [
                    {
                        "code": f.code,
                        "name": f.name,
                        "data_type": f.data_type,
                        "sensitivity": f.sensitivity,
                    }
                    for f in r.fields.all()
                ],
            }
            for r in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/access-log",
    response={200: SharingAccessLogPage, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="谁查询了我的数据",
    description="数据主体查看哪个部门在何时、为何查询了本人（或本账号可代办的法人）的数据。",
)
def access_log(request: HttpRequest, params: Query[SharingAccessLogQuery]) -> dict[str, Any]:
    user = _user(request)
    subjects = {s.key: s for s in selectors.data_subjects_for_user(user=user)}
    key = params.subject.strip().upper() if params.subject != "me" else "me"
    subject = subjects.get(key)
    if subject is None:
        raise DomainError(core_errors.NOT_FOUND, "没有可查看的数据主体：本人或本账号可代办的法人。")
    page = selectors.access_log_for_subject(
        subject=subject, cursor=params.cursor, limit=params.limit
    )
    return {"items": [_log_out(e) for e in page.items], "next_cursor": page.next_cursor}
