"""Background tasks of case handling, run by ``db_worker`` (django-tasks-db).

``cases_deem_accept_sweep`` is enqueued by the scheduler (registered as
``cases_deem_accept`` in ``apps.py``); the work is in ``services.sweeps``.
"""

from __future__ import annotations

from django_tasks import task

from tongban.cases.services.sweeps import cases_deem_accept_due


@task(queue_name="scheduler")
def cases_deem_accept_sweep() -> int:
    """The scheduler's job: :func:`cases_deem_accept_due` now; the number deemed."""
    return len(cases_deem_accept_due())
