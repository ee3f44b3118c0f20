"""``{% region_switcher %}``: the header's 所在地区 choice (``portal.region``)."""

from __future__ import annotations

from typing import Any

from django import template

from tongban.portal.region import current_region, offered_regions

register = template.Library()


@register.inclusion_tag("portal/_region_switcher.html", takes_context=True)
def region_switcher(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if request is None or match is None or match.namespace == "workbench":
        # Not on staff pages (scoped by the staff member's data scope), nor on the
        # error pages of a request refused before it reached a view (400, 404):
        # those render without the database and without the user.
        return {"regions": []}
    current = current_region(request)
    regions = offered_regions()
    labels = {code: label for code, label, _depth in regions}
    return {
        "request": request,
        "regions": regions,
        "current": current,
        "current_label": labels.get(current, "全部地区"),
        "csrf_token": context.get("csrf_token"),
    }
