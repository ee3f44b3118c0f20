"""Writes of single sign-on: registering a client (by an administrator)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model
from oauth2_provider.settings import oauth2_settings

from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError
from tongban.sso import errors

Application = get_application_model()


def validate_redirect_uris(value: str, *, field: str = "redirect_uris") -> list[str]:
    """Absolute URIs with an allowed scheme, a host, and no fragment (RFC 6749 §3.1.2)."""
    uris = (value or "").split()
    schemes = oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES
    for uri in uris:
        parts = urlsplit(uri)
        if parts.scheme not in schemes or not parts.netloc or parts.fragment or "#" in uri:
            raise DomainError(
                errors.CLIENT_REDIRECT_URI_INVALID,
                f"回调地址 {uri[:200]} 不符合要求："
                f"须为完整地址（{'、'.join(schemes)}），不含片段（#）。",
                fields=[{"field": field, "code": "invalid", "message": uri[:200]}],
            )
    return uris


def client_register(
    *,
    name: str,
    redirect_uris: str,
    post_logout_redirect_uris: str = "",
    confidential: bool = True,
    first_party: bool = False,
    actor: Any = None,
) -> tuple[Any, str]:
    """Register a system that logs users in through the platform.

    Authorization code with PKCE only, ID tokens RS256. ``first_party``
    (a government department's own system) skips the consent page; a
    third-party client always asks. The client secret is returned once and
    stored hashed; a public client (a mobile app) has none.
    """
    name = (name or "").strip()
    if not name or len(name) > 255:
        raise DomainError(errors.CLIENT_NAME_INVALID, "系统名称须为 1 到 255 个字符。")
    uris = validate_redirect_uris(redirect_uris)
    if not uris:
        raise DomainError(errors.CLIENT_REDIRECT_URI_INVALID, "须至少登记一个回调地址。")
    logout_uris = validate_redirect_uris(
        post_logout_redirect_uris, field="post_logout_redirect_uris"
    )
    secret = generate_client_secret() if confidential else ""
    with transaction.atomic():
        client = Application.objects.create(
            name=name,
            redirect_uris=" ".join(uris),
            post_logout_redirect_uris=" ".join(logout_uris),
            client_type=Application.CLIENT_CONFIDENTIAL
            if confidential
            else Application.CLIENT_PUBLIC,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            client_secret=secret,
            hash_client_secret=True,
            skip_authorization=first_party,
            algorithm=Application.RS256_ALGORITHM,
        )
        audit_record(
            actor=actor_label(actor),
            action="sso.client_registered",
            object_type="sso.Client",
            object_id=client.client_id,
            details={
                "name": client.name,
                "redirect_uris": uris,
                "confidential": confidential,
                "first_party": first_party,
            },
        )
    return client, secret
