"""The lead department's alerts (issue 11 #5): one sweep over the open 一件事.

For every application in progress or ready for 窗口统一出件 it keeps one open
:class:`BundleAlert` per clock in step, as ``supervision.services.alerts_sweep``
does for single cases: raise, upgrade (yellow → red), downgrade, resolve.

* the bundle's own: its promised deadline (承诺办结期限) while members run
  (``selectors.application_clock``);
* each member: the clock its case runs on (``cases.selectors.case_clock``:
  acceptance, decision, or delivery — which waits on the bundle's deadline);

on the desk of every lead department of the bundle, and a member's also on its
own department's (the cooperating department handling it): the alert's
``BundleAlertRecipient`` rows, kept in step by the sweep. The tiers are those of
``cases.deadlines.alert_level``, with the same settings. Each raise,
level change and resolution is an audit event; a pass that finds nothing
changed writes nothing. An application that closed has its alerts resolved.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Prefetch

from tongban.bundles.models import (
    ApplicationStatus,
    BundleAlert,
    BundleAlertRecipient,
    BundleApplication,
    BundleMember,
    MemberStatus,
)
from tongban.bundles.selectors import application_clock
from tongban.bundles.services._common import audit
from tongban.cases.deadlines import AlertLevel
from tongban.cases.models import CaseStatus
from tongban.cases.selectors import case_clock
from tongban.core import clock
from tongban.core.calendar import WorkingCalendar, get_calendar
from tongban.core.errors import DomainError

logger = logging.getLogger(__name__)

OPEN = (ApplicationStatus.IN_PROGRESS, ApplicationStatus.READY)
PHASE_LABELS = {
    "bundle": "一件事承诺办结期限",
    "acceptance": "受理期限",
    "decision": "办结期限",
    "delivery": "统一出件期限",
}
CHUNK = 500
ACTOR = None  # the scheduler: "system" in the audit log


@dataclass
class BundleSweepResult:
    examined: int = 0
    raised: int = 0
    changed: int = 0
    resolved: int = 0
    failed: int = 0


@dataclass(frozen=True)
class _Due:
    member: BundleMember | None  # None: the bundle's own clock
    phase: str
    deadline: dt.date
    working_days_left: int
    level: str


@dataclass
class _Pass:
    today: dt.date
    now: dt.datetime
    cal: WorkingCalendar
    result: BundleSweepResult = field(default_factory=BundleSweepResult)


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def alert_text(due: _Due) -> str:
    """E.g. “公章刻制备案：已超过办结期限（2026年11月5日）1 个工作日”."""
    label = PHASE_LABELS.get(due.phase, due.phase)
    if due.working_days_left < 0:
        text = f"已超过{label}（{_cn_date(due.deadline)}）{-due.working_days_left} 个工作日"
    elif due.working_days_left == 0:
        text = f"今日为{label}（{_cn_date(due.deadline)}）最后一日"
    else:
        text = f"距{label}（{_cn_date(due.deadline)}）还剩 {due.working_days_left} 个工作日"
    return f"{due.member.name}：{text}" if due.member is not None else text


def _due(application: BundleApplication, sweep: _Pass) -> list[_Due]:
    found: list[_Due] = []
    own = application_clock(application, sweep.today, sweep.cal)
    if own.alert and own.deadline is not None and own.working_days_left is not None:
        found.append(_Due(None, "bundle", own.deadline, own.working_days_left, own.alert))
    for member in application.members.all():
        case = member.case
        waiting = member.status == MemberStatus.RESULT and case is not None
        if case is None or not (
            member.status == MemberStatus.RUNNING or (waiting and case.status == CaseStatus.DECIDED)
        ):
            continue
        shown = case_clock(case, sweep.today, cal=sweep.cal)
        if (
            shown.alert is None
            or shown.alert == AlertLevel.NONE
            or shown.deadline is None
            or shown.working_days_left is None
        ):
            continue
        found.append(
            _Due(member, shown.phase, shown.deadline, shown.working_days_left, shown.alert.value)
        )
    return found


def _audit(alert: BundleAlert, action: str, now: dt.datetime, **details: object) -> None:
    audit(
        actor=ACTOR,
        action=f"bundle_alert.{action}",
        object_type="bundle_alert",
        object_id=str(alert.pk),
        details={
            "application_no": alert.application.application_no,
            "member": alert.member_key,
            "level": alert.level,
            "deadline": alert.deadline.isoformat(),
            **details,
        },
        now=now,
    )


def _resolve(alert: BundleAlert, reason: str, sweep: _Pass) -> None:
    with transaction.atomic():
        alert.resolved_at = sweep.now
        alert.resolution = reason
        alert.save(update_fields=["resolved_at", "resolution"])
        _audit(alert, "resolved", sweep.now, resolution=reason)
    sweep.result.resolved += 1


def _recipients(due: _Due, leads: list[int]) -> dict[int, bool]:
    """The desks of one alert: department → whether it leads the bundle."""
    desks = dict.fromkeys(leads, True)
    if due.member is not None:
        desks.setdefault(due.member.department_id, False)
    return desks


def _deliver(alert: BundleAlert, desks: dict[int, bool], fresh: bool) -> None:
    """Keep the alert's recipients equal to ``desks`` (writes only a difference)."""
    have = {} if fresh else {r.department_id: r for r in alert.recipients.all()}
    missing = [
        BundleAlertRecipient(alert=alert, department_id=d, lead=lead)
        for d, lead in desks.items()
        if d not in have
    ]
    if missing:
        BundleAlertRecipient.objects.bulk_create(missing, ignore_conflicts=True)
    gone = [r.pk for d, r in have.items() if d not in desks]
    if gone:
        BundleAlertRecipient.objects.filter(pk__in=gone).delete()
    for d, r in have.items():
        if d in desks and r.lead != desks[d]:
            BundleAlertRecipient.objects.filter(pk=r.pk).update(lead=desks[d])


