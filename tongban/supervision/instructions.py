"""督办 (issue 15 item 3): a supervisor's instruction to a department, with a
deadline, answered by the department and closed (or sent back) by the supervisor.

sent ──answer──▶ answered ──close──▶ closed
  ▲                  │
  └─────return───────┘   (the answer does not settle it: answer again)

Who (a role whose data scope covers the department, CONVENTIONS 5):
issue, close, return — 监察人员 (or the platform administrator); answer — the
department's head, reviewers and window clerks. Every step locks the row,
checks the table, appends an :class:`InstructionEvent` and writes the audit
event (CONVENTIONS 4). ``on_time`` is fixed by the first answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction

from tongban.cases.models import Case
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.audit import actor_label as audit_actor_label
from tongban.core.audit import audit_record
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError
from tongban.org.models import Department, Role
from tongban.org.selectors import staff_scope_for
from tongban.supervision import errors
from tongban.supervision.models import (
    Instruction,
    InstructionEvent,
    InstructionStatus,
    InstructionSubject,
)

S = InstructionStatus

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "answer": (frozenset({S.SENT}), S.ANSWERED),
    "close": (frozenset({S.ANSWERED}), S.CLOSED),
    "return": (frozenset({S.ANSWERED}), S.SENT),
}
ACTION_LABELS = {"issue": "督办", "answer": "答复", "close": "办结", "return": "退回重新答复"}
SUPERVISE_ROLES = frozenset({Role.SUPERVISOR, Role.PLATFORM_ADMIN})
DEPARTMENT_ROLES = frozenset({Role.DEPARTMENT_HEAD, Role.REVIEWER, Role.WINDOW_CLERK})
ACTION_ROLES: dict[str, frozenset[str]] = {
    "issue": SUPERVISE_ROLES,
    "answer": DEPARTMENT_ROLES,
    "close": SUPERVISE_ROLES,
    "return": SUPERVISE_ROLES,
}
READ_ROLES = tuple(sorted(SUPERVISE_ROLES | DEPARTMENT_ROLES))
DEFAULT_WORKING_DAYS = 5  # the deadline offered on the form
MAX_DAYS_AHEAD = 90


def target(action: str, status: str) -> str | None:
    allowed, to = TRANSITIONS[action]
    return to if status in allowed else None


def roles_on(user: Any, *, region_path: str, department_id: int) -> set[str]:
    """The staff roles of ``user`` whose data scope covers a department's row."""
    return {
        g.role
        for g in staff_scope_for(user=user).grants
        if region_path.startswith(g.region_path)
        and (g.department_ids is None or department_id in g.department_ids)
    }


def _label(actor: Any) -> str:
    name = getattr(actor, "display_name", "") or getattr(actor, "username", "")
    return f"{audit_actor_label(actor)} {name}".strip()


