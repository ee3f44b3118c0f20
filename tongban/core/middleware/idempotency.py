"""``Idempotency-Key`` on creating POSTs under /api/ (DESIGN §6)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from tongban.core import clock, errors
from tongban.core.api.problems import problem_for
from tongban.core.middleware.problems import API_PREFIX
from tongban.core.models import IdempotencyRecord


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
