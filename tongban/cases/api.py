"""Cases API at /api/v1/cases (DESIGN §6): submit, read, track, and task commands.

POST /api/v1/cases                                submit an application (applicants)
GET  /api/v1/cases                                我的办件 (applicants; cursor pages)
GET  /api/v1/cases/queue                          the staff queue (scoped; cursor pages)
GET  /api/v1/cases/{case_no}                      one case (its applicant or scoped staff)
GET  /api/v1/cases/{case_no}/track?name=          public tracking (no login)
POST /api/v1/cases/{case_no}/{command}            accept, refuse, request-supplement,
                                                  start-review, suspend, resume, extend,
                                                  decide, deliver, conclude,
                                                  handle-immediately (staff, If-Match
                                                  required); supplement, withdraw
                                                  (applicant, If-Match optional)

Answers carry the case's version as ``ETag: "<version>"``; a command sent with
a stale ``If-Match`` is a 412 ``case_version_mismatch``. ``Idempotency-Key``
works on every POST (core.middleware).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field, field_validator, model_validator

from tongban.cases import errors, selectors, services
from tongban.cases.models import (
    Case,
    CaseStatus,
    DeliveryMethod,
    DocumentKind,
    MaterialKind,
    Outcome,
    SuspensionReason,
)
from tongban.cases.services.intake import MaterialInput
from tongban.catalog.selectors import service_item_get_public
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.api.files import content_disposition
from tongban.core.api.pagination import MAX_LIMIT, Page
from tongban.core.api.problems import problem_for
from tongban.core.api.schemas import PROBLEM_RESPONSES, InputSchema, Problem
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError, define
from tongban.core.masking import mask_name
from tongban.core.ratelimit import rate_limit_hit, seconds_until_reset
from tongban.identity.auth import api_auth
from tongban.identity.models import AccountKind, User
from tongban.identity.selectors import legal_entities_for_user

router = Router(tags=["办件"])

# RFC 6585 §3: 428 Precondition Required: a command that races needs If-Match.
CASE_IF_MATCH_REQUIRED = define("if_match_required", 428, "缺少 If-Match")

API_PREFIX = "/api/v1/cases"
APPLICANT_KINDS = (AccountKind.CITIZEN, AccountKind.BUSINESS)
_VERSION = re.compile(r'^(?:W/)?"?([0-9]{1,9})"?$')

RESPONSES: dict[int | frozenset[int], Any] = {**PROBLEM_RESPONSES, 428: Problem}

# Public tracking answers anyone: look-ups per address per window, counted
# together with the portal's tracking page (the same key).
TRACK_LIMIT = 20
TRACK_WINDOW_SECONDS = 600


# --- schemas ------------------------------------------------------------------


def _strict_base64(value: str) -> str:
    compact = "".join(value.split())
    try:
        base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("文件内容不是合法的 Base64 编码") from None
    return compact


class MaterialIn(InputSchema):
    code: str = Field(min_length=1, max_length=40, description="材料编码（办事指南中的 code）")
    kind: Literal["upload", "deferred"] = Field(description="upload 上传文件；deferred 容缺后补")
    file_base64: str = Field(default="", description="文件内容（Base64）；PDF、JPG、PNG 或 OFD")
    file_name: str = Field(default="", max_length=200)

    @field_validator("file_base64")
    @classmethod
    def _decodable(cls, value: str) -> str:
        return _strict_base64(value) if value else value

    def as_input(self) -> MaterialInput:
        return MaterialInput(
            code=self.code,
            kind=self.kind,
            content=base64.b64decode(self.file_base64) if self.file_base64 else b"",
            file_name=self.file_name,
        )


class SupplementMaterialIn(InputSchema):
    code: str = Field(min_length=1, max_length=40, description="材料编码")
    file_base64: str = Field(min_length=1, description="文件内容（Base64）")
    file_name: str = Field(default="", max_length=200)

    @field_validator("file_base64")
    @classmethod
    def _decodable(cls, value: str) -> str:
        return _strict_base64(value)

    def as_input(self) -> MaterialInput:
        return MaterialInput(
            code=self.code,
            kind=MaterialKind.UPLOAD,
            content=base64.b64decode(self.file_base64),
            file_name=self.file_name,
        )


class ApplicantIn(InputSchema):
    kind: Literal["person", "legal_entity"] = Field(
        description="person：本人；legal_entity：本账号获授权的法人（本人为经办人）"
    )
    credit_code: str | None = Field(
        default=None, min_length=18, max_length=18, description="统一社会信用代码（法人申请时）"
    )

    @model_validator(mode="after")
    def _credit_code_for_entities(self) -> ApplicantIn:
        if self.kind == "legal_entity" and not self.credit_code:
            raise ValueError("以法人名义申请须填写统一社会信用代码")
        if self.kind == "person" and self.credit_code:
            raise ValueError("本人申请不填写统一社会信用代码")
        return self


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


class CaseSubmitIn(InputSchema):
    implementation_code: str = Field(min_length=1, max_length=40, description="事项实施编码")
    channel: Literal["online", "mobile", "api"] = Field(
        default="online", description="渠道；窗口收件通过工作台办理"
    )
    applicant: ApplicantIn
    form: dict[str, Any] = Field(default_factory=dict, description="申请表（字段编码 → 值）")
    situation: str = Field(default="", max_length=40, description="情形编码")
    materials: list[MaterialIn] = Field(default_factory=list, max_length=50)
    commitment: bool = Field(default=False, description="告知承诺")

    @field_validator("form")
    @classmethod
    def _json_numbers(cls, value: dict[str, Any]) -> dict[str, Any]:
        # Python's JSON parser reads NaN and Infinity, which no database JSON accepts.
        if not _finite(value):
            raise ValueError("申请表不能含 NaN 或无穷大")
        return value


class AcceptIn(InputSchema):
    deferred_codes: list[str] = Field(
        default_factory=list, max_length=50, description="容缺受理的材料编码"
    )


class RefuseIn(InputSchema):
    reason: str = Field(min_length=1, max_length=2000, description="不予受理的理由")
    legal_basis: str = Field(default="", max_length=2000)


class SupplementItemIn(InputSchema):
    code: str = Field(default="", max_length=40)
    name: str = Field(min_length=1, max_length=200)
    reason: str = Field(default="", max_length=500)


class RequestSupplementIn(InputSchema):
    items: list[SupplementItemIn] = Field(
        min_length=1, max_length=50, description="需要补正的全部材料（一次性告知）"
    )


class SupplementIn(InputSchema):
    materials: list[SupplementMaterialIn] = Field(min_length=1, max_length=50)


class SuspendIn(InputSchema):
    reason: SuspensionReason = Field(description="特别程序（行政许可法第四十五条）")
    note: str = Field(default="", max_length=500)


class ExtendIn(InputSchema):
    days: int = Field(ge=1, le=30, description="延长天数（一般不超过十日）")
    reason: str = Field(min_length=1, max_length=2000)


class DecideIn(InputSchema):
    outcome: Outcome
    reason: str = Field(min_length=1, max_length=2000)
    legal_basis: str = Field(min_length=1, max_length=2000)


class CommitmentIn(InputSchema):
    legal_basis: str = Field(min_length=1, max_length=2000)


class DeliverIn(InputSchema):
    method: DeliveryMethod
    tracking_no: str = Field(default="", max_length=60, description="邮寄单号（邮寄送达时必填）")


class WithdrawIn(InputSchema):
    reason: str = Field(default="", max_length=2000)


class HandleImmediatelyIn(InputSchema):
    outcome: Outcome
    reason: str = Field(min_length=1, max_length=2000)
    legal_basis: str = Field(default="", max_length=2000)
    delivery_method: DeliveryMethod = DeliveryMethod.WINDOW


class ItemRef(Schema):
    implementation_code: str
    name: str


class DepartmentRef(Schema):
    id: int
    name: str


class ClockOut(Schema):
    phase: Literal["acceptance", "decision", "delivery", "none"] = Field(
        description="acceptance 受理期限；decision 办结期限；delivery 送达期限；none 不计时"
    )
    deadline: dt.date | None
    working_days_left: int | None = Field(description="剩余工作日；逾期为负数")
    alert: Literal["none", "yellow", "red"] | None = Field(description="预警：黄牌、红牌")
    stopped: bool = Field(description="特别程序中，计时暂停")
    provisional: bool = Field(
        description="期限落在尚无国务院放假通知的年度，依据放假办法暂定（ADR-0006）"
    )


class DeadlinesOut(Schema):
    acceptance: dt.date | None
    decision: dt.date | None
    delivery: dt.date | None
    deferred_materials: dt.date | None = Field(description="容缺材料补交期限")
    provisional: list[Literal["acceptance", "decision", "delivery", "deferred_materials"]] = Field(
        description="其中依据放假办法暂定、待国务院放假通知发布后确认的期限（ADR-0006）"
    )


class MaterialOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    file_name: str
    content_type: str
    size: int
    supplied_at: dt.datetime | None


class EventOut(Schema):
    at: dt.datetime
    action: str
    action_label: str
    from_status: str
    to_status: str
    to_status_label: str
    reason: str
    actor: str | None = Field(description="操作人（仅工作人员可见）")
    details: dict[str, Any]


class DocumentOut(Schema):
    kind: str
    kind_label: str
    number: str
    issued_at: dt.datetime
    url: str


class CaseOut(Schema):
    case_no: str
    version: int
    status: CaseStatus
    status_label: str
    item: ItemRef
    department: DepartmentRef
    channel: str
    applicant_kind: Literal["person", "legal_entity"]
    applicant_name: str
    situation: str
    form: dict[str, Any]
    commitment: bool
    received_at: dt.datetime
    accepted_on: dt.date | None
    deemed_accepted: bool
    refused_on: dt.date | None
    decided_on: dt.date | None
    delivered_on: dt.date | None
    concluded_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    outcome: str
    decision_reason: str
    decision_basis: str
    delivery_method: str
    tracking_no: str
    extension_days: int
    deadlines: DeadlinesOut
    clock: ClockOut
    materials: list[MaterialOut]
    timeline: list[EventOut]
    documents: list[DocumentOut]


class CaseSummaryOut(Schema):
    case_no: str
    version: int
    status: CaseStatus
    status_label: str
    item: ItemRef
    applicant_name: str = Field(description="申请人（自然人脱敏）")
    received_at: dt.datetime
    decision_deadline: dt.date | None
    clock: ClockOut


class CasePage(Schema):
    items: list[CaseSummaryOut]
    next_cursor: str | None = Field(description="下一页的游标；没有更多时为 null")


class PageQuery(Schema):
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=20, ge=1, le=MAX_LIMIT)


class QueueQuery(PageQuery):
    status: CaseStatus | None = None
    queue: Literal["open", "window", "all"] = Field(
        default="open",
        description="open：在办（默认，不含不予受理、已办结、已撤回）；"
        "window：窗口待办（已提交、已补正）；all：全部",
    )
    q: str = Field(default="", max_length=50, description="办件编号开头或申请人名称")


class TrackQuery(Schema):
    name: str = Field(min_length=1, max_length=200, description="申请人姓名或名称（须完全一致）")


class TrackingStepOut(Schema):
    at: dt.datetime
    action_label: str
    status: str
    status_label: str


class TrackingOut(Schema):
    case_no: str
    applicant_name: str = Field(description="申请人（脱敏）")
    item_name: str
    status: str
    status_label: str
    received_on: dt.date
    decision_deadline: dt.date | None
    decision_deadline_provisional: bool = Field(description="办结期限为暂定（ADR-0006）")
    timeline: list[TrackingStepOut]


# --- helpers ------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]  # set by ninja's auth


def _clock_out(case: Case, today: dt.date, cal: Any) -> dict[str, Any]:
    c = selectors.case_clock(case, today, cal=cal)
    return {
        "phase": c.phase,
        "deadline": c.deadline,
        "working_days_left": c.working_days_left,
        "alert": c.alert.value if c.alert is not None else None,
        "stopped": c.stopped,
        "provisional": cal.is_provisional(c.deadline),
    }


def _item_ref(case: Case) -> dict[str, str]:
    return {
        "implementation_code": case.service_item.implementation_code,
        "name": case.service_item.name,
    }


def _document_url(case_no: str, number: str) -> str:
    """Where the notices module serves the file (文书编号 may hold 〔〕 and 号)."""
    return f"{API_PREFIX}/{quote(case_no, safe='')}/documents/{quote(number, safe='')}"


def _deadlines_out(case: Case, cal: Any) -> dict[str, Any]:
    dates = {
        "acceptance": case.acceptance_deadline,
        "decision": case.decision_deadline,
        "delivery": case.delivery_deadline,
        "deferred_materials": case.deferred_due_on,
    }
    return {**dates, "provisional": [k for k, day in dates.items() if cal.is_provisional(day)]}


def _detail(case: Case, *, staff: bool) -> dict[str, Any]:
    today = clock.today()
    cal = get_calendar()
    documents = [
        {
            "kind": d.kind,
            "kind_label": DocumentKind(d.kind).label if d.kind in DocumentKind.values else d.kind,
            "number": d.number,
            "issued_at": d.issued_at,
            "url": _document_url(case.case_no, d.number),
        }
        for d in case.documents.all()
    ]
    return {
        "case_no": case.case_no,
        "version": case.version,
        "status": case.status,
        "status_label": CaseStatus(case.status).label,
        "item": _item_ref(case),
        "department": {"id": case.department_id, "name": case.department.name},
        "channel": case.channel,
        "applicant_kind": "legal_entity" if case.applicant_entity_id else "person",
        "applicant_name": case.applicant_name,
        "situation": case.situation,
        "form": case.form_data,
        "commitment": case.commitment,
        "received_at": case.received_at,
        "accepted_on": case.accepted_on,
        "deemed_accepted": case.deemed_accepted,
        "refused_on": case.refused_on,
        "decided_on": case.decided_on,
        "delivered_on": case.delivered_on,
        "concluded_at": case.concluded_at,
        "withdrawn_at": case.withdrawn_at,
        "outcome": case.outcome,
        "decision_reason": case.decision_reason,
        "decision_basis": case.decision_basis,
        "delivery_method": case.delivery_method,
        "tracking_no": case.tracking_no,
        "extension_days": case.extension_days,
        "deadlines": _deadlines_out(case, cal),
        "clock": _clock_out(case, today, cal),
        "materials": [
            {
                "code": m.code,
                "name": m.name,
                "kind": m.kind,
                "kind_label": MaterialKind(m.kind).label if m.kind in MaterialKind.values else "",
                "file_name": m.file_name,
                "content_type": m.content_type,
                "size": m.size,
                "supplied_at": m.supplied_at,
            }
            for m in case.materials.order_by("id")
        ],
        "timeline": [
            {
                "at": e.at,
                "action": e.action,
                "action_label": e.action_label,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "to_status_label": e.to_status_label,
                "reason": e.reason,
                "actor": e.actor_label if staff else None,
                "details": e.details,
            }
            for e in selectors.case_timeline(case)
        ],
        "documents": documents,
    }


def _respond(case: Case, response: HttpResponse, *, staff: bool) -> dict[str, Any]:
    response["ETag"] = f'"{case.version}"'
    return _detail(case, staff=staff)


def _page(page: Page[Case], *, mask: bool) -> dict[str, Any]:
    today = clock.today()
    cal = get_calendar()
    return {
        "items": [
            {
                "case_no": c.case_no,
                "version": c.version,
                "status": c.status,
                "status_label": CaseStatus(c.status).label,
                "item": _item_ref(c),
                "applicant_name": (
                    mask_name(c.applicant_name)
                    if mask and c.applicant_entity_id is None
                    else c.applicant_name
                ),
                "received_at": c.received_at,
                "decision_deadline": c.decision_deadline,
                "clock": _clock_out(c, today, cal),
            }
            for c in page.items
        ],
        "next_cursor": page.next_cursor,
    }


def _version(if_match: str | None, *, required: bool) -> int | None:
    """The version named by ``If-Match: "<version>"`` (RFC 9110 §13.1.1)."""
    if if_match is None or not if_match.strip():
        if required:
            raise DomainError(
                CASE_IF_MATCH_REQUIRED,
                '办理办件须在 If-Match 头中带上办件版本号（如 If-Match: "3"），'
                "以免覆盖他人的操作。",
            )
        return None
    match = _VERSION.match(if_match.strip())
    if match is None:
        raise DomainError(
            core_errors.MALFORMED_REQUEST, 'If-Match 须为办件版本号，如 "3"（取自 ETag）。'
        )
    return int(match.group(1))


def _is_applicant(user: User) -> bool:
    return user.kind in APPLICANT_KINDS


def _viewed_case(user: User, case_no: str) -> tuple[Case, bool]:
    """The case as its applicant sees it, or as scoped staff see it (and which)."""
    if _is_applicant(user):
        return selectors.case_get_for_applicant(user=user, case_no=case_no), False
    return selectors.case_get_for_staff(user=user, case_no=case_no), True


def _staff_command(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    if_match: str | None,
    run: Callable[[Case, int | None, User], Case],
) -> dict[str, Any]:
    user = _user(request)
    version = _version(if_match, required=True)
    case = selectors.case_get_for_handler(user=user, case_no=case_no)
    return _respond(run(case, version, user), response, staff=True)


def _applicant_command(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    if_match: str | None,
    run: Callable[[Case, int | None, User], Case],
) -> dict[str, Any]:
    user = _user(request)
    version = _version(if_match, required=False)
    case = selectors.case_get_for_applicant(user=user, case_no=case_no)
    return _respond(run(case, version, user), response, staff=False)


def _submission_applicant(user: User, applicant: ApplicantIn) -> dict[str, Any]:
    """Who applies: the caller's own person, or one of its legal entities with the
    caller's person as 经办人. Staff and systems do not apply online."""
    if not _is_applicant(user):
        raise DomainError(
            core_errors.PERMISSION_DENIED,
            "办件只能由申请人本人或其法人账号提交；窗口收件请使用工作台。",
        )
    person = user.person
    if person is None:
        raise DomainError(errors.APPLICANT_INVALID, "当前账号未关联实名自然人，不能提交申请。")
    if applicant.kind == "person":
        return {"applicant_person": person}
    code = (applicant.credit_code or "").strip().upper()
    entity = legal_entities_for_user(user=user).filter(credit_code=code).first()
    if entity is None:
        raise DomainError(
            errors.APPLICANT_INVALID,
            "当前账号未获该法人授权，不能以其名义申请。",
            fields=[
                {"field": "body.applicant.credit_code", "code": "not_authorized", "message": code}
            ],
        )
    return {"applicant_entity": entity, "agent_person": person}


