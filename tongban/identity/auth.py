"""API authentication: ``Authorization: Bearer`` tokens and the session (DESIGN §6).

Routers use ``auth=api_auth``. The bearer token is tried first; the session
cookie second, with CSRF checked (a cookie is sent by the browser on its own,
so a session-authenticated write must prove it comes from our pages).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from tongban.identity.models import User
from tongban.identity.services import token_authenticate


class BearerTokenAuth(HttpBearer):
    """A personal or system API token (``tb_…``)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_authenticate(token.strip())
        if user is not None:
            # Code below the API reads the caller from request.user, as for pages.
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """Django's session login (CSRF checked), for our own pages' scripts."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


bearer_auth = BearerTokenAuth()
session_auth = ActiveSessionAuth(csrf=True)
api_auth = [bearer_auth, session_auth]
