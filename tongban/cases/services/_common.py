"""What every case service shares: locking, the transition check, history,
deadline refresh, audit and the event for other apps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction

from tongban.cases import deadlines, errors, workflow
from tongban.cases.models import Case, CaseEvent, CaseStatus
from tongban.core import clock, events
from tongban.core import errors as core_errors
from tongban.core.audit import actor_label as audit_actor_label
from tongban.core.audit import audit_record
from tongban.core.calendar import WorkingCalendar, get_calendar
from tongban.core.errors import DomainError

DEADLINE_FIELDS = ("acceptance_deadline", "decision_deadline", "delivery_deadline")
# Read with the locked case in one statement (transition).
LOCKED_CASE_RELATED = (
    "service_item",
    "department__region",
    "guide_version",
    "applicant_person",
    "agent_person",
)


def actor_label(actor: Any) -> str:
    """The audit label (``core.audit.actor_label``) with the name, for the history."""
    name = getattr(actor, "display_name", "") or getattr(actor, "username", "")
    return f"{audit_actor_label(actor)} {name}".strip()


def history(
    case: Case,
    *,
    action: str,
    actor: Any,
    now: dt.datetime,
    frm: str = "",
    to: str = "",
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    history_event(
        case,
        action=action,
        actor=actor,
        now=now,
        frm=frm,
        to=to,
        reason=reason,
        details=details,
    ).save(force_insert=True)


def history_event(
    case: Case,
    *,
    action: str,
    actor: Any,
    now: dt.datetime,
    frm: str = "",
    to: str = "",
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> CaseEvent:
    """A history row, not yet saved (intake writes its rows in one insert)."""
    return CaseEvent(
        case=case,
        at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label(actor),
        action=action,
        from_status=frm,
        to_status=to,
        reason=reason,
        details=details or {},
    )


def clock_facts(
    case: Case,
    *,
    extra_suspension_end: dt.date | None = None,
    suspensions: tuple[deadlines.Suspension, ...] | None = None,
) -> deadlines.CaseClockFacts:
    """The stored facts the deadlines derive from; ``suspensions`` when the
    caller knows them (a case not yet saved has none) instead of reading them."""
    if suspensions is None:
        suspensions = tuple(
            deadlines.Suspension(s.start_on, s.end_on, s.reason) for s in case.suspensions.all()
        )
    extension = (
        deadlines.TimeRule(case.extension_days, case.rules["promised_limit"]["unit"])
        if case.extension_days
        else None
    )
    return deadlines.CaseClockFacts(
        received=case.received_on,
        accepted_on=case.accepted_on,
        deemed=case.deemed_accepted,
        refused_on=case.refused_on,
        supplement_requested_on=case.supplement_requested_on,
        supplement_completed_on=case.supplement_completed_on,
        suspensions=suspensions,
        extension=extension,
        decided_on=case.decided_on,
        delivered_on=case.delivered_on,
        unified_delivery_by=(
            dt.date.fromisoformat(case.rules["unified_delivery_by"])
            if case.rules.get("unified_delivery_by")
            else None
        ),
    )


def case_rule(case: Case) -> deadlines.TimeRule:
    limit = case.rules["promised_limit"]
    return deadlines.TimeRule(limit["value"], limit["unit"])


DeadlineChange = tuple[str, dt.date | None, dt.date | None]


def refresh_deadlines(case: Case, *, actor: Any, now: dt.datetime, reason: str) -> list[str]:
    """Re-derive the deadlines from the stored facts; a history row per change.

    Also records on the case the provisional year its dates were counted on,
    if any (ADR-0006), so that they are recomputed when its notice comes.
    """
    changes = derive_deadlines(case, now=now)
    record_deadline_changes(case, changes, actor=actor, now=now, reason=reason)
    return [name for name, _, _ in changes]


def derive_deadlines(
    case: Case,
    *,
    now: dt.datetime,
    suspensions: tuple[deadlines.Suspension, ...] | None = None,
) -> list[DeadlineChange]:
    """Set the derived deadlines and the provisional year on ``case`` (not saved);
    the changes, for :func:`record_deadline_changes`. A case not yet saved is
    given ``suspensions=()``: it has none, and nothing is read."""
    cal = get_calendar()
    derived = deadlines.recompute(
        clock_facts(case, suspensions=suspensions), case_rule(case), cal,
        today=clock.local_date(now),
    )  # fmt: skip
    changes: list[DeadlineChange] = []
    for name in DEADLINE_FIELDS:
        new = getattr(derived, name)
        old = getattr(case, name)
        if new != old:
            setattr(case, name, new)
            changes.append((name, old, new))
    case.provisional_year = provisional_year_of(case, cal)
    return changes


def record_deadline_changes(
    case: Case, changes: list[DeadlineChange], *, actor: Any, now: dt.datetime, reason: str
) -> None:
    """A history row per changed deadline (the case is saved)."""
    for event in deadline_change_events(case, changes, actor=actor, now=now, reason=reason):
        event.save(force_insert=True)


def deadline_change_events(
    case: Case, changes: list[DeadlineChange], *, actor: Any, now: dt.datetime, reason: str
) -> list[CaseEvent]:
    """The history rows of :func:`record_deadline_changes`, not yet saved."""
    return [
        history_event(
            case,
            action="deadline_change",
            actor=actor,
            now=now,
            reason=reason,
            details={
                "field": name,
                "from": old.isoformat() if old else None,
                "to": new.isoformat() if new else None,
            },
        )
        for name, old, new in changes
    ]


def provisional_year_of(case: Case, cal: WorkingCalendar) -> int | None:
    """The provisional year on which one of the case's open dates was counted."""
    if case.status in workflow.TERMINAL:
        return None
    years = {
        day.year
        for day in (*(getattr(case, name) for name in DEADLINE_FIELDS), case.deferred_due_on)
        if cal.is_provisional(day)
    }
    return min(years) if years else None


