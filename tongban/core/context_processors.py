"""Template context shared by every page: the large-text (适老化) preference and
the CSP nonce that an inline ``<script nonce="{{ csp_nonce }}">`` must carry."""

from __future__ import annotations

from django.http import HttpRequest

from tongban.core.middleware.headers import csp_nonce

LARGE_TEXT_COOKIE = "tb_large_text"


def display(request: HttpRequest) -> dict[str, object]:
    return {
        "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
        "csp_nonce": csp_nonce(request),
    }
