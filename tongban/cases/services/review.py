"""Transitions of review (审查) and its clock: start the review, suspend and
resume the clock for a special procedure, extend the limit (第四十二条).
One service per transition; see ``transitions`` for the conventions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tongban.cases import deadlines, errors
from tongban.cases.models import (
    Case,
    CaseSuspension,
    SuspensionReason,
)
from tongban.cases.services._common import case_rule, clock_facts, reason_required, transition
from tongban.core import clock
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError


def case_start_review(
    *,
    case_id: int,
    actor: Any,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        case.reviewer = actor if getattr(actor, "pk", None) else None
        return {}

    return transition(
        case_id=case_id,
        action="start_review",
        actor=actor,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )


def case_suspend(
    *,
    case_id: int,
    actor: Any,
    reason: str,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """中止: a special procedure (听证, 检验检测, 现场勘验, 专家评审) stops the clock
    (第四十五条) from today until the case resumes."""
    if reason not in SuspensionReason.values:
        raise DomainError(
            errors.REASON_REQUIRED, "中止须为听证、检验检测、现场勘验或专家评审之一。"
        )

    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        CaseSuspension.objects.create(
            case=case, reason=reason, note=note.strip()[:500], start_on=clock.local_date(moment)
        )
        return {"reason": reason}

    return transition(
        case_id=case_id,
        action="suspend",
        actor=actor,
        reason=note,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )


def case_resume(
    *,
    case_id: int,
    actor: Any,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        open_one = case.suspensions.filter(end_on__isnull=True).order_by("-start_on").first()
        if open_one is not None:
            open_one.end_on = clock.local_date(moment)
            open_one.save(update_fields=["end_on"])
        return {}

    return transition(
        case_id=case_id,
        action="resume",
        actor=actor,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )


def case_extend(
    *,
    case_id: int,
    actor: Any,
    days: int,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """延期: once, within the legal bound, approved by the department head (第四十二条;
    only the head's role may take this action, ``workflow.ACTION_ROLES``).

    Decided within the period: once the decision deadline has passed the case
    is overdue and stays so (``extension_too_late``). The bound is ten days,
    fifteen for joint handling (第四十二条第二款), and the promised limit plus
    the extension may not end after the statutory limit plus its bound."""
    text = reason_required(reason, "延长期限")

    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        today = clock.local_date(moment)
        cal = get_calendar()
        facts = clock_facts(case)
        current = deadlines.recompute(facts, case_rule(case), cal, today=today)
        if current.decision_deadline is None or current.clock_start is None:
            raise DomainError(errors.EXTENSION_NOT_ALLOWED, "办件尚未开始计算办结期限，无须延期。")
        if today > current.decision_deadline:
            due = current.decision_deadline
            raise DomainError(
                errors.EXTENSION_TOO_LATE,
                f"办结期限已于{due.year}年{due.month}月{due.day}日届满，延期须在期限内决定"
                "（行政许可法第四十二条）；逾期办件不能通过延期消除逾期。",
            )
        promised = case.rules["promised_limit"]
        legal = deadlines.TimeRule(
            case.rules["legal_limit"]["value"], case.rules["legal_limit"]["unit"]
        )
        joint = bool(case.rules.get("joint"))
        bound = deadlines.extension_bound(joint=joint)
        extension = deadlines.TimeRule(days, promised["unit"])
        refusal = deadlines.extension_refusal(
            legal=legal,
            promised=deadlines.TimeRule(promised["value"], promised["unit"]),
            extension=extension,
            already_extended=case.extension_days > 0,
            bound=bound,
        )
        if refusal is None and deadlines.extension_outruns_the_law(
            start=current.clock_start,
            legal=legal,
            promised=case_rule(case),
            extension=extension,
            bound=bound,
            suspensions=facts.suspensions,
            cal=cal,
            today=today,
        ):
            refusal = "exceeds_legal_total"
        article = "第四十二条第二款" if joint else "第四十二条"
        messages = {
            "already_extended": "办件只能延长一次期限。",
            "not_positive": "延长天数须大于零。",
            "exceeds_bound": f"延长期限不得超过{bound.limit}日（行政许可法{article}）。",
            "unit_mismatch": "延长期限的计量单位与法定期限不一致。",
            "exceeds_legal_total": (
                f"承诺时限加延长期限，不得晚于法定期限（{legal.limit}日）"
                f"加可延长期限（{bound.limit}日）届满之日（行政许可法{article}）。"
            ),
        }
        if refusal is not None:
            raise DomainError(errors.EXTENSION_NOT_ALLOWED, messages.get(refusal, refusal))
        case.extension_days = days
        case.extension_reason = text
        return {"days": days}

    return transition(
        case_id=case_id,
        action="extend",
        actor=actor,
        reason=text,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )
