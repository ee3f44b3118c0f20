"""Forms of the catalogue editor's review, version, comparison and import actions."""

from __future__ import annotations

from typing import Any

from django import forms


class ReviewForm(forms.Form):
    number = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = forms.CharField(
        label="审核意见",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="退回修改时必须填写。",
    )
    change_note = forms.CharField(
        label="修订说明",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="本版修改了什么、为什么修改；发布后在办事指南的修订记录中公开。",
    )


class VersionActionForm(forms.Form):
    number = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CompareForm(forms.Form):
    a = forms.IntegerField(label="旧版本", min_value=1)
    b = forms.IntegerField(label="新版本", min_value=1)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="事项清单文件（.xlsx）",
        error_messages={"required": "请选择要导入的 .xlsx 文件。", "empty": "文件是空的。"},
        widget=forms.FileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not str(upload.name).lower().endswith(".xlsx"):
            raise forms.ValidationError("只能导入 .xlsx 格式的文件。")
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError("文件超过 20 MB。")
        return upload
