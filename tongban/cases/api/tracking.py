"""Public tracking (办件查询, no login)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from tongban.cases import selectors
from tongban.cases.api.common import TRACK_WINDOW_SECONDS, track_limited
from tongban.cases.api.schemas import TrackIn, TrackingOut
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.api.problems import problem_for
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.calendar import get_calendar
from tongban.core.middleware.proxies import client_address
from tongban.core.ratelimit import seconds_until_reset

router = Router()  # tagged by the root router


@router.post(
    "/{case_no}/track",
    response={200: TrackingOut, **PROBLEM_RESPONSES},
    auth=None,
    summary="办件查询（免登录）",
    description="凭办件编号和查询码查询进度；自然人申请人也可凭身份证件号码后四位查询"
    "（只返回状态与期限）。不符一律 404。姓名脱敏，不含办理人员与理由。"
    "每个地址每 10 分钟限 20 次、每个办件限 10 次（与查询页面合计），超出为 429。",
)
def case_track(request: HttpRequest, case_no: str, body: TrackIn) -> Any:
    refusal = track_limited(address=client_address(request), case_no=case_no)
    if refusal:
        wait = seconds_until_reset(clock.now(), TRACK_WINDOW_SECONDS)
        return problem_for(core_errors.RATE_LIMITED, refusal, headers={"Retry-After": str(wait)})
    view = selectors.case_track_public(case_no=case_no, code=body.code, id_last4=body.id_last4)
    return {
        "case_no": view.case_no,
        "applicant_name": view.applicant_name_masked,
        "item_name": view.item_name,
        "status": view.status,
        "status_label": view.status_label,
        "received_on": view.received_on,
        "decision_deadline": view.decision_deadline,
        "decision_deadline_provisional": get_calendar().is_provisional(view.decision_deadline),
        "full": view.full,
        "timeline": [s.__dict__ for s in view.timeline],
    }
