"""Bundle applications: 我的一件事, one application, and its commands."""

from __future__ import annotations

import base64
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Status

from tongban.bundles import selectors
from tongban.bundles.api.common import (
    RESPONSES,
    caller,
    if_match_version,
    is_applicant,
    respond,
)
from tongban.bundles.api.schemas import (
    BundleApplicationOut,
    BundleApplicationPage,
    BundleDeliverIn,
    BundleExtendIn,
    BundleListQuery,
    BundlePage,
    BundlePageQuery,
    BundleSupplementIn,
    BundleWithdrawIn,
    JointOpinionIn,
    JointProcedureIn,
    JointProcedureOut,
)
from tongban.bundles.models import ApplicationStatus, BundleApplication, JointProcedure
from tongban.bundles.outputs import joint_out
from tongban.bundles.services.delivery import (
    bundle_application_deliver,
    bundle_application_extend,
    bundle_application_withdraw,
)
from tongban.bundles.services.joint import (
    joint_opinion_record,
    joint_procedure_conclude,
    joint_procedure_schedule,
)
from tongban.bundles.services.supplements import bundle_supplement_submit
from tongban.core import errors as core_errors
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.errors import DomainError
from tongban.identity.auth import api_auth
from tongban.identity.models import User

router = Router(tags=["一件事"])
IF_MATCH = Header(default=None, alias="If-Match", description='申请的版本号，取自 ETag，如 "3"')


def _viewed(user: User, application_no: str) -> tuple[BundleApplication, bool]:
    if is_applicant(user):
        return selectors.application_get_for_applicant(
            user=user, application_no=application_no
        ), False
    return selectors.application_get_for_staff(user=user, application_no=application_no), True


def _own(user: User, application_no: str) -> BundleApplication:
    if not is_applicant(user):
        raise DomainError(core_errors.PERMISSION_DENIED, "只有申请人可以办理此操作。")
    return selectors.application_get_for_applicant(user=user, application_no=application_no)


def _staffs(user: User, application_no: str) -> BundleApplication:
    if is_applicant(user):
        raise DomainError(core_errors.PERMISSION_DENIED, "只有工作人员可以办理此操作。")
    return selectors.application_get_for_staff(user=user, application_no=application_no)


