"""好差评 API at /api/v1/evaluation/.

POST /cases/{case_no}/rating            rate one's own concluded case (一事一评; 201, or 200
                                        with the stored rating when sent again)
GET  /cases/{case_no}/rating            one's own rating of the case and its rectification
POST /cases/{case_no}/rating/change     change it once, within TONGBAN_RATING_CHANGE_DAYS
POST /orders/{order_no}/rating          rate one's own answered 12345 order
GET  /rectifications                    整改台账 in the caller's scope (cursor pages)
GET  /rectifications/{id}               one rectification with its history (scoped)
POST /rectifications/{id}/answer        the department answers (cause and measures)
POST /rectifications/{id}/revisit       回访: staff record the call-back, or the rater answers
POST /rectifications/{id}/close         办结 with the outcome
POST /rectifications/{id}/escalate      督办
POST /rectifications/{id}/appeal        申诉 (department head)
POST /rectifications/{id}/appeal-decision  the platform decides the appeal
GET  /figures?group=department|item     好评率 and 整改按时率 in the caller's scope

Rectification answers carry ``ETag: "<version>"``; a command sent with a stale
``If-Match`` is a 412 ``rectification_version_mismatch``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Status

from tongban.cases.selectors import case_get_for_applicant
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.api.if_match import if_match_version
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.errors import DomainError
from tongban.evaluation import selectors, services
from tongban.evaluation.api.schemas import (
    AnswerIn,
    AppealDecisionIn,
    AppealIn,
    CloseIn,
    EscalateIn,
    FigureOut,
    FiguresQuery,
    RatingIn,
    RatingListQuery,
    RatingOut,
    RectificationOut,
    RectificationPage,
    RevisitIn,
)
from tongban.evaluation.models import Rating, RatingLevel, Rectification, RectificationStatus
from tongban.hotline.selectors import order_get_for_caller
from tongban.identity.auth import api_auth

router = Router(tags=["好差评"])
IF_MATCH_DOC = '整改版本号，取自 ETag，如 "3"；可省略'


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]  # set by ninja's auth


def _brief(rect: Rectification | None) -> dict[str, Any] | None:
    if rect is None:
        return None
    return {
        "id": rect.pk,
        "status": rect.status,
        "status_label": RectificationStatus(rect.status).label,
        "due_on": rect.due_on,
        "measures": rect.measures,
        "outcome": rect.outcome,
    }


def _rating_out(rating: Rating) -> dict[str, Any]:
    return {
        "subject_kind": rating.subject_kind,
        "subject_no": rating.subject_no,
        "channel": rating.channel,
        "level": rating.level,
        "level_label": RatingLevel(rating.level).label,
        "is_bad": rating.is_bad,
        "reasons": list(rating.reasons),
        "text": rating.text,
        "rated_at": rating.rated_at,
        "changed_at": rating.changed_at,
        "previous_level": rating.previous_level,
        "rectification": _brief(selectors.rectification_of(rating)),
    }


def _rect_out(rect: Rectification, *, events: bool = False) -> dict[str, Any]:
    rating = rect.rating
    return {
        "id": rect.pk,
        "version": rect.version,
        "status": rect.status,
        "status_label": RectificationStatus(rect.status).label,
        "subject_no": rating.subject_no,
        "item_name": rating.service_item.name if rating.service_item else "12345 工单",
        "department": rect.department.name,
        "level": rating.level,
        "level_label": RatingLevel(rating.level).label,
        "reasons": list(rating.reasons),
        "text": rating.text,
        "rated_at": rating.rated_at,
        "due_on": rect.due_on,
        "cause": rect.cause,
        "measures": rect.measures,
        "revisit_satisfied": rect.revisit_satisfied,
        "revisit_note": rect.revisit_note,
        "outcome": rect.outcome,
        "on_time": rect.on_time,
        "escalations": rect.escalations,
        "appeal_reason": rect.appeal_reason,
        "appeal_upheld": rect.appeal_upheld,
        "appeal_decision": rect.appeal_decision,
        "events": [
            {
                "at": e.at,
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "reason": e.reason,
            }
            for e in rect.events.all()
        ]
        if events
        else [],
    }


@router.post(
    "/cases/{case_no}/rating",
    response={200: RatingOut, 201: RatingOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="评价本人办件",
    description="办件办结后由申请人评价（一事一评）。差评须选择原因或填写内容，并自动转办整改。"
    "同一评价再次提交返回已存的评价（200）；不同的评价为 409 rating_exists。",
)
def case_rate(request: HttpRequest, case_no: str, body: RatingIn) -> Status[Any]:
    case = case_get_for_applicant(user=_user(request), case_no=case_no)
    rating, created = services.rating_submit_for_case(
        case_id=case.pk,
        rater=_user(request),
        level=body.level,
        reasons=body.reasons,
        text=body.text,
    )
    return Status(201 if created else 200, _rating_out(rating))


@router.get(
    "/cases/{case_no}/rating",
    response={200: RatingOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="本人办件的评价",
)
def case_rating(request: HttpRequest, case_no: str) -> dict[str, Any]:
    case = case_get_for_applicant(user=_user(request), case_no=case_no)
    rating = selectors.rating_for_case(case_id=case.pk)
    if rating is None:
        raise DomainError(core_errors.NOT_FOUND, "该办件尚未评价")
    return _rating_out(rating)


@router.post(
    "/cases/{case_no}/rating/change",
    response={200: RatingOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="修改本人办件的评价",
    description="评价后规定日数内可以修改一次（rating_change_used、rating_change_closed 为 409）。"
    "改为差评时转办整改；已有的整改继续进行。",
)
def case_rating_change(request: HttpRequest, case_no: str, body: RatingIn) -> dict[str, Any]:
    case = case_get_for_applicant(user=_user(request), case_no=case_no)
    rating = services.rating_change(
        case_id=case.pk,
        rater=_user(request),
        level=body.level,
        reasons=body.reasons,
        text=body.text,
    )
    return _rating_out(rating)


@router.post(
    "/orders/{order_no}/rating",
    response={200: RatingOut, 201: RatingOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="评价本人的 12345 工单",
    description="承办单位答复后由诉求人评价；规则同办件评价。",
)
def order_rate(request: HttpRequest, order_no: str, body: RatingIn) -> Status[Any]:
    order = order_get_for_caller(user=_user(request), order_no=order_no)
    rating, created = services.rating_submit_for_order(
        order_id=order.pk,
        rater=_user(request),
        level=body.level,
        reasons=body.reasons,
        text=body.text,
    )
    return Status(201 if created else 200, _rating_out(rating))


@router.get(
    "/rectifications",
    response={200: RectificationPage, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="差评整改台账",
    description="本人数据范围内（区划、部门）的差评整改，整改期限最早的在前；默认只列未办结的。",
)
def rectification_list(request: HttpRequest, params: Query[RatingListQuery]) -> dict[str, Any]:
    page = selectors.rectification_list_for_staff(
        user=_user(request),
        status=params.status,
        include_closed=params.include_closed,
        cursor=params.cursor,
        limit=params.limit,
    )
    return {"items": [_rect_out(r) for r in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/rectifications/{rectification_id}",
    response={200: RectificationOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="一项差评整改",
)
def rectification_detail(
    request: HttpRequest, response: HttpResponse, rectification_id: int
) -> dict[str, Any]:
    rect = selectors.rectification_get_for_staff(
        user=_user(request), rectification_id=rectification_id
    )
    response["ETag"] = f'"{rect.version}"'
    return _rect_out(rect, events=True)


def _version(if_match: str | None) -> int | None:
    return if_match_version(if_match, what="整改版本号")


def _command(
    request: HttpRequest,
    response: HttpResponse,
    rectification_id: int,
    if_match: str | None,
    act: Any,
) -> dict[str, Any]:
    user = _user(request)
    version = _version(if_match)
    try:
        rect = selectors.rectification_get_for_staff(user=user, rectification_id=rectification_id)
    except DomainError:
        # The rater answers the call-back on their own rectification.
        rect = selectors.rectification_get_for_rater(user=user, rectification_id=rectification_id)
    act(rect.pk, user, version)
    rect = Rectification.objects.select_related("rating", "department", "rating__service_item").get(
        pk=rect.pk
    )
    response["ETag"] = f'"{rect.version}"'
    return _rect_out(rect, events=True)


_IF_MATCH = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC)


@router.post(
    "/rectifications/{rectification_id}/answer",
    response={200: RectificationOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="整改答复",
    description="被评价部门填写原因分析和整改措施（或情况说明）。",
)
def rectification_answer(
    request: HttpRequest,
    response: HttpResponse,
    rectification_id: int,
    body: AnswerIn,
    if_match: str | None = _IF_MATCH,
) -> dict[str, Any]:
    return _command(
        request,
        response,
        rectification_id,
        if_match,
        lambda pk, user, version: services.rectification_answer(
            rectification_id=pk,
            actor=user,
            cause=body.cause,
            measures=body.measures,
            expected_version=version,
        ),
    )


@router.post(
    "/rectifications/{rectification_id}/revisit",
    response={200: RectificationOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="回访",
    description="监察人员记录电话回访结果，或评价人本人在线答复是否满意。",
)
def rectification_revisit(
    request: HttpRequest,
    response: HttpResponse,
    rectification_id: int,
    body: RevisitIn,
    if_match: str | None = _IF_MATCH,
) -> dict[str, Any]:
    return _command(
        request,
        response,
        rectification_id,
        if_match,
        lambda pk, user, version: services.rectification_revisit(
            rectification_id=pk,
            actor=user,
            satisfied=body.satisfied,
            note=body.note,
            expected_version=version,
        ),
    )


@router.post(
    "/rectifications/{rectification_id}/close",
    response={200: RectificationOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="整改办结",
    description="回访后由监察人员办结，须填写整改结果"
    "（缺少为 422 rectification_outcome_required）。",
)
def rectification_close(
    request: HttpRequest,
    response: HttpResponse,
    rectification_id: int,
    body: CloseIn,
    if_match: str | None = _IF_MATCH,
) -> dict[str, Any]:
    return _command(
        request,
        response,
        rectification_id,
        if_match,
        lambda pk, user, version: services.rectification_close(
            rectification_id=pk, actor=user, outcome=body.outcome, expected_version=version
        ),
    )


@router.post(
    "/rectifications/{rectification_id}/escalate",
    response={200: RectificationOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="督办",
    description="监察人员退回部门重新整改，须写明督办意见。",
)
def rectification_escalate(
    request: HttpRequest,
    response: HttpResponse,
    rectification_id: int,
    body: EscalateIn,
    if_match: str | None = _IF_MATCH,
) -> dict[str, Any]:
    return _command(
        request,
        response,
        rectification_id,
        if_match,
        lambda pk, user, version: services.rectification_escalate(
            rectification_id=pk, actor=user, reason=body.reason, expected_version=version
        ),
    )


@router.post(
    "/rectifications/{rectification_id}/appeal",
    response={200: RectificationOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="申诉",
    description="部门负责人对恶意或错误评价提出申诉，须写明理由；由平台管理员处理。",
)
def rectification_appeal(
    request: HttpRequest,
    response: HttpResponse,
    rectification_id: int,
    body: AppealIn,
    if_match: str | None = _IF_MATCH,
) -> dict[str, Any]:
    return _command(
        request,
        response,
        rectification_id,
        if_match,
        lambda pk, user, version: services.rectification_appeal(
            rectification_id=pk, actor=user, reason=body.reason, expected_version=version
        ),
    )


@router.post(
    "/rectifications/{rectification_id}/appeal-decision",
    response={200: RectificationOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="处理申诉",
    description="平台管理员决定申诉是否成立并写明意见：成立则整改办结、该评价不计入指标；"
    "不成立则退回部门整改。",
)
def rectification_appeal_decide(
    request: HttpRequest,
    response: HttpResponse,
    rectification_id: int,
    body: AppealDecisionIn,
    if_match: str | None = _IF_MATCH,
) -> dict[str, Any]:
    return _command(
        request,
        response,
        rectification_id,
        if_match,
        lambda pk, user, version: services.rectification_appeal_decide(
            rectification_id=pk,
            actor=user,
            upheld=body.upheld,
            reason=body.reason,
            expected_version=version,
        ),
    )


@router.get(
    "/figures",
    response={200: list[FigureOut], **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="好差评指标",
    description="本人数据范围内按部门或事项统计的好评率、差评整改按时率，好评率高的在前。",
)
def figures(request: HttpRequest, params: Query[FiguresQuery]) -> list[dict[str, Any]]:
    def start(day: dt.date | None) -> dt.datetime | None:
        return None if day is None else dt.datetime.combine(day, dt.time.min, tzinfo=clock.SHANGHAI)

    rows = selectors.rating_figures_for_staff(
        user=_user(request),
        group=params.group,
        since=start(params.since),
        until=start(params.until + dt.timedelta(days=1)) if params.until else None,
        today=clock.local_date(),
    )
    return [
        {
            **{k: getattr(f, k) for k in ("key", "name", "ratings", "good", "bad")},
            **{k: getattr(f, k) for k in ("rectified", "on_time", "due")},
            "good_rate": f.good_rate,
            "on_time_rate": f.on_time_rate,
            "average_score": f.average_score,
        }
        for f in rows
    ]
