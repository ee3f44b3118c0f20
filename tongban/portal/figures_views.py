"""政务服务数据公开 (R-EV-3, R-AN-2): the board's public figures for the
visitor's region, against their targets, with regions ranked; no department,
item or person. Reads rollups only."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tongban.analytics import selectors
from tongban.analytics.exports import board_context, board_csv
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.org.models import Region, RegionLevel
from tongban.portal.region import current_region


@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    provinces = list(
        Region.objects.filter(level__in=(RegionLevel.PROVINCE, RegionLevel.CITY)).order_by("path")
    )
    code = (request.GET.get("region") or current_region(request) or "").strip()
    if not code and provinces:
        code = provinces[0].code
    period = (request.GET.get("period") or str(today.year)).strip()
    try:
        board = selectors.board_public(region_code=code, period=period, today=today)
    except DomainError as exc:
        raise Http404(exc.detail) from None
    if request.GET.get("format") == "csv":
        response = HttpResponse(board_csv(board), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="figures-{board.region.code}-{board.first:%Y%m}.csv"'
        )
        return response
    return render(
        request,
        "portal/figures/figures.html",
        {
            **board_context(board),
            "regions": provinces,
            "period": period,
            "periods": [str(y) for y in range(today.year, today.year - 5, -1)],
            "query": request.GET.urlencode(),
        },
    )
