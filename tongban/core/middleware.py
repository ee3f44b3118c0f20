"""Request plumbing: security headers, problem+json for every API error, idempotency."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from tongban.core import clock, errors
from tongban.core.api.problems import PROBLEM_CONTENT_TYPE, problem_for
from tongban.core.models import IdempotencyRecord

API_PREFIX = "/api/"

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)


class SecurityHeadersMiddleware:
    """CSP and related headers (DESIGN §8). The API docs page needs inline script."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


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


def _owner(request: HttpRequest) -> str:
    auth = request.headers.get("Authorization", "")
    if auth:
        return "auth:" + hashlib.sha256(auth.encode("utf-8")).hexdigest()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "addr:" + (request.META.get("REMOTE_ADDR") or "unknown")


class IdempotencyMiddleware:
    """``Idempotency-Key`` on creating POSTs under /api/ (DESIGN §6).

    The first request with a key runs and its answer is stored; a repeat with
    the same key and the same body gets the stored answer (header
    ``Idempotent-Replayed: true``); the same key with another body is a 422; a
    repeat while the first is still running is a 409. A 5xx answer is not
    stored, so the client may retry.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not request.path.startswith(API_PREFIX) or key is None:
            return self.get_response(request)
        key = key.strip().strip('"')
        if not key or len(key) > 200 or not key.isascii() or not key.isprintable():
            return problem_for(
                errors.IDEMPOTENCY_KEY_INVALID,
                "Idempotency-Key 须为 1 到 200 个可打印 ASCII 字符。",
            )
        owner = _owner(request)
        digest = hashlib.sha256(
            request.method.encode() + b" " + request.path.encode() + b"\n" + request.body
        ).hexdigest()
        now = clock.now()
        record = self._claim(owner, key, request, digest, now)
        if record is None:
            existing = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
            if existing is None:
                return problem_for(
                    errors.IDEMPOTENCY_IN_PROGRESS, "相同请求正在处理中，请稍后重试。"
                )
            if existing.request_hash != digest:
                return problem_for(
                    errors.IDEMPOTENCY_KEY_REUSED,
                    "该 Idempotency-Key 已用于内容不同的请求，请换用新的键。",
                )
            if existing.status_code is None:
                return problem_for(
                    errors.IDEMPOTENCY_IN_PROGRESS, "相同请求正在处理中，请稍后重试。"
                )
            replay = HttpResponse(
                bytes(existing.response_body or b""),
                status=existing.status_code,
                content_type=existing.content_type,
            )
            replay["Idempotent-Replayed"] = "true"
            return replay
        return self._answer(request, record)

    @staticmethod
    def _claim(
        owner: str, key: str, request: HttpRequest, digest: str, now: dt.datetime
    ) -> IdempotencyRecord | None:
        """The new record for this key, or None when the key is taken. A key held
        by an expired record is freed and claimed again; a fresh key (the usual
        case) costs one insert."""

        def claim() -> IdempotencyRecord | None:
            try:
                with transaction.atomic():
                    return IdempotencyRecord.objects.create(
                        owner=owner,
                        key=key,
                        method=request.method or "POST",
                        path=request.path,
                        request_hash=digest,
                        created_at=now,
                    )
            except IntegrityError:
                return None

        record = claim()
        if record is not None:
            return record
        expired = now - dt.timedelta(hours=settings.TONGBAN_IDEMPOTENCY_TTL_HOURS)
        freed, _ = IdempotencyRecord.objects.filter(
            owner=owner, key=key, created_at__lt=expired
        ).delete()
        return claim() if freed else None

    def _answer(self, request: HttpRequest, record: IdempotencyRecord) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 500 or getattr(response, "streaming", False):
            record.delete()
            return response
        record.status_code = response.status_code
        record.response_body = response.content
        record.content_type = response.get("Content-Type", "application/json")
        record.save(update_fields=["status_code", "response_body", "content_type"])
        return response
