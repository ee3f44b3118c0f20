"""指标看板 (issue 15 item 4, R-AN-2): the figures of a region and period in the
caller's scope against their targets, regions and departments ranked, as
charts, tables and a CSV download. Reads rollups only (``analytics.selectors``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tongban.analytics import errors, selectors
from tongban.analytics.exports import board_context, board_csv
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.workbench.access import staff_required


@require_GET
@staff_required
def board(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    region = (request.GET.get("region") or "").strip()
    period = (request.GET.get("period") or "").strip()
    try:
        the_board = selectors.board_for_staff(
            user=request.user, region_code=region, period=period, today=today
        )
    except DomainError as exc:
        if exc.code == errors.BOARD_NOT_ALLOWED.code:
            raise PermissionDenied(exc.detail) from None
        if exc.code != errors.BOARD_PERIOD_INVALID.code:
            raise Http404(exc.detail) from None  # a region outside the scope
        the_board, error = None, exc.detail
    else:
        error = ""
    if the_board is not None and request.GET.get("format") == "csv":
        response = HttpResponse(board_csv(the_board), content_type="text/csv; charset=utf-8")
        name = f"board-{the_board.region.code}-{the_board.first:%Y%m}-{the_board.last:%Y%m}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    years = [str(y) for y in range(today.year, today.year - 5, -1)]
    months = [f"{today.year}-{m:02d}" for m in range(today.month, 0, -1)]
    context = board_context(the_board) if the_board else {"board": None}
    return render(
        request,
        "workbench/board/board.html",
        {
            **context,
            "error": error,
            "regions": selectors.board_regions_for_staff(user=request.user),
            "period": period or str(today.year),
            "periods": years + months,
            "query": request.GET.urlencode(),
        },
        status=422 if error else 200,
    )
