"""窗口评价器 (一次一评): the page the window's tablet shows, signed in as the
clerk. After each service the person served taps one of the five levels; a 差评
asks why. Each submit is one ``evaluation.services.window`` call."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tongban.core.errors import DomainError
from tongban.evaluation.models import BAD_LEVELS, RatingLevel, RatingReason
from tongban.evaluation.services import window
from tongban.workbench.access import staff_required

BAD_REASONS = (
    RatingReason.GUIDE_UNCLEAR,
    RatingReason.EXTRA_MATERIALS,
    RatingReason.MANY_VISITS,
    RatingReason.SLOW,
    RatingReason.ATTITUDE,
    RatingReason.SYSTEM,
    RatingReason.FEES,
    RatingReason.OTHER,
)


@require_http_methods(["GET", "POST"])
@staff_required
def window_rating(request: HttpRequest) -> HttpResponseBase:
    if not window.may_use_window_device(request.user):
        raise Http404("窗口评价器仅供窗口人员使用。")
    error = ""
    if request.method == "POST":
        raw = request.POST.get("visit", "")
        try:
            rating = window.rating_submit_at_window(
                clerk=request.user,
                case_event_id=int(raw) if raw.isdigit() and len(raw) < 12 else 0,
                level=request.POST.get("level", ""),
                reasons=request.POST.getlist("reasons"),
                text=request.POST.get("text", ""),
            )
        except DomainError as exc:
            error = exc.detail
        else:
            thanks = "感谢您的评价！" + (
                "我们将尽快整改并回复您。" if rating.level in BAD_LEVELS else ""
            )
            messages.success(request, thanks)
            return redirect("workbench:window_rating")
    visits = window.window_visits_for_clerk(clerk=request.user)
    response: HttpResponse = render(
        request,
        "workbench/window_rating.html",
        {
            "visit": visits[0] if visits else None,
            "levels": RatingLevel.choices,
            "bad_reasons": [(r.value, r.label) for r in BAD_REASONS],
            "error": error,
            "form": request.POST if error else {},
        },
        status=422 if error else 200,
    )
    return response
