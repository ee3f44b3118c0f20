"""Build the one NinjaAPI with problem+json handlers for every failure."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from tongban.core import db, errors
from tongban.core.api.problems import field_errors, problem_for, problem_from_domain
from tongban.core.errors import DomainError

logger = logging.getLogger(__name__)


def install_problem_handlers(api: NinjaAPI) -> None:
    def on_domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return problem_from_domain(exc)

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = field_errors(list(exc.errors))
        if any(f["code"] == "json_invalid" for f in fields):
            return problem_for(errors.MALFORMED_REQUEST, "请求体不是合法的 JSON。", fields=fields)
        summary = "；".join(f"{f['field']}：{f['message']}" for f in fields[:5])
        return problem_for(errors.VALIDATION_FAILED, f"请求参数有误：{summary}", fields=fields)

    def on_authn(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem_for(
            errors.NOT_AUTHENTICATED,
            "请先登录，或在 Authorization 头中提供有效的访问令牌。",
            headers={"WWW-Authenticate": 'Bearer realm="tongban"'},
        )

    def on_authz(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return problem_for(errors.PERMISSION_DENIED, "当前账号无权进行此操作。")

    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        known = {
            401: errors.NOT_AUTHENTICATED,
            403: errors.PERMISSION_DENIED,
            404: errors.NOT_FOUND,
            405: errors.METHOD_NOT_ALLOWED,
            409: errors.CONFLICT,
            429: errors.RATE_LIMITED,
        }
        error = known.get(exc.status_code, errors.MALFORMED_REQUEST)
        return problem_for(error, str(exc) if exc.message else error.title)

    def on_404(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem_for(errors.NOT_FOUND, "请求的资源不存在。")

    def on_any(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unhandled API error on %s %s", request.method, request.path)
        return problem_for(errors.INTERNAL_ERROR, "服务器内部错误，请稍后再试。")

    def on_database(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
        if db.replica_read_failed(exc):
            raise exc  # ReadYourWritesMiddleware answers it from the primary
        if db.database_unavailable(exc):
            logger.warning("database unavailable on %s %s: %s", request.method, request.path, exc)
            return problem_for(
                errors.SERVICE_UNAVAILABLE,
                "数据库暂时不可用（可能正在切换），请稍后重试。",
                headers={"Retry-After": "5"},
            )
        return on_any(request, exc)

    def on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        # SQLite stores integers in 64 bits; an id or count from the request
        # beyond that is no row and no count (PostgreSQL compares it as numeric).
        if "SQLite INTEGER" in str(exc):
            return problem_for(errors.VALIDATION_FAILED, "请求中的数字超出允许的范围。")
        return on_any(request, exc)

    handlers: list[tuple[type[Exception], Any]] = [
        (Exception, on_any),
        (OverflowError, on_overflow),
        (DatabaseError, on_database),
        (Http404, on_404),
        (HttpError, on_http),
        (AuthenticationError, on_authn),
        (AuthorizationError, on_authz),
        (ValidationError, on_validation),
        (DomainError, on_domain),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
