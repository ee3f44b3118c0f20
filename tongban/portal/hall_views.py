"""Halls in the portal (issue 16): the directory, booking a slot, 我的预约, and the
hall's kiosk (terminal mode) and big screen.

Thin (CONVENTIONS 2): reads through ``appointments.selectors``, every write one
``appointments.services`` call; a refusal is shown with its Chinese detail.
"""

from __future__ import annotations

import datetime as dt
import math
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from tongban.appointments import directory, geo, selectors, services
from tongban.appointments.models import Channel, Priority, QueueTicket, TicketSource
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.org.models import Hall, Region, RegionLevel
from tongban.portal.region import current_region


def _hall(hall_id: int) -> Hall:
    hall = Hall.objects.select_related("region").filter(pk=hall_id).first()
    if hall is None:
        raise Http404("大厅不存在。")
    return hall


def _float(raw: str, limit: float) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) and abs(value) <= limit else None


def halls_index(request: HttpRequest) -> HttpResponse:
    """政务服务百事通: where an item can be done near a region or the phone's position."""
    region_code = request.GET.get("region", "") or current_region(request)
    region_code = region_code if region_code.isdigit() and len(region_code) <= 12 else ""
    item = request.GET.get("item", "").strip()[:40]
    lat = _float(request.GET.get("lat", "")[:20], 90)
    lng = _float(request.GET.get("lng", "")[:20], 180)
    position = geo.Point(lat, lng) if lat is not None and lng is not None else None
    region = Region.objects.filter(code=region_code).first() if region_code else None
    error = ""
    if region_code and region is None:
        error = f"行政区划代码 {region_code} 不存在。"
    hits: list[directory.PointHit] = []
    items: list[Any] = []
    if not error and (region is not None or position is not None or item):
        hits, items = directory.service_points_search(
            region=region, item_query=item, position=position
        )
    return render(
        request,
        "portal/halls/index.html",
        {
            "hits": hits,
            "items": items,
            "region": region_code,
            "region_obj": region,
            "item": item,
            "position": position,
            "error": error,
        },
    )


def halls_coverage(request: HttpRequest) -> HttpResponse:
    """R-HA-2 on a page: the share of townships and villages with a point on the platform."""
    code = request.GET.get("region", "") or current_region(request) or ""
    code = code if code.isdigit() and len(code) in (6, 12) else ""
    region = Region.objects.filter(code=code).first() if code else None
    if region is None:  # the first province with 乡镇 on the platform
        township = Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code").first()
        province = township.path.strip("/").split("/")[0] if township else ""
        region = Region.objects.filter(code=province).first()
    figures = directory.service_point_coverage(region) if region is not None else None
    return render(request, "portal/halls/coverage.html", {"figures": figures, "region": region})


def hall_page(request: HttpRequest, hall_id: int) -> HttpResponse:
    hall = _hall(hall_id)
    return render(
        request,
        "portal/halls/hall.html",
        {
            "hall": hall,
            "themes": selectors.hall_themes(hall.pk),
            "hours": hall.hours.all(),
            "open_now": selectors.hall_open_at(hall.pk, clock.now()),
            "point_items": directory.point_items_of_hall(hall)[:200],
        },
    )


