"""两个免于提交 (R-EC-2): is a government-issued material already held for this applicant?

Intake (``cases``) calls :func:`sharing_lookup_for_material` for each material
the guide marks as issued by government, with the certificate type the guide
names (``MaterialRequirement.certificate_type``) as the hint. The answer is
found (shown read-only with its source) or not found with the reason the
applicant reads before uploading; never an exception for a refusal, never a
silent "provided". Every look-up that reads a registry is in the access log
(kind ``lookup``), with the case number.

Hints answered from the base registries (``MATERIAL_SERVICES``) use the
matching verification service; any other certificate type goes to the
certificates app's checker (``hooks``) when one is registered, else is "not
found: cannot be obtained by sharing yet".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.identity.models import LegalEntity, Person
from tongban.org.models import Department
from tongban.sharing import errors, hooks
from tongban.sharing.models import CallKind
from tongban.sharing.services.calls import Call, verify_call
from tongban.sharing.subjects import SubjectRef

# certificate type (as the guides name it) → (verification service, whose data)
# "person": the applicant, or the entity's 法定代表人; "entity": the entity only;
# "holder": the applicant as it is (person or entity).
MATERIAL_SERVICES: dict[str, tuple[str, str]] = {
    "居民身份证": ("identity", "person"),
    "居民户口簿": ("household", "person"),
    "结婚证": ("marriage", "person"),
    "出生医学证明": ("parenthood", "person"),
    "社会保障卡": ("social_insurance", "person"),
    "不动产权证书": ("real_estate", "holder"),
    "营业执照": ("business", "entity"),
}

# What the applicant reads when the registry answers "no".
NEGATIVE = {
    "identity": "自然人库中的姓名与身份号码不一致",
    "household": "户籍信息中没有有效的户籍登记",
    "marriage": "婚姻登记信息中没有有效的婚姻登记",
    "parenthood": "出生医学证明信息中没有以您为父亲或母亲的登记",
    "social_insurance": "社会保险信息中没有正常参保缴费的记录",
    "real_estate": "不动产登记信息中没有现势的不动产权",
    "business": "市场主体登记信息显示该主体未存续（在营）或名称不符",
    "certificate": "电子证照库中没有该类型的有效证照",
}


@dataclass(frozen=True)
class MaterialLookup:
    """The answer for one material: found with its source, or why not."""

    found: bool
    hint: str
    source: str = ""  # "sharing" (a base registry) or "certificates" (电子证照库)
    source_label: str = ""  # e.g. "婚姻登记信息（江苏省民政厅）"
    reference: str = ""  # e.g. "婚姻状况核验：是" or a certificate identifier
    reason: str = ""  # for the applicant, when not found
    code: str = ""  # the refusal code when not found; "" when found or simply "no"
    log_seq: int | None = None


def sharing_lookup_for_material(
    *,
    material_source_hint: str,
    department: Department,
    case_no: str,
    applicant_person: Person | None = None,
    applicant_entity: LegalEntity | None = None,
    actor: Any = None,
    purpose: str = "",
    now: dt.datetime | None = None,
) -> MaterialLookup:
    """Look up one government-issued material for the applicant of ``case_no``.

    ``department`` is the case's department (the consumer); ``actor`` the
    user whose action triggers it (the applicant online, the clerk at the
    window), recorded in the log. Exactly one of ``applicant_person`` and
    ``applicant_entity`` is given. ``purpose`` defaults to "办件 <case_no>
    免于提交<hint>".
    """
    if (applicant_person is None) == (applicant_entity is None):
        raise ValueError("exactly one of applicant_person and applicant_entity")
    hint = " ".join((material_source_hint or "").split())[:60]
    moment = now or clock.now()
    service, whose = MATERIAL_SERVICES.get(hint, ("certificate", "holder"))
    if service == "certificate" and hooks.certificate_checker() is None:
        return MaterialLookup(
            found=False,
            hint=hint,
            reason=f"“{hint}”暂不能通过数据共享或电子证照库获取，请上传。",
            code=errors.SERVICE_NOT_CONNECTED.code,
        )
    subject = _subject(whose, applicant_person, applicant_entity)
    if subject is None:
        return MaterialLookup(
            found=False,
            hint=hint,
            reason=f"“{hint}”只能为法人或其他组织核验，个人申请请上传。",
            code=errors.SUBJECT_INVALID.code,
        )
    params: dict[str, str] = {}
    if service == "identity":
        person = applicant_person or (
            applicant_entity.legal_representative if applicant_entity else None
        )
        params["name"] = person.name if person else ""
    elif service == "business" and applicant_entity is not None:
        params["name"] = applicant_entity.name
    elif service == "certificate":
        params["certificate_type"] = hint
    call = Call(
        kind=CallKind.LOOKUP, target=service, subject=subject, consumer=department, actor=actor,
        purpose=purpose or f"办件 {case_no} 免于提交“{hint}”", case_no=case_no or "",
        channel="intake", now=moment,
    )  # fmt: skip
    try:
        answer = verify_call(call, service_code=service, params=params, staff=False)
    except DomainError as exc:
        return MaterialLookup(
            found=False,
            hint=hint,
            reason=f"未能通过数据共享获取“{hint}”（{exc.detail}），请上传。",
            code=exc.code,
            log_seq=call.entry.seq if call.entry else None,
        )
    resource = call.resource
    label = answer.source_label or (
        f"{resource.name}（{resource.provider.name}）" if resource is not None else ""
    )
    if not answer.result:
        return MaterialLookup(
            found=False,
            hint=hint,
            source_label=label,
            reason=f"{NEGATIVE[service]}，请上传“{hint}”。",
            log_seq=answer.log_seq,
        )
    return MaterialLookup(
        found=True,
        hint=hint,
        source="certificates" if service == "certificate" else "sharing",
        source_label=label,
        reference=answer.reference or f"{answer.service_name}：是（{answer.resource_code}）",
        log_seq=answer.log_seq,
    )


def _subject(whose: str, person: Person | None, entity: LegalEntity | None) -> SubjectRef | None:
    if whose == "entity":
        return SubjectRef.of_entity(entity) if entity is not None else None
    if whose == "holder" and entity is not None:
        return SubjectRef.of_entity(entity)
    if person is None and entity is not None:
        person = entity.legal_representative
    return SubjectRef.of_person(person) if person is not None else None
