"""Reads of case handling (CONVENTIONS 2 and 5).

Every staff read is filtered by the caller's data scope in SQL
(``org.selectors.scope_q``); every applicant read by the caller's own person
and the legal entities the account may act for. "Not yours" raises the same
``not_found`` as "does not exist", so a case number reveals nothing.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from tongban.cases import deadlines, workflow
from tongban.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseMaterial,
    CaseStatus,
    MaterialKind,
    queue_deadline_key,
)
from tongban.core import errors as core_errors
from tongban.core.api.pagination import Page, paginate
from tongban.core.calendar import WorkingCalendar, get_calendar
from tongban.core.errors import DomainError
from tongban.core.masking import mask_name
from tongban.identity.selectors import legal_entities_for_user
from tongban.org.models import Role
from tongban.org.selectors import StaffScope, scope_q, staff_scope_for

# Roles whose scope lets a staff member see the cases in it.
CASE_READ_ROLES = (
    Role.WINDOW_CLERK,
    Role.REVIEWER,
    Role.DEPARTMENT_HEAD,
    Role.SUPERVISOR,
    Role.PLATFORM_ADMIN,
)
# Roles that act on cases; supervisors and platform administrators only look.
CASE_HANDLE_ROLES = (Role.WINDOW_CLERK, Role.REVIEWER, Role.DEPARTMENT_HEAD)

# The window queue (窗口待办): applications waiting for 受理 / 不予受理 / 补正告知.
WINDOW_QUEUE_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.SUPPLEMENTED)

STAFF_QUEUE_ORDERING = ("deadline_key", "received_at", "id")
APPLICANT_ORDERING = ("-received_at", "-id")

NOT_FOUND_DETAIL = "未找到该办件"


def _not_found() -> DomainError:
    return DomainError(core_errors.NOT_FOUND, NOT_FOUND_DETAIL)


def _normalize_case_no(case_no: str) -> str:
    return (case_no or "").strip()[:40]


# --- staff --------------------------------------------------------------------


def _staff_cases(
    *, user: Any, roles: tuple[str, ...] = CASE_READ_ROLES, scope: StaffScope | None = None
) -> QuerySet[Case]:
    """The cases in the scope that ``roles`` give ``user`` (none for anyone else);
    ``scope`` when the caller has read it already."""
    scope = (scope if scope is not None else staff_scope_for(user=user)).for_roles(*roles)
    return Case.objects.filter(
        scope_q(scope=scope, region_path_field="region_path", department_field="department_id")
    )


def case_get_for_staff(*, user: Any, case_no: str, scope: StaffScope | None = None) -> Case:
    """A case in the staff user's scope (region subtree and departments), or ``not_found``."""
    case = (
        _staff_cases(user=user, scope=scope)
        .select_related("service_item", "department")
        .filter(case_no=_normalize_case_no(case_no))
        .first()
    )
    if case is None:
        raise _not_found()
    return case


def case_get_for_handler(*, user: Any, case_no: str) -> Case:
    """A case the staff user may act on.

    ``not_found`` when the case is outside every case role's scope;
    ``permission_denied`` when it is visible only through a role that looks and
    does not act (监察人员, 平台管理员).
    """
    return case_and_scope_for_handler(user=user, case_no=case_no)[0]


def case_and_scope_for_handler(*, user: Any, case_no: str) -> tuple[Case, StaffScope]:
    """:func:`case_get_for_handler` and the user's scope, read once: the caller
    hands the scope on to the service (``services.acting_in_scope``)."""
    scope = staff_scope_for(user=user)
    case = case_get_for_staff(user=user, case_no=case_no, scope=scope)
    # The same test as scope_q's, on the row already read.
    if not any(
        case.region_path.startswith(g.region_path)
        and (g.department_ids is None or case.department_id in g.department_ids)
        for g in scope.for_roles(*CASE_HANDLE_ROLES).grants
    ):
        raise DomainError(core_errors.PERMISSION_DENIED, "当前账号只能查看、不能办理该办件。")
    return case, scope


