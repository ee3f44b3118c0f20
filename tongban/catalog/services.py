"""Writes of the catalogue: basic items, service items, guide versions.

Every transition of a guide version goes through one service here, which
locks the version row, checks ``workflow.TRANSITIONS``, appends a
``GuideEvent``, writes the audit event and refreshes the item's facets and
search entry on publication (CONVENTIONS 4).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from pydantic import ValidationError

from tongban.catalog import errors, workflow
from tongban.catalog.content import GuideContent
from tongban.catalog.lint import errors_of, lint_guide
from tongban.catalog.models import (
    REGION_LEVEL_TO_LEVEL,
    BasicItem,
    FieldDefinition,
    GuideEvent,
    GuideStatus,
    GuideVersion,
    ItemType,
    Level,
    ServiceItem,
)
from tongban.catalog.selectors import regions_with_items
from tongban.core import clock
from tongban.core.api.problems import field_message
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError
from tongban.org.models import Department, Role
from tongban.org.selectors import staff_scope_for

_BASIC_CODE = re.compile(r"^[0-9A-Z]{12}$")


def _path(loc: tuple[Any, ...]) -> str:
    """A pydantic location as a guide path: ("materials", 0, "name") → materials[0].name."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def guide_content_parse(data: Any) -> GuideContent:
    """Validate a guide document; field errors in Chinese with their paths."""
    try:
        return GuideContent.model_validate(data)
    except ValidationError as exc:
        fields = [
            {"field": _path(err["loc"]), "code": err["type"], "message": field_message(err)}
            for err in exc.errors()
        ]
        summary = "；".join(f"{f['field']}：{f['message']}" for f in fields[:5])
        raise DomainError(
            errors.INVALID_GUIDE, f"办事指南内容有误：{summary}", fields=fields
        ) from None


def _lint_or_raise(content: GuideContent, item_type: str, *, step: str) -> None:
    blocking = errors_of(lint_guide(content, item_type=item_type))
    if blocking:
        summary = "；".join(f.message for f in blocking[:3])
        more = f"（另有 {len(blocking) - 3} 项）" if len(blocking) > 3 else ""
        raise DomainError(
            errors.GUIDE_LINT_FAILED,
            f"办事指南有 {len(blocking)} 处不符合规范，不能{step}：{summary}{more}",
            fields=[{"field": f.field, "code": f.code, "message": f.message} for f in blocking],
        )


def basic_item_create(
    *,
    code: str,
    name: str,
    item_type: str,
    legal_basis: str,
    levels: str,
    high_frequency: bool = False,
    now: dt.datetime | None = None,
) -> BasicItem:
    code = (code or "").strip().upper()
    if not _BASIC_CODE.match(code):
        raise DomainError(
            errors.INVALID_BASIC_CODE, f"基本编码须为 12 位数字或大写字母，收到 {code!r}"
        )
    if item_type not in ItemType.values:
        raise DomainError(errors.INVALID_BASIC_CODE, f"事项类型 {item_type!r} 不存在")
    if not legal_basis.strip():
        raise DomainError(errors.INVALID_BASIC_CODE, "基本目录事项须写明设定依据")
    if not levels or any(c not in Level.values for c in levels):
        raise DomainError(errors.INVALID_BASIC_CODE, f"行使层级 {levels!r} 无效（1 国家 … 6 村）")
    item, _ = BasicItem.objects.update_or_create(
        code=code,
        defaults={
            "name": name.strip(),
            "item_type": item_type,
            "legal_basis": legal_basis.strip(),
            "levels": levels,
            "high_frequency": high_frequency,
            "created_at": now or clock.now(),
        },
    )
    return item


def basic_item_usage_set(*, counts: dict[int, int], now: dt.datetime | None = None) -> int:
    """Record each basic item's cases of the last year (id → count; absent: 0),
    the usage signal of search ranking. Returns the number of items changed."""
    moment = now or clock.now()
    changed = 0
    with transaction.atomic():
        for item in BasicItem.objects.select_for_update().only("usage_count"):
            count = max(0, int(counts.get(item.pk, 0)))
            if item.usage_count != count:
                changed += 1
            item.usage_count = count
            item.usage_counted_at = moment
            item.save(update_fields=["usage_count", "usage_counted_at"])
    return changed


def level_of(department: Department) -> str:
    return REGION_LEVEL_TO_LEVEL[department.region.level]


