"""Forms of the credit pages (行政处罚、红黑名单、信用修复): they parse the fields;
the credit services check the rest and answer with their stable codes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from tongban.credit.models import PenaltyKind, SubjectKind

MAX_IMPORT_BYTES = 5 * 1024 * 1024
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PenaltyForm(forms.Form):
    department = forms.TypedChoiceField(label="处罚机关", coerce=int)
    decision_no = forms.CharField(label="处罚决定书文号", max_length=100)
    legal_basis = forms.CharField(
        label="处罚依据", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    subject_kind = forms.ChoiceField(label="主体类型", choices=SubjectKind.choices)
    subject_code = forms.CharField(
        label="主体标识",
        max_length=64,
        help_text="法人填统一社会信用代码；自然人填公民身份号码（不保存明文）。",
    )
    subject_name = forms.CharField(label="主体名称", max_length=200)
    facts = forms.CharField(
        label="违法事实", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = forms.ChoiceField(label="处罚种类", choices=PenaltyKind.choices)
    amount_yuan = forms.DecimalField(
        label="罚没金额（元）",
        min_value=Decimal(0),
        max_value=Decimal("9999999999.99"),
        decimal_places=2,
        required=False,
        help_text="没有罚没款的填 0 或不填。",
    )
    decided_on = forms.DateField(label="处罚决定日期", widget=DATE)

    def __init__(self, *args: Any, departments: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = departments  # type: ignore[attr-defined]

    def amount_fen(self) -> int:
        value = self.cleaned_data.get("amount_yuan") or Decimal(0)
        return int(value * 100)


class PenaltyImportForm(forms.Form):
    department = forms.TypedChoiceField(label="处罚机关", coerce=int)
    file = forms.FileField(
        label="行政处罚表（xlsx）",
        help_text="第 1 行为表头：处罚决定书文号、处罚依据、主体类型、主体标识、主体名称、"
        "违法事实、处罚种类、罚没金额（元）、处罚决定日期。整表校验，有一行错误则不导入。",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument"
                   ".spreadsheetml.sheet"}
        ),
    )  # fmt: skip

    def __init__(self, *args: Any, departments: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = departments  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("文件不能超过 5 MB。")
        return upload


class EntryForm(forms.Form):
    list_code = forms.ChoiceField(label="名单")
    subject_kind = forms.ChoiceField(label="主体类型", choices=SubjectKind.choices)
    subject_code = forms.CharField(
        label="主体标识",
        max_length=64,
        help_text="法人填统一社会信用代码；自然人填公民身份号码（不保存明文）。",
    )
    subject_name = forms.CharField(label="主体名称", max_length=200)
    reason = forms.CharField(
        label="列入事由", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    legal_basis = forms.CharField(
        label="列入依据", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    valid_until = forms.DateField(label="有效期至", widget=DATE)

    def __init__(self, *args: Any, lists: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["list_code"].choices = lists  # type: ignore[attr-defined]


class EntryRemoveForm(forms.Form):
    """One per entry on the page (prefix ``e<id>``)."""

    reason = forms.CharField(label="移出原因", max_length=300)


class RepairReviewForm(forms.Form):
    """One per application on the page (prefix ``r<id>``)."""

    decision = forms.ChoiceField(
        label="审核结果",
        choices=[("approve", "准予修复（移出名单）"), ("reject", "不予修复")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="审核意见",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="不予修复须写明理由。",
    )
