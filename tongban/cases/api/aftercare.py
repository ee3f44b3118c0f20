"""The 告知承诺 post-check (事后核查) through the API (issue 17, R-CR-1).

POST /api/v1/cases/{case_no}/post-check records the check of a case granted on
the applicant's commitment, once: ``passed`` (核查属实) or ``failed`` (承诺不实)
with the checker's note. A failure reaches credit through the outbox
(``case.post_check``): a ``commitment_breach`` record that lists the applicant and
lowers its class (docs/credit.md).

No ``If-Match``: the check is not a transition of the case and leaves its version
alone; it has its own state, locked while it is written, and a second record is
refused with ``post_check_closed`` whatever the version. ``Idempotency-Key``
replays the first answer (core.middleware).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import Field

from tongban.cases.api.answers import case_url
from tongban.cases.api.common import RESPONSES, _user
from tongban.cases.models import PostCheck, PostCheckStatus
from tongban.cases.services.aftercare import post_check_record
from tongban.core.api.schemas import InputSchema
from tongban.identity.auth import api_auth

router = Router()  # tagged by the root router


class PostCheckIn(InputSchema):
    result: Literal["passed", "failed"] = Field(
        description="passed 核查属实（履行承诺）；failed 承诺不实（记入申请人信用记录）"
    )
    note: str = Field(min_length=1, max_length=2000, description="核查情况（不超过 2000 字）")


class PostCheckOut(Schema):
    case_no: str = Field(description="办件编号")
    status: str = Field(description="open 待核查；passed 核查属实；failed 承诺不实")
    status_label: str = Field(description="状态的中文名称")
    due_on: dt.date = Field(description="核查期限")
    checked_at: dt.datetime | None = Field(description="核查时间")
    result_note: str = Field(description="核查情况")
    case_url: str = Field(description="办件详情的地址")


def post_check_out(case_no: str, check: PostCheck) -> dict[str, Any]:
    return {
        "case_no": case_no,
        "status": check.status,
        "status_label": PostCheckStatus(check.status).label,
        "due_on": check.due_on,
        "checked_at": check.checked_at,
        "result_note": check.result_note,
        "case_url": case_url(case_no),
    }


@router.post(
    "/{case_no}/post-check",
    response={200: PostCheckOut, **RESPONSES},
    auth=api_auth,
    summary="记录告知承诺事后核查结果",
    description=(
        "告知承诺准予的办件，由办理部门的窗口人员、审批人员或部门负责人记录核查结果，"
        "只能记录一次（再次记录为 409 post_check_closed）。failed（承诺不实）经事件记入"
        "申请人的信用记录（严重失信，列入告知承诺失信名单）并重新计算信用等级。"
        "不是告知承诺件为 404 post_check_not_found；不在数据范围内为 404 not_found；"
        "只能查看的角色为 403 permission_denied。不需要 If-Match（核查不改变办件版本）。"
    ),
)
def case_post_check(
    request: HttpRequest, response: HttpResponse, case_no: str, body: PostCheckIn
) -> dict[str, Any]:
    check = post_check_record(
        case_no=case_no,
        passed=body.result == "passed",
        note=body.note,
        actor=_user(request),
    )
    response["Location"] = case_url(case_no)
    return post_check_out(check.case.case_no, check)
