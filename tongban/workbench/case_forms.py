"""Forms of the staff case pages: 窗口收件 and one form per transition.

Every action form carries the case ``version`` it was rendered from; the
transition service refuses a stale version (the If-Match of the page), so two
clerks cannot both act on the same state. The forms check input shape only;
the law's checks are in ``cases.services``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from tongban.cases.models import DeliveryMethod, Outcome, SuspensionReason
from tongban.catalog.content import (
    FieldType,
    FormField,
    GuideContent,
    MaterialRequirement,
    MaterialSource,
    Requirement,
    ServiceMode,
)
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_credit_code

ALLOWED_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".ofd")
ACCEPT = ".pdf,.jpg,.jpeg,.png,.ofd,application/pdf,image/jpeg,image/png"
REQUIREMENT_LABELS = {
    Requirement.REQUIRED: "必要",
    Requirement.OPTIONAL: "非必要",
    Requirement.SITUATIONAL: "按情形提交",
}


def _text(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs=attrs)


def _area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def check_upload(upload: UploadedFile | None) -> UploadedFile | None:
    if upload is None:
        return None
    if not (upload.name or "").lower().endswith(ALLOWED_SUFFIXES):
        raise forms.ValidationError("只接受 PDF、JPG、PNG 或 OFD 文件")
    limit = settings.TONGBAN_UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise forms.ValidationError(f"文件不能超过 {limit // (1024 * 1024)} MB")
    return upload


class UploadField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        return check_upload(super().clean(data, initial))


# ---------------------------------------------------------------- 窗口收件


class PersonLookupForm(forms.Form):
    """Step 1: a person by 公民身份号码; name and phone register a new person.

    ``who`` names the person in the labels: the applicant (申请人), or, for a
    legal entity, its 经办人 and 法定代表人 (two lookups on one page, told
    apart by ``prefix``).
    """

    id_number = forms.CharField(
        max_length=18,
        min_length=15,
        widget=_text(autocomplete="off", spellcheck="false"),
    )
    name = forms.CharField(max_length=50, required=False, widget=_text())
    phone = forms.CharField(
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )

    def __init__(
        self,
        *args: Any,
        who: str = "申请人",
        phone_help: str = "用于短信告知办理进度。",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].help_text = phone_help
        self.fields["id_number"].label = f"{who}公民身份号码"
        self.fields["id_number"].error_messages["required"] = f"请输入{who}公民身份号码"
        self.fields["name"].label = f"{who}姓名"
        self.fields["phone"].label = f"{who}手机号码"


class EntityLookupForm(forms.Form):
    """Step 1 for a legal entity: found by 统一社会信用代码; its name (with a
    法定代表人) registers a new one. A name given must agree with the register."""

    credit_code = forms.CharField(
        label="统一社会信用代码",
        max_length=24,  # 18 characters, typed perhaps with spaces or hyphens
        error_messages={"required": "请输入统一社会信用代码"},
        widget=_text(autocomplete="off", spellcheck="false", autocapitalize="characters"),
    )
    entity_name = forms.CharField(
        label="单位名称",
        max_length=200,
        required=False,
        widget=_text(autocomplete="off"),
        help_text="与营业执照等登记证照上的名称一致。",
    )

    def clean_credit_code(self) -> str:
        # GB 32100-2015: length, alphabet, parts and both check characters.
        try:
            return validate_credit_code(self.cleaned_data["credit_code"])
        except DomainError as exc:
            raise forms.ValidationError(exc.detail) from None


def field_name(code: str) -> str:
    return f"f_{code}"


def _form_field(spec: FormField) -> forms.Field:
    common: dict[str, Any] = {"label": spec.label, "required": False, "help_text": spec.help_text}
    attrs: dict[str, Any] = {"maxlength": spec.max_length} if spec.max_length else {}
    if spec.type == FieldType.TEXTAREA:
        return forms.CharField(widget=forms.Textarea(attrs={**attrs, "rows": 3}), **common)
    if spec.type == FieldType.NUMBER:
        return forms.CharField(widget=forms.NumberInput(attrs={**attrs, "step": "any"}), **common)
    if spec.type == FieldType.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={**attrs, "type": "date"}), **common)
    if spec.type == FieldType.SELECT:
        choices = [("", "请选择"), *((o, o) for o in spec.options)]
        return forms.ChoiceField(choices=choices, **common)
    if spec.type == FieldType.CHECKBOX:
        return forms.BooleanField(**common)
    if spec.type == FieldType.PHONE:
        return forms.CharField(widget=forms.TextInput(attrs={**attrs, "type": "tel"}), **common)
    return forms.CharField(widget=forms.TextInput(attrs=attrs), **common)


@dataclass(frozen=True)
class IntakeMaterial:
    spec: MaterialRequirement
    requirement: str
    exempt: bool
    paper: str  # checkbox "纸质材料已收取"
    upload: str  # scan upload
    defer: str  # 容缺 checkbox, or ""


def intake_materials(
    guide: GuideContent, materials: Iterable[MaterialRequirement]
) -> list[IntakeMaterial]:
    deferring = ServiceMode.DEFERRED_MATERIALS in guide.modes
    rows = []
    for m in materials:
        exempt = m.exempt or m.source == MaterialSource.GOVERNMENT
        rows.append(
            IntakeMaterial(
                spec=m,
                requirement=REQUIREMENT_LABELS[m.requirement],
                exempt=exempt,
                paper="" if exempt else f"paper_{m.code}",
                upload="" if exempt else f"m_{m.code}",
                defer=f"defer_{m.code}" if deferring and m.deferrable and not exempt else "",
            )
        )
    return rows


@dataclass(frozen=True)
class FixedAnswer:
    """A field of the guide's form the clerk does not type (R-PL-2: no second
    entry): known from the identity registry or the situation chosen."""

    code: str
    label: str
    shown: str  # masked where personal
    source: str  # 来源
    value: str  # sent to the case service


# Fields of the guide's form that the identity registry answers, by what the
# window found in step 1: code → (whose, what).
REGISTRY_FIELDS = {
    "applicant_name": ("person", "name"),
    "applicant_id_number": ("person", "id_number"),
    "applicant_phone": ("person", "phone"),
    "entity_name": ("entity", "name"),
    "credit_code": ("entity", "credit_code"),
    "legal_rep_name": ("representative", "name"),
    "legal_rep_id_number": ("representative", "id_number"),
    "contact_name": ("agent", "name"),
    "contact_phone": ("agent", "phone"),
}
REGISTRY_SOURCES = {
    "person": "人口信息（已核验身份）",
    "entity": "法人登记信息",
    "representative": "法人登记信息",
    "agent": "人口信息（已核验身份）",
}


def _person_value(person: Any, what: str) -> tuple[str, str]:
    """(value, shown) of a registered person's name, ID number or phone."""
    from tongban.core.crypto import decrypt
    from tongban.identity.selectors import ID_NUMBER_CONTEXT, PHONE_CONTEXT

    if what == "name":
        return person.name, person.name
    if what == "id_number":
        return decrypt(person.id_number_enc, context=ID_NUMBER_CONTEXT), person.id_number_masked
    if not person.phone_enc:
        return "", ""
    return decrypt(person.phone_enc, context=PHONE_CONTEXT), person.phone_masked


