"""What intake checks before anything is written (split from ``intake``): the
published guide, the rules kept with the case, the real-name level, credit
(联合惩戒), the agent's authorization for the item, the materials offered and
the type of every upload."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from tongban.cases import deadlines, errors
from tongban.cases.models import MaterialKind
from tongban.cases.services.uploads import detect_type
from tongban.catalog.content import (
    GuideContent,
    MaterialRequirement,
    MaterialSource,
    ServiceMode,
)
from tongban.catalog.models import ServiceItem
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.credit.services.enforcement import ensure_allowed
from tongban.identity.models import AccountKind, LegalEntity, Person
from tongban.identity.selectors import person_real_name_level
from tongban.org.models import StaffAssignment

if TYPE_CHECKING:
    from tongban.cases.services.intake import MaterialInput


def published_guide(version_id: int, revision: int, content: dict[str, Any]) -> GuideContent:
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


def check_real_name_level(guide: GuideContent, person: Person | None) -> None:
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


def acts_by_authorization(submitted_by: Any, entity: LegalEntity | None) -> bool:
    """Whether the submitter acts for ``entity`` by a business authorization (an
    applicant's account online), rather than a clerk taking it in at a window."""
    return (
        entity is not None
        and getattr(submitted_by, "pk", None) is not None
        and getattr(submitted_by, "kind", None) in (AccountKind.CITIZEN, AccountKind.BUSINESS)
    )


def check_agent_item(submitted_by: Any, entity: LegalEntity | None, item: ServiceItem) -> None:
    """An agent (经办人) limited by the legal representative to named items may
    apply for those only (issue 14, item 3): refused with
    ``authorization_item_forbidden``, and the refusal audited. Runs before the
    submission's transaction, so that the refusal's audit event is kept."""
    if not acts_by_authorization(submitted_by, entity):
        return
    from tongban.identity.services import authorization_check_item

    authorization_check_item(
        user=submitted_by,
        legal_entity=entity,  # type: ignore[arg-type]  # not None (acts_by_authorization)
        implementation_code=item.implementation_code,
    )


def credit_subject(person: Person | None, entity: LegalEntity | None) -> str:
    return entity.credit_code if entity is not None else getattr(person, "id_number_token", "")


def check_credit(
    person: Person | None,
    entity: LegalEntity | None,
    commitment: bool,
    supplied: dict[str, MaterialInput],
    moment: dt.datetime,
) -> None:
    """联合惩戒 at intake (R-CR-1): a black-listed applicant gets neither 告知承诺 nor
    容缺受理; the refusal names the list, its basis and the way out (one query each)."""
    subject = credit_subject(person, entity)
    today = clock.local_date(moment)
    if commitment:
        ensure_allowed(subject, measure="commitment_intake", today=today)
    if any(m.kind == MaterialKind.DEFERRED for m in supplied.values()):
        ensure_allowed(subject, measure="tolerance_intake", today=today)


def materials_offered(
    guide: GuideContent,
    required: dict[str, MaterialRequirement],
    materials: list[MaterialInput],
) -> dict[str, MaterialInput]:
    """The materials offered, by code, each checked against the guide."""
    supplied: dict[str, MaterialInput] = {}
    codes = {m.code for m in guide.materials}
    for index, material in enumerate(materials):
        where = f"materials[{index}]"
        if material.code not in codes:
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
    return supplied


def upload_types(guide: GuideContent, supplied: dict[str, MaterialInput]) -> dict[str, str]:
    """The type of every upload that will be stored, from its content; a file of
    another type is refused before anything is written. An error names the
    material by its place in the guide (``materials[i]``, as the portal's form
    lists them)."""
    types: dict[str, str] = {}
    for index, spec in enumerate(guide.materials):
        given = supplied.get(spec.code)
        if given is not None and given.kind == MaterialKind.UPLOAD:
            types[spec.code] = detect_type(given.content, f"materials[{index}]")
    return types


def window_of(clerk: Any, item: ServiceItem) -> int | None:
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
