"""The space's latest cases are the first page of 我的办件, read per applicant."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.cases.selectors import case_list_for_applicant
from tongban.spaces import selectors

pytestmark = pytest.mark.django_db


def test_the_latest_cases_are_my_cases_first_page_in_the_same_order(space):
    zhang = space.boss.person
    assert zhang is not None
    for i in range(7):  # interleaved: the business's and the person's own
        if i % 2:
            space.submit(person=zhang, by=space.boss)
        else:
            space.submit(person=zhang, entity=space.company, by=space.boss)
    space.submit(person=space.citizen.person, by=space.citizen)  # someone else's
    expected = [c.pk for c in case_list_for_applicant(user=space.boss, limit=5).items]
    got = [c.pk for c in selectors.latest_cases_for_user(user=space.boss, limit=5)]
    assert got == expected and len(got) == 5
    agent = [c.pk for c in selectors.latest_cases_for_user(user=space.agent, limit=10)]
    assert agent == [c.pk for c in case_list_for_applicant(user=space.agent, limit=10).items]
    assert len(agent) == 4  # the business's only: 李娜 has none of her own


def test_the_latest_cases_read_one_short_query_per_applicant(space):
    zhang = space.boss.person
    assert zhang is not None
    space.submit(person=zhang, entity=space.company, by=space.boss)
    with CaptureQueriesContext(connection) as queries:
        selectors.latest_cases_for_user(user=space.boss, limit=10)
    reads = [q["sql"] for q in queries.captured_queries if "cases_case" in q["sql"]]
    assert len(reads) == 2  # the business's walk and the person's walk
    assert all(" OR " not in sql and "LIMIT 10" in sql for sql in reads)
