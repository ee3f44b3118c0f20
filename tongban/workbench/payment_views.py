"""统一网上支付 in the workbench: the department's orders (缴款通知书), refunds and
their approval, reconciliation (对账) day by day, overdue unpaid orders and the
figures. Each page reads through a scoped selector and writes through one
``payments`` service; refund approval and reconciliation are the finance staff's
(财务人员, ``Role.FINANCE``), each within their grant (docs/payments.md).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.org.models import Role
from tongban.payments import selectors, services
from tongban.payments.models import OrderEvent, OrderStatus, PaymentOrder, RefundStatus
from tongban.supervision.payments import unpaid_order_alerts_for_staff
from tongban.workbench.access import staff_required


@require_GET
@staff_required
def payments_home(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")[:16]
    query = request.GET.get("q", "")[:40]
    return render(
        request,
        "workbench/payments/home.html",
        {
            "orders": selectors.order_list_for_staff(
                user=request.user, status=status or None, query=query
            ),
            "statuses": OrderStatus.choices,
            "status": status,
            "q": query,
            "refunds": selectors.refund_list_for_staff(
                user=request.user, status=RefundStatus.REQUESTED
            ),
            "overdue": unpaid_order_alerts_for_staff(user=request.user, limit=20),
            "may_reconcile": selectors.may_reconcile(request.user),
        },
    )


def _order(
    request: HttpRequest, code: str, roles: tuple[str, ...] = selectors.VIEW_ROLES
) -> PaymentOrder:
    try:
        return selectors.order_get_for_staff(user=request.user, payment_code=code, roles=roles)
    except DomainError:
        raise Http404("缴款通知书不存在") from None


@require_http_methods(["GET", "POST"])
@staff_required
def payment_order(request: HttpRequest, code: str) -> HttpResponseBase:
    order = _order(request, code)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "refund":
                _order(request, code, selectors.REFUND_REQUEST_ROLES)
                services.refund_request(
                    order_id=order.pk,
                    amount_fen=request.POST.get("amount_fen", ""),
                    reason=request.POST.get("reason", ""),
                    actor=request.user,
                )
                messages.success(request, "退款申请已提交，待财务人员审批。")
            elif action == "cancel":
                _order(request, code, (Role.DEPARTMENT_HEAD,))
                services.order_cancel(
                    order_id=order.pk, actor=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, "缴款通知书已撤销。")
            elif action == "query":
                services.order_query(order_id=order.pk)
                messages.success(request, "已向支付渠道查询并更新状态。")
            else:
                raise Http404
        except DomainError as exc:
            error = exc.detail
        else:
            return redirect("workbench:payment_order", code=code)
        order = _order(request, code)
    return render(
        request,
        "workbench/payments/order.html",
        {
            "order": order,
            "events": OrderEvent.objects.filter(order=order).order_by("at", "pk"),
            "refunds": order.refunds.select_related("requested_by", "decided_by"),
            "error": error,
        },
        status=422 if error else 200,
    )


@require_POST
@staff_required
def payment_refund_decide(request: HttpRequest, refund_id: int) -> HttpResponseBase:
    try:
        refund = selectors.refund_get_for_staff(user=request.user, refund_id=refund_id)
    except DomainError:
        raise Http404("退款申请不存在") from None
    note = request.POST.get("note", "")
    try:
        if request.POST.get("decision") == "approve":
            services.refund_approve(refund_id=refund.pk, actor=request.user, note=note)
            messages.success(request, "已批准退款，款项已原路退回。")
        else:
            services.refund_reject(refund_id=refund.pk, actor=request.user, note=note)
            messages.success(request, "已驳回退款申请。")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("workbench:payment_order", code=refund.order.payment_code)


@require_http_methods(["GET", "POST"])
@staff_required
def payment_days(request: HttpRequest) -> HttpResponseBase:
    if not selectors.may_reconcile(request.user):
        raise Http404("您没有对账的权限。")
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("statement")
        text = request.POST.get("text", "")
        if upload is not None:
            text = upload.read(50_000_000).decode("utf-8", "replace")
        try:
            day = services.statement_import(provider="sim", text=text, actor=request.user)
        except DomainError as exc:
            error = exc.detail
        else:
            messages.success(request, "对账单已导入并完成比对。")
            return redirect("workbench:payment_day", day_id=day.pk)
    return render(
        request,
        "workbench/payments/days.html",
        {"days": selectors.day_list_for_staff(user=request.user), "error": error},
        status=422 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def payment_day(request: HttpRequest, day_id: int) -> HttpResponseBase:
    try:
        day, mismatches = selectors.day_get_for_staff(user=request.user, day_id=day_id)
    except DomainError:
        raise Http404("对账日不存在") from None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "close":
                services.day_close(day_id=day.pk, actor=request.user)
                messages.success(request, "已轧账。")
            else:
                raw = request.POST.get("mismatch", "")
                mismatch = selectors.mismatch_get_for_staff(
                    user=request.user, mismatch_id=int(raw) if raw.isdigit() else 0
                )
                services.mismatch_resolve(
                    mismatch_id=mismatch.pk,
                    resolution=request.POST.get("resolution", ""),
                    actor=request.user,
                )
                messages.success(request, "差异已处理。")
        except DomainError as exc:
            messages.error(request, exc.detail)
        return redirect("workbench:payment_day", day_id=day.pk)
    return render(
        request,
        "workbench/payments/day.html",
        {
            "day": day,
            "mismatches": mismatches,
            "open": [m for m in mismatches if not m.resolved_at],
            "beyond": selectors.day_mismatches_beyond_scope(user=request.user, day=day),
        },
    )


@require_GET
@staff_required
def payment_figures(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    try:
        end = dt.date.fromisoformat(request.GET.get("to", "") or today.isoformat())
        start = dt.date.fromisoformat(
            request.GET.get("from", "") or (end - dt.timedelta(days=29)).isoformat()
        )
    except ValueError:
        end, start = today, today - dt.timedelta(days=29)
    if start > end or (end - start).days > 366:
        start = end - dt.timedelta(days=29)
    figures = selectors.figures_for_staff(user=request.user, start=start, end=end)
    return render(request, "workbench/payments/figures.html", {"f": figures})
