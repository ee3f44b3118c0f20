"""The forms of the 一件事 pages: one merged application form (each shared field
and each shared material once) and the one combined supplement.

The form only shapes the input; ``bundles.services`` checks every answer and
every file and says which member needs what (CONVENTIONS 2).
"""

from __future__ import annotations

from typing import Any

from django import forms

from tongban.bundles.merge import MergedField, MergedMaterial, MergeResult
from tongban.catalog.content import FieldType
from tongban.portal.case_forms import UploadField, _form_field, field_name, material_field


class BundleApplicationForm(forms.Form):
    """一表申请: the merged form of a bundle, each shared answer and file asked once."""

    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        merge: MergeResult,
        bound: dict[str, str],
        entities: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.merge = merge
        if entities is not None:
            self.fields["entity"] = forms.ChoiceField(
                label="申请单位", choices=[("", "请选择"), *entities], required=False
            )
        self.fixed: list[tuple[str, str]] = []
        self.asked: list[MergedField] = []
        for merged in merge.asked_fields:
            if merged.code in bound:
                self.fixed.append((merged.spec.label, "按实名认证或法人登记信息自动填写"))
                continue
            field = _form_field(merged.spec)
            field.help_text = "；".join(p for p in (merged.explanation, str(field.help_text)) if p)
            self.fields[field_name(merged.code)] = field
            self.asked.append(merged)
        self.uploads: list[MergedMaterial] = merge.materials_to_submit
        for material in self.uploads:
            self.fields[material_field(material.key)] = UploadField(
                label=material.spec.name, help_text=material.explanation
            )
        self.not_asked = [m for m in merge.materials if not m.submitted]

    def form_fields(self) -> list[forms.BoundField]:
        return [self[field_name(f.code)] for f in self.asked]

    def upload_fields(self) -> list[tuple[MergedMaterial, forms.BoundField]]:
        return [(m, self[material_field(m.key)]) for m in self.uploads]

    def form_data(self) -> dict[str, Any]:
        """The answers as the bundle service takes them (empty answers left out)."""
        answers: dict[str, Any] = {}
        for merged in self.asked:
            value = self.cleaned_data.get(field_name(merged.code))
            if merged.spec.type == FieldType.CHECKBOX:
                answers[merged.code] = bool(value)
                continue
            text = value.strip() if isinstance(value, str) else value
            if text not in (None, ""):
                answers[merged.code] = text
        return answers

    def files_given(self) -> list[tuple[str, bytes, str]]:
        given = []
        for material in self.uploads:
            upload = self.cleaned_data.get(material_field(material.key))
            if upload:
                upload.seek(0)
                given.append((material.key, bytes(upload.read()), upload.name or ""))
        return given


def attach_bundle_errors(form: BundleApplicationForm, problems: list[dict[str, Any]]) -> int:
    """Put the service's problems next to their fields; the number placed."""
    placed = 0
    order = [m.key for m in form.uploads]
    sent = [key for key, _content, _name in form.files_given()] if form.is_bound else order
    for problem in problems:
        where = str(problem.get("field") or "")
        message = str(problem.get("message") or "")
        name = ""
        if where.startswith("form."):
            name = field_name(where.removeprefix("form."))
        elif where.startswith("materials[") and where.endswith("]"):
            index = where[len("materials[") : -1]
            if index.isdigit() and int(index) < len(sent):
                name = material_field(sent[int(index)])
        elif where.startswith("materials."):
            name = material_field(where.removeprefix("materials."))
        if name in form.fields:
            form.add_error(name, message)
            placed += 1
    return placed


class BundleSupplementForm(forms.Form):
    """一次性告知 across departments: one upload per listed document."""

    def __init__(self, *args: Any, items: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            reasons = "；".join(
                f"{r['department']}（{r['member_name']}）：{r['reason']}"
                for r in item.get("requests", [])
            )
            self.fields[f"s_{item['key']}"] = UploadField(
                label=item["name"], help_text=reasons, required=True
            )

    def given_files(self) -> dict[str, tuple[bytes, str]]:
        given = {}
        for item in self.items:
            upload = self.cleaned_data.get(f"s_{item['key']}")
            if upload:
                upload.seek(0)
                given[item["key"]] = (bytes(upload.read()), upload.name or "")
        return given


class BundleWithdrawForm(forms.Form):
    """撤回 the whole application, with the version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    reason = forms.CharField(
        label="撤回原因", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
