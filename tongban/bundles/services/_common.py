"""What the bundle services share: content parsing, the members' guides, history,
audit and the transition checks."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from tongban.bundles import errors, workflow
from tongban.bundles.content import BundleContent
from tongban.bundles.lint import LintContext, MemberItem
from tongban.bundles.merge import MemberGuide
from tongban.bundles.models import (
    ApplicationStatus,
    BundleApplication,
    BundleApplicationEvent,
    BundleMember,
    MemberStatus,
)
from tongban.catalog.content import GuideContent
from tongban.catalog.models import ServiceItem, ServiceItemStatus
from tongban.core import events
from tongban.core.api.problems import field_message
from tongban.core.audit import actor_label as audit_actor_label
from tongban.core.audit import audit_record
from tongban.core.errors import DomainError
from tongban.org.models import Department


def _path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def content_parse(data: Any) -> BundleContent:
    """Validate a definition document; field errors in Chinese with their paths."""
    try:
        return BundleContent.model_validate(data)
    except ValidationError as exc:
        fields = [
            {"field": _path(err["loc"]), "code": err["type"], "message": field_message(err)}
            for err in exc.errors()
        ]
        summary = "；".join(f"{f['field']}：{f['message']}" for f in fields[:5])
        raise DomainError(
            errors.BUNDLE_INVALID, f"一件事定义内容有误：{summary}", fields=fields
        ) from None


_GUIDES: dict[tuple[int, int, bytes], GuideContent] = {}


def published_guide(item: ServiceItem) -> GuideContent | None:
    """The item's current published guide, validated once per version per process
    (published versions are never edited). The key carries a digest of the
    content, so a primary key reused by another database (tests) never returns
    another version's guide."""
    version = item.current_version
    if version is None:
        return None
    digest = hashlib.blake2b(
        json.dumps(version.content, sort_keys=True, ensure_ascii=False).encode(), digest_size=16
    ).digest()
    key = (version.pk, version.revision, digest)
    guide = _GUIDES.get(key)
    if guide is None:
        guide = GuideContent.model_validate(version.content)
        if len(_GUIDES) >= 1024:
            _GUIDES.clear()
        _GUIDES[key] = guide
    return guide


def clear_guide_cache() -> None:
    _GUIDES.clear()


def member_items(content: BundleContent) -> dict[str, ServiceItem]:
    """The members' service items by implementation code (one query)."""
    codes = [m.implementation_code for m in content.members]
    return {
        item.implementation_code: item
        for item in ServiceItem.objects.filter(implementation_code__in=codes).select_related(
            "current_version", "department", "region"
        )
    }


def lint_context(content: BundleContent, region_path: str) -> LintContext:
    items = member_items(content)
    codes = [*content.lead_departments, *content.cooperating_departments]
    known = frozenset(
        Department.objects.filter(credit_code__in=codes).values_list("credit_code", flat=True)
    )
    return LintContext(
        region_path=region_path,
        items={
            code: MemberItem(
                name=item.name,
                department_id=item.department_id,
                region_path=item.region_path,
                active=item.status == ServiceItemStatus.ACTIVE,
                guide=published_guide(item),
            )
            for code, item in items.items()
        },
        departments=known,
    )


@dataclass(frozen=True)
class ResolvedMember:
    key: str
    name: str
    item: ServiceItem
    guide: GuideContent
    depends_on: tuple[str, ...]
    optional: bool
    situation: str | None


def members_resolve(content: BundleContent, *, strict: bool = True) -> list[ResolvedMember]:
    """The members with their published items and guides; a member that is no
    longer available makes the bundle unavailable (``bundle_not_available``),
    or, with ``strict=False``, is left out."""
    items = member_items(content)
    resolved = []
    for spec in content.members:
        item = items.get(spec.implementation_code)
        guide = published_guide(item) if item is not None else None
        if item is None or guide is None or item.status != ServiceItemStatus.ACTIVE:
            if not strict:
                continue
            raise DomainError(
                errors.NOT_AVAILABLE,
                f"一件事中的事项“{spec.label or spec.key}”当前不可申请（未发布或已取消），"
                "请稍后再试或分别申请。",
            )
        resolved.append(
            ResolvedMember(
                key=spec.key,
                name=spec.label or item.name,
                item=item,
                guide=guide,
                depends_on=tuple(spec.depends_on),
                optional=spec.optional,
                situation=spec.situation,
            )
        )
    return resolved


