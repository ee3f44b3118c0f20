"""Background tasks of the portal, run by ``db_worker`` (django-tasks-db)."""

from __future__ import annotations

from django_tasks import task

from tongban.portal.staging import staged_uploads_expire


@task(queue_name="scheduler")
def staged_uploads_expire_sweep() -> int:
    """The scheduler's job: delete drafts' files staged more than a day ago."""
    return staged_uploads_expire()


USAGE_WINDOW_DAYS = 365


@task(queue_name="scheduler")
def catalog_usage_refresh() -> int:
    """The scheduler's daily job: each basic item's cases of the last year, the
    usage signal of search ranking (docs/catalog.md). The number of items changed."""
    import datetime as dt

    from tongban.cases.selectors import case_counts_by_basic_item
    from tongban.catalog.services import basic_item_usage_set
    from tongban.core import clock

    since = clock.now() - dt.timedelta(days=USAGE_WINDOW_DAYS)
    return basic_item_usage_set(counts=case_counts_by_basic_item(since=since))
