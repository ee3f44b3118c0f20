"""The terminal's case tracking (自助终端 办件查询, issue 16, R-HA-4).

The kiosk has no keyboard: the 办件编号 is typed on the on-screen number pad
and the 查询码 on an on-screen keyboard of its 31 characters. Only the full
view (number and 查询码) is offered — the ID-digits view is left to the phone,
since a terminal in a hall is watched by strangers — and nothing personal
stays: the name is masked, the answer is never cached (``no-store``, so the
browser's back button cannot bring it back), the page returns to the start
after 30 seconds, and the receipt is printed through the browser's dialog with
a print stylesheet (docs/halls.md "Terminal").
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from tongban.cases import selectors as case_selectors
from tongban.cases.api.common import TRACK_WINDOW_SECONDS, track_limited
from tongban.cases.services.intake import TRACKING_ALPHABET
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.core.middleware.proxies import client_address
from tongban.org.models import Hall


def _clean(raw: str, allowed: str, limit: int) -> str:
    text = "".join(raw.split()).upper()[:limit]
    return text if all(c in allowed for c in text) else ""


@require_http_methods(["GET", "POST"])
def kiosk_track(request: HttpRequest, hall_id: int) -> HttpResponse:
    hall = Hall.objects.filter(pk=hall_id).first()
    if hall is None:
        raise Http404("大厅不存在。")
    result = None
    error = ""
    status = 200
    if request.method == "POST":
        case_no = _clean(request.POST.get("case_no", ""), "0123456789", 20)
        code = _clean(request.POST.get("code", ""), TRACKING_ALPHABET, 8)
        if len(case_no) != 20 or len(code) != 8:
            error, status = "请输入 20 位办件编号和 8 位查询码（见受理通知书或收件短信）。", 422
        elif refusal := track_limited(address=client_address(request), case_no=case_no):
            error, status = refusal, 429
        else:
            try:
                result = case_selectors.case_track_public(case_no=case_no, code=code)
            except DomainError:
                error, status = "未找到该办件，请核对办件编号和查询码。", 404
    response = render(
        request,
        "portal/halls/kiosk_track.html",
        {
            "hall": hall,
            "result": result,
            "error": error,
            "keys": TRACKING_ALPHABET,
            "printed_at": clock.now(),
            "terminal": True,
        },
        status=status,
    )
    add_never_cache_headers(response)  # Cache-Control: no-store, so "back" shows nothing
    if status == 429:
        response["Retry-After"] = str(TRACK_WINDOW_SECONDS)
    return response
