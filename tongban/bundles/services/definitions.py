"""Bundle definitions: created, drafted, linted, reviewed and published with the
same editorial workflow and four-eyes rule as guides (``catalog.services``).

Every transition of a version goes through one service here, which locks the
version row, checks ``workflow.VERSION_TRANSITIONS``, appends a
``BundleVersionEvent``, writes the audit event and, on publication, refreshes
the bundle's facets and department sets.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from tongban.bundles import errors, workflow
from tongban.bundles.content import BundleContent
from tongban.bundles.lint import errors_of, lint_bundle
from tongban.bundles.models import Bundle, BundleVersion, BundleVersionEvent, VersionStatus
from tongban.bundles.services._common import audit, content_parse, lint_context
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.org.models import Department, Region, Role
from tongban.org.selectors import staff_scope_for

_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
# Path words of /api/v1/bundles/… that a bundle code may not take.
RESERVED_CODES = frozenset({"applications", "projects", "definitions", "lint", "stats"})


def _event(
    version: BundleVersion,
    action: str,
    frm: str,
    to: str,
    actor: Any,
    now: dt.datetime,
    comment: str = "",
) -> None:
    BundleVersionEvent.objects.create(
        version=version,
        at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_status=frm,
        to_status=to,
        comment=comment[:1000],
    )
    audit(
        actor=actor,
        action=f"bundle.{action}",
        object_type="bundle_version",
        object_id=f"{version.bundle.code}/v{version.number}",
        details={"from": frm, "to": to, "comment": comment[:200]},
        now=now,
    )


def _require_editor(actor: Any, bundle: Bundle, content: BundleContent | None = None) -> None:
    """The actor edits the catalogue in the bundle's region, for a lead department."""
    if actor is None:
        return  # system and data loading
    leads = set(
        Department.objects.filter(
            credit_code__in=(content.lead_departments if content else [])
        ).values_list("pk", flat=True)
    ) or set(bundle.lead_departments.values_list("pk", flat=True))
    for grant in staff_scope_for(user=actor).grants:
        if grant.role not in (Role.CATALOG_EDITOR, Role.PLATFORM_ADMIN):
            continue
        if not bundle.region_path.startswith(grant.region_path):
            continue
        if grant.department_ids is not None and not (leads & grant.department_ids):
            continue
        return
    raise DomainError(errors.NOT_EDITOR, "您没有编辑该一件事的权限（须为本区划的事项编辑）。")


def _lint_or_raise(content: BundleContent, bundle: Bundle, *, step: str) -> None:
    blocking = errors_of(lint_bundle(content, lint_context(content, bundle.region_path)))
    if blocking:
        summary = "；".join(f.message for f in blocking[:3])
        more = f"（另有 {len(blocking) - 3} 项）" if len(blocking) > 3 else ""
        raise DomainError(
            errors.BUNDLE_LINT_FAILED,
            f"一件事定义有 {len(blocking)} 处不符合规范，不能{step}：{summary}{more}",
            fields=[{"field": f.field, "code": f.code, "message": f.message} for f in blocking],
        )


def _transition(version: BundleVersion, action: str) -> tuple[str, str]:
    if not workflow.version_allowed(action, version.status):
        raise DomainError(
            errors.INVALID_TRANSITION,
            f"一件事定义当前为“{VersionStatus(version.status).label}”，"
            f"不能{workflow.VERSION_LABELS[action]}。",
        )
    return workflow.VERSION_TRANSITIONS[action]


def _locked(version_id: int) -> BundleVersion:
    return BundleVersion.objects.select_for_update().select_related("bundle").get(pk=version_id)


