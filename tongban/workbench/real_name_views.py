"""实名认证三级 at the window (issue 14, item 2): the clerk who holds the
applicant's ID card types its number and name; every personal account of that
person is raised to L3, recorded with the clerk, department and hall
(``identity.services.real_name``). Only an on-duty 窗口人员 may do it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from tongban.core.errors import DomainError
from tongban.core.masking import mask_name
from tongban.identity import errors as identity_errors
from tongban.identity.models import RealNameLevel
from tongban.identity.services.real_name import (
    clerk_window_assignment,
    real_name_in_person_verify_by_card,
)
from tongban.workbench.access import staff_required


@staff_required
@require_http_methods(["GET", "POST"])
def real_name_in_person(request: HttpRequest) -> HttpResponse:
    clerk: Any = request.user
    assignment = clerk_window_assignment(clerk)
    if assignment is None:
        raise PermissionDenied("仅在岗的窗口人员可现场核验身份证件。")
    context: dict[str, Any] = {"assignment": assignment, "error": "", "done": None}
    status = 200
    if request.method == "POST":
        id_number = str(request.POST.get("id_number", ""))[:40]
        name = str(request.POST.get("name", ""))[:50]
        seen = request.POST.get("card_seen") == "on"
        if not seen:
            context["error"] = "请先核对身份证件原件与本人相符，并勾选确认。"
        elif not id_number.strip() or not name.strip():
            context["error"] = "请填写身份证件上的姓名和公民身份号码。"
        else:
            try:
                records = real_name_in_person_verify_by_card(
                    clerk=clerk, id_number=id_number, name=name
                )
            except DomainError as exc:
                context["error"] = exc.detail
                if exc.code == identity_errors.REAL_NAME_CLERK_FORBIDDEN.code:
                    raise PermissionDenied(exc.detail) from None
            else:
                first = records[0]
                context["done"] = {
                    "name": mask_name(first.person.name),
                    "id_number": first.person.id_number_masked,
                    "level": RealNameLevel(first.level).label,
                    "accounts": len(records),
                    "hall": first.hall.name if first.hall else "",
                    "department": first.department.name if first.department else "",
                }
        if context["error"]:
            status = 422
            context["values"] = {"id_number": id_number, "name": name}
    return render(request, "workbench/identity/real_name.html", context, status=status)