@login_required(login_url="portal:login")
@require_http_methods(["GET", "POST"])
def hall_book(request: HttpRequest, hall_id: int, theme_id: int) -> HttpResponse:
    hall = _hall(hall_id)
    try:
        theme = selectors.theme_get(theme_id)
    except DomainError as exc:
        raise Http404(exc.detail) from None
    if theme.hall_id != hall.pk:
        raise Http404("该大厅没有这个主题。")
    error = ""
    if request.method == "POST":
        try:
            # The chosen radio says "YYYY-MM-DD HH:MM"; no script is needed to send it.
            chosen = request.POST.get("slot", "").split(" ")
            if len(chosen) != 2:
                chosen = [request.POST.get("date", ""), request.POST.get("start", "")]
            day = dt.date.fromisoformat(chosen[0][:10])
            start = dt.time.fromisoformat(chosen[1][:5])
        except ValueError:
            error = "请选择一个预约时段。"
        else:
            item = request.POST.get("service_item", "")
            try:
                booked = services.appointment_book(
                    person=request.user,
                    theme_id=theme.pk,
                    date=day,
                    start=start,
                    service_item_id=int(item) if item.isdigit() and len(item) < 10 else None,
                    channel=Channel.ONLINE,
                )
            except DomainError as exc:
                error = exc.detail
            else:
                messages.success(
                    request,
                    f"预约成功：{booked.date:%-m月%-d日} {booked.slot.start:%H:%M}，"
                    f"预约号 {booked.code}。请在预约时段到大厅取号机签到。",
                )
                return redirect("portal:my_appointments")
    slots = selectors.slots_for(theme, first=clock.today(), days=14)
    days = [(day, list(rows)) for day, rows in groupby(slots, key=lambda s: s.date)]
    return render(
        request,
        "portal/halls/book.html",
        {
            "hall": hall,
            "theme": theme,
            "days": days,
            "items": theme.service_items.order_by("name")[:100],
            "blocked_until": selectors.no_show_block(request.user),
            "error": error,
        },
        status=422 if error else 200,
    )


@login_required(login_url="portal:login")
def my_appointments(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.appointments_of_person(request.user)[:100])
    return render(
        request,
        "portal/halls/mine.html",
        {"appointments": rows, "blocked_until": selectors.no_show_block(request.user)},
    )


@login_required(login_url="portal:login")
@require_POST
def my_appointment_cancel(request: HttpRequest, code: str) -> HttpResponse:
    try:
        services.appointment_cancel(person=request.user, code=code[:20])
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, f"预约 {code[:20]} 已取消。")
    return redirect("portal:my_appointments")


# --- the hall's terminal (自助终端) and big screen -------------------------------------------


@require_http_methods(["GET", "POST"])
def hall_kiosk(request: HttpRequest, hall_id: int) -> HttpResponse:
    """Terminal mode: big buttons, an on-screen number pad, reset after idle."""
    hall = _hall(hall_id)
    ticket: QueueTicket | None = None
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "check_in":
                ticket = services.appointment_check_in(
                    code=request.POST.get("code", "")[:20], hall_id=hall.pk
                )
            else:
                theme_id = request.POST.get("theme", "")
                ticket = services.ticket_take(
                    theme_id=int(theme_id) if theme_id.isdigit() and len(theme_id) < 10 else 0,
                    source=TicketSource.KIOSK,
                    green_channel=request.POST.get("green") == "1",
                )
        except DomainError as exc:
            error = exc.detail
    position = selectors.ticket_position(ticket) if ticket else None
    response = render(
        request,
        "portal/halls/kiosk.html",
        {
            "hall": hall,
            "themes": selectors.hall_themes(hall.pk),
            "ticket": ticket,
            "green": ticket is not None and ticket.priority == Priority.GREEN,
            "position": position,
            "error": error,
            "terminal": True,
        },
        status=422 if error else 200,
    )
    add_never_cache_headers(response)  # the next person's "back" must not show a ticket
    return response


def hall_screen(request: HttpRequest, hall_id: int) -> HttpResponse:
    hall = _hall(hall_id)
    return render(
        request,
        "portal/halls/screen.html",
        {"hall": hall, "board": selectors.hall_board(hall.pk), "terminal": True},
    )


def hall_window(request: HttpRequest, hall_id: int, number: str) -> HttpResponse:
    """亮牌: the display above a window — its clerk on duty, themes, items and the
    ticket being served (refreshes itself every 15 s)."""
    display = selectors.window_display(hall_id, number[:20])
    if display is None:
        raise Http404("窗口不存在。")
    return render(request, "portal/halls/window.html", {"display": display, "terminal": True})
