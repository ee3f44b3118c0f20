"""中介服务超市 and 公共资源交易 pages (issue 18): the public lists with results, agency
registration, a buyer publishing and carrying a purchase to its rating, an agency
signing up and delivering, the tender list and a tender's public record.

Thin (CONVENTIONS 2): reads through ``intermediaries.selectors`` scoped to the
caller; each POST is one ``intermediaries.services`` call; a refusal is shown with
its Chinese detail and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.errors import DomainError
from tongban.intermediaries import errors as im_errors
from tongban.intermediaries import selectors, services
from tongban.intermediaries.credit import restrictions_for
from tongban.intermediaries.models import (
    Purchase,
    PurchaseStatus,
    SelectionMethod,
    ServiceType,
    SignupStatus,
    Tender,
    TenderBid,
    TenderCategory,
    TenderStatus,
)

PAGE = 20


def _yuan_to_fen(raw: str, label: str) -> int:
    text = (raw or "").strip().replace(",", "")
    try:
        yuan = float(text)
    except ValueError:
        raise ValueError(f"{label}须为数字（单位：元）。") from None
    if yuan <= 0 or yuan > 10**11:
        raise ValueError(f"{label}须为正数。")
    return round(yuan * 100)


@require_GET
def market_home(request: HttpRequest) -> HttpResponse:
    method = request.GET.get("method", "")
    if method not in SelectionMethod.values:
        method = ""
    try:
        page = selectors.purchases_public(
            method=method, cursor=request.GET.get("cursor") or None, limit=PAGE
        )
    except DomainError:
        page = selectors.purchases_public(method=method, limit=PAGE)
    return render(
        request,
        "portal/market/home.html",
        {
            "page": page,
            "method": method,
            "methods": SelectionMethod.choices,
            "figures": selectors.marketplace_figures(),
        },
    )


def _roles(request: HttpRequest, purchase: Purchase) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"is_buyer": False, "agency": None, "is_selected": False}
    try:
        selectors.purchase_get_for_buyer(user=user, code=purchase.code)
        is_buyer = True
    except DomainError:
        is_buyer = False
    try:
        agency = selectors.agency_for_user(user=user)
    except DomainError:
        agency = None
    selected = bool(agency and purchase.selected and purchase.selected.agency_id == agency.pk)
    return {"is_buyer": is_buyer, "agency": agency, "is_selected": selected}


def _act(request: HttpRequest, purchase: Purchase, roles: dict[str, Any]) -> str:
    """One POST action on the purchase page; the message shown after it."""
    action = request.POST.get("action", "")
    user = request.user
    if action == "signup" and roles["agency"] is not None:
        price = request.POST.get("price", "").strip()
        services.purchase_signup(
            purchase=purchase,
            agency=roles["agency"],
            price_fen=_yuan_to_fen(price, "报价") if price else None,
            proposal=request.POST.get("proposal", ""),
            actor=user,
        )
        return "报名成功。报名截止后将公开选取。"
    if action == "objection" and user.is_authenticated:
        services.objection_file(
            purchase=purchase,
            filer_name=request.POST.get("filer_name", ""),
            reason=request.POST.get("reason", ""),
            actor=user,
        )
        return "异议已提交，政务服务中心将答复。"
    if action == "deliver" and roles["is_selected"]:
        services.purchase_deliver(purchase=purchase, actor=user)
        return "已提交服务成果，等待采购人评价。"
    if not roles["is_buyer"]:
        raise DomainError(im_errors.PURCHASE_NOT_FOUND, "无权进行该操作。")
    if action == "draw":
        services.purchase_draw_run(purchase=purchase, actor=user)
        return "已公开随机抽取，结果进入公示期。"
    if action == "select":
        chosen = request.POST.get("signup_id", "")
        services.purchase_select(
            purchase=purchase,
            signup_id=int(chosen) if chosen.isdigit() else None,
            reason=request.POST.get("reason", ""),
            scores={
                int(k[6:]): int(request.POST[k])
                for k in request.POST
                if k.startswith("score-") and k[6:].isdigit() and request.POST[k].strip().isdigit()
            }
            or None,
            actor=user,
        )
        return "已选取，结果进入公示期。"
    if action == "contract":
        services.purchase_contract_confirm(
            purchase=purchase,
            contract_fen=_yuan_to_fen(request.POST.get("amount", ""), "合同金额"),
            actor=user,
        )
        return "合同已在线确认，服务时限开始计算。"
    if action == "rate":
        score = request.POST.get("score", "")
        services.purchase_rate(
            purchase=purchase,
            score=int(score) if score.isdigit() else 0,
            comment=request.POST.get("comment", ""),
            actor=user,
        )
        return "感谢评价，评价已计入该机构的信用记录。"
    raise DomainError(im_errors.SELECTION_INVALID, "无法识别的操作。")


@require_http_methods(["GET", "POST"])
def purchase_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        purchase = selectors.purchase_get_public(code)
    except DomainError as exc:
        raise Http404(exc.detail) from None
    roles = _roles(request, purchase)
    error = ""
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/login/?next={request.path}")
        try:
            messages.success(request, _act(request, purchase, roles))
            return redirect("portal:market_purchase", code=code)
        except (DomainError, ValueError) as exc:
            error = exc.detail if isinstance(exc, DomainError) else str(exc)
        purchase = selectors.purchase_get_public(code)
    now = clock.now()
    signups = (
        list(purchase.signups.select_related("agency", "consortium"))
        if purchase.status != PurchaseStatus.SIGNUP or roles["is_buyer"]
        else []
    )
    mine = None
    if roles["agency"] is not None:
        mine = purchase.signups.filter(agency=roles["agency"]).first()
    eligible = [s for s in signups if s.status != SignupStatus.EXCLUDED]
    return render(
        request,
        "portal/market/purchase.html",
        {
            "purchase": purchase,
            "signups": signups,
            "eligible": eligible,
            "mine": mine,
            "error": error,
            "now": now,
            "signup_open": purchase.status == PurchaseStatus.SIGNUP
            and now < purchase.signup_closes_at,
            "signup_closed": now >= purchase.signup_closes_at,
            "publicity_open": purchase.status == PurchaseStatus.PUBLICITY
            and purchase.publicity_ends_at is not None
            and now < purchase.publicity_ends_at,
            "rating": getattr(purchase, "rating", None)
            if purchase.status == PurchaseStatus.RATED
            else None,
            "objections": list(purchase.objections.all()),
            "history": list(purchase.history.all()),
            **roles,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def purchase_new(request: HttpRequest) -> HttpResponse:
    entities = list(selectors.entities_for(request.user))
    departments = list(selectors.departments_for_staff(user=request.user))
    error = ""
    values: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.POST[k] for k in request.POST if k != "csrfmiddlewaretoken"}
        try:
            buyer = values.get("buyer", "")
            entity = next((e for e in entities if f"e{e.pk}" == buyer), None)
            department = next((d for d in departments if f"d{d.pk}" == buyer), None)
            closes = dt.datetime.combine(
                dt.date.fromisoformat(values.get("closes_on", "")),
                dt.time(17),
                tzinfo=clock.SHANGHAI,
            )
            days = values.get("service_days", "")
            purchase = services.purchase_publish(
                title=values.get("title", ""),
                service_type_code=values.get("service_type", ""),
                region_code=values.get("region_code", ""),
                budget_fen=_yuan_to_fen(values.get("budget", ""), "预算"),
                service_days=int(days) if days.isdigit() else 0,
                method=values.get("method", ""),
                description=values.get("description", ""),
                signup_closes_at=closes,
                buyer_entity=entity,
                buyer_department=department,
                project_code=values.get("project_code", ""),
                qualification=values.get("qualification", ""),
                actor=request.user,
            )
            messages.success(request, f"采购公告已发布，编号 {purchase.code}。")
            return redirect("portal:market_purchase", code=purchase.code)
        except DomainError as exc:
            error = exc.detail
        except ValueError as exc:
            error = str(exc) if "须" in str(exc) else "报名截止日期格式不正确。"
    return render(
        request,
        "portal/market/new.html",
        {
            "entities": entities,
            "departments": departments,
            "service_types": ServiceType.objects.filter(active=True).order_by("code"),
            "methods": SelectionMethod.choices,
            "values": values,
            "error": error,
        },
    )


@require_GET
def agency_list(request: HttpRequest) -> HttpResponse:
    service_type = request.GET.get("service_type", "")
    try:
        page = selectors.agencies_public(
            service_type=service_type, cursor=request.GET.get("cursor") or None, limit=PAGE
        )
    except DomainError:
        page = selectors.agencies_public(service_type=service_type, limit=PAGE)
    now = clock.now()
    rows = [
        (a, bool(restrictions_for(credit_code=a.credit_code, measure="marketplace", now=now)))
        for a in page.items
    ]
    return render(
        request,
        "portal/market/agencies.html",
        {
            "rows": rows,
            "page": page,
            "service_type": service_type,
            "service_types": ServiceType.objects.filter(active=True).order_by("code"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_join(request: HttpRequest) -> HttpResponse:
    entities = list(selectors.entities_for(request.user))
    error = ""
    values: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.POST[k] for k in request.POST if k != "csrfmiddlewaretoken"}
        entity = next((e for e in entities if e.credit_code == values.get("credit_code")), None)
        try:
            if entity is None:
                raise DomainError(core_errors.PERMISSION_DENIED, "请选择本账号获授权的企业。")
            agency = services.agency_register(
                legal_entity=entity,
                contact_name=values.get("contact_name", ""),
                contact_phone=values.get("contact_phone", ""),
                introduction=values.get("introduction", ""),
                actor=request.user,
            )
            messages.success(request, f"{agency.name}已入驻，全省通用，可公布服务与收费标准。")
            return redirect("portal:market_agencies")
        except DomainError as exc:
            error = exc.detail
    return render(
        request,
        "portal/market/join.html",
        {"entities": entities, "values": values, "error": error},
    )


@require_GET
def tender_list(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    if category not in TenderCategory.values:
        category = ""
    status = request.GET.get("status", "")
    if status not in TenderStatus.values:
        status = ""
    try:
        page = selectors.tenders_public(
            category=category, status=status, cursor=request.GET.get("cursor") or None, limit=PAGE
        )
    except DomainError:
        page = selectors.tenders_public(category=category, status=status, limit=PAGE)
    return render(
        request,
        "portal/market/tenders.html",
        {
            "page": page,
            "category": category,
            "categories": TenderCategory.choices,
            "status": status,
            "statuses": TenderStatus.choices,
        },
    )


def my_bids_on(request: HttpRequest, tender: Tender) -> list[TenderBid]:
    """The bids the signed-in account's entities sent to ``tender`` (none when anonymous)."""
    if not request.user.is_authenticated:
        return []
    return list(selectors.bids_for_user(user=request.user).filter(tender=tender))


@require_GET
def tender_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        tender = selectors.tender_get_public(code)
    except DomainError as exc:
        raise Http404(exc.detail) from None
    now = clock.now()
    documents = list(tender.documents.all())
    return render(
        request,
        "portal/market/tender.html",
        {
            "tender": tender,
            "documents": documents,
            "clarifications": [d for d in documents if d.kind == "clarification"],
            "bids": selectors.public_bids(tender) if tender.status != "bidding" else [],
            "bid_count": tender.bids.count(),
            "mine": my_bids_on(request, tender),
            "bidding_open": tender.status == TenderStatus.BIDDING and now < tender.bid_deadline,
            "is_business": request.user.is_authenticated
            and selectors.entities_for(request.user).exists(),
        },
    )
