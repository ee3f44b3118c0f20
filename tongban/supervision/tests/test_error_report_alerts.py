"""电子监察 of 纠错: a report unanswered after its 5 working days is raised once (marked,
audited, an outbox event), shown to the hall's supervisors only, and not once answered."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.test import Client
from stdnum.cn import ric

from tongban.appointments.models import ErrorReport
from tongban.appointments.services.error_reports import (
    error_report_answer,
    error_report_submit,
    error_reports_alert_overdue,
)
from tongban.appointments.tests.conftest import _db_for_every_test, at, world  # noqa: F401
from tongban.core import clock, events
from tongban.core.models import AuditEvent, Notification, OutboxMessage, OutboxStatus
from tongban.identity.services import staff_account_create, token_create
from tongban.identity.services.persons import person_register
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


def _deliver_overdue_alerts(now: dt.datetime) -> None:
    pending = OutboxMessage.objects.filter(
        event="appointments.error_report_overdue",
        subscriber="tongban.supervision.appointments.on_error_report_overdue",
        status=OutboxStatus.PENDING,
    )
    for pk in list(pending.values_list("pk", flat=True)):
        status = events.outbox_deliver(message_id=pk, now=now)
        assert status == OutboxStatus.DELIVERED, OutboxMessage.objects.get(pk=pk).last_error


def _give_phone(user: Any, phone: str, serial: str) -> None:
    base = f"32010219800101{serial}"
    person = person_register(
        name="王强", id_number=base + ric.calc_check_digit(base + "0"), phone=phone
    )
    user.person = person
    user.save(update_fields=["person"])


def test_the_halls_supervisors_are_texted_once_of_an_overdue_report(world):  # noqa: F811
    late = _report(world)
    answered_late = _report(world)
    supervisor = _staff("hall_super", Role.SUPERVISOR, "南京市政务服务管理办公室")
    _give_phone(supervisor, "13700002221", "201")
    gz = _staff("gz_super", Role.SUPERVISOR, "赣州市行政审批局")  # another city's hall
    _give_phone(gz, "13700002222", "202")
    head = _staff("hall_head", Role.DEPARTMENT_HEAD, "南京市政务服务管理办公室")
    _give_phone(head, "13700002223", "203")  # sees the list, does not answer 纠错
    _staff("no_phone_super", Role.SUPERVISOR, "南京市政务服务管理办公室")
    day = at(dt.date(2026, 10, 12), 9)
    assert error_reports_alert_overdue(now=day) == 2
    # One report is answered after the sweep, before the outbox delivers its alert.
    error_report_answer(
        report_id=answered_late.pk,
        supervisor=supervisor,
        substantiated=False,
        answer="经查窗口按规定告知了缺少的材料。",
        now=day,
    )
    _deliver_overdue_alerts(day)
    sms = Notification.objects.filter(purpose="error_report_overdue")
    assert [(n.channel, n.recipient_masked, n.object_id) for n in sms] == [
        ("sms", "137****2221", f"{late.code}/{supervisor.pk}")
    ]
    body = sms.get().body
    assert late.code in body and "2026年10月10日" in body and "南京市政务服务中心" in body
    assert "系统维护" not in body and "1370000" not in body  # no narrative, no reporter
    # The outbox delivering the same event again sends nothing more.
    message = OutboxMessage.objects.get(
        subscriber="tongban.supervision.appointments.on_error_report_overdue",
        payload__code=late.code,
    )
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.PENDING)
    _deliver_overdue_alerts(day)
    assert Notification.objects.filter(purpose="error_report_overdue").count() == 1
