"""The centre's marketplace desk (issue 18): purchases of its region with their service
clocks, objections to answer, penalties to record, and the trading room's steps
(opening, the codes bidders hand in at an on-site opening decrypted in batches,
closing the opening with the expert draw, the committee's progress, conclusion).

Reads through ``intermediaries.selectors`` scoped to the caller's region in SQL;
each POST is one ``intermediaries.services`` call; a refusal shows its detail.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.errors import DomainError
from tongban.intermediaries import errors as im_errors
from tongban.intermediaries import selectors, services
from tongban.intermediaries.models import ObjectionStatus, PurchaseObjection, PurchaseStatus
from tongban.intermediaries.services import evaluation, opening, trading
from tongban.org.selectors import staff_scope_for
from tongban.workbench.access import staff_required


def _codes_from_lines(text: str) -> dict[str, str]:
    """现场解密: one line per bidder, "统一社会信用代码 解密码" (spaces inside the code allowed)."""
    codes: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.replace(",", " ").replace("，", " ").split()
        if not parts:
            continue
        if len(parts) < 2 or len(parts[0]) != 18:
            raise DomainError(
                core_errors.VALIDATION_FAILED,
                f"第 {number} 行须为“统一社会信用代码 解密码”。",
            )
        codes[parts[0].upper()] = "".join(parts[1:])
    if not codes:
        raise DomainError(core_errors.VALIDATION_FAILED, "请填写投标人提交的解密码。")
    if len(codes) > 5000:
        raise DomainError(core_errors.VALIDATION_FAILED, "一次最多 5000 行。")
    return codes


def _act(request: HttpRequest) -> str:
    scope = staff_scope_for(user=request.user)
    action = request.POST.get("action", "")
    user = request.user
    if action in ("uphold", "dismiss"):
        objection_id = request.POST.get("objection", "")
        objection = (
            PurchaseObjection.objects.filter(
                pk=int(objection_id) if objection_id.isdigit() else 0,
                purchase__in=selectors.purchases_in_scope(scope=scope),
            )
            .select_related("purchase")
            .first()
        )
        if objection is None:
            raise DomainError(im_errors.PURCHASE_NOT_FOUND, "异议不存在。")
        services.objection_decide(
            objection=objection,
            upheld=action == "uphold",
            answer=request.POST.get("answer", ""),
            actor=user,
        )
        return "异议已答复。"
    if action == "penalty":
        agency = selectors.agency_get_public(request.POST.get("credit_code", ""))
        days = request.POST.get("days", "")
        now = clock.now()
        region = scope.for_roles(*selectors.CENTRE_ROLES).grants[0].region_path.strip("/")
        services.agency_penalty_record(
            agency=agency,
            kind=request.POST.get("kind", ""),
            reason=request.POST.get("reason", ""),
            decided_by=request.POST.get("decided_by", ""),
            region_code=region.split("/")[-1],
            starts_at=now,
            ends_at=now + dt.timedelta(days=int(days)) if days.isdigit() else None,
            actor=user,
        )
        return f"已记录对{agency.name}的处理，全省适用。"
    tender = selectors.tender_get_in_scope(scope=scope, code=request.POST.get("tender", ""))
    if action == "opening":
        trading.tender_opening_start(tender=tender, actor=user)
        return "已开标，投标人可以解密。"
    if action == "decrypt_batch":
        codes = _codes_from_lines(request.POST.get("codes", ""))
        done = opening.bids_decrypt_batch(tender=tender, codes=codes, actor=user)
        note = f"已解密 {done.opened} 份，无法解密记为无效 {done.invalid} 份"
        if done.unchanged:
            note += f"，此前已解密 {done.unchanged} 份"
        if done.wrong_code:
            note += f"；解密码不正确（仍为密封，可重新提交）：{'、'.join(done.wrong_code)}"
        if done.unknown:
            note += f"；未投标：{'、'.join(done.unknown)}"
        return note + "。"
    if action == "close":
        evaluation.tender_opening_close(tender=tender, actor=user)
        return "解密结束，评标专家已公开抽取。"
    if action == "conclude":
        evaluation.tender_conclude(tender=tender, actor=user)
        return "已定标。"
    raise DomainError(im_errors.SELECTION_INVALID, "无法识别的操作。")


@require_http_methods(["GET", "POST"])
@staff_required
def market_desk(request: HttpRequest) -> HttpResponse:
    scope = staff_scope_for(user=request.user)
    if scope.for_roles(*selectors.CENTRE_ROLES).is_empty:
        raise PermissionDenied("中介服务超市管理仅对政务服务中心管理人员开放。")
    error = ""
    if request.method == "POST":
        try:
            messages.success(request, _act(request))
            return redirect("workbench:market")
        except DomainError as exc:
            error = exc.detail
    purchases = selectors.purchases_in_scope(scope=scope)
    return render(
        request,
        "workbench/market/desk.html",
        {
            "error": error,
            "running": list(
                purchases.filter(status=PurchaseStatus.CONTRACTED).order_by("service_due_on")[:50]
            ),
            "recent": list(purchases[:20]),
            "objections": list(
                PurchaseObjection.objects.filter(
                    purchase__in=purchases, status=ObjectionStatus.PENDING
                ).select_related("purchase")[:50]
            ),
            "tenders": list(
                selectors.tenders_in_scope(scope=scope).annotate(
                    seats=Count("experts", filter=Q(experts__recused=False)),
                    sheets_in=Count(
                        "experts",
                        filter=Q(experts__recused=False, experts__scored_at__isnull=False),
                    ),
                )[:20]
            ),
        },
    )