def case_list_for_staff(
    *,
    user: Any,
    status: str | None = None,
    q: str | None = None,
    window_queue: bool = False,
    include_closed: bool = False,
    cursor: str | None = None,
    limit: int = 20,
) -> Page[Case]:
    """The staff queue: the running clocks closest to their decision deadline first,
    then cases whose clock has not started; within each, the oldest receipt first.

    Only open cases (在办) unless ``include_closed`` or a ``status`` is given;
    ``window_queue`` keeps the applications waiting at the window (submitted,
    supplemented); ``q`` matches the start of the case number or part of the
    applicant's name. Keyset pages; the table is never counted.
    """
    qs = _staff_cases(user=user)
    if window_queue:
        qs = qs.filter(status__in=WINDOW_QUEUE_STATUSES)
    if status:
        qs = qs.filter(status=status)
    elif not (window_queue or include_closed):
        qs = qs.filter(status__in=OPEN_STATUSES)
    text = (q or "").strip()
    if text:
        qs = qs.filter(Q(case_no__startswith=text) | Q(applicant_name__icontains=text))
    qs = (
        qs.annotate(deadline_key=queue_deadline_key())
        .select_related("service_item")
        .prefetch_related("suspensions")
    )
    return paginate(qs, ordering=STAFF_QUEUE_ORDERING, cursor=cursor, limit=limit)


# --- applicants ---------------------------------------------------------------


def _applicant_cases(*, user: Any) -> QuerySet[Case]:
    """Cases of the account's own person, or of a legal entity it may act for."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    # The entity ids as a list, not a subquery: "person = x OR entity IN (1, 2)"
    # is two index scans, while "OR entity IN (SELECT …)" reads the whole table.
    entity_ids = list(legal_entities_for_user(user=user).values_list("id", flat=True))
    mine = Q(applicant_entity_id__in=entity_ids) if entity_ids else Q(pk__in=[])
    # A NULL person must never match: "applicant_person IS NULL" is every entity's case.
    if user.person_id is not None:
        mine |= Q(applicant_person_id=user.person_id)
    return Case.objects.filter(mine)


def case_get_for_applicant(*, user: Any, case_no: str) -> Case:
    """The applicant's own case (or their legal entity's), or ``not_found``."""
    case = (
        _applicant_cases(user=user)
        .select_related("service_item", "department")
        .filter(case_no=_normalize_case_no(case_no))
        .first()
    )
    if case is None:
        raise _not_found()
    return case


def case_list_for_applicant(*, user: Any, cursor: str | None = None, limit: int = 20) -> Page[Case]:
    """我的办件: the account's cases, newest first (keyset pages)."""
    qs = _applicant_cases(user=user).select_related("service_item").prefetch_related("suspensions")
    return paginate(qs, ordering=APPLICANT_ORDERING, cursor=cursor, limit=limit)


# --- history and clock --------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    action: str
    action_label: str
    from_status: str
    to_status: str
    to_status_label: str
    actor_label: str
    reason: str
    details: dict[str, Any] = field(default_factory=dict)
    # The actor as a person in a role, for pages (:func:`timeline_actor_names`).
    actor_name: str = ""


def _status_label(value: str) -> str:
    return CaseStatus(value).label if value in CaseStatus.values else value


def case_timeline(case: Case, *, named: bool = False) -> list[TimelineEntry]:
    """Every history row of the case in order, with Chinese action labels; with
    ``named``, each actor also as a person in a role (:func:`timeline_actor_names`)."""
    events = list(case.events.all())
    names = timeline_actor_names(case, events) if named else {}
    return [
        TimelineEntry(
            at=event.at,
            action=event.action,
            action_label=workflow.ACTION_LABELS.get(event.action, event.action),
            from_status=event.from_status,
            to_status=event.to_status,
            to_status_label=_status_label(event.to_status) if event.to_status else "",
            actor_label=event.actor_label,
            reason=event.reason,
            details=dict(event.details or {}),
            actor_name=names.get(event.pk, ""),
        )
        for event in events
    ]


