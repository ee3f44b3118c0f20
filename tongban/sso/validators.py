"""The provider's rules on top of django-oauth-toolkit's validator.

- A redirect URI must equal one registered for the client, character for
  character (no loopback port or query leniency): ``invalid_request``.
- No password grant: people log in on the platform's own page only.
- Claims come from :mod:`tongban.sso.claims`, each behind its scope.
"""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

from tongban.sso import claims


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
