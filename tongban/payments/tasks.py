"""Scheduled jobs of payments (registered in apps.py), and the receipt task."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from tongban.payments import services
from tongban.payments.providers.simulated import sim_deliver_due


@task(queue_name="scheduler")
def payments_query_pending() -> int:
    return services.orders_query_pending()


@task(queue_name="scheduler")
def payments_expire_overdue() -> int:
    return services.orders_expire_overdue()


@task(queue_name="scheduler")
def payments_sim_callbacks() -> int:
    return sim_deliver_due()


@task(queue_name="scheduler")
def payments_alert_unpaid() -> int:
    return services.orders_alert_unpaid()


@task(queue_name="default")
def payments_receipt_issue(order_id: int, issued_at: str) -> str:
    """The receipt of a just-paid order (enqueued with the payment's transaction)."""
    from tongban.payments.services.receipts import receipt_issue_for

    receipt = receipt_issue_for(order_id=order_id, now=dt.datetime.fromisoformat(issued_at))
    return receipt.number if receipt else ""
