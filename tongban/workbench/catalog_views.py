"""The catalogue editor's pages (事项管理): items in scope, versions, the draft editor.

Only catalogue editors enter (others get 403); an item outside the editor's
scope is "not found" (404), as the editor selectors decide (CONVENTIONS 5).
Every change is one call of a ``catalog.services`` function; refusals come
back as DomainError and are shown with their Chinese detail.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.catalog import editor_selectors as selectors
from tongban.catalog import errors as catalog_errors
from tongban.catalog import imports, services, transfer
from tongban.catalog.models import GuideStatus, GuideVersion, ServiceItem
from tongban.catalog.workflow import ACTION_LABELS
from tongban.core.errors import DomainError
from tongban.org.selectors import region_get, staff_scope_for
from tongban.workbench.catalog_form_errors import GuideProblem, attach_guide_errors, field_label
from tongban.workbench.catalog_forms import FORMSETS, GuideEditor, guide_editor
from tongban.workbench.catalog_review_forms import (
    CompareForm,
    ImportForm,
    ReviewForm,
    VersionActionForm,
)

STAFF_ONLY = "工作台仅对政务服务工作人员开放。"
EDITORS_ONLY = "事项管理仅对事项编辑开放。"
PAGE_SIZE = 50

View = Callable[..., HttpResponse]


def editor_required(view: View) -> View:
    """Staff with a catalogue-editor (or platform-admin) role only."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request.user, "kind", "") != "staff":
            raise PermissionDenied(STAFF_ONLY)
        if not selectors.is_catalog_editor(user=request.user):
            raise PermissionDenied(EDITORS_ONLY)
        return view(request, *args, **kwargs)

    return wrapped


def _item(request: HttpRequest, code: str) -> ServiceItem:
    try:
        return selectors.service_item_get_for_editor(user=request.user, implementation_code=code)
    except DomainError as exc:
        raise Http404(exc.detail) from None


def _version(request: HttpRequest, code: str, number: int) -> GuideVersion:
    try:
        return selectors.guide_version_get_for_editor(
            user=request.user, implementation_code=code, number=number
        )
    except DomainError as exc:
        raise Http404(exc.detail) from None


def _item_url(item: ServiceItem) -> str:
    return reverse("workbench:catalog_item", args=[item.implementation_code])


# ---------------------------------------------------------------- items in scope


