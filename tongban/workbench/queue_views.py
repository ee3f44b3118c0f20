"""The window's queue (窗口叫号, issue 16): call the next ticket, recall, skip,
transfer and finish, and the day's appointments of the hall.

Thin (CONVENTIONS 2): windows and tickets are read through
``appointments.selectors`` scoped to the clerk in SQL; every write is one
``appointments.services`` call; a refusal is shown with its Chinese detail.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from tongban.appointments import selectors, services
from tongban.appointments.models import QueueTicket, Theme, TicketStatus
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.core.masking import mask_name
from tongban.org.selectors import staff_scope_for
from tongban.workbench.access import staff_required


def _number(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@staff_required
@require_http_methods(["GET", "POST"])
def window_queue(request: HttpRequest) -> HttpResponse:
    clerk: Any = request.user
    scope = staff_scope_for(user=clerk)
    windows = list(selectors.windows_in_scope(scope).filter(themes__active=True).distinct())
    chosen_id = _number(request.POST.get("window", "") or request.GET.get("window", ""))
    window = next((w for w in windows if w.pk == chosen_id), windows[0] if windows else None)
    if request.method == "POST" and window is not None:
        action = request.POST.get("action", "")
        ticket_id = _number(request.POST.get("ticket", "")) or 0
        version = _number(request.POST.get("version", ""))
        try:
            if action == "duty_start":
                services.window_duty_start(window_id=window.pk, clerk=clerk)
                messages.success(request, f"已在 {window.number} 号窗口上岗。")
            elif action == "duty_end":
                services.window_duty_end(clerk=clerk)
                messages.success(request, "已离岗。")
            elif action == "call":
                called = services.ticket_call_next(window_id=window.pk, clerk=clerk)
                if getattr(called, "handed_over", False):
                    messages.info(
                        request,
                        f"已接手 {window.number} 号窗口：{called.number} 由他人叫号尚未办结，"
                        "现由您办理，请先为窗口前的办事人办结、过号或转号。",
                    )
                else:
                    messages.success(request, f"已叫号 {called.number}。")
            elif action == "recall":
                services.ticket_recall(ticket_id=ticket_id, clerk=clerk, expected_version=version)
                messages.success(request, "已重呼。")
            elif action == "skip":
                services.ticket_skip(ticket_id=ticket_id, clerk=clerk, expected_version=version)
                messages.success(request, "已过号。")
            elif action == "transfer":
                moved = services.ticket_transfer(
                    ticket_id=ticket_id,
                    clerk=clerk,
                    theme_id=_number(request.POST.get("theme", "")) or 0,
                    expected_version=version,
                )
                messages.success(request, f"已转号，新号码 {moved.number}。")
            elif action == "finish":
                done = services.ticket_finish(
                    ticket_id=ticket_id,
                    clerk=clerk,
                    case_no=request.POST.get("case_no", "")[:40],
                    expected_version=version,
                )
                linked = f"，已登记办件 {done.case.case_no}" if done.case else ""
                messages.success(request, f"{done.number} 已办结{linked}。")
        except DomainError as exc:
            messages.error(request, exc.detail)
        return redirect(f"{reverse('workbench:window_queue')}?window={window.pk}")
    current = None
    themes: list[Theme] = []
    waiting: dict[int, int] = {}
    bookings: list[Any] = []
    figures = None
    if window is not None:
        today = clock.today()
        figures = selectors.hall_figures(scope, hall_id=window.hall_id, first=today, last=today)
        current = (
            QueueTicket.objects.filter(window=window, status=TicketStatus.CALLED)
            .select_related("theme", "appointment")
            .first()
        )
        themes = list(Theme.objects.filter(hall_id=window.hall_id, active=True))
        board = selectors.hall_board(window.hall_id)
        waiting = {t["id"]: t["waiting"] for t in board["themes"]}
        for theme in themes:
            theme.waiting = waiting.get(theme.pk, 0)  # type: ignore[attr-defined]
        bookings = [
            {"appointment": a, "person": mask_name(getattr(a.person, "display_name", "") or "")}
            for a in selectors.hall_day_bookings(scope, hall_id=window.hall_id, day=clock.today())[
                :200
            ]
        ]
    served = {t.pk for t in window.themes.all()} if window else set()
    return render(
        request,
        "workbench/queue.html",
        {
            "windows": windows,
            "window": window,
            "current": current,
            "themes": themes,
            "served": served,
            "bookings": bookings,
            "figures": figures,
            "on_duty": selectors.duty_of_clerk(clerk),
        },
    )
