"""Background tasks of supervision, run by ``db_worker`` (django-tasks-db)."""

from __future__ import annotations

from django_tasks import task

from tongban.supervision import services


@task(queue_name="scheduler")
def supervision_alerts_sweep() -> dict[str, int]:
    """The scheduler's job ``supervision_alerts``: one alert sweep, its counts."""
    return services.alerts_sweep().as_dict()
