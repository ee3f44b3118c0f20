"""统一网上支付 API at /api/v1/payments/. Amounts are integer fen.

Payer:
GET  /orders                         my orders (缴款通知书)
GET  /orders/{code}                  one of mine, or one in my staff scope
POST /orders/{code}/pay              choose a provider → its cashier URL (Idempotency-Key)
GET  /orders/{code}/receipt.pdf      the electronic receipt of a paid order
Public:
POST /notify/{provider}              the provider's signed callback (raw body + signature header)
GET  /receipts/{number}?c=           verify a receipt (票据查验)
Staff (scoped; refund approval and reconciliation = 财务人员 in scope, docs/payments.md):
GET  /staff/orders?status=&q=        orders of my departments
POST /staff/orders                   issue an order by hand (Idempotency-Key required)
POST /orders/{code}/cancel           撤销 with a reason (部门负责人)
POST /orders/{code}/query            ask the provider now
POST /orders/{code}/refunds          申请退款 (full or part, with reason)
GET  /refunds?status=                refunds of my departments
POST /refunds/{id}/approve|reject    审批 by finance staff (not the requester)
POST /statements                     import a day's statement (对账单)
GET  /days, GET /days/{id}           对账日 and their mismatches
POST /mismatches/{id}/resolve        处理差异
POST /days/{id}/close                轧账
GET  /figures?from=&to=              amounts, online share, median time to pay, refunds
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.errors import DomainError
from tongban.identity.auth import api_auth
from tongban.org.models import Role
from tongban.org.selectors import staff_scope_for
from tongban.payments import selectors, services
from tongban.payments.api.schemas import (
    MismatchOut,
    NoteIn,
    NotifyOut,
    OrderIn,
    OrderOut,
    PayIn,
    PaymentDayOut,
    PaymentFiguresOut,
    PaymentFiguresQuery,
    PayOut,
    ReasonIn,
    ReceiptOut,
    RefundIn,
    RefundOut,
    ResolveIn,
    StatementIn,
)
from tongban.payments.models import (
    MismatchKind,
    OrderStatus,
    PayBefore,
    PaymentOrder,
    Receipt,
    Refund,
    StatementDay,
)
from tongban.payments.providers.simulated import SIGNATURE_HEADER
from tongban.payments.services.receipts import verification_url

router = Router(tags=["统一网上支付"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]  # set by ninja's auth


def order_out(order: PaymentOrder) -> dict[str, Any]:
    receipt: Receipt | None = getattr(order, "receipt", None) if order.paid_at else None
    return {
        "payment_code": order.payment_code,
        "status": order.status,
        "status_label": OrderStatus(order.status).label,
        "version": order.version,
        "case_no": order.case.case_no if order.case is not None else None,
        "department": order.department.name,
        "payer_name": order.payer_name,
        "amount_fen": order.amount_fen,
        "paid_fen": order.paid_fen,
        "refunded_fen": order.refunded_fen,
        "lines": order.lines,
        "due_on": order.due_on,
        "pay_before": order.pay_before,
        "pay_before_label": PayBefore(order.pay_before).label,
        "provider": order.provider,
        "created_at": order.created_at,
        "paid_at": order.paid_at,
        "receipt_number": receipt.number if receipt else None,
        "receipt_url": verification_url(receipt) if receipt else None,
    }


def _order_for(user: Any, code: str, roles: tuple[str, ...] = selectors.VIEW_ROLES) -> PaymentOrder:
    """The payer's own order, else one in the staff scope; one "not found" for both."""
    try:
        return selectors.order_get_for_payer(user=user, payment_code=code)
    except DomainError:
        return selectors.order_get_for_staff(user=user, payment_code=code, roles=roles)


def _refund_out(refund: Refund) -> dict[str, Any]:
    return {
        "id": refund.pk,
        "payment_code": refund.order.payment_code,
        "amount_fen": refund.amount_fen,
        "reason": refund.reason,
        "status": refund.status,
        "requested_at": refund.requested_at,
        "decided_at": refund.decided_at,
        "decision_note": refund.decision_note,
    }


def _day_out(day: StatementDay, mismatches: list[Any] | None = None) -> dict[str, Any]:
    return {
        "id": day.pk,
        "provider": day.provider,
        "day": day.day,
        "status": day.status,
        "lines": day.lines,
        "total_fen": day.total_fen,
        "digest": day.digest,
        "imported_at": day.imported_at,
        "closed_at": day.closed_at,
        "mismatches": [
            {
                "id": m.pk,
                "kind": m.kind,
                "kind_label": MismatchKind(m.kind).label,
                "payment_code": m.payment_code,
                "ours_fen": m.ours_fen,
                "theirs_fen": m.theirs_fen,
                "line_no": m.line_no,
                "resolution": m.resolution,
                "resolved_at": m.resolved_at,
            }
            for m in mismatches or []
        ],
    }


# --- payer ------------------------------------------------------------------------


