"""Reads of payments (CONVENTIONS 5): every staff read scoped in SQL.

The payer sees the orders issued to their account; staff see the orders of
their region subtree and departments with a role that may; finance work
(refund approval, reconciliation: 财务) is the department head's — the
platform has no separate finance role yet (docs/payments.md) — or the
platform administrator's.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.org.models import Role
from tongban.org.selectors import scope_q, staff_scope_for
from tongban.payments import errors
from tongban.payments.models import (
    SETTLED_STATUSES,
    FeeRule,
    Mismatch,
    OrderStatus,
    PaymentOrder,
    Refund,
    RefundStatus,
    StatementDay,
)

VIEW_ROLES = (
    Role.WINDOW_CLERK,
    Role.REVIEWER,
    Role.DEPARTMENT_HEAD,
    Role.SUPERVISOR,
    Role.FINANCE,
)
REFUND_REQUEST_ROLES = (Role.WINDOW_CLERK, Role.DEPARTMENT_HEAD)
# 财务人员 only: approving a refund moves money, reconciling answers for it; the
# department that decided the charge (its head) must not also approve paying it back.
FINANCE_ROLES = (Role.FINANCE,)
NOT_FOUND = "缴款通知书不存在。"


def fee_rules_for_item(service_item_id: int) -> list[FeeRule]:
    return list(FeeRule.objects.filter(service_item_id=service_item_id, active=True))


def order_list_for_payer(*, user: Any, case_id: int | None = None) -> list[PaymentOrder]:
    orders = PaymentOrder.objects.filter(payer_user=user).select_related(
        "department", "case", "receipt"
    )
    if case_id is not None:
        orders = orders.filter(case_id=case_id)
    return list(orders.order_by("-created_at", "-pk")[:200])


def order_get_for_payer(*, user: Any, payment_code: str) -> PaymentOrder:
    order = (
        PaymentOrder.objects.select_related("department", "case", "receipt")
        .filter(payer_user=user, payment_code=payment_code)
        .first()
    )
    if order is None:
        raise DomainError(errors.ORDER_NOT_FOUND, NOT_FOUND)
    return order


def _staff_orders(user: Any, roles: tuple[str, ...]) -> QuerySet[PaymentOrder]:
    scope = staff_scope_for(user=user).for_roles(*roles)
    if scope.is_empty:
        return PaymentOrder.objects.none()
    return PaymentOrder.objects.filter(
        scope_q(scope=scope, region_path_field="region_path", department_field="department")
    )


def order_get_for_staff(
    *, user: Any, payment_code: str, roles: tuple[str, ...] = VIEW_ROLES
) -> PaymentOrder:
    """One order in the user's scope for ``roles``; "not found" for not yours."""
    order = (
        _staff_orders(user, roles)
        .select_related("department", "case")
        .filter(payment_code=payment_code)
        .first()
    )
    if order is None:
        raise DomainError(errors.ORDER_NOT_FOUND, NOT_FOUND)
    return order


def order_list_for_staff(
    *, user: Any, status: str | None = None, query: str = "", limit: int = 100
) -> list[PaymentOrder]:
    orders = _staff_orders(user, VIEW_ROLES).select_related("department", "case")
    if status:
        orders = orders.filter(status=status)
    if query:
        orders = orders.filter(Q(payment_code=query.strip()) | Q(case__case_no=query.strip()))
    return list(orders.order_by("-created_at", "-pk")[:limit])


def refund_get_for_staff(*, user: Any, refund_id: int) -> Refund:
    scope = staff_scope_for(user=user).for_roles(*FINANCE_ROLES)
    refund = None
    if not scope.is_empty:
        in_scope = scope_q(
            scope=scope,
            region_path_field="order__region_path",
            department_field="order__department",
        )
        refund = Refund.objects.filter(in_scope, pk=refund_id).select_related("order").first()
    if refund is None:
        raise DomainError(errors.REFUND_NOT_FOUND, "退款申请不存在。")
    return refund


