"""What providers tell the platform: signed callbacks and answers to queries.

Both end in :func:`status_apply`, which only moves an order along an edge of
``workflow.TRANSITIONS`` under the order's row lock: a callback repeated,
late or overtaken by a query changes nothing the second time, and says so
(``NotifyOutcome``). Every callback is stored as received; one whose
signature does not verify is refused, stored as ``forged`` and logged — its
content is never read.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import connection, transaction

from tongban.core import clock
from tongban.core.audit import audit_record
from tongban.core.errors import DomainError
from tongban.core.task_queue import enqueue_with_transaction
from tongban.payments import errors, workflow
from tongban.payments.models import (
    SETTLED_STATUSES,
    Notification,
    NotifyOutcome,
    OrderStatus,
    PaymentOrder,
)
from tongban.payments.providers import get_provider
from tongban.payments.providers.base import ProviderStatus
from tongban.payments.services._common import applied, history, lock
from tongban.payments.services.orders import order_fail, order_succeed
from tongban.payments.tasks import payments_receipt_issue

logger = logging.getLogger("tongban.payments.notify")


def status_apply(*, order_id: int, status: ProviderStatus, actor: str, now: dt.datetime) -> str:
    """Apply the provider's word on one payment; the ``NotifyOutcome``."""
    with transaction.atomic():
        return _apply_locked(lock(order_id), status=status, actor=actor, now=now)


def _apply_locked(
    order: PaymentOrder, *, status: ProviderStatus, actor: str, now: dt.datetime
) -> str:
    """The provider's word on the locked ``order`` (the caller's transaction)."""
    if status.status == "success":
        if order.status in SETTLED_STATUSES:
            return NotifyOutcome.DUPLICATE
        if order.status in (OrderStatus.EXPIRED, OrderStatus.CANCELLED):
            # Money arrived for a closed order: reconciliation lists it and
            # the finance staff refund it; the order is not reopened.
            history(
                order, action="late_payment", actor=actor, now=now,
                details={"txn": status.txn_id, "amount_fen": status.amount_fen},
            )  # fmt: skip
            return NotifyOutcome.AFTER_CLOSE
        if status.amount_fen != order.amount_fen:
            history(
                order, action="amount_differs", actor=actor, now=now,
                details={"txn": status.txn_id, "amount_fen": status.amount_fen},
            )  # fmt: skip
            return NotifyOutcome.AMOUNT_DIFFERS
        order_succeed(order=order, status=status, actor=actor, now=now)
        return NotifyOutcome.APPLIED
    if status.status in ("failed", "closed"):
        if order.status == OrderStatus.PENDING and order.provider_txn == status.txn_id:
            order_fail(order=order, actor=actor, now=now)
            return NotifyOutcome.APPLIED
        return NotifyOutcome.STALE  # a failure after a success, or of an old attempt
    return NotifyOutcome.STALE  # "waiting": nothing to do


def _store(
    *,
    provider: str,
    body: bytes,
    signature: str,
    outcome: str,
    address: str,
    now: dt.datetime,
    status: ProviderStatus | None = None,
) -> None:
    Notification.objects.create(
        provider=provider[:20],
        notify_id=(status.notify_id if status else "")[:64],
        payment_code=(status.payment_code if status else "")[:20],
        received_at=now,
        body=body.decode("utf-8", "replace")[:4000],
        signature=signature[:200],
        outcome=outcome,
        address=address[:64],
    )


_SUCCEED_SOURCES = sorted(str(s) for s in workflow.TRANSITIONS["succeed"][0])
# The common callbacks in one statement: "paid", for a payable order, of the
# amount owed, and its duplicates. The row is locked by its code (``FOR
# UPDATE`` returns the newest version after a wait), the transition written
# only if the table allows it from the status read under that lock, and that
# status returned (for the history, or to know a duplicate). Anything else (a
# late payment, a different amount, an unknown code) is left to the general path.
_SUCCEED_SQL = """
WITH old AS (
    SELECT id, status FROM payments_paymentorder WHERE payment_code = %s FOR UPDATE
), paid AS (
    UPDATE payments_paymentorder AS o
       SET status = %s, version = o.version + 1, paid_fen = %s, paid_at = %s,
           provider_txn = COALESCE(NULLIF(%s, ''), o.provider_txn)
      FROM old
     WHERE o.id = old.id AND o.amount_fen = %s AND old.status = ANY(%s)
    RETURNING o.id, o.case_id, o.version
)
SELECT old.id, old.status, paid.id IS NOT NULL, paid.case_id, paid.version
  FROM old LEFT JOIN paid ON paid.id = old.id
"""


