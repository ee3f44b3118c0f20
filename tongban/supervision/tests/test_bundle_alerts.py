"""一件事 alerts on the lead department's desk: the supervision API and the
一件事 desk list them for the staff in scope, and for no one else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tongban.bundles.services.alerts import bundle_alerts_sweep
from tongban.bundles.tests.conftest import world  # noqa: F401  (the module's demo world)
from tongban.bundles.tests.flows import submit
from tongban.identity.services import token_create
from tongban.org.models import Department, Role
from tongban.supervision.bundles import bundle_alert_list_for_staff

pytestmark = pytest.mark.django_db


def test_the_lead_department_sees_its_bundles_alerts_and_others_do_not(
    world,  # noqa: F811
    django_assert_max_num_queries,
):
    application = submit(world, "enterprise-opening")
    # Fri 6 Nov 2026: a day past the bundle's 3 working days.
    bundle_alerts_sweep(today=dt.date(2026, 11, 6), now=world.at(days=4))
    lead = application.bundle.lead_departments.get()
    head = world.staff_of(lead, Role.DEPARTMENT_HEAD)
    with django_assert_max_num_queries(4):
        alerts = bundle_alert_list_for_staff(user=head)
    assert [(a.member_key, a.level) for a in alerts] == [("", "red"), ("licence", "yellow")]

    token = token_create(user=head, name="t")[1]
    answer = Client().get("/api/v1/supervision/bundles", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200
    rows = answer.json()
    assert rows[0]["application_no"] == application.application_no
    assert rows[0]["phase"] == "bundle" and rows[0]["level"] == "red"
    assert rows[0]["working_days_left"] == -1 and rows[0]["department"] == lead.name
    assert rows[1]["member"] == "企业设立登记" and rows[1]["case_no"]

    client = Client()
    client.force_login(head)
    desk = client.get("/workbench/bundles/").content.decode()
    assert "牵头督办预警" in desk and "已超过一件事承诺办结期限" in desk

    # A department with no lead in the bundle sees none of them.
    police = Department.objects.get(name="南京市公安局玄武分局")
    assert bundle_alert_list_for_staff(user=world.staff_of(police, Role.DEPARTMENT_HEAD)) == []
    other = Client()
    other.force_login(world.staff_of(police, Role.DEPARTMENT_HEAD))
    assert "牵头督办预警" not in other.get("/workbench/bundles/").content.decode()
