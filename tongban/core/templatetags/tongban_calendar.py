"""``{% load tongban_calendar %}``: mark dates counted on a provisional year.

``{{ case.decision_deadline|provisional_badge }}`` renders nothing for a date
whose year has its State Council notice, and the badge "暂定，待国务院放假通知
发布后确认" for a date counted on the 放假办法 alone (ADR-0006).
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tongban.core.calendar import PROVISIONAL_NOTE, get_calendar

register = template.Library()


@register.filter
def provisional_badge(day: dt.date | None) -> SafeString | str:
    if not isinstance(day, dt.date) or not get_calendar().is_provisional(day):
        return ""
    return format_html('<span class="badge badge-provisional">{}</span>', PROVISIONAL_NOTE)


@register.filter
def is_provisional(day: dt.date | None) -> bool:
    return isinstance(day, dt.date) and get_calendar().is_provisional(day)