@router.get(
    "/orders",
    response={200: list[OrderOut], **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="我的缴款通知书",
)
def my_orders(request: HttpRequest) -> list[dict[str, Any]]:
    return [order_out(o) for o in selectors.order_list_for_payer(user=_user(request))]


@router.get(
    "/orders/{code}",
    response={200: OrderOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="缴款通知书",
)
def order_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return order_out(_order_for(_user(request), code))


@router.post(
    "/orders/{code}/pay",
    response={200: PayOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="缴款（选择支付渠道）",
    description="逾期或已撤销的为 409 payment_order_not_payable；已缴的为 409 "
    "payment_order_invalid_state。支持 Idempotency-Key。",
)
def pay(request: HttpRequest, code: str, body: PayIn) -> dict[str, Any]:
    user = _user(request)
    order = selectors.order_get_for_payer(user=user, payment_code=code)
    order, url = services.order_start(order_id=order.pk, provider=body.provider, actor=user)
    order = selectors.order_get_for_payer(user=user, payment_code=code)
    return {"order": order_out(order), "pay_url": url}


@router.get(
    "/orders/{code}/receipt.pdf",
    auth=api_auth,
    summary="电子票据（PDF）",
    response={200: None, **PROBLEM_RESPONSES},
)
def receipt_file(request: HttpRequest, code: str) -> HttpResponse:
    order = _order_for(_user(request), code)
    receipt = Receipt.objects.filter(order=order).select_related("order__department").first()
    if receipt is None:
        raise DomainError(core_errors.NOT_FOUND, "该缴款通知书尚未缴款，没有电子票据。")
    response = HttpResponse(services.receipt_pdf(receipt), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{receipt.number}.pdf"'
    return response


# --- public -------------------------------------------------------------------------


@router.post(
    "/notify/{provider}",
    response={200: NotifyOut, **PROBLEM_RESPONSES},
    summary="支付渠道异步通知",
    description=f"报文原样验签（{SIGNATURE_HEADER}: HMAC-SM3 十六进制）；签名无效为 401 "
    "payment_signature_invalid 并记录。重复或过时的通知返回 200，不重复处理。",
)
def notify(request: HttpRequest, provider: str) -> dict[str, Any]:
    outcome = services.notification_receive(
        provider=provider,
        body=request.body,
        signature=request.headers.get(SIGNATURE_HEADER, ""),
        address=request.META.get("REMOTE_ADDR", ""),
    )
    return {"outcome": outcome}


@router.get(
    "/receipts/{number}", response={200: ReceiptOut, **PROBLEM_RESPONSES}, summary="电子票据查验"
)
def receipt_check(request: HttpRequest, number: str, c: str = Query(..., max_length=12)) -> Any:
    receipt = services.receipt_verify(number=number, check_code=c)
    order = receipt.order
    return {
        "number": receipt.number,
        "check_code": receipt.check_code,
        "payment_code": order.payment_code,
        "payer_name": order.payer_name,
        "payee": order.department.name,
        "paid_fen": order.paid_fen,
        "refunded_fen": order.refunded_fen,
        "paid_at": order.paid_at,
        "status": order.status,
    }


# --- staff --------------------------------------------------------------------------


@router.get(
    "/staff/orders",
    response={200: list[OrderOut], **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="本部门缴款通知书",
)
def staff_orders(
    request: HttpRequest,
    status: str | None = Query(None, max_length=16),
    q: str = Query("", max_length=40),
) -> list[dict[str, Any]]:
    orders = selectors.order_list_for_staff(user=_user(request), status=status, query=q)
    return [order_out(o) for o in orders]


@router.post(
    "/staff/orders",
    response={201: OrderOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="开具缴款通知书",
    description="须带 Idempotency-Key：同一 Key 只开一张。金额为整数分，负数或小数为 422 "
    "payment_amount_invalid。",
)
def staff_order_create(request: HttpRequest, body: OrderIn) -> Status[Any]:
    from tongban.cases.selectors import case_get_for_staff

    user = _user(request)
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise DomainError(core_errors.MALFORMED_REQUEST, "开具缴款通知书须带 Idempotency-Key。")
    scope = staff_scope_for(user=user).for_roles(Role.WINDOW_CLERK, Role.DEPARTMENT_HEAD)
    case = (
        case_get_for_staff(user=user, case_no=body.case_no, scope=scope) if body.case_no else None
    )
    department = case.department if case else selectors.department_for_staff(user=user)
    order, _ = services.order_create(
        source_key=f"key:{user.pk}:{key}",
        department=department,
        payer_name=body.payer_name,
        payer_user=case.submitted_by if case else None,
        lines=[line.dict() for line in body.lines],
        case=case,
        actor=user,
    )
    if case is not None:
        from tongban.payments.services._common import case_sync

        case_sync(case.pk, reason="开具缴款通知书", now=clock.now())
    order = selectors.order_get_for_staff(user=user, payment_code=order.payment_code)
    return Status(201, order_out(order))


@router.post(
    "/orders/{code}/cancel",
    response={200: OrderOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="撤销缴款通知书（部门负责人）",
)
def cancel(request: HttpRequest, code: str, body: ReasonIn) -> dict[str, Any]:
    user = _user(request)
    order = selectors.order_get_for_staff(
        user=user, payment_code=code, roles=(Role.DEPARTMENT_HEAD,)
    )
    services.order_cancel(order_id=order.pk, actor=user, reason=body.reason)
    return order_out(selectors.order_get_for_staff(user=user, payment_code=code))


@router.post(
    "/orders/{code}/query",
    response={200: OrderOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="向支付渠道查询",
)
def query(request: HttpRequest, code: str) -> dict[str, Any]:
    user = _user(request)
    order = _order_for(user, code)
    services.order_query(order_id=order.pk)
    return order_out(_order_for(user, code))


@router.post(
    "/orders/{code}/refunds",
    response={201: RefundOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="申请退款",
    description="超过可退金额为 422 payment_refund_too_large。",
)
def refund_create(request: HttpRequest, code: str, body: RefundIn) -> Status[Any]:
    user = _user(request)
    order = selectors.order_get_for_staff(
        user=user, payment_code=code, roles=selectors.REFUND_REQUEST_ROLES
    )
    refund = services.refund_request(
        order_id=order.pk, amount_fen=body.amount_fen, reason=body.reason, actor=user
    )
    return Status(201, _refund_out(refund))


@router.get(
    "/refunds",
    response={200: list[RefundOut], **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="退款申请",
)
def refunds(request: HttpRequest, status: str | None = Query(None, max_length=10)) -> Any:
    return [
        _refund_out(r) for r in selectors.refund_list_for_staff(user=_user(request), status=status)
    ]


@router.post(
    "/refunds/{refund_id}/approve",
    response={200: RefundOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="批准退款",
)
def refund_approve(request: HttpRequest, refund_id: int, body: NoteIn) -> dict[str, Any]:
    user = _user(request)
    selectors.refund_get_for_staff(user=user, refund_id=refund_id)
    return _refund_out(services.refund_approve(refund_id=refund_id, actor=user, note=body.note))


@router.post(
    "/refunds/{refund_id}/reject",
    response={200: RefundOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="驳回退款",
)
def refund_reject(request: HttpRequest, refund_id: int, body: NoteIn) -> dict[str, Any]:
    user = _user(request)
    selectors.refund_get_for_staff(user=user, refund_id=refund_id)
    return _refund_out(services.refund_reject(refund_id=refund_id, actor=user, note=body.note))


@router.post(
    "/statements",
    response={201: PaymentDayOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="导入对账单",
    description="任一行格式错误则整份不导入，422 payment_statement_malformed 并指明行号。",
)
def statement(request: HttpRequest, body: StatementIn) -> Status[Any]:
    user = _user(request)
    if not selectors.may_reconcile(user):
        raise DomainError(core_errors.PERMISSION_DENIED, "您没有对账的权限。")
    day = services.statement_import(provider=body.provider, text=body.text, actor=user)
    found, mismatches = selectors.day_get_for_staff(user=user, day_id=day.pk)
    return Status(201, _day_out(found, mismatches))


@router.get(
    "/days",
    response={200: list[PaymentDayOut], **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="对账日",
)
def days(request: HttpRequest) -> list[dict[str, Any]]:
    return [_day_out(row["day"]) for row in selectors.day_list_for_staff(user=_user(request))]


@router.get(
    "/days/{day_id}",
    response={200: PaymentDayOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="对账日及差异",
)
def day_detail(request: HttpRequest, day_id: int) -> dict[str, Any]:
    day, mismatches = selectors.day_get_for_staff(user=_user(request), day_id=day_id)
    return _day_out(day, mismatches)


@router.post(
    "/mismatches/{mismatch_id}/resolve",
    response={200: MismatchOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="处理对账差异",
)
def resolve(request: HttpRequest, mismatch_id: int, body: ResolveIn) -> dict[str, Any]:
    user = _user(request)
    selectors.mismatch_get_for_staff(user=user, mismatch_id=mismatch_id)
    m = services.mismatch_resolve(mismatch_id=mismatch_id, resolution=body.resolution, actor=user)
    out: dict[str, Any] = _day_out(m.day, [m])["mismatches"][0]
    return out


@router.post(
    "/days/{day_id}/close",
    response={200: PaymentDayOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="轧账",
    description="尚有未处理差异为 409 payment_day_unresolved。",
)
def close(request: HttpRequest, day_id: int) -> dict[str, Any]:
    user = _user(request)
    selectors.day_get_for_staff(user=user, day_id=day_id)
    services.day_close(day_id=day_id, actor=user)
    day, mismatches = selectors.day_get_for_staff(user=user, day_id=day_id)
    return _day_out(day, mismatches)


@router.get(
    "/figures",
    response={200: PaymentFiguresOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="缴费统计",
)
def figures(request: HttpRequest, period: Query[PaymentFiguresQuery]) -> dict[str, Any]:
    end = period.last or clock.today()
    start = period.first or end - dt.timedelta(days=29)
    if start > end or (end - start).days > 366:
        raise DomainError(core_errors.VALIDATION_FAILED, "统计区间须在一年以内，且起日不晚于止日。")
    f = selectors.figures_for_staff(user=_user(request), start=start, end=end)
    return {**f.__dict__, "online_share": f.online_share}
