"""Every API error as problem+json, whoever produced it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tongban.core import errors
from tongban.core.api.problems import PROBLEM_CONTENT_TYPE, problem_for

API_PREFIX = "/api/"

_STATUS_ERRORS = {
    400: errors.MALFORMED_REQUEST,
    401: errors.NOT_AUTHENTICATED,
    403: errors.PERMISSION_DENIED,
    404: errors.NOT_FOUND,
    405: errors.METHOD_NOT_ALLOWED,
    409: errors.CONFLICT,
    412: errors.VERSION_MISMATCH,
    429: errors.RATE_LIMITED,
}


_KEPT_HEADERS = ("Allow", "Idempotent-Replayed", "Retry-After", "WWW-Authenticate")


class ApiProblemMiddleware:
    """Any API error not already problem+json (CSRF 403, unrouted 404, 405…) becomes one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
        ):
            error = _STATUS_ERRORS.get(response.status_code)
            if error is None:
                error = (
                    errors.INTERNAL_ERROR
                    if response.status_code >= 500
                    else errors.MALFORMED_REQUEST
                )
            details = {
                403: "请求被拒绝（缺少登录凭据或 CSRF 校验失败）。",
                404: "请求的接口不存在。",
                405: f"该接口不支持 {request.method} 方法。",
            }
            new = problem_for(error, details.get(response.status_code, error.title))
            new.status_code = response.status_code
            # Headers that still hold for the rewritten answer; Idempotent-Replayed
            # because IdempotencyMiddleware runs inside this one.
            for header in _KEPT_HEADERS:
                if response.has_header(header):
                    new[header] = response[header]
            return new
        return response
