"""Background tasks of case handling, run by ``db_worker`` (django-tasks-db).

``cases_deem_accept_sweep`` is enqueued by the scheduler (registered as
``cases_deem_accept`` in ``apps.py``); the work is in ``services.sweeps``.
"""

from __future__ import annotations

from django_tasks import task

from tongban.cases.services.recount import cases_recount_provisional
from tongban.cases.services.sweeps import cases_deem_accept_due


@task(queue_name="scheduler")
def cases_deem_accept_sweep() -> int:
    """The scheduler's job: :func:`cases_deem_accept_due` now; the number deemed."""
    return len(cases_deem_accept_due())


@task(queue_name="scheduler")
def cases_recount_provisional_sweep(years: list[int] | None = None) -> int:
    """Recount dates counted on a year whose notice is now known, or on
    ``years`` (ADR-0006): hourly from the scheduler (a newer package), and at
    once after an import or a correction. The number of cases whose dates moved."""
    return len(cases_recount_provisional(years=years).changed)


@task(queue_name="default")
def case_document_render(document_id: int) -> str:
    """Draw and seal a document issued in a transition, after it commits."""
    from tongban.cases.notices.issue import document_render

    return document_render(document_id=document_id).sha256
