"""Every write of supervision: the alert sweep (DESIGN §4: alert tiers).

The sweep reads the stored clock of each open case, computes its tier with
``cases.deadlines.alert_level`` and keeps one open :class:`Alert` per
(case, kind) in step with it: raise, upgrade (yellow → red), downgrade
(red → yellow, after an extension), resolve (the case moved on, or the tier
is none). Every raise, level change and resolution is an audit event; a pass
that finds nothing changed writes nothing.

The five clocks watched (kind: which cases, which deadline, counted from):

* ``acceptance`` — ``submitted``; ``acceptance_deadline`` from receipt
  (行政许可法 第三十二条);
* ``decision`` — ``accepted``, ``under_review``, ``suspended``;
  ``decision_deadline`` from the clock start (第四十二条), re-derived while a
  suspension is open (第四十五条: the deadline moves on as it lasts);
* ``delivery`` — ``decided``; ``delivery_deadline`` from the decision (第四十四条);
* ``deferred_materials`` — accepted under 容缺受理 with a material still
  deferred; ``deferred_due_on`` from acceptance;
* ``post_check`` — an open 告知承诺 post-check; its ``due_on``.

Scale: each kind is one query narrowed in SQL to its open statuses and to a
stored deadline at most ``TONGBAN_ALERT_HORIZON_WORKING_DAYS`` working days
away (or past), read with ``iterator(chunk_size=…)``; the open alerts of a
chunk are read in one query. Open alerts whose case fell outside that query
(moved on, or its deadline moved away) are visited afterwards and resolved.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from tongban.cases import deadlines
from tongban.cases.models import (
    Case,
    CaseMaterial,
    CaseStatus,
    CaseSuspension,
    MaterialKind,
    PostCheck,
    PostCheckStatus,
)
from tongban.core import clock
from tongban.core.audit import audit_record
from tongban.core.calendar import WorkingCalendar, get_calendar
from tongban.core.errors import DomainError
from tongban.supervision.models import Alert, AlertKind

logger = logging.getLogger(__name__)

CHUNK = 2000
ACTOR = "system"

_BEFORE_DECISION = (CaseStatus.ACCEPTED, CaseStatus.UNDER_REVIEW, CaseStatus.SUSPENDED)
# Fields every kind reads; a case's form and snapshot are loaded only where needed.
_CASE_FIELDS = (
    "id",
    "case_no",
    "status",
    "region_path",
    "department_id",
    "received_on",
    "accepted_on",
    "decided_on",
)


@dataclass
class SweepResult:
    examined: int = 0
    raised: int = 0
    upgraded: int = 0
    downgraded: int = 0
    resolved: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class _Clock:
    """One running clock of a case: its deadline, start, and stopped days."""

    deadline: dt.date
    start: dt.date
    suspensions: tuple[deadlines.Suspension, ...] = ()


@dataclass(frozen=True)
class _Kind:
    kind: AlertKind
    # The cases that may need an alert of this kind, with what ``clock`` reads.
    base: Callable[[], QuerySet[Case]]
    # Narrowing in SQL to open statuses and a stored deadline on or before a date.
    candidates: Callable[[QuerySet[Case], dt.date], QuerySet[Case]]
    # The clock of a loaded case, or None when this kind no longer applies.
    clock: Callable[[Case, dt.date, WorkingCalendar], _Clock | None]


# --- the five clocks -------------------------------------------------------------


def _acceptance_clock(case: Case, today: dt.date, cal: WorkingCalendar) -> _Clock | None:
    if case.status != CaseStatus.SUBMITTED or case.acceptance_deadline is None:
        return None
    return _Clock(case.acceptance_deadline, case.received_on)


def _decision_clock(case: Case, today: dt.date, cal: WorkingCalendar) -> _Clock | None:
    if case.status not in _BEFORE_DECISION or case.decision_deadline is None:
        return None
    start = deadlines.clock_start(
        case.received_on,
        case.supplement_requested_on,
        case.supplement_completed_on,
        case.accepted_on,
        deemed=case.deemed_accepted,
    )
    if start is None:
        return None
    stopped = tuple(
        deadlines.Suspension(s.start_on, s.end_on, s.reason) for s in case.suspensions.all()
    )
    deadline = case.decision_deadline
    if any(s.end is None for s in stopped):
        # The stored date assumed the clock resumes the day after it was stored;
        # while the suspension lasts it moves on (第四十五条).
        limit = case.rules["promised_limit"]
        rule = deadlines.TimeRule(limit["value"], limit["unit"])
        extension = (
            deadlines.TimeRule(case.extension_days, limit["unit"]) if case.extension_days else None
        )
        deadline = deadlines.decision_deadline(start, rule, stopped, extension, cal, today=today)
    return _Clock(deadline, start, stopped)


def _delivery_clock(case: Case, today: dt.date, cal: WorkingCalendar) -> _Clock | None:
    if case.status != CaseStatus.DECIDED or case.delivery_deadline is None:
        return None
    if case.decided_on is None:
        return None
    return _Clock(case.delivery_deadline, case.decided_on)


def _deferred_clock(case: Case, today: dt.date, cal: WorkingCalendar) -> _Clock | None:
    if case.status not in _BEFORE_DECISION or case.deferred_due_on is None:
        return None
    if not getattr(case, "has_deferred", False):
        return None  # every deferred material has come
    return _Clock(case.deferred_due_on, case.accepted_on or case.received_on)


def _post_check_clock(case: Case, today: dt.date, cal: WorkingCalendar) -> _Clock | None:
    try:
        check = case.post_check
    except PostCheck.DoesNotExist:
        return None
    if check.status != PostCheckStatus.OPEN:
        return None
    return _Clock(check.due_on, case.decided_on or case.accepted_on or case.received_on)


def _cases(*extra: str) -> QuerySet[Case]:
    return Case.objects.only(*_CASE_FIELDS, *extra)


_DEFERRED_OUTSTANDING = Exists(
    CaseMaterial.objects.filter(case=OuterRef("pk"), kind=MaterialKind.DEFERRED)
)

KINDS: tuple[_Kind, ...] = (
    _Kind(
        AlertKind.ACCEPTANCE,
        base=lambda: _cases("acceptance_deadline"),
        candidates=lambda qs, until: qs.filter(
            status=CaseStatus.SUBMITTED, acceptance_deadline__lte=until
        ),
        clock=_acceptance_clock,
    ),
    _Kind(
        AlertKind.DECISION,
        base=lambda: _cases(
            "decision_deadline",
            "deemed_accepted",
            "supplement_requested_on",
            "supplement_completed_on",
            "extension_days",
            # not "rules": read (one query) only for a case whose suspension is open
        ).prefetch_related(
            Prefetch(
                "suspensions",
                queryset=CaseSuspension.objects.only("case_id", "start_on", "end_on", "reason"),
            )
        ),
        candidates=lambda qs, until: qs.filter(
            status__in=_BEFORE_DECISION, decision_deadline__lte=until
        ),
        clock=_decision_clock,
    ),
    _Kind(
        AlertKind.DELIVERY,
        base=lambda: _cases("delivery_deadline"),
        candidates=lambda qs, until: qs.filter(
            status=CaseStatus.DECIDED, delivery_deadline__lte=until
        ),
        clock=_delivery_clock,
    ),
    _Kind(
        AlertKind.DEFERRED_MATERIALS,
        base=lambda: _cases("deferred_due_on").annotate(has_deferred=_DEFERRED_OUTSTANDING),
        candidates=lambda qs, until: qs.filter(
            _DEFERRED_OUTSTANDING, status__in=_BEFORE_DECISION, deferred_due_on__lte=until
        ),
        clock=_deferred_clock,
    ),
    _Kind(
        AlertKind.POST_CHECK,
        base=lambda: _cases("post_check__due_on", "post_check__status").select_related(
            "post_check"
        ),
        candidates=lambda qs, until: qs.filter(
            post_check__status=PostCheckStatus.OPEN, post_check__due_on__lte=until
        ),
        clock=_post_check_clock,
    ),
)


# --- the sweep ---------------------------------------------------------------------


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def alert_message(kind: str, deadline: dt.date, days_left: int) -> str:
    """The Chinese text of an alert, e.g. “距办结期限（2026年11月13日）还剩 2 个工作日”."""
    label = AlertKind(kind).label
    if days_left < 0:
        return f"已超过{label}（{_cn_date(deadline)}）{-days_left} 个工作日"
    if days_left == 0:
        return f"今日为{label}（{_cn_date(deadline)}）最后一日"
    return f"距{label}（{_cn_date(deadline)}）还剩 {days_left} 个工作日"


def _audit(alert: Alert, action: str, now: dt.datetime, case_no: str, **details: Any) -> None:
    audit_record(
        actor=ACTOR,
        action=f"supervision.alert_{action}",
        object_type="supervision.Alert",
        object_id=str(alert.pk),
        details={
            "case_no": case_no,
            "kind": alert.kind,
            "level": alert.level,
            "deadline": alert.deadline.isoformat(),
            "working_days_left": alert.working_days_left,
            **details,
        },
        now=now,
    )


def _resolve(alert: Alert, *, case_no: str, reason: str, now: dt.datetime) -> None:
    with transaction.atomic():
        alert.resolved_at = now
        alert.resolution = reason
        alert.save(update_fields=["resolved_at", "resolution"])
        _audit(alert, "resolved", now, case_no, resolution=reason)


def _settle(
    *,
    spec: _Kind,
    case: Case,
    alert: Alert | None,
    today: dt.date,
    now: dt.datetime,
    cal: WorkingCalendar,
    result: SweepResult,
) -> None:
    """Bring the open alert of (case, kind) in step with the case's clock."""
    running = spec.clock(case, today, cal)
    level = deadlines.AlertLevel.NONE
    if running is not None:
        level = deadlines.alert_level(
            running.deadline,
            today,
            running.start,
            running.suspensions,
            cal,
            yellow_share=settings.TONGBAN_ALERT_YELLOW_SHARE,
            yellow_days_left=settings.TONGBAN_ALERT_YELLOW_DAYS_LEFT,
        )
    if running is None or level == deadlines.AlertLevel.NONE:
        if alert is not None:
            reason = "办件已进入下一环节" if running is None else "距期限尚远，预警解除"
            _resolve(alert, case_no=case.case_no, reason=reason, now=now)
            result.resolved += 1
        return
    days_left = deadlines.working_days_left(running.deadline, today, running.suspensions, cal)
    message = alert_message(spec.kind, running.deadline, days_left)
    if alert is None:
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    case_id=case.pk,
                    kind=spec.kind,
                    level=level.value,
                    deadline=running.deadline,
                    working_days_left=days_left,
                    message=message,
                    region_path=case.region_path,
                    department_id=case.department_id,
                    raised_at=now,
                    level_changed_at=now,
                )
                _audit(alert, "raised", now, case.case_no)
        except IntegrityError:
            # Another sweep raised it first (the partial unique constraint).
            return
        result.raised += 1
        return
    if alert.level != level.value:
        action = "upgraded" if level == deadlines.AlertLevel.RED else "downgraded"
        with transaction.atomic():
            previous = alert.level
            alert.level = level.value
            alert.level_changed_at = now
            alert.deadline = running.deadline
            alert.working_days_left = days_left
            alert.message = message
            alert.save(
                update_fields=[
                    "level",
                    "level_changed_at",
                    "deadline",
                    "working_days_left",
                    "message",
                ]
            )
            _audit(alert, action, now, case.case_no, previous_level=previous)
        if action == "upgraded":
            result.upgraded += 1
        else:
            result.downgraded += 1
        return
    if (alert.deadline, alert.working_days_left, alert.message) != (
        running.deadline,
        days_left,
        message,
    ):
        # The count moved on with the days: kept current for the list, not audited.
        alert.deadline = running.deadline
        alert.working_days_left = days_left
        alert.message = message
        alert.save(update_fields=["deadline", "working_days_left", "message"])


