"""Background tasks of 好差评, run by ``db_worker`` (django-tasks-db)."""

from __future__ import annotations

from django_tasks import task

from tongban.evaluation import services


@task(queue_name="scheduler")
def rectifications_overdue_sweep() -> dict[str, int]:
    """The scheduler's job ``rectifications_overdue``: 督办 every overdue unanswered 整改."""
    return {"escalated": services.rectifications_overdue_sweep()}
