"""审管联动 (R-CR-3): who approves is responsible, who governs supervises.

A case granted (``case.decide`` with outcome granted, or ``case.grant_on_commitment``)
whose item has a ``SupervisionRoute`` becomes a supervision task of the
supervising department (once per case: the handler is idempotent). The task is
to be claimed within 3 working days; the sweep raises a red alert
(``AlertKind.HANDOFF``) for one unclaimed after that, resolved when claimed.
The outcome goes back to the case's timeline and, when the holder did not meet
the conditions, to credit. On a 告知承诺 case whose post-check is still open, a
``revoke`` outcome closes the post-check as failed (the holder committed to the
conditions it does not meet): credit then records the broken commitment through
``case.post_check``, and no separate supervision record counts the same fact twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from tongban.cases.models import Case, Outcome
from tongban.cases.services.aftercare import (
    post_check_fail_on_supervision,
    supervision_outcome_record,
)
from tongban.core import clock
from tongban.core.audit import actor_label, audit_record
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError
from tongban.credit.models import RecordSource, Severity
from tongban.credit.services.records import credit_record_add
from tongban.org.models import Role
from tongban.org.selectors import scope_q, staff_scope_for
from tongban.supervision import inspection_errors as errors
from tongban.supervision.inspection_models import (
    HandoffOutcome,
    HandoffStatus,
    SupervisionRoute,
    SupervisionTask,
)
from tongban.supervision.models import Alert, AlertKind, AlertLevel

GRANT_EVENTS = ("case.decide", "case.grant_on_commitment")
# Who works the supervision tasks of a department (not its window clerks).
HANDOFF_ROLES = (Role.HANDLER, Role.DEPARTMENT_HEAD, Role.SUPERVISOR)
CLAIM_WORKING_DAYS = 3
OUTCOME_SEVERITY = {HandoffOutcome.RECTIFY: Severity.MINOR, HandoffOutcome.REVOKE: Severity.SERIOUS}


def on_case_granted(*, event_id: Any, payload: dict[str, Any]) -> None:
    handoff_create(case_no=str(payload.get("case_no") or ""))


def handoff_create(*, case_no: str, now: dt.datetime | None = None) -> SupervisionTask | None:
    """The supervision task of a granted case whose item is routed (idempotent)."""
    moment = now or clock.now()
    case = Case.objects.select_related("service_item").filter(case_no=case_no).first()
    if case is None or case.outcome != Outcome.GRANTED:
        return None
    route = (
        SupervisionRoute.objects.select_related("supervising_department__region")
        .filter(service_item_id=case.service_item_id, active=True)
        .first()
    )
    if route is None:
        return None
    existing = SupervisionTask.objects.filter(case=case).first()
    if existing is not None:
        return existing
    # Counted from the decision, however late the event is delivered.
    granted_on = case.decided_on or clock.local_date(moment)
    due = get_calendar().add_working_days(granted_on, CLAIM_WORKING_DAYS)
    try:
        with transaction.atomic():
            task = SupervisionTask.objects.create(
                case=case,
                approving_department_id=case.department_id,
                supervising_department=route.supervising_department,
                region_path=route.supervising_department.region.path,
                reason=route.reason,
                created_at=moment,
                claim_due_on=due,
            )
            audit_record(
                actor="system",
                action="handoff.create",
                object_type="case",
                object_id=case.case_no,
                details={"department": route.supervising_department_id},
                now=moment,
            )
    except IntegrityError:  # a retried delivery of the same event
        return SupervisionTask.objects.get(case=case)
    return task


def handoff_alerts_sweep(*, now: dt.datetime | None = None) -> int:
    """Red alert for each task still unclaimed after its 3 working days (once)."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    raised = 0
    late = SupervisionTask.objects.filter(
        status=HandoffStatus.PENDING, claim_due_on__lt=today
    ).select_related("case")
    for task in late:
        cal = get_calendar()
        days = -cal.working_days_between(task.claim_due_on, today)
        _, created = Alert.objects.get_or_create(
            case=task.case,
            kind=AlertKind.HANDOFF,
            resolved_at=None,
            defaults={
                "level": AlertLevel.RED,
                "deadline": task.claim_due_on,
                "working_days_left": days,
                "message": f"审管联动监管任务逾期未认领（认领期限 {task.claim_due_on:%Y-%m-%d}）",
                "region_path": task.region_path,
                "department_id": task.supervising_department_id,
                "raised_at": moment,
                "level_changed_at": moment,
            },
        )
        raised += int(created)
    return raised


