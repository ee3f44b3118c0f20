"""Forms of the 双随机、一公开 pages: they parse the fields; ``supervision.inspections``
checks the rest (scope, rates, items of the departments, 回避) with stable codes."""

from __future__ import annotations

from typing import Any

from django import forms

from tongban.supervision.inspection_models import InspectionResult

CLASSES = ("A", "B", "C", "D")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ItemForm(forms.Form):
    department = forms.TypedChoiceField(label="部门", coerce=int)
    code = forms.SlugField(
        label="事项编码", max_length=40, help_text="字母、数字、连字符，如 food-safety"
    )
    name = forms.CharField(label="抽查事项", max_length=200)
    legal_basis = forms.CharField(
        label="抽查依据", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    qualification = forms.CharField(
        label="检查人员资格", max_length=40, help_text="执法检查人员须具备的资格，如 食品安全"
    )
    method = forms.CharField(label="抽查方式", max_length=60, initial="现场检查")

    def __init__(self, *args: Any, departments: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = departments  # type: ignore[attr-defined]


class PlanForm(forms.Form):
    title = forms.CharField(label="计划名称", max_length=200)
    lead_department = forms.TypedChoiceField(label="牵头部门", coerce=int)
    departments = forms.TypedMultipleChoiceField(
        label="参与部门（跨部门联合抽查，可不选）",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="联合抽查对每户只检查一次，每个参与部门至少派一名检查人员。",
    )
    items = forms.TypedMultipleChoiceField(
        label="抽查事项", coerce=int, widget=forms.CheckboxSelectMultiple
    )
    scope_region = forms.RegexField(
        label="抽查范围：登记地区划代码",
        regex=r"^\d{6}$",
        max_length=6,
        help_text="6 位行政区划代码，如 320100 为南京市全市。",
        error_messages={"invalid": "区划代码应为 6 位数字。"},
    )
    scope_industry = forms.CharField(
        label="抽查范围：行业（经营范围关键词）", max_length=40, required=False
    )
    scope_classes = forms.MultipleChoiceField(
        label="抽查范围：信用等级",
        choices=[(c, f"{c} 级") for c in CLASSES],
        initial=list(CLASSES),
        widget=forms.CheckboxSelectMultiple,
    )
    rate_A = forms.IntegerField(label="A 级抽查比例（‰）", min_value=1, max_value=1000, initial=10)
    rate_B = forms.IntegerField(label="B 级抽查比例（‰）", min_value=1, max_value=1000, initial=20)
    rate_C = forms.IntegerField(label="C 级抽查比例（‰）", min_value=1, max_value=1000, initial=50)
    rate_D = forms.IntegerField(
        label="D 级抽查比例（‰）",
        min_value=1,
        max_value=1000,
        initial=200,
        help_text="信用等级越低，抽查比例越高；每层至少抽取 1 户。",
    )
    inspectors_per_task = forms.IntegerField(
        label="每户检查人员数", min_value=1, max_value=5, initial=2
    )
    starts_on = forms.DateField(label="开始日期", widget=DATE)
    ends_on = forms.DateField(label="结束日期", widget=DATE)

    def __init__(
        self,
        *args: Any,
        leads: list[tuple[int, str]],
        departments: list[tuple[int, str]],
        items: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_department"].choices = leads  # type: ignore[attr-defined]
        self.fields["departments"].choices = departments  # type: ignore[attr-defined]
        self.fields["items"].choices = items  # type: ignore[attr-defined]

    def rates(self) -> dict[str, int]:
        return {c: self.cleaned_data[f"rate_{c}"] for c in CLASSES}


class ResultForm(forms.Form):
    """One per task on the inspector's page (prefix ``t<id>``)."""

    result = forms.ChoiceField(
        label="检查结果", choices=InspectionResult.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="检查情况", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConflictForm(forms.Form):
    subject_code = forms.CharField(label="检查对象的统一社会信用代码", min_length=18, max_length=18)
    reason = forms.CharField(
        label="回避事由", max_length=200, help_text="如：近亲属在该单位任职；三年内曾在该单位任职。"
    )


class ReplaceForm(forms.Form):
    """更换检查人员 on a task not yet inspected (illness, a conflict declared late)."""

    subject_code = forms.CharField(label="检查对象的统一社会信用代码", min_length=18, max_length=18)
    remove = forms.CharField(label="换下的检查人员执法证号", max_length=40)
    add = forms.CharField(label="换上的检查人员执法证号", max_length=40)
