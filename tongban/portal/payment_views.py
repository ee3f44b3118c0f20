"""统一网上支付 pages of the portal: the applicant's 缴款通知书 and paying it,
the simulated provider's cashier (模拟收银台), and the public receipt check.

From 我的办件 the applicant opens the order (amount, every fee with its 收费依据,
the deadline), chooses a provider and is sent to its cashier; back from it the
platform asks the provider at once (同步跳转后主动查询) rather than wait for the
asynchronous callback, which then arrives as a duplicate and changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from tongban.core.errors import DomainError
from tongban.payments import providers, selectors, services
from tongban.payments.models import PaymentOrder, Receipt, SimStatus, SimTransaction
from tongban.payments.providers.simulated import sim_pay

# The simulated bank calls back twice, a few seconds and a minute later, as real ones do.
SIM_DELIVERIES = (3, 60)


def _mine(request: HttpRequest, code: str) -> PaymentOrder:
    try:
        return selectors.order_get_for_payer(user=request.user, payment_code=code)
    except DomainError:
        raise Http404("缴款通知书不存在") from None


@require_http_methods(["GET", "POST"])
@login_required
def my_payment(request: HttpRequest, code: str) -> HttpResponse:
    order = _mine(request, code)
    error = ""
    if request.method == "POST":
        provider = request.POST.get("provider", "")[:20]
        try:
            _, url = services.order_start(order_id=order.pk, provider=provider, actor=request.user)
        except DomainError as exc:
            error = exc.detail
        else:
            return redirect(url)
    receipt = Receipt.objects.filter(order=order).first()
    return render(
        request,
        "portal/payments/order.html",
        {
            "order": order,
            "receipt": receipt,
            "providers": providers.choices(),
            "error": error,
            "payable": order.status in ("created", "pending", "failed"),
        },
        status=409 if error else 200,
    )


@require_GET
@login_required
def my_payment_return(request: HttpRequest, code: str) -> HttpResponse:
    order = _mine(request, code)
    status = services.order_query(order_id=order.pk)
    if status == "paid":
        messages.success(request, "缴费成功。电子票据开具后可在本页下载。")
    elif status == "failed":
        messages.error(request, "支付未成功，您可以重新选择支付方式缴费。")
    else:
        messages.info(request, "支付结果确认中，请稍后刷新本页。")
    return redirect("portal:my_payment", code=order.payment_code)


@require_GET
@login_required
def my_payment_receipt(request: HttpRequest, code: str) -> HttpResponse:
    order = _mine(request, code)
    receipt = Receipt.objects.filter(order=order).select_related("order__department").first()
    if receipt is None:
        raise Http404("尚未缴费")
    response = HttpResponse(services.receipt_pdf(receipt), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{receipt.number}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def sim_cashier(request: HttpRequest, txn_id: str) -> HttpResponse:
    """模拟收银台: the simulated provider's page (not the platform's)."""
    txn = SimTransaction.objects.filter(txn_id=txn_id).first()
    if txn is None:
        raise Http404("交易不存在")
    order = _mine(request, txn.payment_code)  # only the payer opens it
    if request.method == "POST" and txn.status == SimStatus.WAITING:
        succeed = request.POST.get("outcome") == "pay"
        sim_pay(txn_id=txn.txn_id, succeed=succeed, deliveries=SIM_DELIVERIES)
        return redirect("portal:my_payment_return", code=order.payment_code)
    return render(request, "portal/payments/sim_cashier.html", {"txn": txn, "order": order})


@require_GET
def receipt_verify(request: HttpRequest, number: str) -> HttpResponse:
    """票据查验 (public): number and check code, from the QR code or typed."""
    check = request.GET.get("c", "")[:12]
    result, error, status = None, None, 200
    if check:
        try:
            result = services.receipt_verify(number=number[:20], check_code=check)
        except DomainError as exc:
            error, status = exc, exc.status
    response = render(
        request,
        "portal/payments/receipt_verify.html",
        {"receipt": result, "error": error, "number": number[:20], "check": check},
        status=status,
    )
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response
