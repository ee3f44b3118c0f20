"""Background tasks of supervision, run by ``db_worker`` (django-tasks-db)."""

from __future__ import annotations

from django_tasks import task

from tongban.supervision import services


@task(queue_name="scheduler")
def supervision_alerts_sweep() -> dict[str, int]:
    """The scheduler's job ``supervision_alerts``: one alert sweep, its counts."""
    return services.alerts_sweep().as_dict()


@task(queue_name="scheduler")
def instructions_overdue_sweep() -> dict[str, int]:
    """The scheduler's job ``supervision_instructions_overdue``: 督办 past its deadline."""
    from tongban.supervision.instruction_alerts import instructions_overdue_sweep as sweep

    return sweep().as_dict()
