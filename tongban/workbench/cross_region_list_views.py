"""A hall's 通办 list in the workbench (issue 16, item 5): the hall's supervisor, the
centre's head or a platform admin picks one of the halls in her scope, finds other
regions' published items by name or 实施编码 and adds them (受理办理 or 收件转交), or
takes them off. Reads are scoped in SQL (``cross_region_selectors.managed_halls``);
each write is one ``appointments.services.cross_region`` call, audited there; a
refusal re-renders the page with its status and Chinese message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from tongban.appointments.cross_region_selectors import (
    LIST_ROLES,
    managed_halls,
    remote_candidates,
    remote_items_for_hall,
)
from tongban.appointments.errors import CROSS_REGION_ITEM_INVALID
from tongban.appointments.models import PointHandling
from tongban.appointments.services.cross_region import (
    cross_region_item_add,
    cross_region_item_remove,
)
from tongban.core.errors import DomainError
from tongban.org.selectors import staff_scope_for
from tongban.workbench.access import staff_required

MAX_HALLS = 500


def _number(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _act(request: HttpRequest, hall_id: int) -> str:
    post = request.POST
    action = post.get("action", "")
    if action == "add":
        row, added = cross_region_item_add(
            staff=request.user,
            hall_id=hall_id,
            item_code=post.get("item", "")[:40],
            handling=post.get("handling", "")[:10] or PointHandling.COLLECT,
        )
        name = row.service_item.name
        return f"已将“{name}”列入通办事项。" if added else f"“{name}”已在通办事项中。"
    if action == "remove":
        item = cross_region_item_remove(
            staff=request.user, hall_id=hall_id, item_id=_number(post.get("item", "")) or 0
        )
        return f"已将“{item.name}”移出通办事项；已收件的办件不受影响。"
    raise DomainError(CROSS_REGION_ITEM_INVALID, "没有该操作。")


@staff_required
@require_http_methods(["GET", "POST"])
def cross_region_list(request: HttpRequest) -> HttpResponse:
    scope = staff_scope_for(user=request.user)
    if not scope.has_role(*LIST_ROLES):
        raise PermissionDenied("只有大厅的监察人员、中心负责人或平台管理员可以维护通办事项。")
    halls = list(managed_halls(scope).select_related("region")[:MAX_HALLS])
    source = request.POST if request.method == "POST" else request.GET
    wanted = _number(source.get("hall", ""))
    hall = next((h for h in halls if h.pk == wanted), None) if wanted else None
    if hall is None and wanted is None and len(halls) == 1:
        hall = halls[0]
    status, error = 200, None
    if request.method == "POST":
        try:
            messages.success(request, _act(request, wanted or 0))
            return redirect(f"{reverse('workbench:cross_region_list')}?hall={wanted}")
        except DomainError as exc:
            status, error = exc.status, exc
    elif wanted is not None and hall is None:
        status = 404
    q = request.GET.get("q", "")[:40]
    context: dict[str, Any] = {
        "halls": halls,
        "hall": hall,
        "missing": status == 404 and error is None,
        "error": error,
        "q": q,
        "handlings": PointHandling.choices,
        "listed": list(remote_items_for_hall(hall=hall)[:500]) if hall else [],
        "candidates": remote_candidates(hall=hall, q=q) if hall else [],
    }
    return render(request, "workbench/cross_region_list.html", context, status=status)
