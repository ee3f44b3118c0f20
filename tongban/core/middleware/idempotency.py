"""``Idempotency-Key`` on creating POSTs under /api/ (DESIGN §6; ``core.idempotency``)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from tongban.core import clock, idempotency
from tongban.core.middleware.problems import API_PREFIX
from tongban.core.models import IdempotencyRecord


class IdempotencyMiddleware:
    """``Idempotency-Key`` on creating POSTs under /api/ (DESIGN §6).

    The first request with a key runs and its answer is stored; a repeat with
    the same key and the same body gets the stored answer (header
    ``Idempotent-Replayed: true``, with its ``Location`` and ``ETag``); an
    answer marked with ``idempotency.withhold`` keeps only its status. The same
    key with another body is a 422; a repeat while the first is still running
    is a 409. A 5xx answer is not stored, so the client may retry.

    On the paths registered with ``idempotency.handled_in_view`` the view
    claims the key and stores its answer in its own transaction
    (``idempotency.respond_once``); here only an answer already stored is
    looked for.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not request.path.startswith(API_PREFIX) or key is None:
            return self.get_response(request)
        key = key.strip().strip('"')
        refused = idempotency.key_problem(key)
        if refused is not None:
            return refused
        pending = idempotency.Pending(
            owner=idempotency.owner_of(request),
            key=key,
            digest=idempotency.digest_of(request),
            method=request.method or "POST",
            path=request.path,
            at=clock.now(),
        )
        if idempotency.is_handled_in_view(pending.method, request.path):
            answered = idempotency.stored_answer(pending)
            if answered is not None:
                return answered
            request.idempotency_pending = pending  # type: ignore[attr-defined]  # read by idempotency.claim
            return self.get_response(request)
        record = self._claim(pending)
        if record is None:
            existing = IdempotencyRecord.objects.filter(owner=pending.owner, key=key).first()
            return idempotency.answer_for(existing, pending.digest)
        return self._answer(request, record)

    @staticmethod
    def _claim(pending: idempotency.Pending) -> IdempotencyRecord | None:
        """The new record for this key, or None when the key is taken. A key held
        by an expired record is freed and claimed again; a fresh key (the usual
        case) costs one insert."""

        def claim() -> IdempotencyRecord | None:
            try:
                with transaction.atomic():
                    return IdempotencyRecord.objects.create(
                        owner=pending.owner,
                        key=pending.key,
                        method=pending.method,
                        path=pending.path,
                        request_hash=pending.digest,
                        created_at=pending.at,
                    )
            except IntegrityError:
                return None

        record = claim()
        if record is not None:
            return record
        expired = idempotency.expired_before(pending.at)
        freed, _ = IdempotencyRecord.objects.filter(
            owner=pending.owner, key=pending.key, created_at__lt=expired
        ).delete()
        return claim() if freed else None

    def _answer(self, request: HttpRequest, record: IdempotencyRecord) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 500 or getattr(response, "streaming", False):
            record.delete()
            return response
        fields = idempotency.answer_fields(request, response)
        for name, value in fields.items():
            setattr(record, name, value)
        record.save(update_fields=list(fields))
        return response
