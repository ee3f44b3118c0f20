"""投资项目 in the portal (R-PL-7): one page per 投资项目代码 with every approval of
the project — single cases and 一件事 applications — with its status and clock.

Anyone sees the project, its stage and how many approvals are in each stage
(and each 一件事's members with results): no case or application number, date or
clock. The project's owner (项目单位, or an account authorized to act for it)
sees every case and application with its number and clock, each linked to
我的办件 and 我的一件事. Reads go through ``bundles.selectors``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tongban.appointments.officer_selectors import officers_for_project
from tongban.bundles import selectors as bundle_selectors
from tongban.bundles.models import ApplicationStatus, ProjectKind
from tongban.cases.models import CaseStatus
from tongban.core import clock
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError
from tongban.portal.case_views import PHASE_LABELS, _not_found

ALERT_LABELS = {"yellow": "黄色预警", "red": "红色预警"}


@require_GET
def project_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        view = bundle_selectors.project_get_public(code)
    except DomainError as exc:
        raise _not_found(exc) from None
    project = view.project
    owner = bundle_selectors.project_owned_by(user=request.user, project=project)
    context: dict[str, Any] = {
        "project": project,
        "kind_label": ProjectKind(project.kind).label
        if project.kind in ProjectKind.values
        else project.kind,
        "summary": bundle_selectors.project_summary(view),
        "assessments": bundle_selectors.zone_assessments(project),
        "today": clock.today(),
        "owner": owner,
        "officers": officers_for_project(project_id=project.pk, today=clock.today()),
    }
    if not owner:
        context["public_approvals"] = [
            (case, bundle_selectors.case_stage(case.status)[1]) for case in view.cases
        ]
        context["public_bundles"] = [
            (a, ApplicationStatus(a.status).label) for a in view.applications
        ]
        return render(request, "portal/projects/detail.html", context)
    today, cal = context["today"], get_calendar()
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
    context.update(approvals=approvals, bundles=bundles)
    return render(request, "portal/projects/detail.html", context)
