"""The one input boundary: characters no request may carry, and the body size limit."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from tongban.core import errors
from tongban.core.api.problems import problem_for
from tongban.core.middleware.problems import API_PREFIX


class NulCharacterMiddleware:
    """Refuse input carrying a NUL character (``%00``, ``\\u0000``) with a 400,
    and a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` with a 413.

    No text field may hold one (PostgreSQL refuses it with an error that would
    otherwise surface as a 500), and no legitimate client sends one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        body = b""
        # Uploaded files (multipart) are binary and may hold NUL bytes.
        if request.method in ("POST", "PUT", "PATCH") and not (
            request.content_type or ""
        ).startswith("multipart/"):
            try:
                body = request.body
            except RequestDataTooBig:
                limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
                too_big = f"请求内容过大（上限约 {max(limit, 1)} MB）。"
                if request.path.startswith(API_PREFIX):
                    return problem_for(errors.REQUEST_TOO_LARGE, too_big)
                return HttpResponse(too_big, status=413, content_type="text/plain; charset=utf-8")
        if (
            "%00" in query
            or "\x00" in query
            or "\x00" in request.path
            or b"\x00" in body
            or b"%00" in body
            or b"\\u0000" in body
        ):
            detail = "请求中含有不允许的空字符（NUL）。"
            if request.path.startswith(API_PREFIX):
                return problem_for(errors.MALFORMED_REQUEST, detail)
            return HttpResponse(detail, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
