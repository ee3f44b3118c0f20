"""投资项目 in the workbench (R-PL-7): one page per 投资项目代码 with the
approvals of the project that the staff member may see — single cases and
一件事 applications — each with its status and clock.

Scoped in SQL by ``bundles.selectors.project_get_for_staff`` (CONVENTIONS 5):
the cases in the caller's region subtrees (and departments, where restricted)
and the bundle applications of the 一件事 desk; a project with nothing in
scope is 404, as one that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from tongban.appointments.officer_selectors import officers_for_project
from tongban.bundles import selectors as bundle_selectors
from tongban.bundles.identifiers import project_code_validate
from tongban.bundles.models import ApplicationStatus, ProjectKind
from tongban.cases.models import CaseStatus
from tongban.core import clock
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError
from tongban.workbench.access import staff_required
from tongban.workbench.case_views import ALERT_LABELS, PHASE_LABELS


@require_GET
@staff_required
def project_lookup(request: HttpRequest) -> HttpResponse:
    """按投资项目代码查看: the code typed on the 一件事 desk."""
    code = str(request.GET.get("code", "")).strip()
    try:
        code = project_code_validate(code)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("workbench:bundle_desk")
    return redirect("workbench:project", code=code)


@require_GET
@staff_required
def project_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        view = bundle_selectors.project_get_for_staff(user=request.user, code=code)
    except DomainError as exc:
        raise Http404(exc.detail) from None
    today, cal = clock.today(), get_calendar()
    approvals = [
        (
            row,
            CaseStatus(row.case.status).label,
            PHASE_LABELS.get(row.phase, ""),
            ALERT_LABELS.get(row.alert or "", ""),
        )
        for row in bundle_selectors.project_approvals(view, today, cal)
    ]
    bundles = []
    for application in view.applications:
        shown = bundle_selectors.application_clock(application, today, cal)
        bundles.append(
            (
                application,
                ApplicationStatus(application.status).label,
                shown,
                ALERT_LABELS.get(shown.alert or "", ""),
            )
        )
    project = view.project
    return render(
        request,
        "workbench/projects/detail.html",
        {
            "project": project,
            "kind_label": ProjectKind(project.kind).label
            if project.kind in ProjectKind.values
            else project.kind,
            "approvals": approvals,
            "bundles": bundles,
            "assessments": bundle_selectors.zone_assessments(project),
            "today": today,
            "officers": officers_for_project(project_id=project.pk, today=today),
        },
    )
