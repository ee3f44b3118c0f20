"""A member's case: made from the bundle's one form and one set of materials.

``member_case_start`` files the member's application with its own department
through the case intake (``case_submit_prepare``, then ``case_submit_write``)
— its own queue, its own statutory clock
(the joint one, 行政许可法 第四十二条第二款, when the bundle is handled jointly)
— with the answers the member's form asks for and the materials the member
needs, each taken from what the applicant gave once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tongban.bundles import graph
from tongban.bundles.content import BundleContent
from tongban.bundles.merge import FORM, MergeResult
from tongban.bundles.models import BundleApplication, BundleMember, UploadKind
from tongban.bundles.services._common import ResolvedMember
from tongban.bundles.services.clocks import unified_delivery_date
from tongban.cases.models import Case, MaterialKind
from tongban.cases.services.forms import mask_value
from tongban.cases.services.intake import (
    MaterialInput,
    Submission,
    case_submit_prepare,
    case_submit_write,
)
from tongban.catalog.content import FormField
from tongban.core.crypto import decrypt, encrypt

# Fields a member's result fills in for the members after it (R-BD-1: the
# registration's result is pushed to the later departments, not asked again).
RESULT_FIELDS = ("credit_code",)


def secret_context(code: str) -> str:
    """The associated data of a bundle answer's ciphertext (ADR-0003)."""
    return f"bundles_application.form_secret.{code}"


def answers_seal(
    specs: dict[str, FormField], answers: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers to show (personal ones masked) and the personal ones encrypted."""
    shown = dict(answers)
    secret: dict[str, str] = {}
    for code, value in answers.items():
        spec = specs.get(code)
        if spec is not None and spec.personal:
            secret[code] = encrypt(str(value), context=secret_context(code))
            shown[code] = mask_value(spec, value)
    return shown, secret


def answers_of(application: BundleApplication) -> dict[str, Any]:
    """The bundle's answers in clear, for filing member cases (never for display)."""
    values = dict(application.form_data)
    for code, token in (application.form_secret or {}).items():
        values[code] = decrypt(token, context=secret_context(code))
    return values


@dataclass(frozen=True)
class Supplied:
    """One material of the merged list as the bundle holds it."""

    kind: str  # UploadKind
    content: bytes = b""
    file_name: str = ""
    source_reference: str = ""


def supplied_of(application: BundleApplication) -> dict[str, Supplied]:
    """What the applicant gave (and what regional assessments provide), by key."""
    held: dict[str, Supplied] = {}
    for upload in application.uploads.all():
        content = b""
        if upload.kind == UploadKind.UPLOAD and upload.file:
            with upload.file.open("rb") as handle:
                content = handle.read()
        held[upload.material_key] = Supplied(
            upload.kind, content, upload.file_name, upload.source_reference
        )
    return held


def after_entity(content: BundleContent, key: str) -> bool:
    """Whether member ``key`` comes after the member that establishes the business."""
    if not content.establishes_entity:
        return False
    deps = {m.key: list(m.depends_on) for m in content.members}
    return key in graph.dependents(deps, content.establishes_entity)


def supplied_fields(content: BundleContent, keys: list[str]) -> dict[tuple[str, str], str]:
    """(member, field) pairs an earlier member's result fills in, with its key."""
    if not content.establishes_entity:
        return {}
    return {
        (key, code): content.establishes_entity
        for key in keys
        if after_entity(content, key)
        for code in RESULT_FIELDS
    }


def member_materials(
    application: BundleApplication,
    member: ResolvedMember,
    merge: MergeResult,
    supplied: dict[str, Supplied],
) -> list[MaterialInput]:
    inputs: list[MaterialInput] = []
    for merged, use in merge.member_materials(member.key):
        if merged.provided_by:
            source = (
                f"一件事 {application.application_no} 的综合申请表（一表申请）"
                if merged.provided_by == FORM
                else f"一件事 {application.application_no} 中“{merged.provided_by}”的办理结果"
            )
            inputs.append(
                MaterialInput(
                    code=use.code, kind=MaterialKind.GOVERNMENT_DATA, source_reference=source
                )
            )
            continue
        if merged.exempt:
            continue  # 两个免于提交: the case looks it up for the applicant
        given = supplied.get(merged.key)
        if given is None:
            continue
        if given.kind == UploadKind.UPLOAD:
            inputs.append(
                MaterialInput(
                    code=use.code,
                    kind=MaterialKind.UPLOAD,
                    content=given.content,
                    file_name=given.file_name,
                )
            )
        elif given.kind == UploadKind.DEFERRED and use.deferrable:
            inputs.append(MaterialInput(code=use.code, kind=MaterialKind.DEFERRED))
        elif given.kind == UploadKind.ASSESSMENT:
            inputs.append(
                MaterialInput(
                    code=use.code,
                    kind=MaterialKind.GOVERNMENT_DATA,
                    source_reference=given.source_reference,
                )
            )
    return inputs


def member_case_prepare(
    *,
    application: BundleApplication,
    content: BundleContent,
    key: str,
    situation: str,
    resolved: ResolvedMember,
    merge: MergeResult,
    answers: dict[str, Any],
    supplied: dict[str, Supplied],
    actor: Any,
    now: dt.datetime,
) -> Submission:
    """Check the member's case and take its number (``case_submit_prepare``);
    ``application`` may not be written yet (its number, applicant and
    deadlines are what the case needs). Raises the case service's refusal
    unchanged. The agent's authorization is not checked again: the bundle's
    submission checked it for every member (``submission_checks.agent_items_check``),
    and a member filed later for the business the bundle established is filed
    by the platform for its founder, who holds no authorization for it yet."""
    applicant: dict[str, Any] = {
        "applicant_person": application.applicant_person,
        "applicant_entity": application.applicant_entity,
        "agent_person": application.agent_person,
    }
    if application.established_entity is not None and after_entity(content, key):
        applicant = {
            "applicant_person": None,
            "applicant_entity": application.established_entity,
            "agent_person": application.agent_person or application.applicant_person,
        }
    return case_submit_prepare(
        service_item=resolved.item,
        channel=application.channel,
        form_data=merge.member_form(key, answers),
        situation=situation,
        materials=member_materials(application, resolved, merge, supplied),
        joint=content.joint,
        # 窗口统一出件: the result waits for the others' and is handed out by the
        # bundle's own deadline (never sooner than 第四十四条's ten days).
        unified_delivery_by=unified_delivery_date(application),
        submitted_by=actor,
        agent_checked=True,
        now=now,
        **applicant,
    )


def member_case_start(
    *,
    application: BundleApplication,
    content: BundleContent,
    member: BundleMember,
    resolved: ResolvedMember,
    merge: MergeResult,
    answers: dict[str, Any],
    supplied: dict[str, Supplied],
    actor: Any,
    now: dt.datetime,
) -> Case:
    """File the member's case in the caller's transaction (raises the case
    service's refusal unchanged; the caller's savepoint takes it back)."""
    submission = member_case_prepare(
        application=application,
        content=content,
        key=member.key,
        situation=member.situation,
        resolved=resolved,
        merge=merge,
        answers=answers,
        supplied=supplied,
        actor=actor,
        now=now,
    )
    return case_submit_write(submission, savepoint=False)
