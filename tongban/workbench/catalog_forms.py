"""Forms of the catalogue editor (事项编辑): the guide draft as a real form.

The forms only check shape and turn the fields back into a guide document;
``catalog.services.guide_draft_update`` validates it (``guide_content_parse``)
and ``guide_submit`` lints it. Their errors come back as dotted paths
(``materials.2.name`` from validation, ``materials[2].name`` from the lint),
which ``catalog_form_errors.attach_guide_errors`` puts next to the input they name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.forms import BaseFormSet, formset_factory

from tongban.catalog.content import (
    SERVICE_MODE_LABELS,
    Audience,
    Handling,
    LicenceSeparationMode,
    LimitUnit,
    MaterialSource,
    Media,
    Requirement,
    ServiceMode,
    SpecialProcedure,
)

REQUIRED = "请填写{}。"

AUDIENCE_CHOICES = [(Audience.PERSON.value, "个人"), (Audience.LEGAL_ENTITY.value, "法人")]
HANDLING_CHOICES = [(Handling.IMMEDIATE.value, "即办件"), (Handling.PROMISED.value, "承诺件")]
UNIT_CHOICES = [(LimitUnit.WORKING_DAYS.value, "工作日"), (LimitUnit.NATURAL_DAYS.value, "自然日")]
DEPTH_CHOICES = [("1", "一级（网上咨询）"), ("2", "二级（网上预审）"), ("3", "三级（网上受理）"),
                 ("4", "四级（全程网办）")]  # fmt: skip
VISIT_CHOICES = [("0", "0 次（一次不跑）"), ("1", "1 次（只跑一次）"), ("2", "2 次")]
MODE_CHOICES = [(mode.value, SERVICE_MODE_LABELS[mode]) for mode in ServiceMode]
LICENCE_CHOICES = [
    ("", "不适用"),
    (LicenceSeparationMode.CANCELLED.value, "直接取消审批"),
    (LicenceSeparationMode.FILING.value, "审批改为备案"),
    (LicenceSeparationMode.COMMITMENT.value, "实行告知承诺"),
    (LicenceSeparationMode.OPTIMISED.value, "优化审批服务"),
]
SPECIAL_CHOICES = [
    ("", "无"),
    (SpecialProcedure.HEARING.value, "听证"),
    (SpecialProcedure.TESTING.value, "检验、检测"),
    (SpecialProcedure.INSPECTION.value, "现场勘验、检疫"),
    (SpecialProcedure.EXPERT_REVIEW.value, "专家评审"),
]
REQUIREMENT_CHOICES = [
    (Requirement.REQUIRED.value, "必要"),
    (Requirement.OPTIONAL.value, "非必要"),
    (Requirement.SITUATIONAL.value, "按情形提交"),
]
MEDIA_CHOICES = [
    (Media.EITHER.value, "纸质或电子"),
    (Media.PAPER.value, "纸质"),
    (Media.ELECTRONIC.value, "电子"),
]
SOURCE_CHOICES = [
    (MaterialSource.APPLICANT.value, "申请人自备"),
    (MaterialSource.GOVERNMENT.value, "政府部门核发"),
    (MaterialSource.INTERMEDIARY.value, "中介机构出具"),
]
ADVANCED_KEYS = ("situations", "questions", "form")
_SPLIT = re.compile(r"[\r\n]+")
_CODES = re.compile(r"[\s,，、;；]+")


def _lines(value: str) -> list[str]:
    return [line.strip() for line in _SPLIT.split(value or "") if line.strip()]


def _messages(label: str) -> dict[str, str]:
    return {
        "required": REQUIRED.format(label),
        "invalid": f"{label}格式不正确。",
        "max_length": f"{label}过长。",
        "min_value": f"{label}不能小于 %(limit_value)s。",
        "max_value": f"{label}不能大于 %(limit_value)s。",
        "invalid_choice": f"请从列表中选择{label}。",
    }


def _text(label: str, *, required: bool = False, max_length: int = 200, **kw: Any) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        error_messages=_messages(label),
        **kw,
    )


def _area(label: str, *, help_text: str = "", rows: int = 3, max_length: int = 20000) -> Any:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        error_messages=_messages(label),
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _int(
    label: str,
    *,
    min_value: int = 0,
    max_value: int = 3650,
    required: bool = True,
    initial: int | None = None,
) -> Any:
    return forms.IntegerField(
        label=label,
        initial=initial,
        required=required,
        min_value=min_value,
        max_value=max_value,
        error_messages=_messages(label),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def _choice(label: str, choices: list[tuple[str, str]], *, required: bool = True) -> Any:
    # The first choice is the initial value: a blank new row of a formset then
    # counts as unchanged, as the browser submits the first option.
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        initial=choices[0][0],
        error_messages=_messages(label),
    )


def _flag(label: str) -> Any:
    return forms.BooleanField(label=label, required=False)


# ---------------------------------------------------------------- the main form

PER_LINE = "每行一项。"


class GuideDraftForm(forms.Form):
    """The common fields of a guide (the 八公开 and the service facets)."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    name = _text("事项名称", required=True)
    aliases = _area("别名", help_text=PER_LINE, rows=2)
    keywords = _area("关键词", help_text=PER_LINE + "用于检索，如“营业执照”“开公司”。", rows=2)
    audience = forms.MultipleChoiceField(
        label="服务对象",
        choices=AUDIENCE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个服务对象。"},
    )
    themes = _area("主题", help_text=PER_LINE + "如“设立变更”“婚姻登记”。", rows=2)
    handling = forms.ChoiceField(
        label="办件类型",
        choices=HANDLING_CHOICES,
        widget=forms.RadioSelect,
        help_text="即办件当场办结；承诺件在承诺时限内办结（行政许可法 第四十二条）。",
        error_messages=_messages("办件类型"),
    )
    legal_limit_value = _int("法定时限")
    legal_limit_unit = _choice("法定时限单位", UNIT_CHOICES)
    promised_limit_value = _int("承诺时限")
    promised_limit_unit = _choice("承诺时限单位", UNIT_CHOICES)
    online_depth = _choice("网办深度", DEPTH_CHOICES)
    visits_required = _choice("跑动次数", VISIT_CHOICES)
    mobile = _flag("掌上可办")
    free = _flag("不收费")
    conditions = _area("受理条件", help_text=PER_LINE, rows=4)
    result = _text("办理结果", help_text="如“营业执照”“准予许可决定书”。")
    result_certificate_type = _text("结果证照类型", help_text="结果为电子证照时填写证照类型。")
    modes = forms.MultipleChoiceField(
        label="服务方式",
        choices=MODE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages=_messages("服务方式"),
    )
    commitment_text = _area("告知承诺书", help_text="服务方式含“告知承诺”时填写。", rows=3)
    halls = _area("办理地点", help_text="每行一个大厅或窗口。", rows=2)
    address = _text("地址")
    office_hours = _text("办公时间", help_text="如“工作日 9:00—12:00，13:30—17:00”。")
    licence_separation = _choice("证照分离改革方式", LICENCE_CHOICES, required=False)
    prior_approval = _flag("前置审批事项")
    intermediary_service = _flag("需中介服务")
    notes = _area("备注", rows=2, max_length=2000)
    advanced = _area(
        "情形、引导问题和申请表（JSON）",
        help_text="一个 JSON 对象，含 situations、questions、form 三项。",
        rows=12,
        max_length=200000,
    )
    change_note = _text(
        "修订说明",
        max_length=500,
        help_text="本版修改了什么、为什么修改；审核发布时确认，在办事指南的修订记录中公开。",
    )

    def clean_advanced(self) -> dict[str, Any]:
        raw = str(self.cleaned_data.get("advanced") or "").strip()
        if not raw:
            return {key: [] for key in ADVANCED_KEYS}
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"JSON 格式有误：第 {exc.lineno} 行第 {exc.colno} 列附近。", code="invalid_json"
            ) from None
        if not isinstance(data, dict):
            raise forms.ValidationError("应为一个 JSON 对象（以 { 开头）。", code="invalid_json")
        unknown = sorted(set(data) - set(ADVANCED_KEYS))
        if unknown:
            raise forms.ValidationError(
                f"不认识的项：{'、'.join(unknown)}；只能包含 situations、questions、form。",
                code="invalid_json",
            )
        for key in ADVANCED_KEYS:
            if not isinstance(data.get(key, []), list):
                raise forms.ValidationError(f"{key} 应为列表（[...]）。", code="invalid_json")
        return {key: data.get(key, []) for key in ADVANCED_KEYS}


