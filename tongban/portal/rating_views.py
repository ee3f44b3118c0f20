"""好差评 on the applicant's case page (issue 15): rate a concluded case once,
follow the rectification of a bad rating and answer its call-back online; and
the public board (公示) of the departments' figures.

Thin (CONVENTIONS 2): the case is read through ``cases.selectors`` scoped to
the caller, the rating and rectification through ``evaluation.selectors``, and
every write is one ``evaluation.services`` call; a refusal is shown with its
Chinese detail and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tongban.cases import selectors as case_selectors
from tongban.cases.models import Case, CaseStatus
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.evaluation import selectors, services
from tongban.evaluation.deadlines import rating_changeable_until
from tongban.evaluation.models import Rating, RatingLevel, RatingReason, RectificationStatus
from tongban.org.selectors import region_get
from tongban.portal.region import current_region

GOOD_REASONS = ("guide_clear", "fast", "few_visits", "friendly")


def _case(request: HttpRequest, case_no: str) -> Case:
    if getattr(request.user, "kind", "") not in ("citizen", "business"):
        raise PermissionDenied("好差评仅对办件的申请人开放。")
    try:
        return case_selectors.case_get_for_applicant(user=request.user, case_no=case_no)
    except DomainError as exc:
        raise Http404(exc.detail) from None


def _changeable(rating: Rating | None, user: Any) -> bool:
    if rating is None or rating.changed_at is not None or rating.rater_id != user.pk:
        return False
    until = rating_changeable_until(
        clock.local_date(rating.rated_at), settings.TONGBAN_RATING_CHANGE_DAYS
    )
    return clock.today() <= until


def _context(case: Case, user: Any, **extra: Any) -> dict[str, Any]:
    rating = selectors.rating_for_case(case_id=case.pk)
    rect = selectors.rectification_of(rating)
    reasons = [(v, label, v in GOOD_REASONS) for v, label in RatingReason.choices]
    labels = dict(RatingReason.choices)
    return {
        "case": case,
        "rating": rating,
        "rect": rect,
        "ratable": rating is None and case.status == CaseStatus.CONCLUDED,
        "levels": RatingLevel.choices,
        "reasons": reasons,
        "rating_reasons": [labels.get(r, r) for r in rating.reasons] if rating else [],
        "may_revisit": rect is not None and rect.status == RectificationStatus.ANSWERED,
        "may_change": _changeable(rating, user),
        "change_days": settings.TONGBAN_RATING_CHANGE_DAYS,
        "chosen": {"level": "", "reasons": [], "text": ""},
        **extra,
    }


def _version(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


@require_http_methods(["GET", "POST"])
@login_required
def my_case_rating(request: HttpRequest, case_no: str) -> HttpResponse:
    case = _case(request, case_no)
    if request.method == "GET":
        return render(request, "portal/ratings/rate.html", _context(case, request.user))
    action = request.POST.get("action")
    if action == "revisit":
        return _revisit(request, case)
    level = request.POST.get("level", "")[:24]
    reasons = [r[:40] for r in request.POST.getlist("reasons")[:20]]
    text = request.POST.get("text", "")[:2000]
    chosen = {"level": level, "reasons": reasons, "text": text}
    try:
        if action == "change":
            rating = services.rating_change(
                case_id=case.pk, rater=request.user, level=level, reasons=reasons, text=text
            )
        else:
            rating, _ = services.rating_submit_for_case(
                case_id=case.pk, rater=request.user, level=level, reasons=reasons, text=text
            )
    except DomainError as exc:
        context = _context(case, request.user, error=exc.detail, chosen=chosen)
        return render(request, "portal/ratings/rate.html", context, status=exc.status)
    if rating.is_bad:
        messages.success(request, "感谢您的评价。您的意见已转办理部门整改，整改结果会告知您。")
    else:
        messages.success(request, "感谢您的评价！")
    return redirect("portal:my_case_rating", case_no=case.case_no)


def _revisit(request: HttpRequest, case: Case) -> HttpResponse:
    rect = selectors.rectification_of(selectors.rating_for_case(case_id=case.pk))
    if rect is None:
        raise Http404("未找到该整改")
    try:
        services.rectification_revisit(
            rectification_id=selectors.rectification_get_for_rater(
                user=request.user, rectification_id=rect.pk
            ).pk,
            actor=request.user,
            satisfied=request.POST.get("satisfied") == "yes",
            note=request.POST.get("note", "")[:500],
            expected_version=_version(request.POST.get("version")),
        )
    except DomainError as exc:
        context = _context(case, request.user, error=exc.detail)
        return render(request, "portal/ratings/rate.html", context, status=exc.status)
    messages.success(request, "已收到您对整改结果的意见。")
    return redirect("portal:my_case_rating", case_no=case.case_no)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _rows(figures: list[selectors.RatingFigures]) -> list[dict[str, Any]]:
    return [
        {
            "rank": n,
            "name": f.name,
            "ratings": f.ratings,
            "good_rate": _percent(f.good_rate),
            "bad": f.bad,
            "rectified": f.rectified,
            "on_time_rate": _percent(f.on_time_rate),
            "average_score": "—" if f.average_score is None else f"{f.average_score:.2f}",
        }
        for n, f in enumerate(figures, start=1)
    ]


@require_http_methods(["GET"])
def rating_board(request: HttpRequest) -> HttpResponse:
    """好差评公示 (R-EV-3, R-EV-4): departments ranked by 好评率 in the visitor's
    region for a year, with 差评整改 on time; figures only, never a rating's text."""
    today = clock.today()
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= today.year else today.year
    code = current_region(request)
    region_path, region_name = "", "全国"
    if code:
        try:
            region = region_get(code)
        except DomainError:
            pass
        else:
            region_path, region_name = region.path, region.name
    since = dt.datetime(year, 1, 1, tzinfo=clock.SHANGHAI)
    until = dt.datetime(year + 1, 1, 1, tzinfo=clock.SHANGHAI)
    departments, items = (
        selectors.rating_figures_public(
            region_path=region_path, group=group, since=since, until=until, today=today
        )
        for group in ("department", "item")
    )
    return render(
        request,
        "portal/ratings/board.html",
        {
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
            "region_name": region_name,
            "departments": _rows(departments),
            "items": _rows(items[:50]),
        },
    )
