"""Investment projects (R-PL-7) and regional assessments (区域评估, 002 #27).

* ``project_register`` gives a project its 投资项目代码 (``identifiers``) when
  it is registered (备案/核准), retrying the random part on a clash; a 工程建设
  bundle registers its project on submission unless the applicant gives the
  code of a registered one (``project_for_bundle``), and every member case
  carries the code in its form; standalone cases that carry it are linked
  when they are submitted (``project_link_case``, on ``case.submit``).
* ``zone_create`` and ``assessment_record`` keep what a development zone has
  assessed once, with its validity; a project inside the zone then has the
  matching materials provided from the record (``assessed_materials``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from tongban.bundles import errors
from tongban.bundles.content import BundleContent
from tongban.bundles.identifiers import PROJECT_TYPES, project_code_make, project_code_validate
from tongban.bundles.merge import MergeResult
from tongban.bundles.models import (
    AssessmentKind,
    Bundle,
    DevelopmentZone,
    InvestmentProject,
    ProjectCase,
    ProjectKind,
    RegionalAssessment,
)
from tongban.bundles.services._common import audit
from tongban.cases.models import Case
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_credit_code
from tongban.identity.models import LegalEntity
from tongban.org.models import Region

# 中央业务指导部门代码 given to a project whose unit names none (the code most
# published project codes carry); GB/T 40058-2021 §4.4 has the table.
DEFAULT_GUIDANCE = "89"
# Which materials of the members' guides an assessment of each kind stands for,
# by words in the material's name.
ASSESSMENT_WORDS: dict[str, tuple[str, ...]] = {
    AssessmentKind.LAND_SURVEY: ("勘测定界", "土地勘测"),
    AssessmentKind.MINERAL_OVERLAY: ("压覆",),
    AssessmentKind.GEOLOGICAL_HAZARD: ("地质灾害",),
    AssessmentKind.SOIL_WATER: ("水土保持",),
    AssessmentKind.ARCHAEOLOGY: ("考古", "文物保护"),
    AssessmentKind.ENVIRONMENT: ("环境影响",),
    AssessmentKind.ENERGY: ("节能",),
    AssessmentKind.FLOOD: ("洪水影响",),
    AssessmentKind.SEISMIC: ("地震安全",),
}


def _invalid(detail: str, field: str) -> DomainError:
    return DomainError(
        errors.PROJECT_INVALID,
        detail,
        fields=[{"field": field, "code": "invalid", "message": detail}],
    )


def _investment(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _invalid("总投资须为数字（万元）。", "total_investment") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal(10) ** 14:
        raise _invalid("总投资须为 0 至 10^14 万元之间的数字。", "total_investment")
    return amount.quantize(Decimal("0.0001"))


def project_build(
    *,
    name: str,
    kind: str,
    project_type: str,
    region: Region,
    address: str,
    total_investment: Any,
    owner_entity: LegalEntity | None = None,
    owner_name: str = "",
    owner_credit_code: str = "",
    guidance_code: str = DEFAULT_GUIDANCE,
    zone: DevelopmentZone | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> InvestmentProject:
    """A checked, unsaved project with a new code (``project_register`` saves it)."""
    moment = now or clock.now()
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= 200:
        raise _invalid("项目名称须为 2 至 200 个字。", "name")
    if kind not in ProjectKind.values:
        raise _invalid("管理方式须为备案、核准或审批。", "kind")
    if project_type not in PROJECT_TYPES:
        raise _invalid("项目类型代码须为 01–05。", "project_type")
    address = " ".join((address or "").split())
    if not 2 <= len(address) <= 200:
        raise _invalid("建设地点须为 2 至 200 个字。", "address")
    if owner_entity is not None:
        owner_name, owner_credit_code = owner_entity.name, owner_entity.credit_code
    owner_name = " ".join((owner_name or "").split())
    if not owner_name:
        raise _invalid("须写明项目单位。", "owner_name")
    try:
        owner_credit_code = validate_credit_code(owner_credit_code)
    except DomainError as exc:
        raise _invalid(exc.detail, "owner_credit_code") from None
    if zone is not None and not region.path.startswith(zone.region_path):
        raise _invalid(f"项目所在区划不在“{zone.name}”范围内。", "zone")
    code = project_code_make(
        on=clock.local_date(moment),
        region_code=region.code,
        guidance=guidance_code,
        kind=project_type,
    )
    return InvestmentProject(
        code=code,
        name=name,
        kind=kind,
        project_type=project_type,
        guidance_code=guidance_code,
        owner_entity=owner_entity,
        owner_name=owner_name,
        owner_credit_code=owner_credit_code,
        region=region,
        region_path=region.path,
        address=address,
        total_investment=_investment(total_investment),
        zone=zone,
        registered_at=moment,
        registered_by=actor if getattr(actor, "pk", None) else None,
    )


def project_save(project: InvestmentProject, *, actor: Any = None) -> InvestmentProject:
    """Store a built project; a clash of the random part draws another."""
    for _attempt in range(8):
        try:
            with transaction.atomic():
                project.save()
                audit(
                    actor=actor,
                    action="project.register",
                    object_type="investment_project",
                    object_id=project.code,
                    details={"kind": project.kind},
                    now=project.registered_at,
                )
            return project
        except IntegrityError:
            project.pk = None
            project.code = project_code_make(
                on=clock.local_date(project.registered_at),
                region_code=project.region_id,
                guidance=project.guidance_code,
                kind=project.project_type,
            )
    raise DomainError(errors.PROJECT_INVALID, "赋码失败，请稍后重试。")


def project_register(**kwargs: Any) -> InvestmentProject:
    """赋码: register a project (备案/核准) and give it its code."""
    project = project_build(**kwargs)
    return project_save(project, actor=kwargs.get("actor"))


def project_for_bundle(
    *,
    content: BundleContent,
    answers: dict[str, Any],
    bundle: Bundle,
    entity: LegalEntity | None,
    today: dt.date,
) -> tuple[InvestmentProject | None, list[dict[str, Any]]]:
    """The project a 工程建设 bundle application is for: the registered one named by
    ``project_code``, or a new one registered from the form (unsaved: the
    submission saves it with everything else). Problems in the form's shape."""
    if not content.project_required:
        return None, []
    given = str(answers.get("project_code") or "").strip()
    if given:
        try:
            code = project_code_validate(given)
        except DomainError as exc:
            return None, [{"field": "form.project_code", "code": exc.code, "message": exc.detail}]
        project = InvestmentProject.objects.filter(code=code).first()
        if project is None:
            return None, [
                {
                    "field": "form.project_code",
                    "code": errors.PROJECT_NOT_REGISTERED.code,
                    "message": f"投资项目代码 {code} 未在投资项目在线审批监管平台赋码，请核对。",
                }
            ]
        if entity is not None and project.owner_credit_code != entity.credit_code:
            return None, [
                {
                    "field": "form.project_code",
                    "code": "not_owner",
                    "message": "该投资项目的项目单位不是申请人，不能以其名义申请。",
                }
            ]
        return project, []
    needed = ("project_name", "project_address", "total_investment")
    if entity is None or any(not answers.get(k) for k in needed):
        return None, []  # the form check names what is missing
    try:
        project = project_build(
            name=str(answers["project_name"]),
            kind=ProjectKind.FILING,
            project_type="01",
            region=bundle.region,
            address=str(answers["project_address"]),
            total_investment=answers["total_investment"],
            owner_entity=entity,
            now=clock.now(),
        )
    except DomainError as exc:
        field = exc.fields[0]["field"] if exc.fields else ""
        where = {"name": "project_name", "address": "project_address"}.get(field, field)
        return None, [{"field": f"form.{where}", "code": exc.code, "message": exc.detail}]
    while InvestmentProject.objects.filter(code=project.code).exists():
        project.code = project_code_make(
            on=today, region_code=bundle.region_id, guidance=DEFAULT_GUIDANCE, kind="01"
        )
    return project, []


