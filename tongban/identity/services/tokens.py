"""API tokens: shown once, stored as a keyed HMAC-SM3 hash."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import router, transaction

from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.audit import actor_label, audit_record
from tongban.core.crypto import search_token
from tongban.core.errors import DomainError
from tongban.core.prepared import PreparedRead
from tongban.identity import errors
from tongban.identity.models import (
    ApiToken,
    User,
)
from tongban.identity.services._shared import (
    TOKEN_CONTEXT,
    TOKEN_PREFIX,
    TOKEN_SHOWN_CHARS,
    TOKEN_TOUCH_INTERVAL,
)

# --- API tokens ---------------------------------------------------------------------

# Every API request looks its token up: one statement, joined to the account,
# compiled once per connection (core.prepared) and read straight into a User,
# with no cache in between, so a revoked or expired token or a deactivated
# account is refused by the very next request.
_USER_FIELDS = [field.attname for field in User._meta.concrete_fields]
_TOKEN_READ = PreparedRead(
    ApiToken,
    {"token_hash": str},
    lambda token_hash: ApiToken.objects.filter(token_hash=token_hash).values_list(
        "id",
        "prefix",
        "expires_at",
        "last_used_at",
        "revoked_at",
        *(f"user__{name}" for name in _USER_FIELDS),
    ),
)


def _token_hash(plaintext: str) -> str:
    return search_token(plaintext, context=TOKEN_CONTEXT)


def token_default_expiry(now: dt.datetime) -> dt.datetime | None:
    """When a token created at ``now`` without an expiry expires
    (``TONGBAN_API_TOKEN_DEFAULT_DAYS``; 0: never)."""
    days = settings.TONGBAN_API_TOKEN_DEFAULT_DAYS
    return now + dt.timedelta(days=days) if days > 0 else None


def token_create(
    *,
    user: User,
    name: str,
    expires_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new API token for ``user``; the plaintext is returned once and never stored.

    Without ``expires_at`` it expires after the default lifetime (issue 9, item 12):
    a token forgotten in a script stops working on its own.
    """
    now = now or clock.now()
    if expires_at is None:
        expires_at = token_default_expiry(now)
    if expires_at is not None and expires_at <= now:
        raise DomainError(core_errors.VALIDATION_FAILED, "令牌过期时间须晚于当前时间")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=(name or "").strip()[:100] or "未命名令牌",
            prefix=plaintext[:TOKEN_SHOWN_CHARS],
            token_hash=_token_hash(plaintext),
            created_at=now,
            expires_at=expires_at,
        )
        audit_record(
            actor=f"user:{user.pk}",
            action="identity.token_created",
            object_type="identity.ApiToken",
            object_id=str(token.pk),
            details={"prefix": token.prefix, "name": token.name, "expires_at": expires_at},
            now=now,
        )
    return token, plaintext


def token_authenticate(plaintext: str, *, now: dt.datetime | None = None) -> User | None:
    """The active user a token belongs to, or None (unknown, revoked, inactive).

    An expired token is refused with ``token_expired`` (401), so that a script
    can tell its owner to make a new one. The lookup is by the keyed hash, so
    comparing never touches the secret.
    """
    if not plaintext or not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 200:
        return None
    now = now or clock.now()
    found = _TOKEN_READ.rows(token_hash=_token_hash(plaintext))
    if not found:
        return None
    token_id, prefix, expires_at, last_used_at, revoked_at, *user_values = found[0]
    user = User.from_db(router.db_for_read(User), _USER_FIELDS, user_values)
    if revoked_at is not None or not user.is_active:
        return None
    if expires_at is not None and expires_at <= now:
        raise DomainError(
            errors.TOKEN_EXPIRED,
            f"访问令牌 {prefix}… 已于 {clock.local_date(expires_at)} 过期，请创建新的令牌。",
            headers={
                "WWW-Authenticate": 'Bearer realm="tongban", error="invalid_token", '
                'error_description="token expired"'
            },
        )
    if last_used_at is None or now - last_used_at >= TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user


def token_revoke(
    *, token: ApiToken, actor: User | None = None, now: dt.datetime | None = None
) -> ApiToken:
    """Revoke a token; revoking one already revoked changes nothing."""
    now = now or clock.now()
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = now
        locked.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor_label(actor),
            action="identity.token_revoked",
            object_type="identity.ApiToken",
            object_id=str(locked.pk),
            details={"prefix": locked.prefix},
            now=now,
        )
    return locked


def token_revoke_by_prefix(
    *, prefix: str, actor: User | None = None, now: dt.datetime | None = None
) -> ApiToken:
    """Revoke the one token shown as ``prefix`` (``tongban token revoke``)."""
    matches = list(ApiToken.objects.filter(prefix=prefix.strip())[:2])
    if not matches:
        raise DomainError(errors.TOKEN_NOT_FOUND, f"没有前缀为 {prefix} 的访问令牌")
    if len(matches) > 1:
        raise DomainError(
            errors.TOKEN_PREFIX_AMBIGUOUS, f"前缀 {prefix} 对应多个令牌，请在管理后台撤销"
        )
    return token_revoke(token=matches[0], actor=actor, now=now)
