"""``Idempotency-Key`` on creating POSTs under /api/ (DESIGN §6): the claim, the
replay and the stored answer.

A creating POST with a key gets its key handled in one of two ways.

* **In the view's own transaction** (the paths registered with
  :func:`handled_in_view`: the case and the 一件事 submissions). The middleware
  only looks for an answer already stored under the key — a retry after the
  first request committed gets it at once, and nothing runs. Otherwise the view
  calls :func:`respond_once`: in the one transaction that writes the
  submission, the key is claimed first (one ``INSERT … ON CONFLICT DO NOTHING``)
  and the answer stored last, so claim, submission and answer cost one commit
  and one WAL flush instead of three. A concurrent retry's claim waits on the
  first request's uncommitted row (the unique index) and, when the first
  commits, finds its answer and replays it; if the first rolled back, the retry
  runs. A refusal (4xx) is raised through the transaction and rolls the claim
  back with everything else: nothing is stored, and a retry runs again (it
  wrote nothing).
* **In the middleware** (every other path): the key is claimed in its own
  transaction before the view runs and the answer stored after it.

Either way: the same key and body replay the first answer with its
``Location`` and ``ETag`` (``Idempotent-Replayed: true``), the same key with another body is 422
``idempotency_key_reused``, a repeat while a middleware-claimed first request
still runs is 409 ``idempotency_in_progress``, a 5xx answer is not stored.

An answer that carries something to be shown once (a bid's decryption code, a
client secret) is marked with :func:`withhold` by its view: only its status is
stored, and a repeat gets 409 ``idempotency_answer_withheld`` saying the first
request succeeded, so it is neither done twice nor kept in the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Field
from django.http import HttpRequest, HttpResponse

from tongban.core import errors
from tongban.core.api.problems import problem_for
from tongban.core.models import IdempotencyRecord

_IN_VIEW: list[tuple[str, re.Pattern[str]]] = []

# Headers of the first answer that a replay carries too.
REPLAYED_HEADERS = ("Location", "ETag")


def withhold(answer: HttpRequest | HttpResponse) -> None:
    """Mark an answer never to be stored for replay (it holds a secret): the
    response itself, or its request when the view does not build the response
    (a django-ninja view returning data)."""
    answer.idempotency_withheld = True  # type: ignore[union-attr]  # read by answer_fields


def answer_fields(request: HttpRequest, response: HttpResponse) -> dict[str, object]:
    """What :class:`IdempotencyRecord` keeps of an answer."""
    if getattr(response, "idempotency_withheld", False) or getattr(
        request, "idempotency_withheld", False
    ):
        return {
            "status_code": response.status_code,
            "response_body": b"",
            "content_type": "",
            "response_headers": {},
            "withheld": True,
        }
    return {
        "status_code": response.status_code,
        "response_body": response.content,
        "content_type": response.get("Content-Type", "application/json"),
        "response_headers": {h: response[h] for h in REPLAYED_HEADERS if h in response},
        "withheld": False,
    }


def handled_in_view(method: str, path_pattern: str) -> None:
    """Register a path whose view claims its key in its own transaction
    (:func:`respond_once`); called from the app's ``AppConfig.ready``."""
    entry = (method.upper(), re.compile(path_pattern))
    if entry not in _IN_VIEW:
        _IN_VIEW.append(entry)


def is_handled_in_view(method: str, path: str) -> bool:
    return any(m == method and p.fullmatch(path) for m, p in _IN_VIEW)


@dataclass
class Pending:
    """A key sent with a request, not yet claimed by the view."""

    owner: str
    key: str
    digest: str
    method: str
    path: str
    at: dt.datetime
    record_id: int | None = None
    stored: bool = False  # the answer went in with the view's own statement


def owner_of(request: HttpRequest) -> str:
    auth = request.headers.get("Authorization", "")
    if auth:
        return "auth:" + hashlib.sha256(auth.encode("utf-8")).hexdigest()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "addr:" + (request.META.get("REMOTE_ADDR") or "unknown")


def digest_of(request: HttpRequest) -> str:
    return hashlib.sha256(
        (request.method or "POST").encode() + b" " + request.path.encode() + b"\n" + request.body
    ).hexdigest()


def key_problem(key: str) -> HttpResponse | None:
    """The 400 for a key that cannot be one, else None."""
    if not key or len(key) > 200 or not key.isascii() or not key.isprintable():
        return problem_for(
            errors.IDEMPOTENCY_KEY_INVALID, "Idempotency-Key 须为 1 到 200 个可打印 ASCII 字符。"
        )
    return None


def expired_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(hours=settings.TONGBAN_IDEMPOTENCY_TTL_HOURS)


