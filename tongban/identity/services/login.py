"""Password log-in with failure back-off per account and per address, audited.

Issue 9, item 2. Only *failures* count — twelve correct logins of six people
from one hall's NAT address are twelve logins. Three limits, each keyed on
what it protects (``core.ratelimit``; settings ``TONGBAN_LOGIN_*``):

1. one account from one address: after ``FREE_FAILURES`` failures a growing
   wait (30 s, 1 min, 2 min … 15 min); a success clears it. Guessing someone's
   password slows the guesser, not the owner at another address;
2. one account from every address together: the same back-off after
   ``ACCOUNT_FREE_FAILURES`` failures, against a guess spread over many
   addresses. It only ever delays, never locks out for good;
3. one address over every account (trying many usernames):
   ``ADDRESS_FAILURES`` failures per window.

The waits are checked before the password, so a waiting caller learns
nothing. The address is the client's, behind trusted proxies only
(``core.middleware.proxies``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate

from tongban.core import clock
from tongban.core.audit import audit_record
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_mobile_phone
from tongban.core.ratelimit import (
    backoff_fail,
    backoff_reset,
    backoff_wait,
    rate_limit_check,
    rate_limit_hit,
    wait_text,
)
from tongban.identity import errors
from tongban.identity.models import AccountKind, User
from tongban.identity.selectors import citizen_usernames_for_phone
from tongban.identity.services._shared import looks_like_phone, safe_for_audit


def _account_name(typed: str) -> str:
    """The username ``typed`` names: itself, or the one citizen account whose
    phone it is (a phone may sign in in place of the username)."""
    if not typed or not looks_like_phone(typed) or User.objects.filter(username=typed).exists():
        return typed
    try:
        phone = validate_mobile_phone(typed)
    except DomainError:
        return typed
    usernames = citizen_usernames_for_phone(phone)
    return usernames[0] if len(usernames) == 1 else typed


def _keys(account: str, address: str) -> tuple[str, str, str]:
    name = account.lower()
    return f"login:pair:{name}|{address}", f"login:account:{name}", f"login:address:{address}"


def login_wait(*, username: str, address: str = "", now: dt.datetime | None = None) -> int:
    """Seconds before ``username`` may try to log in from ``address`` (0: now)."""
    return _wait(_account_name((username or "").strip()[:150]), address, now or clock.now())


def _wait(account_name: str, address: str, now: dt.datetime) -> int:
    pair, account, by_address = _keys(account_name, address)
    waits = [backoff_wait(pair, now=now), backoff_wait(account, now=now)]
    if address:
        waits.append(
            rate_limit_check(
                key=by_address,
                limit=settings.TONGBAN_LOGIN_ADDRESS_FAILURES,
                window_seconds=settings.TONGBAN_LOGIN_RATE_WINDOW_SECONDS,
                now=now,
            )
        )
    return max(waits)


def _count_failure(account: str, address: str, now: dt.datetime) -> None:
    pair, whole_account, by_address = _keys(account, address)
    common: dict[str, Any] = {
        "base_seconds": settings.TONGBAN_LOGIN_BACKOFF_BASE_SECONDS,
        "cap_seconds": settings.TONGBAN_LOGIN_BACKOFF_MAX_SECONDS,
        "forget_after_seconds": settings.TONGBAN_LOGIN_FAILURE_MEMORY_SECONDS,
        "now": now,
    }
    backoff_fail(key=pair, free=settings.TONGBAN_LOGIN_FREE_FAILURES, **common)
    backoff_fail(key=whole_account, free=settings.TONGBAN_LOGIN_ACCOUNT_FREE_FAILURES, **common)
    if address:
        rate_limit_hit(
            key=by_address,
            limit=settings.TONGBAN_LOGIN_ADDRESS_FAILURES,
            window_seconds=settings.TONGBAN_LOGIN_RATE_WINDOW_SECONDS,
            now=now,
        )


def login_attempt(
    *, username: str, password: str, address: str = "", now: dt.datetime | None = None
) -> User:
    """Check a username (or a citizen's phone) and password.

    The user, or ``login_failed`` (401) / ``login_rate_limited`` (429, with
    ``Retry-After``). Call outside an atomic block: the failure count and the
    audit row must survive the error.
    """
    now = now or clock.now()
    typed = (username or "").strip()[:150]
    account = _account_name(typed)
    details: dict[str, Any] = {"username": safe_for_audit(typed)}
    wait = _wait(account, address, now)
    if wait:
        audit_record(
            actor="anonymous",
            action="identity.login_rate_limited",
            object_type="identity.User",
            object_id=safe_for_audit(account),
            address=address,
            details=details,
            now=now,
        )
        raise DomainError(
            errors.LOGIN_RATE_LIMITED,
            f"登录尝试过于频繁，请 {wait_text(wait)}后再试",
            extra={"retry_after": wait},
            headers={"Retry-After": str(wait)},
        )
    found = authenticate(None, username=account, password=password)
    user = found if isinstance(found, User) else None
    if user is None or user.kind == AccountKind.SYSTEM:
        _count_failure(account, address, now)
        audit_record(
            actor="anonymous",
            action="identity.login_failed",
            object_type="identity.User",
            object_id=safe_for_audit(account),
            address=address,
            details=details,
            now=now,
        )
        raise DomainError(errors.LOGIN_FAILED, "用户名或密码错误")
    backoff_reset(_keys(account, address)[0])
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
