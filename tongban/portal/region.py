"""The visitor's region (所在地区), chosen in the header and remembered.

A cookie holds the chosen code; without one, the region defaults from the
account: a citizen's household region (the first six digits of the ID number,
which its masked form keeps, GB 11643), a business's registration region (the
3rd–8th characters of its credit code, GB 32100), a member of staff's scope.
Only regions with published items are offered (``catalog.selectors
.regions_with_items``, cached until the next publication); searches and lists are
scoped to the region unless the page asks for another one.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tongban.catalog.selectors import regions_with_items

REGION_COOKIE = "tb_region"


def offered_regions() -> list[tuple[str, str, int]]:
    """(code, name, depth) of the regions the switcher offers."""
    depth = {"province": 0, "city": 1}
    return [(code, name, depth.get(level, 2)) for code, name, level in regions_with_items()]


def _nearest(code: str, codes: set[str]) -> str:
    """``code`` or the nearest region above it that is offered ("" for none)."""
    for candidate in (code, code[:4] + "00", code[:2] + "0000"):
        if len(candidate) == 6 and candidate in codes:
            return candidate
    return ""


def account_region(user: Any) -> str:
    """The region an account suggests, before any choice (see the module docstring)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    if getattr(user, "kind", "") == "staff":
        assignment = user.staff_assignments.filter(active=True).order_by("id").first()
        return str(assignment.region_scope_id)[:6] if assignment else ""
    if getattr(user, "kind", "") == "business":
        from tongban.identity.selectors import legal_entities_for_user

        entity = legal_entities_for_user(user=user).order_by("id").first()
        if entity is not None:
            return entity.credit_code[2:8]
    person = getattr(user, "person", None)
    masked = getattr(person, "id_number_masked", "") or ""
    return masked[:6] if masked[:6].isdigit() else ""


def current_region(request: HttpRequest) -> str:
    """The code of the visitor's region, "" for 全国 (no choice and no default)."""
    cached = getattr(request, "_tongban_region", None)
    if cached is not None:
        return str(cached)
    codes = {code for code, _label, _depth in offered_regions()}
    chosen = request.COOKIES.get(REGION_COOKIE, "")
    if chosen == "all":
        region = ""
    elif chosen in codes:
        region = chosen
    else:
        region = _nearest(account_region(getattr(request, "user", None)), codes)
    request._tongban_region = region  # type: ignore[attr-defined]  # once per request
    return region
