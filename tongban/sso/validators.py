"""The provider's rules on top of django-oauth-toolkit's validator.

- A redirect URI must equal one registered for the client, character for
  character (no loopback port or query leniency): ``invalid_request``.
- No password grant: people log in on the platform's own page only.
- Claims come from :mod:`tongban.sso.claims`, each behind its scope.

A code exchange reads its grant once. django-oauth-toolkit looks the grant up
by its code six times per exchange (its scopes, the client, the PKCE challenge
and method, the redirect URI, the nonce, the resource) and loads the ID token
it has just signed again by verifying it and reading its row and its client.
Here the grant is read once with its user and person, locked (``FOR UPDATE``)
when the exchange runs in a transaction (``views.TokenView``: a replay of the
same code waits and then finds it gone), kept on the oauthlib request, and
every check compares against it exactly as the library's own look-ups would
(the same code, the same client). The ID token row stored a moment before is
used as it is. Nothing of the protocol is skipped: PKCE, the exact redirect
URI, the expiry and the code's single use are checked as before.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any

from django.db import router, transaction
from oauth2_provider.models import get_access_token_model, get_grant_model, get_id_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors
from oauthlib.oauth2.rfc6749.utils import scope_to_list

from tongban.sso import claims

Grant = get_grant_model()
AccessToken = get_access_token_model()
IDToken = get_id_token_model()

# The access token the current exchange stored, for the token view's audit
# (django-oauth-toolkit reads it back by its checksum to send ``app_authorized``).
issued_access_token: ContextVar[Any] = ContextVar("tongban_sso_issued_access_token", default=None)


def redirect_uri_registered(client: Any, redirect_uri: str) -> bool:
    return bool(redirect_uri) and redirect_uri in (client.redirect_uris or "").split()


class TongbanOAuth2Validator(OAuth2Validator):
    oidc_claim_scope = claims.CLAIM_SCOPES

    def validate_redirect_uri(
        self, client_id: str, redirect_uri: str, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        return redirect_uri_registered(request.client, redirect_uri)

    def validate_user(self, *args: Any, **kwargs: Any) -> bool:
        return False  # no password grant: people log in on our own page only

    def get_additional_claims(self) -> dict[str, Any]:
        return {
            "name": lambda r: claims.name(r.user),
            "preferred_username": lambda r: r.user.username,
            "account_kind": lambda r: r.user.kind,
            "real_name_level": lambda r: r.user.real_name_level,
            "real_name_level_label": lambda r: claims.real_name_level_label(r.user),
            "id_number_masked": lambda r: claims.id_number_masked(r.user),
            "legal_entities": lambda r: claims.legal_entities(r.user),
            "departments": lambda r: claims.departments(r.user),
            "roles": lambda r: claims.roles(r.user),
        }

    # -- the grant, read once per exchange --------------------------------

    def _grant(self, request: Any, code: str | None) -> Any:
        """The grant with this code (any client), read once per oauthlib request."""
        cached = getattr(request, "_tongban_grant", None)
        if cached is not None and cached.code == code:
            return cached
        if not code:
            return None
        rows = Grant.objects.select_related("user__person").filter(code=code)
        if transaction.get_connection().in_atomic_block:
            rows = rows.select_for_update(of=("self",))
        grant = rows.first()
        if grant is not None:
            request._tongban_grant = grant
        return grant

    def _client_grant(self, request: Any, code: str | None, client: Any) -> Any:
        """The grant with this code issued to ``client`` (the library's
        ``Grant.objects.get(code=code, application=client)``), or ``None``."""
        grant = self._grant(request, code)
        if grant is None or client is None or grant.application_id != client.pk:
            return None
        return grant

    def get_authorization_code_scopes(
        self, client_id: str, code: str, redirect_uri: str, request: Any
    ) -> list[str]:
        grant = self._grant(request, code)
        return scope_to_list(grant.scope) if grant is not None and grant.scope else []

    def validate_code(
        self, client_id: str, code: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        grant = self._client_grant(request, code, client)
        if grant is None or grant.is_expired():
            return False
        request.scopes = grant.scope.split(" ")
        request.user = grant.user
        if grant.nonce:
            request.nonce = grant.nonce
        if grant.claims:
            request.claims = json.loads(grant.claims)
        return True

    def get_code_challenge(self, code: str, request: Any) -> str | None:
        grant = self._client_grant(request, code, request.client)
        if grant is None:
            raise Grant.DoesNotExist
        return grant.code_challenge or None

    def get_code_challenge_method(self, code: str, request: Any) -> str | None:
        grant = self._client_grant(request, code, request.client)
        if grant is None:
            raise Grant.DoesNotExist
        return grant.code_challenge_method or None

    def confirm_redirect_uri(
        self,
        client_id: str,
        code: str,
        redirect_uri: str,
        client: Any,
        request: Any = None,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        if request is None:
            return bool(super().confirm_redirect_uri(client_id, code, redirect_uri, client))
        grant = self._client_grant(request, code, client)
        if grant is None:
            raise Grant.DoesNotExist
        return bool(grant.redirect_uri_allowed(redirect_uri))

    def get_authorization_code_nonce(
        self, client_id: str, code: str, redirect_uri: str, request: Any
    ) -> str | None:
        grant = self._grant(request, code)
        return grant.nonce if grant is not None and grant.nonce else None

    def _check_and_set_request_resource(self, request: Any) -> None:
        """RFC 8707 resources; for a code exchange, narrowed to the grant's
        (the library's rules, on the grant already read)."""
        if request.grant_type != "authorization_code":
            return super()._check_and_set_request_resource(request)
        resource = getattr(request, "resource", None)
        if isinstance(resource, str):
            values = [
                v for k, v in (getattr(request, "decoded_body", None) or []) if k == "resource"
            ]
            if len(values) > 1:
                resource = values
        if isinstance(resource, list):
            request.resource = resource or []
        elif resource and isinstance(resource, str) and resource.strip():
            request.resource = [resource]
        else:
            request.resource = []
        self._validate_resource_uris(request, request.resource)
        grant = self._client_grant(request, request.code, request.client)
        granted = (grant.resource or []) if grant is not None else []
        if request.resource and granted:
            for res in request.resource:
                if res not in granted:
                    raise errors.CustomOAuth2Error(
                        error="invalid_target",
                        description=f"The requested resource '{res}' is not allowed.",
                        request=request,
                    )
        elif granted:
            self._validate_resource_uris(request, granted)
            request.resource = granted
        return None

    # -- the tokens ---------------------------------------------------------

    def save_bearer_token(
        self, token: dict[str, Any], request: Any, *args: Any, **kwargs: Any
    ) -> Any:
        """The library's, in the exchange's transaction (no savepoint of its own)."""
        with transaction.atomic(using=router.db_for_write(AccessToken), savepoint=False):
            return self._save_bearer_token(token, request, *args, **kwargs)

    def _create_access_token(
        self, expires: Any, request: Any, token: dict[str, Any], source_refresh_token: Any = None
    ) -> Any:
        """The library's access token row, bound to the ID token row this
        exchange has just stored (``finalize_id_token`` keeps it on the request)."""
        id_token = None
        if token.get("id_token"):
            stored = getattr(request, "id_token", None)
            id_token = (
                stored if isinstance(stored, IDToken) else self._load_id_token(token["id_token"])
            )
        access_token = AccessToken(
            user=request.user,
            scope=token["scope"],
            expires=expires,
            id_token=id_token,
            application=request.client,
            source_refresh_token=source_refresh_token,
            resource=getattr(request, "resource", []),
        )
        self._set_token_value(access_token, token["access_token"])
        access_token.save()
        issued_access_token.set(access_token)
        return access_token