def implementation_code_for(*, department: Department, basic_item: BasicItem) -> str:
    """实施编码: the department's credit code + the level digit + the basic code."""
    return f"{department.credit_code}{level_of(department)}{basic_item.code}"


def _event(
    version: GuideVersion,
    action: str,
    frm: str,
    to: str,
    actor: Any,
    now: dt.datetime,
    comment: str = "",
) -> None:
    GuideEvent.objects.create(
        version=version,
        at=now,
        actor=actor,
        action=action,
        from_status=frm,
        to_status=to,
        comment=comment,
    )
    audit_record(
        actor=actor_label(actor),
        action=f"guide.{action}",
        object_type="guide_version",
        object_id=f"{version.service_item.implementation_code}/v{version.number}",
        details={"from": frm, "to": to, "comment": comment},
        now=now,
    )


def service_item_create(
    *,
    basic_item: BasicItem,
    department: Department,
    content: Any,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> ServiceItem:
    """Implement ``basic_item`` in ``department``; its guide starts as draft v1."""
    moment = now or clock.now()
    guide = guide_content_parse(content)
    level = level_of(department)
    if level not in basic_item.levels:
        raise DomainError(
            errors.LEVEL_NOT_ALLOWED,
            f"“{basic_item.name}”的行使层级为 {basic_item.levels}，"
            f"{department.name}所在层级（{Level(level).label}）不能实施。",
        )
    code = implementation_code_for(department=department, basic_item=basic_item)
    try:
        with transaction.atomic():
            item = ServiceItem.objects.create(
                implementation_code=code,
                basic_item=basic_item,
                department=department,
                region=department.region,
                region_path=department.region.path,
                level=level,
                created_at=moment,
                name=guide.name,
                item_type=basic_item.item_type,
            )
            version = GuideVersion.objects.create(
                service_item=item,
                number=1,
                status=GuideStatus.DRAFT,
                content=guide.model_dump(mode="json"),
                created_at=moment,
                created_by=actor,
                updated_at=moment,
                updated_by=actor,
            )
            _event(version, "create", "", GuideStatus.DRAFT, actor, moment)
    except IntegrityError:
        raise DomainError(
            errors.SERVICE_ITEM_EXISTS, f"{department.name}已实施“{basic_item.name}”（{code}）。"
        ) from None
    return item


def _require_editor(actor: Any, item: ServiceItem) -> None:
    """The actor edits the catalogue for this item's department and region."""
    if actor is None:
        return  # system and data loading
    scope = staff_scope_for(user=actor)
    for grant in scope.grants:
        if grant.role not in (Role.CATALOG_EDITOR, Role.PLATFORM_ADMIN):
            continue
        if not item.region_path.startswith(grant.region_path):
            continue
        if grant.department_ids is not None and item.department_id not in grant.department_ids:
            continue
        return
    raise DomainError(errors.NOT_EDITOR, "您没有编辑该事项办事指南的权限。")


def _locked(version_id: int) -> GuideVersion:
    return (
        GuideVersion.objects.select_for_update().select_related("service_item").get(pk=version_id)
    )


def _transition(version: GuideVersion, action: str) -> tuple[str, str]:
    if not workflow.allowed(action, version.status):
        raise DomainError(
            errors.INVALID_TRANSITION,
            f"指南当前为“{GuideStatus(version.status).label}”，不能{workflow.ACTION_LABELS[action]}。",
        )
    frm, to = workflow.TRANSITIONS[action]
    return frm, to


def guide_draft_create(
    *, service_item: ServiceItem, actor: Any = None, now: dt.datetime | None = None
) -> GuideVersion:
    """Open a new draft from the current published version."""
    moment = now or clock.now()
    _require_editor(actor, service_item)
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=service_item.pk)
        if item.versions.filter(status__in=[GuideStatus.DRAFT, GuideStatus.IN_REVIEW]).exists():
            raise DomainError(errors.OPEN_DRAFT_EXISTS, "该事项已有未发布的草稿，请在草稿上修改。")
        base = item.current_version
        if base is None:
            raise DomainError(errors.INVALID_TRANSITION, "该事项尚无已发布的版本。")
        last = item.versions.order_by("-number").values_list("number", flat=True).first() or 0
        version = GuideVersion.objects.create(
            service_item=item,
            number=last + 1,
            status=GuideStatus.DRAFT,
            content=base.content,
            created_at=moment,
            created_by=actor,
            updated_at=moment,
            updated_by=actor,
        )
        _event(version, "create", "", GuideStatus.DRAFT, actor, moment, f"基于第 {base.number} 版")
    return version


