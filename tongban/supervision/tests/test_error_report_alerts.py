"""电子监察 of 纠错: a report unanswered after its 5 working days is raised once (marked,
audited, an outbox event), shown to the hall's supervisors only, and not once answered."""

from __future__ import annotations

import datetime as dt
import uuid

from django.test import Client

from tongban.appointments.models import ErrorReport
from tongban.appointments.services.error_reports import (
    error_report_answer,
    error_report_submit,
    error_reports_alert_overdue,
)
from tongban.appointments.tests.conftest import _db_for_every_test, at, world  # noqa: F401
from tongban.core import clock
from tongban.core.models import AuditEvent
from tongban.identity.services import staff_account_create, token_create
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign
from tongban.supervision.appointments import error_report_alerts_for_staff

MON = dt.date(2026, 9, 28)  # + 5 working days → Sat 10 Oct 2026 (调休)


def _staff(username, role, department_name):
    department = Department.objects.get(name=department_name)
    user = staff_account_create(username=username, display_name=username, password="Pw-12345678")
    staff_assign(user_id=user.pk, role=role, department=department, region_scope=department.region)
    return user


def _report(w, **kw) -> ErrorReport:
    return error_report_submit(
        hall_id=w.hall.pk,
        narrative="材料齐全，窗口说系统维护不予收件，让我下周再来。",
        phone="13700001111",
        key=uuid.uuid4().hex,
        now=at(MON, 10),
        **kw,
    )


def test_an_overdue_report_raises_one_alert_for_the_halls_supervisors(world, monkeypatch):  # noqa: F811
    late = _report(world)
    answered = _report(world)
    supervisor = _staff("hall_super", Role.SUPERVISOR, "南京市政务服务管理办公室")
    error_report_answer(
        report_id=answered.pk,
        supervisor=supervisor,
        substantiated=False,
        answer="经查窗口按规定告知了缺少的材料。",
        now=at(MON, 15),
    )
    # On the due date itself (the 调休 Saturday) nothing is overdue yet.
    assert error_reports_alert_overdue(now=at(dt.date(2026, 10, 10), 18)) == 0
    assert error_reports_alert_overdue(now=at(dt.date(2026, 10, 12), 9)) == 1
    late.refresh_from_db()
    assert late.alerted_on == dt.date(2026, 10, 12)
    assert (
        AuditEvent.objects.filter(
            action="appointments.error_report_overdue", object_id=late.code, actor="scheduler"
        ).count()
        == 1
    )
    # Once per report: a later sweep marks nothing more.
    assert error_reports_alert_overdue(now=at(dt.date(2026, 10, 13), 9)) == 0
    assert AuditEvent.objects.filter(action="appointments.error_report_overdue").count() == 1
    monkeypatch.setattr(clock, "now", lambda: at(dt.date(2026, 10, 13), 9))
    shown = error_report_alerts_for_staff(user=supervisor)
    assert [(r["code"], r["days_overdue"]) for r in shown] == [(late.code, 3)]
    _token, secret = token_create(user=supervisor, name="test")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    listed = api.get("/api/v1/supervision/error-reports").json()
    assert [r["code"] for r in listed] == [late.code]
    # 赣州's supervisor and a window clerk see none; once answered it leaves the list.
    gz = _staff("gz_super", Role.SUPERVISOR, "赣州市行政审批局")
    assert error_report_alerts_for_staff(user=gz) == []
    assert error_report_alerts_for_staff(user=world.clerk) == []
    error_report_answer(
        report_id=late.pk,
        supervisor=supervisor,
        substantiated=True,
        answer="经查属实，已批评教育窗口人员并当场收件。",
    )
    assert error_report_alerts_for_staff(user=supervisor) == []