IF_MATCH_DOC = '办件版本号，取自 ETag，如 "3"'


# --- endpoints ----------------------------------------------------------------


@router.post(
    "",
    response={201: CaseOut, **RESPONSES},
    auth=api_auth,
    summary="提交申请",
    description="申请人本人（个人账号）或获授权的法人账号在线提交。材料以 Base64 上传。"
    "成功返回 201、Location 与 ETag。支持 Idempotency-Key：重复提交得到同一个办件。",
)
def case_submit(request: HttpRequest, response: HttpResponse, body: CaseSubmitIn) -> Status[Any]:
    user = _user(request)
    who = _submission_applicant(user, body.applicant)
    try:
        item = service_item_get_public(body.implementation_code)
    except DomainError as exc:
        if exc.code != core_errors.NOT_FOUND.code:
            raise
        raise DomainError(
            errors.ITEM_NOT_AVAILABLE,
            exc.detail,
            fields=[
                {"field": "body.implementation_code", "code": "not_found", "message": exc.detail}
            ],
        ) from None
    case = services.case_submit(
        service_item=item,
        channel=body.channel,
        form_data=body.form,
        situation=body.situation,
        materials=[m.as_input() for m in body.materials],
        commitment=body.commitment,
        submitted_by=user,
        **who,
    )
    response["Location"] = f"{API_PREFIX}/{case.case_no}"
    return Status(201, _respond(case, response, staff=False))


