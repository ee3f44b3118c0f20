"""Investment projects (R-PL-7): every approval of a project under its code."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from tongban.bundles import errors
from tongban.bundles.api.common import caller, is_applicant
from tongban.bundles.api.schemas import ProjectOut, ProjectRegisterIn
from tongban.bundles.models import DevelopmentZone
from tongban.bundles.selectors import (
    ProjectView,
    case_stage,
    project_get_public,
    project_owned_by,
    project_summary,
)
from tongban.bundles.services.access import FRONT
from tongban.bundles.services.projects import project_register
from tongban.cases.models import CaseStatus
from tongban.cases.selectors import case_clock
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError
from tongban.identity.auth import api_auth, bearer_auth
from tongban.identity.models import LegalEntity
from tongban.identity.selectors import legal_entities_for_user
from tongban.org.models import Region, Role
from tongban.org.selectors import staff_scope_for

router = Router(tags=["投资项目"])


def _public_approval(case: Any) -> dict[str, Any]:
    stage, stage_label = case_stage(case.status)
    return {
        "case_no": None,
        "item": case.service_item.name,
        "department": case.department.name,
        "status": case.status,
        "status_label": CaseStatus(case.status).label,
        "stage": stage,
        "stage_label": stage_label,
        "received_at": None,
        "decision_deadline": None,
        "working_days_left": None,
        "alert": None,
        "bundle_application": None,
    }


def project_out(view: ProjectView, *, owner: bool) -> dict[str, Any]:
    """The project; case and application numbers, dates and clocks only for its
    owner (项目单位 or an account authorized for it), stages and counts for all."""
    project = view.project
    today = clock.today()
    cal = get_calendar()
    approvals = []
    for case in view.cases:
        row = _public_approval(case)
        if owner:
            c = case_clock(case, today, cal=cal)
            member = getattr(case, "bundle_member", None)
            row.update(
                case_no=case.case_no,
                received_at=case.received_at,
                decision_deadline=case.decision_deadline,
                working_days_left=c.working_days_left,
                alert=c.alert.value if c.alert is not None else None,
                bundle_application=member.application.application_no if member else None,
            )
        approvals.append(row)
    summary = project_summary(view)
    return {
        "code": project.code,
        "name": project.name,
        "kind": project.kind,
        "project_type": project.project_type,
        "owner_name": project.owner_name,
        "owner_credit_code": project.owner_credit_code,
        "region_code": project.region_id,
        "address": project.address,
        "total_investment": str(project.total_investment),
        "zone": project.zone.name if project.zone else None,
        "registered_at": project.registered_at,
        "owner_view": owner,
        "stage": summary.stage,
        "stage_label": summary.stage_label,
        "stages": [{"stage": s.code, "label": s.label, "count": s.count} for s in summary.stages],
        "approvals": approvals,
        "bundles": [
            {
                "application_no": a.application_no if owner else None,
                "bundle": a.bundle.name,
                "status": a.status,
                "members": getattr(a, "member_count", 0),
                "members_with_result": getattr(a, "members_done", 0),
            }
            for a in view.applications
        ],
        "bundle_applications": [a.application_no for a in view.applications] if owner else [],
    }


def _caller_or_none(request: HttpRequest) -> Any:
    """The signed-in caller of a public read (session or bearer token), if any."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        return user
    if request.headers.get("Authorization"):
        return bearer_auth(request)
    return None


@router.get(
    "/{code}",
    response={200: ProjectOut, **PROBLEM_RESPONSES},
    summary="投资项目的全部审批",
    description="按投资项目代码（GB/T 40058-2021，校验码 ISO 7064 MOD 11,10）列出项目的每一项审批"
    "所处阶段和各阶段数量；代码校验不通过的为 422。无需登录。办件编号、申请编号、日期和期限"
    "仅对项目单位（或其获授权的账号）返回，其他调用方为 null。",
)
def project_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    view = project_get_public(code)
    owner = project_owned_by(user=_caller_or_none(request), project=view.project)
    return project_out(view, owner=owner)


@router.post(
    "",
    response={201: ProjectOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="投资项目赋码",
    description="项目单位（法人账号）为本单位的项目、或数据范围内的窗口人员为项目单位登记项目，"
    "赋予投资项目代码。支持 Idempotency-Key。",
)
def project_create(
    request: HttpRequest, response: HttpResponse, body: ProjectRegisterIn
) -> Status[Any]:
    user = caller(request)
    credit_code = body.owner_credit_code.strip().upper()
    region = Region.objects.filter(code=body.region_code).first()
    if region is None:
        raise DomainError(errors.PROJECT_INVALID, f"行政区划 {body.region_code} 不存在。")
    if is_applicant(user):
        owner = legal_entities_for_user(user=user).filter(credit_code=credit_code).first()
        if owner is None:
            raise DomainError(core_errors.PERMISSION_DENIED, "只能为本账号获授权的法人登记项目。")
    else:
        scope = staff_scope_for(user=user).for_roles(*FRONT, Role.REVIEWER)
        if not any(region.path.startswith(g.region_path) for g in scope.grants):
            raise DomainError(core_errors.PERMISSION_DENIED, "项目所在区划不在您的数据范围内。")
        owner = LegalEntity.objects.filter(credit_code=credit_code).first()
        if owner is None:
            raise DomainError(errors.PROJECT_INVALID, "项目单位未在法人库中登记。")
    zone = DevelopmentZone.objects.filter(pk=body.zone_id).first() if body.zone_id else None
    if body.zone_id and zone is None:
        raise DomainError(errors.PROJECT_INVALID, "开发区（园区）不存在。")
    project = project_register(
        name=body.name,
        kind=body.kind,
        project_type=body.project_type,
        guidance_code=body.guidance_code,
        region=region,
        address=body.address,
        total_investment=body.total_investment,
        owner_entity=owner,
        zone=zone,
        actor=user,
    )
    response["Location"] = f"/api/v1/projects/{project.code}"
    return Status(201, project_out(project_get_public(project.code), owner=True))
