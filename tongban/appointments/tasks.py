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