def _settle(application: BundleApplication, leads: list[int], sweep: _Pass) -> None:
    dues = {(d.member.key if d.member else ""): d for d in _due(application, sweep)}
    open_alerts = {a.member_key: a for a in getattr(application, "open_alerts", [])}
    for key, stale in open_alerts.items():
        if key not in dues:
            _resolve(stale, "已进入下一环节或距期限尚远，预警解除", sweep)
    for key, due in dues.items():
        message = alert_text(due)[:300]
        desks = _recipients(due, leads)
        alert = open_alerts.get(key)
        if alert is None:
            try:
                with transaction.atomic():
                    alert = BundleAlert.objects.create(
                        application=application,
                        member_key=key,
                        member_name=due.member.name if due.member else "",
                        case_no=due.member.case.case_no if due.member and due.member.case else "",
                        phase=due.phase,
                        level=due.level,
                        deadline=due.deadline,
                        working_days_left=due.working_days_left,
                        message=message,
                        region_path=application.region_path,
                        department_id=leads[0],
                        raised_at=sweep.now,
                        level_changed_at=sweep.now,
                    )
                    _deliver(alert, desks, fresh=True)
                    _audit(alert, "raised", sweep.now, recipients=sorted(desks))
            except IntegrityError:
                continue  # another sweep raised it first (the partial unique constraint)
            sweep.result.raised += 1
            continue
        _deliver(alert, desks, fresh=False)
        now_shown = (due.level, due.phase, due.deadline, due.working_days_left, message)
        if now_shown == (
            alert.level,
            alert.phase,
            alert.deadline,
            alert.working_days_left,
            alert.message,
        ):
            continue
        previous = alert.level
        alert.level, alert.phase, alert.deadline = due.level, due.phase, due.deadline
        alert.working_days_left, alert.message = due.working_days_left, message
        fields = ["level", "phase", "deadline", "working_days_left", "message"]
        with transaction.atomic():
            if previous != due.level:
                alert.level_changed_at = sweep.now
                fields.append("level_changed_at")
                _audit(alert, "level_changed", sweep.now, previous_level=previous)
                sweep.result.changed += 1
            alert.save(update_fields=fields)


def bundle_alerts_sweep(
    *, today: dt.date | None = None, now: dt.datetime | None = None
) -> BundleSweepResult:
    """One pass over every open application; idempotent on the same day."""
    moment = now or clock.now()
    sweep = _Pass(today=today or clock.local_date(moment), now=moment, cal=get_calendar())
    # Alerts of applications that closed since the last pass.
    for alert in (
        BundleAlert.objects.filter(resolved_at__isnull=True)
        .exclude(application__status__in=OPEN)
        .select_related("application")
    ):
        _resolve(alert, "一件事已办结、终止或撤回", sweep)
    applications = (
        BundleApplication.objects.filter(status__in=OPEN)
        .select_related("bundle")
        .prefetch_related(
            "members__case__suspensions",
            "bundle__lead_departments",
            Prefetch(
                "alerts",
                queryset=BundleAlert.objects.filter(resolved_at__isnull=True).prefetch_related(
                    "recipients"
                ),
                to_attr="open_alerts",
            ),
        )
        .order_by("id")
    )
    for application in applications.iterator(chunk_size=CHUNK):
        sweep.result.examined += 1
        leads = sorted(d.pk for d in application.bundle.lead_departments.all())
        if not leads:
            member = next(iter(application.members.all()), None)
            leads = [member.department_id] if member is not None else []
        if not leads:
            continue
        try:
            _settle(application, leads, sweep)
        except DomainError as exc:
            # e.g. calendar_year_unavailable: one application must not stop the sweep.
            sweep.result.failed += 1
            logger.warning("alerts of %s not settled: %s", application.application_no, exc)
    return sweep.result
