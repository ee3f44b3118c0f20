"""What the service-mode and window-standard endpoints share: the caller, the
version in ``If-Match``, the ``ETag`` and a form token from ``Idempotency-Key``."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse

from tongban.core import errors as core_errors
from tongban.core.api.if_match import if_match_version
from tongban.core.errors import DomainError
from tongban.identity.models import AccountKind


def user_of(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]  # set by ninja's auth


def staff_of(request: HttpRequest, detail: str) -> Any:
    """The caller, who must be a staff account (else 403 with ``detail``)."""
    user = user_of(request)
    if getattr(user, "kind", None) != AccountKind.STAFF:
        raise DomainError(core_errors.PERMISSION_DENIED, detail)
    return user


def expected_version(if_match: str | None, what: str) -> int | None:
    """The version in an optional ``If-Match`` (``"3"`` or ``3``; core.api.if_match)."""
    return if_match_version(if_match, what=f"{what}的版本号")


def with_etag(response: HttpResponse, version: int) -> None:
    response["ETag"] = f'"{version}"'


def form_key(request: HttpRequest) -> str:
    """The one-time token the services take: derived from the caller's
    ``Idempotency-Key`` (so a retried request finds the same row even after the
    stored answer expired), else a fresh one."""
    key = (request.headers.get("Idempotency-Key") or "").strip().strip('"')
    if not key:
        return uuid.uuid4().hex
    owner = getattr(getattr(request, "user", None), "pk", None) or ""
    return hashlib.sha256(f"{owner}:{key}".encode()).hexdigest()[:32]


IF_MATCH_DOC = '版本号，取自 ETag，如 "2"；可省略'