@require_GET
@editor_required
def catalog_index(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    items = selectors.service_item_list_for_editor(user=request.user, q=q)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    drafts = selectors.open_drafts_for_items(rows)
    return render(
        request,
        "workbench/catalog/index.html",
        {"q": q, "page": page, "rows": [(item, drafts.get(item.pk)) for item in rows]},
    )


# ---------------------------------------------------------------- one item


def _item_context(
    request: HttpRequest, item: ServiceItem, *, history: int | None = None
) -> dict[str, Any]:
    versions = list(selectors.guide_versions_for_editor(user=request.user, item=item))
    open_version = next(
        (v for v in versions if v.status in (GuideStatus.DRAFT, GuideStatus.IN_REVIEW)), None
    )
    shown = next((v for v in versions if v.number == history), None) if history else None
    shown = shown or (versions[0] if versions else None)
    events = list(selectors.guide_events(shown)) if shown else []
    user_pk = getattr(request.user, "pk", None)
    return {
        "item": item,
        "versions": versions,
        "open_version": open_version,
        "history_version": shown,
        "events": [(event, ACTION_LABELS.get(event.action, event.action)) for event in events],
        "review_form": ReviewForm(
            initial={"number": open_version.number, "change_note": open_version.change_note}
        )
        if open_version and open_version.status == GuideStatus.IN_REVIEW
        else None,
        "own_submission": bool(
            open_version
            and open_version.status == GuideStatus.IN_REVIEW
            and open_version.submitted_by_id == user_pk
        ),
        "compare_default": (
            versions[1].number if len(versions) > 1 else None,
            versions[0].number if versions else None,
        ),
        "problems": [],
        "error": "",
    }


def _int_param(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@require_GET
@editor_required
def catalog_item(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(request, code)
    context = _item_context(request, item, history=_int_param(request.GET.get("history")))
    return render(request, "workbench/catalog/item.html", context)


def _refused(
    request: HttpRequest, item: ServiceItem, exc: DomainError, *, status: int = 200
) -> HttpResponse:
    context = _item_context(request, item)
    context["error"] = exc.detail
    if exc.code == catalog_errors.GUIDE_LINT_FAILED.code:
        context["problems"] = _lint_problems(exc)
    return render(request, "workbench/catalog/item.html", context, status=status)


def _lint_problems(exc: DomainError) -> list[GuideProblem]:
    return [
        GuideProblem(
            str(f.get("field") or ""),
            field_label(str(f.get("field") or "")),
            str(f.get("message") or ""),
            False,
        )
        for f in exc.fields
    ]


@require_POST
@editor_required
def draft_new(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(request, code)
    try:
        services.guide_draft_create(service_item=item, actor=request.user)
    except DomainError as exc:
        if exc.code == catalog_errors.OPEN_DRAFT_EXISTS.code:
            messages.info(request, exc.detail)
            return redirect("workbench:catalog_draft", code=item.implementation_code)
        return _refused(request, item, exc, status=409)
    messages.success(request, "已基于现行版本新建草稿。")
    return redirect("workbench:catalog_draft", code=item.implementation_code)


def _posted_version(request: HttpRequest, code: str) -> GuideVersion:
    form = VersionActionForm(request.POST)
    if not form.is_valid():
        raise Http404("未指明版本。")
    return _version(request, code, form.cleaned_data["number"])


@require_POST
@editor_required
def draft_submit(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(request, code)
    version = _posted_version(request, code)
    try:
        services.guide_submit(version=version, actor=request.user)
    except DomainError as exc:
        return _refused(request, item, exc)
    messages.success(request, f"第 {version.number} 版已提交审核，请由另一位事项编辑审核发布。")
    return redirect(_item_url(item))


@require_POST
@editor_required
def version_review(request: HttpRequest, code: str) -> HttpResponse:
    """审核发布 or 退回修改 of the version in review, with the reviewer's comment."""
    item = _item(request, code)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        raise Http404("未指明版本。")
    version = _version(request, code, form.cleaned_data["number"])
    comment = form.cleaned_data["comment"]
    action = request.POST.get("action")
    try:
        if action == "publish":
            services.guide_publish(
                version=version,
                actor=request.user,
                comment=comment,
                # the editor's note, unless the reviewer's form rewrote it
                change_note=form.cleaned_data["change_note"]
                if "change_note" in request.POST
                else None,
            )
            messages.success(request, f"第 {version.number} 版已审核发布，门户即日起显示新版指南。")
        elif action == "reject":
            services.guide_reject(version=version, comment=comment, actor=request.user)
            messages.success(request, f"第 {version.number} 版已退回修改。")
        else:
            raise Http404("未知的操作。")
    except DomainError as exc:
        return _refused(request, item, exc, status=403 if exc.status == 403 else 200)
    return redirect(_item_url(item))


@require_GET
@editor_required
def version_compare(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(request, code)
    form = CompareForm(request.GET)
    if not form.is_valid():
        messages.error(request, "请选择要对比的两个版本。")
        return redirect(_item_url(item))
    old = _version(request, code, form.cleaned_data["a"])
    new = _version(request, code, form.cleaned_data["b"])
    return render(
        request,
        "workbench/catalog/compare.html",
        {
            "item": item,
            "old": old,
            "new": new,
            "changes": selectors.guide_diff(old, new),
            "versions": list(selectors.guide_versions_for_editor(user=request.user, item=item)),
        },
    )


# ---------------------------------------------------------------- draft editor


def _editor_context(
    item: ServiceItem, version: GuideVersion, editor: GuideEditor, **extra: Any
) -> dict[str, Any]:
    from tongban.workbench.catalog_file_views import file_panel  # it imports this module

    return {
        **file_panel(version),
        "item": item,
        "version": version,
        "form": editor.form,
        "formsets": [(key, editor.formsets[key], heading) for key, _cls, heading in FORMSETS],
        "problems": [],
        "error": "",
        **extra,
    }


@require_http_methods(["GET", "POST"])
@editor_required
def draft_edit(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(request, code)
    version = selectors.open_draft(item)
    if version is None or version.status != GuideStatus.DRAFT:
        if version is not None:
            messages.info(request, f"第 {version.number} 版正在审核中，退回修改后才能编辑。")
        else:
            messages.info(request, "该事项没有草稿，请先新建草稿。")
        return redirect(_item_url(item))
    if request.method == "GET":
        editor = guide_editor(content=version.content, revision=version.revision)
        return render(
            request, "workbench/catalog/draft.html", _editor_context(item, version, editor)
        )
    editor = guide_editor(content=version.content, revision=version.revision, data=request.POST)
    submit = request.POST.get("action") == "submit"
    if not editor.is_valid():
        context = _editor_context(item, version, editor, error="表单有误，请按提示修改后再保存。")
        return render(request, "workbench/catalog/draft.html", context)
    content = editor.content()
    try:
        saved = services.guide_draft_update(
            version=version,
            content=content,
            expected_revision=editor.form.cleaned_data["revision"],
            change_note=editor.form.cleaned_data["change_note"],
            actor=request.user,
        )
    except DomainError as exc:
        return _draft_refused(item, version, editor, exc, request)
    if not submit:
        messages.success(request, f"草稿已保存（第 {saved.revision} 次修订）。")
        return redirect("workbench:catalog_draft", code=item.implementation_code)
    try:
        services.guide_submit(version=saved, actor=request.user)
    except DomainError as exc:
        # Saved, but not submitted: the same input again, with the new revision.
        editor = guide_editor(
            content=saved.content,
            revision=saved.revision,
            data=_rebound(request.POST, saved.revision),
        )
        editor.is_valid()
        editor.content()
        return _draft_refused(item, saved, editor, exc, request, saved_first=True)
    messages.success(request, f"第 {saved.number} 版已保存并提交审核。")
    return redirect(_item_url(item))


def _rebound(data: Any, revision: int) -> Any:
    copy = data.copy()
    copy["revision"] = str(revision)
    return copy


def _draft_refused(
    item: ServiceItem,
    version: GuideVersion,
    editor: GuideEditor,
    exc: DomainError,
    request: HttpRequest,
    *,
    saved_first: bool = False,
) -> HttpResponse:
    status = 200
    if exc.code == catalog_errors.STALE_REVISION.code:
        error = "已被他人修改，请刷新：" + exc.detail + " 您填写的内容尚未保存，可先复制留存。"
        status = 409
        problems: list[GuideProblem] = []
    elif exc.code == catalog_errors.GUIDE_LINT_FAILED.code:
        error = ("草稿已保存，但" if saved_first else "") + "未能提交审核：" + exc.detail
        problems = attach_guide_errors(editor, exc.fields)
    elif exc.fields:
        error = "未能保存：请按提示修改。"
        problems = attach_guide_errors(editor, exc.fields)
    else:
        error = exc.detail
        problems = []
    context = _editor_context(item, version, editor, error=error, problems=problems)
    return render(request, "workbench/catalog/draft.html", context, status=status)


# ---------------------------------------------------------------- import / export


@require_http_methods(["GET", "POST"])
@editor_required
def catalog_transfer(request: HttpRequest) -> HttpResponse:
    """Download the region's workbook; upload one to import (in the background)."""
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            import_id = imports.catalog_import_start(
                upload.read(), actor=request.user, filename=str(upload.name)
            )
            return redirect("workbench:catalog_import", import_id=import_id)
    else:
        form = ImportForm()
    return render(
        request,
        "workbench/catalog/transfer.html",
        {"form": form, "regions": _scope_regions(request)},
    )


def _import_status(request: HttpRequest, import_id: str) -> imports.ImportStatus:
    try:
        status = imports.catalog_import_status(str(import_id))
    except DomainError as exc:
        raise Http404(exc.detail) from None
    if status.actor_id != getattr(request.user, "pk", None):
        raise Http404("导入任务不存在。")  # someone else's import: not found (CONVENTIONS 5)
    return status


_STATUS_LABELS = {
    "queued": "排队中",
    "running": "导入中",
    "succeeded": "导入成功",
    "failed": "导入失败",
}


@require_GET
@editor_required
def catalog_import(request: HttpRequest, import_id: str) -> HttpResponse:
    status = _import_status(request, import_id)
    return render(
        request,
        "workbench/catalog/import.html",
        {"status": status, "label": _STATUS_LABELS.get(status.status, status.status)},
    )


@require_GET
@editor_required
def catalog_import_progress(request: HttpRequest, import_id: str) -> JsonResponse:
    status = _import_status(request, import_id)
    return JsonResponse(
        {
            "status": status.status,
            "label": _STATUS_LABELS.get(status.status, status.status),
            "done": status.done,
            "total": status.total,
            "percent": status.percent,
            "finished": status.finished,
        }
    )


def _scope_regions(request: HttpRequest) -> list[tuple[str, str]]:
    """The regions the editor edits for (the roots of their editor grants)."""
    scope = staff_scope_for(user=request.user).for_roles(*selectors.EDITOR_ROLES)
    codes = sorted({path.strip("/").rsplit("/", 1)[-1] for path in scope.region_paths})
    regions = [region_get(code) for code in codes]
    return [(region.code, region.full_name or region.name) for region in regions]


@require_GET
@editor_required
def catalog_export(request: HttpRequest) -> HttpResponse:
    allowed = dict(_scope_regions(request))
    region = request.GET.get("region", "")
    if region not in allowed:
        raise Http404("不在您的编辑范围内。")
    response = HttpResponse(
        transfer.catalog_export_xlsx(region),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="catalog-{region}.xlsx"'
    return response
