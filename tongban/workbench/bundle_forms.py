"""Forms of the 一件事 counter: the merged form taken at the window (each shared
field and material once), and 统一出件."""

from __future__ import annotations

from typing import Any

from django import forms

from tongban.bundles.merge import MergedField, MergedMaterial, MergeResult
from tongban.catalog.content import FieldType
from tongban.workbench.case_forms import UploadField, _form_field, field_name


def material_name(key: str) -> str:
    return f"m_{key}"


class CounterForm(forms.Form):
    """前台一窗受理: the bundle's one form and one material list."""

    def __init__(self, *args: Any, merge: MergeResult, bound: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fixed = [f.spec.label for f in merge.asked_fields if f.code in bound]
        self.asked: list[MergedField] = [f for f in merge.asked_fields if f.code not in bound]
        for merged in self.asked:
            field = _form_field(merged.spec)
            field.help_text = "；".join(p for p in (merged.explanation, str(field.help_text)) if p)
            self.fields[field_name(merged.code)] = field
        self.uploads: list[MergedMaterial] = merge.materials_to_submit
        for material in self.uploads:
            self.fields[material_name(material.key)] = UploadField(
                label=material.spec.name, help_text=material.explanation
            )

    def form_fields(self) -> list[forms.BoundField]:
        return [self[field_name(f.code)] for f in self.asked]

    def upload_fields(self) -> list[tuple[MergedMaterial, forms.BoundField]]:
        return [(m, self[material_name(m.key)]) for m in self.uploads]

    def form_data(self) -> dict[str, Any]:
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
            upload = self.cleaned_data.get(material_name(material.key))
            if upload:
                upload.seek(0)
                given.append((material.key, bytes(upload.read()), upload.name or ""))
        return given

    def attach(self, problems: list[dict[str, Any]]) -> int:
        """The service's problems next to their fields; the number placed."""
        placed = 0
        sent = [key for key, _content, _name in self.files_given()]
        for problem in problems:
            where = str(problem.get("field") or "")
            name = ""
            if where.startswith("form."):
                name = field_name(where.removeprefix("form."))
            elif where.startswith("materials[") and where.endswith("]"):
                index = where[len("materials[") : -1]
                if index.isdigit() and int(index) < len(sent):
                    name = material_name(sent[int(index)])
            elif where.startswith("materials."):
                name = material_name(where.removeprefix("materials."))
            if name in self.fields:
                self.add_error(name, str(problem.get("message") or ""))
                placed += 1
        return placed


class BundleDeliverForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    method = forms.ChoiceField(
        label="出件方式",
        choices=[("window", "窗口统一出件"), ("post", "邮寄送达")],
        widget=forms.RadioSelect,
    )
    tracking_no = forms.CharField(
        label="邮寄单号", required=False, max_length=60, help_text="邮寄送达时填写。"
    )


class BundleExtendForm(forms.Form):
    """第四十二条第二款: the joint period extended once, by at most 15 working days,
    with the approval of the government's head (checked by the service)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    days = forms.IntegerField(
        label="延长工作日数", min_value=1, max_value=15, help_text="至多十五日，只能延长一次。"
    )
    reason = forms.CharField(
        label="延长理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    approver = forms.CharField(
        label="批准延长的本级人民政府负责人", max_length=100, help_text="如：副市长 张某某"
    )
