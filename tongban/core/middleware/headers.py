"""Security headers on every answer (DESIGN §8, issue 9 items 2 and 12).

- **CSP with a nonce.** Scripts run only from our own origin or, inline, when
  they carry this request's nonce (``<script nonce="{{ csp_nonce }}">``); no
  ``'unsafe-inline'`` for scripts. Styles keep ``'unsafe-inline'`` (the admin
  and Swagger UI set style attributes; a style cannot run code).
- **No caching of personal data.** Every answer Django produces is
  ``Cache-Control: no-store`` unless a view chose its own caching for a
  caller without credentials; a caller with a session cookie or an
  ``Authorization`` header always gets ``no-store`` (pages, API answers and
  file downloads alike). Static files are answered by WhiteNoise before this
  and keep their long-lived caching.
- **Retry-After on every 429**: the wait the rate limiter noted for this
  request, else a minute.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from tongban.core.ratelimit import retry_after_clear, retry_after_noted

NONCE_ATTRIBUTE = "csp_nonce"
DEFAULT_RETRY_AFTER_SECONDS = 60


def csp_for(nonce: str) -> str:
    return (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        f"script-src 'self' 'nonce-{nonce}'; object-src 'none'; base-uri 'self'; "
        "frame-ancestors 'none'; form-action 'self'"
    )


def csp_nonce(request: HttpRequest) -> str:
    """This request's nonce (made on first use)."""
    nonce = getattr(request, NONCE_ATTRIBUTE, None)
    if nonce is None:
        nonce = secrets.token_urlsafe(18)
        setattr(request, NONCE_ATTRIBUTE, nonce)
    return str(nonce)


def _has_credentials(request: HttpRequest) -> bool:
    return "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES


class SecurityHeadersMiddleware:
    """CSP (with this request's nonce), Cache-Control, Retry-After and related headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        retry_after_clear()
        nonce = csp_nonce(request)
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", csp_for(nonce))
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        cache_control = response.get("Cache-Control", "")
        if "no-store" not in cache_control and (not cache_control or _has_credentials(request)):
            response["Cache-Control"] = "no-store"
        if response.status_code == 429 and not response.has_header("Retry-After"):
            response["Retry-After"] = str(retry_after_noted() or DEFAULT_RETRY_AFTER_SECONDS)
        return response
