"""The member cases' clocks inside a bundle: a decided member waits for 窗口统一出件
on the bundle's deadline, and every date follows the case step that caused it,
however late the event reaches the bundle."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.bundles.models import ApplicationStatus, MemberStatus
from tongban.bundles.services.progress import application_sync
from tongban.bundles.tests.flows import case_of, fill, grant_running, merge_of, submit
from tongban.cases.deadlines import AlertLevel, delivery_deadline
from tongban.cases.models import CaseStatus
from tongban.cases.selectors import case_clock
from tongban.core.calendar import get_calendar

pytestmark = pytest.mark.django_db


def _as_business(world, code: str, **kwargs):
    merge = merge_of(world.bundles[code])
    form = fill(
        merge,
        skip=("applicant_id_number", "credit_code", "project_code"),
        entity_name=world.entity.name,
        applicant_name=world.entity.name,
    )
    return submit(world, code, person=False, form_data=form, **kwargs)


def test_a_decided_member_waits_for_unified_delivery_on_the_bundles_deadline(world):
    # 工程建设项目审批: 50 working days for the whole bundle (统一办理). The 备案
    # is decided on Mon 2 Nov 2026; the 用地 member after it runs for weeks.
    application = _as_business(world, "construction-approval")
    grant_running(world, application, world.at(hours=2))
    filing = case_of(application.members.get(key="filing"))
    assert filing.status == CaseStatus.DECIDED
    cal = get_calendar()
    ten_days = delivery_deadline(dt.date(2026, 11, 2), cal)  # Mon 16 Nov 2026
    assert application.deadline is not None and application.deadline > ten_days
    # Handed out with the others by the bundle's deadline, not ten days after
    # its own decision (行政许可法 第四十四条 as the floor, 窗口统一出件 above it).
    assert filing.delivery_deadline == application.deadline
    # Wed 18 Nov 2026: past the ten days, well within the bundle's 50.
    today = dt.date(2026, 11, 18)
    shown = case_clock(filing, today, cal=cal)
    assert shown.phase == "delivery" and shown.alert == AlertLevel.NONE
    assert shown.working_days_left is not None and shown.working_days_left > 0


def test_a_member_decided_after_the_bundles_deadline_keeps_the_statutory_ten_days(world):
    # 企业开办: 3 working days (Thu 5 Nov 2026); the licence is decided on Mon 9 Nov.
    application = submit(world, "enterprise-opening")
    grant_running(world, application, world.at(days=7))
    licence = case_of(application.members.get(key="licence"))
    assert application.deadline == dt.date(2026, 11, 5)
    assert licence.delivery_deadline == delivery_deadline(dt.date(2026, 11, 9), get_calendar())


def test_a_later_member_is_filed_when_the_decision_that_released_it_was_made(world):
    # The licence is decided on Mon 2 Nov at 11:00 (Shanghai) but the event
    # reaches the bundle only on Thu 5 Nov (a stalled outbox, or the sweep).
    application = submit(world, "enterprise-opening")
    decided_at = world.at(hours=1)
    grant_running(world, application, decided_at)
    application_sync(application_id=application.pk, now=world.at(days=3))

    members = {m.key: m for m in application.members.select_related("case")}
    assert members["licence"].status == MemberStatus.RESULT
    assert members["licence"].finished_at == decided_at
    for key in ("seal", "invoice", "fund"):
        member = members[key]
        assert member.status == MemberStatus.RUNNING, (key, member.reason)
        assert member.started_at == decided_at
        case = case_of(member)
        assert case.received_at == decided_at and case.received_on == dt.date(2026, 11, 2)
        # 受理 within 5 working days of receipt (第三十二条): from Mon 2 Nov, not Thu 5 Nov.
        assert case.acceptance_deadline == get_calendar().add_working_days(dt.date(2026, 11, 2), 5)
    timeline = application.events.filter(member_key="seal", action="member_start")
    assert [e.at for e in timeline] == [decided_at]


def test_the_bundle_is_ready_on_the_day_of_its_last_result(world):
    # 企业注销: every member decided on Mon 2 Nov, the bundle synced only on Fri 6 Nov.
    application = _as_business(world, "enterprise-closure")
    for _ in range(6):
        application.refresh_from_db()
        if application.status != ApplicationStatus.IN_PROGRESS:
            break
        grant_running(world, application, world.at(hours=2))
        application_sync(application_id=application.pk, now=world.at(days=4))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.READY
    assert application.ready_on == dt.date(2026, 11, 2)
