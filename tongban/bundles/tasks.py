"""Background tasks of bundles, run by ``db_worker`` (django-tasks-db)."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="scheduler")
def bundles_sync_sweep() -> int:
    """Bring open applications in step with their member cases; the number moved."""
    from tongban.bundles.services.progress import bundle_applications_sync

    return bundle_applications_sync()


@task(queue_name="scheduler")
def bundle_alerts_sweep() -> dict[str, int]:
    """The lead departments' alerts in step with the open applications' clocks."""
    import dataclasses

    from tongban.bundles.services.alerts import bundle_alerts_sweep as sweep

    return dataclasses.asdict(sweep())
