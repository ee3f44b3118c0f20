"""The reminders' read (待办提醒): each applicant's cases with something due, read
along the partial indexes of ``cases.models.applicant_reminder_q``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.cases.models import Case, CaseStatus
from tongban.core import clock
from tongban.spaces import selectors

pytestmark = pytest.mark.django_db


def test_reminders_name_supplements_and_deferred_materials_of_the_person_and_its_businesses(
    space,
):
    boss = space.boss.person
    mine = space.submit(person=boss, by=space.boss)
    theirs = space.submit(person=boss, entity=space.company, by=space.boss)
    closed = space.submit(person=boss, entity=space.company, by=space.boss)
    old = space.submit(person=boss, by=space.boss)
    outsider = space.outsider
    other = space.submit(person=outsider.person, entity=space.other_company, by=outsider)
    today = clock.local_date(clock.now())
    due = today + dt.timedelta(days=20)
    Case.objects.filter(pk=mine.pk).update(status=CaseStatus.SUPPLEMENT_REQUESTED)
    Case.objects.filter(pk=theirs.pk).update(deferred_due_on=due)
    Case.objects.filter(pk=closed.pk).update(deferred_due_on=due, status=CaseStatus.CONCLUDED)
    Case.objects.filter(pk=old.pk).update(
        status=CaseStatus.SUPPLEMENT_REQUESTED,
        received_at=clock.now() - dt.timedelta(days=400),  # past the window
    )
    Case.objects.filter(pk=other.pk).update(status=CaseStatus.SUPPLEMENT_REQUESTED)

    found = selectors.reminders_for_user(user=space.boss, today=today)
    cases = [(r.kind, r.case_no) for r in found if r.case_no]
    assert cases == [("supplement", mine.case_no), ("deferred", theirs.case_no)]
    assert [r.due for r in found if r.kind == "deferred"] == [due]
    # The business space: that business's only.
    only = selectors.reminders_for_user(user=space.boss, today=today, entity=space.company)
    assert [(r.kind, r.case_no) for r in only if r.case_no] == [("deferred", theirs.case_no)]
    # The agent acts for the business: its reminders, not the boss's own.
    agent = selectors.reminders_for_user(user=space.agent, today=today)
    assert [(r.kind, r.case_no) for r in agent if r.case_no] == [("deferred", theirs.case_no)]


def test_the_reminders_read_one_walk_per_applicant(space):
    today = clock.local_date(clock.now())
    with CaptureQueriesContext(connection) as queries:
        selectors.reminders_for_user(user=space.boss, today=today)
    walks = [q["sql"] for q in queries.captured_queries if '"cases_case"' in q["sql"]]
    # The boss's person and its one business: two short walks, each bounded.
    assert len(walks) == 2 and all("LIMIT 50" in sql for sql in walks)