# History rows that are the platform's bookkeeping, not a step of the
# application: a recomputed deadline is shown to the applicant as the new date
# on the case page, not as a row of its own.
INTERNAL_ACTIONS = frozenset({"deadline_change"})


def case_timeline_for_staff(case: Case) -> list[TimelineEntry]:
    """The whole history, each actor named as a person in a role."""
    return case_timeline(case, named=True)


def case_timeline_for_applicant(case: Case) -> list[TimelineEntry]:
    """What the applicant is told of the history: the steps that concern them
    (no internal bookkeeping such as deadline recomputations), named as on
    the staff page."""
    return [
        entry for entry in case_timeline(case, named=True) if entry.action not in INTERNAL_ACTIONS
    ]


# How a role is named next to a person in a history ("南京市市场监督管理局 窗口 王*").
ROLE_SHORT_LABELS: dict[str, str] = {
    Role.WINDOW_CLERK: "窗口",
    Role.REVIEWER: "审批",
    Role.DEPARTMENT_HEAD: "负责人",
    Role.SUPERVISOR: "监察",
    Role.PLATFORM_ADMIN: "平台管理",
}
SYSTEM_LABEL = "系统（自动）"


def timeline_actor_names(case: Case, events: list[Any]) -> dict[int, str]:
    """Each history row's actor as a person in a role, never an account id:
    staff as "部门 岗位 姓*" (the department and role they acted in on this
    case), the applicant's own account as "申请人 姓*", the scheduler as
    "系统（自动）". Two queries, whatever the number of rows."""
    from tongban.identity.models import User
    from tongban.org.models import StaffAssignment

    ids = {event.actor_id for event in events if event.actor_id}
    users = {u.pk: u for u in User.objects.filter(pk__in=ids).only("kind", "display_name")}
    assignments: dict[int, list[StaffAssignment]] = {}
    for a in (
        StaffAssignment.objects.filter(user_id__in=ids)
        .select_related("department")
        .order_by("-active", "id")
    ):
        assignments.setdefault(a.user_id, []).append(a)
    names: dict[int, str] = {}
    for event in events:
        user = users.get(event.actor_id) if event.actor_id else None
        if user is None:
            names[event.pk] = SYSTEM_LABEL if event.actor_label.startswith("system") else ""
            continue
        person = mask_name(user.display_name) or "工作人员"
        if user.kind != "staff":
            names[event.pk] = f"申请人 {person}"
            continue
        mine = assignments.get(user.pk, [])
        roles = workflow.ACTION_ROLES.get(event.action, workflow.ANY_HANDLER)
        chosen = (
            next(
                (a for a in mine if a.department_id == case.department_id and a.role in roles), None
            )
            or next((a for a in mine if a.department_id == case.department_id), None)
            or next(iter(mine), None)
        )
        if chosen is None:
            names[event.pk] = f"工作人员 {person}"
            continue
        department = chosen.department.short_name or chosen.department.name
        role = ROLE_SHORT_LABELS.get(chosen.role, chosen.get_role_display())
        names[event.pk] = f"{department} {role} {person}"
    return names


@dataclass(frozen=True)
class CaseClock:
    """Where the case's statutory clock stands on ``today``.

    ``phase`` is ``acceptance`` (受理期限, 第三十二条), ``decision`` (办结期限,
    第四十二条), ``delivery`` (送达期限, 第四十四条) or ``none`` (no clock runs:
    awaiting a supplement, delivered, or closed).
    """

    phase: str
    deadline: dt.date | None
    working_days_left: int | None
    alert: deadlines.AlertLevel | None
    stopped: bool = False


_NO_CLOCK = CaseClock(phase="none", deadline=None, working_days_left=None, alert=None)


