"""Purchases (中介服务采购) at /api/v1/intermediaries/: the public list and page with
results, the figures, a buyer publishing, and agencies signing up.

Public: purchases with their results, who signed up (after sign-up closes),
figures. Buyers (a business account, or a government body's staff): publish.
Agencies: sign up within the window.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from tongban.core import errors as core_errors
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.errors import DomainError
from tongban.identity.auth import api_auth
from tongban.intermediaries import errors, selectors, services
from tongban.intermediaries.api._common import operation_id, user_of
from tongban.intermediaries.api.schemas import (
    MarketFiguresOut,
    PurchaseIn,
    PurchaseOut,
    PurchasePageOut,
    PurchaseSignupIn,
    SignupOut,
)
from tongban.intermediaries.models import (
    Consortium,
    Purchase,
    PurchaseStatus,
    SelectionMethod,
)

router = Router()


def purchase_out(p: Purchase, signups: int | None = None) -> dict[str, Any]:
    selected = p.selected.agency if p.selected else None
    rating = getattr(p, "rating", None) if p.status == PurchaseStatus.RATED else None
    return {
        "code": p.code,
        "title": p.title,
        "service_type": p.service_type.code,
        "service_name": p.service_type.name,
        "buyer_name": p.buyer_name,
        "region_code": p.region_id,
        "region_name": p.region.name,
        "project_code": p.project_code,
        "budget_fen": p.budget_fen,
        "qualification": p.qualification,
        "service_days": p.service_days,
        "method": p.method,
        "method_label": SelectionMethod(p.method).label,
        "description": p.description,
        "status": p.status,
        "status_label": PurchaseStatus(p.status).label,
        "published_at": p.published_at,
        "signup_closes_at": p.signup_closes_at,
        "draw_public_id": p.draw_public_id,
        "draw_url": f"/draws/{p.draw_public_id}/" if p.draw_public_id else "",
        "selected_agency": selected.credit_code if selected else "",
        "selected_agency_name": selected.name if selected else "",
        "selection_reason": p.selection_reason,
        "publicity_ends_at": p.publicity_ends_at,
        "contract_fen": p.contract_fen,
        "contracted_at": p.contracted_at,
        "service_due_on": p.service_due_on,
        "alert_level": p.alert_level,
        "delivered_at": p.delivered_at,
        "rating": rating.score if rating else None,
        "signups": p.signups.count() if signups is None else signups,
    }


def purchase_fresh(code: str) -> dict[str, Any]:
    """The purchase as the public sees it now (after a change)."""
    return purchase_out(selectors.purchase_get_public(code))


class PurchasesQuery(Schema):
    method: str = ""
    status: str = ""
    region: str = ""
    cursor: str | None = None
    limit: int = 20


# --- public ------------------------------------------------------------------------


@router.get(
    "/purchases",
    response={200: PurchasePageOut, **PROBLEM_RESPONSES},
    summary="采购公告与结果（公开）",
    operation_id=operation_id("purchases"),
)
def purchases(request: HttpRequest, query: Query[PurchasesQuery]) -> dict[str, Any]:
    page = selectors.purchases_public(
        method=query.method,
        status=query.status,
        region=query.region,
        cursor=query.cursor,
        limit=query.limit,
    )
    counts = selectors.signup_counts(page.items)
    return {
        "items": [purchase_out(p, counts.get(p.pk, 0)) for p in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/purchases/{code}",
    response={200: PurchaseOut, **PROBLEM_RESPONSES},
    summary="采购项目",
    operation_id=operation_id("purchase"),
)
def purchase(request: HttpRequest, code: str) -> dict[str, Any]:
    return purchase_fresh(code)


@router.get(
    "/purchases/{code}/signups",
    response={200: list[SignupOut], **PROBLEM_RESPONSES},
    summary="报名及选取结果（报名截止后公开）",
    operation_id=operation_id("purchase_signups"),
)
def purchase_signups(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    p = selectors.purchase_get_public(code)
    if p.status == PurchaseStatus.SIGNUP:
        return []  # who signed up stays undisclosed until sign-up closes
    return [
        {
            "id": s.pk,
            "agency": s.agency.credit_code,
            "agency_name": s.agency.name,
            "consortium": s.consortium.name if s.consortium else "",
            "price_fen": s.price_fen,
            "quality_score": s.quality_score,
            "status": s.status,
            "exclusion_reason": s.exclusion_reason,
            "signed_up_at": s.signed_up_at,
        }
        for s in p.signups.select_related("agency", "consortium")
    ]


@router.get(
    "/figures",
    response={200: MarketFiguresOut, **PROBLEM_RESPONSES},
    summary="运行指标",
    operation_id=operation_id("figures"),
)
def figures(request: HttpRequest, region: str = "") -> dict[str, Any]:
    return selectors.marketplace_figures(region=region)


# --- agencies sign up ----------------------------------------------------------------


@router.post(
    "/purchases/{code}/signups",
    auth=api_auth,
    response={201: SignupOut, **PROBLEM_RESPONSES},
    summary="报名",
    operation_id=operation_id("signup"),
)
def signup(request: HttpRequest, code: str, body: PurchaseSignupIn) -> Status[Any]:
    user = user_of(request)
    agency = selectors.agency_for_user(user=user, credit_code=body.agency_code)
    consortium = None
    if body.consortium_id is not None:
        consortium = Consortium.objects.filter(pk=body.consortium_id, lead=agency).first()
        if consortium is None:
            raise DomainError(errors.CONSORTIUM_INVALID, "联合体不存在，或本机构不是其牵头机构。")
    s = services.purchase_signup(
        purchase=selectors.purchase_get_public(code),
        agency=agency,
        consortium=consortium,
        price_fen=body.price_fen,
        proposal=body.proposal,
        actor=user,
    )
    return Status(
        201,
        {
            "id": s.pk,
            "agency": agency.credit_code,
            "agency_name": agency.name,
            "consortium": consortium.name if consortium else "",
            "price_fen": s.price_fen,
            "quality_score": None,
            "status": s.status,
            "exclusion_reason": "",
            "signed_up_at": s.signed_up_at,
        },
    )


# --- buyers publish ------------------------------------------------------------------


@router.post(
    "/purchases",
    auth=api_auth,
    response={201: PurchaseOut, **PROBLEM_RESPONSES},
    summary="发布采购公告",
    operation_id=operation_id("publish"),
)
def publish(request: HttpRequest, body: PurchaseIn) -> Status[Any]:
    user = user_of(request)
    entity = department = None
    if body.buyer_department_id is not None:
        department = (
            selectors.departments_for_staff(user=user).filter(pk=body.buyer_department_id).first()
        )
        if department is None:
            raise DomainError(core_errors.PERMISSION_DENIED, "只能以本人所在部门的名义发布采购。")
    else:
        entity = selectors.entity_for_user(user=user, credit_code=body.buyer_credit_code)
    p = services.purchase_publish(
        title=body.title,
        service_type_code=body.service_type,
        region_code=body.region_code,
        budget_fen=body.budget_fen,
        service_days=body.service_days,
        method=body.method,
        description=body.description,
        signup_closes_at=body.signup_closes_at,
        buyer_entity=entity,
        buyer_department=department,
        project_code=body.project_code,
        qualification=body.qualification,
        restrictions=body.restrictions,
        actor=user,
    )
    return Status(201, purchase_fresh(p.code))
