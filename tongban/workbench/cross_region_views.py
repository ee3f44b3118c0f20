"""同城通办 and 异地代办 in the workbench (issue 16, item 5): the figures per taking
hall and per owning department over a period, and the cases the caller's halls
took for other regions with their status, read-only (the owning department
decides them on its own queue). Scoped in SQL by
``appointments.cross_region_selectors``."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tongban.appointments.cross_region_selectors import (
    cases_taken_for_others,
    cross_region_figures,
)
from tongban.appointments.selectors import STAFF_ROLES
from tongban.cases.models import CaseStatus
from tongban.core import clock
from tongban.org.selectors import staff_scope_for
from tongban.workbench.access import staff_required

MAX_DAYS = 366


def _day(raw: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        return default


@staff_required
@require_GET
def cross_region_board(request: HttpRequest) -> HttpResponse:
    scope = staff_scope_for(user=request.user).for_roles(*STAFF_ROLES)
    if scope.is_empty:
        raise PermissionDenied("通办统计仅对窗口人员、部门负责人和监察人员开放。")
    today = clock.today()
    end = min(_day(request.GET.get("to", ""), today), today)
    start = _day(request.GET.get("from", ""), end.replace(day=1))
    error = ""
    if start > end or (end - start).days > MAX_DAYS:
        error = f"统计期间须为开始不晚于结束、且不超过 {MAX_DAYS} 天。"
        start = end.replace(day=1)
    taken, received = cross_region_figures(scope=scope, start=start, end=end)
    cases = cases_taken_for_others(scope=scope)
    return render(
        request,
        "workbench/cross_region.html",
        {
            "start": start,
            "end": end,
            "error": error,
            "taken": taken,
            "received": received,
            "cases": [(c, CaseStatus(c.status).label) for c in cases],
        },
        status=422 if error else 200,
    )
