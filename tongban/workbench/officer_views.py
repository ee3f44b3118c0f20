"""首席服务官 and 一对一专办 in the workbench (issue 16, item 5).

``/workbench/officers/``: a supervisor or a hall's head assigns an officer to a
business or a key project, reassigns (with a note) and ends; the list is of
the businesses and projects in her regions (``officer_assignments_in_scope``).
``/workbench/officers/mine/``: the officer's own businesses and projects and
their open cases (``open_cases_for_officer``, selected by her assignments in
SQL). Thin (CONVENTIONS 2): each write is one ``appointments.services.officers``
call; a refusal re-renders the page with the error's status and message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from tongban.appointments import errors, officer_selectors
from tongban.appointments.models import OfficerKind
from tongban.appointments.services.officers import (
    assigner_scope,
    service_officer_assign,
    service_officer_end,
    service_officer_reassign,
)
from tongban.cases.models import CaseStatus
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.workbench.access import staff_required


def _number(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _day(raw: str, field: str) -> dt.date | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise DomainError(
            errors.OFFICER_INVALID,
            "日期格式应为 年-月-日，例如 2027-06-30。",
            fields=[{"field": field}],
        ) from None


def _act(request: HttpRequest, staff: Any) -> str:
    """One write by the posted action; the success message."""
    post = request.POST
    action = post.get("action", "")
    row_id = _number(post.get("assignment", "")) or 0
    version = _number(post.get("version", ""))
    if action == "assign":
        row = service_officer_assign(
            staff=staff,
            kind=post.get("kind", ""),
            officer=post.get("officer", ""),
            phone=post.get("phone", "")[:40],
            office=post.get("office", "")[:200],
            duties=post.get("duties", "")[:400],
            credit_code=post.get("credit_code", "")[:40],
            project_code=post.get("project_code", "")[:40],
            starts_on=_day(post.get("starts_on", ""), "starts_on"),
            ends_on=_day(post.get("ends_on", ""), "ends_on"),
        )
        return f"已指派 {row.officer.display_name} 为{row.get_kind_display()}。"
    if action == "reassign":
        row = service_officer_reassign(
            staff=staff,
            assignment_id=row_id,
            officer=post.get("officer", ""),
            note=post.get("note", "")[:400],
            phone=post.get("phone", "")[:40],
            expected_version=version,
        )
        return f"已改派 {row.officer.display_name}。"
    if action == "end":
        service_officer_end(
            staff=staff,
            assignment_id=row_id,
            note=post.get("note", "")[:400],
            expected_version=version,
        )
        return "指派已结束。"
    raise DomainError(errors.OFFICER_INVALID, "未知的操作。")


@staff_required
@require_http_methods(["GET", "POST"])
def officers_manage(request: HttpRequest) -> HttpResponse:
    staff: Any = request.user
    scope = assigner_scope(staff)
    if scope.is_empty:
        raise PermissionDenied("只有监察人员或大厅负责人可以指派服务专员。")
    status, error = 200, None
    if request.method == "POST":
        try:
            messages.success(request, _act(request, staff))
            return redirect("workbench:officers")
        except DomainError as exc:
            status, error = exc.status, exc
    rows = list(officer_selectors.officer_assignments_in_scope(scope)[:200])
    return render(
        request,
        "workbench/officers/manage.html",
        {
            "rows": rows,
            "kinds": OfficerKind.choices,
            "error": error,
            "posted": request.POST if error else {},
            "today": clock.today(),
        },
        status=status,
    )


@staff_required
@require_GET
def officers_mine(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    assignments = officer_selectors.officer_assignments_for_officer(user=request.user, today=today)
    cases = (
        officer_selectors.open_cases_for_officer(user=request.user, today=today)
        if assignments
        else []
    )
    return render(
        request,
        "workbench/officers/mine.html",
        {
            "assignments": assignments,
            "cases": [(c, CaseStatus(c.status).label) for c in cases],
        },
    )