def guide_draft_update(
    *,
    version: GuideVersion,
    content: Any,
    expected_revision: int,
    change_note: str = "",
    actor: Any = None,
    now: dt.datetime | None = None,
) -> GuideVersion:
    moment = now or clock.now()
    guide = guide_content_parse(content)
    with transaction.atomic():
        locked = _locked(version.pk)
        _require_editor(actor, locked.service_item)
        if locked.status != GuideStatus.DRAFT:
            raise DomainError(errors.INVALID_TRANSITION, "只有草稿可以修改。")
        if locked.revision != expected_revision:
            raise DomainError(
                errors.STALE_REVISION,
                f"指南已被他人修改（当前第 {locked.revision} 次修订），请刷新后再改。",
            )
        locked.content = guide.model_dump(mode="json")
        locked.revision += 1
        locked.change_note = change_note.strip()[:500]
        locked.updated_at = moment
        locked.updated_by = actor
        locked.save(
            update_fields=["content", "revision", "change_note", "updated_at", "updated_by"]
        )
        _event(locked, "update", GuideStatus.DRAFT, GuideStatus.DRAFT, actor, moment, change_note)
    return locked


def guide_submit(
    *, version: GuideVersion, actor: Any = None, now: dt.datetime | None = None
) -> GuideVersion:
    """Send a draft for review; it must pass the lint first."""
    moment = now or clock.now()
    with transaction.atomic():
        locked = _locked(version.pk)
        _require_editor(actor, locked.service_item)
        frm, to = _transition(locked, "submit")
        _lint_or_raise(
            GuideContent.model_validate(locked.content),
            locked.service_item.item_type,
            step="提交审核",
        )
        locked.status = to
        locked.submitted_at = moment
        locked.submitted_by = actor
        locked.save(update_fields=["status", "submitted_at", "submitted_by"])
        _event(locked, "submit", frm, to, actor, moment)
    return locked


def guide_reject(
    *, version: GuideVersion, comment: str, actor: Any = None, now: dt.datetime | None = None
) -> GuideVersion:
    moment = now or clock.now()
    if not comment.strip():
        raise DomainError(errors.INVALID_GUIDE, "退回修改须写明意见。")
    with transaction.atomic():
        locked = _locked(version.pk)
        _require_editor(actor, locked.service_item)
        frm, to = _transition(locked, "reject")
        locked.status = to
        locked.reviewed_at = moment
        locked.reviewed_by = actor
        locked.review_comment = comment.strip()[:1000]
        locked.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment"])
        _event(locked, "reject", frm, to, actor, moment, comment)
    return locked


def guide_publish(
    *,
    version: GuideVersion,
    actor: Any = None,
    comment: str = "",
    change_note: str | None = None,
    now: dt.datetime | None = None,
) -> GuideVersion:
    """Approve and publish; the previous published version is superseded.

    A version after the first is published with its 修订说明 (``change_note``,
    the editor's unless the reviewer rewrites it), which the public guide's
    history shows."""
    from tongban.catalog.search import search_index_item

    moment = now or clock.now()
    with transaction.atomic():
        locked = _locked(version.pk)
        item = ServiceItem.objects.select_for_update().get(pk=locked.service_item_id)
        _require_editor(actor, item)
        frm, to = _transition(locked, "publish")
        if (
            settings.TONGBAN_CATALOG_FOUR_EYES
            and actor is not None
            and locked.submitted_by_id == actor.pk
        ):
            raise DomainError(
                errors.FOUR_EYES, "提交审核的人不能审核发布自己提交的指南，请由另一位事项编辑审核。"
            )
        note = (locked.change_note if change_note is None else change_note).strip()[:500]
        if not note and previous_exists(item):
            raise DomainError(
                errors.CHANGE_NOTE_REQUIRED,
                "请填写修订说明：本版修改了什么、为什么修改（发布后在办事指南的修订记录中公开）。",
            )
        guide = GuideContent.model_validate(locked.content)
        _lint_or_raise(guide, item.item_type, step="发布")
        _register_form_fields(guide)
        previous = item.current_version
        if previous is not None:
            previous.status = GuideStatus.SUPERSEDED
            previous.superseded_at = moment
            previous.save(update_fields=["status", "superseded_at"])
            _event(
                previous,
                "supersede",
                GuideStatus.PUBLISHED,
                GuideStatus.SUPERSEDED,
                actor,
                moment,
                f"由第 {locked.number} 版取代",
            )
        locked.status = to
        locked.reviewed_at = moment
        locked.reviewed_by = actor
        locked.review_comment = comment.strip()[:1000]
        locked.published_at = moment
        locked.change_note = note or ("首次发布" if previous is None else "")
        locked.save(
            update_fields=[
                "status",
                "reviewed_at",
                "reviewed_by",
                "review_comment",
                "published_at",
                "change_note",
            ]
        )
        _event(locked, "publish", frm, to, actor, moment, comment)
        _apply_facets(item, locked, guide, moment)
        search_index_item(service_item=item, now=moment)
    # The header's region switcher offers the regions with published items.
    regions_with_items(fresh=True)
    return locked


