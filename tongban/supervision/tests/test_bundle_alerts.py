"""一件事 alerts on the lead department's desk: the supervision API and the
一件事 desk list them for the staff in scope, and for no one else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tongban.bundles.models import BundleAlert, BundleAlertRecipient, MemberStatus
from tongban.bundles.services.alerts import bundle_alerts_sweep
from tongban.bundles.services.progress import application_sync
from tongban.bundles.tests.conftest import world  # noqa: F401  (the module's demo world)
from tongban.bundles.tests.flows import grant_running, submit
from tongban.core.models import AuditEvent
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


FRI = dt.date(2026, 11, 6)


def _open(application):
    return {
        a.member_key: a
        for a in BundleAlert.objects.filter(application=application, resolved_at__isnull=True)
    }


def test_every_lead_desk_gets_every_alert_and_a_cooperating_desk_its_members(world):  # noqa: F811

    application = submit(world, "enterprise-opening")
    bundle = application.bundle
    first_lead = bundle.lead_departments.get()
    # A second lead department (联合牵头): the bundle's own and every member's alert
    # reach it too, as they reach the first.
    grant_running(world, application, world.at(hours=1))  # the licence
    application_sync(application_id=application.pk, now=world.at(hours=1))
    members = {m.key: m for m in application.members.select_related("department")}
    assert members["seal"].status == MemberStatus.RUNNING
    second_lead = members["invoice"].department
    bundle.lead_departments.add(second_lead)
    seal_desk = members["seal"].department  # cooperating: 公章刻制's department
    assert seal_desk not in (first_lead, second_lead)

    bundle_alerts_sweep(today=FRI, now=world.at(days=4))
    alerts = _open(application)
    assert {"", "seal"} <= set(alerts)

    def desks(alert):
        return {r.department_id: r.lead for r in BundleAlertRecipient.objects.filter(alert=alert)}

    leads = {first_lead.pk: True, second_lead.pk: True}
    assert desks(alerts[""]) == leads
    assert desks(alerts["seal"]) == {**leads, seal_desk.pk: False}

    def shown(department):
        user = world.staff_of(department)
        return {a.member_key for a in bundle_alert_list_for_staff(user=user)}

    everything = set(alerts)
    assert shown(first_lead) == everything and shown(second_lead) == everything
    # The cooperating department sees the alert of its own member, nothing else.
    assert shown(seal_desk) == {"seal"}
    unrelated = Department.objects.filter(region_id=first_lead.region_id).exclude(
        pk__in=[m.department_id for m in members.values()] + [second_lead.pk, first_lead.pk]
    )[0]
    assert shown(unrelated) == set()

    # The second lead steps down: the next pass takes the alerts off its desk only.
    bundle.lead_departments.remove(second_lead)
    before = AuditEvent.objects.count()
    bundle_alerts_sweep(today=FRI, now=world.at(days=4, hours=1))
    assert desks(alerts[""]) == {first_lead.pk: True}
    assert second_lead.pk in desks(alerts["invoice"])  # still its member's department
    assert desks(alerts["invoice"])[second_lead.pk] is False
    assert AuditEvent.objects.count() == before
