"""Scheduled work of credit: annual report reminders (R-CR-5)."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task(queue_name="scheduler")
def annual_report_remind_sweep() -> dict[str, Any]:
    """Daily; notification_send is idempotent per entity, year and round."""
    from tongban.credit.services.annual import annual_reports_remind

    return annual_reports_remind()
