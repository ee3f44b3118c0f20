"""Reads of the window service standards (首问责任, 纠错, 应进必进), scoped in SQL
(CONVENTIONS 5): "not yours" is "not found"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate

from tongban.appointments import errors
from tongban.appointments.models import ErrorReport, FirstQuestion, QuestionStatus, ReportStatus
from tongban.appointments.selectors import halls_in_scope
from tongban.cases.models import Case
from tongban.catalog.models import ServiceItem, ServiceItemStatus
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.org.models import Department, Hall, Role, StaffAssignment, Window
from tongban.org.selectors import StaffScope, scope_q, staff_scope_for

SUPERVISING_ROLES = (Role.SUPERVISOR, Role.PLATFORM_ADMIN)
BOARD_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_HEAD, Role.PLATFORM_ADMIN)
MAX_PERIOD_DAYS = 366


def questions_for_owner(*, staff: Any) -> QuerySet[FirstQuestion]:
    """Open questions the staff member owns, herself or through a department she is in,
    at the halls in her scope; the oldest due first."""
    departments = StaffAssignment.objects.filter(user_id=staff.pk, active=True).values(
        "department_id"
    )
    halls = halls_in_scope(staff_scope_for(user=staff)).values("pk")
    return (
        FirstQuestion.objects.filter(status=QuestionStatus.OPEN, hall__in=halls)
        .filter(Q(owner_id=staff.pk) | Q(owner__isnull=True, owner_department__in=departments))
        .select_related("hall", "window", "service_item", "owner", "owner_department")
        .order_by("due_on", "pk")
    )


def windows_of_halls(halls: list[Hall]) -> QuerySet[Window]:
    """The windows of halls already read in the caller's scope (``halls_in_scope``):
    where a first question may have been asked."""
    return (
        Window.objects.filter(hall__in=[h.pk for h in halls])
        .select_related("hall")
        .order_by("hall_id", "number")
    )


def questions_in_scope(
    scope: StaffScope, *, overdue_on: dt.date | None = None
) -> QuerySet[FirstQuestion]:
    """Open questions of the halls a supervisor oversees (only overdue ones when
    ``overdue_on`` is given: due before that day)."""
    halls = halls_in_scope(scope.for_roles(*BOARD_ROLES)).values("pk")
    rows = FirstQuestion.objects.filter(status=QuestionStatus.OPEN, hall__in=halls)
    if overdue_on is not None:
        rows = rows.filter(due_on__lt=overdue_on)
    return rows.select_related(
        "hall", "window", "service_item", "owner", "owner_department"
    ).order_by("due_on", "pk")


def question_get_in_scope(*, staff: Any, question_id: int) -> FirstQuestion:
    """One question of the halls in the staff member's scope (open or answered)."""
    halls = halls_in_scope(staff_scope_for(user=staff)).values("pk")
    found = (
        FirstQuestion.objects.filter(pk=question_id, hall__in=halls)
        .select_related("hall", "window", "service_item", "owner", "owner_department")
        .first()
    )
    if found is None:
        raise DomainError(errors.QUESTION_NOT_FOUND, "首问登记不存在，或不在您的大厅。")
    return found


def question_steps(question: FirstQuestion) -> list[Any]:
    return list(question.steps.select_related("actor", "to_owner", "to_department"))


def reports_in_scope(
    scope: StaffScope, *, status: str = "", overdue_on: dt.date | None = None
) -> QuerySet[ErrorReport]:
    """纠错 reports about the halls a supervisor oversees, the oldest due first."""
    halls = halls_in_scope(scope.for_roles(*SUPERVISING_ROLES)).values("pk")
    rows = ErrorReport.objects.filter(hall__in=halls)
    if status:
        rows = rows.filter(status=status)
    if overdue_on is not None:
        rows = rows.filter(status=ReportStatus.SUBMITTED, due_on__lt=overdue_on)
    return rows.select_related("hall", "window", "service_item").order_by("due_on", "pk")