def _suspensions(case: Case) -> list[deadlines.Suspension]:
    return [deadlines.Suspension(s.start_on, s.end_on, s.reason) for s in case.suspensions.all()]


def _decision_deadline_on(
    case: Case,
    start: dt.date,
    suspensions: list[deadlines.Suspension],
    today: dt.date,
    cal: WorkingCalendar,
) -> dt.date:
    limit = case.rules["promised_limit"]
    rule = deadlines.TimeRule(limit["value"], limit["unit"])
    extension = (
        deadlines.TimeRule(case.extension_days, limit["unit"]) if case.extension_days else None
    )
    return deadlines.decision_deadline(start, rule, suspensions, extension, cal, today=today)


def case_clock(case: Case, today: dt.date, *, cal: WorkingCalendar | None = None) -> CaseClock:
    """Working days left and the alert tier (行政许可法 第八十二条, 第四十五条).

    Suspended days count neither way; the thresholds are the settings
    ``TONGBAN_ALERT_YELLOW_SHARE`` and ``TONGBAN_ALERT_YELLOW_DAYS_LEFT``.
    """
    status = case.status
    suspensions: list[deadlines.Suspension] = []
    if status in workflow.TERMINAL or status in (
        CaseStatus.SUPPLEMENT_REQUESTED,
        CaseStatus.DELIVERED,
    ):
        return _NO_CLOCK
    if status == CaseStatus.DECIDED:
        phase, deadline, start = "delivery", case.delivery_deadline, case.decided_on
    elif case.decision_deadline is not None:
        phase, deadline = "decision", case.decision_deadline
        start = deadlines.clock_start(
            case.received_on,
            case.supplement_requested_on,
            case.supplement_completed_on,
            case.accepted_on,
            deemed=case.deemed_accepted,
        )
        suspensions = _suspensions(case)
    elif status == CaseStatus.SUBMITTED:
        phase, deadline, start = "acceptance", case.acceptance_deadline, case.received_on
    else:
        return _NO_CLOCK
    if deadline is None:
        return _NO_CLOCK
    calendar = cal or get_calendar()
    stopped = status == CaseStatus.SUSPENDED
    try:
        if start is not None and any(s.end is None for s in suspensions):
            # The stored deadline assumed the clock would resume the day after it
            # was stored; while the suspension lasts, it moves on (第四十五条).
            deadline = _decision_deadline_on(case, start, suspensions, today, calendar)
        left = deadlines.working_days_left(deadline, today, suspensions, calendar)
        alert = deadlines.alert_level(
            deadline,
            today,
            start or case.received_on,
            suspensions,
            calendar,
            yellow_share=settings.TONGBAN_ALERT_YELLOW_SHARE,
            yellow_days_left=settings.TONGBAN_ALERT_YELLOW_DAYS_LEFT,
        )
    except DomainError:
        # A year without calendar data between the deadline and today: the
        # dates stand, the count cannot be made (the admin is warned elsewhere).
        return CaseClock(phase=phase, deadline=deadline, working_days_left=None, alert=None)
    return CaseClock(
        phase=phase, deadline=deadline, working_days_left=left, alert=alert, stopped=stopped
    )


# --- public tracking ----------------------------------------------------------


@dataclass(frozen=True)
class TrackingStep:
    at: dt.datetime
    action_label: str
    status: str
    status_label: str


@dataclass(frozen=True)
class TrackingView:
    """What anyone holding the case number and its 查询码 may see: no staff, no
    reasons, the name masked. ``full`` is False for a look-up by the
    applicant's last ID digits: no item and no steps then."""

    case_no: str
    applicant_name_masked: str
    item_name: str
    status: str
    status_label: str
    received_on: dt.date
    decision_deadline: dt.date | None
    timeline: list[TrackingStep]
    full: bool = True