# ---------------------------------------------------------------- the formsets


class FeeForm(forms.Form):
    name = _text("收费项目", required=True)
    standard = _text("收费标准", required=True, help_text="如“每件 80 元”。")
    basis = _text("收费依据", help_text="设定收费的文件及文号。")


class LegalBasisForm(forms.Form):
    title = _text("法律法规名称", required=True, help_text="如《中华人民共和国行政许可法》。")
    article = _text("条款", help_text="如“第三十条”。")
    excerpt = _area("条文内容", rows=2, max_length=2000)


class StepForm(forms.Form):
    name = _text("环节名称", required=True, help_text="如受理、审查、决定、送达。")
    role = _text("办理人员", help_text="如窗口人员、审批人员。")
    department = _text("办理部门", help_text="留空为本事项的实施主体。")
    share_percent = _int("占承诺时限比例（%）", max_value=100, required=False)
    special_procedure = _choice("特别程序", SPECIAL_CHOICES, required=False)
    description = _area("说明", rows=2, max_length=2000)


class MaterialForm(forms.Form):
    code = _text(
        "材料编码",
        required=True,
        max_length=40,
        help_text="字母、数字、下划线，如 id_card。",
    )
    name = _text("材料名称", required=True)
    requirement = _choice("是否必要", REQUIREMENT_CHOICES)
    situations = _text("适用情形编码", help_text="按情形提交时填写，多个用逗号分隔。")
    originals = _int("原件份数", max_value=20, initial=1)
    copies = _int("复印件份数", max_value=20, initial=0)
    media = _choice("材料形式", MEDIA_CHOICES)
    source = _choice("来源渠道", SOURCE_CHOICES)
    certificate_type = _text("证照类型", help_text="政府部门核发的材料：对应的电子证照类型。")
    exempt = _flag("免提交（通过数据共享获取）")
    deferrable = _flag("容缺（可受理后补交）")
    blank_form = _text("空白表格")
    sample = _text("示例样表")
    legal_basis = _text("材料依据")
    notes = _area("填报说明", rows=2, max_length=2000)


