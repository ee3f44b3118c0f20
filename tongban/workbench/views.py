"""The staff workbench (工作台). Only staff accounts may enter (DESIGN §8)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tongban.core import clock
from tongban.org.selectors import staff_scope_for
from tongban.supervision.instruction_alerts import instruction_counts_for_staff
from tongban.supervision.selectors import operations_tasks_for_staff
from tongban.workbench.selectors import ALL_DEPARTMENTS, staff_overview_for_staff

STAFF_ONLY = "工作台仅对政务服务工作人员开放。"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "kind", "") != "staff":
        raise PermissionDenied(STAFF_ONLY)
    overview = staff_overview_for_staff(user=request.user)
    today = clock.today()
    scope = staff_scope_for(user=request.user)
    tasks = operations_tasks_for_staff(user=request.user, today=today, scope=scope)
    return render(
        request,
        "workbench/home.html",
        {
            "overview": overview,
            "all_departments": ALL_DEPARTMENTS,
            "operations_tasks": tasks,
            "instructions": instruction_counts_for_staff(
                user=request.user, today=today, scope=scope
            ),
        },
    )
