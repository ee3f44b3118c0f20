"""Public tracking (办件查询, no login)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from tongban.cases import selectors
from tongban.cases.api.common import (
    TRACK_LIMIT,
    TRACK_WINDOW_SECONDS,
)
from tongban.cases.api.schemas import (
    TrackingOut,
    TrackQuery,
)
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.api.problems import problem_for
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.calendar import get_calendar
from tongban.core.ratelimit import rate_limit_hit, seconds_until_reset

router = Router()  # tagged by the root router


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