def bundle_create(
    *, code: str, region: Region, content: Any, actor: Any = None, now: dt.datetime | None = None
) -> Bundle:
    """A new bundle in ``region``; its definition starts as draft v1."""
    moment = now or clock.now()
    code = (code or "").strip().lower()
    if not _CODE.match(code) or code in RESERVED_CODES:
        raise DomainError(
            errors.BUNDLE_INVALID,
            "一件事编码须为 2–40 位小写字母、数字或连字符，且不能是保留字。",
            fields=[{"field": "code", "code": "invalid", "message": code[:40]}],
        )
    parsed = content_parse(content)
    try:
        with transaction.atomic():
            bundle = Bundle.objects.create(
                code=code,
                region=region,
                region_path=region.path,
                created_at=moment,
                name=parsed.name,
            )
            _require_editor(actor, bundle, parsed)
            version = BundleVersion.objects.create(
                bundle=bundle,
                number=1,
                status=VersionStatus.DRAFT,
                content=parsed.model_dump(mode="json"),
                created_at=moment,
                created_by=actor,
                updated_at=moment,
                updated_by=actor,
            )
            _event(version, "create", "", VersionStatus.DRAFT, actor, moment)
    except IntegrityError:
        raise DomainError(errors.BUNDLE_EXISTS, f"一件事编码 {code} 已存在。") from None
    return bundle


def bundle_draft_create(
    *, bundle: Bundle, actor: Any = None, now: dt.datetime | None = None
) -> BundleVersion:
    """Open a new draft from the current published version."""
    moment = now or clock.now()
    _require_editor(actor, bundle)
    with transaction.atomic():
        locked = Bundle.objects.select_for_update().get(pk=bundle.pk)
        if locked.versions.filter(
            status__in=[VersionStatus.DRAFT, VersionStatus.IN_REVIEW]
        ).exists():
            raise DomainError(
                errors.OPEN_DRAFT_EXISTS, "该一件事已有未发布的草稿，请在草稿上修改。"
            )
        base = locked.current_version
        if base is None:
            raise DomainError(errors.INVALID_TRANSITION, "该一件事尚无已发布的版本。")
        last = locked.versions.order_by("-number").values_list("number", flat=True).first() or 0
        version = BundleVersion.objects.create(
            bundle=locked,
            number=last + 1,
            status=VersionStatus.DRAFT,
            content=base.content,
            created_at=moment,
            created_by=actor,
            updated_at=moment,
            updated_by=actor,
        )
        _event(
            version, "create", "", VersionStatus.DRAFT, actor, moment, f"基于第 {base.number} 版"
        )
    return version


def bundle_draft_update(
    *,
    version: BundleVersion,
    content: Any,
    expected_revision: int,
    change_note: str = "",
    actor: Any = None,
    now: dt.datetime | None = None,
) -> BundleVersion:
    moment = now or clock.now()
    parsed = content_parse(content)
    with transaction.atomic():
        locked = _locked(version.pk)
        _require_editor(actor, locked.bundle, parsed)
        if locked.status != VersionStatus.DRAFT:
            raise DomainError(errors.INVALID_TRANSITION, "只有草稿可以修改。")
        if locked.revision != expected_revision:
            raise DomainError(
                errors.STALE_REVISION,
                f"一件事定义已被他人修改（当前第 {locked.revision} 次修订），请刷新后再改。",
            )
        locked.content = parsed.model_dump(mode="json")
        locked.revision += 1
        locked.change_note = change_note.strip()[:500]
        locked.updated_at = moment
        locked.updated_by = actor
        locked.save(
            update_fields=["content", "revision", "change_note", "updated_at", "updated_by"]
        )
        _event(
            locked, "update", VersionStatus.DRAFT, VersionStatus.DRAFT, actor, moment, change_note
        )
    return locked


def bundle_submit(
    *, version: BundleVersion, actor: Any = None, now: dt.datetime | None = None
) -> BundleVersion:
    """Send a draft for review; it must pass the lint first."""
    moment = now or clock.now()
    with transaction.atomic():
        locked = _locked(version.pk)
        _require_editor(actor, locked.bundle)
        frm, to = _transition(locked, "submit")
        _lint_or_raise(BundleContent.model_validate(locked.content), locked.bundle, step="提交审核")
        locked.status = to
        locked.submitted_at = moment
        locked.submitted_by = actor
        locked.save(update_fields=["status", "submitted_at", "submitted_by"])
        _event(locked, "submit", frm, to, actor, moment)
    return locked


