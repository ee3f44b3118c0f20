"""Recount dates that were counted on a provisional year (ADR-0006).

Until the State Council's notice for a year is known, the calendar counts that
year from the 放假办法 alone and every case remembers, in
``Case.provisional_year``, that one of its open dates rests on it. When the
notice is imported (``tongban calendar import``, or a package release that
carries it), :func:`cases_recount_provisional` re-derives those dates: each
change is a history row with the reason "依据 2027 年放假通知调整", and the
applicant whose dates moved is told by SMS. An administrator's correction of a
single provisional day recounts that year's cases the same way.

Each case is recounted in its own short transaction under its row lock, so the
job never holds up case handling and can be run again at any time: a case
already recounted has no provisional year left, and a date that did not move
writes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from tongban.cases.models import Case, CaseEvent, CaseStatus
from tongban.cases.services._common import (
    DEADLINE_FIELDS,
    history,
    notify_applicant,
    provisional_year_of,
    refresh_deadlines,
)
from tongban.core import clock
from tongban.core.audit import audit_record
from tongban.core.calendar import WorkingCalendar, get_calendar
from tongban.core.errors import DomainError

logger = logging.getLogger(__name__)

CHUNK = 500
FIELD_LABELS = {
    "acceptance_deadline": "受理期限",
    "decision_deadline": "办结期限",
    "delivery_deadline": "送达期限",
    "deferred_due_on": "容缺材料补交期限",
}


@dataclass
class RecountResult:
    checked: int = 0
    changed: list[str] = field(default_factory=list)  # case numbers whose dates moved
    years: set[int] = field(default_factory=set)  # the provisional years recounted


def recount_reason(year: int, cal: WorkingCalendar) -> str:
    if year in cal.confirmed_years:
        return f"依据 {year} 年放假通知调整"
    return f"依据 {year} 年日历调整"


def cases_recount_provisional(
    *, years: Iterable[int] | None = None, now: dt.datetime | None = None
) -> RecountResult:
    """Recount the open cases whose dates rest on a year now confirmed.

    ``years`` also recounts cases of those years while they are still
    provisional (after an administrator corrected one of their days). Returns
    the number of cases looked at and those whose dates moved.
    """
    moment = now or clock.now()
    cal = get_calendar()
    wanted = set(cal.confirmed_years) | set(years or ())
    result = RecountResult()
    last = 0
    while True:
        page = list(
            Case.objects.filter(provisional_year__in=wanted, pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:CHUNK]
        )
        if not page:
            break
        last = page[-1]
        for case_id in page:
            result.checked += 1
            try:
                case_no = _recount_one(case_id, cal=cal, now=moment, seen=result.years)
            except DomainError as exc:  # e.g. a date beyond the provisional year
                logger.warning("recount of case %s skipped: %s", case_id, exc)
                continue
            if case_no:
                result.changed.append(case_no)
    if result.checked:
        with transaction.atomic():
            audit_record(
                actor="system:calendar",
                action="case.deadlines_recounted",
                object_type="calendar_year",
                object_id=",".join(str(y) for y in sorted(result.years)),
                details={"checked": result.checked, "changed": len(result.changed)},
                now=moment,
            )
        logger.info(
            "recounted %d case(s) on the holiday notice, %d changed",
            result.checked,
            len(result.changed),
        )
    return result


def on_calendar_changed(*, event_id: Any, payload: dict[str, Any]) -> None:
    """Outbox subscriber of ``calendar.changed`` (core.services): a notice was
    imported or a day corrected. The recount runs as its own task, so that its
    per-case transactions are not held inside the outbox delivery's."""
    from tongban.cases.tasks import cases_recount_provisional_sweep

    cases_recount_provisional_sweep.enqueue(years=[int(payload["year"])])


def _recount_one(
    case_id: int, *, cal: WorkingCalendar, now: dt.datetime, seen: set[int]
) -> str | None:
    """Recount one case under its lock; its number if a date moved."""
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("service_item", "applicant_person", "agent_person")
            .get(pk=case_id)
        )
        year = case.provisional_year
        if year is None:
            return None  # recounted meanwhile by a transition
        seen.add(year)
        reason = recount_reason(year, cal)
        before = {name: getattr(case, name) for name in FIELD_LABELS}
        refresh_deadlines(case, actor=None, now=now, reason=reason)
        _recount_deferred(case, cal=cal, now=now, reason=reason)
        case.provisional_year = provisional_year_of(case, cal)
        case.save(update_fields=[*DEADLINE_FIELDS, "deferred_due_on", "provisional_year"])
        moved = [
            name
            for name in FIELD_LABELS
            if getattr(case, name) != before[name] and getattr(case, name) is not None
        ]
        if not moved:
            return None
        changes = "、".join(
            f"{FIELD_LABELS[name]}调整为{_cn(getattr(case, name))}" for name in moved
        )
        notify_applicant(
            case,
            "deadline_recount",
            now=now,
            changes=f"{changes}（{reason}）",
            key=f"recount-{year}-{now:%Y%m%d%H%M%S}",
        )
        return case.case_no


def _recount_deferred(case: Case, *, cal: WorkingCalendar, now: dt.datetime, reason: str) -> None:
    """The 容缺 due date, counted again from the day of acceptance (case_accept)."""
    if case.deferred_due_on is None or case.status not in (
        CaseStatus.ACCEPTED,
        CaseStatus.UNDER_REVIEW,
        CaseStatus.SUSPENDED,
    ):
        return
    accepted = (
        CaseEvent.objects.filter(case=case, action="accept").order_by("-at").values("at").first()
    )
    if accepted is None:
        return
    base = clock.local_date(accepted["at"])
    new = cal.add_working_days(base, settings.TONGBAN_DEFERRED_MATERIALS_WORKING_DAYS)
    if new == case.deferred_due_on:
        return
    old = case.deferred_due_on
    case.deferred_due_on = new
    history(
        case,
        action="deadline_change",
        actor=None,
        now=now,
        reason=reason,
        details={"field": "deferred_due_on", "from": old.isoformat(), "to": new.isoformat()},
    )


def _cn(day: Any) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
