"""Template tags for the admin index: which years lack working-day calendar data."""

from __future__ import annotations

from django import template
from django.conf import settings

from tongban.core import calendar, clock

register = template.Library()


@register.simple_tag
def calendar_missing_years() -> list[int]:
    return calendar.missing_years(
        today=clock.today(), lookahead=settings.TONGBAN_CALENDAR_LOOKAHEAD_YEARS
    )
