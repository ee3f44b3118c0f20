"""首问责任 (first-question responsibility; 004 (三), 001 (十六)).

The clerk first asked at a window or the hall's help desk records the question
and owns it until it is answered, or hands it over with a note to another clerk
or to a department::

    open ──handover (clerk or department, note)──▶ open (new owner)
      └──answer (by the owner, or staff of the owning department)──▶ answered

Each step locks the row, checks the owner and the version, appends a
:class:`FirstQuestionStep` and writes the audit event. The answer is due a
configurable number of working days after recording
(``TONGBAN_FIRST_QUESTION_WORKING_DAYS``, kernel calendar); later ones are
flagged overdue. A form's one-time token makes a repeated post record nothing more.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from tongban.appointments import errors, selectors
from tongban.appointments.models import FirstQuestion, FirstQuestionStep, QuestionStatus
from tongban.catalog.models import ServiceItem, ServiceItemStatus
from tongban.core import clock, crypto
from tongban.core.audit import actor_label, audit_record
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_mobile_phone
from tongban.core.masking import mask_name, mask_phone
from tongban.org.models import Department, Hall, StaffAssignment, Window
from tongban.org.selectors import staff_scope_for

NAME_CONTEXT = "appointments.first_question.name"
PHONE_CONTEXT = "appointments.first_question.phone"


def _text(value: str, *, field: str, label: str, least: int, most: int) -> str:
    text = " ".join((value or "").split())
    if not least <= len(text) <= most:
        raise DomainError(
            errors.QUESTION_INVALID,
            f"{label}须为 {least}–{most} 个字。",
            fields=[{"field": field}],
        )
    return text


def _key(value: str) -> str:
    key = (value or "").strip()
    if not 16 <= len(key) <= 40 or not key.replace("-", "").isalnum():
        raise DomainError(
            errors.QUESTION_INVALID, "表单已失效，请刷新后重新填写。", fields=[{"field": "key"}]
        )
    return key


def _hall_in_scope(staff: Any, hall_id: int | None) -> Hall:
    scope = staff_scope_for(user=staff)
    hall = selectors.halls_in_scope(scope).filter(pk=hall_id or 0).select_related("region").first()
    if hall is None:
        raise DomainError(
            errors.QUESTION_INVALID, "请选择您所在的大厅。", fields=[{"field": "hall_id"}]
        )
    return hall


def due_for(recorded: dt.datetime) -> dt.date:
    """The answer's due date: the configured working days after the day recorded."""
    days = int(settings.TONGBAN_FIRST_QUESTION_WORKING_DAYS)
    return get_calendar().add_working_days(clock.local_date(recorded), days)


def first_question_record(
    *,
    clerk: Any,
    hall_id: int | None,
    matter: str,
    key: str,
    window_id: int | None = None,
    asker_name: str = "",
    asker_phone: str = "",
    service_item_id: int | None = None,
    now: dt.datetime | None = None,
) -> FirstQuestion:
    """Record a question the clerk was asked first; she owns it from now on."""
    moment = now or clock.now()
    key = _key(key)
    earlier = FirstQuestion.objects.filter(request_key=key).first()
    if earlier is not None:
        if earlier.first_clerk_id != clerk.pk:
            raise DomainError(errors.QUESTION_INVALID, "表单已失效，请刷新后重新填写。")
        return earlier  # the same form posted again
    hall = _hall_in_scope(clerk, hall_id)
    matter = _text(matter, field="matter", label="咨询事由", least=2, most=500)
    window = None
    if window_id:
        window = Window.objects.filter(pk=window_id, hall=hall).first()
        if window is None:
            raise DomainError(
                errors.QUESTION_INVALID, "该窗口不在所选大厅。", fields=[{"field": "window_id"}]
            )
    name = " ".join((asker_name or "").split())
    if len(name) > 40:
        raise DomainError(
            errors.QUESTION_INVALID,
            "咨询人姓名不能超过 40 个字。",
            fields=[{"field": "asker_name"}],
        )
    phone = ""
    if (asker_phone or "").strip():
        try:
            phone = validate_mobile_phone(asker_phone)
        except DomainError:
            raise DomainError(
                errors.QUESTION_INVALID,
                "联系电话应为以 1 开头的 11 位手机号码。",
                fields=[{"field": "asker_phone"}],
            ) from None
    item = None
    if service_item_id:
        item = ServiceItem.objects.filter(
            pk=service_item_id, status=ServiceItemStatus.ACTIVE
        ).first()
        if item is None:
            raise DomainError(
                errors.QUESTION_INVALID, "所选事项不存在。", fields=[{"field": "service_item_id"}]
            )
    try:
        with transaction.atomic():
            question = FirstQuestion.objects.create(
                code=f"SW{clock.local_date(moment):%y%m%d}{secrets.randbelow(10**6):06d}",
                hall=hall,
                window=window,
                asker_name_enc=crypto.encrypt(name, context=NAME_CONTEXT) if name else "",
                asker_name_masked=mask_name(name),
                asker_phone_enc=crypto.encrypt(phone, context=PHONE_CONTEXT) if phone else "",
                asker_phone_masked=mask_phone(phone) if phone else "",
                matter=matter,
                service_item=item,
                first_clerk=clerk,
                owner=clerk,
                due_on=due_for(moment),
                request_key=key,
                created_at=moment,
            )
            FirstQuestionStep.objects.create(
                question=question, action="record", actor=clerk, to_owner=clerk, at=moment
            )
            _audit(question, "record", clerk, moment)
    except IntegrityError:  # the same form, posted twice at once
        earlier = FirstQuestion.objects.filter(request_key=key, first_clerk=clerk).first()
        if earlier is None:
            raise
        return earlier
    return question