class ContactForm(forms.Form):
    kind = _text("类别", required=True, help_text="如咨询电话、监督投诉电话。")
    value = _text("号码或地址", required=True)


class GuideFormSet(BaseFormSet):
    """A formset whose rows turn into a list of the guide, in order, skipping
    empty new rows and rows marked for deletion."""

    def kept_forms(self) -> list[forms.Form]:
        kept = []
        for index, form in enumerate(self.forms):
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            if self.can_delete and form.cleaned_data.get("DELETE"):
                continue
            kept.append(form)
        return kept


def _formset(form: type[forms.Form]) -> Any:
    return formset_factory(form, formset=GuideFormSet, extra=1, can_delete=True, max_num=200)


FeeFormSet = _formset(FeeForm)
LegalBasisFormSet = _formset(LegalBasisForm)
StepFormSet = _formset(StepForm)
MaterialFormSet = _formset(MaterialForm)
ContactFormSet = _formset(ContactForm)

# (prefix in the page and key in the guide, formset class, heading)
FORMSETS: tuple[tuple[str, Any, str], ...] = (
    ("fees", FeeFormSet, "收费项目"),
    ("legal_bases", LegalBasisFormSet, "设定依据"),
    ("steps", StepFormSet, "办理环节"),
    ("materials", MaterialFormSet, "申请材料"),
    ("contacts", ContactFormSet, "咨询投诉"),
)


# ---------------------------------------------------------------- guide <-> forms


