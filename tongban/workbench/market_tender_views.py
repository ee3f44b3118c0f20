"""The trading centre announces tenders (发布交易公告) and answers questions with
clarifications (答疑澄清) (issue 18).

Every read is scoped to the staff member's region in SQL (``intermediaries.selectors``
with the centre's roles); every write is one ``intermediaries.services`` call, whose
refusal is shown next to the field it names, or at the top of the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.intermediaries import selectors
from tongban.intermediaries.models import TenderStatus
from tongban.intermediaries.services import trading
from tongban.intermediaries.services.tender_documents import (
    tender_announce,
    tender_document_upload,
)
from tongban.org.selectors import StaffScope, staff_scope_for
from tongban.workbench.access import staff_required
from tongban.workbench.market_forms import (
    ClarificationForm,
    DocumentForm,
    TenderForm,
    attach_problem,
)


def centre_scope(request: HttpRequest) -> StaffScope:
    """The caller's scope as the trading centre's staff, or 403."""
    scope = staff_scope_for(user=request.user).for_roles(*selectors.CENTRE_ROLES)
    if scope.is_empty:
        raise PermissionDenied("公共资源交易管理仅对政务服务中心（交易中心）管理人员开放。")
    return scope


def region_choices(scope: StaffScope) -> list[tuple[str, str]]:
    """The form's choices of the regions under the caller's scope."""
    rows = selectors.regions_in_scope(scope=scope)[:500]
    return [("", "请选择")] + [(r.code, r.full_name or r.name) for r in rows]


@require_http_methods(["GET", "POST"])
@staff_required
def tender_new(request: HttpRequest) -> HttpResponse:
    """发布交易公告: the announcement with its tender document, published at once."""
    scope = centre_scope(request)
    regions = region_choices(scope)
    form = TenderForm(regions=regions)
    error = ""
    if request.method == "POST":
        form = TenderForm(request.POST, request.FILES, regions=regions)
        if form.is_valid():
            data = form.cleaned_data
            upload = data.get("document")
            try:
                tender = tender_announce(
                    document=(upload.name, upload.read()) if upload else None,
                    actor=request.user,
                    category=data["category"],
                    title=data["title"],
                    tenderer_name=data["tenderer_name"],
                    tenderer_code=data["tenderer_code"],
                    region_code=data["region"],
                    budget_fen=form.budget_fen(),
                    announcement=data["announcement"],
                    bid_deadline=data["bid_deadline"],
                    opens_at=data["opens_at"],
                    expert_specialty=data["expert_specialty"],
                    expert_count=data["expert_count"],
                    min_bids=data["min_bids"],
                )
            except DomainError as exc:
                if not attach_problem(form, exc):
                    error = exc.detail
            else:
                messages.success(request, f"交易公告已发布，交易编号 {tender.code}。")
                return redirect("workbench:market_tender", code=tender.code)
    failed = bool(error or form.errors)
    return render(
        request,
        "workbench/market/tender_new.html",
        {"form": form, "error": error, "failed": failed},
        status=422 if failed else 200,
    )


def _post(request: HttpRequest, tender: Any) -> tuple[str, ClarificationForm, DocumentForm]:
    """One action of the tender page: a clarification or a further tender document."""
    clarification = ClarificationForm(prefix="c")
    document = DocumentForm(prefix="d")
    action = request.POST.get("action", "")
    if action == "clarify":
        clarification = ClarificationForm(request.POST, prefix="c")
        if clarification.is_valid():
            try:
                trading.tender_document_add(
                    tender=tender,
                    kind="clarification",
                    title=clarification.cleaned_data["title"],
                    content=clarification.cleaned_data["content"],
                    actor=request.user,
                )
            except DomainError as exc:
                if not attach_problem(clarification, exc):
                    return exc.detail, clarification, document
            else:
                return "", clarification, document
    elif action == "document":
        document = DocumentForm(request.POST, request.FILES, prefix="d")
        if document.is_valid():
            upload = document.cleaned_data["document"]
            try:
                tender_document_upload(
                    tender=tender,
                    title=document.cleaned_data["title"],
                    content=upload.read(),
                    file_name=upload.name,
                    actor=request.user,
                )
            except DomainError as exc:
                if not attach_problem(document, exc):
                    return exc.detail, clarification, document
            else:
                return "", clarification, document
    else:
        return "无法识别的操作。", clarification, document
    return "", clarification, document


@require_http_methods(["GET", "POST"])
@staff_required
def tender_manage(request: HttpRequest, code: str) -> HttpResponse:
    """A tender of the caller's region: its documents and clarifications, and the forms
    to publish more before the bid deadline."""
    scope = centre_scope(request)
    try:
        tender = selectors.tender_get_in_scope(scope=scope, code=code)
    except DomainError as exc:
        raise Http404(exc.detail) from None
    clarification = ClarificationForm(prefix="c")
    document = DocumentForm(prefix="d")
    error = ""
    if request.method == "POST":
        error, clarification, document = _post(request, tender)
        if not error and not clarification.errors and not document.errors:
            done = (
                "澄清已发布，并已通知已投标的投标人。"
                if request.POST.get("action") == ("clarify")
                else "招标文件已发布。"
            )
            messages.success(request, done)
            return redirect("workbench:market_tender", code=tender.code)
    tender.refresh_from_db()
    failed = bool(error or clarification.errors or document.errors)
    return render(
        request,
        "workbench/market/tender.html",
        {
            "tender": tender,
            "documents": list(tender.documents.all()),
            "bid_count": tender.bids.count(),
            "open": tender.status == TenderStatus.BIDDING and clock.now() < tender.bid_deadline,
            "clarification": clarification,
            "document": document,
            "error": error,
        },
        status=422 if failed else 200,
    )
