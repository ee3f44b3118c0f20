"""The common callbacks in one statement (PostgreSQL).

Nearly every callback is "paid" for a payable order of the amount owed, a
duplicate of one already applied, or a failure that arrives after the
success it contradicts. Each is taken here in one SQL statement: the order
row locked by its code (``FOR UPDATE`` returns the newest version after a
wait), the transition written only if ``workflow.TRANSITIONS`` allows it from
the status read under that lock, and, in the same statement, what goes with
it — the order's history row, the audit event, the receipt task (when the
task queue is this database) and the callback stored with its outcome. The
caller's transaction then adds what needs Python (the outbox event, the case
told what remains unpaid). Anything else (a late payment, a different amount,
an unknown code, a failure of the pending attempt) returns None and is left
to the general path, which reads the order under its lock again.

The rows written by the statement are made by the same code as the general
path's (unsaved model instances: ``history_row``, ``audit_event``,
``task_row``, ``notification_row``), their values prepared as Django's own
insert prepares them; only the few columns the database knows first (the
order's id, the status it came from, the outcome) are SQL expressions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import Model, signals

from tongban.core.audit import audit_event
from tongban.core.one_statement import insert_select
from tongban.core.task_queue import enqueue_with_transaction, task_row
from tongban.payments import workflow
from tongban.payments.models import SETTLED_STATUSES, NotifyOutcome, OrderStatus
from tongban.payments.providers.base import ProviderStatus
from tongban.payments.services._common import followed, history_row, label
from tongban.payments.tasks import payments_receipt_issue

_SUCCEED_SOURCES = sorted(str(s) for s in workflow.TRANSITIONS["succeed"][0])
_SETTLED = sorted(str(s) for s in SETTLED_STATUSES)


def _among(values: list[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)  # the workflow's own status codes


# A success: paid if the table allows it from the status read under the lock
# and the amount is the one owed; a duplicate if already settled.
_SUCCESS = f"""WITH old AS (
 SELECT id, status FROM payments_paymentorder WHERE payment_code = %s FOR UPDATE
), paid AS (
 UPDATE payments_paymentorder AS o
 SET status = '{OrderStatus.PAID}', version = o.version + 1, paid_fen = %s, paid_at = %s,
 provider_txn = COALESCE(NULLIF(%s, ''), o.provider_txn)
 FROM old WHERE o.id = old.id AND o.amount_fen = %s AND old.status IN ({_among(_SUCCEED_SOURCES)})
 RETURNING o.id, o.case_id, o.version, old.status AS frm
), verdict AS (
 SELECT old.id, paid.frm, paid.case_id, paid.version,
 CASE WHEN paid.id IS NOT NULL THEN '{NotifyOutcome.APPLIED}'
 WHEN old.status IN ({_among(_SETTLED)}) THEN '{NotifyOutcome.DUPLICATE}' END AS outcome
 FROM old LEFT JOIN paid ON paid.id = old.id
)"""  # noqa: S608  (constants of this module only)

# Any other word (a failure, "waiting") is stale unless it is the failure of
# the attempt still pending: that one is the general path's.
_OTHER = f"""WITH verdict AS (
 SELECT id, NULL AS frm, NULL::bigint AS case_id, NULL::integer AS version,
 '{NotifyOutcome.STALE}' AS outcome FROM payments_paymentorder
 WHERE payment_code = %s AND NOT (%s AND status = '{OrderStatus.PENDING}' AND provider_txn = %s)
 FOR UPDATE
)"""  # noqa: S608  (constants of this module only)


def callback_at_once(
    status: ProviderStatus, *, notification: Model, actor: str, now: dt.datetime
) -> str | None:
    """The outcome if the one statement took the callback (applied, a duplicate,
    or a stale failure; ``notification`` stored with it), else None. To be
    called in the caller's transaction."""
    success = status.status == "success"
    rows: list[tuple[Model, str, dict[str, str]]] = [
        (notification, "verdict WHERE verdict.outcome IS NOT NULL", {"outcome": "verdict.outcome"}),
    ]
    receipt = None
    if success:
        statement = _SUCCESS
        params: list[Any] = [
            status.payment_code, status.amount_fen, status.paid_at or now, status.txn_id or "",
            status.amount_fen,
        ]  # fmt: skip
        details = {"txn": status.txn_id, "amount_fen": status.amount_fen}
        history = history_row(
            0, action="succeed", actor=actor, now=now, frm="", to=OrderStatus.PAID, details=details
        )
        audit = audit_event(
            actor=label(actor), action="payments.succeed", object_type="payment_order",
            object_id=status.payment_code, details={"to": OrderStatus.PAID, **details}, now=now,
        )  # fmt: skip
        rows += [
            (history, "paid", {"order": "paid.id", "from_status": "paid.frm"}),
            (audit, "paid", {"details": "$value || jsonb_build_object('from', paid.frm)"}),
        ]
        receipt = task_row(payments_receipt_issue, 0, now.isoformat())
        if receipt is not None:
            computed = {"args_kwargs": "jsonb_set($value, '{args,0}', to_jsonb(paid.id))"}
            rows.append((receipt, "paid", computed))
    else:
        statement = _OTHER
        params = [status.payment_code, status.status in ("failed", "closed"), status.txn_id]
    if any(signals.post_save.has_listeners(type(obj)) for obj, _, _ in rows):
        return None  # a receiver expects the ORM's save: the general path runs it
    parts = [statement]
    for n, (obj, source, computed) in enumerate(rows):
        sql, values = insert_select(obj, source=source, computed=computed)
        parts.append(f", w{n} AS ({sql})")
        params += values
    parts.append("\nSELECT id, frm, case_id, version, outcome FROM verdict")
    with connection.cursor() as cursor:
        cursor.execute("".join(parts), params)
        row = cursor.fetchone()
    if row is None or row[4] is None:
        return None  # an unknown code, or a case for the general path
    order_id, frm, case_id, version, outcome = row
    if outcome == NotifyOutcome.APPLIED:
        if success and receipt is None:
            enqueue_with_transaction(payments_receipt_issue, order_id, now.isoformat())
        followed(
            status.payment_code, case_id, version, action="succeed", now=now,
            frm=frm, to=OrderStatus.PAID,
        )  # fmt: skip
    return str(outcome)
