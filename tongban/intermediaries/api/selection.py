"""Selection, contract and aftercare of a purchase at /api/v1/intermediaries/.

Buyers: select (direct, 竞价, quality first) or run the public random draw, confirm
the contract, rate. The selected agency: deliver. Anyone signed in: object to a
publicized result; the centre's staff (scoped to their region) answer.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from tongban.core import errors as core_errors
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.errors import DomainError
from tongban.identity.auth import api_auth
from tongban.intermediaries import selectors, services
from tongban.intermediaries.api._common import operation_id, user_of
from tongban.intermediaries.api.purchases import purchase_fresh
from tongban.intermediaries.api.schemas import (
    ContractIn,
    ObjectionDecideIn,
    ObjectionIn,
    ObjectionOut,
    PurchaseOut,
    SelectIn,
    ServiceRatingIn,
    ServiceRatingOut,
    objection_out,
)
from tongban.org.selectors import staff_scope_for

router = Router()


# --- selection -----------------------------------------------------------------------


@router.post(
    "/purchases/{code}/select",
    auth=api_auth,
    response={200: PurchaseOut, **PROBLEM_RESPONSES},
    summary="选取（直接选取、竞价、质量优先）",
    operation_id=operation_id("select"),
)
def select(request: HttpRequest, code: str, body: SelectIn) -> dict[str, Any]:
    user = user_of(request)
    p = selectors.purchase_get_for_buyer(user=user, code=code)
    services.purchase_select(
        purchase=p,
        signup_id=body.signup_id,
        reason=body.reason,
        scores={line.signup_id: line.score for line in body.scores} or None,
        actor=user,
    )
    return purchase_fresh(code)


@router.post(
    "/purchases/{code}/draw",
    auth=api_auth,
    response={200: PurchaseOut, **PROBLEM_RESPONSES},
    summary="随机抽取（报名截止后，公开可验证）",
    operation_id=operation_id("run_draw"),
)
def run_draw(request: HttpRequest, code: str) -> dict[str, Any]:
    user = user_of(request)
    try:
        p = selectors.purchase_get_for_buyer(user=user, code=code)
    except DomainError:
        p = selectors.purchase_get_in_scope(scope=staff_scope_for(user=user), code=code)
    services.purchase_draw_run(purchase=p, actor=user)
    return purchase_fresh(code)


# --- contract, service, rating -------------------------------------------------------


@router.post(
    "/purchases/{code}/contract",
    auth=api_auth,
    response={200: PurchaseOut, **PROBLEM_RESPONSES},
    summary="在线确认合同",
    operation_id=operation_id("contract"),
)
def contract(request: HttpRequest, code: str, body: ContractIn) -> dict[str, Any]:
    user = user_of(request)
    p = selectors.purchase_get_for_buyer(user=user, code=code)
    services.purchase_contract_confirm(purchase=p, contract_fen=body.contract_fen, actor=user)
    return purchase_fresh(code)


@router.post(
    "/purchases/{code}/deliver",
    auth=api_auth,
    response={200: PurchaseOut, **PROBLEM_RESPONSES},
    summary="提交服务成果",
    operation_id=operation_id("deliver"),
)
def deliver(request: HttpRequest, code: str) -> dict[str, Any]:
    user = user_of(request)
    p = selectors.purchase_get_for_selected_agency(user=user, code=code)
    services.purchase_deliver(purchase=p, actor=user)
    return purchase_fresh(code)


@router.post(
    "/purchases/{code}/rating",
    auth=api_auth,
    response={201: ServiceRatingOut, **PROBLEM_RESPONSES},
    summary="服务评价（计入信用）",
    operation_id=operation_id("rate"),
)
def rate(request: HttpRequest, code: str, body: ServiceRatingIn) -> Status[Any]:
    user = user_of(request)
    p = selectors.purchase_get_for_buyer(user=user, code=code)
    r = services.purchase_rate(purchase=p, score=body.score, comment=body.comment, actor=user)
    return Status(
        201,
        {
            "purchase": code,
            "agency": r.agency.credit_code,
            "score": r.score,
            "comment": r.comment,
            "rated_at": r.rated_at,
        },
    )


# --- objections and the centre -------------------------------------------------------


@router.post(
    "/purchases/{code}/objections",
    auth=api_auth,
    response={201: ObjectionOut, **PROBLEM_RESPONSES},
    summary="对公示结果提出异议",
    operation_id=operation_id("object_to"),
)
def object_to(request: HttpRequest, code: str, body: ObjectionIn) -> Status[Any]:
    user = user_of(request)
    entity = selectors.entities_for(user).first()
    o = services.objection_file(
        purchase=selectors.purchase_get_public(code),
        filer_name=body.filer_name,
        reason=body.reason,
        filer_entity=entity,
        actor=user,
    )
    return Status(201, objection_out(o))


@router.post(
    "/purchases/{code}/objections/{objection_id}/decide",
    auth=api_auth,
    response={200: ObjectionOut, **PROBLEM_RESPONSES},
    summary="答复异议（中心）",
    operation_id=operation_id("decide"),
)
def decide(
    request: HttpRequest, code: str, objection_id: int, body: ObjectionDecideIn
) -> dict[str, Any]:
    user = user_of(request)
    p = selectors.purchase_get_in_scope(scope=staff_scope_for(user=user), code=code)
    o = p.objections.filter(pk=objection_id).first()
    if o is None:
        raise DomainError(core_errors.NOT_FOUND, "异议不存在。")
    return objection_out(
        services.objection_decide(objection=o, upheld=body.upheld, answer=body.answer, actor=user)
    )