# The scope the caller has already read for the acting user in this request
# (``acting_in_scope``), so that the service does not read it again.
_KNOWN_SCOPE: ContextVar[tuple[Any, Any] | None] = ContextVar("case_actor_scope", default=None)


@contextmanager
def acting_in_scope(actor: Any, scope: Any) -> Iterator[None]:
    """Within the block, ``actor``'s staff scope is ``scope`` (read by the caller
    for this request, e.g. ``selectors.case_and_scope_for_handler``)."""
    token = _KNOWN_SCOPE.set((getattr(actor, "pk", None), scope))
    try:
        yield
    finally:
        _KNOWN_SCOPE.reset(token)


def _scope_of(user: Any) -> Any:
    from tongban.org.selectors import staff_scope_for

    known = _KNOWN_SCOPE.get()
    if known is not None and known[0] is not None and known[0] == getattr(user, "pk", None):
        return known[1]
    return staff_scope_for(user=user)


def roles_on_case(user: Any, case: Case) -> set[str]:
    """The staff roles of ``user`` whose data scope covers this case."""
    return {
        g.role
        for g in _scope_of(user).grants
        if case.region_path.startswith(g.region_path)
        and (g.department_ids is None or case.department_id in g.department_ids)
    }


def _check_role(case: Case, action: str, actor: Any) -> None:
    """A staff action needs a role that may take it, in scope of the case."""
    allowed = workflow.ACTION_ROLES.get(action)
    if allowed is None or actor is None:
        return  # the applicant's or the scheduler's action
    if not roles_on_case(actor, case) & allowed:
        raise DomainError(
            core_errors.PERMISSION_DENIED,
            f"您的岗位不能对该办件{workflow.ACTION_LABELS[action]}。",
        )


def transition(
    *,
    case_id: int,
    action: str,
    actor: Any,
    expected_version: int | None,
    now: dt.datetime | None,
    reason: str = "",
    mutate: Callable[[Case, dt.datetime], dict[str, Any] | None] | None = None,
) -> Case:
    """Lock the case, check the table and the version, apply ``mutate``, save,
    append history, refresh deadlines, audit, and emit ``case.<action>``."""
    moment = now or clock.now()
    with transaction.atomic():
        # Only the case row is locked (joined rows are read, not locked: see
        # notices.issue); the joins are what the notices, the SMS and the
        # answer read, so the case is read once per command.
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related(*LOCKED_CASE_RELATED)
            .get(pk=case_id)
        )
        if expected_version is not None and case.version != expected_version:
            raise DomainError(
                errors.VERSION_MISMATCH,
                f"办件已被他人处理（当前版本 {case.version}），请刷新后再操作。",
                extra={"version": case.version},
            )
        _check_role(case, action, actor)
        to = workflow.target(action, case.status)
        if to is None and (action, case.status) in workflow.REFUSALS:
            error, detail = workflow.REFUSALS[(action, case.status)]
            raise DomainError(error, detail, extra={"status": case.status, "action": action})
        if to is None:
            raise DomainError(
                errors.INVALID_TRANSITION,
                f"办件当前为“{CaseStatus(case.status).label}”，不能{workflow.ACTION_LABELS[action]}。",
                extra={"status": case.status, "action": action},
            )
        frm = case.status
        details = (mutate(case, moment) if mutate else None) or {}
        case.status = to
        case.version += 1
        case.updated_at = moment
        history(
            case,
            action=action,
            actor=actor,
            now=moment,
            frm=frm,
            to=to,
            reason=reason,
            details=details,
        )
        refresh_deadlines(case, actor=actor, now=moment, reason=workflow.ACTION_LABELS[action])
        case.save()
        # The notices this step issues (受理通知书, 决定书…), in the same transaction.
        from tongban.cases.notices import documents_issue_for_transition

        documents_issue_for_transition(
            case=case, action=action, actor=actor, now=moment, locked=True
        )
        notify_applicant(case, action, now=moment)
        events.emit(
            f"case.{action}",
            {"case_no": case.case_no, "from": frm, "to": to, "version": case.version},
            now=moment,
        )
        audit_record(  # a plain insert, sealed after commit (ADR-0008)
            actor=actor_label(actor),
            action=f"case.{action}",
            object_type="case",
            object_id=case.case_no,
            details={"from": frm, "to": to, **details},
            now=moment,
        )
    return case


