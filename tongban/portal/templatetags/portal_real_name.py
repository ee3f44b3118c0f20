"""``{% real_name_notice guide %}``: tells the visitor on a guide or apply page
that the item needs a higher real-name level than hers, and how to raise it
(issue 14, item 2). Intake refuses the same case (``cases.services.intake``);
this says so before she fills anything in."""

from __future__ import annotations

from typing import Any

from django import template

from tongban.identity.models import RealNameLevel
from tongban.identity.selectors import person_real_name_level

register = template.Library()

SHORT = {1: "一级", 2: "二级", 3: "三级"}


@register.inclusion_tag("portal/identity/_level_notice.html", takes_context=True)
def real_name_notice(context: dict[str, Any], guide: Any) -> dict[str, Any]:
    required = int(getattr(guide, "min_real_name_level", None) or 0)
    request = context.get("request")
    user = getattr(request, "user", None)
    if not required or request is None or user is None:
        return {"show": False}
    signed_in = bool(user.is_authenticated)
    level = person_real_name_level(user.person) if signed_in and user.person_id else 0
    if signed_in and level >= required:
        return {"show": False}
    return {
        "show": True,
        "signed_in": signed_in,
        "required": required,
        "required_short": SHORT[required],
        "level_short": SHORT.get(level, "未实名"),
        "online": required <= RealNameLevel.L2 and getattr(user, "kind", "") == "citizen",
        "next": request.get_full_path(),
    }
