"""上门服务 and 帮办代办 at the hall (issue 16): the open requests of the halls in the
staff member's scope (scoped in SQL, ``appointments.request_selectors``); assign a
window clerk, complete with the case taken in, or decline with the reason.
Thin (CONVENTIONS 2): each write is one ``appointments.services.requests`` call."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tongban.appointments import request_selectors
from tongban.appointments.services.requests import (
    service_request_assign,
    service_request_complete,
    service_request_decline,
)
from tongban.core.errors import DomainError
from tongban.core.masking import mask_name
from tongban.org.selectors import staff_scope_for
from tongban.workbench.access import staff_required


def _number(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@staff_required
@require_http_methods(["GET", "POST"])
def hall_requests(request: HttpRequest) -> HttpResponse:
    staff: Any = request.user
    if request.method == "POST":
        action = request.POST.get("action", "")
        request_id = _number(request.POST.get("request", "")) or 0
        version = _number(request.POST.get("version", ""))
        try:
            if action == "assign":
                done = service_request_assign(
                    request_id=request_id,
                    staff=staff,
                    clerk_id=_number(request.POST.get("clerk", "")) or 0,
                    expected_version=version,
                )
                clerk = getattr(done.clerk, "display_name", "")
                messages.success(request, f"{done.code} 已指派给 {clerk}。")
            elif action == "complete":
                done = service_request_complete(
                    request_id=request_id,
                    clerk=staff,
                    note=request.POST.get("note", "")[:500],
                    case_no=request.POST.get("case_no", "")[:40],
                    expected_version=version,
                )
                messages.success(request, f"{done.code} 已办结。")
            elif action == "decline":
                done = service_request_decline(
                    request_id=request_id,
                    staff=staff,
                    reason=request.POST.get("reason", "")[:600],
                    expected_version=version,
                )
                messages.success(request, f"{done.code} 已不予办理，理由已告知申请人。")
        except DomainError as exc:
            messages.error(request, exc.detail)
        return redirect("workbench:hall_requests")
    scope = staff_scope_for(user=staff)
    rows = list(request_selectors.requests_in_scope(scope)[:200])
    clerks: dict[int, list[Any]] = {}
    for row in rows:
        if row.hall_id not in clerks:
            clerks[row.hall_id] = list(request_selectors.clerks_for_hall(row.hall)[:50])
    return render(
        request,
        "workbench/hall_requests.html",
        {
            "rows": [
                {
                    "r": r,
                    "person": mask_name(getattr(r.person, "display_name", "") or ""),
                    "clerks": clerks[r.hall_id],
                    "mine": r.clerk_id == staff.pk,
                }
                for r in rows
            ]
        },
    )