def registry_answers(
    guide: GuideContent,
    *,
    person: Any = None,
    entity: Any = None,
    agent: Any = None,
    situation: str = "",
) -> list[FixedAnswer]:
    """The answers of the guide's form that the window already knows: the
    applicant found in step 1 (a person, or an entity with its 法定代表人 and
    the 经办人 at the window) and the situation chosen (the answer of a
    question that leads to it, for a field that names the question)."""
    who = {
        "person": person if entity is None else None,
        "entity": entity,
        "representative": getattr(entity, "legal_representative", None),
        "agent": agent if entity is not None else None,
    }
    fixed: list[FixedAnswer] = []
    for spec in guide.form:
        whose, what = REGISTRY_FIELDS.get(spec.code, ("", ""))
        record = who.get(whose)
        if record is None:
            continue
        if whose == "entity":
            value = shown = str(getattr(record, what))
        else:
            value, shown = _person_value(record, what)
        if value:
            fixed.append(FixedAnswer(spec.code, spec.label, shown, REGISTRY_SOURCES[whose], value))
    answered = {
        question.code: option.label
        for question in guide.questions
        for option in question.options
        if situation and option.situation == situation
    }
    for spec in guide.form:
        label = answered.get(spec.question or "", "")
        if label and (spec.type != FieldType.SELECT or label in spec.options):
            fixed.append(FixedAnswer(spec.code, spec.label, label, "所选情形", label))
    return fixed