def refund_list_for_staff(*, user: Any, status: str | None = None) -> list[Refund]:
    scope = staff_scope_for(user=user).for_roles(*VIEW_ROLES, *FINANCE_ROLES)
    if scope.is_empty:
        return []
    refunds = Refund.objects.filter(
        scope_q(
            scope=scope,
            region_path_field="order__region_path",
            department_field="order__department",
        )
    ).select_related("order__department", "requested_by", "decided_by")
    if status:
        refunds = refunds.filter(status=status)
    return list(refunds.order_by("-requested_at", "-pk")[:200])


def _finance_scope(user: Any) -> Any:
    scope = staff_scope_for(user=user).for_roles(*FINANCE_ROLES)
    if scope.is_empty:
        raise DomainError(errors.DAY_NOT_FOUND, "您没有对账的权限。")
    return scope


def mismatch_visible_q(scope: Any, prefix: str = "") -> Q:
    """Differences a finance scope reaches: those of its departments and regions;
    a difference of no department (an unknown code) only with a grant that is
    not restricted to departments."""
    visible = scope_q(
        scope=scope,
        region_path_field=f"{prefix}department__region__path",
        department_field=f"{prefix}department",
    )
    if any(g.department_ids is None for g in scope.grants):
        visible |= Q(**{f"{prefix}department__isnull": True})
    return visible


def may_reconcile(user: Any) -> bool:
    return not staff_scope_for(user=user).for_roles(*FINANCE_ROLES).is_empty


def day_list_for_staff(*, user: Any) -> list[dict[str, Any]]:
    """The imported days with the open mismatches the user may see."""
    visible = mismatch_visible_q(_finance_scope(user), "mismatches__")
    days = StatementDay.objects.annotate(
        open=Count("mismatches", filter=visible & Q(mismatches__resolved_at=None)),
    ).order_by("-day", "provider")[:90]
    return [{"day": d, "open": d.open} for d in days]


def day_get_for_staff(*, user: Any, day_id: int) -> tuple[StatementDay, list[Mismatch]]:
    scope = _finance_scope(user)
    day = StatementDay.objects.filter(pk=day_id).first()
    if day is None:
        raise DomainError(errors.DAY_NOT_FOUND, "对账日不存在。")
    visible = mismatch_visible_q(scope)
    mismatches = list(
        day.mismatches.filter(visible).select_related("order", "department").order_by("pk")
    )
    return day, mismatches


def day_mismatches_beyond_scope(*, user: Any, day: StatementDay) -> int:
    """How many of the day's differences the user's finance grant does not reach
    (a day is closed only by someone who reaches them all)."""
    return day.mismatches.exclude(mismatch_visible_q(_finance_scope(user))).count()


def mismatch_get_for_staff(*, user: Any, mismatch_id: int) -> Mismatch:
    visible = mismatch_visible_q(_finance_scope(user))
    mismatch = Mismatch.objects.filter(visible, pk=mismatch_id).first()
    if mismatch is None:
        raise DomainError(errors.MISMATCH_NOT_FOUND, "对账差异不存在。")
    return mismatch


# --- 一件事 ------------------------------------------------------------------------


@dataclass
class BundleFees:
    """What a 一件事 application owes: one total, one order per member case and
    so per 执收单位 (docs/payments.md, "一件事"), grouped by department."""

    total_fen: int = 0
    unpaid_fen: int = 0
    departments: list[dict[str, Any]] = field(default_factory=list)


def bundle_fees_for_application(*, application_no: str) -> BundleFees:
    """The orders of the application's member cases (one query). The caller has
    already checked that the application is the user's (portal ``_mine``)."""
    orders = (
        PaymentOrder.objects.filter(case__bundle_member__application__application_no=application_no)
        .select_related("department", "case")
        .order_by("department__name", "created_at", "pk")
    )
    out = BundleFees()
    groups: dict[int, dict[str, Any]] = {}
    for order in orders:
        owed = order.amount_fen if order.status in unpaid_statuses() else 0
        if order.status != OrderStatus.CANCELLED:
            out.total_fen += order.amount_fen
        out.unpaid_fen += owed
        group = groups.setdefault(
            order.department_id,
            {"department": order.department.name, "orders": [], "unpaid_fen": 0},
        )
        group["orders"].append(order)
        group["unpaid_fen"] += owed
    out.departments = list(groups.values())
    return out


