"""空白表格和示例样表: the editor uploads a file for a material of a draft
(``catalog.files``), and reads back any file of the item."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from tongban.catalog import editor_selectors as selectors
from tongban.catalog import files
from tongban.catalog.content import GuideContent
from tongban.catalog.models import GuideFile, GuideStatus
from tongban.core.errors import DomainError
from tongban.workbench.catalog_views import _item, editor_required


class GuideFileForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    material = forms.ChoiceField(label="材料")
    kind = forms.ChoiceField(label="文件用途", choices=list(files.KINDS.items()))
    upload = forms.FileField(
        label="文件（DOCX、XLSX 或 PDF）",
        widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT}),
        error_messages={"required": "请选择要上传的文件"},
    )

    def __init__(self, *args: object, guide: GuideContent, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own arguments
        field = self.fields["material"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(m.code, m.name) for m in guide.materials]


def file_response(stored: GuideFile) -> FileResponse:
    response = FileResponse(stored.file.open("rb"), content_type=stored.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(stored.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@editor_required
def draft_file_upload(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(request, code)
    version = selectors.open_draft(item)
    if version is None or version.status != GuideStatus.DRAFT:
        messages.error(request, "该事项没有可修改的草稿。")
        return redirect("workbench:catalog_item", code=item.implementation_code)
    form = GuideFileForm(
        request.POST, request.FILES, guide=GuideContent.model_validate(version.content)
    )
    if not form.is_valid():
        problems = "；".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"未能上传：{problems}")
        return redirect("workbench:catalog_draft", code=item.implementation_code)
    upload = form.cleaned_data["upload"]
    try:
        files.guide_file_attach(
            version=version,
            material_code=form.cleaned_data["material"],
            kind=form.cleaned_data["kind"],
            content=upload.read(),
            file_name=upload.name or "",
            expected_revision=form.cleaned_data["revision"],
            actor=request.user,
        )
    except DomainError as exc:
        messages.error(request, f"未能上传：{exc.detail}")
    else:
        messages.success(request, f"已上传{files.KINDS[form.cleaned_data['kind']]}。")
    return redirect("workbench:catalog_draft", code=item.implementation_code)


@require_GET
@editor_required  # type: ignore[arg-type]  # a streamed file is a response too
def item_file(request: HttpRequest, code: str, key: str) -> HttpResponseBase:
    item = _item(request, code)
    try:
        return file_response(files.guide_file_get_for_editor(item, key))
    except DomainError as exc:
        raise Http404(exc.detail) from None


def file_panel(version: object) -> dict[str, object]:
    """The upload form and each material's current files, for the draft page."""
    content = getattr(version, "content", {})
    guide = GuideContent.model_validate(content)
    rows = []
    for m in guide.materials:
        rows.append(
            {
                "name": m.name,
                "files": [
                    (label, getattr(m, kind), files.file_key(getattr(m, kind)))
                    for kind, label in files.KINDS.items()
                    if getattr(m, kind)
                ],
            }
        )
    form = GuideFileForm(initial={"revision": getattr(version, "revision", 0)}, guide=guide)
    return {"file_form": form, "file_rows": rows}
