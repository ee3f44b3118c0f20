"""Reads for catalogue editors: scoped in SQL by the editor's region and departments.

"Not in your scope" and "does not exist" are the same ``not_found``
(CONVENTIONS 5). Platform administrators see the whole catalogue.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from tongban.catalog.content import GuideContent
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


# Chinese labels of the guide's fields, for a readable diff.
FIELD_LABELS = {
    "name": "事项名称", "aliases": "别名", "keywords": "关键词", "audience": "服务对象",
    "themes": "主题", "handling": "办件类型", "legal_limit": "法定时限",
    "promised_limit": "承诺时限", "online_depth": "网办深度", "visits_required": "跑动次数",
    "mobile": "掌上办", "free": "是否收费", "fees": "收费项目", "conditions": "受理条件",
    "legal_bases": "设定依据", "result": "办理结果", "result_certificate_type": "结果证照类型",
    "steps": "办理环节", "situations": "情形", "questions": "情形引导问题", "materials": "申请材料",
    "form": "申请表", "modes": "服务方式", "commitment_text": "告知承诺书", "halls": "办理地点",
    "address": "地址", "office_hours": "办公时间", "contacts": "咨询投诉", "licence_separation":
    "证照分离改革方式", "prior_approval": "前置审批", "intermediary_service": "中介服务",
    "notes": "备注",
}  # fmt: skip


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str
    lines: list[str]  # unified diff lines of the two values, for long fields


def _pretty(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


def guide_diff(old: GuideVersion | None, new: GuideVersion) -> list[FieldChange]:
    """Field by field, what changed from ``old`` to ``new`` (all fields if ``old`` is None)."""
    before = GuideContent.model_validate(old.content).model_dump(mode="json") if old else {}
    after = GuideContent.model_validate(new.content).model_dump(mode="json")
    changes = []
    for field in GuideContent.model_fields:
        a, b = before.get(field), after.get(field)
        if a == b:
            continue
        a_text, b_text = ("" if a is None else _pretty(a)), ("" if b is None else _pretty(b))
        lines = list(
            difflib.unified_diff(
                a_text.splitlines(), b_text.splitlines(), "修改前", "修改后", lineterm="", n=2
            )
        )
        changes.append(FieldChange(field, FIELD_LABELS.get(field, field), a_text, b_text, lines))
    return changes
