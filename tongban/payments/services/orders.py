"""Fee rules and payment orders: assess, create, start, succeed, fail, expire, cancel.

Creation is idempotent: an order is created once per ``source_key`` (the
case and stage, or the API's Idempotency-Key) — a second call returns the
first order, a parallel one loses the unique constraint and reads the winner.
Every later change locks the order row and follows ``workflow.TRANSITIONS``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from tongban.core import clock
from tongban.core.calendar import get_calendar
from tongban.core.counters import counter_next
from tongban.core.errors import DomainError
from tongban.core.task_queue import enqueue_with_transaction
from tongban.payments import codes, errors, fees
from tongban.payments.models import (
    AT_ONCE_DENIED,
    SETTLED_STATUSES,
    AssessStage,
    CodeCounter,
    FeeRule,
    OrderStatus,
    PayBefore,
    PaymentOrder,
)
from tongban.payments.providers import get_provider
from tongban.payments.providers.base import ProviderStatus
from tongban.payments.services._common import (
    OWED,
    apply,
    history,
    lock,
    refuse,
    unpaid_for_case,
)

logger = logging.getLogger(__name__)
UNPAID = (OrderStatus.CREATED, OrderStatus.PENDING, OrderStatus.FAILED)


def _fee_error(exc: fees.FeeError) -> DomainError:
    return DomainError(errors.AMOUNT_INVALID, str(exc))


def spec_of(rule: FeeRule) -> fees.RuleSpec:
    return fees.RuleSpec(
        fee_name=rule.fee_name,
        basis=rule.basis,
        rule=rule.rule,
        amount_fen=rule.amount_fen,
        unit_label=rule.unit_label,
        form_field=rule.form_field,
        table=tuple(rule.table or ()),
        waivers=tuple(rule.waivers or ()),
    )


def fee_rule_save(
    *,
    service_item: Any,
    fee_name: str,
    basis: str,
    rule: str,
    amount_fen: Any = 0,
    unit_label: str = "",
    form_field: str = "",
    table: list[dict[str, Any]] | None = None,
    waivers: list[dict[str, Any]] | None = None,
    stage: str = AssessStage.ACCEPTANCE,
    pay_before: str = PayBefore.DELIVERY,
) -> FeeRule:
    """Create or replace the computable rule of one fee of the item's guide.
    ``pay_before`` is the step that waits for the payment (收费环节): only a fee
    assessed at submission can be due before acceptance."""
    try:
        amount = fees.check_fen(amount_fen)
        spec = fees.RuleSpec(
            fee_name.strip(), basis.strip(), rule, amount, unit_label, form_field,
            tuple(table or ()), tuple(waivers or ()),
        )  # fmt: skip
        fees.validate(spec)
    except fees.FeeError as exc:
        code = errors.AMOUNT_INVALID if "金额" in str(exc) else errors.FEE_RULE_INVALID
        raise DomainError(code, str(exc)) from None
    if stage not in AssessStage.values:
        raise DomainError(errors.FEE_RULE_INVALID, f"未知的计费时点：{stage}")
    if pay_before not in PayBefore.values:
        raise DomainError(errors.FEE_RULE_INVALID, f"未知的缴费环节：{pay_before}")
    if pay_before == PayBefore.ACCEPTANCE and stage != AssessStage.SUBMISSION:
        raise DomainError(
            errors.FEE_RULE_INVALID,
            "受理前缴清的费用须在提交申请时计费（计费时点为“提交时计费”）。",
        )
    obj, _ = FeeRule.objects.update_or_create(
        service_item=service_item,
        fee_name=spec.fee_name,
        defaults={
            "basis": spec.basis, "rule": rule, "amount_fen": amount, "unit_label": unit_label,
            "form_field": form_field, "table": list(spec.table), "waivers": list(spec.waivers),
            "stage": stage, "pay_before": pay_before, "active": True,
        },
    )  # fmt: skip
    return obj


def _line(line: dict[str, Any], index: int) -> dict[str, Any]:
    """One order line in the shape ``fees.assess`` gives, its amount checked."""
    amount = fees.check_fen(line.get("amount_fen"), f"第 {index + 1} 项金额")
    gross = fees.check_fen(line.get("gross_fen", amount), f"第 {index + 1} 项金额")
    return {
        "name": str(line.get("name", "")).strip()[:200],
        "basis": str(line.get("basis", "")).strip()[:200],
        "rule": str(line.get("rule", "fixed")),
        "quantity": line.get("quantity"),
        "unit": str(line.get("unit", "")),
        "gross_fen": gross,
        "waived_fen": gross - amount if gross >= amount else 0,
        "waiver": str(line.get("waiver", "")),
        "amount_fen": amount,
    }


def _next_code(region_code: str, now: dt.datetime) -> str:
    region = (region_code or "000000")[:6].ljust(6, "0")
    year = clock.local_date(now).year
    seq = counter_next(CodeCounter, key={"region_code": region, "year": year}, field="last")
    return codes.compose(region, year, seq)


def order_create(
    *,
    source_key: str,
    department: Any,
    payer_name: str,
    lines: list[dict[str, Any]],
    actor: Any,
    case: Any = None,
    payer_user: Any = None,
    pay_before: str = PayBefore.DELIVERY,
    now: dt.datetime | None = None,
) -> tuple[PaymentOrder, bool]:
    """开具缴款通知书. ``lines`` are fee lines (``fees.assess``); the amount is their
    sum. Returns (order, created): the same source gives the same order."""
    moment = now or clock.now()
    existing = PaymentOrder.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing, False
    if not lines:
        raise DomainError(errors.AMOUNT_INVALID, "缴款通知书至少须有一项收费。")
    try:
        lines = [_line(line, index) for index, line in enumerate(lines)]
    except fees.FeeError as exc:
        raise _fee_error(exc) from None
    total = sum(int(line["amount_fen"]) for line in lines)
    if total <= 0:
        raise DomainError(errors.AMOUNT_INVALID, "应缴金额须大于零（全部减免的无需开具）。")
    if not payer_name.strip():
        raise DomainError(errors.AMOUNT_INVALID, "缴款通知书须写明缴款人。")
    due = get_calendar().add_working_days(
        clock.local_date(moment), settings.TONGBAN_PAYMENTS_DUE_WORKING_DAYS
    )
    try:
        with transaction.atomic():
            order = PaymentOrder.objects.create(
                payment_code=_next_code(department.region.code, moment),
                case=case,
                source_key=source_key[:120],
                department=department,
                region_path=department.region.path,
                payer_name=payer_name.strip()[:200],
                payer_user=payer_user,
                amount_fen=total,
                lines=lines,
                pay_before=pay_before,
                due_on=due,
                created_at=moment,
            )
            history(
                order, action="create", actor=actor, now=moment, to=OrderStatus.CREATED,
                details={"amount_fen": total, "due_on": due.isoformat()},
            )  # fmt: skip
    except IntegrityError:
        # A parallel creation with the same source won the unique constraint.
        return PaymentOrder.objects.get(source_key=source_key[:120]), False
    return order, True


def case_assess(case: Any, *, stage: str, now: dt.datetime) -> int:
    """The assessor registered with cases (``results.fee_assessor_register``):
    create the order of the fees due at ``stage`` and return what the case owes.

    ``stage`` is ``submission`` (the ``case.submit`` subscriber), ``acceptance``
    (called by ``case_accept``/``case_deem_accept`` in the case's transaction;
    it also creates the submission-stage order if the subscriber has not yet)
    or ``at_once`` (即办件 and 告知承诺, decided without an acceptance step:
    both stages: 即办件 at submission, by their subscribers, and before the
    on-the-spot grant, by ``case_handle_immediately``) or ``at_once_denied``
    (a 即办件 denied on the spot: its owed acceptance-stage order is
    cancelled). At acceptance a submission-stage order
    due before acceptance (``PayBefore.ACCEPTANCE``) and still unpaid refuses
    the acceptance (``payment_fees_due_before_acceptance``) — except when the
    law has already deemed the case accepted (行政许可法 第三十二条: silence past
    five working days is acceptance, whatever is unpaid)."""
    from tongban.cases.services.forms import case_form_values

    if stage == AssessStage.SUBMISSION:
        stages = [AssessStage.SUBMISSION]
    else:
        stages = [AssessStage.SUBMISSION, AssessStage.ACCEPTANCE]
    content = case.guide_version.content or {}
    guide_fees = {str(f.get("name", "")) for f in content.get("fees") or []}
    if content.get("free", True) or not guide_fees:
        return int(case.fees_unpaid_fen)  # no fee to assess: no query on the hot path
    if stage == AT_ONCE_DENIED:
        _lift_acceptance_fees(case, now=now)
        return unpaid_for_case(case.pk)
    rules = [
        r
        for r in FeeRule.objects.filter(service_item_id=case.service_item_id, active=True)
        if r.fee_name in guide_fees  # only the fees the guide the case was filed under lists
    ]
    answers: dict[str, Any] | None = None
    for st in stages:
        mine = [r for r in rules if r.stage == st]
        if not mine:
            continue
        if answers is None:
            answers = case_form_values(case)
        try:
            lines = [fees.assess(spec_of(r), answers) for r in mine]
        except fees.FeeError as exc:
            raise DomainError(errors.FEE_RULE_INVALID, f"无法计算应缴费用：{exc}") from None
        if sum(line["amount_fen"] for line in lines) <= 0:
            continue  # all waived: nothing to pay, no order
        strict = any(r.pay_before == PayBefore.ACCEPTANCE for r in mine)
        order_create(
            source_key=f"case:{case.case_no}:{st}",
            department=case.department,
            payer_name=case.applicant_name,
            payer_user=case.submitted_by,
            lines=lines,
            case=case,
            actor="system",
            pay_before=PayBefore.ACCEPTANCE if strict else PayBefore.DELIVERY,
            now=now,
        )
    if stage == AssessStage.ACCEPTANCE and not case.deemed_accepted:
        _check_paid_before_acceptance(case)
    return unpaid_for_case(case.pk)


def _lift_acceptance_fees(case: Any, *, now: dt.datetime) -> None:
    """A 即办件 denied on the spot is not charged its acceptance-stage fees: the
    order issued for them at submission, still owed, is cancelled (in the
    case's transaction: a refused denial keeps it)."""
    owed = PaymentOrder.objects.filter(
        source_key=f"case:{case.case_no}:{AssessStage.ACCEPTANCE}", status__in=OWED
    ).values_list("pk", flat=True)
    for pk in list(owed):
        order_cancel(
            order_id=pk, actor="system", now=now,
            reason="即办件当场不予许可，受理环节的费用不予收取。",
        )  # fmt: skip


def _check_paid_before_acceptance(case: Any) -> None:
    waiting = list(
        PaymentOrder.objects.filter(
            case_id=case.pk, pay_before=PayBefore.ACCEPTANCE, status__in=OWED
        ).values_list("payment_code", "amount_fen", "lines")
    )
    if not waiting:
        return
    fen = sum(amount for _, amount, _ in waiting)
    names = "、".join(line["name"] for _, _, lines in waiting for line in lines)
    raise DomainError(
        errors.FEES_DUE_BEFORE_ACCEPTANCE,
        f"申请人尚未缴纳受理前应缴的费用 {fees.yuan(fen)} 元（{names}），缴清后方可受理。",
        extra={"fees_unpaid_fen": fen, "payment_codes": [code for code, _, _ in waiting]},
    )


def order_start(
    *, order_id: int, provider: str, actor: Any, now: dt.datetime | None = None
) -> tuple[PaymentOrder, str]:
    """发起支付 through ``provider``: the order is pending; where to send the payer."""
    moment = now or clock.now()
    gateway = get_provider(provider)
    with transaction.atomic():
        order = lock(order_id)
        if order.status in SETTLED_STATUSES:
            raise refuse(order, "start")
        if order.status in (OrderStatus.EXPIRED, OrderStatus.CANCELLED) or (
            order.due_on < clock.local_date(moment)
        ):
            raise DomainError(
                errors.ORDER_NOT_PAYABLE,
                f"缴款通知书 {order.payment_code} 已逾期或已撤销，不能缴款。"
                "如需缴费，请联系办理部门重新开具。",
                extra={"status": order.status},
            )
        created = gateway.create(
            payment_code=order.payment_code, amount_fen=order.amount_fen, now=moment
        )
        order.provider = gateway.code
        order.provider_txn = created.txn_id
        order.pending_at = moment
        apply(
            order, action="start", actor=actor, now=moment,
            fields=["provider", "provider_txn", "pending_at"],
            details={"provider": gateway.code, "txn": created.txn_id},
        )  # fmt: skip
    return order, created.pay_url


def order_succeed(
    *, order: PaymentOrder, status: ProviderStatus, actor: Any, now: dt.datetime
) -> PaymentOrder:
    """缴款成功 (the locked order; its amount checked by the caller). The receipt is
    the task worker's, enqueued with this transaction (``core.task_queue``)."""
    from tongban.payments.tasks import payments_receipt_issue

    order.paid_fen = status.amount_fen
    order.paid_at = status.paid_at or now
    order.provider_txn = status.txn_id or order.provider_txn
    apply(
        order, action="succeed", actor=actor, now=now,
        fields=["paid_fen", "paid_at", "provider_txn"],
        details={"txn": status.txn_id, "amount_fen": status.amount_fen},
    )  # fmt: skip
    enqueue_with_transaction(payments_receipt_issue, order.pk, now.isoformat())
    return order


def order_fail(*, order: PaymentOrder, actor: Any, now: dt.datetime) -> PaymentOrder:
    return apply(order, action="fail", actor=actor, now=now, fields=[])


def order_cancel(
    *, order_id: int, actor: Any, reason: str, now: dt.datetime | None = None
) -> PaymentOrder:
    """撤销 by the department, with a reason (a wrong amount, a withdrawn case)."""
    moment = now or clock.now()
    text = " ".join((reason or "").split())
    if len(text) < 2:
        raise DomainError(errors.ORDER_INVALID_STATE, "撤销缴款通知书须写明理由。")
    with transaction.atomic():
        order = lock(order_id)
        order.closed_at = moment
        return apply(
            order, action="cancel", actor=actor, now=moment, fields=["closed_at"],
            details={"reason": text[:500]},
        )  # fmt: skip


def orders_expire_overdue(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """逾期: unpaid orders past their due date; a pending one is asked first."""
    from tongban.payments.services.notify import order_query

    moment = now or clock.now()
    today = clock.local_date(moment)
    ids = list(
        PaymentOrder.objects.filter(
            status__in=(OrderStatus.CREATED, OrderStatus.PENDING, OrderStatus.FAILED),
            due_on__lt=today,
        ).values_list("pk", flat=True)[:limit]
    )
    expired = 0
    for pk in ids:
        if order_query(order_id=pk, now=moment) in (OrderStatus.PAID,):
            continue  # the provider had it paid: not overdue after all
        with transaction.atomic():
            order = lock(pk)
            if order.status not in (OrderStatus.CREATED, OrderStatus.PENDING, OrderStatus.FAILED):
                continue
            order.closed_at = moment
            apply(order, action="expire", actor="scheduler", now=moment, fields=["closed_at"])
            expired += 1
    return expired


def orders_alert_unpaid(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """电子监察: each order past its due date and still owed is marked once
    (``alerted_on``), audited, and ``payment.overdue`` emitted for the
    supervision desk (tongban.supervision.payments) and its listeners."""
    from tongban.core import events
    from tongban.core.audit import audit_record

    moment = now or clock.now()
    today = clock.local_date(moment)
    marked = 0
    ids = list(
        PaymentOrder.objects.filter(
            status__in=(*UNPAID, OrderStatus.EXPIRED), due_on__lt=today, alerted_on__isnull=True
        ).values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        with transaction.atomic():
            updated = PaymentOrder.objects.filter(pk=pk, alerted_on__isnull=True).update(
                alerted_on=today
            )
            if not updated:
                continue  # another sweep marked it
            order = PaymentOrder.objects.get(pk=pk)
            audit_record(
                actor="scheduler", action="payments.overdue", object_type="payment_order",
                object_id=order.payment_code,
                details={"due_on": order.due_on.isoformat(), "department": order.department_id},
                now=moment,
            )  # fmt: skip
            events.emit(
                "payment.overdue",
                {"payment_code": order.payment_code, "department": order.department_id},
                now=moment,
            )
            marked += 1
    return marked
