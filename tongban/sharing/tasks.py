"""Background tasks of data sharing, run by ``db_worker`` (django-tasks-db)."""

from __future__ import annotations

from django_tasks import task

from tongban.sharing.access_log import access_log_seal


@task(queue_name="scheduler")
def sharing_access_log_seal() -> int:
    """The scheduler's job: seal the settled access-log lines; how many were sealed."""
    seal = access_log_seal()
    return seal.count if seal else 0
