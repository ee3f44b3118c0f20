"""Background tasks of the hotline, run by ``db_worker`` (django-tasks-db)."""

from __future__ import annotations

from django_tasks import task

from tongban.hotline.services.alerts import hotline_alerts_sweep as _sweep
from tongban.hotline.services.routing import routing_train_with_demo_heldout


@task(queue_name="scheduler")
def hotline_alerts_sweep() -> dict[str, int]:
    """The scheduler's job ``hotline_alerts``: one sweep, its counts."""
    return _sweep().as_dict()


@task(queue_name="scheduler")
def hotline_routing_train() -> int:
    """The scheduler's job ``hotline_routing_train``: the new model's sample count."""
    return routing_train_with_demo_heldout().samples