# --- figures -------------------------------------------------------------------


@dataclass
class Figures:
    start: dt.date
    end: dt.date
    issued: int = 0
    issued_fen: int = 0
    paid: int = 0
    paid_fen: int = 0
    paid_online: int = 0
    refunded_fen: int = 0
    refunds: int = 0
    median_minutes_to_pay: float | None = None
    by_department: list[dict[str, Any]] = field(default_factory=list)
    by_item: list[dict[str, Any]] = field(default_factory=list)

    @property
    def online_share(self) -> float | None:
        return round(self.paid_online / self.paid, 4) if self.paid else None


def figures_for_staff(*, user: Any, start: dt.date, end: dt.date) -> Figures:
    """Collected per department and fee item, share paid online, median time from
    order to payment, refunds — over orders issued from ``start`` to ``end``."""
    lo = dt.datetime.combine(start, dt.time(), tzinfo=clock.SHANGHAI)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=clock.SHANGHAI)
    orders = _staff_orders(user, VIEW_ROLES).filter(created_at__gte=lo, created_at__lt=hi)
    out = Figures(start=start, end=end)
    totals = orders.aggregate(n=Count("pk"), fen=Sum("amount_fen"))
    out.issued, out.issued_fen = totals["n"] or 0, int(totals["fen"] or 0)
    settled = orders.filter(status__in=SETTLED_STATUSES)
    paid = settled.aggregate(n=Count("pk"), fen=Sum("paid_fen"), ref=Sum("refunded_fen"))
    out.paid, out.paid_fen = paid["n"] or 0, int(paid["fen"] or 0)
    out.refunded_fen = int(paid["ref"] or 0)
    out.paid_online = settled.filter(channel="online").exclude(provider="").count()
    out.refunds = Refund.objects.filter(order__in=orders, status=RefundStatus.DONE).count()
    out.by_department = [
        {"department": r["department__name"], "orders": r["n"], "paid_fen": int(r["fen"] or 0)}
        for r in settled.values("department__name")
        .annotate(n=Count("pk"), fen=Sum("paid_fen"))
        .order_by("-fen", "department__name")
    ]
    by_item: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    minutes: list[float] = []
    for lines, created, paid_at in settled.values_list("lines", "created_at", "paid_at")[:100000]:
        for line in lines:
            by_item[line["name"]][0] += 1
            by_item[line["name"]][1] += int(line["amount_fen"])
        if paid_at:
            minutes.append((paid_at - created).total_seconds() / 60)
    out.by_item = [
        {"item": name, "lines": n, "paid_fen": fen}
        for name, (n, fen) in sorted(by_item.items(), key=lambda kv: -kv[1][1])
    ]
    out.median_minutes_to_pay = round(statistics.median(minutes), 1) if minutes else None
    return out


def unpaid_statuses() -> tuple[str, ...]:
    return (OrderStatus.CREATED, OrderStatus.PENDING, OrderStatus.FAILED, OrderStatus.EXPIRED)


def department_for_staff(*, user: Any) -> Any:
    """The department a member of staff issues orders for (their first assignment)."""
    from tongban.org.models import Department

    scope = staff_scope_for(user=user).for_roles(Role.WINDOW_CLERK, Role.DEPARTMENT_HEAD)
    department = (
        Department.objects.filter(staff_assignments__user=user, staff_assignments__active=True)
        .select_related("region")
        .first()
        if not scope.is_empty
        else None
    )
    if department is None:
        raise DomainError(errors.ORDER_NOT_FOUND, "您不在可开具缴款通知书的岗位上。")
    return department