def assessed_materials(
    project: InvestmentProject, merge: MergeResult, *, today: dt.date
) -> dict[str, str]:
    """Material key → the record that provides it, for a project inside a zone
    with a valid assessment of the material's kind."""
    if project.zone_id is None:
        return {}
    valid = list(
        RegionalAssessment.objects.filter(
            zone_id=project.zone_id, valid_from__lte=today, valid_until__gte=today
        ).select_related("zone")
    )
    provided: dict[str, str] = {}
    for entry in merge.materials_to_submit:
        for assessment in valid:
            if any(word in entry.spec.name for word in ASSESSMENT_WORDS[assessment.kind]):
                provided[entry.key] = (
                    f"区域评估：{assessment.zone.name}{assessment.get_kind_display()}"
                    f"（{assessment.title}，{assessment.document_no}，"
                    f"有效期至{assessment.valid_until:%Y年%m月%d日}）"
                )
                break
    return provided


def project_link_case(*, case: Case, now: dt.datetime | None = None) -> ProjectCase | None:
    """Link a case whose form carries a registered project's code (idempotent)."""
    code = str((case.form_data or {}).get("project_code") or "").strip()
    if not code:
        return None
    project = InvestmentProject.objects.filter(code=code).first()
    if project is None:
        return None
    link, _ = ProjectCase.objects.get_or_create(
        case=case, defaults={"project": project, "linked_at": now or clock.now()}
    )
    return link


def zone_create(
    *, name: str, region: Region, description: str = "", now: dt.datetime | None = None
) -> DevelopmentZone:
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= 200:
        raise DomainError(errors.ZONE_INVALID, "开发区（园区）名称须为 2 至 200 个字。")
    zone, _ = DevelopmentZone.objects.get_or_create(
        region=region,
        name=name,
        defaults={
            "region_path": region.path,
            "description": description.strip(),
            "created_at": now or clock.now(),
        },
    )
    return zone


def assessment_record(
    *,
    zone: DevelopmentZone,
    kind: str,
    title: str,
    document_no: str,
    issued_by: str,
    valid_from: dt.date,
    valid_until: dt.date,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> RegionalAssessment:
    """Record an assessment done once for the zone, valid from … until."""
    moment = now or clock.now()
    if kind not in AssessmentKind.values:
        raise DomainError(errors.ZONE_INVALID, f"评估事项 {kind!r} 无效。")
    if valid_until < valid_from:
        raise DomainError(errors.ZONE_INVALID, "有效期至不能早于有效期起。")
    for label, value in (("成果名称", title), ("批复文号", document_no), ("出具单位", issued_by)):
        if not (value or "").strip():
            raise DomainError(errors.ZONE_INVALID, f"须写明{label}。")
    with transaction.atomic():
        record = RegionalAssessment.objects.create(
            zone=zone,
            kind=kind,
            title=title.strip()[:200],
            document_no=document_no.strip()[:100],
            issued_by=issued_by.strip()[:200],
            valid_from=valid_from,
            valid_until=valid_until,
            recorded_at=moment,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        audit(
            actor=actor,
            action="regional_assessment.record",
            object_type="regional_assessment",
            object_id=str(record.pk),
            details={"zone": zone.name, "kind": kind},
            now=moment,
        )
    return record
