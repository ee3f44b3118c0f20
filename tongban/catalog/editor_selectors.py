"""Reads for catalogue editors: scoped in SQL by the editor's region and departments.

"Not in your scope" and "does not exist" are the same ``not_found``
(CONVENTIONS 5). Platform administrators see the whole catalogue.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tongban.catalog.diff import FieldChange, guide_changes
from tongban.catalog.models import GuideEvent, GuideStatus, GuideVersion, ServiceItem
from tongban.core import errors as core_errors
from tongban.core.errors import DomainError
from tongban.org.models import Role
from tongban.org.selectors import scope_q, staff_scope_for

EDITOR_ROLES = (Role.CATALOG_EDITOR, Role.PLATFORM_ADMIN)


def _editor_q(user: Any) -> Q:
    scope = staff_scope_for(user=user).for_roles(*EDITOR_ROLES)
    return scope_q(scope=scope, region_path_field="region_path", department_field="department_id")


def is_catalog_editor(*, user: Any) -> bool:
    return staff_scope_for(user=user).has_role(*EDITOR_ROLES)


def service_item_list_for_editor(*, user: Any, q: str = "") -> QuerySet[ServiceItem]:
    items = ServiceItem.objects.filter(_editor_q(user)).select_related(
        "department", "region", "current_version"
    )
    if q.strip():
        items = items.filter(
            Q(name__icontains=q.strip()) | Q(implementation_code__icontains=q.strip())
        )
    return items.order_by("region_path", "name", "id")


def service_item_get_for_editor(*, user: Any, implementation_code: str) -> ServiceItem:
    item = (
        ServiceItem.objects.filter(_editor_q(user), implementation_code=implementation_code)
        .select_related("department", "region", "basic_item", "current_version")
        .first()
    )
    if item is None:
        raise DomainError(core_errors.NOT_FOUND, "未找到该事项，或不在您的编辑范围内。")
    return item


def guide_versions_for_editor(*, user: Any, item: ServiceItem) -> QuerySet[GuideVersion]:
    service_item_get_for_editor(user=user, implementation_code=item.implementation_code)
    return item.versions.select_related(
        "created_by", "updated_by", "submitted_by", "reviewed_by"
    ).order_by("-number")


def guide_version_get_for_editor(
    *, user: Any, implementation_code: str, number: int
) -> GuideVersion:
    item = service_item_get_for_editor(user=user, implementation_code=implementation_code)
    version = item.versions.filter(number=number).first()
    if version is None:
        raise DomainError(core_errors.NOT_FOUND, f"未找到第 {number} 版。")
    return version


def open_draft(item: ServiceItem) -> GuideVersion | None:
    return item.versions.filter(status__in=[GuideStatus.DRAFT, GuideStatus.IN_REVIEW]).first()


def open_drafts_for_items(items: list[ServiceItem]) -> dict[int, GuideVersion]:
    """The open draft (or version in review) of each item, in one query.

    The items come from a scoped selector, so nothing outside the editor's
    scope is read.
    """
    ids = [item.pk for item in items]
    if not ids:
        return {}
    versions = GuideVersion.objects.filter(
        service_item_id__in=ids, status__in=[GuideStatus.DRAFT, GuideStatus.IN_REVIEW]
    ).only("id", "service_item_id", "number", "status")
    return {version.service_item_id: version for version in versions}


def guide_events(version: GuideVersion) -> QuerySet[GuideEvent]:
    return version.events.select_related("actor").order_by("at", "id")


def guide_diff(old: GuideVersion | None, new: GuideVersion) -> list[FieldChange]:
    """Field by field, what changed from ``old`` to ``new`` (all fields if ``old``
    is None), with each change in words (``catalog.diff``)."""
    return guide_changes(old.content if old else None, new.content)
