"""Public pages: home, login/logout, citizen signup, the working-day calendar.

Views are thin (CONVENTIONS 2): they check the form, call one identity
service or the calendar, and render. Refusals arrive as DomainError and are
shown with their Chinese detail.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from tongban.core import clock
from tongban.core.calendar import PROVISIONAL_NOTE, Day, DayKind, get_calendar
from tongban.core.context_processors import LARGE_TEXT_COOKIE
from tongban.core.errors import DomainError
from tongban.identity import services as identity_services
from tongban.portal.forms import LoginForm, SignupForm
from tongban.portal.themes import BUSINESS_THEMES, LIFE_THEMES

# ---------------------------------------------------------------- helpers


def _safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    """``next`` only when it stays on this site (no open redirect)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a forwarded header is set by whoever sends the request.
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _log_in(request: HttpRequest, user: object) -> None:
    backend = getattr(user, "backend", None) or settings.AUTHENTICATION_BACKENDS[0]
    auth_login(request, user, backend=backend)  # type: ignore[arg-type]  # identity's User


# ---------------------------------------------------------------- home


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {"life_themes": LIFE_THEMES, "business_themes": BUSINESS_THEMES},
    )


# ---------------------------------------------------------------- login / logout


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = LoginForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = identity_services.login_attempt(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                address=_client_address(request),
            )
        except DomainError as exc:
            error = exc.detail
            status = 429 if exc.code == "login_rate_limited" else 200
        else:
            _log_in(request, user)
            if next_url:
                return HttpResponseRedirect(next_url)
            if getattr(user, "kind", "") == "staff":
                return redirect("workbench:home")
            return redirect("portal:home")
    return render(
        request,
        "portal/login.html",
        {"form": form, "error": error, "next": next_url or ""},
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.success(request, "您已安全退出。")
    return redirect("portal:home")


# ---------------------------------------------------------------- signup

# Where a refusal of identity belongs on the form.
_FIELD_OF_CODE = {
    "invalid_resident_id": "id_number",
    "id_number_registered": "id_number",
    "person_name_mismatch": "name",
    "invalid_name": "name",
    "invalid_phone": "phone",
    "weak_password": "password1",
    # The username of a citizen is the phone number.
    "username_taken": "phone",
    "invalid_username": "phone",
}
_MESSAGE_OF_CODE = {"username_taken": "该手机号码已注册账号，请直接登录。"}


@require_http_methods(["GET", "POST"])
def signup_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = identity_services.citizen_signup(
                    name=data["name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    password=data["password1"],
                )
            except DomainError as exc:
                _attach_error(form, exc)
            else:
                _log_in(request, user)
                messages.success(request, "注册成功，欢迎使用通办。")
                return redirect("portal:home")
        # PasswordInput never renders its value: passwords are not sent back.
    else:
        form = SignupForm()
    return render(request, "portal/signup.html", {"form": form})


def _attach_error(form: SignupForm, exc: DomainError) -> None:
    attached = False
    for entry in exc.fields:
        name = str(entry.get("field") or entry.get("name") or "").removeprefix("body.")
        name = {"password": "password1"}.get(name, name)
        message = str(entry.get("message") or entry.get("detail") or exc.detail)
        if name in form.fields:
            form.add_error(name, message)
            attached = True
    if not attached:
        field = _FIELD_OF_CODE.get(exc.code)
        form.add_error(field, _MESSAGE_OF_CODE.get(exc.code, exc.detail))


# ---------------------------------------------------------------- large text


@require_POST
def large_text_toggle(request: HttpRequest) -> HttpResponse:
    """The no-JavaScript path of the 大字模式 switch (tongban.js does it in place)."""
    target = _safe_next(request, request.POST.get("next")) or reverse("portal:home")
    response = HttpResponseRedirect(target)
    if request.COOKIES.get(LARGE_TEXT_COOKIE) == "1":
        response.delete_cookie(LARGE_TEXT_COOKIE, samesite="Lax")
    else:
        response.set_cookie(
            LARGE_TEXT_COOKIE,
            "1",
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