@router.get(
    "",
    response={200: BundlePage, **PROBLEM_RESPONSES},
    summary="一件事列表",
    description="已发布的一件事（精品、省定标准、地方探索），按编码排序（游标分页）。无需登录。",
)
def bundle_list(request: HttpRequest, params: Query[BundleListQuery]) -> dict[str, Any]:
    page = selectors.bundle_list_public(
        category=params.category, cursor=params.cursor, limit=params.limit
    )
    return {
        "items": [
            {
                "code": b.code,
                "name": b.name,
                "category": b.category,
                "reach": b.reach,
                "region_code": b.region_id,
                "promised_days": b.promised_days,
                "promised_unit": b.promised_unit,
                "joint": b.joint,
                "member_count": b.member_count,
            }
            for b in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/applications",
    response={200: BundleApplicationPage, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="我的一件事",
    description="本人及本账号获授权的法人的一件事申请，最新的在前（游标分页）。",
)
def application_list_mine(request: HttpRequest, params: Query[BundlePageQuery]) -> dict[str, Any]:
    page = selectors.application_list_for_applicant(
        user=caller(request), cursor=params.cursor, limit=params.limit
    )
    return {
        "items": [
            {
                "application_no": a.application_no,
                "bundle": a.bundle.code,
                "bundle_name": a.bundle.name,
                "status": a.status,
                "status_label": ApplicationStatus(a.status).label,
                "received_at": a.received_at,
                "deadline": a.deadline,
            }
            for a in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/applications/{application_no}",
    response={200: BundleApplicationOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="一件事申请详情",
    description="一个状态、一个期限、一条时间线：各事项的办理部门、状态和办件，补正告知，联合办理。"
    "申请人或数据范围内的工作人员可见；他人的一律 404。ETag 为版本号。",
)
def application_detail(request: HttpRequest, response: HttpResponse, application_no: str) -> Any:
    application, staff = _viewed(caller(request), application_no)
    return respond(application, response, staff=staff)


@router.post(
    "/applications/{application_no}/supplement",
    response={200: BundleApplicationOut, **RESPONSES},
    auth=api_auth,
    summary="按一次性告知书补正",
    description="各部门的补正要求合并为一份告知书；申请人每项材料上传一次，交给提出要求的每个部门。"
    "须一次补齐。",
)
def application_supplement(
    request: HttpRequest, response: HttpResponse, application_no: str, body: BundleSupplementIn
) -> Any:
    user = caller(request)
    application = _own(user, application_no)
    files = {f.key: (base64.b64decode(f.file_base64), f.file_name) for f in body.files}
    bundle_supplement_submit(application=application, files=files, actor=user)
    return respond(_own(user, application_no), response, staff=False)


@router.post(
    "/applications/{application_no}/withdraw",
    response={200: BundleApplicationOut, **RESPONSES},
    auth=api_auth,
    summary="撤回一件事申请",
    description="在任何事项作出准予决定之前，申请人可撤回整个申请；正在办理的办件一并撤回。",
)
def application_withdraw(
    request: HttpRequest,
    response: HttpResponse,
    application_no: str,
    body: BundleWithdrawIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    user = caller(request)
    version = if_match_version(if_match, required=False)
    application = _own(user, application_no)
    bundle_application_withdraw(
        application=application, actor=user, reason=body.reason, expected_version=version
    )
    return respond(_own(user, application_no), response, staff=False)


@router.post(
    "/applications/{application_no}/deliver",
    response={200: BundleApplicationOut, **RESPONSES},
    auth=api_auth,
    summary="统一出件",
    description="全部结果作出后，由一件事窗口统一出件（或邮寄送达），各办件一并送达、办结。"
    "须带 If-Match。",
)
def application_deliver(
    request: HttpRequest,
    response: HttpResponse,
    application_no: str,
    body: BundleDeliverIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    user = caller(request)
    version = if_match_version(if_match, required=True)
    application = _staffs(user, application_no)
    bundle_application_deliver(
        application=application,
        actor=user,
        method=body.method,
        tracking_no=body.tracking_no,
        expected_version=version,
    )
    return respond(_staffs(user, application_no), response, staff=True)


@router.post(
    "/applications/{application_no}/extend",
    response={200: BundleApplicationOut, **RESPONSES},
    auth=api_auth,
    summary="延长统一办理期限",
    description="统一办理、联合办理、集中办理的一件事，经本级人民政府负责人批准，"
    "可延长十五个工作日，一次为限（行政许可法第四十二条第二款）。须带 If-Match。",
)
def application_extend(
    request: HttpRequest,
    response: HttpResponse,
    application_no: str,
    body: BundleExtendIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    user = caller(request)
    version = if_match_version(if_match, required=True)
    application = _staffs(user, application_no)
    bundle_application_extend(
        application=application,
        actor=user,
        days=body.days,
        reason=body.reason,
        approver=body.approver,
        expected_version=version,
    )
    return respond(_staffs(user, application_no), response, staff=True)


@router.post(
    "/applications/{application_no}/joint-procedures",
    response={201: JointProcedureOut, **RESPONSES},
    auth=api_auth,
    summary="安排联合办理",
    description="联合图审、联合测绘、联合踏勘、联合验收：一次安排，各参与部门到场；"
    "现场勘验、专家评审期间参与的办件中止计时（行政许可法第四十五条）。",
)
def joint_schedule(
    request: HttpRequest, application_no: str, body: JointProcedureIn
) -> Status[Any]:
    user = caller(request)
    application = _staffs(user, application_no)
    procedure = joint_procedure_schedule(
        application=application,
        actor=user,
        kind=body.kind,
        scheduled_at=body.scheduled_at,
        place=body.place,
        members=body.members,
        title=body.title,
        suspends_clocks=body.suspends_clocks,
    )
    return Status(201, joint_out(procedure))


def _procedure(application: BundleApplication, procedure_id: int) -> JointProcedure:
    procedure = application.joint_procedures.filter(pk=procedure_id).first()
    if procedure is None:
        raise DomainError(core_errors.NOT_FOUND, "未找到该联合办理。")
    return procedure


@router.post(
    "/applications/{application_no}/joint-procedures/{procedure_id}/opinions",
    response={200: JointProcedureOut, **RESPONSES},
    auth=api_auth,
    summary="签署联合办理意见",
    description="参与部门的工作人员签署本部门意见：同意、有条件同意或不同意。",
)
def joint_opinion(
    request: HttpRequest, application_no: str, procedure_id: int, body: JointOpinionIn
) -> Any:
    user = caller(request)
    procedure = _procedure(_staffs(user, application_no), procedure_id)
    joint_opinion_record(
        procedure=procedure,
        department_id=body.department_id,
        actor=user,
        result=body.result,
        opinion=body.opinion,
    )
    procedure.refresh_from_db()
    return joint_out(procedure)


@router.post(
    "/applications/{application_no}/joint-procedures/{procedure_id}/conclude",
    response={200: JointProcedureOut, **RESPONSES},
    auth=api_auth,
    summary="形成联合意见",
    description="各参与部门签署后，组织部门形成一份联合意见；中止计时的办件恢复计时。",
)
def joint_conclude(request: HttpRequest, application_no: str, procedure_id: int) -> Any:
    user = caller(request)
    procedure = _procedure(_staffs(user, application_no), procedure_id)
    return joint_out(joint_procedure_conclude(procedure=procedure, actor=user))