def report_get_for_supervisor(*, scope: StaffScope, code: str) -> ErrorReport:
    found = reports_in_scope(scope).filter(code=(code or "")[:20]).first()
    if found is None:
        raise DomainError(errors.REPORT_NOT_FOUND, "纠错不存在，或不在您监督的大厅。")
    return found


def reports_of_reporter(*, user: Any) -> QuerySet[ErrorReport]:
    return (
        ErrorReport.objects.filter(reporter_id=user.pk)
        .select_related("hall", "window", "service_item")
        .order_by("-created_at", "-pk")
    )


def report_track(*, code: str, phone: str) -> ErrorReport | None:
    """A report by its code and the phone given with it (for a reporter not logged in)."""
    from tongban.appointments.services.error_reports import phone_token
    from tongban.core.identifiers import validate_mobile_phone

    try:
        number = validate_mobile_phone(phone)
    except DomainError:
        return None
    return (
        ErrorReport.objects.filter(code=(code or "").strip()[:20], phone_token=phone_token(number))
        .select_related("hall", "window", "service_item")
        .first()
    )


@dataclass(frozen=True)
class PresenceRow:
    """应进必进 for one department in a period."""

    department: Department
    items: int  # active items in the catalogue
    idle_items: int  # of which no case was received in the period
    cases: int  # cases received in the period
    late_cases: int  # of which registered on the platform after their decision

    @property
    def idle_share(self) -> float:
        return self.idle_items / self.items if self.items else 0.0


def presence_period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The period asked for; by default the last 30 days up to today."""
    today = clock.today()
    end = end or today
    start = start or end - dt.timedelta(days=29)
    if start > end:
        raise DomainError(
            errors.PERIOD_INVALID, "开始日期不能晚于结束日期。", fields=[{"field": "start"}]
        )
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise DomainError(
            errors.PERIOD_INVALID,
            f"统计期间不能超过 {MAX_PERIOD_DAYS} 天。",
            fields=[{"field": "start"}],
        )
    return start, end


def presence_by_department(*, staff: Any, start: dt.date, end: dt.date) -> list[PresenceRow]:
    """Items handled outside the hall and the platform, per department in the staff
    member's scope: catalogue items with no case in the period, and cases of the
    period registered only after their decision (补录). Three queries."""
    scope = staff_scope_for(user=staff).for_roles(*BOARD_ROLES)
    departments = list(
        Department.objects.filter(
            scope_q(scope=scope, region_path_field="region__path", department_field="pk")
        )
        .select_related("region")
        .order_by("region_id", "name")[:500]
    )
    ids = [d.pk for d in departments]
    in_period = Case.objects.filter(
        service_item=OuterRef("pk"), received_on__gte=start, received_on__lte=end
    )
    items: dict[int, dict[str, Any]] = {
        row["department"]: dict(row)
        for row in ServiceItem.objects.filter(department__in=ids, status=ServiceItemStatus.ACTIVE)
        .annotate(used=Exists(in_period))
        .values("department")
        .annotate(total=Count("pk"), idle=Count("pk", filter=Q(used=False)))
    }
    registered_on = TruncDate("created_at", tzinfo=clock.SHANGHAI)
    cases: dict[int, dict[str, Any]] = {
        row["department"]: dict(row)
        for row in Case.objects.filter(
            department__in=ids, received_on__gte=start, received_on__lte=end
        )
        .values("department")
        .annotate(
            total=Count("pk"),
            late=Count("pk", filter=Q(decided_on__isnull=False, decided_on__lt=registered_on)),
        )
    }
    rows = []
    for department in departments:
        i = items.get(department.pk, {})
        c = cases.get(department.pk, {})
        if not i and not c:
            continue
        rows.append(
            PresenceRow(
                department=department,
                items=i.get("total", 0),
                idle_items=i.get("idle", 0),
                cases=c.get("total", 0),
                late_cases=c.get("late", 0),
            )
        )
    rows.sort(key=lambda r: (-r.late_cases, -r.idle_share, r.department.name))
    return rows
