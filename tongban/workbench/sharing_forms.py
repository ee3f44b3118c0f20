"""Forms of the sharing pages: apply, decide, and run a verification."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet

from tongban.org.models import Department
from tongban.sharing.models import ResourceField
from tongban.sharing.verification import VerificationService

TEXT = {"class": "input"}


def _field_choices(fields: list[ResourceField]) -> list[tuple[str, str]]:
    return [(f.code, f"{f.name}（{f.code}，{f.get_sensitivity_display()}）") for f in fields]


class ApplyForm(forms.Form):
    consumer = forms.ModelChoiceField(
        label="使用部门", queryset=Department.objects.none(), empty_label=None
    )
    field_codes = forms.MultipleChoiceField(
        label="申请的信息项",
        widget=forms.CheckboxSelectMultiple,
        help_text="只申请履行职责必需的信息项",
    )
    purpose = forms.CharField(
        label="用途", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="写明所办事项及为何需要这些数据",
    )  # fmt: skip
    legal_basis = forms.CharField(
        label="使用依据", max_length=500, help_text="法律、法规或政策文件及条款"
    )
    requested_until = forms.DateField(
        label="申请使用期限（至）",
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(
        self,
        *args: Any,
        departments: QuerySet[Department],
        fields: list[ResourceField],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consumer"].queryset = departments  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["field_codes"].choices = _field_choices(fields)  # type: ignore[attr-defined]  # a ChoiceField


class ApproveForm(forms.Form):
    field_codes = forms.MultipleChoiceField(
        label="授权的信息项", widget=forms.CheckboxSelectMultiple, help_text="可少于申请的信息项"
    )
    valid_until = forms.DateField(
        label="授权有效期至", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    reason = forms.CharField(
        label="审核意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, requested: list[ResourceField], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field_codes"].choices = _field_choices(requested)  # type: ignore[attr-defined]  # a ChoiceField


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="撤回理由（可不填）", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


SUBJECT_KIND_LABELS = {
    "person": "自然人（公民身份号码）",
    "legal_entity": "法人（统一社会信用代码）",
}


class VerifyForm(forms.Form):
    """One verification: the department, the subject, why, and the service's parameters."""

    consumer = forms.ModelChoiceField(
        label="以哪个部门的名义查询", queryset=Department.objects.none(), empty_label=None
    )
    subject_kind = forms.ChoiceField(label="查询对象", widget=forms.RadioSelect)
    identifier = forms.CharField(
        label="证件号码", max_length=30, help_text="公民身份号码或统一社会信用代码（18 位）",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )  # fmt: skip
    purpose = forms.CharField(
        label="查询用途", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="会记入数据主体可见的访问日志，如“办理食品经营许可，核验申请人身份”",
    )  # fmt: skip
    case_no = forms.CharField(label="办件编号（可不填）", max_length=40, required=False)

    def __init__(
        self,
        *args: Any,
        service: VerificationService,
        departments: QuerySet[Department],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.service = service
        self.fields["consumer"].queryset = departments  # type: ignore[attr-defined]  # a ModelChoiceField
        kinds = [(k, SUBJECT_KIND_LABELS[k]) for k in service.subject_kinds]
        self.fields["subject_kind"].choices = kinds  # type: ignore[attr-defined]  # a ChoiceField
        self.fields["subject_kind"].initial = kinds[0][0]
        for param in service.params:
            field: forms.Field
            if param.kind == "choice":
                field = forms.ChoiceField(
                    label=param.label, required=param.required,
                    choices=[("", "不限"), *param.choices],
                )  # fmt: skip
            else:
                field = forms.CharField(label=param.label, required=param.required, max_length=100)
            if not param.required:
                field.label = f"{param.label}（可不填）"
            self.fields[f"param_{param.code}"] = field

    def params(self) -> dict[str, str]:
        return {
            p.code: self.cleaned_data.get(f"param_{p.code}") or ""
            for p in self.service.params
            if self.cleaned_data.get(f"param_{p.code}")
        }


def default_valid_until(requested_until: dt.date | None, today: dt.date) -> dt.date:
    return requested_until or today.replace(year=today.year + 1, day=min(today.day, 28))