def _audit(question: FirstQuestion, action: str, actor: Any, now: dt.datetime, **kw: Any) -> None:
    audit_record(
        actor=actor_label(actor),
        action=f"appointments.first_question_{action}",
        object_type="first_question",
        object_id=question.code,
        details={"hall": question.hall_id, "status": question.status, **kw},
        now=now,
    )


def _staff_departments(staff: Any) -> set[int]:
    return set(
        StaffAssignment.objects.filter(user_id=staff.pk, active=True).values_list(
            "department_id", flat=True
        )
    )


def _locked_for(question_id: int, staff: Any, expected_version: int | None) -> FirstQuestion:
    """The question, locked, if ``staff`` owns it (herself or through her department)."""
    question = (
        FirstQuestion.objects.select_for_update(of=("self",))
        .select_related("hall__region")
        .filter(pk=question_id)
        .first()
    )
    in_scope = (
        question is not None
        and selectors.halls_in_scope(staff_scope_for(user=staff))
        .filter(pk=question.hall_id)
        .exists()
    )
    if question is None or not in_scope:
        raise DomainError(errors.QUESTION_NOT_FOUND, "首问登记不存在，或不在您的大厅。")
    if question.status != QuestionStatus.OPEN:
        raise DomainError(errors.QUESTION_INVALID_STATE, f"{question.code} 已答复，不能再操作。")
    owns = question.owner_id == staff.pk or (
        question.owner_id is None and question.owner_department_id in _staff_departments(staff)
    )
    if not owns:
        raise DomainError(
            errors.QUESTION_NOT_OWNER, f"{question.code} 不由您负责，只有当前责任人可以处理。"
        )
    if expected_version is not None and question.version != expected_version:
        raise DomainError(errors.QUESTION_VERSION_MISMATCH, "该咨询已被他人处理，请刷新后再操作。")
    return question


def handover_targets(hall: Hall) -> tuple[list[Any], list[Department]]:
    """Who may take a question of this hall: hall staff (``selectors.STAFF_ROLES``)
    whose region scope holds the hall, and the departments of the hall's region and
    the regions above it."""
    ancestors = [c for c in hall.region.path.strip("/").split("/") if c]
    holders = StaffAssignment.objects.filter(
        active=True, region_scope_id__in=ancestors, role__in=selectors.STAFF_ROLES
    ).values("user_id")
    users = list(
        get_user_model()
        .objects.filter(pk__in=holders, is_active=True)
        .order_by("display_name", "pk")[:200]
    )
    departments = list(Department.objects.filter(region_id__in=ancestors).order_by("name")[:200])
    return users, departments


def first_question_hand_over(
    *,
    question_id: int,
    staff: Any,
    note: str,
    to_user_id: int | None = None,
    to_department_id: int | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> FirstQuestion:
    """移交 to another clerk or to a department, with a note; the new owner answers."""
    moment = now or clock.now()
    note = _text(note, field="note", label="移交说明", least=2, most=1000)
    if bool(to_user_id) == bool(to_department_id):
        raise DomainError(
            errors.QUESTION_HANDOVER_INVALID,
            "请选择移交给一名工作人员或一个部门。",
            fields=[{"field": "to"}],
        )
    if to_user_id and to_user_id == staff.pk:
        raise DomainError(
            errors.QUESTION_HANDOVER_INVALID, "不能移交给自己。", fields=[{"field": "to_user_id"}]
        )
    with transaction.atomic():
        question = _locked_for(question_id, staff, expected_version)
        users, departments = handover_targets(question.hall)
        to_user = next((u for u in users if u.pk == to_user_id), None) if to_user_id else None
        to_department = (
            next((d for d in departments if d.pk == to_department_id), None)
            if to_department_id
            else None
        )
        if to_user is None and to_department is None:
            raise DomainError(
                errors.QUESTION_HANDOVER_INVALID,
                "只能移交给该大厅所在区划的工作人员或部门。",
                fields=[{"field": "to"}],
            )
        if to_department is not None and to_department.pk == question.owner_department_id:
            raise DomainError(
                errors.QUESTION_HANDOVER_INVALID,
                "该咨询已由这个部门负责。",
                fields=[{"field": "to_department_id"}],
            )
        question.owner = to_user
        question.owner_department = to_department
        question.version += 1
        question.save(update_fields=["owner", "owner_department", "version"])
        FirstQuestionStep.objects.create(
            question=question,
            action="handover",
            actor=staff,
            to_owner=to_user,
            to_department=to_department,
            note=note,
            at=moment,
        )
        _audit(
            question,
            "handover",
            staff,
            moment,
            to_user=to_user.pk if to_user else None,
            to_department=to_department.pk if to_department else None,
        )
    return question


def first_question_answer(
    *,
    question_id: int,
    staff: Any,
    answer: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> FirstQuestion:
    """Record the answer given; the question is closed."""
    moment = now or clock.now()
    answer = _text(answer, field="answer", label="答复内容", least=2, most=1000)
    with transaction.atomic():
        question = _locked_for(question_id, staff, expected_version)
        question.status = QuestionStatus.ANSWERED
        question.answer = answer
        question.answered_by = staff
        question.answered_at = moment
        question.version += 1
        question.save(update_fields=["status", "answer", "answered_by", "answered_at", "version"])
        FirstQuestionStep.objects.create(
            question=question, action="answer", actor=staff, note=answer, at=moment
        )
        overdue = clock.local_date(moment) > question.due_on
        _audit(question, "answer", staff, moment, overdue=overdue)
    return question
