"""纠错 (窗口无否决权; 004 (三)) at /api/v1/appointments/error-reports.

Citizens (no account needed):
POST /error-reports                report a window that refused or stalled wrongly (201;
                                   Idempotency-Key; without an account, rate-limited)
POST /error-reports/track          look one up by its code and the phone given with it
GET  /error-reports/mine           a logged-in reporter's own reports
Hall supervisors (监察人员; scoped to their halls in SQL, "not yours" is 404):
GET  /error-reports?status=&overdue=&cursor=
GET  /error-reports/{code}         ETag
POST /error-reports/{code}/answer  substantiated or not, and what was done; If-Match
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from tongban.appointments import errors, standard_selectors
from tongban.appointments.api.common import (
    IF_MATCH_DOC,
    expected_version,
    form_key,
    staff_of,
    user_of,
    with_etag,
)
from tongban.appointments.models import ErrorReport, ReportStatus
from tongban.appointments.services.error_reports import error_report_answer, error_report_submit
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.api.pagination import paginate
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.errors import DomainError
from tongban.core.middleware.proxies import client_address
from tongban.core.ratelimit import rate_limit_hit
from tongban.identity.auth import api_auth, bearer_auth, session_auth
from tongban.org.selectors import staff_scope_for

router = Router(tags=["预约与叫号"])
WHAT = "纠错"
LIMIT = 20
WINDOW_SECONDS = 600
SUPERVISORS_ONLY = "纠错由大厅的监察人员核查答复。"


def _anyone(request: HttpRequest) -> Any:
    """No credentials: the caller files as a guest (a session cookie is still CSRF-checked)."""
    return AnonymousUser()


OPTIONAL_AUTH = [bearer_auth, session_auth, _anyone]


class ReportIn(Schema):
    hall_id: int = Field(ge=1)
    narrative: str = Field(max_length=2000, description="经过（10–1000 字）")
    phone: str = Field(
        "", max_length=20, description="手机号码，答复发送到此；登录后可不填（用实名手机号）"
    )
    window_number: str = Field("", max_length=20)
    clerk_name: str = Field("", max_length=80, description="工作人员姓名或工号")
    service_item_id: int | None = Field(None, ge=1)
    happened_on: dt.date | None = None


class ErrorReportTrackIn(Schema):
    code: str = Field(max_length=20)
    phone: str = Field(max_length=20)


class ErrorReportAnswerIn(Schema):
    substantiated: bool = Field(description="情况是否属实")
    answer: str = Field(max_length=2000, description="核查与处理情况（10–1000 字）")


class ReportOut(Schema):
    code: str
    status: str = Field(description="submitted（待核查）或 answered（已答复）")
    status_label: str
    hall: str
    window: str
    clerk_name: str
    service_item: str
    happened_on: dt.date | None
    narrative: str
    phone: str = Field(description="联系电话（脱敏）")
    due_on: dt.date
    overdue: bool
    substantiated: bool | None
    answer: str
    answered_at: dt.datetime | None
    created_at: dt.datetime
    version: int


class ReportPageOut(Schema):
    items: list[ReportOut]
    next_cursor: str | None


class ReportsQuery(Schema):
    status: Literal["", "submitted", "answered"] = ""
    overdue: bool = Field(False, description="只列超过答复期限仍未答复的")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


def _out(r: ErrorReport) -> dict[str, Any]:
    return {
        "code": r.code,
        "status": r.status,
        "status_label": ReportStatus(r.status).label,
        "hall": r.hall.name,
        "window": r.window.number if r.window else "",
        "clerk_name": r.clerk_name,
        "service_item": r.service_item.name if r.service_item else "",
        "happened_on": r.happened_on,
        "narrative": r.narrative,
        "phone": r.phone_masked,
        "due_on": r.due_on,
        "overdue": r.status == ReportStatus.SUBMITTED and r.due_on < clock.today(),
        "substantiated": r.substantiated,
        "answer": r.answer,
        "answered_at": r.answered_at,
        "created_at": r.created_at,
        "version": r.version,
    }


def _limited(request: HttpRequest, what: str) -> bool:
    return rate_limit_hit(
        key=f"error-report-{what}:{client_address(request)}",
        limit=LIMIT,
        window_seconds=WINDOW_SECONDS,
    )


def _supervisor_scope(request: HttpRequest) -> Any:
    scope = staff_scope_for(user=staff_of(request, SUPERVISORS_ONLY))
    if not scope.has_role(*standard_selectors.SUPERVISING_ROLES):
        raise DomainError(core_errors.PERMISSION_DENIED, SUPERVISORS_ONLY)
    return scope


@router.post(
    "/error-reports",
    response={201: ReportOut, **PROBLEM_RESPONSES},
    auth=OPTIONAL_AUTH,
    summary="窗口纠错",
    description="反映窗口无理拒收或拖延；由大厅监察人员在规定工作日内核查答复，回执和答复以短信发送。"
    "无需登录（按来源地址限制频率）；支持 Idempotency-Key。",
)
def submit(request: HttpRequest, response: HttpResponse, body: ReportIn) -> Status[Any]:
    reporter = user_of(request)
    signed_in = bool(getattr(reporter, "is_authenticated", False))
    if not signed_in and _limited(request, "new"):
        raise DomainError(core_errors.RATE_LIMITED, "提交过于频繁，请 10 分钟后再试。")
    report = error_report_submit(
        hall_id=body.hall_id,
        narrative=body.narrative,
        key=form_key(request),
        phone=body.phone,
        reporter=reporter if signed_in else None,
        window_number=body.window_number,
        clerk_name=body.clerk_name,
        service_item_id=body.service_item_id,
        happened_on=body.happened_on,
    )
    with_etag(response, report.version)
    return Status(201, _out(report))


@router.post(
    "/error-reports/track",
    response={200: ReportOut, **PROBLEM_RESPONSES},
    summary="凭编号和手机号查询纠错",
    description="无需登录；按来源地址限制查询频率。编号与手机号不符与不存在同为 404。",
)
def track(request: HttpRequest, body: ErrorReportTrackIn) -> dict[str, Any]:
    if _limited(request, "track"):
        raise DomainError(core_errors.RATE_LIMITED, "查询过于频繁，请 10 分钟后再试。")
    found = standard_selectors.report_track(code=body.code, phone=body.phone)
    if found is None:
        raise DomainError(errors.REPORT_NOT_FOUND, "没有找到该编号的纠错，请核对编号和手机号。")
    return _out(found)


@router.get(
    "/error-reports/mine",
    response={200: list[ReportOut], **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="我的纠错",
)
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    return [_out(r) for r in standard_selectors.reports_of_reporter(user=user_of(request))[:100]]


@router.get(
    "/error-reports",
    response={200: ReportPageOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="本人监督大厅的纠错",
    description="监察人员：其监督大厅收到的纠错，答复期限早的在前。",
)
def reports(request: HttpRequest, query: Query[ReportsQuery]) -> dict[str, Any]:
    scope = _supervisor_scope(request)
    rows = standard_selectors.reports_in_scope(
        scope, status=query.status, overdue_on=clock.today() if query.overdue else None
    )
    page = paginate(rows, ordering=("due_on", "pk"), cursor=query.cursor, limit=query.limit)
    return {"items": [_out(r) for r in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/error-reports/{code}",
    response={200: ReportOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="一条纠错",
)
def report(request: HttpRequest, response: HttpResponse, code: str) -> dict[str, Any]:
    found = standard_selectors.report_get_for_supervisor(
        scope=_supervisor_scope(request), code=code
    )
    with_etag(response, found.version)
    return _out(found)


@router.post(
    "/error-reports/{code}/answer",
    response={200: ReportOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="答复纠错",
    description="答复以短信发送给反映人；已答复为 409；If-Match 版本不符为 412。",
)
def answer(
    request: HttpRequest,
    response: HttpResponse,
    code: str,
    body: ErrorReportAnswerIn,
    if_match: str | None = Header(None, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    scope = _supervisor_scope(request)
    found = standard_selectors.report_get_for_supervisor(scope=scope, code=code)
    done = error_report_answer(
        report_id=found.pk,
        supervisor=user_of(request),
        substantiated=body.substantiated,
        answer=body.answer,
        expected_version=expected_version(if_match, WHAT),
    )
    done = standard_selectors.report_get_for_supervisor(scope=scope, code=done.code)
    with_etag(response, done.version)
    return _out(done)
