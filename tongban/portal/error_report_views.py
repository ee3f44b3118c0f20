"""纠错 in the portal (窗口无否决权, issue 16 item 6): report that a window refused or
stalled wrongly, logged in or with a phone number only; follow the answer by code and
phone, or in 我的纠错 (the answer also reaches the 消息中心). Thin (CONVENTIONS 2)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from tongban.appointments import request_selectors, standard_selectors
from tongban.appointments.services.error_reports import error_report_submit
from tongban.core.errors import DomainError
from tongban.core.middleware.proxies import client_address
from tongban.core.ratelimit import rate_limit_hit
from tongban.org.models import Hall

LIMIT = 20
WINDOW_SECONDS = 600


def _number(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _limited(request: HttpRequest, what: str) -> bool:
    return rate_limit_hit(
        key=f"error-report-{what}:{client_address(request)}",
        limit=LIMIT,
        window_seconds=WINDOW_SECONDS,
    )


@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    """Step one picks the hall; step two says what happened."""
    source = request.POST if request.method == "POST" else request.GET
    hall_id = _number(source.get("hall", ""))
    hall = Hall.objects.filter(pk=hall_id).first() if hall_id else None
    logged_in = request.user.is_authenticated
    error = ""
    if request.method == "POST":
        day = request.POST.get("happened_on", "").strip()
        try:
            happened = dt.date.fromisoformat(day) if day else None
        except ValueError:
            error = "发生日期的格式应为 2026-10-08。"
        else:
            if not logged_in and _limited(request, "new"):
                error = "提交过于频繁，请 10 分钟后再试。"
            else:
                try:
                    report = error_report_submit(
                        hall_id=hall_id,
                        narrative=request.POST.get("narrative", "")[:2000],
                        key=request.POST.get("key", "")[:60],
                        phone=request.POST.get("phone", "")[:20],
                        reporter=request.user if logged_in else None,
                        window_number=request.POST.get("window_number", "")[:20],
                        clerk_name=request.POST.get("clerk_name", "")[:80],
                        service_item_id=_number(request.POST.get("service_item", "")),
                        happened_on=happened,
                    )
                except DomainError as exc:
                    error = exc.detail
                else:
                    return render(request, "portal/halls/report_done.html", {"r": report})
    if hall is None:
        return render(
            request,
            "portal/halls/report_hall.html",
            {
                "halls": Hall.objects.select_related("region").order_by("region_id", "name")[:500],
                "error": error or ("请选择大厅。" if hall_id else ""),
            },
            status=422 if error or hall_id else 200,
        )
    return render(
        request,
        "portal/halls/report.html",
        {
            "hall": hall,
            "items": request_selectors.hall_items(hall)[:200],
            "values": request.POST if request.method == "POST" else {},
            "key": request.POST.get("key", "")[:60] or uuid.uuid4().hex,
            "logged_in": logged_in,
            "error": error,
        },
        status=422 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def report_track(request: HttpRequest) -> HttpResponse:
    report = None
    error = ""
    if request.method == "POST":
        if _limited(request, "track"):
            error = "查询过于频繁，请 10 分钟后再试。"
        else:
            report = standard_selectors.report_track(
                code=request.POST.get("code", ""), phone=request.POST.get("phone", "")
            )
            if report is None:
                error = "纠错编号或手机号码不正确。"
    return render(
        request,
        "portal/halls/report_track.html",
        {
            "r": report,
            "error": error,
            "code": request.POST.get("code", "")[:20],
        },
        status=200,
    )


@login_required(login_url="portal:login")
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    rows = list(standard_selectors.reports_of_reporter(user=request.user)[:100])
    return render(request, "portal/halls/my_reports.html", {"rows": rows})
