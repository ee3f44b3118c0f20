"""Scheduled jobs of appointments (registered in apps.py)."""

from __future__ import annotations

from django_tasks import task

from tongban.appointments import services


@task(queue_name="scheduler")
def appointments_no_show_sweep() -> int:
    return services.appointments_mark_no_shows()


@task(queue_name="scheduler")
def appointments_remind_sweep() -> int:
    return services.appointments_remind()


@task(queue_name="scheduler")
def error_reports_overdue_sweep() -> int:
    """电子监察: 纠错 reports unanswered past their due date, marked once each."""
    from tongban.appointments.services.error_reports import error_reports_alert_overdue

    return error_reports_alert_overdue()
