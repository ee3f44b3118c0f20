"""Scheduled jobs of payments (registered in apps.py)."""

from __future__ import annotations

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
