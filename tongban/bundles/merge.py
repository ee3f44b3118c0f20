"""One form and one material list for a bundle (R-BD-1: 一表申请、一套材料), pure.

``bundle_merge`` takes the members' published guides and the definition's
editor choices and returns:

* **the merged form**: a field asked by several members under the same field
  code (``catalog.FieldDefinition``: one code, one meaning, one type) appears
  once, and its answer goes to every member that asks; an editor may link a
  member's field to another code (``field_links``) or keep one apart
  (``field_splits``);
* **the merged material list**: a material asked for by several members is
  collected once: the same government-issued certificate under the same name,
  or the same document name (normalised as the catalogue lint does), or linked
  by an editor (``material_links``); ``material_splits`` keeps one apart;
* **why** each entry was merged, for the editor, and the figures "fields
  saved" and "materials saved" against filing each member separately.

The situation of each member (情形) decides which of its materials apply, as
for a single application (``catalog.situations.materials_for``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tongban.bundles.content import BundleContent
from tongban.catalog.content import (
    FormField,
    GuideContent,
    MaterialRequirement,
    MaterialSource,
    Requirement,
    ServiceMode,
)
from tongban.catalog.lint import normalise
from tongban.catalog.situations import materials_for

SINGLE = "single"
SAME_CODE = "same_code"
LINKED = "linked"
SPLIT = "split"
SAME_CERTIFICATE = "same_certificate"
SAME_NAME = "same_name"
PROVIDED = "provided"
# ``provided_by`` of a member's application form made from the bundle's one form.
FORM = "一件事综合申请表"

REASON_LABELS = {
    SINGLE: "仅一个事项需要",
    SAME_CODE: "字段编码相同，合并为一项",
    LINKED: "编辑指定为同一内容，合并为一项",
    SPLIT: "编辑指定单独填写",
    SAME_CERTIFICATE: "同一证照，政府部门核发，免于提交",
    SAME_NAME: "材料名称相同，只收一次",
    PROVIDED: "由一件事中前一事项的办理结果提供，无需提交",
}


@dataclass(frozen=True)
class MemberGuide:
    """A member of the bundle with its published guide."""

    key: str
    name: str
    implementation_code: str
    department: str
    guide: GuideContent
    situation: str | None = None


@dataclass(frozen=True)
class FieldUse:
    member: str
    member_name: str
    code: str  # the field's code in the member's own form
    required: bool
    supplied_by: str = ""  # the member whose result fills it in (not asked)


@dataclass
class MergedField:
    code: str  # the answer's key in the bundle form
    spec: FormField  # the definition shown (the first member's)
    uses: list[FieldUse]
    reason: str

    @property
    def required(self) -> bool:
        return any(u.required and not u.supplied_by for u in self.uses)

    @property
    def asked(self) -> bool:
        """False when every member asking gets it from an earlier member's result."""
        return not all(u.supplied_by for u in self.uses)

    @property
    def members(self) -> list[str]:
        return [u.member_name for u in self.uses]

    @property
    def explanation(self) -> str:
        if not self.asked:
            return f"由“{self.uses[0].supplied_by}”的办理结果自动填写，无需填报"
        if self.reason == SINGLE:
            return f"{self.uses[0].member_name}需要"
        return f"{'、'.join(self.members)}均需要：{REASON_LABELS[self.reason]}"


@dataclass(frozen=True)
class MaterialUse:
    member: str
    member_name: str
    code: str
    name: str
    needed: bool  # required in the member's situation (not optional)
    deferrable: bool  # the member accepts it after acceptance (容缺受理)


