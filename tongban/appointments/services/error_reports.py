"""纠错 (窗口无否决权; 004 (三), 001 (十六)): a person reports that a window refused or
stalled her wrongly; the hall's supervisors answer within a deadline.

    submitted ──answer (substantiated or not, what was done)──▶ answered

A report names the hall, and the window, the clerk and the item where known.
It is due ``TONGBAN_ERROR_REPORT_WORKING_DAYS`` working days after it came in
(kernel calendar); later ones are overdue and listed for supervision. The
receipt and the answer go to the reporter's phone as SMS, and so to the
消息中心 of her account (``tongban.inbox`` matches messages by phone). A logged-in
person may leave the phone out: her real-name phone is used. The form's one-time
token makes a repeated post file nothing more.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from tongban.appointments import errors, selectors
from tongban.appointments.models import ErrorReport, ReportStatus
from tongban.catalog.models import ServiceItem, ServiceItemStatus
from tongban.core import clock, crypto, events
from tongban.core.audit import actor_label, audit_record
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_mobile_phone
from tongban.core.masking import mask_phone
from tongban.core.notifications import notification_send
from tongban.identity.models import Person
from tongban.identity.selectors import PHONE_CONTEXT as PERSON_PHONE_CONTEXT
from tongban.org.models import Hall, Role, Window
from tongban.org.selectors import staff_scope_for

PHONE_CONTEXT = "appointments.error_report.phone"
SUPERVISING_ROLES = (Role.SUPERVISOR, Role.PLATFORM_ADMIN)
MAX_DAYS_BACK = 365


def _invalid(detail: str, field: str) -> DomainError:
    return DomainError(errors.REPORT_INVALID, detail, fields=[{"field": field}])


def _text(value: str, *, field: str, label: str, least: int, most: int) -> str:
    text = " ".join((value or "").split())
    if not least <= len(text) <= most:
        raise _invalid(f"{label}须为 {least}–{most} 个字。", field)
    return text


def phone_token(phone: str) -> str:
    return crypto.search_token(phone, context=PHONE_CONTEXT)


def _reporter_phone(reporter: Any, phone: str) -> str:
    if (phone or "").strip():
        try:
            return validate_mobile_phone(phone)
        except DomainError:
            raise _invalid("手机号码应为以 1 开头的 11 位数字。", "phone") from None
    person_id = getattr(reporter, "person_id", None) if reporter is not None else None
    stored = Person.objects.filter(pk=person_id or 0).values_list("phone_enc", flat=True).first()
    if stored:
        return crypto.decrypt(stored, context=PERSON_PHONE_CONTEXT)
    raise _invalid("请填写手机号码，答复将发送到这个号码。", "phone")


def error_report_submit(
    *,
    hall_id: int | None,
    narrative: str,
    key: str,
    phone: str = "",
    reporter: Any = None,
    window_number: str = "",
    clerk_name: str = "",
    service_item_id: int | None = None,
    happened_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ErrorReport:
    """File a 纠错 report about a hall (logged in, or with a phone number only)."""
    moment = now or clock.now()
    key = (key or "").strip()
    if not 16 <= len(key) <= 40 or not key.replace("-", "").isalnum():
        raise _invalid("表单已失效，请刷新后重新填写。", "key")
    reporter = reporter if getattr(reporter, "is_authenticated", False) else None
    number = _reporter_phone(reporter, phone)
    token = phone_token(number)
    earlier = ErrorReport.objects.filter(request_key=key).first()
    if earlier is not None:
        if earlier.phone_token != token:
            raise _invalid("表单已失效，请刷新后重新填写。", "key")
        return earlier  # the same form posted again
    hall = Hall.objects.filter(pk=hall_id or 0).first()
    if hall is None:
        raise DomainError(
            errors.REPORT_HALL_NOT_FOUND, "所选大厅不存在。", fields=[{"field": "hall_id"}]
        )
    narrative = _text(narrative, field="narrative", label="经过", least=10, most=1000)
    clerk_name = " ".join((clerk_name or "").split())
    if len(clerk_name) > 40:
        raise _invalid("工作人员姓名或工号不能超过 40 个字。", "clerk_name")
    window = None
    number_text = (window_number or "").strip().upper()[:20]
    if number_text:
        window = Window.objects.filter(number=number_text, hall=hall).first()
        if window is None:
            raise _invalid(f"{hall.name}没有 {number_text} 号窗口，请核对或不填。", "window_number")
    item = None
    if service_item_id:
        item = ServiceItem.objects.filter(
            pk=service_item_id, status=ServiceItemStatus.ACTIVE
        ).first()
        if item is None:
            raise _invalid("所选事项不存在。", "service_item_id")
    today = clock.local_date(moment)
    if happened_on is not None and not (
        today - dt.timedelta(days=MAX_DAYS_BACK) <= happened_on <= today
    ):
        raise _invalid("发生日期须在一年内，且不晚于今天。", "happened_on")
    due = get_calendar().add_working_days(today, int(settings.TONGBAN_ERROR_REPORT_WORKING_DAYS))
    try:
        with transaction.atomic():
            report = ErrorReport.objects.create(
                code=f"JC{today:%y%m%d}{secrets.randbelow(10**6):06d}",
                hall=hall,
                window=window,
                clerk_name=clerk_name,
                service_item=item,
                happened_on=happened_on,
                narrative=narrative,
                reporter=reporter,
                phone_enc=crypto.encrypt(number, context=PHONE_CONTEXT),
                phone_token=token,
                phone_masked=mask_phone(number),
                due_on=due,
                request_key=key,
                created_at=moment,
            )
            _audit(report, "submit", reporter, moment)
            _notify(
                report,
                number,
                "receipt",
                f"您反映的{hall.name}窗口问题已收到，编号 {report.code}，"
                f"将于 {due.year}年{due.month}月{due.day}日前答复。",
                moment,
            )
    except IntegrityError:  # the same form, posted twice at once
        earlier = ErrorReport.objects.filter(request_key=key, phone_token=token).first()
        if earlier is None:
            raise
        return earlier
    return report


def _notify(report: ErrorReport, phone: str, what: str, body: str, now: dt.datetime) -> None:
    notification_send(
        channel="sms",
        recipient=phone,
        subject="窗口纠错",
        body=body[:500],
        purpose=f"appointments.error_report_{what}",
        object_type="appointments.ErrorReport",
        object_id=report.code,
        now=now,
        new=what == "receipt",
    )


def _audit(report: ErrorReport, action: str, actor: Any, now: dt.datetime, **kw: Any) -> None:
    audit_record(
        actor=actor_label(actor) if actor is not None else "anonymous",
        action=f"appointments.error_report_{action}",
        object_type="error_report",
        object_id=report.code,
        details={"hall": report.hall_id, "status": report.status, **kw},
        now=now,
    )


def error_report_answer(
    *,
    report_id: int,
    supervisor: Any,
    substantiated: bool | None,
    answer: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> ErrorReport:
    """The hall's supervisor answers: substantiated or not, and what was done."""
    moment = now or clock.now()
    if substantiated is None:
        raise _invalid("请选择情况是否属实。", "substantiated")
    answer = _text(answer, field="answer", label="核查与处理情况", least=10, most=1000)
    scope = staff_scope_for(user=supervisor).for_roles(*SUPERVISING_ROLES)
    with transaction.atomic():
        report = (
            ErrorReport.objects.select_for_update(of=("self",))
            .select_related("hall")
            .filter(pk=report_id, hall__in=selectors.halls_in_scope(scope).values("pk"))
            .first()
        )
        if report is None:
            raise DomainError(errors.REPORT_NOT_FOUND, "纠错不存在，或不在您监督的大厅。")
        if report.status != ReportStatus.SUBMITTED:
            raise DomainError(errors.REPORT_INVALID_STATE, f"{report.code} 已答复，不能再次答复。")
        if expected_version is not None and report.version != expected_version:
            raise DomainError(errors.REPORT_VERSION_MISMATCH, "该纠错已被他人处理，请刷新后再看。")
        report.status = ReportStatus.ANSWERED
        report.substantiated = substantiated
        report.answer = answer
        report.answered_by = supervisor
        report.answered_at = moment
        report.version += 1
        report.save(
            update_fields=[
                "status",
                "substantiated",
                "answer",
                "answered_by",
                "answered_at",
                "version",
            ]
        )
        overdue = clock.local_date(moment) > report.due_on
        _audit(report, "answer", supervisor, moment, substantiated=substantiated, overdue=overdue)
        verdict = "经核查情况属实" if substantiated else "经核查情况不属实"
        _notify(
            report,
            crypto.decrypt(report.phone_enc, context=PHONE_CONTEXT),
            "answer",
            f"您反映的{report.hall.name}窗口问题（编号 {report.code}）{verdict}。{answer}",
            moment,
        )
    return report


