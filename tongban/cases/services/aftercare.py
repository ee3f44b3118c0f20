"""After the decision: the 告知承诺 post-check (事后核查) and the supervision outcome.

``post_check_record`` closes a case's open post-check as passed (核查属实) or
failed (承诺不实) and emits ``case.post_check``; credit, subscribed through the
outbox, settles the applicant's credit commitment: a failure becomes a
``commitment_breach`` credit record that, by the rules of docs/credit.md, lists
the applicant and lowers its class (``credit.subscribers``). ``supervision_outcome
_record`` puts the outcome of the 审管联动 supervision task on the case's timeline.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tongban.cases.models import Case, PostCheck, PostCheckStatus
from tongban.cases.selectors import case_get_for_handler
from tongban.cases.services._common import history
from tongban.core import clock, events
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError, define

POST_CHECK_NOT_FOUND = define("post_check_not_found", 404, "该办件没有告知承诺核查")
POST_CHECK_CLOSED = define("post_check_closed", 409, "告知承诺核查已完成")
POST_CHECK_INVALID = define("post_check_invalid", 422, "核查结果内容有误")


def post_check_record(
    *,
    case_no: str,
    passed: bool,
    note: str,
    actor: Any,
    now: dt.datetime | None = None,
) -> PostCheck:
    """Record the post-check of a case granted on commitment, once.

    Only staff who act on the case's department (窗口人员, 审批人员, 部门负责人 in
    its scope) record it; a supervisor who may only look is refused
    (``permission_denied``), one outside the scope gets ``not_found``.
    """
    moment = now or clock.now()
    text = _checked_note(note)
    case = case_get_for_handler(user=actor, case_no=case_no)
    with transaction.atomic():
        return _post_check_close(case=case, passed=passed, note=text, actor=actor, now=moment)


def post_check_fail_on_supervision(
    *, case: Case, note: str, actor: Any, now: dt.datetime | None = None
) -> PostCheck | None:
    """The supervising department found the holder does not meet the conditions it
    committed to (审管联动, outcome ``revoke``): the open post-check of the case
    closes as failed (承诺不实), so the commitment is settled once, by the same
    event, and the approving department does not check a case already found
    untrue. ``None`` when the case has no post-check or it is already closed.
    The caller (``supervision.handoff``) has checked the supervisor's scope and
    holds the transaction.
    """
    moment = now or clock.now()
    check = PostCheck.objects.select_for_update().filter(case_id=case.pk).first()
    if check is None or check.status != PostCheckStatus.OPEN:
        return None
    return _post_check_close(
        case=case, passed=False, note=_checked_note(note), actor=actor, now=moment
    )


def _checked_note(note: str) -> str:
    text = (note or "").strip()
    if not text or len(text) > 2000:
        raise DomainError(POST_CHECK_INVALID, "请填写核查情况（不超过 2000 字）。")
    return text


def _post_check_close(
    *, case: Case, passed: bool, note: str, actor: Any, now: dt.datetime
) -> PostCheck:
    """Close the case's open post-check (in the caller's transaction)."""
    check = PostCheck.objects.select_for_update().filter(case_id=case.pk).first()
    if check is None:
        raise DomainError(POST_CHECK_NOT_FOUND, f"办件 {case.case_no} 不是告知承诺件。")
    check.case = case  # the row already read, for the caller's answer
    if check.status != PostCheckStatus.OPEN:
        raise DomainError(
            POST_CHECK_CLOSED,
            f"办件 {case.case_no} 的核查已于 {check.checked_at:%Y-%m-%d} 完成"
            f"（{check.get_status_display()}）。",
        )
    check.status = PostCheckStatus.PASSED if passed else PostCheckStatus.FAILED
    check.result_note = note
    check.checked_at = now
    check.checked_by = actor if getattr(actor, "pk", None) else None
    check.save(update_fields=["status", "result_note", "checked_at", "checked_by"])
    history(
        case,
        action="post_check",
        actor=actor,
        now=now,
        reason=note[:500],
        details={"result": check.status},
    )
    # Credit settles the commitment from the event (credit.subscribers).
    events.emit(
        "case.post_check",
        {
            "case_no": case.case_no,
            "result": check.status,
            "note": check.result_note[:400],
            "checked_at": now.isoformat(),
        },
        now=now,
    )
    audit_record(
        actor=actor_label(actor),
        action="case.post_check",
        object_type="case",
        object_id=case.case_no,
        details={"result": check.status},
        now=now,
    )
    return check


def supervision_outcome_record(
    *, case: Case, outcome: str, summary: str, actor: Any, now: dt.datetime | None = None
) -> None:
    """The supervising department's finding on a granted case (审管联动), on its timeline."""
    moment = now or clock.now()
    history(
        case,
        action="supervision_outcome",
        actor=actor,
        now=moment,
        reason=summary.strip()[:500],
        details={"outcome": outcome},
    )
