"""The lead department's alerts: the bundle's one deadline and each member's clock,
raised, moved on and resolved by the sweep, idempotently."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.bundles.models import BundleAlert, BundleAlertRecipient, MemberStatus
from tongban.bundles.services.alerts import bundle_alerts_sweep
from tongban.bundles.services.delivery import bundle_application_withdraw
from tongban.bundles.services.progress import application_sync
from tongban.bundles.tests.flows import grant_running, submit
from tongban.core.models import AuditEvent
from tongban.org.models import Department
from tongban.supervision.bundles import bundle_alert_list_for_staff

pytestmark = pytest.mark.django_db

THU = dt.date(2026, 11, 5)  # 企业开办's deadline: 3 working days after Mon 2 Nov
FRI = dt.date(2026, 11, 6)


def _open(application):
    return {
        a.member_key: a
        for a in BundleAlert.objects.filter(application=application, resolved_at__isnull=True)
    }


def test_the_bundle_and_a_late_member_raise_alerts_on_the_lead_desk(world):
    application = submit(world, "enterprise-opening")
    lead = application.bundle.lead_departments.get()
    licence = application.members.get(key="licence").case
    assert licence is not None

    first = bundle_alerts_sweep(today=THU, now=world.at(days=3))
    alerts = _open(application)
    assert first.raised == 2 and set(alerts) == {"", "licence"}
    own, member = alerts[""], alerts["licence"]
    # The bundle's deadline day: yellow, on the lead department's desk.
    assert (own.level, own.deadline, own.working_days_left) == ("yellow", THU, 0)
    assert own.department == lead and own.region_path == application.region_path
    assert own.message == "今日为一件事承诺办结期限（2026年11月5日）最后一日"
    # The licence is still not accepted: 2 working days of its 5 left (第三十二条).
    assert (member.level, member.phase, member.case_no) == ("yellow", "acceptance", licence.case_no)
    assert member.message.startswith("企业设立登记")

    # Fri: the bundle is overdue (red); the licence has 1 day left.
    second = bundle_alerts_sweep(today=FRI, now=world.at(days=4))
    alerts = _open(application)
    assert second.raised == 0 and second.changed == 1
    assert (alerts[""].level, alerts[""].working_days_left) == ("red", -1)
    assert alerts["licence"].working_days_left == 1
    assert AuditEvent.objects.filter(action="bundle_alert.level_changed").count() == 1

    # The same day again: nothing is written.
    before = AuditEvent.objects.count()
    third = bundle_alerts_sweep(today=FRI, now=world.at(days=4, hours=1))
    assert (third.raised, third.changed, third.resolved) == (0, 0, 0)
    assert AuditEvent.objects.count() == before

    # Withdrawn: its alerts are resolved.
    bundle_application_withdraw(application=application, actor=None, now=world.at(days=4))
    done = bundle_alerts_sweep(today=FRI, now=world.at(days=4, hours=2))
    assert done.resolved == 2 and not _open(application)


def test_an_application_well_within_its_time_raises_nothing(world):
    application = submit(world, "newborn")  # 10 working days
    result = bundle_alerts_sweep(today=dt.date(2026, 11, 3), now=world.at(days=1))
    assert result.examined >= 1 and result.raised == 0
    assert not BundleAlert.objects.filter(application=application).exists()


def test_every_lead_desk_gets_every_alert_and_a_cooperating_desk_its_members(world):

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
