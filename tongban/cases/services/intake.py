"""Intake: a case is submitted (online, at a window, by API) for one service item."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from tongban.cases import deadlines, errors
from tongban.cases.models import (
    Case,
    CaseMaterial,
    CaseNumberSequence,
    CaseStatus,
    Channel,
    MaterialKind,
)
from tongban.cases.services._common import (
    actor_label,
    derive_deadlines,
    history,
    notify_applicant,
    record_deadline_changes,
)
from tongban.cases.services.exemptions import material_exempt
from tongban.cases.services.forms import applicant_values, form_clean, form_seal
from tongban.cases.services.uploads import detect_type, safe_file_name
from tongban.catalog.content import GuideContent, MaterialSource, ServiceMode
from tongban.catalog.models import ServiceItem
from tongban.catalog.situations import materials_for
from tongban.core import clock, events
from tongban.core.audit import audit_record
from tongban.core.counters import counter_next
from tongban.core.errors import DomainError
from tongban.credit.services.commitments import commitment_record
from tongban.credit.services.enforcement import ensure_allowed
from tongban.identity.models import LegalEntity, Person
from tongban.identity.selectors import person_real_name_level
from tongban.org.models import StaffAssignment


# File types accepted for uploaded materials, recognised by their first bytes.
@dataclass(frozen=True)
class MaterialInput:
    """One material as the applicant supplies it."""

    code: str
    kind: str  # MaterialKind value
    content: bytes = b""
    file_name: str = ""
    source_reference: str = ""


# 查询码 alphabet: no 0/O, 1/I/L, so that it reads aloud and types without doubt.
TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_tracking_code() -> str:
    """An 8-character 查询码 (31^8 ≈ 8.5 × 10^11 values), from the system's CSPRNG."""
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))


def next_case_no(*, region_code: str, day: dt.date) -> str:
    """办件编号: region code + date + a six-digit sequence, safe under concurrency.

    The region part is the 6-digit GB/T 2260 code: a township's or village's
    case (12-digit 统计用区划代码) is numbered in its county's series.

    The day's counter row is incremented (``core.counters``); it stays
    locked until the caller's transaction ends. Called outside a transaction
    (as ``case_submit`` does) it commits at once, so concurrent submissions do
    not queue behind each other; a submission that then fails leaves a gap in
    the numbers, as a database sequence would, and a number is never reused.
    """
    county = region_code[:6]
    last = counter_next(CaseNumberSequence, key={"region_code": county, "day": day})
    return f"{county}{day:%Y%m%d}{last:06d}"


def _published_guide(version_id: int, revision: int, content: dict[str, Any]) -> GuideContent:
    """The validated guide of a published version. Published versions are never
    edited, so each is validated once per process, not on every submission."""
    key = (version_id, revision)
    guide = _GUIDES.get(key)
    if guide is None:
        guide = GuideContent.model_validate(content)
        if len(_GUIDES) >= 512:
            _GUIDES.clear()
        _GUIDES[key] = guide
    return guide


_GUIDES: dict[tuple[int, int], GuideContent] = {}


def clear_guide_cache() -> None:
    _GUIDES.clear()


def rules_snapshot(
    guide: GuideContent,
    item: ServiceItem,
    *,
    joint: bool = False,
    unified_delivery_by: dt.date | None = None,
) -> dict[str, Any]:
    """The time rules and material list the case runs on (kept with the case).

    A case handled jointly (统一办理、联合办理、集中办理, as a member of a
    bundle) runs on the statutory 45 working days, extendable by 15
    (行政许可法 第四十二条第二款), instead of the single item's limit; one whose
    result is handed out with the bundle's (窗口统一出件) is delivered by the
    bundle's deadline, or ten working days after its decision if that is later."""
    legal = (
        {"value": deadlines.JOINT_DECISION.limit, "unit": deadlines.JOINT_DECISION.unit.value}
        if joint
        else guide.legal_limit.model_dump(mode="json")
    )
    return {
        "handling": guide.handling.value,
        "joint": joint,
        **({"unified_delivery_by": unified_delivery_by.isoformat()} if unified_delivery_by else {}),
        "legal_limit": legal,
        "promised_limit": guide.promised_limit.model_dump(mode="json"),
        "item_type": item.item_type,
        "modes": [m.value for m in guide.modes],
        "materials": [
            {"code": m.code, "name": m.name, "requirement": m.requirement.value,
             "situations": list(m.situations), "deferrable": m.deferrable,
             "exempt": m.exempt or m.source == MaterialSource.GOVERNMENT,
             "certificate_type": m.certificate_type}
            for m in guide.materials
        ],
    }  # fmt: skip


def _check_real_name_level(guide: GuideContent, person: Person | None) -> None:
    """The guide's minimum real-name level (issue 14, item 2), of the person who
    acts: the applicant, or a legal entity's 经办人."""
    required = guide.min_real_name_level
    if not required or person_real_name_level(person) >= required:
        return
    raise DomainError(
        errors.REAL_NAME_LEVEL_TOO_LOW,
        f"该事项要求实名认证等级不低于L{required}，"
        + (
            "请在“我的空间”完成人口库核验，或到窗口核验身份证件。"
            if required <= 2
            else "请携带身份证件到政务服务大厅窗口核验。"
        ),
    )


