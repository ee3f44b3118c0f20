"""The only source of the current time (DESIGN §4, CONVENTIONS 6).

Services take ``now=None`` and call :func:`now` only when it is not given, so
tests inject time. Stored datetimes are aware UTC; dates are shown and
counted in Asia/Shanghai, where the working-day calendar lives.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    """The current moment, aware, in UTC."""
    return timezone.now()


def local_date(moment: dt.datetime | None = None) -> dt.date:
    """The calendar date in Asia/Shanghai of ``moment`` (default: now)."""
    moment = moment or now()
    return moment.astimezone(SHANGHAI).date()


def today() -> dt.date:
    """Today's date in Asia/Shanghai."""
    return local_date(now())
