"""The checks of a bundle submission, all in one round (R-BD-1: 一表申请).

Split from ``applications`` (CONVENTIONS 1): the members applied for and their
prerequisites, the applicant, each member's situation, every member's form
(answers mapped from the one merged form; a missing required field names the
members that need it), and every material of the merged list. Nothing here
writes; ``applications.bundle_application_submit`` stores only when every
check passed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tongban.bundles import errors
from tongban.bundles.content import BundleContent
from tongban.bundles.merge import MergeResult
from tongban.bundles.models import UploadKind
from tongban.bundles.services._common import ResolvedMember
from tongban.cases.services.forms import form_clean
from tongban.cases.services.intake_checks import check_agent_item
from tongban.cases.services.uploads import detect_type
from tongban.catalog.content import Audience
from tongban.core.errors import DomainError
from tongban.identity.models import LegalEntity, Person


@dataclass(frozen=True)
class MaterialGiven:
    """One material of the merged list as the applicant supplies it."""

    key: str  # MergedMaterial.key
    kind: str = UploadKind.UPLOAD  # upload | deferred
    content: bytes = b""
    file_name: str = ""


def members_chosen(resolved: list[ResolvedMember], keys: list[str] | None) -> list[ResolvedMember]:
    """The members applied for: all, or the required ones plus the optional ones named."""
    if keys is None:
        return resolved
    known = {m.key for m in resolved}
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise DomainError(
            errors.MEMBERS_INVALID,
            f"一件事中没有事项 {'、'.join(unknown)}。",
            fields=[{"field": "members", "code": "unknown", "message": "、".join(unknown)}],
        )
    chosen = [m for m in resolved if not m.optional or m.key in keys]
    names = {m.key for m in chosen}
    for member in chosen:
        left_out = [d for d in member.depends_on if d not in names]
        if left_out:
            needed = next(m.name for m in resolved if m.key == left_out[0])
            raise DomainError(
                errors.MEMBERS_INVALID,
                f"“{member.name}”需要先办理“{needed}”，请一并选择。",
                fields=[{"field": "members", "code": "dependency", "message": needed}],
            )
    return chosen


def applicant_check(
    content: BundleContent,
    person: Person | None,
    entity: LegalEntity | None,
    agent: Person | None,
) -> None:
    if (person is None) == (entity is None):
        raise DomainError(errors.APPLICANT_INVALID, "申请人须为一名自然人或一个法人。")
    if entity is not None and agent is None:
        raise DomainError(errors.APPLICANT_INVALID, "法人申请须有经办人。")
    wanted = Audience.LEGAL_ENTITY if entity is not None else Audience.PERSON
    if wanted not in content.audience:
        who = "法人" if entity is not None else "个人"
        raise DomainError(errors.APPLICANT_INVALID, f"该一件事不面向{who}办理。")


def agent_items_check(
    submitted_by: Any, entity: LegalEntity | None, chosen: list[ResolvedMember]
) -> None:
    """An agent (经办人) limited by the legal representative to named items may
    apply for a bundle only if every member applied for is among them (issue 14,
    item 3): the first member outside is refused with
    ``authorization_item_forbidden`` and the refusal audited. Checked here,
    before the submission's transaction, so that the refusal's audit is kept
    and each member's case needs no second check (``agent_checked``)."""
    for member in chosen:
        try:
            check_agent_item(submitted_by, entity, member.item)
        except DomainError as exc:
            raise DomainError(exc.error, f"“{member.name}”：{exc.detail}") from None


def situations_check(chosen: list[ResolvedMember], given: dict[str, str]) -> dict[str, str]:
    result: dict[str, str] = {}
    for member in chosen:
        code = member.situation or given.get(member.key, "")
        if code and code not in {s.code for s in member.guide.situations}:
            raise DomainError(
                errors.FORM_INVALID,
                f"情形 {code!r} 不属于“{member.name}”。",
                fields=[{"field": f"situations.{member.key}", "code": "unknown", "message": code}],
            )
        if code:
            result[member.key] = code
    return result


