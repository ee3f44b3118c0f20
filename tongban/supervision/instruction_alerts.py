"""Notices and the overdue alert of 督办 (issue 15 item 3).

* When an instruction is issued, the heads of the department (负责人) are sent
  an SMS, in the issuing transaction (stored once, sent after commit).
* The scheduler's sweep finds instructions still unanswered after their
  deadline: each gets one ``overdue`` event in its history and the audit log,
  and the department's heads and the supervisor who issued it are told once.
* Staff see what waits for them on the workbench's home: a department's
  instructions to answer (and how many are overdue), a supervisor's answers to
  review — counted in SQL within the caller's scope (CONVENTIONS 5).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q

from tongban.core import clock
from tongban.core.audit import audit_record
from tongban.core.notifications import notification_send
from tongban.identity.models import User
from tongban.identity.selectors import phone_for_sms
from tongban.org.models import Role, StaffAssignment
from tongban.org.selectors import StaffScope, scope_q, staff_scope_for
from tongban.supervision.instructions import DEPARTMENT_ROLES, SUPERVISE_ROLES
from tongban.supervision.models import Instruction, InstructionEvent, InstructionStatus

logger = logging.getLogger(__name__)
OVERDUE = "overdue"


def _heads(department_id: int) -> list[User]:
    ids = StaffAssignment.objects.filter(
        department_id=department_id, role=Role.DEPARTMENT_HEAD, active=True
    ).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).select_related("person"))


def _sms(user: User | None, *, purpose: str, instruction: Instruction, body: str) -> bool:
    phone = phone_for_sms(user)
    if phone is None or user is None:
        return False
    notification_send(
        channel="sms",
        recipient=phone,
        subject="督办通知",
        body=body,
        purpose=purpose,
        object_type="supervision.Instruction",
        object_id=f"{instruction.pk}/{user.pk}",
    )
    return True


def instruction_notify_issued(instruction: Instruction) -> int:
    """Tell the department's heads of a new 督办 (in the caller's transaction)."""
    body = (
        f"【通办】您部门收到督办单（第 {instruction.pk} 号），请于 "
        f"{instruction.due_on:%Y年%m月%d日} 前在工作台答复：{instruction.content[:60]}"
    )
    return sum(
        _sms(head, purpose="instruction_issued", instruction=instruction, body=body)
        for head in _heads(instruction.department_id)
    )


@dataclass
class OverdueResult:
    overdue: int = 0
    notified: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"overdue": self.overdue, "notified": self.notified}


def instructions_overdue_sweep(*, now: dt.datetime | None = None) -> OverdueResult:
    """Mark unanswered instructions past their deadline, once each, and tell
    the department's heads and the issuing supervisor. Idempotent."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    result = OverdueResult()
    due = (
        Instruction.objects.filter(status=InstructionStatus.SENT, due_on__lt=today)
        .exclude(events__action=OVERDUE)
        .values_list("pk", flat=True)
    )
    for pk in list(due):
        with transaction.atomic():
            instruction = (
                Instruction.objects.select_for_update(of=("self",))
                .select_related("issued_by__person", "department")
                .get(pk=pk)
            )
            if (
                instruction.status != InstructionStatus.SENT
                or instruction.events.filter(action=OVERDUE).exists()
            ):
                continue  # answered, or marked by a concurrent sweep
            text = f"已逾期：答复期限 {instruction.due_on:%Y-%m-%d} 已过，仍未答复"
            InstructionEvent.objects.create(
                instruction=instruction,
                at=moment,
                actor=None,
                actor_label="系统",
                action=OVERDUE,
                from_status=instruction.status,
                to_status=instruction.status,
                text=text,
            )
            audit_record(
                actor="system",
                action="supervision.instruction_overdue",
                object_type="supervision.Instruction",
                object_id=str(instruction.pk),
                details={"due_on": instruction.due_on.isoformat()},
                now=moment,
            )
            body = (
                f"【通办】督办单第 {instruction.pk} 号（{instruction.department.name}）"
                f"答复期限 {instruction.due_on:%Y年%m月%d日} 已过，仍未答复，请尽快处理。"
            )
            recipients = [*_heads(instruction.department_id), instruction.issued_by]
            result.notified += sum(
                _sms(user, purpose="instruction_overdue", instruction=instruction, body=body)
                for user in recipients
            )
            result.overdue += 1
    if result.overdue:
        logger.info("督办 overdue: %s", result.as_dict())
    return result


@dataclass(frozen=True)
class InstructionCounts:
    to_answer: int  # sent to my departments, waiting for our answer
    to_answer_overdue: int
    to_review: int  # answered, waiting for a supervisor in my scope
    overdue_in_scope: int  # for supervisors: unanswered past the deadline

    @property
    def any(self) -> bool:
        return bool(self.to_answer or self.to_review or self.overdue_in_scope)


def instruction_counts_for_staff(
    *, user: Any, today: dt.date, scope: StaffScope | None = None
) -> InstructionCounts:
    """What 督办 waits for the caller, counted in SQL within their scope (one query)."""
    scope = scope or staff_scope_for(user=user)
    where: dict[str, Q] = {}
    for name, roles in (("department", DEPARTMENT_ROLES), ("supervise", SUPERVISE_ROLES)):
        part = scope.for_roles(*roles)
        if not part.is_empty:
            where[name] = scope_q(
                scope=part, region_path_field="region_path", department_field="department"
            )
    if not where:
        return InstructionCounts(0, 0, 0, 0)
    sent, late = Q(status=InstructionStatus.SENT), Q(due_on__lt=today)
    none = Q(pk__in=[])
    mine, watched = where.get("department", none), where.get("supervise", none)
    counts = Instruction.objects.filter(mine | watched).aggregate(
        to_answer=Count("pk", filter=mine & sent),
        to_answer_overdue=Count("pk", filter=mine & sent & late),
        to_review=Count("pk", filter=watched & Q(status=InstructionStatus.ANSWERED)),
        overdue=Count("pk", filter=watched & sent & late),
    )
    return InstructionCounts(
        counts["to_answer"], counts["to_answer_overdue"], counts["to_review"], counts["overdue"]
    )
