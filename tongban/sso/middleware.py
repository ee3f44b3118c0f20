"""The login page may send its form on to a registered client's callback.

A browser applies the login page's CSP ``form-action`` to every redirect the
login form's submission goes through: log in → ``/oidc/authorize/`` → the
client's ``redirect_uri``. With ``form-action 'self'`` the last step is
blocked. When the login page's ``next`` is an authorization request whose
client exists and whose ``redirect_uri`` is registered for it exactly, this
adds that one origin to the login page's ``form-action``; every other page
keeps ``'self'``.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.urls import reverse
from oauth2_provider.models import get_application_model

from tongban.sso.validators import redirect_uri_registered
from tongban.sso.views import _allow_form_to


def _callback_of(next_url: str) -> str:
    """The registered callback ``next_url`` (an authorization request) leads to, or ``""``."""
    parts = urlsplit(next_url or "")
    if parts.scheme or parts.netloc or parts.path != reverse("oauth2_provider:authorize"):
        return ""
    query = parse_qs(parts.query)
    client_id = (query.get("client_id") or [""])[0][:100]
    redirect_uri = (query.get("redirect_uri") or [""])[0][:2000]
    if not client_id or not redirect_uri:
        return ""
    client = get_application_model().objects.filter(client_id=client_id).first()
    if client is None or not redirect_uri_registered(client, redirect_uri):
        return ""
    return redirect_uri


class LoginFormActionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path != resolve_url(settings.LOGIN_URL) or response.status_code != 200:
            return response
        next_url = request.POST.get("next") or request.GET.get("next") or ""
        callback = _callback_of(next_url) if "/oidc/" in next_url else ""
        return _allow_form_to(request, response, callback) if callback else response
