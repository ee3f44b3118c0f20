"""两个免于提交 at intake (R-EC-2, R-CS-5; issue 10 #5).

Each material the guide marks as issued by government is looked up for this
applicant through ``sharing.services.lookup.sharing_lookup_for_material``: a
base registry's yes/no answer, or a valid electronic certificate of the named
type in the holder's wallet (the certificates app answers through the sharing
hook). Every look-up is in the access log with the case number.

* **Found**: the material is provided, read-only, as government data with its
  source and reference (a certificate identifier, or the registry's answer);
  the applicant uploads nothing; the clerk's checklist shows it ticked.
* **Not found**: nothing is stored as provided. The reason is kept on the
  case (``Case.exemptions``) and shown to the applicant, who supplies it as
  any other material; until then it is missing (``missing_materials``).

``Case.exemptions`` records every attempt, found or not, with its source:
the API shows it and the figure "materials exempted per case" is counted
from the stored government-data materials (``selectors.exemption_figures``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tongban.cases import errors
from tongban.cases.models import Case, CaseMaterial, MaterialKind
from tongban.catalog.content import MaterialRequirement, MaterialSource
from tongban.core.errors import DomainError
from tongban.org.models import Department


def material_exempt(
    case: Case,
    spec: MaterialRequirement,
    *,
    department: Department,
    actor: Any,
    now: dt.datetime,
) -> tuple[dict[str, Any], CaseMaterial | None]:
    """Look the material up for the case's applicant (the case may not be
    written yet: its number and applicant are what the look-up needs).
    Returns the record kept in ``Case.exemptions`` and, if found, the material
    to store (not yet saved: intake writes all its materials in one insert)."""
    from tongban.sharing.services.lookup import sharing_lookup_for_material

    hint = spec.certificate_type or spec.name
    answer = sharing_lookup_for_material(
        material_source_hint=hint,
        department=department,
        case_no=case.case_no,
        applicant_person=case.applicant_person,
        applicant_entity=case.applicant_entity,
        actor=actor if getattr(actor, "pk", None) else None,
        now=now,
    )
    record: dict[str, Any] = {
        "code": spec.code,
        "name": spec.name,
        "found": answer.found,
        "source": answer.source,
        "source_label": answer.source_label,
        "reference": answer.reference,
        "reason": "" if answer.found else answer.reason,
    }
    if not answer.found:
        return record, None
    return record, CaseMaterial(
        case=case,
        code=spec.code,
        name=spec.name,
        kind=MaterialKind.GOVERNMENT_DATA,
        source_reference=f"{answer.source_label}：{answer.reference}"[:200],
        supplied_at=now,
    )


def exemptions_preview(
    *,
    materials: list[MaterialRequirement],
    department: Department,
    applicant_person: Any = None,
    applicant_entity: Any = None,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> dict[str, dict[str, Any]]:
    """Before submission: which government-issued materials this applicant
    will not have to supply, with the source, and why the others must be
    uploaded (the application form shows it; intake looks up again, because a
    certificate may be revoked in between). Each look-up is in the access log
    with the purpose 网上申请预查, so the subject sees it as any other read.

    Returns ``{material code: record}`` in the form of ``Case.exemptions``."""
    from tongban.sharing.services.lookup import sharing_lookup_for_material

    records: dict[str, dict[str, Any]] = {}
    for spec in materials:
        if not (spec.exempt or spec.source == MaterialSource.GOVERNMENT):
            continue
        hint = spec.certificate_type or spec.name
        answer = sharing_lookup_for_material(
            material_source_hint=hint,
            department=department,
            case_no="",
            applicant_person=applicant_person,
            applicant_entity=applicant_entity,
            actor=actor if getattr(actor, "pk", None) else None,
            purpose=f"网上申请预查“{hint}”",
            now=now,
        )
        records[spec.code] = {
            "code": spec.code,
            "name": spec.name,
            "found": answer.found,
            "source": answer.source,
            "source_label": answer.source_label,
            "reference": answer.reference,
            "reason": "" if answer.found else answer.reason,
        }
    return records


def exempted_certificate_open(
    *, case: Case, code: str, actor: Any, now: dt.datetime | None = None
) -> Any:
    """The clerk opens a material the 电子证照库 provided at intake: the
    certificate, read on the basis of the case it serves (in the certificate's
    access log with the case number, so the holder sees who read it and why).
    ``case`` comes from the caller's scoped look-up (CONVENTIONS 5)."""
    from tongban.certificates.models import Certificate
    from tongban.certificates.services.wallet import certificate_read_for_case

    record = next(
        (
            e
            for e in case.exemptions or []
            if e.get("code") == code and e.get("found") and e.get("source") == "certificates"
        ),
        None,
    )
    certificate = (
        Certificate.objects.select_related("certificate_type")
        .filter(identifier=record["reference"])
        .first()
        if record is not None
        else None
    )
    if certificate is None:
        raise DomainError(
            errors.NOT_FROM_CERTIFICATE, "该材料不是通过电子证照获取的，无证照可查看。"
        )
    certificate_read_for_case(
        certificate=certificate,
        reader=actor,
        department=case.department,
        case_no=case.case_no,
        purpose=f"受理审查：查看免提交材料“{record['name'] if record else code}”",
        now=now,
    )
    return certificate
