"""Forms of the joint procedures page (联合审图、联合测绘、联合踏勘、联合验收) and of
the zones' regional assessments (区域评估); the services validate the rest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from tongban.bundles.content import JOINT_KIND_LABELS
from tongban.bundles.models import AssessmentKind, JointResult

MAX_ID = 2**31 - 1


class JointScheduleForm(forms.Form):
    kind = forms.ChoiceField(
        label="联合办理类型", choices=[(k.value, label) for k, label in JOINT_KIND_LABELS.items()]
    )
    title = forms.CharField(label="名称", max_length=200, required=False, help_text="可不填")
    scheduled_at = forms.DateTimeField(
        label="时间",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label="地点", max_length=200)
    members = forms.MultipleChoiceField(
        label="参加的事项（部门）",
        widget=forms.CheckboxSelectMultiple,
        help_text="须有两个以上部门参加；只能选择正在办理的事项。",
    )
    suspends_clocks = forms.BooleanField(
        label="现场勘验、专家评审时间不计入办理期限（行政许可法第四十五条）",
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = members  # type: ignore[attr-defined]

    def clean_scheduled_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["scheduled_at"]
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class JointOpinionForm(forms.Form):
    procedure = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    department = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    result = forms.ChoiceField(label="意见", choices=JointResult.choices, widget=forms.RadioSelect)
    opinion = forms.CharField(
        label="意见说明",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="有条件同意或不同意须写明。",
    )


class JointConcludeForm(forms.Form):
    procedure = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)


class AssessmentForm(forms.Form):
    kind = forms.ChoiceField(label="评估事项", choices=AssessmentKind.choices)
    title = forms.CharField(label="成果名称", max_length=200)
    document_no = forms.CharField(label="批复文号", max_length=100)
    issued_by = forms.CharField(label="审批（出具）单位", max_length=200)
    valid_from = forms.DateField(label="有效期起", widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label="有效期至", widget=forms.DateInput(attrs={"type": "date"}))