def case_track_public(
    *, case_no: str, code: str | None = None, id_last4: str | None = None
) -> TrackingView:
    """办件查询 without login: the case number and its 查询码 (the whole view),
    or a person applicant's last four ID characters (a reduced view: the status
    and dates, not the item or the steps).

    A wrong code, wrong digits and an unknown number give the same ``not_found``.
    """
    case = (
        Case.objects.select_related("service_item", "applicant_person")
        .filter(case_no=_normalize_case_no(case_no))
        .first()
    )
    full = _code_matches(case, code)
    if case is None or not (full or _last4_matches(case, id_last4)):
        raise _not_found()
    steps = [
        TrackingStep(
            at=event.at,
            action_label=workflow.ACTION_LABELS.get(event.action, event.action),
            status=event.to_status,
            status_label=_status_label(event.to_status),
        )
        for event in case.events.exclude(to_status="").only("at", "action", "to_status")
    ]
    return TrackingView(
        case_no=case.case_no,
        applicant_name_masked=mask_name(case.applicant_name),
        item_name=case.service_item.name if full else "",
        status=case.status,
        status_label=_status_label(case.status),
        received_on=case.received_on,
        decision_deadline=case.decision_deadline,
        timeline=steps if full else [],
        full=full,
    )


def _code_matches(case: Case | None, code: str | None) -> bool:
    given = "".join((code or "").split()).upper()
    if case is None or not case.tracking_code or len(given) != len(case.tracking_code):
        return False
    return hmac.compare_digest(given, case.tracking_code)


def _last4_matches(case: Case | None, last4: str | None) -> bool:
    """The last four characters of a person applicant's ID number: the masked
    copy keeps them, so nothing is decrypted."""
    given = (last4 or "").strip().upper()
    if case is None or case.applicant_person is None or len(given) != 4:
        return False
    return hmac.compare_digest(given, case.applicant_person.id_number_masked[-4:].upper())


# --- usage, for search ranking ------------------------------------------------


def case_counts_by_basic_item(*, since: dt.datetime) -> dict[int, int]:
    """Cases received since ``since`` per basic item (every region, every
    channel): the usage signal of catalogue search (docs/catalog.md)."""
    from django.db.models import Count

    rows = (
        Case.objects.filter(received_at__gte=since)
        .values("service_item__basic_item_id")
        .annotate(n=Count("id"))
        .values_list("service_item__basic_item_id", "n")
    )
    return {int(basic): int(n) for basic, n in rows}


# --- figures ----------------------------------------------------------------------


@dataclass(frozen=True)
class ExemptionFigure:
    """两个免于提交 per service item: materials the applicants did not submit."""

    implementation_code: str
    item_name: str
    department_name: str
    cases: int
    exempted: int  # materials provided from government data

    @property
    def per_case(self) -> float:
        return round(self.exempted / self.cases, 2) if self.cases else 0.0


def exemption_figures_for_staff(*, user: Any, limit: int = 200) -> list[ExemptionFigure]:
    """Materials exempted per case, by item and department, in the caller's
    scope (scoped in SQL; two grouped queries)."""
    cases = _staff_cases(user=user)
    counts = {
        row["service_item"]: row
        for row in cases.values(
            "service_item",
            "service_item__implementation_code",
            "service_item__name",
            "department__name",
        ).annotate(n=Count("id"))[:limit]
    }
    exempted = dict(
        CaseMaterial.objects.filter(
            case__in=cases.filter(service_item__in=list(counts)),
            kind=MaterialKind.GOVERNMENT_DATA,
        )
        .values("case__service_item")
        .annotate(n=Count("id"))
        .values_list("case__service_item", "n")
    )
    figures = [
        ExemptionFigure(
            implementation_code=row["service_item__implementation_code"],
            item_name=row["service_item__name"],
            department_name=row["department__name"],
            cases=row["n"],
            exempted=exempted.get(item_id, 0),
        )
        for item_id, row in counts.items()
    ]
    return sorted(figures, key=lambda f: (-f.per_case, f.item_name))
