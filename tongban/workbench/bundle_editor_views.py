"""The merge editor of an 一件事 (R-BD-1: the editor sees what was merged and why
and can override): ``/workbench/bundles/definitions/<code>/merge/``.

Shows the draft (or, without one, the published version) merged form and
material list with each item's members and the reason it is shared, the
editor's overrides, and the lint. The catalogue editor opens a draft, maps a
member's field onto another bundle field (``field_links``), asks a merged field
or collects a merged material separately (``field_splits``, ``material_splits``)
or removes an override — each a ``bundle_draft_update`` at the revision shown,
re-linted on the page — then submits it; another editor publishes it (four
eyes, ``bundle_publish``). Every write is the services' (they check the
editor's grant); a caller without an editor's grant does not find the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tongban.bundles import errors
from tongban.bundles.content import FieldLink, FieldSplit, MaterialSplit
from tongban.bundles.lint import lint_bundle
from tongban.bundles.merge import bundle_merge
from tongban.bundles.models import Bundle, BundleVersion, VersionStatus
from tongban.bundles.services._common import (
    content_parse,
    lint_context,
    member_guides,
    members_resolve,
)
from tongban.bundles.services.definitions import (
    bundle_draft_create,
    bundle_draft_update,
    bundle_publish,
    bundle_submit,
)
from tongban.bundles.services.members import supplied_fields
from tongban.core.errors import DomainError
from tongban.org.models import Role
from tongban.org.selectors import staff_scope_for
from tongban.workbench.access import staff_required

OVERRIDES = ("field_links", "field_splits", "material_links", "material_splits")


def _bundle(request: HttpRequest, code: str) -> Bundle:
    scope = staff_scope_for(user=request.user).for_roles(Role.CATALOG_EDITOR, Role.PLATFORM_ADMIN)
    bundle = Bundle.objects.filter(code=code).select_related("current_version").first()
    if bundle is None or not any(
        bundle.region_path.startswith(g.region_path) for g in scope.grants
    ):
        raise Http404("未找到该一件事。")
    return bundle


def _working(bundle: Bundle) -> BundleVersion | None:
    open_ = bundle.versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.IN_REVIEW])
    return open_.order_by("-number").first() or bundle.current_version


def _page(request: HttpRequest, bundle: Bundle, status: int = 200) -> HttpResponse:
    version = _working(bundle)
    if version is None:
        raise Http404("该一件事尚无版本。")
    content = content_parse(version.content)
    resolved = members_resolve(content, strict=False)
    merge = bundle_merge(
        member_guides(resolved),
        content,
        supplied=supplied_fields(content, [m.key for m in resolved]),
    )
    findings = lint_bundle(content, lint_context(content, bundle.region_path))
    uses = [
        (f"{u.member}:{u.code}", f"{u.member_name} · {u.code}")
        for f in merge.fields
        for u in f.uses
    ]
    return render(
        request,
        "workbench/bundles/editor.html",
        {
            "bundle": bundle,
            "version": version,
            "draft": version.status == VersionStatus.DRAFT,
            "in_review": version.status == VersionStatus.IN_REVIEW,
            "merge": merge,
            "overrides": [
                (kind, i, o) for kind in OVERRIDES for i, o in enumerate(getattr(content, kind))
            ],
            "findings": findings,
            "errors": [f for f in findings if f.severity == "error"],
            "uses": uses,
            "targets": sorted({f.code for f in merge.fields}),
        },
        status=status,
    )


def _edit(version: BundleVersion, action: str, post: Any) -> dict[str, Any]:
    """The draft's content with one override added or removed."""
    data = dict(version.content)
    if action == "link_field":
        member, _, field = str(post.get("use", "")).partition(":")
        link = FieldLink(member=member, field=field, to=str(post.get("to", "")))
        data["field_links"] = [*data.get("field_links", []), link.model_dump()]
    elif action == "split_field":
        split = FieldSplit(member=str(post.get("member", "")), field=str(post.get("code", "")))
        data["field_splits"] = [*data.get("field_splits", []), split.model_dump()]
    elif action == "split_material":
        cut = MaterialSplit(member=str(post.get("member", "")), material=str(post.get("code", "")))
        data["material_splits"] = [*data.get("material_splits", []), cut.model_dump()]
    elif action == "remove":
        kind = str(post.get("kind", ""))
        if kind not in OVERRIDES:
            raise DomainError(errors.BUNDLE_INVALID, "无法识别的合并调整。")
        rows = list(data.get(kind, []))
        index = int(post.get("index", -1)) if str(post.get("index", "")).isdigit() else -1
        if not 0 <= index < len(rows):
            raise DomainError(errors.BUNDLE_INVALID, "该合并调整已不存在，请刷新后再试。")
        del rows[index]
        data[kind] = rows
    return data


@require_http_methods(["GET", "POST"])
@staff_required
def merge_editor(request: HttpRequest, code: str) -> HttpResponse:
    bundle = _bundle(request, code)
    if request.method == "GET":
        return _page(request, bundle)
    action = str(request.POST.get("action", ""))
    version = _working(bundle)
    try:
        if action == "draft":
            bundle_draft_create(bundle=bundle, actor=request.user)
            messages.success(request, "已基于当前发布版本新建草稿。")
        elif action in ("link_field", "split_field", "split_material", "remove"):
            if version is None or version.status != VersionStatus.DRAFT:
                raise DomainError(errors.BUNDLE_INVALID, "请先新建草稿再调整合并。")
            revision = str(request.POST.get("revision", ""))
            bundle_draft_update(
                version=version,
                content=_edit(version, action, request.POST),
                expected_revision=int(revision) if revision.isdigit() else -1,
                change_note=f"调整合并（{action}）",
                actor=request.user,
            )
            messages.success(request, "已保存合并调整，并已重新检查。")
        elif action == "submit" and version is not None:
            bundle_submit(version=version, actor=request.user)
            messages.success(request, "已提交审核，须由另一位事项编辑审核发布。")
        elif action == "publish" and version is not None:
            bundle_publish(version=version, actor=request.user)
            messages.success(request, "已审核发布。")
        else:
            raise DomainError(errors.BUNDLE_INVALID, "无法识别的操作。")
    except (DomainError, ValueError) as exc:
        messages.error(
            request, getattr(exc, "detail", None) or "合并调整无效，请检查所选事项与字段。"
        )
        return _page(request, _bundle(request, code), status=422)
    return redirect("workbench:bundle_merge_editor", code=code)
