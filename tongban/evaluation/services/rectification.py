"""Every write of 差评整改 (CONVENTIONS 2 and 4).

Each rectification step locks the row, checks ``workflow.TRANSITIONS`` and the
caller's role in scope, saves, appends a :class:`RectificationEvent` and
writes the audit event. Callers find the row through a scoped selector first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction

from tongban.core import clock, events
from tongban.core import errors as core_errors
from tongban.core.audit import actor_label as audit_actor_label
from tongban.core.audit import audit_record
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError
from tongban.evaluation import deadlines, errors, workflow
from tongban.evaluation.models import (
    Rating,
    RatingLevel,
    Rectification,
    RectificationEvent,
    RectificationStatus,
)
from tongban.org.selectors import staff_scope_for


def actor_label(actor: Any) -> str:
    name = getattr(actor, "display_name", "") or getattr(actor, "username", "")
    return f"{audit_actor_label(actor)} {name}".strip()


def _history(
    rect: Rectification,
    *,
    action: str,
    actor: Any,
    now: dt.datetime,
    frm: str,
    to: str,
    reason: str,
) -> None:
    RectificationEvent.objects.create(
        rectification=rect,
        at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label(actor),
        action=action,
        from_status=frm,
        to_status=to,
        reason=reason[:1000],
    )


def rectification_open(rating: Rating, *, now: dt.datetime) -> Rectification:
    days = settings.TONGBAN_RECTIFICATION_WORKING_DAYS
    due = deadlines.rectification_due(clock.local_date(now), days, get_calendar())
    rect = Rectification.objects.create(
        rating=rating,
        status=RectificationStatus.OPEN,
        department_id=rating.department_id,
        region_path=rating.region_path,
        opened_at=now,
        due_on=due,
        limit_working_days=days,
    )
    _history(
        rect,
        action="open",
        actor=None,
        now=now,
        frm="",
        to=RectificationStatus.OPEN,
        reason=f"差评（{RatingLevel(rating.level).label}），整改期限 {due.isoformat()}",
    )
    audit_record(
        actor="system",
        action="rectification.open",
        object_type="rectification",
        object_id=str(rect.pk),
        details={"subject_no": rating.subject_no, "due_on": due.isoformat()},
        now=now,
    )
    return rect


def roles_on(user: Any, rect: Rectification) -> set[str]:
    """The staff roles of ``user`` whose data scope covers this rectification."""
    return {
        g.role
        for g in staff_scope_for(user=user).grants
        if rect.region_path.startswith(g.region_path)
        and (g.department_ids is None or rect.department_id in g.department_ids)
    }


def _check_actor(rect: Rectification, action: str, actor: Any) -> None:
    if actor is None:
        return  # the scheduler
    if action == "revisit" and rect.rating.rater_id == actor.pk:
        return  # the rater answers the call-back online
    if not roles_on(actor, rect) & workflow.ACTION_ROLES[action]:
        raise DomainError(
            core_errors.PERMISSION_DENIED,
            f"您的岗位不能对该整改{workflow.ACTION_LABELS[action]}。",
        )


def _required(value: str, field: str, label: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(
            errors.RECTIFICATION_TEXT_REQUIRED,
            f"请填写{label}。",
            fields=[{"field": field, "code": "required"}],
        )
    if len(text) > limit:
        raise DomainError(
            core_errors.VALIDATION_FAILED,
            f"{label}不能超过 {limit} 字。",
            fields=[{"field": field, "code": "too_long"}],
        )
    return text


def _transition(
    *,
    rectification_id: int,
    action: str,
    actor: Any,
    expected_version: int | None,
    now: dt.datetime | None,
    reason: str,
    mutate: Callable[[Rectification, dt.datetime], None],
) -> Rectification:
    moment = now or clock.now()
    with transaction.atomic():
        rect = (
            Rectification.objects.select_for_update(of=("self",))
            .select_related("rating")
            .get(pk=rectification_id)
        )
        if expected_version is not None and rect.version != expected_version:
            raise DomainError(
                errors.RECTIFICATION_VERSION_MISMATCH,
                f"该整改已被他人处理（当前版本 {rect.version}），请刷新后再操作。",
                extra={"version": rect.version},
            )
        _check_actor(rect, action, actor)
        to = workflow.target(action, rect.status)
        if to is None:
            raise DomainError(
                errors.RECTIFICATION_INVALID_TRANSITION,
                f"整改当前为“{RectificationStatus(rect.status).label}”，"
                f"不能{workflow.ACTION_LABELS[action]}。",
                extra={"status": rect.status, "action": action},
            )
        frm = rect.status
        mutate(rect, moment)
        rect.status = to
        rect.version += 1
        rect.save()
        _history(rect, action=action, actor=actor, now=moment, frm=frm, to=to, reason=reason)
        events.emit(
            f"rectification.{action}",
            {"id": rect.pk, "subject_no": rect.rating.subject_no, "from": frm, "to": to},
            now=moment,
        )
        audit_record(
            actor=actor_label(actor),
            action=f"rectification.{action}",
            object_type="rectification",
            object_id=str(rect.pk),
            details={"from": frm, "to": to, "subject_no": rect.rating.subject_no},
            now=moment,
        )
    return rect


def rectification_answer(
    *,
    rectification_id: int,
    actor: Any,
    cause: str,
    measures: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Rectification:
    """The department's answer: the cause found and what it fixed or explains."""
    cause_text = _required(cause, "cause", "原因分析", 500)
    measures_text = _required(measures, "measures", "整改措施或情况说明", 1000)

    def mutate(rect: Rectification, moment: dt.datetime) -> None:
        rect.cause, rect.measures, rect.answered_at = cause_text, measures_text, moment
        if rect.on_time is None:  # the first answer decides 按时整改
            rect.on_time = clock.local_date(moment) <= rect.due_on

    return _transition(
        rectification_id=rectification_id,
        action="answer",
        actor=actor,
        expected_version=expected_version,
        now=now,
        reason=measures_text,
        mutate=mutate,
    )


