"""Password log-in, rate-limited per account and per address, audited."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate

from tongban.core import clock
from tongban.core.audit import audit_record
from tongban.core.errors import DomainError
from tongban.core.ratelimit import rate_limit_hit, rate_limit_reset, seconds_until_reset
from tongban.identity import errors
from tongban.identity.models import (
    AccountKind,
    User,
)

# --- login -------------------------------------------------------------------------


def login_attempt(
    *, username: str, password: str, address: str = "", now: dt.datetime | None = None
) -> User:
    """Check a username and password; the user, or ``login_failed`` / ``login_rate_limited``.

    Attempts are counted per username and per address (settings
    ``TONGBAN_LOGIN_RATE_LIMIT`` per ``TONGBAN_LOGIN_RATE_WINDOW_SECONDS``)
    before the password is checked, so a limited caller learns nothing.
    Call outside an atomic block: the count and the audit row must survive
    the error.
    """
    now = now or clock.now()
    username = (username or "").strip()[:150]
    limit = settings.TONGBAN_LOGIN_RATE_LIMIT
    window = settings.TONGBAN_LOGIN_RATE_WINDOW_SECONDS
    user_key = f"login:user:{username.lower()}"
    hits = [rate_limit_hit(key=user_key, limit=limit, window_seconds=window, now=now)]
    if address:
        hits.append(
            rate_limit_hit(key=f"login:addr:{address}", limit=limit, window_seconds=window, now=now)
        )
    details: dict[str, Any] = {"username": username}
    if any(hits):
        audit_record(
            actor="anonymous",
            action="identity.login_rate_limited",
            object_type="identity.User",
            object_id=username,
            address=address,
            details=details,
            now=now,
        )
        minutes = math.ceil(seconds_until_reset(now, window) / 60)
        raise DomainError(
            errors.LOGIN_RATE_LIMITED,
            f"登录尝试过于频繁，请 {minutes} 分钟后再试",
            extra={"retry_after": minutes * 60},
        )
    found = authenticate(None, username=username, password=password)
    user = found if isinstance(found, User) else None
    if user is None or user.kind == AccountKind.SYSTEM:
        audit_record(
            actor="anonymous",
            action="identity.login_failed",
            object_type="identity.User",
            object_id=username,
            address=address,
            details=details,
            now=now,
        )
        raise DomainError(errors.LOGIN_FAILED, "用户名或密码错误")
    rate_limit_reset(user_key)
    User.objects.filter(pk=user.pk).update(last_login=now)
    user.last_login = now
    audit_record(
        actor=f"user:{user.pk}",
        action="identity.login_succeeded",
        object_type="identity.User",
        object_id=str(user.pk),
        address=address,
        details=details,
        now=now,
    )
    return user