OVERDUE_EVENT = "appointments.error_report_overdue"


def error_reports_alert_overdue(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """电子监察: each 纠错 report still unanswered after its due date is marked once
    (``alerted_on``), audited, and ``appointments.error_report_overdue`` emitted for
    the supervision desk (``tongban.supervision.appointments``) and its listeners.
    A second sweep, or one running at the same time, marks nothing more."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    ids = list(
        ErrorReport.objects.filter(
            status=ReportStatus.SUBMITTED, due_on__lt=today, alerted_on__isnull=True
        )
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    marked = 0
    for pk in ids:
        with transaction.atomic():
            updated = ErrorReport.objects.filter(
                pk=pk, status=ReportStatus.SUBMITTED, alerted_on__isnull=True
            ).update(alerted_on=today)
            if not updated:
                continue  # answered meanwhile, or marked by another sweep
            report = ErrorReport.objects.get(pk=pk)
            audit_record(
                actor="scheduler",
                action="appointments.error_report_overdue",
                object_type="error_report",
                object_id=report.code,
                details={"hall": report.hall_id, "due_on": report.due_on.isoformat()},
                now=moment,
            )
            events.emit(
                OVERDUE_EVENT,
                {"code": report.code, "hall": report.hall_id, "due_on": report.due_on.isoformat()},
                now=moment,
            )
            marked += 1
    return marked