def rectification_revisit(
    *,
    rectification_id: int,
    actor: Any,
    satisfied: bool,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Rectification:
    """回访: the rater says whether the answer satisfies (called back, or online)."""
    text = (note or "").strip()[:500]

    def mutate(rect: Rectification, moment: dt.datetime) -> None:
        rect.revisit_satisfied, rect.revisit_note, rect.revisited_at = bool(satisfied), text, moment

    return _transition(
        rectification_id=rectification_id,
        action="revisit",
        actor=actor,
        expected_version=expected_version,
        now=now,
        reason=("满意" if satisfied else "不满意") + (f"：{text}" if text else ""),
        mutate=mutate,
    )


def rectification_close(
    *,
    rectification_id: int,
    actor: Any,
    outcome: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Rectification:
    """办结 with the recorded outcome; the applicant is told through the event."""
    if not (outcome or "").strip():
        raise DomainError(
            errors.RECTIFICATION_OUTCOME_REQUIRED,
            "办结整改须填写整改结果。",
            fields=[{"field": "outcome", "code": "required"}],
        )
    text = _required(outcome, "outcome", "整改结果", 500)

    def mutate(rect: Rectification, moment: dt.datetime) -> None:
        rect.outcome, rect.closed_at = text, moment

    return _transition(
        rectification_id=rectification_id,
        action="close",
        actor=actor,
        expected_version=expected_version,
        now=now,
        reason=text,
        mutate=mutate,
    )


def rectification_escalate(
    *,
    rectification_id: int,
    actor: Any,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Rectification:
    """督办: back to the department with the supervisor's instruction."""
    text = _required(reason, "reason", "督办意见", 500)

    def mutate(rect: Rectification, moment: dt.datetime) -> None:
        rect.escalations += 1

    return _transition(
        rectification_id=rectification_id,
        action="escalate",
        actor=actor,
        expected_version=expected_version,
        now=now,
        reason=text,
        mutate=mutate,
    )


def rectification_appeal(
    *,
    rectification_id: int,
    actor: Any,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Rectification:
    """申诉: the department head says the rating is malicious or mistaken, with why."""
    text = _required(reason, "reason", "申诉理由", 500)

    def mutate(rect: Rectification, moment: dt.datetime) -> None:
        rect.appeal_reason = text

    return _transition(
        rectification_id=rectification_id,
        action="appeal",
        actor=actor,
        expected_version=expected_version,
        now=now,
        reason=text,
        mutate=mutate,
    )


def rectification_appeal_decide(
    *,
    rectification_id: int,
    actor: Any,
    upheld: bool,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Rectification:
    """The platform decides an appeal with a reason: upheld closes the rectification
    and takes the rating out of the figures; rejected sends it back to the department."""
    text = _required(reason, "reason", "申诉处理意见", 500)

    def mutate(rect: Rectification, moment: dt.datetime) -> None:
        rect.appeal_upheld, rect.appeal_decision = bool(upheld), text
        if upheld:
            rect.outcome, rect.closed_at = f"申诉成立：{text}"[:500], moment
            Rating.objects.filter(pk=rect.rating_id).update(excluded=True)

    return _transition(
        rectification_id=rectification_id,
        action="uphold_appeal" if upheld else "reject_appeal",
        actor=actor,
        expected_version=expected_version,
        now=now,
        reason=text,
        mutate=mutate,
    )


def rectifications_overdue_sweep(*, now: dt.datetime | None = None) -> int:
    """Escalate every unanswered rectification past its deadline once; the count."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    ids = list(
        Rectification.objects.filter(
            status=RectificationStatus.OPEN, due_on__lt=today, escalations=0
        ).values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        rectification_escalate(
            rectification_id=pk, actor=None, reason="逾期未整改，系统自动督办。", now=moment
        )
    return len(ids)


OUTCOME_NOTICE = (
    "您对“{subject}”（{no}）的评价已整改办结。整改结果：{outcome}"
    "如对整改结果仍不满意，可拨打12345政务服务便民热线反映。"
)


def rectification_notify_outcome(*, rectification_id: int, now: dt.datetime | None = None) -> bool:
    """Tell the rater the outcome of a closed rectification (国办发〔2019〕51号:
    差评整改 results are fed back), by SMS, which the 消息中心 (inbox) shows.

    Idempotent: stored once per rectification (``core.notifications``). A
    rectification not closed, closed by an upheld appeal, or whose rater has
    no phone on file is skipped. True when a notice is (or was) stored.
    """
    from tongban.core.crypto import decrypt
    from tongban.core.notifications import notification_send
    from tongban.identity.selectors import PHONE_CONTEXT

    rect = (
        Rectification.objects.select_related(
            "rating__service_item", "rating__rater__person", "rating__case__applicant_person"
        )
        .filter(pk=rectification_id)
        .first()
    )
    if rect is None or rect.status != RectificationStatus.CLOSED or rect.appeal_upheld:
        return False
    rating = rect.rating
    person = getattr(rating.rater, "person", None)
    if (person is None or not person.phone_enc) and rating.case is not None:
        person = rating.case.applicant_person
    if person is None or not person.phone_enc:
        return False
    outcome = rect.outcome if len(rect.outcome) <= 200 else rect.outcome[:199] + "…"
    if not outcome.endswith(("。", "！", "…")):
        outcome += "。"
    subject = rating.service_item.name if rating.service_item else "12345 诉求"
    notification_send(
        channel="sms",
        recipient=decrypt(person.phone_enc, context=PHONE_CONTEXT),
        subject="",
        body=OUTCOME_NOTICE.format(subject=subject, no=rating.subject_no, outcome=outcome),
        purpose="evaluation.rectification_outcome",
        object_type="rectification",
        object_id=str(rect.pk),
        now=now,
    )
    return True
