"""The lead department's alerts: the bundle's one deadline and each member's clock,
raised, moved on and resolved by the sweep, idempotently."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.bundles.models import BundleAlert
from tongban.bundles.services.alerts import bundle_alerts_sweep
from tongban.bundles.services.delivery import bundle_application_withdraw
from tongban.bundles.tests.flows import submit
from tongban.core.models import AuditEvent

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
