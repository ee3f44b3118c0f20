"""首问责任 (004 (三)) at /api/v1/appointments/first-questions, for hall staff.

GET  /first-questions/mine?cursor=        open questions I own (or my department owns)
GET  /first-questions/overdue?cursor=     supervisors and heads: open ones past their due date
POST /first-questions                     record the question I was asked first (201;
                                          Idempotency-Key)
GET  /first-questions/{id}                one of my halls', with its steps; ETag
POST /first-questions/{id}/answer         by the owner; If-Match
POST /first-questions/{id}/handover       to a clerk or a department, with a note; If-Match
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from tongban.appointments import standard_selectors
from tongban.appointments.api.common import (
    IF_MATCH_DOC,
    expected_version,
    form_key,
    staff_of,
    with_etag,
)
from tongban.appointments.models import FirstQuestion, QuestionStatus
from tongban.appointments.services.first_questions import (
    first_question_answer,
    first_question_hand_over,
    first_question_record,
)
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.api.pagination import paginate
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.errors import DomainError
from tongban.identity.auth import api_auth
from tongban.org.selectors import staff_scope_for

router = Router(tags=["预约与叫号"], auth=api_auth)
WHAT = "首问登记"
STAFF_ONLY = "首问登记仅对大厅工作人员开放。"


class StepOut(Schema):
    action: str = Field(description="record（登记）、handover（移交）或 answer（答复）")
    actor: str
    to_owner: str
    to_department: str
    note: str
    at: dt.datetime


class QuestionOut(Schema):
    id: int
    code: str
    status: str = Field(description="open（办理中）或 answered（已答复）")
    status_label: str
    hall: str
    window: str = Field(description="窗口编号；在咨询台被询问时为空")
    matter: str
    asker: str = Field(description="咨询人（脱敏）")
    asker_phone: str = Field(description="联系电话（脱敏）")
    service_item: str
    owner: str = Field(description="当前责任人")
    owner_department: str = Field(description="当前责任部门（移交给部门时）")
    due_on: dt.date
    overdue: bool
    answer: str
    version: int


class QuestionDetailOut(QuestionOut):
    steps: list[StepOut]


class QuestionPageOut(Schema):
    items: list[QuestionOut]
    next_cursor: str | None


class FirstQuestionPageQuery(Schema):
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class RecordIn(Schema):
    hall_id: int = Field(ge=1)
    matter: str = Field(max_length=1000, description="咨询事由")
    window_id: int | None = Field(None, ge=1, description="窗口；在咨询台被询问时不填")
    asker_name: str = Field("", max_length=80)
    asker_phone: str = Field("", max_length=20)
    service_item_id: int | None = Field(None, ge=1)


class FirstQuestionAnswerIn(Schema):
    answer: str = Field(max_length=2000)


class HandoverIn(Schema):
    note: str = Field(max_length=2000, description="移交说明")
    to_user_id: int | None = Field(None, ge=1, description="移交给的工作人员（与部门二选一）")
    to_department_id: int | None = Field(None, ge=1, description="移交给的部门")


def _out(q: FirstQuestion, today: dt.date) -> dict[str, Any]:
    return {
        "id": q.pk,
        "code": q.code,
        "status": q.status,
        "status_label": QuestionStatus(q.status).label,
        "hall": q.hall.name,
        "window": q.window.number if q.window else "",
        "matter": q.matter,
        "asker": q.asker_name_masked,
        "asker_phone": q.asker_phone_masked,
        "service_item": q.service_item.name if q.service_item else "",
        "owner": q.owner.display_name if q.owner else "",
        "owner_department": q.owner_department.name if q.owner_department else "",
        "due_on": q.due_on,
        "overdue": q.status == QuestionStatus.OPEN and q.due_on < today,
        "answer": q.answer,
        "version": q.version,
    }


def _detail(response: HttpResponse, staff: Any, question_id: int) -> dict[str, Any]:
    q = standard_selectors.question_get_in_scope(staff=staff, question_id=question_id)
    with_etag(response, q.version)
    steps = [
        {
            "action": s.action,
            "actor": s.actor.display_name,
            "to_owner": s.to_owner.display_name if s.to_owner else "",
            "to_department": s.to_department.name if s.to_department else "",
            "note": s.note,
            "at": s.at,
        }
        for s in standard_selectors.question_steps(q)
    ]
    return {**_out(q, clock.today()), "steps": steps}


def _page(rows: Any, query: FirstQuestionPageQuery) -> dict[str, Any]:
    page = paginate(rows, ordering=("due_on", "pk"), cursor=query.cursor, limit=query.limit)
    today = clock.today()
    return {"items": [_out(q, today) for q in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/first-questions/mine",
    response={200: QuestionPageOut, **PROBLEM_RESPONSES},
    summary="我负责的首问",
    description="由我本人或我所在部门负责、尚未答复的首问，答复期限早的在前。",
)
def mine(request: HttpRequest, query: Query[FirstQuestionPageQuery]) -> dict[str, Any]:
    staff = staff_of(request, STAFF_ONLY)
    return _page(standard_selectors.questions_for_owner(staff=staff), query)


@router.get(
    "/first-questions/overdue",
    response={200: QuestionPageOut, **PROBLEM_RESPONSES},
    summary="超期未答复的首问",
    description="监察人员、部门负责人：其大厅中超过答复期限仍未答复的首问。",
)
def overdue(request: HttpRequest, query: Query[FirstQuestionPageQuery]) -> dict[str, Any]:
    scope = staff_scope_for(user=staff_of(request, STAFF_ONLY))
    if not scope.has_role(*standard_selectors.BOARD_ROLES):
        raise DomainError(core_errors.PERMISSION_DENIED, "超期首问仅对监察人员和部门负责人开放。")
    rows = standard_selectors.questions_in_scope(scope, overdue_on=clock.today())
    return _page(rows, query)


@router.post(
    "/first-questions",
    response={201: QuestionDetailOut, **PROBLEM_RESPONSES},
    summary="登记首问",
    description="首先被询问的工作人员登记，并负责至答复或移交。大厅须在本人范围内。"
    "支持 Idempotency-Key：同一键重复提交不会多登记。",
)
def record(request: HttpRequest, response: HttpResponse, body: RecordIn) -> Status[Any]:
    staff = staff_of(request, STAFF_ONLY)
    made = first_question_record(
        clerk=staff,
        hall_id=body.hall_id,
        window_id=body.window_id,
        matter=body.matter,
        asker_name=body.asker_name,
        asker_phone=body.asker_phone,
        service_item_id=body.service_item_id,
        key=form_key(request),
    )
    return Status(201, _detail(response, staff, made.pk))


@router.get(
    "/first-questions/{question_id}",
    response={200: QuestionDetailOut, **PROBLEM_RESPONSES},
    summary="一条首问及其记录",
)
def question(request: HttpRequest, response: HttpResponse, question_id: int) -> Any:
    return _detail(response, staff_of(request, STAFF_ONLY), question_id)


@router.post(
    "/first-questions/{question_id}/answer",
    response={200: QuestionDetailOut, **PROBLEM_RESPONSES},
    summary="答复首问",
    description="只有当前责任人（或责任部门的人员）可以答复，否则 403；已答复为 409；"
    "If-Match 版本不符为 412。",
)
def answer(
    request: HttpRequest,
    response: HttpResponse,
    question_id: int,
    body: FirstQuestionAnswerIn,
    if_match: str | None = Header(None, description=IF_MATCH_DOC),
) -> Any:
    staff = staff_of(request, STAFF_ONLY)
    first_question_answer(
        question_id=question_id,
        staff=staff,
        answer=body.answer,
        expected_version=expected_version(if_match, WHAT),
    )
    return _detail(response, staff, question_id)


@router.post(
    "/first-questions/{question_id}/handover",
    response={200: QuestionDetailOut, **PROBLEM_RESPONSES},
    summary="移交首问",
    description="移交给该大厅所在区划的一名工作人员或一个部门，须写明说明。",
)
def handover(
    request: HttpRequest,
    response: HttpResponse,
    question_id: int,
    body: HandoverIn,
    if_match: str | None = Header(None, description=IF_MATCH_DOC),
) -> Any:
    staff = staff_of(request, STAFF_ONLY)
    first_question_hand_over(
        question_id=question_id,
        staff=staff,
        note=body.note,
        to_user_id=body.to_user_id,
        to_department_id=body.to_department_id,
        expected_version=expected_version(if_match, WHAT),
    )
    return _detail(response, staff, question_id)
