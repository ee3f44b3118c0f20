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
from tongban.cases.models import Case, CaseStatus
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


def test_the_joint_extension_moves_the_members_delivery_over_the_new_year(world):
    from tongban.bundles.deadlines import joint_deadline
    from tongban.bundles.services.delivery import bundle_application_extend
    from tongban.cases.models import CaseEvent
    from tongban.org.models import Role

    # 工程建设项目审批: promised 50 working days (Mon 2 Nov 2026 → after New Year),
    # handled jointly (45). The 备案 is decided on the first day and waits.
    application = _as_business(world, "construction-approval")
    grant_running(world, application, world.at(hours=2))
    application_sync(application_id=application.pk, now=world.at(hours=2))
    filing = case_of(application.members.get(key="filing"))
    assert filing.status == CaseStatus.DECIDED
    assert application.members.filter(status="running").exists()
    cal = get_calendar()
    received = dt.date(2026, 11, 2)
    assert application.deadline == cal.add_working_days(received, 50)
    assert filing.delivery_deadline == application.deadline

    # The lead department's head extends the joint period by 10 (50 + 10 ≤ 45 + 15).
    head = world.staff_of(application.bundle.lead_departments.get(), Role.DEPARTMENT_HEAD)
    extended = bundle_application_extend(
        application=application, actor=head, days=10, reason="需联合踏勘",
        approver="市长 王某", now=world.at(days=10),
    )  # fmt: skip
    new_date = joint_deadline(received, 10, cal)
    assert extended.legal_deadline == new_date == cal.add_working_days(received, 55)
    # The extended period crosses 元旦 (1 Jan 2027 is not a working day): counted
    # on the working calendar, not by adding calendar days.
    assert not cal.is_working(dt.date(2027, 1, 1))
    assert new_date > dt.date(2027, 1, 1)
    assert cal.working_days_between(application.deadline, new_date) == 5
    filing.refresh_from_db()
    # The member's result is handed out with the others', by the extended date.
    assert filing.rules["unified_delivery_by"] == new_date.isoformat()
    assert filing.delivery_deadline == new_date
    moved = CaseEvent.objects.filter(case=filing, action="deadline_change")
    assert moved.filter(details__field="delivery_deadline", details__to=new_date.isoformat())
    # Every running member follows too (its delivery deadline once decided).
    for member in application.members.select_related("case"):
        if member.case is not None and member.case.status not in (
            CaseStatus.DELIVERED, CaseStatus.CONCLUDED, CaseStatus.REFUSED, CaseStatus.WITHDRAWN,
        ):  # fmt: skip
            assert member.case.rules["unified_delivery_by"] == new_date.isoformat()

    # A member decided after the extended date keeps its ten working days (the floor).
    late = world.at(days=100)  # Wed 10 Feb 2027
    grant_running(world, application, world.at(days=1), decide_at=late)
    for member in application.members.select_related("case"):
        case = member.case
        if case is not None and case.decided_on == late.date():
            assert case.delivery_deadline == delivery_deadline(late.date(), cal) > new_date
            break
    else:
        raise AssertionError("no member decided late")


def test_members_filed_before_the_rule_are_recounted_onto_it_once(world):
    from django.core.management import call_command

    from tongban.bundles.services.clocks import bundle_delivery_recount
    from tongban.cases.models import CaseEvent

    application = _as_business(world, "construction-approval")
    grant_running(world, application, world.at(hours=2))
    application_sync(application_id=application.pk, now=world.at(hours=2))
    filing = case_of(application.members.get(key="filing"))
    cal = get_calendar()
    plain = delivery_deadline(dt.date(2026, 11, 2), cal)  # ten working days: Mon 16 Nov
    # As filed before f7f6e30: no unified date kept, the plain ten days.
    rules = {k: v for k, v in filing.rules.items() if k != "unified_delivery_by"}
    Case.objects.filter(pk=filing.pk).update(rules=rules, delivery_deadline=plain)
    running = [m.case for m in application.members.select_related("case") if m.case is not None]
    for case in running:
        Case.objects.filter(pk=case.pk).update(
            rules={k: v for k, v in case.rules.items() if k != "unified_delivery_by"}
        )

    result = bundle_delivery_recount(now=world.at(days=3))
    assert filing.case_no in result.cases and result.failed == 0
    filing.refresh_from_db()
    assert filing.delivery_deadline == application.deadline
    assert filing.rules["unified_delivery_by"] == application.deadline.isoformat()
    for case in running:
        case.refresh_from_db()
        assert case.rules["unified_delivery_by"] == application.deadline.isoformat()
    # Idempotent: a second run (here through the command) changes nothing.
    events = CaseEvent.objects.count()
    again = bundle_delivery_recount(now=world.at(days=4))
    assert again.cases == [] and CaseEvent.objects.count() == events
    call_command("bundles", "delivery-recount")
    assert CaseEvent.objects.count() == events
