"""The task commands on one case (DESIGN §6), one endpoint per transition."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Router

from tongban.cases import services
from tongban.cases.api.answers import CaseStateOut, applicant_command, staff_command
from tongban.cases.api.common import IF_MATCH_DOC, RESPONSES
from tongban.cases.api.schemas import (
    AcceptIn,
    CommitmentIn,
    DecideIn,
    DeliverIn,
    ExtendIn,
    HandleImmediatelyIn,
    RefuseIn,
    RequestSupplementIn,
    SupplementIn,
    SuspendIn,
    WithdrawIn,
)
from tongban.core.api.openapi import REQUIRED_HEADERS
from tongban.identity.auth import api_auth

router = Router()  # tagged by the root router

ANSWER_DOC = (
    "成功返回办件要点（版本、状态、期限、计时）、ETag 与 Location；"
    "完整办件（申请表、材料、时间线、文书）用 GET Location。"
)


def _command(
    path: str, summary: str, description: str = "", *, staff: bool = True
) -> Callable[[Any], Any]:
    """A command route. A staff command needs If-Match: the handler answers its
    absence with 428 itself, so the document marks the header required
    (``core.api.openapi``). It answers with the case's essentials
    (``answers.CaseStateOut``), ``ETag`` and ``Location``."""
    return router.post(
        f"/{{case_no}}/{path}",
        response={200: CaseStateOut, **RESPONSES},
        auth=api_auth,
        summary=summary,
        description=(
            description
            or "工作人员办理；须带 If-Match（缺少为 428，版本过期为 412，状态不允许为 409）。"
        )
        + ANSWER_DOC,
        openapi_extra={REQUIRED_HEADERS: ["If-Match"]} if staff else None,
    )


@_command("accept", "受理", "可列明容缺受理的材料。须带 If-Match。")
def case_accept(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    body: AcceptIn | None = None,
    if_match: str | None = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    return staff_command(
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
    return staff_command(
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
    return staff_command(
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
    return staff_command(
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
    return staff_command(
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
    return staff_command(
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
    return staff_command(
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
    return staff_command(
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
    return staff_command(
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
    return staff_command(
        request,
        response,
        case_no,
        if_match,
        lambda case, version, user: services.case_grant_on_commitment(
            case_id=case.pk, actor=user, expected_version=version, legal_basis=body.legal_basis
        ),
    )


@_command(
    "supply-deferred",
    "补交容缺材料",
    "申请人补交容缺受理时后补的材料；If-Match 可选。",
    staff=False,
)
def case_supply_deferred(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    body: SupplementIn,
    if_match: str | None = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    return applicant_command(
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
    return staff_command(
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
    return staff_command(
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


@_command("supplement", "补正材料", "申请人提交补正材料；If-Match 可选。", staff=False)
def case_supplement(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    body: SupplementIn,
    if_match: str | None = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    return applicant_command(
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


@_command("withdraw", "撤回申请", "申请人在作出决定前撤回；If-Match 可选。", staff=False)
def case_withdraw(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    body: WithdrawIn,
    if_match: str | None = Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC),
) -> dict[str, Any]:
    return applicant_command(
        request,
        response,
        case_no,
        if_match,
        lambda case, version, user: services.case_withdraw(
            case_id=case.pk, actor=user, expected_version=version, reason=body.reason
        ),
    )