def bundle_reject(
    *, version: BundleVersion, comment: str, actor: Any = None, now: dt.datetime | None = None
) -> BundleVersion:
    moment = now or clock.now()
    if not comment.strip():
        raise DomainError(errors.REASON_REQUIRED, "退回修改须写明意见。")
    with transaction.atomic():
        locked = _locked(version.pk)
        _require_editor(actor, locked.bundle)
        frm, to = _transition(locked, "reject")
        locked.status = to
        locked.reviewed_at = moment
        locked.reviewed_by = actor
        locked.review_comment = comment.strip()[:1000]
        locked.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment"])
        _event(locked, "reject", frm, to, actor, moment, comment)
    return locked


def bundle_publish(
    *,
    version: BundleVersion,
    actor: Any = None,
    comment: str = "",
    now: dt.datetime | None = None,
) -> BundleVersion:
    """Approve and publish (four eyes); the previous published version is superseded."""
    moment = now or clock.now()
    with transaction.atomic():
        locked = _locked(version.pk)
        bundle = Bundle.objects.select_for_update().get(pk=locked.bundle_id)
        _require_editor(actor, bundle)
        frm, to = _transition(locked, "publish")
        if (
            settings.TONGBAN_CATALOG_FOUR_EYES
            and actor is not None
            and locked.submitted_by_id == actor.pk
        ):
            raise DomainError(
                errors.FOUR_EYES,
                "提交审核的人不能审核发布自己提交的一件事定义，请由另一位事项编辑审核。",
            )
        content = BundleContent.model_validate(locked.content)
        _lint_or_raise(content, bundle, step="发布")
        previous = bundle.current_version
        if previous is not None:
            previous.status = VersionStatus.SUPERSEDED
            previous.superseded_at = moment
            previous.save(update_fields=["status", "superseded_at"])
            _event(
                previous,
                "supersede",
                VersionStatus.PUBLISHED,
                VersionStatus.SUPERSEDED,
                actor,
                moment,
                f"由第 {locked.number} 版取代",
            )
        locked.status = to
        locked.reviewed_at = moment
        locked.reviewed_by = actor
        locked.review_comment = comment.strip()[:1000]
        locked.published_at = moment
        locked.save(
            update_fields=["status", "reviewed_at", "reviewed_by", "review_comment", "published_at"]
        )
        _event(locked, "publish", frm, to, actor, moment, comment)
        _apply_facets(bundle, locked, content, moment)
    return locked


def _apply_facets(
    bundle: Bundle, version: BundleVersion, content: BundleContent, moment: dt.datetime
) -> None:
    bundle.current_version = version
    bundle.name = content.name
    bundle.category = content.category.value
    bundle.reach = content.reach.value
    bundle.audience = [a.value for a in content.audience]
    bundle.promised_days = content.promised_limit.value
    bundle.promised_unit = content.promised_limit.unit.value
    bundle.joint = content.joint
    bundle.member_count = len(content.members)
    bundle.published_at = moment
    bundle.save()
    bundle.lead_departments.set(Department.objects.filter(credit_code__in=content.lead_departments))
    bundle.cooperating_departments.set(
        Department.objects.filter(credit_code__in=content.cooperating_departments)
    )


def bundle_load_published(
    *, code: str, region: Region, content: Any, now: dt.datetime | None = None
) -> tuple[Bundle, bool]:
    """Create (or update) a bundle and publish its definition at once, for data
    loading (the demo), running the same validation and lint as the editorial
    flow. Returns the bundle and whether a new version was published."""
    moment = now or clock.now()
    parsed = content_parse(content)
    with transaction.atomic():
        bundle = Bundle.objects.filter(code=code).first()
        if bundle is None:
            bundle = bundle_create(code=code, region=region, content=content, now=moment)
            draft = bundle.versions.get(number=1)
        else:
            current = bundle.current_version
            if current is not None and current.content == parsed.model_dump(mode="json"):
                return bundle, False
            draft = bundle.versions.filter(status=VersionStatus.DRAFT).first() or (
                bundle_draft_create(bundle=bundle, now=moment)
            )
            draft = bundle_draft_update(
                version=draft,
                content=content,
                expected_revision=draft.revision,
                change_note="批量导入",
                now=moment,
            )
        draft = bundle_submit(version=draft, now=moment)
        bundle_publish(version=draft, now=moment)
        bundle.refresh_from_db()
    return bundle, True
