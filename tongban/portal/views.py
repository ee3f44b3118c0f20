"""Public pages: home, the large-text switch, the working-day calendar
(login and sign-up: ``account_views``).

Views are thin (CONVENTIONS 2): they check the form, call one identity
service or the calendar, and render. Refusals arrive as DomainError and are
shown with their Chinese detail.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tongban.core import clock
from tongban.core.calendar import PROVISIONAL_NOTE, Day, DayKind, get_calendar
from tongban.core.context_processors import (
    HIGH_CONTRAST_COOKIE,
    LARGE_TEXT_COOKIE,
    READ_ALOUD_COOKIE,
)
from tongban.core.errors import DomainError
from tongban.portal.region import REGION_COOKIE, offered_regions
from tongban.portal.themes import BUSINESS_THEMES, LIFE_THEMES

# ---------------------------------------------------------------- helpers


def _safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    """``next`` only when it stays on this site (no open redirect)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


# ---------------------------------------------------------------- home


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {"life_themes": LIFE_THEMES, "business_themes": BUSINESS_THEMES},
    )


# ---------------------------------------------------------------- large text


def _toggle_cookie(request: HttpRequest, cookie: str) -> HttpResponse:
    target = _safe_next(request, request.POST.get("next")) or reverse("portal:home")
    response = HttpResponseRedirect(target)
    if request.COOKIES.get(cookie) == "1":
        response.delete_cookie(cookie, samesite="Lax")
    else:
        response.set_cookie(
            cookie, "1", max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure()
        )
    return response


@require_POST
def large_text_toggle(request: HttpRequest) -> HttpResponse:
    """The no-JavaScript path of the 大字模式 switch (tongban.js does it in place)."""
    return _toggle_cookie(request, LARGE_TEXT_COOKIE)


DISPLAY_COOKIES = {"contrast": HIGH_CONTRAST_COOKIE, "read-aloud": READ_ALOUD_COOKIE}


@require_POST
def display_toggle(request: HttpRequest, setting: str) -> HttpResponse:
    """The no-JavaScript path of 高对比度 and 朗读 (tongban.js does them in place)."""
    cookie = DISPLAY_COOKIES.get(setting)
    if cookie is None:
        raise Http404("没有这项设置")
    return _toggle_cookie(request, cookie)


@require_POST
def region_choose(request: HttpRequest) -> HttpResponse:
    """所在地区: remember the choice; the page returned to drops its own region."""
    target = _safe_next(request, request.POST.get("next")) or reverse("portal:home")
    path, _, query = target.partition("?")
    kept = [(k, v) for k, v in parse_qsl(query) if k not in ("region", "cursor")]
    response = HttpResponseRedirect(path + ("?" + urlencode(kept) if kept else ""))
    chosen = str(request.POST.get("region", ""))
    offered = {code for code, _label, _depth in offered_regions()}
    if chosen == "all" or chosen in offered:
        response.set_cookie(
            REGION_COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


# ---------------------------------------------------------------- calendar

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
MIN_YEAR, MAX_YEAR = 1900, 2199
WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")
KIND_LABELS = {
    DayKind.WORKDAY: "工作日",
    DayKind.WEEKEND: "休息日",
    DayKind.HOLIDAY: "节假日",
    DayKind.MAKEUP_WORKDAY: "调休上班",
}


@dataclass(frozen=True)
class Cell:
    day: Day
    label: str
    today: bool

    @property
    def kind(self) -> str:
        return str(self.day.kind)

    @property
    def weekday(self) -> str:
        return WEEKDAYS[self.day.date.weekday()]


def _parse_month(raw: str | None, today: dt.date) -> tuple[int, int] | None:
    if not raw:
        return today.year, today.month
    match = _MONTH_RE.match(raw.strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        return None
    return year, month


def _shift(year: int, month: int, delta: int) -> str | None:
    index = year * 12 + (month - 1) + delta
    y, m = divmod(index, 12)
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None
    return f"{y:04d}-{m + 1:02d}"


def calendar_month(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    parsed = _parse_month(request.GET.get("month"), today)
    context: dict[str, object] = {
        "weekdays": WEEKDAYS,
        "legend": [(kind.value, label) for kind, label in KIND_LABELS.items()],
        "this_month": f"{today.year:04d}-{today.month:02d}",
    }
    if parsed is None:
        context["invalid"] = True
        return render(request, "portal/calendar.html", context, status=400)
    year, month = parsed
    context.update(
        year=year,
        month=month,
        prev_month=_shift(year, month, -1),
        next_month=_shift(year, month, 1),
    )
    try:
        days = get_calendar().month(year, month)
    except DomainError as exc:
        context["unavailable"] = exc.detail
        return render(request, "portal/calendar.html", context)
    cells = [Cell(day=d, label=KIND_LABELS[d.kind], today=d.date == today) for d in days]
    lead = pycalendar.weekday(year, month, 1)  # Monday is 0: the grid starts on Monday
    padded: list[Cell | None] = [None] * lead + list(cells)
    padded += [None] * (-len(padded) % 7)
    context["weeks"] = [padded[i : i + 7] for i in range(0, len(padded), 7)]
    context["special_days"] = [c for c in cells if c.day.kind in _LISTED or c.day.name]
    context["provisional"] = any(d.provisional for d in days)
    context["provisional_note"] = PROVISIONAL_NOTE
    return render(request, "portal/calendar.html", context)


_LISTED = {DayKind.HOLIDAY, DayKind.MAKEUP_WORKDAY}