def _settle_chunk(
    *,
    spec: _Kind,
    cases: list[Case],
    today: dt.date,
    now: dt.datetime,
    cal: WorkingCalendar,
    result: SweepResult,
) -> None:
    open_alerts = {
        a.case_id: a
        for a in Alert.objects.filter(
            kind=spec.kind, resolved_at__isnull=True, case_id__in=[c.pk for c in cases]
        )
    }
    for case in cases:
        result.examined += 1
        try:
            _settle(
                spec=spec,
                case=case,
                alert=open_alerts.get(case.pk),
                today=today,
                now=now,
                cal=cal,
                result=result,
            )
        except DomainError as exc:
            # e.g. calendar_year_unavailable: one case must not stop the sweep.
            result.failed += 1
            logger.warning("alert %s of %s not settled: %s", spec.kind, case.case_no, exc)


def alerts_sweep(*, today: dt.date | None = None, now: dt.datetime | None = None) -> SweepResult:
    """One pass over every open clock; see the module docstring for the rules.

    Idempotent: a second pass on the same day changes nothing. ``today``
    defaults to the Asia/Shanghai date of ``now``.
    """
    moment = now or clock.now()
    day = today or clock.local_date(moment)
    cal = get_calendar()
    until = cal.add_working_days(day, settings.TONGBAN_ALERT_HORIZON_WORKING_DAYS)
    result = SweepResult()
    for spec in KINDS:
        seen: set[int] = set()
        candidates = spec.candidates(spec.base(), until).order_by("pk")
        for cases in _chunks(candidates.iterator(chunk_size=CHUNK), CHUNK):
            _settle_chunk(spec=spec, cases=cases, today=day, now=moment, cal=cal, result=result)
            seen.update(c.pk for c in cases)
        # Open alerts whose case the query no longer found: moved on, or far away.
        stale = [
            case_id
            for case_id in Alert.objects.filter(
                kind=spec.kind, resolved_at__isnull=True
            ).values_list("case_id", flat=True)
            if case_id not in seen
        ]
        for ids in _chunks(stale, CHUNK):
            cases = list(spec.base().filter(pk__in=ids).order_by("pk"))
            _settle_chunk(spec=spec, cases=cases, today=day, now=moment, cal=cal, result=result)
    logger.info("supervision alerts sweep: %s", result.as_dict())
    return result