def _credit_subject(person: Person | None, entity: LegalEntity | None) -> str:
    return entity.credit_code if entity is not None else getattr(person, "id_number_token", "")


def _check_credit(
    person: Person | None,
    entity: LegalEntity | None,
    commitment: bool,
    supplied: dict[str, MaterialInput],
    moment: dt.datetime,
) -> None:
    """联合惩戒 at intake (R-CR-1): a black-listed applicant gets neither 告知承诺 nor
    容缺受理; the refusal names the list, its basis and the way out (one query each)."""
    subject = _credit_subject(person, entity)
    today = clock.local_date(moment)
    if commitment:
        ensure_allowed(subject, measure="commitment_intake", today=today)
    if any(m.kind == MaterialKind.DEFERRED for m in supplied.values()):
        ensure_allowed(subject, measure="tolerance_intake", today=today)


def _window_of(clerk: Any, item: ServiceItem) -> int | None:
    """The window a clerk receives at (一窗受理率 counts it): the clerk's active
    assignment with a window, the one of the item's department first."""
    if not getattr(clerk, "pk", None):
        return None
    mine = StaffAssignment.objects.filter(user_id=clerk.pk, active=True, window__isnull=False)
    own = (
        mine.filter(department_id=item.department_id)
        .order_by("pk")
        .values_list("window_id", flat=True)
        .first()
    )
    return (
        own if own is not None else mine.order_by("pk").values_list("window_id", flat=True).first()
    )


