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
from tongban.payments import errors
from tongban.payments.models import (
    SETTLED_STATUSES,
    Notification,
    NotifyOutcome,
    OrderStatus,
    PaymentOrder,
)
from tongban.payments.providers import get_provider
from tongban.payments.providers.base import ProviderStatus
from tongban.payments.services._common import history, lock
from tongban.payments.services.callbacks_pg import callback_at_once
from tongban.payments.services.orders import order_fail, order_succeed

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


def notification_row(
    *,
    provider: str,
    body: bytes,
    signature: str,
    outcome: str,
    address: str,
    now: dt.datetime,
    status: ProviderStatus | None = None,
) -> Notification:
    """The callback as received, with its outcome; not yet saved."""
    return Notification(
        provider=provider[:20],
        notify_id=(status.notify_id if status else "")[:64],
        payment_code=(status.payment_code if status else "")[:20],
        received_at=now,
        body=body.decode("utf-8", "replace")[:4000],
        signature=signature[:200],
        outcome=outcome,
        address=address[:64],
    )


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
            notification_row(
                provider=provider, body=body, signature=signature,
                outcome=NotifyOutcome.FORGED, address=address, now=moment,
            ).save(force_insert=True)  # fmt: skip
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
    # separate look-up), the transition, and the callback stored with its
    # outcome — on PostgreSQL, the common callbacks all in one statement.
    actor = f"provider:{provider}"
    stored = notification_row(
        provider=provider, body=body, signature=signature, outcome="",
        address=address, now=moment, status=status,
    )  # fmt: skip
    with transaction.atomic():
        outcome = None
        if connection.vendor == "postgresql":
            outcome = callback_at_once(status, notification=stored, actor=actor, now=moment)
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
            stored.outcome = outcome
            stored.save(force_insert=True)
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
