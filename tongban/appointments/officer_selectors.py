"""Reads of 首席服务官 and 一对一专办 (CONVENTIONS 5: staff reads scoped in SQL).

What the business sees in its space and the project page shows: the officers
serving today (active, and today within the period). What the officer sees:
her own assignments serving today, and the open cases of those businesses and
projects — selected by the assignment in SQL, never by a list built in Python.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from tongban.appointments.models import OfficerStatus, ServiceOfficer
from tongban.bundles.models import ProjectCase
from tongban.cases.models import OPEN_STATUSES, Case
from tongban.identity.selectors import legal_entities_for_user
from tongban.org.selectors import StaffScope, scope_q


def _serving(today: dt.date) -> Q:
    return Q(status=OfficerStatus.ACTIVE, starts_on__lte=today) & (
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )


def officers_for_business(*, credit_code: str, today: dt.date) -> list[ServiceOfficer]:
    """The officers serving a business today: its own and its projects' (one query)."""
    return list(
        ServiceOfficer.objects.filter(_serving(today), credit_code=credit_code)
        .select_related("officer", "department", "project")
        .order_by("kind", "project_id", "pk")[:20]
    )


def officers_for_project(*, project_id: int, today: dt.date) -> list[ServiceOfficer]:
    """The officers serving a key project today."""
    return list(
        ServiceOfficer.objects.filter(_serving(today), project_id=project_id)
        .select_related("officer", "department")
        .order_by("kind", "pk")[:10]
    )


def officer_assignments_in_scope(scope: StaffScope) -> QuerySet[ServiceOfficer]:
    """Assignments of the businesses and projects in an assigner's regions, active first."""
    return (
        ServiceOfficer.objects.filter(
            scope_q(scope=scope, region_path_field="region_path", department_field=None)
        )
        .select_related("officer", "department", "legal_entity", "project")
        .order_by("status", "-created_at", "-pk")
    )


def officers_for_user(*, user: Any, today: dt.date) -> list[ServiceOfficer]:
    """The officers serving today the businesses the account may act for (法定代表人 or
    经办人), and so their projects: selected by the account's authorizations in SQL."""
    codes = legal_entities_for_user(user=user).values("credit_code")
    return list(
        ServiceOfficer.objects.filter(_serving(today), credit_code__in=codes)
        .select_related("officer", "department", "project", "legal_entity")
        .order_by("credit_code", "kind", "project_id", "pk")[:100]
    )


def officer_assignment_in_scope(scope: StaffScope, assignment_id: int) -> ServiceOfficer | None:
    """One assignment of the assigner's regions, with its history; None when not hers."""
    return (
        officer_assignments_in_scope(scope)
        .prefetch_related("events__actor", "events__officer")
        .filter(pk=assignment_id)
        .first()
    )


def officer_assignments_for_officer(*, user: Any, today: dt.date) -> list[ServiceOfficer]:
    """The officer's own assignments serving today."""
    return list(
        ServiceOfficer.objects.filter(_serving(today), officer_id=getattr(user, "pk", None))
        .select_related("legal_entity", "project", "department")
        .order_by("kind", "pk")[:100]
    )


def open_cases_for_officer(*, user: Any, today: dt.date, limit: int = 200) -> list[Case]:
    """Open cases of the businesses and projects the officer serves today (two
    subqueries in one statement): cases applied for by a business she serves,
    and cases of a project she serves (its own approvals and its 一件事 members)."""
    mine = ServiceOfficer.objects.filter(_serving(today), officer_id=getattr(user, "pk", None))
    entities = mine.filter(legal_entity__isnull=False).values("legal_entity_id")
    projects = mine.filter(project__isnull=False).values("project_id")
    return list(
        Case.objects.filter(status__in=OPEN_STATUSES)
        .filter(
            Q(applicant_entity_id__in=entities)
            | Q(pk__in=ProjectCase.objects.filter(project_id__in=projects).values("case_id"))
            | Q(bundle_member__application__project_id__in=projects)
        )
        .select_related("service_item", "department", "applicant_entity")
        .order_by("decision_deadline", "received_at", "pk")[:limit]
    )
