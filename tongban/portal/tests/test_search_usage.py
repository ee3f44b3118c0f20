"""The daily job that feeds search ranking with the cases of the last year
(issue 20, item 5; docs/catalog.md "Search ranking")."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.catalog.models import BasicItem
from tongban.portal.tests.test_case_pages import seed_cases, submit_case

pytestmark = pytest.mark.django_db


def test_the_usage_job_counts_the_cases_of_the_last_year():
    from tongban.cases.models import Case
    from tongban.portal.tasks import catalog_usage_refresh

    seed = seed_cases()
    submit_case(seed)
    old = submit_case(seed)
    Case.objects.filter(pk=old.pk).update(received_at=old.received_at - dt.timedelta(days=400))
    catalog_usage_refresh.call()
    assert BasicItem.objects.get(pk=seed.food.basic_item_id).usage_count == 1