def _text(value: str, field: str, label: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(
            errors.INSTRUCTION_TEXT_REQUIRED,
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


def default_due(today: dt.date) -> dt.date:
    """The deadline the form offers: ``DEFAULT_WORKING_DAYS`` working days on."""
    return get_calendar().add_working_days(today, DEFAULT_WORKING_DAYS)


def instruction_issue(
    *,
    actor: Any,
    department_id: int,
    content: str,
    due_on: dt.date,
    subject_kind: str = InstructionSubject.GENERAL,
    subject_ref: str = "",
    now: dt.datetime | None = None,
) -> Instruction:
    """督办: send an instruction to a department in the supervisor's scope.

    The department must be in the caller's scope (else
    ``instruction_department_out_of_scope``, as if it did not exist); the
    deadline after today and within 90 days; a case named by its number must
    be of that department.
    """
    moment = now or clock.now()
    today = clock.local_date(moment)
    text = _text(content, "content", "督办意见", 1000)
    department = Department.objects.filter(pk=department_id).select_related("region").first()
    if department is None or not (
        roles_on(actor, region_path=department.region.path, department_id=department.pk)
        & ACTION_ROLES["issue"]
    ):
        raise DomainError(
            errors.INSTRUCTION_DEPARTMENT_OUT_OF_SCOPE, "部门不存在或不在您的督办范围内。"
        )
    if not (today < due_on <= today + dt.timedelta(days=MAX_DAYS_AHEAD)):
        raise DomainError(
            errors.INSTRUCTION_DUE_INVALID,
            f"答复期限须晚于今天，且不超过 {MAX_DAYS_AHEAD} 天。",
            fields=[{"field": "due_on", "code": "invalid"}],
        )
    if subject_kind not in InstructionSubject.values:
        raise DomainError(core_errors.VALIDATION_FAILED, "督办对象无效。")
    ref = (subject_ref or "").strip()[:40]
    case = None
    if subject_kind == InstructionSubject.CASE:
        case = Case.objects.filter(case_no=ref, department_id=department.pk).first()
        if case is None:
            raise DomainError(
                core_errors.VALIDATION_FAILED,
                "该部门没有这个办件编号。",
                fields=[{"field": "subject_ref", "code": "not_found"}],
            )
    with transaction.atomic():
        instruction = Instruction.objects.create(
            status=S.SENT,
            department=department,
            region_path=department.region.path,
            subject_kind=subject_kind,
            subject_ref=ref,
            case=case,
            content=text,
            due_on=due_on,
            issued_by=actor,
            issued_at=moment,
        )
        InstructionEvent.objects.create(
            instruction=instruction,
            at=moment,
            actor=actor,
            actor_label=_label(actor),
            action="issue",
            to_status=S.SENT,
            text=f"{text}（答复期限 {due_on.isoformat()}）",
        )
        audit_record(
            actor=_label(actor),
            action="supervision.instruction_issue",
            object_type="supervision.Instruction",
            object_id=str(instruction.pk),
            details={
                "department_id": department.pk,
                "subject_kind": subject_kind,
                "subject_ref": ref,
                "due_on": due_on.isoformat(),
            },
            now=moment,
        )
        from tongban.supervision.instruction_alerts import instruction_notify_issued

        instruction_notify_issued(instruction)
    return instruction


def _transition(
    *,
    instruction_id: int,
    action: str,
    actor: Any,
    text: str,
    expected_version: int | None,
    now: dt.datetime | None,
    mutate: Callable[[Instruction, dt.datetime], None],
) -> Instruction:
    moment = now or clock.now()
    with transaction.atomic():
        instruction = Instruction.objects.select_for_update().get(pk=instruction_id)
        if expected_version is not None and instruction.version != expected_version:
            raise DomainError(
                errors.INSTRUCTION_VERSION_MISMATCH,
                f"该督办单已被他人处理（当前版本 {instruction.version}），请刷新后再操作。",
                extra={"version": instruction.version},
            )
        roles = roles_on(
            actor, region_path=instruction.region_path, department_id=instruction.department_id
        )
        if not roles & ACTION_ROLES[action]:
            raise DomainError(
                core_errors.PERMISSION_DENIED,
                f"您的岗位不能对该督办单{ACTION_LABELS[action]}。",
            )
        to = target(action, instruction.status)
        if to is None:
            raise DomainError(
                errors.INSTRUCTION_INVALID_TRANSITION,
                f"督办单当前为“{S(instruction.status).label}”，不能{ACTION_LABELS[action]}。",
                extra={"status": instruction.status, "action": action},
            )
        frm = instruction.status
        mutate(instruction, moment)
        instruction.status = to
        instruction.version += 1
        instruction.save()
        InstructionEvent.objects.create(
            instruction=instruction,
            at=moment,
            actor=actor,
            actor_label=_label(actor),
            action=action,
            from_status=frm,
            to_status=to,
            text=text,
        )
        audit_record(
            actor=_label(actor),
            action=f"supervision.instruction_{action}",
            object_type="supervision.Instruction",
            object_id=str(instruction.pk),
            details={"from": frm, "to": to},
            now=moment,
        )
    return instruction


def instruction_answer(
    *,
    instruction_id: int,
    actor: Any,
    reply: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Instruction:
    """The department's answer: what it did; the first answer fixes ``on_time``."""
    text = _text(reply, "reply", "答复内容", 1000)

    def mutate(instruction: Instruction, moment: dt.datetime) -> None:
        instruction.reply, instruction.replied_at = text, moment
        if instruction.on_time is None:
            instruction.on_time = clock.local_date(moment) <= instruction.due_on

    return _transition(
        instruction_id=instruction_id,
        action="answer",
        actor=actor,
        text=text,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )


def instruction_close(
    *,
    instruction_id: int,
    actor: Any,
    conclusion: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Instruction:
    """The supervisor accepts the answer and closes the 督办 with a conclusion."""
    text = _text(conclusion, "conclusion", "办结意见", 500)

    def mutate(instruction: Instruction, moment: dt.datetime) -> None:
        instruction.conclusion, instruction.closed_at = text, moment

    return _transition(
        instruction_id=instruction_id,
        action="close",
        actor=actor,
        text=text,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )


def instruction_return(
    *,
    instruction_id: int,
    actor: Any,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Instruction:
    """The answer does not settle it: back to the department (the deadline stands)."""
    text = _text(reason, "reason", "退回理由", 500)

    def mutate(instruction: Instruction, moment: dt.datetime) -> None:
        return None

    return _transition(
        instruction_id=instruction_id,
        action="return",
        actor=actor,
        text=text,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )
