"""上门服务 and 帮办代办 in the portal (issue 16): ask a hall or service point, follow and
withdraw the request in 我的申请. Thin (CONVENTIONS 2): one service call per write."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tongban.appointments import request_selectors
from tongban.appointments.models import RequestKind
from tongban.appointments.services.requests import service_request_cancel, service_request_submit
from tongban.core.errors import DomainError
from tongban.org.models import Hall


@login_required(login_url="portal:login")
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, hall_id: int) -> HttpResponse:
    hall = Hall.objects.select_related("region").filter(pk=hall_id).first()
    if hall is None:
        raise Http404("服务点不存在。")
    error = ""
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        item = request.POST.get("service_item", "")
        day = request.POST.get("preferred_date", "").strip()
        try:
            preferred = dt.date.fromisoformat(day) if day else None
        except ValueError:
            error = "希望日期的格式应为 2026-10-08。"
        else:
            try:
                made = service_request_submit(
                    person=request.user,
                    hall_id=hall.pk,
                    kind=request.POST.get("kind", ""),
                    reason=request.POST.get("reason", "")[:400],
                    address=request.POST.get("address", "")[:400],
                    authorization=request.POST.get("authorization", "")[:400],
                    service_item_id=int(item) if item.isdigit() and len(item) < 10 else None,
                    preferred_date=preferred,
                )
            except DomainError as exc:
                error = exc.detail
            else:
                messages.success(
                    request,
                    f"已提交{made.get_kind_display()}申请，编号 {made.code}。服务点将与您联系。",
                )
                return redirect("portal:my_requests")
    return render(
        request,
        "portal/halls/request.html",
        {
            "hall": hall,
            "kinds": RequestKind.choices,
            "items": request_selectors.hall_items(hall)[:200],
            "values": values,
            "error": error,
        },
        status=422 if error else 200,
    )


@login_required(login_url="portal:login")
def my_requests(request: HttpRequest) -> HttpResponse:
    rows = list(request_selectors.requests_of_person(request.user)[:100])
    return render(request, "portal/halls/my_requests.html", {"rows": rows})


@login_required(login_url="portal:login")
@require_POST
def my_request_cancel(request: HttpRequest, code: str) -> HttpResponse:
    try:
        service_request_cancel(person=request.user, code=code[:20])
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, f"申请 {code[:20]} 已撤销。")
    return redirect("portal:my_requests")
