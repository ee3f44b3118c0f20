"""Background tasks of the portal, run by ``db_worker`` (django-tasks-db)."""

from __future__ import annotations

from django_tasks import task

from tongban.portal.staging import staged_uploads_expire


@task(queue_name="scheduler")
def staged_uploads_expire_sweep() -> int:
    """The scheduler's job: delete drafts' files staged more than a day ago."""
    return staged_uploads_expire()
