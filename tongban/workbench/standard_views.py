"""Window service standards at the hall (issue 16 item 6): 首问责任 questions (record,
answer, hand over; my open ones and, for supervisors, the halls' overdue ones), 纠错
reports for the hall supervisor (list, answer) and the 应进必进 figure per department.
Reads are scoped in SQL (``appointments.standard_selectors``); each write is one
service call (CONVENTIONS 2)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from tongban.appointments import request_selectors, selectors, standard_selectors
from tongban.appointments.models import ReportStatus
from tongban.appointments.services.error_reports import error_report_answer
from tongban.appointments.services.first_questions import (
    first_question_answer,
    first_question_hand_over,
    first_question_record,
    handover_targets,
)
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.org.models import Role
from tongban.org.selectors import staff_scope_for
from tongban.workbench.access import staff_required

HALLS_PER_PAGE = 50
MAX_CHOICES = 1000  # windows or items offered in one select


def _number(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _record(request: HttpRequest, staff: Any) -> None:
    made = first_question_record(
        clerk=staff,
        hall_id=_number(request.POST.get("hall", "")),
        window_id=_number(request.POST.get("window", "")),
        matter=request.POST.get("matter", "")[:1000],
        asker_name=request.POST.get("asker_name", "")[:80],
        asker_phone=request.POST.get("asker_phone", "")[:20],
        service_item_id=_number(request.POST.get("service_item", "")),
        key=request.POST.get("key", "")[:60],
    )
    messages.success(request, f"已登记首问 {made.code}，由您负责至答复或移交。")


def _act(request: HttpRequest, staff: Any, action: str) -> None:
    question_id = _number(request.POST.get("question", "")) or 0
    version = _number(request.POST.get("version", ""))
    if action == "answer":
        done = first_question_answer(
            question_id=question_id,
            staff=staff,
            answer=request.POST.get("answer", "")[:2000],
            expected_version=version,
        )
        messages.success(request, f"{done.code} 已答复。")
    elif action == "handover":
        target = request.POST.get("to", "")
        kind, _, raw = target.partition(":")
        done = first_question_hand_over(
            question_id=question_id,
            staff=staff,
            note=request.POST.get("note", "")[:2000],
            to_user_id=_number(raw) if kind == "user" else None,
            to_department_id=_number(raw) if kind == "dept" else None,
            expected_version=version,
        )
        messages.success(request, f"{done.code} 已移交，移交说明已记录。")
    else:
        messages.error(request, "没有该操作。")


@staff_required
@require_http_methods(["GET", "POST"])
def first_questions(request: HttpRequest) -> HttpResponse:
    staff: Any = request.user
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "record":
                _record(request, staff)
            else:
                _act(request, staff, action)
        except DomainError as exc:
            messages.error(request, exc.detail)
        return redirect("workbench:first_questions")
    scope = staff_scope_for(user=staff)
    today = clock.today()
    # Every hall in scope, HALLS_PER_PAGE a page; the windows and items of the page's halls.
    page = Paginator(selectors.halls_in_scope(scope), HALLS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    halls = list(page.object_list)
    windows = list(standard_selectors.windows_of_halls(halls)[: MAX_CHOICES + 1])
    items = list(request_selectors.items_at_halls(halls)[: MAX_CHOICES + 1])
    # A select of more than MAX_CHOICES is unusable: the form says the list is cut
    # and where to narrow it, rather than dropping the rest silently.
    cut = len(windows) > MAX_CHOICES or len(items) > MAX_CHOICES
    windows, items = windows[:MAX_CHOICES], items[:MAX_CHOICES]
    mine = list(standard_selectors.questions_for_owner(staff=staff)[:200])
    targets: dict[int, tuple[list[Any], list[Any]]] = {}
    for q in mine:
        if q.hall_id not in targets:
            targets[q.hall_id] = handover_targets(q.hall)
    supervising = scope.has_role(*standard_selectors.BOARD_ROLES)
    overdue = (
        list(standard_selectors.questions_in_scope(scope, overdue_on=today)[:200])
        if supervising
        else []
    )
    return render(
        request,
        "workbench/first_questions.html",
        {
            "halls": halls,
            "hall_page": page,
            "windows": windows,
            "items": items,
            "choices_cut": cut,
            "key": uuid.uuid4().hex,
            "rows": [
                {
                    "q": q,
                    "overdue": q.due_on < today,
                    "users": [u for u in targets[q.hall_id][0] if u.pk != staff.pk],
                    "departments": targets[q.hall_id][1],
                }
                for q in mine
            ],
            "supervising": supervising,
            "overdue": overdue,
        },
    )


def _supervisor(request: HttpRequest) -> Any:
    scope = staff_scope_for(user=request.user)
    if not scope.has_role(*standard_selectors.SUPERVISING_ROLES):
        raise Http404("纠错由大厅的监察人员处理。")
    return scope


@staff_required
@require_GET
def error_reports(request: HttpRequest) -> HttpResponse:
    scope = _supervisor(request)
    today = clock.today()
    show = request.GET.get("show", "open")
    if show == "overdue":
        rows = standard_selectors.reports_in_scope(scope, overdue_on=today)
    elif show == "answered":
        rows = standard_selectors.reports_in_scope(scope, status=ReportStatus.ANSWERED)
    else:
        show = "open"
        rows = standard_selectors.reports_in_scope(scope, status=ReportStatus.SUBMITTED)
    return render(
        request,
        "workbench/error_reports.html",
        {"rows": list(rows[:200]), "show": show, "today": today},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def error_report_page(request: HttpRequest, code: str) -> HttpResponse:
    scope = _supervisor(request)
    try:
        report = standard_selectors.report_get_for_supervisor(scope=scope, code=code)
    except DomainError:
        raise Http404("纠错不存在，或不在您监督的大厅。") from None
    error = ""
    if request.method == "POST":
        verdict = request.POST.get("substantiated", "")
        try:
            error_report_answer(
                report_id=report.pk,
                supervisor=request.user,
                substantiated={"yes": True, "no": False}.get(verdict),
                answer=request.POST.get("answer", "")[:2000],
                expected_version=_number(request.POST.get("version", "")),
            )
        except DomainError as exc:
            error = exc.detail
        else:
            messages.success(request, f"{report.code} 已答复，答复已发送给反映人。")
            return redirect("workbench:error_reports")
    return render(
        request,
        "workbench/error_report.html",
        {
            "r": report,
            "overdue": report.status == ReportStatus.SUBMITTED and report.due_on < clock.today(),
            "error": error,
            "values": request.POST if request.method == "POST" else {},
        },
        status=422 if error else 200,
    )


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


@staff_required
@require_GET
def presence_board(request: HttpRequest) -> HttpResponse:
    scope = staff_scope_for(user=request.user)
    if not scope.has_role(Role.SUPERVISOR, Role.DEPARTMENT_HEAD, Role.PLATFORM_ADMIN):
        raise Http404("应进必进统计供监察人员和部门负责人查看。")
    start_raw, end_raw = request.GET.get("start", ""), request.GET.get("end", "")
    error = ""
    start, end = _date(start_raw), _date(end_raw)
    if (start_raw.strip() and start is None) or (end_raw.strip() and end is None):
        error = "日期的格式应为 2026-10-08。"
        start = end = None
    try:
        start, end = standard_selectors.presence_period(start, end)
    except DomainError as exc:
        error = exc.detail
        start, end = standard_selectors.presence_period(None, None)
    rows = standard_selectors.presence_by_department(staff=request.user, start=start, end=end)
    return render(
        request,
        "workbench/presence.html",
        {"rows": rows, "start": start, "end": end, "error": error},
        status=422 if error else 200,
    )
