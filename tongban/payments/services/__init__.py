"""Writes of payments (CONVENTIONS 4): one service per change."""

from tongban.payments.services.notify import (
    notification_receive,
    order_query,
    orders_query_pending,
    status_apply,
)
from tongban.payments.services.orders import (
    case_assess,
    fee_rule_save,
    order_cancel,
    order_create,
    order_start,
    orders_alert_unpaid,
    orders_expire_overdue,
)
from tongban.payments.services.receipts import receipt_issue, receipt_pdf, receipt_verify
from tongban.payments.services.reconcile import day_close, mismatch_resolve, statement_import
from tongban.payments.services.refunds import refund_approve, refund_reject, refund_request

__all__ = [
    "case_assess",
    "day_close",
    "fee_rule_save",
    "mismatch_resolve",
    "notification_receive",
    "order_cancel",
    "order_create",
    "order_query",
    "order_start",
    "orders_alert_unpaid",
    "orders_expire_overdue",
    "orders_query_pending",
    "receipt_issue",
    "receipt_pdf",
    "receipt_verify",
    "refund_approve",
    "refund_reject",
    "refund_request",
    "statement_import",
    "status_apply",
]
