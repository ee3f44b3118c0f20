"""What every payment service shares: the locked transition, history, audit,
and telling the case what remains unpaid."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Sum

from tongban.core import errors as core_errors
from tongban.core import events
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError
from tongban.org.models import Role
from tongban.org.selectors import StaffScope, staff_scope_for
from tongban.payments import errors, workflow
from tongban.payments.models import OrderEvent, OrderStatus, PaymentOrder

# Orders whose amount the case still owes (an expired order is still unpaid;
# only a cancellation with a reason lifts it).
OWED = (OrderStatus.CREATED, OrderStatus.PENDING, OrderStatus.FAILED, OrderStatus.EXPIRED)


def finance_scope(actor: Any) -> StaffScope | None:
    """The actor's 财务人员 grants (``Role.FINANCE``); None for the system itself
    (a ``str`` actor: the scheduler, a management command, the bench)."""
    if isinstance(actor, str):
        return None
    return staff_scope_for(user=actor).for_roles(Role.FINANCE)


def finance_required(
    actor: Any, *, region_path: str | None, department_id: int | None, what: str
) -> None:
    """Refuse unless ``actor`` is finance staff whose grant covers the row:
    its region subtree, and its department where the grant is restricted. A row
    of no department (an unknown payment code) needs an unrestricted grant."""
    scope = finance_scope(actor)
    if scope is None:
        return
    for grant in scope.grants:
        if department_id is None:
            if grant.department_ids is None:
                return
            continue
        if (region_path or "").startswith(grant.region_path) and (
            grant.department_ids is None or department_id in grant.department_ids
        ):
            return
    raise DomainError(
        core_errors.PERMISSION_DENIED,
        f"{what}须由本单位（或上级区划）的财务人员办理。",
        extra={"role": Role.FINANCE.value},
    )


def label(actor: Any) -> str:
    if isinstance(actor, str):
        return actor
    name = getattr(actor, "display_name", "") or getattr(actor, "username", "")
    return f"{actor_label(actor)} {name}".strip()


def history(
    order: PaymentOrder | int,
    *,
    action: str,
    actor: Any,
    now: dt.datetime,
    frm: str = "",
    to: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    history_row(order, action=action, actor=actor, now=now, frm=frm, to=to, details=details).save(
        force_insert=True
    )


def history_row(
    order: PaymentOrder | int,
    *,
    action: str,
    actor: Any,
    now: dt.datetime,
    frm: str = "",
    to: str = "",
    details: dict[str, Any] | None = None,
) -> OrderEvent:
    """The order's history row, not yet saved."""
    return OrderEvent(
        order_id=order if isinstance(order, int) else order.pk,
        at=now,
        actor_label=label(actor)[:200],
        action=action,
        from_status=frm,
        to_status=to,
        details=details or {},
    )


def lock(order_id: int) -> PaymentOrder:
    """The order row, locked until the caller's transaction ends."""
    order = PaymentOrder.objects.select_for_update(of=("self",)).filter(pk=order_id).first()
    if order is None:
        raise DomainError(errors.ORDER_NOT_FOUND, "缴款通知书不存在。")
    return order


def refuse(order: PaymentOrder, action: str) -> DomainError:
    if action in ("start", "succeed") and order.status in (
        OrderStatus.EXPIRED,
        OrderStatus.CANCELLED,
    ):
        return DomainError(
            errors.ORDER_NOT_PAYABLE,
            f"缴款通知书 {order.payment_code} {OrderStatus(order.status).label}，不能缴款。"
            "如需缴费，请联系办理部门重新开具。",
            extra={"status": order.status},
        )
    return DomainError(
        errors.ORDER_INVALID_STATE,
        f"缴款通知书当前为“{OrderStatus(order.status).label}”，"
        f"不能{workflow.ACTION_LABELS[action]}。",
        extra={"status": order.status, "action": action},
    )


def apply(
    order: PaymentOrder,
    *,
    action: str,
    actor: Any,
    now: dt.datetime,
    fields: list[str],
    details: dict[str, Any] | None = None,
) -> PaymentOrder:
    """Move the locked ``order`` by ``action`` (already checked), save, history, audit."""
    to = workflow.target(action, order.status)
    if to is None:
        raise refuse(order, action)
    frm = order.status
    order.status = to
    order.version += 1
    order.save(update_fields=["status", "version", *fields])
    applied(
        order.pk, order.payment_code, order.case_id, order.version,
        action=action, actor=actor, now=now, frm=frm, to=to, details=details,
    )  # fmt: skip
    return order


def applied(
    order_id: int,
    payment_code: str,
    case_id: int | None,
    version: int,
    *,
    action: str,
    actor: Any,
    now: dt.datetime,
    frm: str,
    to: str,
    details: dict[str, Any] | None = None,
) -> None:
    """What follows a transition already written to the order row by
    :func:`apply`: history, audit, the event, and the case told what remains
    unpaid (the callbacks' one statement writes the first two itself)."""
    history(order_id, action=action, actor=actor, now=now, frm=frm, to=to, details=details)
    audit_record(
        actor=label(actor),
        action=f"payments.{action}",
        object_type="payment_order",
        object_id=payment_code,
        details={"from": frm, "to": to, **(details or {})},
        now=now,
    )
    followed(payment_code, case_id, version, action=action, now=now, frm=frm, to=to)


def followed(
    payment_code: str,
    case_id: int | None,
    version: int,
    *,
    action: str,
    now: dt.datetime,
    frm: str,
    to: str,
) -> None:
    """After the history and the audit of a transition: the event, and the
    case told what remains unpaid."""
    events.emit(
        f"payment.{action}",
        {"payment_code": payment_code, "from": frm, "to": to, "version": version},
        now=now,
    )
    if case_id is not None and action in ("succeed", "cancel", "expire"):
        case_sync(case_id, reason=workflow.ACTION_LABELS[action], now=now)


def unpaid_for_case(case_id: int) -> int:
    total = PaymentOrder.objects.filter(case_id=case_id, status__in=OWED).aggregate(
        s=Sum("amount_fen")
    )["s"]
    return int(total or 0)


def case_sync(case_id: int, *, reason: str, now: dt.datetime) -> None:
    """Tell the case what remains unpaid (in the caller's transaction)."""
    from tongban.cases.services.results import case_fees_settle

    case_fees_settle(case_id=case_id, unpaid_fen=unpaid_for_case(case_id), reason=reason, now=now)
