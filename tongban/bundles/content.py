"""The content of a bundle definition (一件事): one typed document per version.

A bundle version stores this document as JSON; it is validated by these
pydantic models on every write, linted before submission and publication
(``lint.py``) and merged into one form and one material list (``merge.py``).

Members name service items by implementation code (实施编码), departments by
统一社会信用代码 (GB 32100-2015): both stable across databases, so a definition
can be exported and imported. ``lead_label`` and ``cooperating_label`` keep
the wording of the document that set the bundle up (003's task table), next
to the departments it names.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from tongban.catalog.content import (
    Audience,
    Code,
    LegalBasis,
    ShortText,
    Strict,
    Text,
    TimeLimit,
)

CreditCode = Annotated[str, Field(min_length=18, max_length=18, pattern=r"^[0-9A-Z]{18}$")]
ImplementationCode = Annotated[str, Field(min_length=13, max_length=31, pattern=r"^[0-9A-Z]+$")]


class Category(StrEnum):
    """The three kinds of 003 二: 精品, 省定标准, 地方探索."""

    FLAGSHIP = "flagship"
    PROVINCIAL = "provincial"
    LOCAL = "local"


CATEGORY_LABELS = {
    Category.FLAGSHIP: "精品“一件事”",
    Category.PROVINCIAL: "省定标准“一件事”",
    Category.LOCAL: "地方探索“一件事”",
}


class Reach(StrEnum):
    """Where the bundle may be applied for (003 二: 省内通办, 跨区域、跨省办理)."""

    LOCAL = "local"
    PROVINCE = "province"
    CROSS_REGION = "cross_region"
    CROSS_PROVINCE = "cross_province"


REACH_LABELS = {
    Reach.LOCAL: "本地办理",
    Reach.PROVINCE: "省内通办",
    Reach.CROSS_REGION: "跨区域通办",
    Reach.CROSS_PROVINCE: "跨省通办",
}


class JointKind(StrEnum):
    """Joint procedures (R-CS-9: 联合图审、联合测绘、联合踏勘、联合竣工验收)."""

    DRAWING_REVIEW = "drawing_review"
    SURVEY = "survey"
    SITE_INSPECTION = "site_inspection"
    ACCEPTANCE = "acceptance"


JOINT_KIND_LABELS = {
    JointKind.DRAWING_REVIEW: "联合图审",
    JointKind.SURVEY: "联合测绘",
    JointKind.SITE_INSPECTION: "联合踏勘",
    JointKind.ACCEPTANCE: "联合验收",
}


class Delivery(StrEnum):
    WINDOW = "window"  # 窗口统一出件
    POST = "post"  # 邮寄送达


class MemberSpec(Strict):
    """One member item of the bundle and the members whose results it needs first."""

    key: Code
    implementation_code: ImplementationCode
    label: ShortText = ""  # shown instead of the item's name, if set
    depends_on: list[Code] = Field(default_factory=list)
    optional: bool = False  # the applicant may leave it out
    situation: Code | None = None  # the member's situation, fixed by the bundle


class FieldLink(Strict):
    """An editor's merge: ``member``'s form field ``field`` takes the answer of the
    bundle field ``to`` (a field code some member asks for)."""

    member: Code
    field: Code
    to: Code


class FieldSplit(Strict):
    """An editor's override: ``member``'s field ``field`` is asked separately,
    although another member asks for a field of the same code."""

    member: Code
    field: Code


class MaterialLink(Strict):
    """``member``'s material ``material`` is the same document as ``to_member``'s
    ``to_material``: collected once."""

    member: Code
    material: Code
    to_member: Code
    to_material: Code


class MaterialSplit(Strict):
    """``member``'s material ``material`` is collected separately."""

    member: Code
    material: Code


class ProvidedMaterial(Strict):
    """``member``'s material ``material`` is not asked for: it is the result of
    ``from_member``, a prerequisite (企业开办: the bank account needs the seal
    that 公章刻制 makes), or, without ``from_member``, the member's own
    application form, made from the bundle's one form (一表申请)."""

    member: Code
    material: Code
    from_member: Code | None = None


class JointPlan(Strict):
    """A joint procedure the bundle foresees, with the members that take part."""

    kind: JointKind
    members: list[Code] = Field(min_length=2)
    title: ShortText = ""


class BundleContent(Strict):
    name: ShortText = Field(min_length=2)
    category: Category = Category.LOCAL
    audience: list[Audience] = Field(min_length=1)
    description: Text = ""
    reach: Reach = Reach.LOCAL
    lead_departments: list[CreditCode] = Field(min_length=1)
    cooperating_departments: list[CreditCode] = Field(default_factory=list)
    # The departments in the words of the document that set the bundle up.
    lead_label: ShortText = ""
    cooperating_label: Text = ""
    members: list[MemberSpec] = Field(min_length=2)
    field_links: list[FieldLink] = Field(default_factory=list)
    field_splits: list[FieldSplit] = Field(default_factory=list)
    material_links: list[MaterialLink] = Field(default_factory=list)
    material_splits: list[MaterialSplit] = Field(default_factory=list)
    promised_limit: TimeLimit
    # 行政许可法 第二十六条第二款, 第四十二条第二款: 统一办理、联合办理、集中办理,
    # 45 working days, +15 with the approval of the government's head.
    joint: bool = False
    # 工程建设: every member case carries the 投资项目代码 (R-PL-7).
    project_required: bool = False
    joint_procedures: list[JointPlan] = Field(default_factory=list)
    provided_by: list[ProvidedMaterial] = Field(default_factory=list)
    # The member whose result establishes the applicant business (设立登记): it
    # gives the 统一社会信用代码, and the members after it are filed in the new
    # business's name with the founder as 经办人 (企业开办 "全链通").
    establishes_entity: Code | None = None
    delivery: list[Delivery] = Field(default_factory=lambda: [Delivery.WINDOW, Delivery.POST])
    legal_bases: list[LegalBasis] = Field(default_factory=list)
    notes: Text = ""

    @model_validator(mode="after")
    def _delivery_given(self) -> BundleContent:
        if not self.delivery:
            raise ValueError("至少须提供一种出件方式（窗口统一出件或邮寄送达）")
        return self

    def member(self, key: str) -> MemberSpec | None:
        return next((m for m in self.members if m.key == key), None)