def _success_at_once(status: ProviderStatus, *, actor: str, now: dt.datetime) -> str | None:
    """The outcome if the one-statement path took the callback (applied, or a
    duplicate of one already applied), else None: the general path decides.
    PostgreSQL only (SQLite has no row locks to take)."""
    if status.status != "success" or connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            _SUCCEED_SQL,
            [
                status.payment_code, OrderStatus.PAID, status.amount_fen,
                status.paid_at or now, status.txn_id or "", status.amount_fen,
                _SUCCEED_SOURCES,
            ],
        )  # fmt: skip
        row = cursor.fetchone()
    if row is None:
        return None  # an unknown code
    order_id, frm, done, case_id, version = row
    if not done:
        return NotifyOutcome.DUPLICATE if frm in SETTLED_STATUSES else None
    applied(
        order_id, status.payment_code, case_id, version, action="succeed", actor=actor,
        now=now, frm=frm, to=OrderStatus.PAID,
        details={"txn": status.txn_id, "amount_fen": status.amount_fen},
    )  # fmt: skip
    enqueue_with_transaction(payments_receipt_issue, order_id, now.isoformat())
    return NotifyOutcome.APPLIED


def notification_receive(
    *, provider: str, body: bytes, signature: str, address: str = "", now: dt.datetime | None = None
) -> str:
    """异步通知: verify, store, apply. Refuses a forged or malformed one (stored first)."""
    moment = now or clock.now()
    gateway = get_provider(provider)
    try:
        status = gateway.verify(body=body, signature=signature)
    except DomainError as exc:
        with transaction.atomic():  # stored and audited in one commit
            _store(
                provider=provider, body=body, signature=signature,
                outcome=NotifyOutcome.FORGED, address=address, now=moment,
            )  # fmt: skip
            audit_record(
                actor=f"provider:{provider}",
                action="payments.callback_refused",
                object_type="payment_notification",
                object_id=provider,
                details={"code": exc.code, "address": address},
                now=moment,
            )
        logger.warning("payment callback refused (%s) from %s", exc.code, address or "?")
        raise
    # One transaction: the order read under its row lock (by its code: no
    # separate look-up), the transition, and the callback stored with its outcome.
    actor = f"provider:{provider}"
    with transaction.atomic():
        outcome = _success_at_once(status, actor=actor, now=moment)
        if outcome is None:
            order = (
                PaymentOrder.objects.select_for_update(of=("self",))
                .filter(payment_code=status.payment_code)
                .first()
            )
            if order is None:
                outcome = NotifyOutcome.UNKNOWN_ORDER
            else:
                outcome = _apply_locked(order, status=status, actor=actor, now=moment)
        _store(
            provider=provider, body=body, signature=signature, outcome=outcome,
            address=address, now=moment, status=status,
        )  # fmt: skip
    return outcome


def order_query(*, order_id: int, now: dt.datetime | None = None) -> str:
    """Ask the order's provider for its word and apply it; the order's status after."""
    moment = now or clock.now()
    order = PaymentOrder.objects.filter(pk=order_id).first()
    if order is None:
        raise DomainError(errors.ORDER_NOT_FOUND, "缴款通知书不存在。")
    if not order.provider or not order.provider_txn:
        return str(order.status)
    answer = get_provider(order.provider).query(
        payment_code=order.payment_code, txn_id=order.provider_txn
    )
    if answer is not None:
        status_apply(order_id=order.pk, status=answer, actor="query", now=moment)
    return str(PaymentOrder.objects.values_list("status", flat=True).get(pk=order.pk))


def orders_query_pending(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """The scheduler's sweep: orders pending longer than the callback should take
    are asked about (a callback may never come)."""
    moment = now or clock.now()
    cutoff = moment - dt.timedelta(minutes=settings.TONGBAN_PAYMENTS_QUERY_AFTER_MINUTES)
    ids = list(
        PaymentOrder.objects.filter(status=OrderStatus.PENDING, pending_at__lte=cutoff)
        .order_by("pending_at")
        .values_list("pk", flat=True)[:limit]
    )
    settled = 0
    for pk in ids:
        if order_query(order_id=pk, now=moment) == OrderStatus.PAID:
            settled += 1
    return settled
