"""The forms of the 一件事 pages: one merged application form (each shared field
and each shared material once) and the one combined supplement.

The form only shapes the input; ``bundles.services`` checks every answer and
every file and says which member needs what (CONVENTIONS 2).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms

from tongban.bundles.merge import MergedField, MergedMaterial, MergeResult
from tongban.catalog.content import FieldType
from tongban.portal.case_forms import (
    UploadField,
    _form_field,
    drop_field,
    field_name,
    material_field,
)

# ``StagedUpload.code`` holds 40 characters; a merged material's key is
# "<member key>.<material code>", each up to 40 (``bundles.content.Code``).
STAGED_CODE_LENGTH = 40


def staged_code(key: str) -> str:
    """The code a merged material's file is staged under: the key itself when it
    fits, else its head and a digest (distinct keys never share a code)."""
    if len(key) <= STAGED_CODE_LENGTH:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return f"{key[: STAGED_CODE_LENGTH - 17]}~{digest}"


class BundleApplicationForm(forms.Form):
    """一表申请: the merged form of a bundle, each shared answer and file asked once.

    As the single item's form (``case_forms.ApplicationForm``), files that passed
    their checks are staged with the draft by the view (``portal.staging``), so a
    refused submission keeps them: ``staged`` holds them by material key, and
    the applicant may replace or delete each one.
    """

    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        merge: MergeResult,
        bound: dict[str, str],
        entities: list[tuple[str, str]] | None = None,
        staged: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.merge = merge
        self.staged = dict(staged or {})
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
            if material.key in self.staged:
                self.fields[drop_field(material.key)] = forms.BooleanField(
                    label="删除已上传的文件", required=False
                )
        self.not_asked = [m for m in merge.materials if not m.submitted]

    def form_fields(self) -> list[forms.BoundField]:
        return [self[field_name(f.code)] for f in self.asked]

    def upload_fields(self) -> list[tuple[MergedMaterial, forms.BoundField, Any, Any]]:
        """Each material with its file field, the file kept for it and its
        delete box (None when nothing is staged)."""
        return [
            (
                m,
                self[material_field(m.key)],
                self.kept(m.key),
                self[drop_field(m.key)] if drop_field(m.key) in self.fields else None,
            )
            for m in self.uploads
        ]

    def stage(self, staged: dict[str, Any]) -> None:
        """The files now staged with the draft (after this round's were kept): each
        is shown with a box to delete it."""
        self.staged = dict(staged)
        for key in self.staged:
            if drop_field(key) not in self.fields:
                self.fields[drop_field(key)] = forms.BooleanField(
                    label="删除已上传的文件", required=False
                )

    def kept(self, key: str) -> Any:
        """The file staged for material ``key`` that the applicant keeps, if any."""
        staged = self.staged.get(key)
        if staged is None:
            return None
        if self.is_bound and self.data.get(self.add_prefix(drop_field(key))):
            return None
        return staged

    def new_uploads(self) -> list[tuple[str, Any]]:
        """The files chosen in this round that passed the form's checks."""
        cleaned = getattr(self, "cleaned_data", {})
        chosen = []
        for material in self.uploads:
            name = material_field(material.key)
            upload = cleaned.get(name)
            if upload and name not in self.errors:
                chosen.append((material.key, upload))
        return chosen

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

    def files_given(self, read_staged: Any = None) -> list[tuple[str, bytes, str]]:
        """Each material's file: chosen now, or else the one kept from an earlier
        round (read with ``read_staged``)."""
        given = []
        for material in self.uploads:
            upload = self.cleaned_data.get(material_field(material.key))
            kept = self.kept(material.key)
            if upload:
                upload.seek(0)
                given.append((material.key, bytes(upload.read()), upload.name or ""))
            elif kept is not None and read_staged is not None:
                given.append((material.key, read_staged(kept), kept.file_name))
        self.sent = [key for key, _content, _name in given]
        return given


def attach_bundle_errors(form: BundleApplicationForm, problems: list[dict[str, Any]]) -> int:
    """Put the service's problems next to their fields; the number placed."""
    placed = 0
    sent: list[str] = getattr(form, "sent", None) or [m.key for m in form.uploads]
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
