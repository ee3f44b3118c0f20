"""Reads of the catalogue.

Public reads come first: what anyone (portal, mobile, terminal, other
systems) may see is an *active* item with a *published* guide; everything
else is "not found". Editor reads, scoped by the editor's data scope, follow
in their own section at the end.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q, QuerySet

from tongban.catalog import search
from tongban.catalog.content import LimitUnit
from tongban.catalog.models import ServiceItem
from tongban.catalog.search import SearchPage
from tongban.core import errors as core_errors
from tongban.core.errors import DomainError

# 实施编码: 18-character credit code + level digit + 12-character basic code; be lenient
# on the length but never send arbitrary text (NUL, slashes) to the database.
_IMPLEMENTATION_CODE = re.compile(r"^[0-9A-Z]{1,40}$")

# --- public reads ---------------------------------------------------------------------------


def service_item_get_public(implementation_code: str, *, guide: bool = True) -> ServiceItem:
    """A published, active item with its current version, department and region.

    With ``guide=False`` the version's guide document (``content``, the
    largest column) is not read: for a caller that keeps published guides by
    version (``catalog.api.items``). Raises ``not_found`` for an unknown code,
    an item never published and a cancelled item alike.
    """
    code = (implementation_code or "").strip().upper()
    item = None
    if _IMPLEMENTATION_CODE.match(code):
        items = search.published_items().select_related("current_version", "department", "region")
        if not guide:
            items = items.defer("current_version__content")
        item = items.filter(implementation_code=code).first()
    if item is None:
        raise DomainError(core_errors.NOT_FOUND, f"事项 {code[:40]} 不存在或未发布。")
    return item


def service_items_by_codes(codes: Iterable[str]) -> dict[str, ServiceItem]:
    """The published, active items among ``codes``, by implementation code (one query)."""
    wanted = {c.strip().upper() for c in codes if c and _IMPLEMENTATION_CODE.match(c.strip())}
    if not wanted:
        return {}
    items = (
        search.published_items()
        .select_related("department", "region")
        .filter(implementation_code__in=wanted)
    )
    return {item.implementation_code: item for item in items}


def service_items_search(
    *,
    q: str = "",
    region: str | None = None,
    department: int | None = None,
    audience: str | None = None,
    theme: str | None = None,
    mode: str | None = None,
    item_type: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
    columns: Sequence[str] = (),
) -> SearchPage:
    """One page of published items, best match first (see ``catalog.search``);
    with ``columns``, items reading only those."""
    return search.search_items(
        q=q,
        region=region,
        department=department,
        audience=audience,
        theme=theme,
        mode=mode,
        item_type=item_type,
        cursor=cursor,
        limit=limit,
        columns=columns,
    )


def service_item_suggestions(*, q: str, region: str | None = None, limit: int = 8) -> list[str]:
    """Item names for as-you-type completion."""
    return search.suggest(q, region=region, limit=limit)


def promised_units(items: Iterable[ServiceItem]) -> dict[int, str]:
    """The unit of each item's promised limit (working or natural days), by item id.

    A facet column copied at publication, so no query.
    """
    return {item.pk: item.promised_unit or LimitUnit.WORKING_DAYS.value for item in items}


def departments_with_items(*, region: str | None = None) -> list[tuple[int, str]]:
    """(id, name) of the departments that implement published items a citizen of
    ``region`` can use (the region, the regions above and below it), by name.

    One query (plus one for the region). For the department filter of the portal.
    """
    from tongban.org.models import Department

    items = search.published_items()
    if region:
        items = items.filter(search.region_scope(region).q())
    return list(
        Department.objects.filter(pk__in=items.values("department_id"))
        .order_by("name", "id")
        .values_list("id", "name")
    )


def guide_history_public(item: ServiceItem, *, limit: int = 20) -> list[Any]:
    """The published versions of an item, newest first, with their 修订说明
    (issue 20, item 6): what the public guide's history shows. One query."""
    from tongban.catalog.models import GuideStatus

    return list(
        item.versions.filter(status__in=[GuideStatus.PUBLISHED, GuideStatus.SUPERSEDED])
        .only("number", "status", "published_at", "change_note", "service_item_id")
        .order_by("-number")[:limit]
    )


SWITCHER_LEVELS = ("province", "city", "county")


REGIONS_CACHE_KEY = "tongban:catalog:regions-with-items"


def regions_with_items(*, fresh: bool = False) -> list[tuple[str, str, str]]:
    """(code, name, level) of the regions a visitor may choose in the header
    (issue 20, item 5): every province, city and county with a published item
    in it or beneath it, ordered by code.

    Kept in the cache and rewritten by every publication (``services``), so a
    page pays no query for it; two queries when absent."""
    from django.core.cache import cache

    from tongban.org.models import Region

    if not fresh:
        cached = cache.get(REGIONS_CACHE_KEY)
        if cached is not None:
            return list(cached)
    paths = search.published_items().values_list("region_path", flat=True).distinct()
    codes = {code for path in paths for code in search.region_codes(path)}
    found = Region.objects.filter(code__in=codes, level__in=SWITCHER_LEVELS).order_by("code")
    regions = [(r.code, r.name, r.level) for r in found]
    cache.set(REGIONS_CACHE_KEY, regions, None)
    return regions


def service_item_list_for_clerk(*, user: Any, q: str = "") -> QuerySet[ServiceItem]:
    """Published items a window clerk may take applications for: the clerk's
    window scope (region subtree and departments), by name or 实施编码."""
    from tongban.org.models import Role
    from tongban.org.selectors import scope_q, staff_scope_for

    scope = staff_scope_for(user=user).for_roles(Role.WINDOW_CLERK)
    items = search.published_items().filter(
        scope_q(scope=scope, region_path_field="region_path", department_field="department_id")
    )
    text = q.strip()
    if text:
        items = items.filter(Q(name__icontains=text) | Q(implementation_code__icontains=text))
    return items.select_related("department", "current_version").order_by("name", "id")
