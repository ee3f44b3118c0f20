"""Reconciliation (对账): a provider's day statement against the orders.

The statement is parsed whole first: one malformed line refuses the import and
names the line, nothing is stored. Then the day's movements are matched, per
payment code, with the orders this platform recorded as paid (and refunds as
done) through that provider on that day, China time:

* paid here, absent there (``missing_there``);
* there, but not paid here that day (``missing_here``: a callback that never
  came and no query yet, or money taken for a closed order);
* both, different amounts (``amount_differs``);
* a code no order has (``unknown_order``).

A day with no difference is closed at once; otherwise finance staff (财务人员)
resolve each difference of their departments with a note, and the day is
closed (轧账) by finance staff whose grant covers every difference of the day
(a department's own when they are all its, else the city's or the province's).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import IntegrityError, transaction

from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.audit import audit_record
from tongban.core.crypto import sm3_hex
from tongban.core.errors import DomainError
from tongban.org.models import Department
from tongban.payments import errors
from tongban.payments.models import (
    SETTLED_STATUSES,
    DayStatus,
    Mismatch,
    MismatchKind,
    PaymentOrder,
    Refund,
    RefundStatus,
    StatementDay,
)
from tongban.payments.providers import get_provider
from tongban.payments.services._common import finance_required, finance_scope, label

CHUNK = 5000


def _bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=clock.SHANGHAI)
    return start, start + dt.timedelta(days=1)


def _ours(provider: str, day: dt.date) -> tuple[dict[str, tuple[int, int, int]], dict[str, int]]:
    """Paid here that day: code → (amount, order id, department id); refunds: code → fen."""
    start, end = _bounds(day)
    paid = {
        code: (fen, pk, dept)
        for code, fen, pk, dept in PaymentOrder.objects.filter(
            provider=provider, status__in=SETTLED_STATUSES, paid_at__gte=start, paid_at__lt=end
        )
        .values_list("payment_code", "paid_fen", "pk", "department_id")
        .iterator(chunk_size=CHUNK)
    }
    refunds: dict[str, int] = defaultdict(int)
    for code, fen in Refund.objects.filter(
        order__provider=provider, status=RefundStatus.DONE, decided_at__gte=start,
        decided_at__lt=end,
    ).values_list("order__payment_code", "amount_fen"):  # fmt: skip
        refunds[code] += fen
    return paid, dict(refunds)


def statement_import(
    *, provider: str, text: str, actor: Any, now: dt.datetime | None = None
) -> StatementDay:
    """导入对账单 and match it; the day, closed at once when everything matches."""
    moment = now or clock.now()
    scope = finance_scope(actor)
    if scope is not None and scope.is_empty:
        raise DomainError(core_errors.PERMISSION_DENIED, "导入对账单须由财务人员办理。")
    gateway = get_provider(provider)
    day, lines = gateway.parse_statement(text)  # refuses the whole file, naming the line
    theirs_pay: dict[str, int] = defaultdict(int)
    theirs_refund: dict[str, int] = defaultdict(int)
    first_line: dict[str, int] = {}
    for line in lines:
        target = theirs_pay if line.kind == "pay" else theirs_refund
        target[line.payment_code] += line.amount_fen
        first_line.setdefault(line.payment_code, line.line_no)
    paid, refunds = _ours(gateway.code, day)
    found: list[Mismatch] = []

    def add(kind: str, code: str, ours: int | None, theirs: int | None, order: Any = None) -> None:
        pk, dept = (order[1], order[2]) if order else (None, None)
        found.append(
            Mismatch(
                kind=kind, payment_code=code[:40], order_id=pk, department_id=dept,
                ours_fen=ours, theirs_fen=theirs, line_no=first_line.get(code),
            )
        )  # fmt: skip

    absent = [code for code in theirs_pay if code not in paid]
    known: dict[str, tuple[int, int, int]] = {}
    for i in range(0, len(absent), CHUNK):
        for code, fen, pk, dept in PaymentOrder.objects.filter(
            payment_code__in=absent[i : i + CHUNK]
        ).values_list("payment_code", "paid_fen", "pk", "department_id"):
            known[code] = (fen, pk, dept)
    for code, fen in theirs_pay.items():
        mine = paid.get(code)
        if mine is None:
            other = known.get(code)
            if other is None:
                add(MismatchKind.UNKNOWN_ORDER, code, None, fen)
            else:
                add(MismatchKind.MISSING_HERE, code, None, fen, other)
        elif mine[0] != fen:
            add(MismatchKind.AMOUNT_DIFFERS, code, mine[0], fen, mine)
    for code, mine in paid.items():
        if code not in theirs_pay:
            add(MismatchKind.MISSING_THERE, code, mine[0], None, mine)
    for code in set(refunds) | set(theirs_refund):
        if refunds.get(code, 0) != theirs_refund.get(code, 0):
            order = paid.get(code) or known.get(code)
            add(
                MismatchKind.AMOUNT_DIFFERS,
                code,
                -refunds.get(code, 0),
                -theirs_refund.get(code, 0),
                order,
            )
    net = sum(theirs_pay.values()) - sum(theirs_refund.values())
    try:
        with transaction.atomic():
            record = StatementDay.objects.create(
                provider=gateway.code, day=day,
                status=DayStatus.MISMATCHED if found else DayStatus.CLOSED,
                lines=len(lines), total_fen=net, digest=sm3_hex(text.encode()),
                imported_at=moment, imported_by=label(actor)[:200],
                closed_at=None if found else moment,
            )  # fmt: skip
            for m in found:
                m.day = record
            Mismatch.objects.bulk_create(found, batch_size=CHUNK)
            audit_record(
                actor=label(actor), action="payments.statement_import", object_type="statement_day",
                object_id=f"{gateway.code}/{day.isoformat()}",
                details={"lines": len(lines), "mismatches": len(found), "net_fen": net}, now=moment,
            )  # fmt: skip
    except IntegrityError:
        raise DomainError(
            errors.STATEMENT_DUPLICATE, f"{day:%Y年%-m月%-d日}的对账单已导入，不能重复导入。"
        ) from None
    return record


def mismatch_resolve(
    *, mismatch_id: int, resolution: str, actor: Any, now: dt.datetime | None = None
) -> Mismatch:
    """处理差异: what was done (refunded, confirmed with the bank, …)."""
    moment = now or clock.now()
    text = " ".join((resolution or "").split())
    if len(text) < 2:
        raise DomainError(errors.MISMATCH_RESOLVED, "请写明差异的处理情况。")
    with transaction.atomic():
        mismatch = Mismatch.objects.select_for_update().filter(pk=mismatch_id).first()
        if mismatch is None:
            raise DomainError(errors.MISMATCH_NOT_FOUND, "对账差异不存在。")
        finance_required(
            actor,
            region_path=(
                Department.objects.filter(pk=mismatch.department_id)
                .values_list("region__path", flat=True)
                .first()
                if mismatch.department_id is not None
                else None
            ),
            department_id=mismatch.department_id,
            what="处理对账差异",
        )
        if mismatch.resolved_at is not None:
            raise DomainError(errors.MISMATCH_RESOLVED, "该差异已处理。")
        mismatch.resolution = text[:500]
        mismatch.resolved_by = label(actor)[:200]
        mismatch.resolved_at = moment
        mismatch.save(update_fields=["resolution", "resolved_by", "resolved_at"])
        audit_record(
            actor=label(actor), action="payments.mismatch_resolve", object_type="payment_mismatch",
            object_id=str(mismatch.pk), details={"kind": mismatch.kind}, now=moment,
        )  # fmt: skip
    return mismatch


def day_close(*, day_id: int, actor: Any, now: dt.datetime | None = None) -> StatementDay:
    """轧账: only when every difference of the day is resolved."""
    moment = now or clock.now()
    with transaction.atomic():
        record = StatementDay.objects.select_for_update().filter(pk=day_id).first()
        if record is None:
            raise DomainError(errors.DAY_NOT_FOUND, "对账日不存在。")
        if record.status == DayStatus.CLOSED:
            return record
        scope = finance_scope(actor)
        if scope is not None:
            if scope.is_empty:
                raise DomainError(core_errors.PERMISSION_DENIED, "轧账须由财务人员办理。")
            from tongban.payments.selectors import mismatch_visible_q

            beyond = record.mismatches.exclude(mismatch_visible_q(scope)).count()
            if beyond:
                raise DomainError(
                    errors.DAY_BEYOND_SCOPE,
                    f"该日有 {beyond} 条差异属于您权限以外的单位，"
                    "须由覆盖全部差异单位的上级财务人员轧账。",
                    extra={"beyond": beyond},
                )
        open_count = record.mismatches.filter(resolved_at=None).count()
        if open_count:
            raise DomainError(
                errors.DAY_UNRESOLVED,
                f"尚有 {open_count} 条对账差异未处理，不能轧账。",
                extra={"open": open_count},
            )
        record.status = DayStatus.CLOSED
        record.closed_at = moment
        record.save(update_fields=["status", "closed_at"])
        audit_record(
            actor=label(actor), action="payments.day_close", object_type="statement_day",
            object_id=f"{record.provider}/{record.day.isoformat()}", details={}, now=moment,
        )  # fmt: skip
    return record