def initial_from_guide(content: dict[str, Any], revision: int) -> dict[str, Any]:
    """The main form's initial values from a stored guide document."""
    legal = content.get("legal_limit") or {}
    promised = content.get("promised_limit") or {}
    return {
        "revision": revision,
        "name": content.get("name", ""),
        "aliases": "\n".join(content.get("aliases", [])),
        "keywords": "\n".join(content.get("keywords", [])),
        "audience": list(content.get("audience", [])),
        "themes": "\n".join(content.get("themes", [])),
        "handling": content.get("handling", Handling.PROMISED.value),
        "legal_limit_value": legal.get("value"),
        "legal_limit_unit": legal.get("unit", LimitUnit.WORKING_DAYS.value),
        "promised_limit_value": promised.get("value"),
        "promised_limit_unit": promised.get("unit", LimitUnit.WORKING_DAYS.value),
        "online_depth": str(content.get("online_depth", "")),
        "visits_required": str(content.get("visits_required", "")),
        "mobile": bool(content.get("mobile")),
        "free": bool(content.get("free", True)),
        "conditions": "\n".join(content.get("conditions", [])),
        "result": content.get("result", ""),
        "result_certificate_type": content.get("result_certificate_type", ""),
        "modes": list(content.get("modes", [])),
        "commitment_text": content.get("commitment_text", ""),
        "halls": "\n".join(content.get("halls", [])),
        "address": content.get("address", ""),
        "office_hours": content.get("office_hours", ""),
        "licence_separation": content.get("licence_separation") or "",
        "prior_approval": bool(content.get("prior_approval")),
        "intermediary_service": bool(content.get("intermediary_service")),
        "notes": content.get("notes", ""),
        "advanced": json.dumps(
            {key: content.get(key, []) for key in ADVANCED_KEYS}, ensure_ascii=False, indent=2
        ),
        "change_note": "",
    }


def formset_initial(content: dict[str, Any], key: str) -> list[dict[str, Any]]:
    rows = [dict(row) for row in content.get(key, [])]
    if key == "materials":
        for row in rows:
            row["situations"] = "，".join(row.get("situations", []))
    if key == "steps":
        for row in rows:
            row["special_procedure"] = row.get("special_procedure") or ""
    return rows


def _row(form: forms.Form, key: str) -> dict[str, Any]:
    data = {name: value for name, value in form.cleaned_data.items() if name != "DELETE"}
    if key == "materials":
        data["situations"] = [c for c in _CODES.split(data.get("situations") or "") if c]
    if key == "steps":
        data["special_procedure"] = data.get("special_procedure") or None
        data["share_percent"] = data.get("share_percent") or 0
    return data


@dataclass
class GuideEditor:
    """The main form and the formsets of one draft, bound or not."""

    form: GuideDraftForm
    formsets: dict[str, Any]
    # Which form holds row i of each list in the document built by ``content``.
    rows: dict[str, list[forms.Form]] = field(default_factory=dict)

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        for formset in self.formsets.values():
            valid = formset.is_valid() and valid
        return valid

    def content(self) -> dict[str, Any]:
        """The guide document (call after ``is_valid``)."""
        data = self.form.cleaned_data
        content: dict[str, Any] = {
            "name": data["name"],
            "aliases": _lines(data["aliases"]),
            "keywords": _lines(data["keywords"]),
            "audience": list(data["audience"]),
            "themes": _lines(data["themes"]),
            "handling": data["handling"],
            "legal_limit": {"value": data["legal_limit_value"], "unit": data["legal_limit_unit"]},
            "promised_limit": {
                "value": data["promised_limit_value"],
                "unit": data["promised_limit_unit"],
            },
            "online_depth": int(data["online_depth"]),
            "visits_required": int(data["visits_required"]),
            "mobile": data["mobile"],
            "free": data["free"],
            "conditions": _lines(data["conditions"]),
            "result": data["result"],
            "result_certificate_type": data["result_certificate_type"],
            "modes": list(data["modes"]),
            "commitment_text": data["commitment_text"],
            "halls": _lines(data["halls"]),
            "address": data["address"],
            "office_hours": data["office_hours"],
            "licence_separation": data["licence_separation"] or None,
            "prior_approval": data["prior_approval"],
            "intermediary_service": data["intermediary_service"],
            "notes": data["notes"],
            **data["advanced"],
        }
        for key, formset in self.formsets.items():
            kept = formset.kept_forms()
            self.rows[key] = kept
            content[key] = [_row(form, key) for form in kept]
        return content

    @property
    def has_errors(self) -> bool:
        return bool(self.form.errors) or any(
            formset.total_error_count() for formset in self.formsets.values()
        )


def guide_editor(*, content: dict[str, Any], revision: int, data: Any = None) -> GuideEditor:
    form = GuideDraftForm(data, initial=initial_from_guide(content, revision))
    formsets = {
        key: cls(data, initial=formset_initial(content, key), prefix=key)
        for key, cls, _heading in FORMSETS
    }
    return GuideEditor(form=form, formsets=formsets)
