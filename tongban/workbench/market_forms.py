"""Forms of the trading centre's pages (issue 18): a tender announcement, a clarification
(答疑澄清), an expert of the pool (评标专家库). They parse the fields and check what
needs no database; the ``intermediaries`` services check the rest and answer with
their stable codes, which :func:`attach_problem` puts next to the field they name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.intermediaries.models import TenderCategory

WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
DOCUMENT_ACCEPT = ".pdf,.ofd,application/pdf"
# Service field names → the form's input names where they differ.
SERVICE_FIELDS = {"budget_fen": "budget_yuan", "region_code": "region", "file": "document"}


def attach_problem(form: forms.Form, exc: DomainError) -> bool:
    """Put a service refusal next to the input it names; False when it names none."""
    placed = False
    for problem in exc.fields or []:
        name = SERVICE_FIELDS.get(str(problem.get("field", "")), str(problem.get("field", "")))
        if name in form.fields:
            form.add_error(name, exc.detail)
            placed = True
    return placed


class TenderForm(forms.Form):
    category = forms.ChoiceField(label="交易类别", choices=TenderCategory.choices)
    title = forms.CharField(label="项目名称", max_length=200)
    tenderer_name = forms.CharField(label="招标人（出让人、采购人）", max_length=200)
    tenderer_code = forms.CharField(
        label="招标人统一社会信用代码", max_length=18, min_length=18, strip=True
    )
    region = forms.ChoiceField(label="项目所在地区")
    budget_yuan = forms.DecimalField(
        label="控制价或底价（元）",
        min_value=Decimal("0.01"),
        max_value=Decimal("999999999999.99"),
        decimal_places=2,
    )
    bid_deadline = forms.DateTimeField(
        label="报名及投标截止时间",
        widget=WHEN,
        help_text="须在发布后至少 1 天；截止后不再接收投标文件，也不能再发布澄清。",
    )
    opens_at = forms.DateTimeField(
        label="开标时间", widget=WHEN, help_text="不得早于投标截止时间，且在截止后 30 日内。"
    )
    announcement = forms.CharField(
        label="公告内容", max_length=20_000, widget=forms.Textarea(attrs={"rows": 5})
    )
    expert_specialty = forms.CharField(
        label="评标专业", max_length=60, help_text="评标专家从专家库中该专业的在库专家中随机抽取。"
    )
    expert_count = forms.IntegerField(
        label="评标专家人数", min_value=3, max_value=21, initial=5, help_text="3 人以上的单数。"
    )
    min_bids = forms.IntegerField(label="有效投标最少数量", min_value=1, max_value=10, initial=3)
    document = forms.FileField(
        label="招标文件（PDF 或 OFD）",
        required=False,
        help_text="发布时一并公开，平台公布其 SM3 摘要；也可发布后在项目页补充。",
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
    )

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions  # type: ignore[attr-defined]

    def clean_document(self) -> Any:
        upload = self.cleaned_data.get("document")
        if upload and upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError("招标文件不能超过 20 MB。")
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        deadline, opens = data.get("bid_deadline"), data.get("opens_at")
        if deadline is not None and deadline <= clock.now():
            self.add_error("bid_deadline", "投标截止时间须晚于现在。")
        if deadline is not None and opens is not None and opens < deadline:
            self.add_error("opens_at", "开标时间不能早于投标截止时间。")
        return data

    def budget_fen(self) -> int:
        return int(self.cleaned_data["budget_yuan"] * 100)


class ClarificationForm(forms.Form):
    title = forms.CharField(label="澄清标题", max_length=200)
    content = forms.CharField(
        label="澄清内容", max_length=20_000, widget=forms.Textarea(attrs={"rows": 5})
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label="文件标题", max_length=200, initial="招标文件")
    document = forms.FileField(
        label="文件（PDF 或 OFD）",
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
    )

    def clean_document(self) -> Any:
        upload = self.cleaned_data["document"]
        if upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError("文件不能超过 20 MB。")
        return upload


class ExpertForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    specialty = forms.CharField(label="评标专业", max_length=60)
    employer_name = forms.CharField(label="工作单位", max_length=200)
    employer_code = forms.CharField(
        label="工作单位统一社会信用代码",
        max_length=18,
        help_text="回避：与投标人或招标人同一单位的专家不被抽取。",
    )
    region = forms.ChoiceField(label="所在地区")
    phone = forms.CharField(
        label="手机号码", max_length=20, help_text="抽中后通知专家；列表中只显示脱敏号码。"
    )

    def __init__(
        self, *args: Any, regions: list[tuple[str, str]], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions  # type: ignore[attr-defined]
        if editing:
            self.fields["phone"].required = False
            self.fields["phone"].help_text = "留空则不变；列表中只显示脱敏号码。"


class CoWorkForm(forms.Form):
    entity_code = forms.CharField(
        label="合作单位统一社会信用代码",
        max_length=18,
        help_text="近三年与该单位有合作的，该单位投标时专家回避。",
    )
    until = forms.DateField(label="合作截止日期", widget=DATE)

    def clean_until(self) -> dt.date:
        until: dt.date = self.cleaned_data["until"]
        if until < clock.local_date(clock.now()) - dt.timedelta(days=365 * 3):
            raise forms.ValidationError("三年前结束的合作无需回避，不必登记。")
        return until
