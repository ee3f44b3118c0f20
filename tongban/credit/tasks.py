"""Scheduled work of credit: annual report reminders (R-CR-5)."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task(queue_name="scheduler")
def annual_report_remind_sweep() -> dict[str, Any]:
    """Daily; notification_send is idempotent per entity, year and round."""
    from tongban.credit.services.annual import annual_reports_remind

    return annual_reports_remind()


@task(queue_name="scheduler")
def class_recompute_sweep() -> dict[str, Any]:
    """Daily: classes that move with time alone (records ageing out, lists expiring)."""
    from tongban.credit.services.recompute import class_recompute_all

    result = class_recompute_all()
    return {"subjects": result.subjects, "changed": result.changed}
