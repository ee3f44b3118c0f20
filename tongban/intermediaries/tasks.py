"""Scheduled jobs of the marketplace (registered in apps.py)."""

from __future__ import annotations

from django_tasks import task

from tongban.intermediaries import services


@task(queue_name="scheduler")
def purchases_service_alert_sweep() -> int:
    return services.purchases_service_alert()
