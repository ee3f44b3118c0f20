"""双随机、一公开 API at /api/v1/supervision/inspections/ and 审管联动 at
/api/v1/supervision/handoffs/.

Public: GET /plans (drawn and closed plans), GET /plans/{id} (the draws and the
published results). Staff of the lead department: POST /plans, /plans/{id}/open,
/plans/{id}/draw (422 inspection_pool_empty, inspection_scope_empty,
inspection_pool_insufficient), /plans/{id}/publish. Inspectors: GET /tasks,
POST /tasks/{id}/result, POST /conflicts (申报回避).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.errors import DomainError
from tongban.identity.auth import api_auth
from tongban.org.models import Department
from tongban.org.selectors import scope_q, staff_scope_for
from tongban.supervision import handoff, inspection_selectors
from tongban.supervision import inspection_errors as errors
from tongban.supervision.inspection_models import (
    InspectionItem,
    InspectionPlan,
    InspectionTask,
    Inspector,
    PlanStatus,
    SupervisionTask,
)
from tongban.supervision.inspection_runs import plan_draw, results_publish, task_result_enter
from tongban.supervision.inspections import inspector_conflict_declare, plan_create, plan_open

inspections_router = Router(tags=["双随机、一公开"])
handoff_router = Router(tags=["审管联动"])
PLAN_ROLES = inspection_selectors.PLAN_ROLES


class PlanIn(Schema):
    title: str = Field(max_length=200)
    lead_department_id: int = Field(ge=1, le=2_000_000_000)
    department_ids: list[int] = Field(default_factory=list, max_length=10)
    item_ids: list[int] = Field(min_length=1, max_length=50)
    scope_region: str = Field(max_length=12, description="登记地区划代码，如 320100")
    scope_industry: str = Field("", max_length=40, description="经营范围关键词")
    scope_classes: list[str] = Field(default_factory=lambda: ["A", "B", "C", "D"])
    rates: dict[str, int] = Field(description='各信用等级抽查比例（千分比），如 {"D": 200}')
    inspectors_per_task: int = Field(2, ge=1, le=5)
    starts_on: dt.date
    ends_on: dt.date


class DrawRef(Schema):
    public_id: str
    commitment: str
    state: str


class TaskOut(Schema):
    id: int
    subject_code: str
    subject_name: str
    stratum: str
    result: str
    result_label: str
    published_at: dt.datetime | None


class PlanOut(Schema):
    id: int
    title: str
    status: str
    lead_department: str
    departments: list[str]
    items: list[str]
    scope_region: str
    scope_industry: str
    rates: dict[str, int]
    starts_on: dt.date
    ends_on: dt.date
    entity_draw: DrawRef | None
    inspector_draw: DrawRef | None
    tasks: list[TaskOut]


class ResultIn(Schema):
    result: str = Field(description="compliant、rectify、penalty、unreachable")
    note: str = Field(max_length=4000)


class ConflictIn(Schema):
    subject_code: str = Field(min_length=18, max_length=18)
    reason: str = Field(max_length=200)


class ConflictOut(Schema):
    subject_code: str
    reason: str


class HandoffOut(Schema):
    id: int
    case_no: str
    item: str
    applicant: str
    supervising_department: str
    status: str
    claim_due_on: dt.date
    outcome: str


class InspectionFinishIn(Schema):
    outcome: str = Field(description="compliant、rectify、revoke")
    note: str = Field(max_length=4000)


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]  # set by ninja's auth


def _draw(record: Any) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "public_id": str(record.public_id),
        "commitment": record.commitment,
        "state": record.state,
    }


def plan_out(plan: InspectionPlan, *, published_only: bool) -> dict[str, Any]:
    tasks = plan.tasks.all()
    if published_only:
        tasks = tasks.filter(published_at__isnull=False)
    return {
        "id": plan.pk,
        "title": plan.title,
        "status": plan.status,
        "lead_department": plan.lead_department.name,
        "departments": [d.name for d in plan.departments.all()],
        "items": [i.name for i in plan.items.all()],
        "scope_region": plan.scope_region,
        "scope_industry": plan.scope_industry,
        "rates": plan.rates,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
        "entity_draw": _draw(plan.entity_draw),
        "inspector_draw": _draw(plan.inspector_draw),
        "tasks": [
            {
                "id": t.pk,
                "subject_code": t.subject_code,
                "subject_name": t.subject_name,
                "stratum": t.stratum,
                "result": t.result if t.published_at else "",
                "result_label": t.get_result_display() if t.published_at else "",
                "published_at": t.published_at,
            }
            for t in tasks.order_by("subject_code")
        ],
    }


def plans_public() -> QuerySet[InspectionPlan]:
    return InspectionPlan.objects.filter(
        status__in=[PlanStatus.DRAWN, PlanStatus.CLOSED]
    ).select_related("lead_department", "entity_draw", "inspector_draw")


def plans_for_staff(user: Any) -> QuerySet[InspectionPlan]:
    return inspection_selectors.plans_led_by_staff(scope=inspection_selectors.plan_scope_for(user))


def plan_get_for_staff(user: Any, plan_id: int) -> InspectionPlan:
    found = plans_for_staff(user).filter(pk=plan_id).first()
    if found is None:
        raise DomainError(errors.PLAN_NOT_FOUND, "抽查计划不存在。")
    return found


@inspections_router.get(
    "/plans", response={200: list[PlanOut], **PROBLEM_RESPONSES}, summary="抽查结果公示"
)
def plans(request: HttpRequest) -> list[dict[str, Any]]:
    return [plan_out(p, published_only=True) for p in plans_public()[:50]]


@inspections_router.get(
    "/plans/{plan_id}", response={200: PlanOut, **PROBLEM_RESPONSES}, summary="抽查计划"
)
def plan(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    found = plans_public().filter(pk=plan_id).first()
    if found is None:
        raise DomainError(errors.PLAN_NOT_FOUND, "抽查计划不存在。")
    return plan_out(found, published_only=True)


@inspections_router.post(
    "/plans", response={201: PlanOut, **PROBLEM_RESPONSES}, auth=api_auth, summary="制定抽查计划"
)
def plan_add(request: HttpRequest, body: PlanIn) -> Status[Any]:
    user = _user(request)
    scope = staff_scope_for(user=user).for_roles(*PLAN_ROLES)
    lead = (
        Department.objects.filter(
            scope_q(scope=scope, region_path_field="region__path", department_field="pk"),
            pk=body.lead_department_id,
        )
        .select_related("region")
        .first()
    )
    if lead is None:
        raise DomainError(errors.PLAN_INVALID, "牵头部门不存在或不在本人数据范围内。")
    departments = list(Department.objects.filter(pk__in=body.department_ids))
    if len(departments) != len(set(body.department_ids)):
        raise DomainError(errors.PLAN_INVALID, "参与部门不存在。")
    items = list(InspectionItem.objects.filter(pk__in=body.item_ids))
    if len(items) != len(set(body.item_ids)):
        raise DomainError(errors.PLAN_INVALID, "抽查事项不存在。")
    made = plan_create(
        title=body.title,
        lead_department=lead,
        departments=departments,
        items=items,
        scope_region=body.scope_region,
        scope_industry=body.scope_industry,
        scope_classes=body.scope_classes,
        rates=body.rates,
        inspectors_per_task=body.inspectors_per_task,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        actor=user,
    )
    return Status(201, plan_out(plan_get_for_staff(user, made.pk), published_only=False))


def _step(request: HttpRequest, plan_id: int, step: Any) -> dict[str, Any]:
    user = _user(request)
    found = plan_get_for_staff(user, plan_id)
    step(plan=found, actor=user)
    return plan_out(plan_get_for_staff(user, plan_id), published_only=False)


@inspections_router.post(
    "/plans/{plan_id}/open",
    response={200: PlanOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="公布种子承诺",
)
def plan_open_route(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    return _step(request, plan_id, plan_open)


@inspections_router.post(
    "/plans/{plan_id}/draw",
    response={200: PlanOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="双随机抽取",
    description="检查人员库为空为 422 inspection_pool_empty；范围内无主体为 422 "
    "inspection_scope_empty；回避后人员不足为 422 inspection_pool_insufficient。",
)
def plan_draw_route(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    return _step(request, plan_id, plan_draw)


@inspections_router.post(
    "/plans/{plan_id}/publish",
    response={200: PlanOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="公示检查结果",
)
def plan_publish_route(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    return _step(request, plan_id, results_publish)


def _tasks_of(user: Any) -> QuerySet[InspectionTask]:
    return InspectionTask.objects.filter(
        inspectors__user_id=getattr(user, "pk", 0) or 0, inspectors__active=True
    ).select_related("plan")


@inspections_router.get(
    "/tasks",
    response={200: list[TaskOut], **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="我的抽查任务",
)
def tasks(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": t.pk,
            "subject_code": t.subject_code,
            "subject_name": t.subject_name,
            "stratum": t.stratum,
            "result": t.result,
            "result_label": t.get_result_display() if t.result else "",
            "published_at": t.published_at,
        }
        for t in _tasks_of(_user(request)).order_by("plan_id", "subject_code")[:200]
    ]


@inspections_router.post(
    "/tasks/{task_id}/result",
    response={200: TaskOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="录入检查结果",
    description="只能录入一次（409 inspection_result_entered）；"
    "已申报回避为 422 inspector_conflict。",
)
def task_result(request: HttpRequest, task_id: int, body: ResultIn) -> dict[str, Any]:
    t = task_result_enter(task_id=task_id, user=_user(request), result=body.result, note=body.note)
    return {
        "id": t.pk,
        "subject_code": t.subject_code,
        "subject_name": t.subject_name,
        "stratum": t.stratum,
        "result": t.result,
        "result_label": t.get_result_display(),
        "published_at": t.published_at,
    }


@inspections_router.post(
    "/conflicts",
    response={201: ConflictOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="申报回避",
)
def conflict(request: HttpRequest, body: ConflictIn) -> Status[Any]:
    inspector = Inspector.objects.filter(user_id=getattr(_user(request), "pk", 0) or 0).first()
    if inspector is None:
        raise DomainError(errors.INSPECTOR_INVALID, "本账号不是执法检查人员。")
    found = inspector_conflict_declare(
        inspector=inspector, subject_code=body.subject_code, reason=body.reason
    )
    return Status(201, {"subject_code": found.subject_code, "reason": found.reason})


def handoff_out(t: SupervisionTask) -> dict[str, Any]:
    return {
        "id": t.pk,
        "case_no": t.case.case_no,
        "item": t.case.service_item.name,
        "applicant": t.case.applicant_name,
        "supervising_department": t.supervising_department.name,
        "status": t.status,
        "claim_due_on": t.claim_due_on,
        "outcome": t.outcome,
    }


@handoff_router.get(
    "", response={200: list[HandoffOut], **PROBLEM_RESPONSES}, auth=api_auth, summary="监管任务"
)
def handoffs(request: HttpRequest) -> list[dict[str, Any]]:
    return [handoff_out(t) for t in handoff.handoff_list_for_staff(user=_user(request))[:200]]


@handoff_router.post(
    "/{task_id}/claim",
    response={200: HandoffOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="认领监管任务",
)
def handoff_claim(request: HttpRequest, task_id: int) -> dict[str, Any]:
    handoff.handoff_claim(task_id=task_id, user=_user(request))
    return handoff_out(handoff.handoff_list_for_staff(user=_user(request)).get(pk=task_id))


@handoff_router.post(
    "/{task_id}/finish",
    response={200: HandoffOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="反馈监管结果",
)
def handoff_finish(request: HttpRequest, task_id: int, body: InspectionFinishIn) -> dict[str, Any]:
    handoff.handoff_finish(
        task_id=task_id, user=_user(request), outcome=body.outcome, note=body.note
    )
    return handoff_out(handoff.handoff_list_for_staff(user=_user(request)).get(pk=task_id))
