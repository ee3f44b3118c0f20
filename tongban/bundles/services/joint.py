"""Joint procedures (R-CS-9: 联合图审、联合测绘、联合踏勘、联合竣工验收).

One scheduled event with the departments taking part and one combined
opinion, instead of each department inspecting on its own day:

* ``joint_procedure_schedule``: staff of a lead department or of a department
  taking part name the kind, time, place and the members (at least two
  departments); the lead department organises it. A site inspection or a review by experts is a
  special procedure whose time is not counted (行政许可法 第四十五条): the
  participating cases under review are suspended until the opinion is formed.
* ``joint_opinion_record``: each department signs its own opinion.
* ``joint_procedure_conclude``: once all have signed, one combined opinion
  (不同意 if any department disagrees, 有条件同意 if any sets conditions); the
  suspended cases resume.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tongban.bundles import errors, workflow
from tongban.bundles.content import JOINT_KIND_LABELS, JointKind
from tongban.bundles.models import (
    BundleApplication,
    JointParticipant,
    JointProcedure,
    JointResult,
    JointStatus,
    MemberStatus,
)
from tongban.bundles.services._common import audit, timeline
from tongban.bundles.services.access import HANDLERS, staff_covers
from tongban.cases.models import CaseStatus, SuspensionReason
from tongban.cases.services import case_resume, case_suspend
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.errors import DomainError

# The special procedure (第四十五条) each joint procedure is, when it stops the clock.
SUSPENSION = {
    JointKind.DRAWING_REVIEW: SuspensionReason.EXPERT_REVIEW,
    JointKind.SURVEY: SuspensionReason.INSPECTION,
    JointKind.SITE_INSPECTION: SuspensionReason.INSPECTION,
    JointKind.ACCEPTANCE: SuspensionReason.INSPECTION,
}


def joint_procedure_schedule(
    *,
    application: BundleApplication,
    actor: Any,
    kind: str,
    scheduled_at: dt.datetime,
    place: str,
    members: list[str],
    title: str = "",
    suspends_clocks: bool = True,
    now: dt.datetime | None = None,
) -> JointProcedure:
    moment = now or clock.now()
    if kind not in {k.value for k in JointKind}:
        raise DomainError(
            errors.JOINT_INVALID, "联合办理类型须为联合图审、联合测绘、联合踏勘或联合验收。"
        )
    place = " ".join((place or "").split())
    if not place:
        raise DomainError(errors.JOINT_INVALID, "须写明联合办理的地点。")
    if scheduled_at.tzinfo is None:
        raise DomainError(errors.JOINT_INVALID, "联合办理时间须带时区。")
    with transaction.atomic():
        locked = (
            BundleApplication.objects.select_for_update(of=("self",))
            .select_related("bundle")
            .get(pk=application.pk)
        )
        rows = {m.key: m for m in locked.members.select_related("case", "department")}
        chosen = [rows[k] for k in dict.fromkeys(members) if k in rows]
        if len(chosen) != len(set(members)):
            raise DomainError(errors.JOINT_INVALID, "参与事项须是本一件事申请中的事项。")
        if any(m.status != MemberStatus.RUNNING for m in chosen):
            raise DomainError(errors.JOINT_INVALID, "参与联合办理的事项须正在办理中。")
        departments = {m.department_id for m in chosen}
        if len(departments) < 2:
            raise DomainError(errors.JOINT_INVALID, "联合办理须有两个以上部门参加。")
        # The lead department organises it; a taking-part department may ask for it.
        leads = set(locked.bundle.lead_departments.values_list("pk", flat=True))
        if not staff_covers(actor, locked, HANDLERS, departments | leads):
            raise DomainError(core_errors.PERMISSION_DENIED, "您的岗位不能安排该一件事的联合办理。")
        organiser = locked.bundle.lead_departments.order_by("pk").first() or chosen[0].department
        label = JOINT_KIND_LABELS[JointKind(kind)]
        procedure = JointProcedure.objects.create(
            application=locked,
            kind=kind,
            title=(title.strip() or label)[:200],
            scheduled_at=scheduled_at,
            place=place[:200],
            organiser=organiser,
            status=JointStatus.SCHEDULED,
            suspends_clocks=suspends_clocks,
            created_at=moment,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        seen: set[int] = set()
        for member in chosen:
            if member.department_id in seen:
                continue
            seen.add(member.department_id)
            JointParticipant.objects.create(
                procedure=procedure, department_id=member.department_id, member=member
            )
            case = member.case
            if suspends_clocks and case is not None and case.status == CaseStatus.UNDER_REVIEW:
                case_suspend(
                    case_id=case.pk,
                    actor=None,
                    reason=SUSPENSION[JointKind(kind)],
                    note=f"{procedure.title}（一件事 {locked.application_no}）",
                    now=moment,
                )
        timeline(
            locked,
            action="joint_schedule",
            actor=actor,
            now=moment,
            reason=f"{procedure.title}：{scheduled_at:%Y-%m-%d %H:%M}，{place}",
            details={"procedure": procedure.pk, "kind": kind, "members": [m.key for m in chosen]},
        )
        audit(
            actor=actor,
            action="joint_procedure.schedule",
            object_type="joint_procedure",
            object_id=str(procedure.pk),
            details={"kind": kind, "application": locked.application_no},
            now=moment,
        )
    return procedure


def _locked(procedure: JointProcedure, action: str) -> JointProcedure:
    locked = (
        JointProcedure.objects.select_for_update(of=("self",))
        .select_related("application__bundle")
        .get(pk=procedure.pk)
    )
    if workflow.joint_target(action, locked.status) is None:
        raise DomainError(
            errors.JOINT_TRANSITION,
            f"联合办理当前为“{JointStatus(locked.status).label}”，不能再操作。",
        )
    return locked


def joint_opinion_record(
    *,
    procedure: JointProcedure,
    department_id: int,
    actor: Any,
    result: str,
    opinion: str,
    now: dt.datetime | None = None,
) -> JointParticipant:
    moment = now or clock.now()
    if result not in JointResult.values:
        raise DomainError(errors.JOINT_INVALID, "意见须为同意、有条件同意或不同意。")
    opinion = opinion.strip()
    if result != JointResult.AGREE and not opinion:
        raise DomainError(errors.JOINT_INVALID, "有条件同意或不同意须写明意见。")
    with transaction.atomic():
        locked = _locked(procedure, "opinion")
        participant = locked.participants.filter(department_id=department_id).first()
        if participant is None:
            raise DomainError(errors.JOINT_INVALID, "该部门未参加本次联合办理。")
        if not staff_covers(actor, locked.application, HANDLERS, {department_id}):
            raise DomainError(core_errors.PERMISSION_DENIED, "您不能代表该部门签署意见。")
        participant.result = result
        participant.opinion = opinion[:4000]
        participant.recorded_at = moment
        participant.recorded_by = actor if getattr(actor, "pk", None) else None
        participant.save(update_fields=["result", "opinion", "recorded_at", "recorded_by"])
        locked.version += 1
        locked.save(update_fields=["version"])
        timeline(
            locked.application,
            action="joint_opinion",
            actor=actor,
            now=moment,
            reason=f"{participant.department.name}：{JointResult(result).label}",
            details={"procedure": locked.pk},
        )
    return participant


def joint_procedure_conclude(
    *, procedure: JointProcedure, actor: Any, now: dt.datetime | None = None
) -> JointProcedure:
    moment = now or clock.now()
    with transaction.atomic():
        locked = _locked(procedure, "conclude")
        participants = list(locked.participants.select_related("department", "member__case"))
        missing = [p.department.name for p in participants if not p.result]
        if missing:
            raise DomainError(errors.JOINT_INVALID, f"尚有部门未签署意见：{'、'.join(missing)}。")
        if not staff_covers(actor, locked.application, HANDLERS, {locked.organiser_id}):
            raise DomainError(core_errors.PERMISSION_DENIED, "联合意见由组织部门形成。")
        results = {p.result for p in participants}
        outcome = (
            JointResult.DISAGREE
            if JointResult.DISAGREE in results
            else JointResult.CONDITIONS
            if JointResult.CONDITIONS in results
            else JointResult.AGREE
        )
        lines = [
            f"{p.department.name}：{JointResult(p.result).label}"
            + (f"。{p.opinion}" if p.opinion else "")
            for p in participants
        ]
        locked.status = JointStatus.CONCLUDED
        locked.outcome = outcome
        locked.combined_opinion = f"联合意见：{JointResult(outcome).label}。\n" + "\n".join(lines)
        locked.concluded_at = moment
        locked.concluded_by = actor if getattr(actor, "pk", None) else None
        locked.version += 1
        locked.save()
        _resume(locked, participants, moment)
        timeline(
            locked.application,
            action="joint_conclude",
            actor=actor,
            now=moment,
            reason=locked.combined_opinion[:500],
            details={"procedure": locked.pk},
        )
        audit(
            actor=actor,
            action="joint_procedure.conclude",
            object_type="joint_procedure",
            object_id=str(locked.pk),
            details={"outcome": outcome},
            now=moment,
        )
    return locked


def joint_procedure_cancel(
    *, procedure: JointProcedure, actor: Any, reason: str, now: dt.datetime | None = None
) -> JointProcedure:
    moment = now or clock.now()
    if not reason.strip():
        raise DomainError(errors.REASON_REQUIRED, "取消联合办理须写明理由。")
    with transaction.atomic():
        locked = _locked(procedure, "cancel")
        if not staff_covers(actor, locked.application, HANDLERS, {locked.organiser_id}):
            raise DomainError(core_errors.PERMISSION_DENIED, "联合办理由组织部门取消。")
        locked.status = JointStatus.CANCELLED
        locked.version += 1
        locked.save(update_fields=["status", "version"])
        _resume(locked, list(locked.participants.select_related("member__case")), moment)
        timeline(
            locked.application,
            action="joint_cancel",
            actor=actor,
            now=moment,
            reason=reason.strip()[:500],
            details={"procedure": locked.pk},
        )
    return locked


def _resume(
    procedure: JointProcedure, participants: list[JointParticipant], moment: dt.datetime
) -> None:
    """Resume the cases this procedure suspended (not those suspended for another reason)."""
    if not procedure.suspends_clocks:
        return
    mark = f"（一件事 {procedure.application.application_no}）"
    for participant in participants:
        case = participant.member.case if participant.member else None
        if (
            case is not None
            and case.status == CaseStatus.SUSPENDED
            and case.suspensions.filter(end_on__isnull=True, note__endswith=mark).exists()
        ):
            case_resume(case_id=case.pk, actor=None, now=moment)
