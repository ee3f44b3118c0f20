"""Template context shared by every page: the large-text (适老化) preference."""

from __future__ import annotations

from django.http import HttpRequest

LARGE_TEXT_COOKIE = "tb_large_text"


def display(request: HttpRequest) -> dict[str, object]:
    return {"large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1"}
