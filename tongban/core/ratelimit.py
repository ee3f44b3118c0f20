"""Fixed-window rate limiting on the database (DESIGN §8: login is rate-limited).

A counter row per (key, window start). The database is shared by every web
process, so the limit holds however many processes serve requests. Counts
are incremented with ``F()`` in SQL, never read-modify-write in Python.

Call outside a transaction that may roll back (or the attempt is forgotten).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F

from tongban.core import clock
from tongban.core.crypto import sm3_hex
from tongban.core.models import RateCounter

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_KEY_MAX = 200


def _stored_key(key: str) -> str:
    return key if len(key) <= _KEY_MAX else "sm3:" + sm3_hex(key.encode("utf-8"))


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

    The first ``limit`` attempts in a window return False, the next ones True.
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
    return count > limit


def rate_limit_reset(key: str) -> None:
    """Forget every attempt counted for ``key``."""
    RateCounter.objects.filter(key=_stored_key(key)).delete()
