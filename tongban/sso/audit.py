"""Audit events of single sign-on (no personal data: the client and the error code)."""

from __future__ import annotations

from typing import Any

from tongban.core.audit import actor_label, audit_record

OBJECT_TYPE = "sso.Client"


def sso_audit(
    *, action: str, client_id: str, user: Any = None, address: str = "", **details: Any
) -> None:
    audit_record(
        actor=actor_label(user),
        action=f"sso.{action}",
        object_type=OBJECT_TYPE,
        object_id=(client_id or "")[:100] or "-",
        address=address,
        details={k: v for k, v in details.items() if v not in (None, "")},
    )


def on_token_issued(sender: Any, request: Any, token: Any, **kwargs: Any) -> None:
    """django-oauth-toolkit's ``app_authorized``: an access (and ID) token was issued."""
    from tongban.core.middleware import client_address

    sso_audit(
        action="token_issued",
        client_id=token.application.client_id if token.application_id else "",
        user=token.user,
        address=client_address(request),
        scope=token.scope,
    )