@dataclass
class MergedMaterial:
    key: str  # "<member>.<code>" of its first use: one upload per key
    spec: MaterialRequirement
    uses: list[MaterialUse]
    reason: str
    exempt: bool
    provided_by: str = ""  # the member whose result supplies it (not asked)

    @property
    def submitted(self) -> bool:
        """Handed in by the applicant (not government-issued, not a result)."""
        return not self.exempt and not self.provided_by

    @property
    def needed(self) -> bool:
        return any(u.needed for u in self.uses)

    @property
    def deferrable(self) -> bool:
        return all(u.deferrable for u in self.uses)

    @property
    def members(self) -> list[str]:
        return [u.member_name for u in self.uses]

    @property
    def explanation(self) -> str:
        if self.provided_by == FORM:
            return "由一件事综合申请表生成，无需另行填写提交（一表申请）"
        if self.provided_by:
            return f"由“{self.provided_by}”的办理结果提供，无需提交"
        if self.reason == SINGLE:
            return f"{self.uses[0].member_name}需要"
        return f"{'、'.join(self.members)}均需要：{REASON_LABELS[self.reason]}"


@dataclass
class MergeResult:
    fields: list[MergedField]
    materials: list[MergedMaterial]
    separate_fields: int  # form fields when each member is applied for separately
    separate_materials: int  # materials to hand in when applied for separately
    exempt_materials: int = 0  # government-issued: none to hand in either way

    @property
    def fields_saved(self) -> int:
        return self.separate_fields - len(self.asked_fields)

    @property
    def asked_fields(self) -> list[MergedField]:
        return [f for f in self.fields if f.asked]

    @property
    def materials_to_submit(self) -> list[MergedMaterial]:
        return [m for m in self.materials if m.submitted]

    @property
    def materials_saved(self) -> int:
        return self.separate_materials - len(self.materials_to_submit)

    def field(self, code: str) -> MergedField | None:
        return next((f for f in self.fields if f.code == code), None)

    def material(self, key: str) -> MergedMaterial | None:
        return next((m for m in self.materials if m.key == key), None)

    def member_form(self, member: str, answers: dict[str, Any]) -> dict[str, Any]:
        """The member's own form from the bundle's answers (its field codes)."""
        data: dict[str, Any] = {}
        for merged in self.fields:
            for use in merged.uses:
                if use.member == member and merged.code in answers:
                    data[use.code] = answers[merged.code]
        return data

    def member_materials(self, member: str) -> list[tuple[MergedMaterial, MaterialUse]]:
        return [(m, u) for m in self.materials for u in m.uses if u.member == member]


def _exempt(material: MaterialRequirement) -> bool:
    return material.exempt or material.source == MaterialSource.GOVERNMENT


def _merge_fields(
    members: list[MemberGuide], content: BundleContent, supplied: dict[tuple[str, str], str]
) -> list[MergedField]:
    links = {(link.member, link.field): link.to for link in content.field_links}
    splits = {(s.member, s.field) for s in content.field_splits}
    merged: dict[str, MergedField] = {}
    for member in members:
        for spec in member.guide.form:
            use = FieldUse(
                member.key,
                member.name,
                spec.code,
                spec.required,
                supplied.get((member.key, spec.code), ""),
            )
            if (member.key, spec.code) in splits:
                code = f"{member.key}.{spec.code}"
                merged[code] = MergedField(code, spec, [use], SPLIT)
                continue
            code = links.get((member.key, spec.code), spec.code)
            linked = code != spec.code
            existing = merged.get(code)
            if existing is None:
                merged[code] = MergedField(code, spec, [use], LINKED if linked else SINGLE)
                continue
            existing.uses.append(use)
            if linked or existing.reason == LINKED:
                existing.reason = LINKED
            elif existing.reason == SINGLE:
                existing.reason = SAME_CODE
    # A linked field takes the definition of the code it is linked to, when known.
    for merged_field in merged.values():
        owner = next((u for u in merged_field.uses if u.code == merged_field.code), None)
        if owner is not None and owner.code != merged_field.spec.code:
            guide = next(m.guide for m in members if m.key == owner.member)
            merged_field.spec = next(f for f in guide.form if f.code == owner.code)
    return list(merged.values())


def _material_identity(material: MaterialRequirement) -> tuple[str, str]:
    name = normalise(material.name)
    if _exempt(material) and material.certificate_type:
        return (SAME_CERTIFICATE, f"{material.certificate_type}|{name}")
    return (SAME_NAME, name)