@router.get(
    "",
    response={200: CasePage, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="我的办件",
    description="本人及本账号获授权的法人的办件，最新的在前（游标分页）。",
)
def case_list_mine(request: HttpRequest, params: Query[PageQuery]) -> dict[str, Any]:
    page = selectors.case_list_for_applicant(
        user=_user(request), cursor=params.cursor, limit=params.limit
    )
    return _page(page, mask=False)


@router.get(
    "/queue",
    response={200: CasePage, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="工作人员待办队列",
    description="本人数据范围内的在办件：办结期限最近的在前，未开始计时的在后（游标分页）。"
    "queue=window 只列窗口待办（已提交、已补正），queue=all 含已办结。",
)
def case_queue(request: HttpRequest, params: Query[QueueQuery]) -> dict[str, Any]:
    page = selectors.case_list_for_staff(
        user=_user(request),
        status=params.status.value if params.status else None,
        q=params.q,
        window_queue=params.queue == "window",
        include_closed=params.queue == "all",
        cursor=params.cursor,
        limit=params.limit,
    )
    return _page(page, mask=True)


@router.get(
    "/{case_no}",
    response={200: CaseOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="办件详情",
    description="申请人或数据范围内的工作人员可见；他人办件一律 404。ETag 为版本号。",
)
def case_detail(request: HttpRequest, response: HttpResponse, case_no: str) -> dict[str, Any]:
    case, staff = _viewed_case(_user(request), case_no)
    return _respond(case, response, staff=staff)


@router.get(
    "/{case_no}/documents/{number}",
    response={200: None, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="下载办件文书（PDF）",
    description="申请人或数据范围内的工作人员可下载；文书编号须 URL 编码。",
    openapi_extra={
        "responses": {
            200: {
                "description": "PDF",
                "content": {"application/pdf": {"schema": {"type": "string"}}},
            }
        }
    },
)
def case_document(request: HttpRequest, case_no: str, number: str) -> HttpResponse:
    case, _ = _viewed_case(_user(request), case_no)
    document = case.documents.filter(number=number).first()
    if document is None:
        raise DomainError(core_errors.NOT_FOUND, "未找到该文书。")
    with document.file.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"{document.get_kind_display()}-{document.number}.pdf",
        f"{case.case_no}-{document.kind}.pdf",
    )
    return response


@router.get(
    "/{case_no}/track",
    response={200: TrackingOut, **PROBLEM_RESPONSES},
    auth=None,
    summary="办件查询（免登录）",
    description="凭办件编号和申请人姓名（名称）查询进度；不符一律 404。"
    "姓名脱敏，不含办理人员与理由。每个地址每 10 分钟限 20 次（与查询页面合计），超出为 429。",
)
def case_track(request: HttpRequest, case_no: str, params: Query[TrackQuery]) -> Any:
    address = str(request.META.get("REMOTE_ADDR") or "unknown")
    if rate_limit_hit(
        key=f"case-track:{address}", limit=TRACK_LIMIT, window_seconds=TRACK_WINDOW_SECONDS
    ):
        wait = seconds_until_reset(clock.now(), TRACK_WINDOW_SECONDS)
        return problem_for(
            core_errors.RATE_LIMITED,
            "查询过于频繁，请稍后再试。",
            headers={"Retry-After": str(wait)},
        )
    view = selectors.case_track_public(case_no=case_no, applicant_name=params.name)
    return {
        "case_no": view.case_no,
        "applicant_name": view.applicant_name_masked,
        "item_name": view.item_name,
        "status": view.status,
        "status_label": view.status_label,
        "received_on": view.received_on,
        "decision_deadline": view.decision_deadline,
        "decision_deadline_provisional": get_calendar().is_provisional(view.decision_deadline),
        "timeline": [s.__dict__ for s in view.timeline],
    }


def _command(path: str, summary: str, description: str = "") -> Callable[[Any], Any]:
    return router.post(
        f"/{{case_no}}/{path}",
        response={200: CaseOut, **RESPONSES},
        auth=api_auth,
        summary=summary,
        description=description
        or "工作人员办理；须带 If-Match（缺少为 428，版本过期为 412，状态不允许为 409）。",
    )


@_command("accept", "受理", "可列明容缺受理的材料。须带 If-Match。")
def case_accept(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    body: AcceptIn | None = None,
    if_match: str | None = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    return _staff_command(
        request,
        response,
        case_no,
        if_match,
        lambda case, version, user: services.case_accept(
            case_id=case.pk,
            actor=user,
            expected_version=version,
            deferred_codes=body.deferred_codes if body else [],
        ),
    )


@_command("refuse", "不予受理")
def case_refuse(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    body: RefuseIn,
    if_match: str | None = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    return _staff_command(
        request,
        response,
        case_no,
        if_match,
        lambda case, version, user: services.case_refuse(
            case_id=case.pk,
            actor=user,
            expected_version=version,
            reason=body.reason,
            legal_basis=body.legal_basis,
        ),
    )


@_command("request-supplement", "一次性告知补正")
def case_request_supplement(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    body: RequestSupplementIn,
    if_match: str | None = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    return _staff_command(
        request,
        response,
        case_no,
        if_match,
        lambda case, version, user: services.case_request_supplement(
            case_id=case.pk,
            actor=user,
            expected_version=version,
            items=[i.model_dump() for i in body.items],
        ),
    )


@_command("start-review", "开始审查")
def case_start_review(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    if_match: str | None = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    return _staff_command(
        request,
        response,
        case_no,
        if_match,
        lambda case, version, user: services.case_start_review(
            case_id=case.pk, actor=user, expected_version=version
        ),
    )


@_command("suspend", "中止（特别程序）", "听证、检验检测、现场勘验、专家评审期间计时暂停。")
def case_suspend(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    body: SuspendIn,
    if_match: str | None = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    return _staff_command(
        request,
        response,
        case_no,
        if_match,
        lambda case, version, user: services.case_suspend(
            case_id=case.pk,
            actor=user,
            expected_version=version,
            reason=body.reason.value,
            note=body.note,
        ),
    )


@_command("resume", "恢复审查")
def case_resume(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    if_match: str | None = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    return _staff_command(
        request,
        response,
        case_no,
        if_match,
        lambda case, version, user: services.case_resume(
            case_id=case.pk, actor=user, expected_version=version
        ),
    )


@_command("extend", "延长期限", "须经部门负责人；只能延长一次。须带 If-Match。")
def case_extend(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    body: ExtendIn,
    if_match: str | None = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    return _staff_command(
        request,
        response,
        case_no,
        if_match,
        lambda case, version, user: services.case_extend(
            case_id=case.pk,
            actor=user,
            expected_version=version,
            days=body.days,
            reason=body.reason,
        ),
    )


@_command("decide", "作出决定")
def case_decide(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    body: DecideIn,
    if_match: str | None = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    return _staff_command(
        request,
        response,
        case_no,
        if_match,
        lambda case, version, user: services.case_decide(
            case_id=case.pk,
            actor=user,
            expected_version=version,
            outcome=body.outcome.value,
            reason=body.reason,
            legal_basis=body.legal_basis,
        ),
    )


@_command("deliver", "送达")
def case_deliver(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    body: DeliverIn,
    if_match: str | None = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    return _staff_command(
        request,
        response,
        case_no,
        if_match,
        lambda case, version, user: services.case_deliver(
            case_id=case.pk,
            actor=user,
            expected_version=version,
            method=body.method.value,
            tracking_no=body.tracking_no,
        ),
    )


@_command(
    "grant-on-commitment",
    "告知承诺准予",
    "申请人已作出告知承诺的，受理并当场准予；登记事后核查。须带 If-Match。",
)
def case_grant_on_commitment(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    body: CommitmentIn,
    if_match: str | None = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    return _staff_command(
        request,
        response,
        case_no,
        if_match,
        lambda case, version, user: services.case_grant_on_commitment(
            case_id=case.pk, actor=user, expected_version=version, legal_basis=body.legal_basis
        ),
    )


@_command("supply-deferred", "补交容缺材料", "申请人补交容缺受理时后补的材料；If-Match 可选。")
def case_supply_deferred(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    body: SupplementIn,
    if_match: str | None = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    return _applicant_command(
        request,
        response,
        case_no,
        if_match,
        lambda case, version, user: services.case_supply_deferred(
            case_id=case.pk,
            actor=user,
            expected_version=version,
            materials=[m.as_input() for m in body.materials],
        ),
    )


@_command("conclude", "办结")
def case_conclude(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    if_match: str | None = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    return _staff_command(
        request,
        response,
        case_no,
        if_match,
        lambda case, version, user: services.case_conclude(
            case_id=case.pk, actor=user, expected_version=version
        ),
    )


@_command("handle-immediately", "即办", "即办件当场受理、决定并办结。须带 If-Match。")
def case_handle_immediately(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    body: HandleImmediatelyIn,
    if_match: str | None = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    return _staff_command(
        request,
        response,
        case_no,
        if_match,
        lambda case, version, user: services.case_handle_immediately(
            case_id=case.pk,
            actor=user,
            expected_version=version,
            outcome=body.outcome.value,
            reason=body.reason,
            legal_basis=body.legal_basis,
            delivery_method=body.delivery_method.value,
        ),
    )


@_command("supplement", "补正材料", "申请人提交补正材料；If-Match 可选。")
def case_supplement(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    body: SupplementIn,
    if_match: str | None = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    return _applicant_command(
        request,
        response,
        case_no,
        if_match,
        lambda case, version, user: services.case_supplement(
            case_id=case.pk,
            actor=user,
            expected_version=version,
            materials=[m.as_input() for m in body.materials],
        ),
    )


@_command("withdraw", "撤回申请", "申请人在作出决定前撤回；If-Match 可选。")
def case_withdraw(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    body: WithdrawIn,
    if_match: str | None = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    return _applicant_command(
        request,
        response,
        case_no,
        if_match,
        lambda case, version, user: services.case_withdraw(
            case_id=case.pk, actor=user, expected_version=version, reason=body.reason
        ),
    )