def form_check(
    merge: MergeResult,
    chosen: list[ResolvedMember],
    answers: dict[str, Any],
    *,
    today: dt.date,
    bound: dict[str, str],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Every member's form in one round: the cleaned bundle answers and the problems,
    one per bundle field, naming the members whose form needs it."""
    asked = {f.code for f in merge.asked_fields}
    problems: dict[str, dict[str, Any]] = {}
    for code in answers:
        if code not in asked:
            problems[code] = {
                "field": f"form.{code}",
                "code": "unknown_field",
                "message": "申请表中没有这一项",
                "members": [],
            }
    cleaned: dict[str, Any] = {}
    for member in chosen:
        data = merge.member_form(member.key, answers)
        values, found = form_clean(member.guide.form, data, today=today, bound=bound)
        to_bundle = {
            use.code: merged.code
            for merged in merge.fields
            for use in merged.uses
            if use.member == member.key
        }
        supplied = {
            use.code
            for merged in merge.fields
            for use in merged.uses
            if use.member == member.key and use.supplied_by
        }
        for problem in found:
            own = problem["field"].removeprefix("form.")
            if own in supplied:
                continue  # an earlier member's result fills it in
            code = to_bundle.get(own, own)
            entry = problems.setdefault(
                code,
                {
                    "field": f"form.{code}",
                    "code": problem["code"],
                    "message": problem["message"],
                    "members": [],
                },
            )
            entry["members"].append(member.name)
        for own, value in values.items():
            cleaned.setdefault(to_bundle.get(own, own), value)
    listed = []
    for entry in problems.values():
        if entry["members"]:
            entry["message"] = f"{entry['message']}（{'、'.join(entry['members'])}需要）"
        listed.append(entry)
    return {k: v for k, v in cleaned.items() if k in asked}, listed


def materials_check(
    merge: MergeResult, given: list[MaterialGiven], provided: dict[str, str]
) -> tuple[dict[str, MaterialGiven], dict[str, str], list[dict[str, Any]]]:
    """The materials in one round: what was given (with its type), and the problems."""
    problems: list[dict[str, Any]] = []
    by_key: dict[str, MaterialGiven] = {}
    types: dict[str, str] = {}
    for index, material in enumerate(given):
        where = f"materials[{index}]"
        entry = merge.material(material.key)
        if entry is None or not entry.submitted:
            problems.append(
                {
                    "field": where,
                    "code": "unknown_material",
                    "message": f"材料清单中没有需要提交的 {material.key}",
                }
            )
            continue
        if material.key in by_key:
            problems.append(
                {
                    "field": where,
                    "code": "duplicate",
                    "message": f"“{entry.spec.name}”重复提交（每份材料只需提交一次）",
                }
            )
            continue
        if material.kind == UploadKind.DEFERRED:
            if not entry.deferrable:
                problems.append(
                    {
                        "field": where,
                        "code": "not_deferrable",
                        "message": f"“{entry.spec.name}”不能容缺后补",
                    }
                )
                continue
        elif material.kind == UploadKind.UPLOAD:
            try:
                types[material.key] = detect_type(material.content, f"“{entry.spec.name}”")
            except DomainError as exc:
                problems.append({"field": where, "code": "upload_invalid", "message": exc.detail})
                continue
        else:
            problems.append(
                {
                    "field": where,
                    "code": "invalid_kind",
                    "message": f"材料方式 {material.kind!r} 无效",
                }
            )
            continue
        by_key[material.key] = material
    for entry in merge.materials_to_submit:
        if entry.needed and entry.key not in by_key and entry.key not in provided:
            problems.append(
                {
                    "field": f"materials.{entry.key}",
                    "code": "missing",
                    "message": f"请提交“{entry.spec.name}”（{'、'.join(entry.members)}需要）",
                }
            )
    return by_key, types, problems