def _merge_materials(
    members: list[MemberGuide], content: BundleContent
) -> tuple[list[MergedMaterial], int, int]:
    splits = {(s.member, s.material) for s in content.material_splits}
    names = {m.key: m.name for m in members}
    provided = {
        (p.member, p.material): names.get(p.from_member, p.from_member) if p.from_member else FORM
        for p in content.provided_by
    }
    by_provided: dict[tuple[str, str], MergedMaterial] = {}
    merged: list[MergedMaterial] = []
    by_identity: dict[tuple[str, str], MergedMaterial] = {}
    by_use: dict[tuple[str, str], MergedMaterial] = {}
    specs: dict[tuple[str, str], MaterialRequirement] = {}
    separate = exempt_count = 0
    for member in members:
        deferring = ServiceMode.DEFERRED_MATERIALS in member.guide.modes
        for spec in materials_for(member.guide, member.situation):
            exempt = _exempt(spec)
            if exempt:
                exempt_count += 1
            else:
                separate += 1
            use = MaterialUse(
                member=member.key,
                member_name=member.name,
                code=spec.code,
                name=spec.name,
                needed=spec.requirement != Requirement.OPTIONAL,
                deferrable=deferring and spec.deferrable and not exempt,
            )
            specs[(member.key, spec.code)] = spec
            source = provided.get((member.key, spec.code))
            if source is not None:
                # The same result under the same name is listed once; each
                # member's own application form is its own entry.
                same_key = (source, normalise(spec.name) if source != FORM else member.key)
                found = by_provided.get(same_key)
                if found is not None:
                    found.uses.append(use)
                    entry = found
                else:
                    entry = MergedMaterial(
                        f"{member.key}.{spec.code}",
                        spec,
                        [use],
                        PROVIDED,
                        exempt,
                        provided_by=source,
                    )
                    merged.append(entry)
                    by_provided[same_key] = entry
                by_use[(member.key, spec.code)] = entry
                continue
            split = (member.key, spec.code) in splits
            identity = _material_identity(spec)
            same = None if split else by_identity.get(identity)
            if same is not None:
                same.uses.append(use)
                if same.reason == SINGLE:
                    same.reason = identity[0]
                entry = same
            else:
                entry = MergedMaterial(
                    f"{member.key}.{spec.code}", spec, [use], SPLIT if split else SINGLE, exempt
                )
                merged.append(entry)
                if not split:
                    by_identity[identity] = entry
            by_use[(member.key, spec.code)] = entry
    # The editor's links, whichever member comes first: the linked use joins the
    # entry of the material it is the same as.
    for link in content.material_links:
        linked = by_use.get((link.member, link.material))
        target = by_use.get((link.to_member, link.to_material))
        if linked is None or target is None or linked is target:
            continue
        moved = [u for u in linked.uses if (u.member, u.code) == (link.member, link.material)]
        linked.uses = [u for u in linked.uses if u not in moved]
        target.uses.extend(moved)
        target.reason = LINKED
        target.exempt = target.exempt and linked.exempt
        by_use[(link.member, link.material)] = target
        if not linked.uses:
            merged.remove(linked)
        elif (linked.uses[0].member, linked.uses[0].code) != tuple(linked.key.split(".", 1)):
            first = linked.uses[0]
            linked.key = f"{first.member}.{first.code}"
            linked.spec = specs[(first.member, first.code)]
    return merged, separate, exempt_count


def bundle_merge(
    members: list[MemberGuide],
    content: BundleContent,
    *,
    supplied: dict[tuple[str, str], str] | None = None,
) -> MergeResult:
    """The merged form and material list of ``members`` (in the order given).

    ``supplied`` names the (member, field code) pairs an earlier member's result
    fills in (the new business's credit code after 设立登记), with that member's
    name: they are not asked."""
    fields = _merge_fields(members, content, supplied or {})
    materials, separate_materials, exempt = _merge_materials(members, content)
    return MergeResult(
        fields=fields,
        materials=materials,
        separate_fields=sum(len(m.guide.form) for m in members),
        separate_materials=separate_materials,
        exempt_materials=exempt,
    )
