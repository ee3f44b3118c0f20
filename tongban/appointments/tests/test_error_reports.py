"""纠错 (窗口无否决权): file, answer, follow; the citizen's inbox gets the answer; every
refusal has its code."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from tongban.appointments import standard_selectors
from tongban.appointments.models import ErrorReport
from tongban.appointments.services.error_reports import error_report_answer, error_report_submit
from tongban.appointments.tests.conftest import at
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent, Notification
from tongban.identity.services import staff_account_create
from tongban.inbox.selectors import inbox_messages_for_user
from tongban.org.models import Department, Role
from tongban.org.selectors import staff_scope_for
from tongban.org.services import staff_assign

MON = dt.date(2026, 9, 28)
STORY = "材料齐全，窗口说系统维护不予收件，让我下周再来。"


def report(world, **kw):
    values = {
        "hall_id": world.hall.pk,
        "narrative": STORY,
        "phone": "13700001111",
        "window_number": "a01",
        "clerk_name": "工号 1024",
        "key": uuid.uuid4().hex,
        "now": at(MON, 10),
    }
    values.update(kw)
    return error_report_submit(**values)


def _staff(username, role, department_name):
    department = Department.objects.get(name=department_name)
    user = staff_account_create(username=username, display_name=username, password="Pw-12345678")
    staff_assign(user_id=user.pk, role=role, department=department, region_scope=department.region)
    return user


@pytest.fixture
def supervisor(world):
    return _staff("hall_super", Role.SUPERVISOR, "南京市政务服务管理办公室")


def test_a_report_without_login_goes_to_the_hall_with_a_deadline_and_a_receipt(world, supervisor):
    r = report(world)
    assert r.code.startswith("JC260928") and r.status == "submitted" and r.reporter is None
    assert r.window_id == world.a01.pk and r.clerk_name == "工号 1024"
    # Mon 28 Sep + 5 working days → Sat 10 Oct 2026, the 调休 working Saturday after 国庆.
    assert r.due_on == dt.date(2026, 10, 10)
    assert r.phone_masked == "137****1111" and "13700001111" not in r.phone_enc
    receipt = Notification.objects.get(
        object_id=r.code, purpose="appointments.error_report_receipt"
    )
    assert receipt.recipient_masked == "137****1111" and r.code in receipt.body
    assert AuditEvent.objects.filter(action="appointments.error_report_submit").count() == 1
    scope = staff_scope_for(user=supervisor)
    assert [x.code for x in standard_selectors.reports_in_scope(scope)] == [r.code]
    found = standard_selectors.report_track(code=r.code, phone="137 0000 1111")
    assert found is not None and found.pk == r.pk
    assert standard_selectors.report_track(code=r.code, phone="13700002222") is None


def test_a_report_about_an_unknown_hall_is_refused(world):
    with pytest.raises(DomainError) as refused:
        report(world, hall_id=999999)
    assert refused.value.code == "error_report_hall_not_found"
    assert not ErrorReport.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"narrative": ""}, "narrative"),
        ({"narrative": "不给办"}, "narrative"),
        ({"phone": "110"}, "phone"),
        ({"phone": ""}, "phone"),  # nobody logged in: the phone is needed
        ({"window_number": "Z99"}, "window_number"),
        ({"service_item_id": 999999}, "service_item_id"),
        ({"happened_on": MON + dt.timedelta(days=1)}, "happened_on"),
        ({"clerk_name": "名" * 41}, "clerk_name"),
        ({"key": ""}, "key"),
    ],
)
def test_bad_reports_are_refused_with_the_field(world, changes, field):
    with pytest.raises(DomainError) as refused:
        report(world, **changes)
    assert refused.value.code == "error_report_invalid"
    assert refused.value.fields == [{"field": field}]
    assert not ErrorReport.objects.exists()


def test_the_same_form_posted_twice_files_one_report(world):
    key = uuid.uuid4().hex
    first = report(world, key=key)
    assert report(world, key=key).pk == first.pk
    assert ErrorReport.objects.count() == 1
    with pytest.raises(DomainError):  # the key with another phone is not a repeat
        report(world, key=key, phone="13700009999")


def test_the_supervisor_answers_once_and_the_citizen_reads_it_in_her_inbox(world, supervisor):
    r = report(world, reporter=world.citizen, phone="")  # her real-name phone is used
    assert r.reporter_id == world.citizen.pk and r.phone_masked == "138****0001"
    with pytest.raises(DomainError) as no_verdict:
        error_report_answer(
            report_id=r.pk, supervisor=supervisor, substantiated=None, answer="已核查处理完毕。"
        )
    assert no_verdict.value.code == "error_report_invalid"
    with pytest.raises(DomainError) as short:
        error_report_answer(
            report_id=r.pk, supervisor=supervisor, substantiated=True, answer="属实"
        )
    assert short.value.code == "error_report_invalid"
    done = error_report_answer(
        report_id=r.pk,
        supervisor=supervisor,
        substantiated=True,
        answer="经调取录像属实，已当场补办并对该工作人员批评教育。",
        expected_version=1,
        now=at(dt.date(2026, 9, 29), 10),
    )
    assert done.status == "answered" and done.substantiated is True
    with pytest.raises(DomainError) as twice:
        error_report_answer(
            report_id=r.pk,
            supervisor=supervisor,
            substantiated=False,
            answer="再答一次：经核查情况不属实。",
        )
    assert twice.value.code == "error_report_invalid_state"
    inbox = list(inbox_messages_for_user(user=world.citizen))
    bodies = [m.body for m in inbox if m.object_id == r.code]
    assert any("经核查情况属实" in b and "批评教育" in b for b in bodies)
    assert not any(m.object_id == r.code for m in inbox_messages_for_user(user=world.other_citizen))
    assert [x.code for x in standard_selectors.reports_of_reporter(user=world.citizen)] == [r.code]
    assert AuditEvent.objects.filter(action="appointments.error_report_answer").count() == 1


def test_only_a_supervisor_of_the_hall_answers(world, supervisor):
    r = report(world)
    gz_super = _staff("gz_super", Role.SUPERVISOR, "赣州市市场监督管理局")
    for outsider in (world.clerk, gz_super):
        with pytest.raises(DomainError) as refused:
            error_report_answer(
                report_id=r.pk,
                supervisor=outsider,
                substantiated=False,
                answer="经核查不属实，已向反映人说明。",
            )
        assert refused.value.code == "error_report_not_found"
    assert ErrorReport.objects.get(pk=r.pk).status == "submitted"
    with pytest.raises(DomainError) as stale:
        error_report_answer(
            report_id=r.pk,
            supervisor=supervisor,
            substantiated=False,
            answer="不属实，已说明情况。",
            expected_version=7,
        )
    assert stale.value.code == "error_report_version_mismatch"


def test_overdue_reports_appear_for_supervision(world, supervisor):
    late = report(world, now=at(MON, 10))
    report(world, now=at(dt.date(2026, 10, 9), 10))
    scope = staff_scope_for(user=supervisor)
    overdue = standard_selectors.reports_in_scope(scope, overdue_on=dt.date(2026, 10, 11))
    assert [r.code for r in overdue] == [late.code]
    assert list(standard_selectors.reports_in_scope(scope, overdue_on=dt.date(2026, 10, 10))) == []