def member_guides(
    members: list[ResolvedMember], situations: dict[str, str] | None = None
) -> list[MemberGuide]:
    situations = situations or {}
    return [
        MemberGuide(
            key=m.key,
            name=m.name,
            implementation_code=m.item.implementation_code,
            department=m.item.department.name,
            guide=m.guide,
            situation=m.situation or situations.get(m.key) or None,
        )
        for m in members
    ]


def actor_name(actor: Any) -> str:
    name = getattr(actor, "display_name", "") or getattr(actor, "username", "")
    return f"{audit_actor_label(actor)} {name}".strip()


def timeline(
    application: BundleApplication,
    *,
    action: str,
    actor: Any,
    now: dt.datetime,
    frm: str = "",
    to: str = "",
    member_key: str = "",
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Append to the application's one timeline (history is never edited)."""
    BundleApplicationEvent.objects.create(
        application=application,
        at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_name(actor),
        action=action,
        member_key=member_key,
        from_status=frm,
        to_status=to,
        reason=reason[:4000],
        details=details or {},
    )


def audit(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any],
    now: dt.datetime,
) -> None:
    audit_record(
        actor=audit_actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details,
        now=now,
    )


def bundle_event(
    event: str, application: BundleApplication, *, now: dt.datetime, **extra: Any
) -> None:
    """Record ``event`` in the outbox, in the caller's transaction."""
    events.emit(event, {"application_no": application.application_no, **extra}, now=now)


def application_move(
    application: BundleApplication, action: str, *, actor: Any, now: dt.datetime, reason: str = ""
) -> str:
    """Check the table, set the new state, bump the version, append history and audit.
    The caller holds the row lock and saves."""
    to = workflow.application_target(action, application.status)
    if to is None:
        raise DomainError(
            errors.APPLICATION_TRANSITION,
            f"一件事申请当前为“{ApplicationStatus(application.status).label}”，"
            f"不能{workflow.APPLICATION_LABELS[action]}。",
            extra={"status": application.status, "action": action},
        )
    frm = application.status
    application.status = to
    application.version += 1
    application.updated_at = now
    timeline(application, action=action, actor=actor, now=now, frm=frm, to=to, reason=reason)
    if action == "deliver":
        bundle_event("bundle.delivered", application, now=now)
    audit(
        actor=actor,
        action=f"bundle_application.{action}",
        object_type="bundle_application",
        object_id=application.application_no,
        details={"from": frm, "to": to},
        now=now,
    )
    return to


def member_move(
    member: BundleMember,
    action: str,
    *,
    actor: Any,
    now: dt.datetime,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> bool:
    """Move one member (the caller holds the application's lock and saves the
    member). False, and nothing written, when the member is already past it:
    events may be delivered twice (their handlers are idempotent)."""
    to = workflow.member_target(action, member.status)
    if to is None:
        return False
    frm = member.status
    member.status = to
    if action == "start":
        member.started_at = now
    elif to in workflow.MEMBER_CLOSED or to == MemberStatus.RESULT:
        member.finished_at = now
    if reason:
        member.reason = reason[:4000]
    timeline(
        member.application,
        action=f"member_{action}",
        actor=actor,
        now=now,
        frm=frm,
        to=to,
        member_key=member.key,
        reason=reason,
        details=details,
    )
    if action == "start":
        bundle_event(
            "bundle.member_released",
            member.application,
            now=now,
            member=member.key,
            case_no=(details or {}).get("case_no"),
        )
    return True