class IntakeForm(forms.Form):
    """Step 3: the application as received at the window; ``fixed`` answers are
    shown read-only and not typed again."""

    item = forms.CharField(widget=forms.HiddenInput)
    situation = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        guide: GuideContent,
        rows: list[IntakeMaterial],
        fixed: list[FixedAnswer] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.guide = guide
        self.rows = rows
        self.fixed = fixed or []
        known = {f.code for f in self.fixed}
        self.asked = [spec for spec in guide.form if spec.code not in known]
        for spec in self.asked:
            self.fields[field_name(spec.code)] = _form_field(spec)
        for row in rows:
            if row.paper:
                self.fields[row.paper] = forms.BooleanField(
                    label=f"已收取“{row.spec.name}”纸质材料", required=False
                )
                self.fields[row.upload] = UploadField(label=f"“{row.spec.name}”扫描件")
            if row.defer:
                self.fields[row.defer] = forms.BooleanField(
                    label=f"“{row.spec.name}”容缺后补", required=False
                )
        if ServiceMode.COMMITMENT in guide.modes:
            self.fields["commitment"] = forms.BooleanField(
                label="申请人已签署告知承诺书", required=False
            )

    def row_fields(self, row: IntakeMaterial) -> list[forms.BoundField]:
        return [self[name] for name in (row.paper, row.upload, row.defer) if name]

    @property
    def form_fields(self) -> list[forms.BoundField]:
        return [self[field_name(spec.code)] for spec in self.asked]

    def form_data(self) -> dict[str, Any]:
        answers: dict[str, Any] = {f.code: f.value for f in self.fixed}
        for spec in self.asked:
            value = self.cleaned_data.get(field_name(spec.code))
            if spec.type == FieldType.CHECKBOX:
                if value or not spec.required:
                    answers[spec.code] = bool(value)
                continue
            text = value.strip() if isinstance(value, str) else value
            if text not in (None, ""):
                answers[spec.code] = text
        return answers


def attach_form_errors(form: forms.Form, exc: DomainError) -> bool:
    placed = False
    for problem in exc.fields:
        where = str(problem.get("field") or "")
        if where.startswith("form."):
            name = field_name(where.removeprefix("form."))
            if name in form.fields:
                form.add_error(name, str(problem.get("message") or exc.detail))
                placed = True
    return placed


# ---------------------------------------------------------------- actions


class ActionForm(forms.Form):
    """An action with nothing to say but the version it acts on."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class AcceptForm(ActionForm):
    deferred = forms.MultipleChoiceField(
        label="容缺受理的材料（受理后限期补交）",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, deferrable: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["deferred"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = deferrable
        if not deferrable:
            del self.fields["deferred"]


class CommitmentForm(ActionForm):
    """告知承诺: granted at once on the applicant's written commitment."""

    legal_basis = forms.CharField(
        label="法律依据",
        max_length=2000,
        widget=_text(),
        error_messages={"required": "请写明法律依据"},
    )


class RefuseForm(ActionForm):
    reason = forms.CharField(
        label="不予受理的理由",
        max_length=2000,
        widget=_area(),
        error_messages={"required": "请写明理由"},
    )
    legal_basis = forms.CharField(label="法律依据", max_length=2000, required=False, widget=_text())


class SupplementRequestForm(ActionForm):
    """一次性告知: every material to supply, in one notice (行政许可法 第三十二条)."""

    materials = forms.MultipleChoiceField(
        label="需要补正的材料", required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label="补正要求",
        max_length=500,
        required=False,
        widget=_text(),
        help_text="例如：缺少原件、复印件不清晰、未签字盖章。",
    )
    other = forms.CharField(
        label="其他需要补正的事项（每行一项）", required=False, max_length=2000, widget=_area(2)
    )

    def __init__(
        self, *args: Any, materials: list[tuple[str, str]], missing: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.names = dict(materials)
        field = self.fields["materials"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = materials
        field.initial = missing

    def items(self) -> list[dict[str, str]]:
        reason = self.cleaned_data.get("reason", "").strip() or "请补正"
        items = [
            {"code": code, "name": self.names[code], "reason": reason}
            for code in self.cleaned_data.get("materials", [])
        ]
        for line in self.cleaned_data.get("other", "").splitlines():
            if line.strip():
                items.append({"code": "", "name": line.strip()[:200], "reason": reason})
        return items

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("materials") and not (data.get("other") or "").strip():
            raise forms.ValidationError("请列明需要补正的全部材料。")
        return data


class SuspendForm(ActionForm):
    reason = forms.ChoiceField(label="特别程序", choices=SuspensionReason.choices)
    note = forms.CharField(label="说明", max_length=500, required=False, widget=_text())


class ExtendForm(ActionForm):
    days = forms.IntegerField(label="延长天数（工作日）", min_value=1, max_value=30)
    reason = forms.CharField(label="延长理由", max_length=2000, widget=_area(2))


class DecideForm(ActionForm):
    outcome = forms.ChoiceField(
        label="决定", choices=Outcome.choices, widget=forms.RadioSelect, initial=Outcome.GRANTED
    )
    reason = forms.CharField(label="理由", max_length=2000, widget=_area())
    legal_basis = forms.CharField(label="法律依据", max_length=2000, widget=_text())


class DeliverForm(ActionForm):
    method = forms.ChoiceField(label="送达方式", choices=DeliveryMethod.choices)
    tracking_no = forms.CharField(
        label="邮寄单号（邮寄送达时填写）", max_length=60, required=False, widget=_text()
    )


class ImmediateForm(DecideForm):
    """即办件: accepted, decided and concluded on the spot."""


class StaffSearchForm(forms.Form):
    q = forms.CharField(label="办件编号或申请人", max_length=60, required=False)