def answer_for(record: IdempotencyRecord | None, digest: str) -> HttpResponse:
    """What a request whose key is already taken by ``record`` gets."""
    if record is None or (record.request_hash == digest and record.status_code is None):
        return problem_for(errors.IDEMPOTENCY_IN_PROGRESS, "相同请求正在处理中，请稍后重试。")
    if record.request_hash != digest:
        return problem_for(
            errors.IDEMPOTENCY_KEY_REUSED, "该 Idempotency-Key 已用于内容不同的请求，请换用新的键。"
        )
    if record.withheld:
        return problem_for(
            errors.IDEMPOTENCY_ANSWER_WITHHELD,
            f"相同请求已于 {record.created_at:%Y-%m-%d %H:%M} 处理（状态 {record.status_code}），"
            "其应答含只显示一次的内容，不予重放；请勿重复提交，可查询已提交的记录。",
        )
    replay = HttpResponse(
        bytes(record.response_body or b""),
        status=record.status_code,
        content_type=record.content_type,
    )
    for name, value in (record.response_headers or {}).items():
        if name in REPLAYED_HEADERS:
            replay[name] = value
    replay["Idempotent-Replayed"] = "true"
    return replay


def stored_answer(pending: Pending) -> HttpResponse | None:
    """Before the view runs: the answer a key already has (a replay, 422 or 409),
    or None when the view is to run. An expired record is deleted first."""
    record = IdempotencyRecord.objects.filter(owner=pending.owner, key=pending.key).first()
    if record is None:
        return None
    if record.created_at < expired_before(pending.at):
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return None
    return answer_for(record, pending.digest)


def pending_of(request: HttpRequest) -> Pending | None:
    return getattr(request, "idempotency_pending", None)


def _insert(pending: Pending) -> int | None:
    """Claim the key: one statement, no savepoint. None when the key is taken
    (on PostgreSQL, after waiting for an uncommitted claim of the same key to
    commit or roll back)."""
    table = connection.ops.quote_name(IdempotencyRecord._meta.db_table)
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({q('owner')}, {q('key')}, {q('method')}, {q('path')}, "  # noqa: S608  # names from the model
            f"{q('request_hash')}, {q('content_type')}, {q('response_headers')}, "
            f"{q('withheld')}, {q('created_at')}) "
            "VALUES (%s, %s, %s, %s, %s, '', '{}', %s, %s) "
            f"ON CONFLICT ({q('owner')}, {q('key')}) DO NOTHING RETURNING {q('id')}",
            [
                pending.owner,
                pending.key,
                pending.method,
                pending.path[:500],
                pending.digest,
                False,
                connection.ops.adapt_datetimefield_value(pending.at),
            ],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def claim(request: HttpRequest) -> HttpResponse | None:
    """In the caller's transaction: claim the request's key, or return the answer
    the key already has (replay, 422, 409). None also when the request has no key."""
    pending = pending_of(request)
    if pending is None:
        return None
    if not connection.in_atomic_block:
        raise RuntimeError("idempotency.claim must run in the transaction that writes")
    pending.record_id = _insert(pending)
    if pending.record_id is not None:
        return None
    record = IdempotencyRecord.objects.filter(owner=pending.owner, key=pending.key).first()
    if record is not None and record.created_at < expired_before(pending.at):
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        pending.record_id = _insert(pending)
        if pending.record_id is not None:
            return None
        record = IdempotencyRecord.objects.filter(owner=pending.owner, key=pending.key).first()
    return answer_for(record, pending.digest)


def store(request: HttpRequest, response: HttpResponse) -> None:
    """In the same transaction as :func:`claim`: keep the answer under the key."""
    pending = pending_of(request)
    if pending is None or pending.record_id is None or pending.stored:
        return
    IdempotencyRecord.objects.filter(pk=pending.record_id).update(
        **answer_fields(request, response)
    )


def store_sql(request: HttpRequest, response: HttpResponse) -> tuple[str, list[object]] | None:
    """:func:`store` as an ``UPDATE`` for the caller to run within one of its own
    statements (PostgreSQL, ``core.one_statement``), which must then run in the
    transaction of the claim: the answer is marked stored, so that
    :func:`respond_once` does not store it again. None when there is nothing to
    store (no key, or no claim)."""
    pending = pending_of(request)
    if pending is None or pending.record_id is None:
        return None
    fields = answer_fields(request, response)
    q = connection.ops.quote_name
    record = IdempotencyRecord._meta
    columns = [cast(Field[Any, Any], record.get_field(name)) for name in fields]
    sets = ", ".join(f"{q(str(f.column))} = %s" for f in columns)
    values = [f.get_db_prep_save(fields[f.name], connection=connection) for f in columns]
    pending.stored = True
    table = q(record.db_table)
    # Names from the model's metadata: no input.
    return f"UPDATE {table} SET {sets} WHERE {q('id')} = %s RETURNING {q('id')}", [  # noqa: S608
        *values,
        pending.record_id,
    ]


def respond_once(request: HttpRequest, write: Callable[[], HttpResponse]) -> HttpResponse:
    """Run ``write`` — the submission's writes and its rendered answer — in one
    transaction with the key's claim and its stored answer. ``write`` runs in
    that transaction: its own ``atomic()`` blocks are savepoints."""
    with transaction.atomic():
        taken = claim(request)
        if taken is not None:
            return taken
        response = write()
        if response.status_code >= 500:
            transaction.set_rollback(True)
            return response
        store(request, response)
    return response
