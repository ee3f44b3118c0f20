"""Scheduled work of 双随机、一公开 and 审管联动 (issue 17), run by ``db_worker``."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="scheduler")
def handoff_alerts_sweep() -> int:
    """审管联动 tasks unclaimed after 3 working days: a red alert each (once)."""
    from tongban.supervision.handoff import handoff_alerts_sweep as sweep

    return sweep()


@task(queue_name="scheduler")
def inspection_results_publish_sweep() -> int:
    """双随机 results on their 20th working day are published (一公开)."""
    from tongban.supervision.inspection_runs import results_publish_due

    return results_publish_due()
