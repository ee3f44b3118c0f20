"""Template tags for the admin index: the holiday notice operations should import."""

from __future__ import annotations

from typing import Any

from django import template

from tongban.core import calendar, clock

register = template.Library()


@register.simple_tag
def calendar_notice_due() -> dict[str, Any] | None:
    """From 1 November, next year while it has no notice (provisional, ADR-0006);
    at any time, a current year without data. ``None`` when all is in order."""
    year = calendar.notice_due(today=clock.today())
    if year is None:
        return None
    return {"year": year, "provisional": year in calendar.get_calendar().provisional_years}
