"""Pure time rules of 好差评 (CONVENTIONS 6): no clock is read here."""

from __future__ import annotations

import datetime as dt

from tongban.core.calendar import WorkingCalendar


def rectification_due(start: dt.date, working_days: int, cal: WorkingCalendar) -> dt.date:
    """The last day to rectify a bad rating given on ``start`` (the rating's day not counted)."""
    return cal.add_working_days(start, working_days)


def rating_changeable_until(rated_on: dt.date, days: int) -> dt.date:
    """The last natural day on which a rating given on ``rated_on`` may still be changed."""
    return rated_on + dt.timedelta(days=days)