def case_submit(
    *,
    service_item: ServiceItem,
    channel: str,
    applicant_person: Person | None = None,
    applicant_entity: LegalEntity | None = None,
    agent_person: Person | None = None,
    form_data: dict[str, Any] | None = None,
    situation: str = "",
    materials: list[MaterialInput] | None = None,
    commitment: bool = False,
    joint: bool = False,
    unified_delivery_by: dt.date | None = None,
    submitted_by: Any = None,
    now: dt.datetime | None = None,
) -> Case:
    """Receive an application (收件). Government-held materials are attached as
    references (两个免于提交); the clock starts from receipt (第三十二条).
    ``joint`` marks a case handled jointly with other departments' (第四十二条第二款);
    ``unified_delivery_by``, a bundle member's result handed out with the others'."""
    moment = now or clock.now()
    if channel not in Channel.values:
        raise DomainError(errors.APPLICANT_INVALID, f"渠道 {channel!r} 无效")
    version = service_item.current_version
    if version is None or service_item.status != "active":
        raise DomainError(errors.ITEM_NOT_AVAILABLE, "该事项当前不可申请（未发布或已取消）。")
    guide = _published_guide(version.pk, version.revision, version.content)
    if (applicant_person is None) == (applicant_entity is None):
        raise DomainError(errors.APPLICANT_INVALID, "申请人须为一名自然人或一个法人。")
    if applicant_entity is not None and agent_person is None:
        raise DomainError(errors.APPLICANT_INVALID, "法人申请须有经办人。")
    _check_real_name_level(
        guide, agent_person if applicant_entity is not None else applicant_person
    )
    if situation and situation not in {s.code for s in guide.situations}:
        raise DomainError(errors.FORM_INVALID, f"情形 {situation!r} 不属于该事项。")
    if commitment and ServiceMode.COMMITMENT not in guide.modes:
        raise DomainError(errors.FORM_INVALID, "该事项不实行告知承诺。")
    data, problems = form_clean(
        guide.form,
        dict(form_data or {}),
        today=clock.local_date(moment),
        bound=applicant_values(applicant_person, applicant_entity),
    )
    if problems:
        summary = "；".join(p["message"] for p in problems[:5])
        raise DomainError(errors.FORM_INVALID, f"申请表填写有误：{summary}", fields=problems)
    required = {m.code: m for m in materials_for(guide, situation or None)}
    supplied: dict[str, MaterialInput] = {}
    for index, material in enumerate(materials or []):
        where = f"materials[{index}]"
        if material.code not in {m.code for m in guide.materials}:
            raise DomainError(
                errors.UPLOAD_INVALID, f"{where}：该事项没有编码为 {material.code} 的材料"
            )
        if material.kind not in MaterialKind.values:
            raise DomainError(errors.UPLOAD_INVALID, f"{where}：材料方式 {material.kind!r} 无效")
        if material.kind == MaterialKind.DEFERRED:
            spec = required.get(material.code)
            if (
                spec is None
                or not spec.deferrable
                or ServiceMode.DEFERRED_MATERIALS not in guide.modes
            ):
                raise DomainError(errors.UPLOAD_INVALID, f"{where}：{material.code} 不能容缺后补")
        supplied[material.code] = material
    _check_credit(applicant_person, applicant_entity, commitment, supplied, moment)
    shown_form, secret_form = form_seal(guide.form, data)
    # The number first, in its own short transaction when there is no outer one.
    case_no = next_case_no(region_code=service_item.region_id, day=clock.local_date(moment))
    with transaction.atomic():
        case = Case(
            case_no=case_no,
            tracking_code=new_tracking_code(),
            service_item=service_item,
            guide_version=version,
            rules=rules_snapshot(
                guide, service_item, joint=joint, unified_delivery_by=unified_delivery_by
            ),
            department_id=service_item.department_id,
            region_path=service_item.region_path,
            applicant_person=applicant_person,
            applicant_entity=applicant_entity,
            agent_person=agent_person,
            applicant_name=(applicant_entity.name if applicant_entity else applicant_person.name),  # type: ignore[union-attr]  # one of the two is set (checked above)
            submitted_by=submitted_by if getattr(submitted_by, "pk", None) else None,
            channel=channel,
            window_id=_window_of(submitted_by, service_item) if channel == Channel.WINDOW else None,
            situation=situation,
            form_data=shown_form,
            form_secret=secret_form,
            status=CaseStatus.SUBMITTED,
            received_at=moment,
            received_on=clock.local_date(moment),
            commitment=commitment,
            created_at=moment,
            updated_at=moment,
        )
        # A new case has no suspensions: its deadlines are derived before the
        # insert, so the row is written once (no read, no update after).
        deadline_changes = derive_deadlines(case, now=moment, suspensions=())
        case.save(force_insert=True)
        exemptions: list[dict[str, Any]] = []
        for index, spec in enumerate(guide.materials):
            if spec.code not in required and spec.code not in supplied:
                continue
            given = supplied.get(spec.code)
            exempt = spec.exempt or spec.source == MaterialSource.GOVERNMENT
            if given is None and exempt:
                # 两个免于提交: looked up for this applicant, never assumed.
                found = material_exempt(
                    case, spec, department=service_item.department, actor=submitted_by, now=moment
                )
                exemptions.append(found)
            elif given is None and commitment:
                CaseMaterial.objects.create(
                    case=case,
                    code=spec.code,
                    name=spec.name,
                    kind=MaterialKind.COMMITMENT,
                    supplied_at=moment,
                )
            elif given is not None:
                _store_material(case, spec.code, spec.name, given, f"materials[{index}]", moment)
        if commitment:  # 信用承诺 (R-CR-1): the signed commitment enters the credit records
            commitment_record(
                subject_kind="entity" if applicant_entity else "person",
                subject_code=_credit_subject(applicant_person, applicant_entity),
                subject_name=case.applicant_name,
                case_no=case.case_no,
                item_name=service_item.name,
                text=str(guide.commitment_text or ""),
                now=moment,
            )
        if exemptions:
            case.exemptions = exemptions
            case.save(update_fields=["exemptions"])
        history(
            case,
            action="submit",
            actor=submitted_by,
            now=moment,
            to=CaseStatus.SUBMITTED,
            details={"channel": channel, "item": service_item.implementation_code},
        )
        record_deadline_changes(
            case, deadline_changes, actor=submitted_by, now=moment, reason="收件"
        )
        notify_applicant(case, "submit", now=moment)
        events.emit(
            "case.submit", {"case_no": case.case_no, "to": CaseStatus.SUBMITTED}, now=moment
        )
        audit_record(  # a plain insert, sealed after commit (ADR-0008)
            actor=actor_label(submitted_by),
            action="case.submit",
            object_type="case",
            object_id=case.case_no,
            details={"channel": channel},
            now=moment,
        )
    return case


def _store_material(
    case: Case, code: str, name: str, given: MaterialInput, where: str, moment: dt.datetime
) -> CaseMaterial:
    material = CaseMaterial(
        case=case,
        code=code,
        name=name,
        kind=given.kind,
        supplied_at=moment,
        source_reference=given.source_reference[:200],
    )
    if given.kind == MaterialKind.UPLOAD:
        material.content_type = detect_type(given.content, where)
        material.size = len(given.content)
        material.sha256 = hashlib.sha256(given.content).hexdigest()
        material.file_name = safe_file_name(
            given.file_name, content_type=material.content_type, fallback=name or code
        )
        material.file.save(f"{case.case_no}-{code}", ContentFile(given.content), save=False)
    material.save()
    return material


def missing_materials(case: Case) -> list[dict[str, Any]]:
    """Required materials of the case's situation not yet supplied (deferred count as
    missing until they arrive; government data and commitments count as supplied)."""
    have = {m.code: m.kind for m in case.materials.all()}
    missing = []
    for spec in case.rules["materials"]:
        applies = not spec["situations"] or case.situation in spec["situations"]
        if spec["requirement"] == "optional" or not applies:
            continue
        kind = have.get(spec["code"])
        if kind is None or kind == MaterialKind.DEFERRED:
            missing.append(
                {
                    "code": spec["code"],
                    "name": spec["name"],
                    "deferred": kind == MaterialKind.DEFERRED,
                }
            )
    return missing