def handoff_list_for_staff(*, user: Any, status: str | None = None) -> Any:
    scope = staff_scope_for(user=user).for_roles(*HANDOFF_ROLES)
    found = SupervisionTask.objects.filter(
        scope_q(
            scope=scope, region_path_field="region_path", department_field="supervising_department"
        )
    )
    if status:
        found = found.filter(status=status)
    return found.select_related(
        "case__service_item", "supervising_department", "approving_department"
    )


def _task_for(user: Any, task_id: int) -> SupervisionTask:
    found = handoff_list_for_staff(user=user).filter(pk=task_id).first()
    if found is None:
        raise DomainError(errors.HANDOFF_NOT_FOUND, "监管任务不存在。")
    return found


def handoff_claim(*, task_id: int, user: Any, now: dt.datetime | None = None) -> SupervisionTask:
    """认领: once; the overdue alert, if any, is resolved."""
    moment = now or clock.now()
    _task_for(user, task_id)
    with transaction.atomic():
        task = SupervisionTask.objects.select_for_update().get(pk=task_id)
        if task.status != HandoffStatus.PENDING:
            raise DomainError(errors.HANDOFF_INVALID_STATE, "该监管任务已被认领。")
        task.status = HandoffStatus.CLAIMED
        task.claimed_by = user
        task.claimed_at = moment
        task.save(update_fields=["status", "claimed_by", "claimed_at"])
        Alert.objects.filter(
            case_id=task.case_id, kind=AlertKind.HANDOFF, resolved_at__isnull=True
        ).update(resolved_at=moment, resolution="监管部门已认领")
        audit_record(
            actor=actor_label(user),
            action="handoff.claim",
            object_type="case",
            object_id=str(task.case_id),
            now=moment,
        )
    return task


def handoff_finish(
    *, task_id: int, user: Any, outcome: str, note: str, now: dt.datetime | None = None
) -> SupervisionTask:
    """监管结果: back to the case's timeline, and to credit when conditions were not met."""
    moment = now or clock.now()
    _task_for(user, task_id)
    if outcome not in HandoffOutcome.values:
        raise DomainError(errors.HANDOFF_INVALID, f"监管结果 {outcome!r} 无效。")
    if not note.strip() or len(note) > 4000:
        raise DomainError(errors.HANDOFF_INVALID, "请填写监管情况（不超过 4000 字）。")
    with transaction.atomic():
        task = SupervisionTask.objects.select_for_update(of=("self",)).get(pk=task_id)
        if task.status != HandoffStatus.CLAIMED:
            raise DomainError(errors.HANDOFF_INVALID_STATE, "请先认领，已办结的不能再次办结。")
        task.status = HandoffStatus.DONE
        task.outcome = outcome
        task.outcome_note = note.strip()
        task.finished_at = moment
        task.save(update_fields=["status", "outcome", "outcome_note", "finished_at"])
        case = Case.objects.select_related("applicant_entity", "applicant_person").get(
            pk=task.case_id
        )
        label = HandoffOutcome(outcome).label
        supervision_outcome_record(
            case=case, outcome=outcome, summary=f"{label}：{note.strip()}", actor=user, now=moment
        )
        # Found not to meet the conditions it committed to: the open 告知承诺
        # post-check closes as failed, and credit records the broken commitment
        # from that (one serious record for one fact, not a second one here).
        breach = (
            post_check_fail_on_supervision(
                case=case,
                note=f"{task.supervising_department.name}监管发现：{note.strip()}"[:2000],
                actor=user,
                now=moment,
            )
            if outcome == HandoffOutcome.REVOKE
            else None
        )
        severity = OUTCOME_SEVERITY.get(HandoffOutcome(outcome))
        if severity is not None and breach is None:
            entity = case.applicant_entity
            credit_record_add(
                subject_code=entity.credit_code
                if entity
                else case.applicant_person.id_number_token,  # type: ignore[union-attr]  # a case has one applicant
                subject_kind="entity" if entity else "person",
                source=RecordSource.SUPERVISION,
                ref=f"handoff:{case.case_no}",
                summary=f"{case.case_no} 审管联动监管：{label}。{note.strip()}"[:500],
                severity=severity,
                occurred_at=moment,
                actor=user,
                subject_name=case.applicant_name,
                department=task.supervising_department,
                now=moment,
            )
    return task
