"""Rate limits and progressive back-off on the database (DESIGN §8, issue 9).

Two mechanisms, both shared by every web process through the database:

- **Fixed windows** (:func:`rate_limit_hit`): a counter row per (key, window
  start), incremented with ``F()`` in SQL. Count what should be limited —
  for a login, the *failures* (:func:`rate_limit_check` looks without
  counting), never the successes: a service hall behind one NAT address or
  the whole site behind one proxy must not be locked out by its own users.
- **Back-off** (:func:`backoff_fail`): after ``free`` failures of one key, each
  further failure makes the key wait ``base × 2^k`` seconds, at most ``cap``;
  a success resets it (:func:`backoff_reset`), and failures older than
  ``forget_after`` are forgotten. Nobody is ever locked out for good.

Personal data never lies in a key in clear (DESIGN §8): back-off keys are
stored as a keyed hash (HMAC-SM3); a fixed-window key is stored as given (an
address, a case number…), so a caller puts a phone, an ID number or a typed
username in one only through :func:`private_part`.

Every refusal notes how long to wait (:func:`retry_after_noted`), so that the
security-headers middleware can put ``Retry-After`` on any 429 that lacks it.

Call outside a transaction that may roll back (or the attempt is forgotten).
"""

from __future__ import annotations

import datetime as dt
import math
from contextvars import ContextVar

from django.db import IntegrityError, transaction
from django.db.models import F

from tongban.core import clock
from tongban.core.crypto import search_token, sm3_hex
from tongban.core.models import Backoff, RateCounter

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_KEY_MAX = 200
_KEY_CONTEXT = "core.ratelimit"
_retry_after: ContextVar[int | None] = ContextVar("tongban_retry_after", default=None)


def private_part(value: str) -> str:
    """``value`` (a phone, an ID number, a typed username) as a keyed hash for a key."""
    return search_token(value, context=_KEY_CONTEXT)[:32]


def _stored_key(key: str) -> str:
    return key if len(key) <= _KEY_MAX else "sm3:" + sm3_hex(key.encode("utf-8"))


def _hashed_key(key: str) -> str:
    return search_token(key, context=_KEY_CONTEXT)


# --- Retry-After --------------------------------------------------------------------


def note_retry_after(seconds: int) -> int:
    """Remember that the current request must wait ``seconds`` (the longest wins)."""
    seconds = max(1, int(seconds))
    current = _retry_after.get()
    if current is None or seconds > current:
        _retry_after.set(seconds)
    return seconds


def retry_after_noted() -> int | None:
    return _retry_after.get()


def retry_after_clear() -> None:
    """Forget the noted wait (at the start of each request)."""
    _retry_after.set(None)


def wait_text(seconds: int) -> str:
    """How long to wait, in words: "30 秒" or "15 分钟"."""
    if seconds < 60:
        return f"{max(1, seconds)} 秒"
    return f"{math.ceil(seconds / 60)} 分钟"


# --- fixed windows --------------------------------------------------------------------


def window_start(moment: dt.datetime, window_seconds: int) -> dt.datetime:
    """The start of the fixed window that ``moment`` falls in (aligned to the epoch)."""
    if window_seconds <= 0:
        raise ValueError("window_seconds must be positive")
    elapsed = int((moment - _EPOCH).total_seconds())
    return _EPOCH + dt.timedelta(seconds=elapsed - elapsed % window_seconds)


def seconds_until_reset(moment: dt.datetime, window_seconds: int) -> int:
    """Seconds from ``moment`` until its window ends (at least 1)."""
    end = window_start(moment, window_seconds) + dt.timedelta(seconds=window_seconds)
    return max(1, int((end - moment).total_seconds() + 0.999))


def rate_limit_hit(
    *, key: str, limit: int, window_seconds: int, now: dt.datetime | None = None
) -> bool:
    """Count one attempt for ``key``; True when this attempt is over ``limit``.

    The first ``limit`` attempts in a window return False, the next ones True
    (and the wait until the window ends is noted for ``Retry-After``).
    """
    now = now or clock.now()
    stored = _stored_key(key)
    start = window_start(now, window_seconds)
    rows = RateCounter.objects.filter(key=stored, window_start=start)
    if not rows.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=stored, window_start=start, count=1)
        except IntegrityError:
            # Another process created this window's row first: count on it.
            rows.update(count=F("count") + 1)
        else:
            # A new window for this key: earlier windows no longer matter.
            RateCounter.objects.filter(key=stored, window_start__lt=start).delete()
    count = rows.values_list("count", flat=True).first() or 0
    if count > limit:
        note_retry_after(seconds_until_reset(now, window_seconds))
        return True
    return False


def rate_limit_check(
    *, key: str, limit: int, window_seconds: int, now: dt.datetime | None = None
) -> int:
    """Without counting: 0 while ``key`` has fewer than ``limit`` attempts in this
    window, else the seconds until the window ends (noted for ``Retry-After``)."""
    now = now or clock.now()
    count = (
        RateCounter.objects.filter(
            key=_stored_key(key), window_start=window_start(now, window_seconds)
        )
        .values_list("count", flat=True)
        .first()
        or 0
    )
    if count < limit:
        return 0
    return note_retry_after(seconds_until_reset(now, window_seconds))


def rate_limit_reset(key: str) -> None:
    """Forget every attempt counted for ``key``."""
    RateCounter.objects.filter(key=_stored_key(key)).delete()


# --- progressive back-off -------------------------------------------------------------


def backoff_delay(failures: int, *, free: int, base_seconds: int, cap_seconds: int) -> int:
    """The wait after ``failures`` failures: none for the first ``free``, then
    ``base``, ``2 × base``, ``4 × base`` … up to ``cap``."""
    beyond = failures - free
    if beyond <= 0:
        return 0
    return int(min(cap_seconds, base_seconds * 2 ** min(beyond - 1, 30)))


def backoff_wait(key: str, *, now: dt.datetime | None = None) -> int:
    """Seconds ``key`` must still wait (0: it may try now; else noted for ``Retry-After``)."""
    now = now or clock.now()
    until = (
        Backoff.objects.filter(key=_hashed_key(key), locked_until__gt=now)
        .values_list("locked_until", flat=True)
        .first()
    )
    if until is None:
        return 0
    return note_retry_after(math.ceil((until - now).total_seconds()))


def backoff_fail(
    *,
    key: str,
    free: int,
    base_seconds: int,
    cap_seconds: int,
    forget_after_seconds: int,
    now: dt.datetime | None = None,
) -> int:
    """Record one failure of ``key``; the seconds it must now wait (0: none)."""
    now = now or clock.now()
    stored = _hashed_key(key)
    with transaction.atomic():
        row = Backoff.objects.select_for_update().filter(key=stored).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = Backoff.objects.create(key=stored, failures=0, last_failure_at=now)
            except IntegrityError:  # another process recorded the first failure
                row = Backoff.objects.select_for_update().get(key=stored)
        if (now - row.last_failure_at).total_seconds() > forget_after_seconds:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        delay = backoff_delay(
            row.failures, free=free, base_seconds=base_seconds, cap_seconds=cap_seconds
        )
        row.locked_until = now + dt.timedelta(seconds=delay) if delay else None
        row.save(update_fields=["failures", "last_failure_at", "locked_until"])
    return delay


def backoff_reset(key: str) -> None:
    """Forget the failures of ``key`` (after a success)."""
    Backoff.objects.filter(key=_hashed_key(key)).delete()