def previous_exists(item: ServiceItem) -> bool:
    """Has the item been published before (so a new version needs a 修订说明)?"""
    return item.current_version_id is not None


def _register_form_fields(guide: GuideContent) -> None:
    """Form fields are shared by code across items (so bundles can merge forms):
    a code keeps one type; the first guide to publish a code defines it."""
    codes = [f.code for f in guide.form]
    known = {d.code: d for d in FieldDefinition.objects.filter(code__in=codes)}
    conflicts = []
    for index, form_field in enumerate(guide.form):
        existing = known.get(form_field.code)
        if existing is None:
            known[form_field.code] = FieldDefinition.objects.create(
                code=form_field.code, label=form_field.label, type=form_field.type
            )
        elif existing.type != form_field.type:
            conflicts.append(
                {
                    "field": f"form[{index}].type",
                    "code": "form_field_type_conflict",
                    "message": f"字段 {form_field.code}（{existing.label}）已定义为 {existing.type}"
                    f" 类型，本指南为 {form_field.type}；同一字段编码须保持同一类型。",
                }
            )
    if conflicts:
        raise DomainError(
            errors.INVALID_GUIDE, "；".join(c["message"] for c in conflicts), fields=conflicts
        )


def _apply_facets(
    item: ServiceItem, version: GuideVersion, guide: GuideContent, moment: dt.datetime
) -> None:
    item.current_version = version
    item.name = guide.name
    item.handling = guide.handling
    item.online_depth = guide.online_depth
    item.visits_required = guide.visits_required
    item.mobile = guide.mobile
    item.audience = [a.value for a in guide.audience]
    item.themes = list(guide.themes)
    item.modes = [m.value for m in guide.modes]
    item.has_fee = not guide.free
    item.licence_separation = guide.licence_separation.value if guide.licence_separation else ""
    item.prior_approval = guide.prior_approval
    item.intermediary_service = guide.intermediary_service
    item.promised_days = guide.promised_limit.value
    item.promised_unit = guide.promised_limit.unit.value
    item.published_at = moment
    item.save()


def guide_load_published(
    *,
    basic_item: BasicItem,
    department: Department,
    content: Any,
    now: dt.datetime | None = None,
) -> ServiceItem:
    """Create (or update) an item and publish its guide at once: for data loading
    (demo catalogue, bulk import), where the file itself was reviewed. Runs the
    same validation and lint as the editorial flow."""
    moment = now or clock.now()
    guide = guide_content_parse(content)
    code = implementation_code_for(department=department, basic_item=basic_item)
    with transaction.atomic():
        item = ServiceItem.objects.filter(implementation_code=code).first()
        if item is None:
            item = service_item_create(
                basic_item=basic_item, department=department, content=content, now=moment
            )
            draft = item.versions.get(number=1)
        else:
            current = item.current_version
            if current is not None and current.content == guide.model_dump(mode="json"):
                return item  # unchanged: no new version
            draft = item.versions.filter(status=GuideStatus.DRAFT).first() or guide_draft_create(
                service_item=item, now=moment
            )
            draft = guide_draft_update(
                version=draft,
                content=content,
                expected_revision=draft.revision,
                change_note="批量导入",
                now=moment,
            )
        draft = guide_submit(version=draft, now=moment)
        guide_publish(version=draft, now=moment)
        item.refresh_from_db()
    return item
