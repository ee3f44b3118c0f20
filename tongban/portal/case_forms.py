"""Forms of the applicant's case pages: 在线申请, 补正, 撤回, 办件查询.

The application form is generated from the guide (``GuideContent.form`` and
the materials of the chosen situation). The form checks only what a browser
sends (types, sizes, file names); what the law and the guide require is
checked by ``cases.services.case_submit`` and its refusals are put back on
the fields here (:func:`attach_domain_errors`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from tongban.cases.services.forms import form_clean
from tongban.cases.services.uploads import detect_type
from tongban.catalog.content import (
    DEFAULT_DECIMALS,
    EARLIEST_DATE,
    LATEST_DATE,
    NUMBER_LIMIT,
    FieldType,
    FormField,
    GuideContent,
    MaterialRequirement,
    MaterialSource,
    Requirement,
    ServiceMode,
)
from tongban.core import clock
from tongban.core.errors import DomainError

ALLOWED_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".ofd")
ACCEPT = ".pdf,.jpg,.jpeg,.png,.ofd,application/pdf,image/jpeg,image/png"
EXEMPT_TEXT = "免提交（通过数据共享获取）"
REQUIREMENT_LABELS = {
    Requirement.REQUIRED: "必要",
    Requirement.OPTIONAL: "非必要",
    Requirement.SITUATIONAL: "按情形提交",
}


def upload_limit_text() -> str:
    limit = settings.TONGBAN_UPLOAD_MAX_BYTES
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


def check_upload(upload: UploadedFile | None) -> UploadedFile | None:
    """File name and size; the content itself is recognised by the case service."""
    if upload is None:
        return None
    name = (upload.name or "").lower()
    if not name.endswith(ALLOWED_SUFFIXES):
        raise forms.ValidationError("只接受 PDF、JPG、PNG 或 OFD 文件")
    if upload.size is not None and upload.size > settings.TONGBAN_UPLOAD_MAX_BYTES:
        raise forms.ValidationError(f"文件不能超过 {upload_limit_text()}")
    if not upload.size:
        raise forms.ValidationError("文件为空")
    return upload


class UploadField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        return check_upload(super().clean(data, initial))


def field_name(code: str) -> str:
    return f"f_{code}"


def material_field(code: str) -> str:
    return f"m_{code}"


def defer_field(code: str) -> str:
    return f"defer_{code}"


# Browser-side help (not a guard: the case service checks every field): the
# formats of the national identifiers as HTML patterns.
PATTERNS = {
    FieldType.ID_NUMBER: ("[0-9]{17}[0-9Xx]", 18, "18 位，最后一位可为 X"),
    FieldType.CREDIT_CODE: ("[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}", 18, "18 位数字或大写字母"),
    FieldType.PHONE: ("1[3-9][0-9]{9}", 11, "11 位手机号码"),
    FieldType.BANK_ACCOUNT: ("[0-9 ]{8,40}", 40, "8 至 32 位数字"),
}


def _num(value: float) -> str:
    """A bound as people write it: 100000000, 0.5 (never 1e+08)."""
    if value == int(value):
        return str(int(value))
    return f"{value:f}".rstrip("0")


def _number_attrs(spec: FormField) -> dict[str, Any]:
    decimals = spec.decimals if spec.decimals is not None else DEFAULT_DECIMALS
    attrs: dict[str, Any] = {
        "inputmode": "numeric" if decimals == 0 else "decimal",
        "step": "1" if decimals == 0 else f"{10**-decimals:.{decimals}f}",
        "min": _num(spec.min_value) if spec.min_value is not None else f"{-NUMBER_LIMIT}",
        "max": _num(spec.max_value) if spec.max_value is not None else f"{NUMBER_LIMIT}",
    }
    return attrs


def field_hint(spec: FormField) -> str:
    """What the definition allows, in words, under the field."""
    if spec.type == FieldType.NUMBER:
        decimals = spec.decimals if spec.decimals is not None else DEFAULT_DECIMALS
        parts = []
        if spec.min_value is not None and spec.max_value is not None:
            parts.append(f"{_num(spec.min_value)} 至 {_num(spec.max_value)}")
        elif spec.min_value is not None:
            parts.append(f"不小于 {_num(spec.min_value)}")
        elif spec.max_value is not None:
            parts.append(f"不大于 {_num(spec.max_value)}")
        parts.append("整数" if decimals == 0 else f"最多 {decimals} 位小数")
        return "，".join(parts)
    if spec.type == FieldType.DATE and (spec.min_date or spec.max_date):
        earliest, latest = spec.min_date or EARLIEST_DATE, spec.max_date or LATEST_DATE
        return f"{earliest.isoformat()} 至 {latest.isoformat()}"
    if spec.type in PATTERNS:
        return PATTERNS[spec.type][2]
    return ""


def _form_field(spec: FormField) -> forms.Field:
    hint = field_hint(spec)
    help_text = "；".join(p for p in (spec.help_text, hint) if p)
    common: dict[str, Any] = {
        "label": spec.label,
        "required": False,  # the case service decides, and says so next to the field
        "help_text": help_text,
    }
    attrs: dict[str, Any] = {}
    if spec.required:
        attrs.update({"required": True, "aria-required": "true"})
    if spec.max_length:
        attrs["maxlength"] = spec.max_length
    if spec.pattern:
        attrs["pattern"] = spec.pattern
    if spec.type == FieldType.TEXTAREA:
        return forms.CharField(widget=forms.Textarea(attrs={**attrs, "rows": 3}), **common)
    if spec.type == FieldType.NUMBER:
        attrs.update(_number_attrs(spec))
        return forms.CharField(widget=forms.NumberInput(attrs=attrs), **common)
    if spec.type == FieldType.DATE:
        earliest, latest = spec.min_date or EARLIEST_DATE, spec.max_date or LATEST_DATE
        attrs.update({"type": "date", "min": earliest.isoformat(), "max": latest.isoformat()})
        return forms.CharField(widget=forms.DateInput(attrs=attrs), **common)
    if spec.type == FieldType.SELECT:
        choices = [("", "请选择"), *((o, o) for o in spec.options)]
        return forms.ChoiceField(choices=choices, widget=forms.Select(attrs=attrs), **common)
    if spec.type == FieldType.CHECKBOX:
        return forms.BooleanField(**common)
    if spec.type in PATTERNS:
        pattern, length, _ = PATTERNS[spec.type]
        attrs.setdefault("pattern", pattern)
        attrs.setdefault("maxlength", length)
        attrs.update({"autocomplete": "off", "spellcheck": "false"})
        if spec.type == FieldType.PHONE:
            attrs.update({"inputmode": "tel", "autocomplete": "tel", "type": "tel"})
        elif spec.type == FieldType.BANK_ACCOUNT:
            attrs["inputmode"] = "numeric"
        else:
            attrs["class"] = "code-input"
        return forms.CharField(widget=forms.TextInput(attrs=attrs), **common)
    return forms.CharField(widget=forms.TextInput(attrs=attrs), **common)


@dataclass(frozen=True)
class MaterialRow:
    """One material of the checklist as the page shows it."""

    spec: MaterialRequirement
    requirement: str
    exempt: bool
    deferrable: bool  # may be marked 容缺后补 on this item
    upload: str  # name of the file field, "" for exempt materials
    defer: str  # name of the 容缺 checkbox, ""
    needed: bool  # required in this situation
    drop: str = ""  # name of the "delete the staged file" checkbox, ""
    # 两个免于提交: the look-up for this applicant (``exemptions_preview``), or
    # None when there was none (the applicant is not known yet).
    lookup: dict[str, Any] | None = None


def material_rows(
    guide: GuideContent,
    materials: Iterable[MaterialRequirement],
    lookups: dict[str, dict[str, Any]] | None = None,
) -> list[MaterialRow]:
    """The checklist; a government-issued material the look-up did not find
    (``lookups``) is an upload like any other, with the reason beside it."""
    deferring = ServiceMode.DEFERRED_MATERIALS in guide.modes
    rows = []
    for m in materials:
        lookup = (lookups or {}).get(m.code)
        exempt = (m.exempt or m.source == MaterialSource.GOVERNMENT) and (
            lookup is None or bool(lookup["found"])
        )
        deferrable = deferring and m.deferrable and not exempt
        rows.append(
            MaterialRow(
                spec=m,
                requirement=REQUIREMENT_LABELS[m.requirement],
                exempt=exempt,
                deferrable=deferrable,
                upload="" if exempt else material_field(m.code),
                defer=defer_field(m.code) if deferrable else "",
                needed=m.requirement != Requirement.OPTIONAL,
                drop="" if exempt else drop_field(m.code),
                lookup=lookup,
            )
        )
    return rows


@dataclass(frozen=True)
class FixedAnswer:
    """A field of the guide's form the applicant is not asked (R-PL-2: no second
    entry): it comes from a registry or from the situation already answered."""

    code: str
    label: str
    shown: str  # masked where personal
    source: str  # 来源, shown next to it
    value: str = ""  # sent to the case service; "" leaves it to the service's binding


class ApplicationForm(forms.Form):
    """在线申请: the guide's form, one upload per material, 容缺 and 告知承诺.

    Every problem is reported in one round (issue 20, item 2): the fields are
    checked by the case service's own ``form_clean`` (bounds, formats, the
    applicant's registered identity) and each file by its first bytes, beside
    the check that every needed material is there. Files that passed are
    staged by the view (``staging``), so ``staged`` names the materials
    already uploaded with this draft.
    """

    token = forms.CharField(widget=forms.HiddenInput)
    situation = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        guide: GuideContent,
        rows: list[MaterialRow],
        entities: list[tuple[str, str]] | None = None,
        fixed: list[FixedAnswer] | None = None,
        bound: Callable[[str], dict[str, str]] | None = None,
        staged: dict[str, Any] | None = None,
        today: dt.date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.guide = guide
        self.rows = rows
        self.fixed = fixed or []
        self.bound = bound
        self.staged = dict(staged or {})
        self.today = today
        self.commitment_mode = ServiceMode.COMMITMENT in guide.modes
        fixed_codes = {f.code for f in self.fixed}
        if entities is not None:
            self.fields["entity"] = forms.ChoiceField(
                label="申请单位",
                choices=[("", "请选择"), *entities],
                help_text="以哪一家单位的名义申请；您本人为经办人。",
            )
        self.asked = [spec for spec in guide.form if spec.code not in fixed_codes]
        for spec in self.asked:
            field = _form_field(spec)
            field.tb_required = spec.required  # type: ignore[attr-defined]  # read by the template
            self.fields[field_name(spec.code)] = field
        for row in rows:
            if row.upload:
                self.fields[row.upload] = UploadField(label=row.spec.name)
                if row.spec.code in self.staged:
                    self.fields[drop_field(row.spec.code)] = forms.BooleanField(
                        label="删除已上传的文件", required=False
                    )
            if row.defer:
                self.fields[row.defer] = forms.BooleanField(label="容缺后补", required=False)
        if self.commitment_mode:
            self.fields["commitment"] = forms.BooleanField(
                label="本人已阅读并承诺上述内容属实（告知承诺）", required=False
            )

    @property
    def form_fields(self) -> list[forms.BoundField]:
        return [self[field_name(spec.code)] for spec in self.asked]

    def kept(self, row: MaterialRow) -> Any:
        """The file staged for this material that the applicant keeps, if any."""
        staged = self.staged.get(row.spec.code)
        if staged is None:
            return None
        if self.is_bound and self.data.get(self.add_prefix(drop_field(row.spec.code))):
            return None
        return staged

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        committed = bool(data.get("commitment"))
        for row in self.rows:
            if not row.upload or row.upload in self.errors:
                continue
            upload = data.get(row.upload)
            if upload:
                try:
                    detect_type(_read(upload), row.spec.name)
                except DomainError as exc:
                    self.add_error(row.upload, exc.detail.split("：", 1)[-1])
                continue
            if not row.needed or self.kept(row) is not None:
                continue
            if (row.defer and data.get(row.defer)) or committed:
                continue
            hint = "，或选择“容缺后补”" if row.defer else ""
            self.add_error(row.upload, f"请上传{row.spec.name}{hint}")
        self._check_answers(data)
        return data

    def _check_answers(self, data: dict[str, Any]) -> None:
        """The case service's own checks of the form, so that a wrong ID number or
        phone is reported together with a missing file."""
        bound = self.bound(str(data.get("entity") or "")) if self.bound else {}
        _, problems = form_clean(
            self.guide.form, self.form_data(), today=self.today or clock.today(), bound=bound
        )
        for problem in problems:
            name = field_name(problem["field"].removeprefix("form."))
            if name in self.fields and name not in self.errors:
                self.add_error(name, problem["message"])
            elif name not in self.fields and not self.non_field_errors():
                self.add_error(None, problem["message"])

    def form_data(self) -> dict[str, Any]:
        """The answers as the case stores them (empty answers left out)."""
        answers: dict[str, Any] = {f.code: f.value for f in self.fixed if f.value}
        for spec in self.asked:
            value = self.cleaned_data.get(field_name(spec.code))
            if spec.type == FieldType.CHECKBOX:
                if value:
                    answers[spec.code] = True
                elif not spec.required:
                    answers[spec.code] = False
                continue
            text = (value or "").strip() if isinstance(value, str) else value
            if text not in (None, ""):
                answers[spec.code] = text
        return answers


def _read(upload: UploadedFile) -> bytes:
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    return bytes(content)


def drop_field(code: str) -> str:
    return f"drop_{code}"


_MATERIAL_INDEX = re.compile(r"^materials\[(\d+)\]")


def attach_domain_errors(
    form: forms.Form, exc: DomainError, *, material_order: list[str] | None = None
) -> bool:
    """Put the refusal's field errors next to their fields; True if any was placed.

    ``form.<code>`` names a field of the guide's form; ``materials[i]`` the
    i-th material sent, in ``material_order``.
    """
    placed = False
    for problem in exc.fields:
        where = str(problem.get("field") or "")
        message = str(problem.get("message") or exc.detail)
        if where.startswith("form."):
            name = field_name(where.removeprefix("form."))
            if name in form.fields:
                form.add_error(name, message)
                placed = True
    match = _MATERIAL_INDEX.match(exc.detail)
    if material_order is not None and match:
        index = int(match.group(1))
        if index < len(material_order):
            name = material_field(material_order[index])
            if name in form.fields:
                form.add_error(name, exc.detail.split("：", 1)[-1])
                placed = True
    return placed


class SupplementForm(forms.Form):
    """补正: one upload per material the notice listed."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, items: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[material_field(item["code"])] = UploadField(label=item["name"])

    @property
    def upload_fields(self) -> list[forms.BoundField]:
        return [self[material_field(item["code"])] for item in self.items]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(material_field(i["code"])) for i in self.items) and not self.errors:
            raise forms.ValidationError("请至少上传一份补正材料。")
        return data


class WithdrawForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="撤回原因（可不填）",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"maxlength": 500}),
    )


class TrackForm(forms.Form):
    case_no = forms.CharField(
        label="办件编号",
        max_length=40,
        error_messages={"required": "请输入办件编号"},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "numeric"}
        ),
    )
    code = forms.CharField(
        label="查询码",
        required=False,
        max_length=16,
        help_text="8 位，见受理通知书或收件短信。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    id_last4 = forms.RegexField(
        label="或：申请人身份证件号码后四位",
        required=False,
        regex=r"^[0-9Xx]{4}$",
        error_messages={"invalid": "请输入身份证件号码的最后四位"},
        help_text="个人申请可用，只显示办理状态和期限。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("code") and not data.get("id_last4") and not self.errors:
            raise forms.ValidationError("请输入查询码，或申请人身份证件号码后四位。")
        return data
