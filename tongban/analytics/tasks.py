"""Background tasks of the indicators board, run by ``db_worker`` (django-tasks-db)."""

from __future__ import annotations

from django_tasks import task

from tongban.analytics import services


@task(queue_name="scheduler")
def board_rollups_refresh() -> dict[str, int]:
    """The scheduler's job ``board_rollups``: the months the histories touched, rebuilt."""
    return services.board_rollups_refresh().as_dict()