# What the applicant is told at each step (SMS to the applicant, or to the
# business's agent). {no}: case number, {item}: the item's name.
NOTIFICATION_TEXTS = {
    "submit": "您申请的“{item}”已收到，办件编号{no}，查询码{code}（凭此查询进度，请勿告知他人）。",
    "accept": "您申请的“{item}”（{no}）已受理，可在“我的办件”查看办理进度和受理通知书。",
    "deem_accept": "您申请的“{item}”（{no}）依法视为已受理。",
    "refuse": "您申请的“{item}”（{no}）不予受理，请在“我的办件”查看不予受理决定书。",
    "request_supplement": "您申请的“{item}”（{no}）需要补正材料，请查看补正材料通知书，一次补齐。",
    "decide": "您申请的“{item}”（{no}）已作出决定，请在“我的办件”查看决定书。",
    "deliver": "您申请的“{item}”（{no}）的办理结果已送达。",
    "handle_immediately": "您申请的“{item}”（{no}）已当场办结。",
    "withdraw": "您申请的“{item}”（{no}）已撤回。",
    "deadline_recount": "您申请的“{item}”（{no}）的{changes}。",
}


def notify_applicant(
    case: Case,
    action: str,
    *,
    now: dt.datetime,
    changes: str = "",
    key: str = "",
    new: bool = False,
) -> None:
    """An SMS to the applicant (or the business's agent) about this step, in the
    caller's transaction; delivered after commit by the outbox. ``key`` tells
    repeated messages of one version apart (it defaults to the version);
    ``new``: the case was numbered in this transaction, so no earlier copy of
    the message can exist (``notification_send(new=True)``)."""
    from tongban.core.notifications import notification_send

    message = _applicant_sms(case, action, changes=changes, key=key)
    if message is not None:
        notification_send(**message, now=now, new=new)


def applicant_notice(case: Case, action: str, *, now: dt.datetime) -> Any:
    """The SMS :func:`notify_applicant` sends for a case numbered in this
    transaction, routed but not saved (``core.notifications.notification_unsaved``),
    for the submission's one statement; None when there is none to send."""
    from tongban.core.notifications import notification_unsaved

    message = _applicant_sms(case, action)
    return None if message is None else notification_unsaved(**message, now=now)


def _applicant_sms(
    case: Case, action: str, *, changes: str = "", key: str = ""
) -> dict[str, str] | None:
    from tongban.core.crypto import decrypt
    from tongban.identity.selectors import PHONE_CONTEXT

    text = NOTIFICATION_TEXTS.get(action)
    person = case.applicant_person or case.agent_person
    if text is None or person is None or not person.phone_enc:
        return None
    return {
        "channel": "sms",
        "recipient": decrypt(person.phone_enc, context=PHONE_CONTEXT),
        "subject": "",
        "body": text.format(
            item=case.service_item.name, no=case.case_no, code=case.tracking_code, changes=changes
        ),
        "purpose": f"case.{action}",
        "object_type": "case",
        "object_id": f"{case.case_no}/{key or f'v{case.version}'}",
    }


def reason_required(text: str, what: str) -> str:
    """The reason a decision or an act must state, trimmed; none is refused."""
    text = (text or "").strip()
    if not text:
        raise DomainError(errors.REASON_REQUIRED, f"{what}须写明理由。")
    return text[:2000]
