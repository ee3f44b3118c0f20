"""Query-and-verify services (查询核验, R-DS-3): yes or no, never the record.

Each service asks one question of one base registry, names the fields of its
resource that the answer depends on (the consumer's grant must cover them)
and the parameters it takes. The table is ``SERVICES``; ``docs/sharing.md``
lists it for readers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_resident_id
from tongban.sharing import errors, hooks
from tongban.sharing.models import (
    BirthRecord,
    InsuranceKind,
    InsuranceStatus,
    Registry,
    SocialInsuranceRecord,
    SubjectKind,
)
from tongban.sharing.registries import (
    business_get,
    current_household,
    current_marriage,
    population_get,
    real_estate_of,
)
from tongban.sharing.subjects import SubjectRef, person_token

PERSON = (SubjectKind.PERSON,)
ENTITY = (SubjectKind.LEGAL_ENTITY,)
EITHER = (SubjectKind.PERSON, SubjectKind.LEGAL_ENTITY)


@dataclass(frozen=True)
class Param:
    code: str
    label: str
    required: bool = False
    kind: str = "text"  # text, id_number, region, choice
    choices: tuple[tuple[str, str], ...] = ()
    # Fields of the resource read when this parameter is given.
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Facts:
    """What an answer function gets: the subject, clean parameters, today."""

    subject: SubjectRef
    params: dict[str, str]
    today: dt.date
    now: dt.datetime
    # Where an answer may note what it found (a certificate's identifier), for
    # intake's "shown with its source"; never part of the yes/no API answer.
    notes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class VerificationService:
    code: str
    name: str
    question: str
    registry: str
    fields: tuple[str, ...]
    answer: Callable[[Facts], bool]
    subject_kinds: tuple[str, ...] = PERSON
    params: tuple[Param, ...] = field(default_factory=tuple)

    def fields_for(self, params: dict[str, str]) -> tuple[str, ...]:
        extra = [f for p in self.params if params.get(p.code) for f in p.fields]
        return tuple(dict.fromkeys((*self.fields, *extra)))

    def clean_params(self, given: dict[str, Any] | None, *, today: dt.date) -> dict[str, str]:
        given = dict(given or {})
        known = {p.code: p for p in self.params}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise _params_error(f"该服务不接受参数：{'、'.join(unknown)}", unknown[0])
        clean: dict[str, str] = {}
        for param in self.params:
            value = given.get(param.code)
            if value is None or (isinstance(value, str) and not value.strip()):
                if param.required:
                    raise _params_error(f"缺少参数“{param.label}”（{param.code}）", param.code)
                continue
            if not isinstance(value, str) or len(value) > 100:
                raise _params_error(f"参数“{param.label}”须为不超过 100 字的字符串", param.code)
            clean[param.code] = _clean_value(param, value.strip(), today)
        return clean


def _params_error(detail: str, code: str) -> DomainError:
    return DomainError(
        errors.PARAMS_INVALID,
        detail,
        fields=[{"field": f"body.params.{code}", "code": "invalid", "message": detail}],
    )


def _clean_value(param: Param, value: str, today: dt.date) -> str:
    if param.kind == "id_number":
        try:
            return validate_resident_id(value, today=today).number
        except DomainError as exc:
            raise _params_error(f"参数“{param.label}”：{exc.detail}", param.code) from None
    if param.kind == "region":
        if not value.isdigit() or len(value) not in (2, 4, 6, 9, 12):
            raise _params_error(
                f"参数“{param.label}”须为行政区划代码（或其前 2、4 位）", param.code
            )
        return value
    if param.kind == "choice" and value not in {c for c, _ in param.choices}:
        allowed = "、".join(f"{c}（{label}）" for c, label in param.choices)
        raise _params_error(f"参数“{param.label}”只能是：{allowed}", param.code)
    return value


def _not_found(facts: Facts) -> DomainError:
    what = "自然人库" if facts.subject.kind == SubjectKind.PERSON else "法人库"
    return DomainError(errors.SUBJECT_NOT_FOUND, f"{what}中没有该查询对象，无法核验。")


def _person(facts: Facts) -> Any:
    person = population_get(facts.subject)
    if person is None:
        raise _not_found(facts)
    return person


def _identity(facts: Facts) -> bool:
    return bool(_person(facts).name == facts.params["name"])


def _marriage(facts: Facts) -> bool:
    marriage = current_marriage(_person(facts))
    if marriage is None:
        return False
    spouse = facts.params.get("spouse_id_number")
    if not spouse:
        return True
    token = person_token(spouse)
    return token in {marriage.party_a.id_number_token, marriage.party_b.id_number_token}


def _birth(facts: Facts) -> bool:
    birth = (
        BirthRecord.objects.filter(child=_person(facts)).select_related("mother", "father").first()
    )
    if birth is None:
        return False
    parent = facts.params.get("parent_id_number")
    if not parent:
        return True
    parents = {p.id_number_token for p in (birth.mother, birth.father) if p is not None}
    return person_token(parent) in parents


def _parenthood(facts: Facts) -> bool:
    person = _person(facts)
    births = BirthRecord.objects.filter(mother=person) | BirthRecord.objects.filter(father=person)
    child = facts.params.get("child_id_number")
    if child:
        births = births.filter(child__id_number_token=person_token(child))
    return births.exists()


def _household(facts: Facts) -> bool:
    household = current_household(_person(facts))
    if household is None:
        return False
    return household.region_code.startswith(facts.params.get("region_code", ""))


def _business(facts: Facts) -> bool:
    business = business_get(facts.subject)
    if business is None:
        raise _not_found(facts)
    name = facts.params.get("name")
    if name and business.name != name:
        return False
    return business.status == "in_business"


def _social_insurance(facts: Facts) -> bool:
    rows = SocialInsuranceRecord.objects.filter(
        person=_person(facts), status=InsuranceStatus.ACTIVE
    )
    kind = facts.params.get("insurance_kind")
    if kind:
        rows = rows.filter(kind=kind)
    return rows.exists()


def _real_estate(facts: Facts) -> bool:
    if facts.subject.kind == SubjectKind.PERSON:
        _person(facts)
    elif business_get(facts.subject) is None:
        raise _not_found(facts)
    region = facts.params.get("region_code", "")
    unit = facts.params.get("unit_number", "")
    return any(
        r.region_code.startswith(region) and (not unit or r.unit_number == unit)
        for r in real_estate_of(facts.subject)
    )


def _certificate(facts: Facts) -> bool:
    checker = hooks.certificate_checker()
    if checker is None:
        raise DomainError(
            errors.SERVICE_NOT_CONNECTED,
            "电子证照库尚未接入查询核验，暂不能核验持证情况；请申请人提交证照。",
        )
    holding = checker(
        certificate_type=facts.params["certificate_type"], subject=facts.subject, now=facts.now
    )
    if holding.held:
        facts.notes["reference"] = holding.identifier
        facts.notes["source_label"] = "电子证照库" + (
            f"（{holding.issuer}）" if holding.issuer else ""
        )
    return holding.held


INSURANCE_CHOICES = tuple((k.value, str(k.label)) for k in InsuranceKind)

SERVICES: dict[str, VerificationService] = {
    s.code: s
    for s in (
        VerificationService(
            "identity", "身份核验", "姓名与公民身份号码是否一致", Registry.POPULATION,
            ("name",), _identity, params=(Param("name", "姓名", required=True),),
        ),
        VerificationService(
            "marriage", "婚姻状况核验", "是否处于已登记的婚姻中（可核验配偶）",
            Registry.MARRIAGE, ("marital_status",), _marriage,
            params=(
                Param("spouse_id_number", "配偶公民身份号码", kind="id_number",
                      fields=("spouse_name",)),
            ),
        ),
        VerificationService(
            "birth", "出生核验", "是否有出生医学证明登记（可核验父母）", Registry.BIRTH,
            ("certificate_no",), _birth,
            params=(
                Param("parent_id_number", "父亲或母亲公民身份号码", kind="id_number",
                      fields=("mother_name", "father_name")),
            ),
        ),
        VerificationService(
            "parenthood", "亲子关系核验", "是否为出生医学证明登记的父亲或母亲（可核验子女）",
            Registry.BIRTH, ("mother_name", "father_name"), _parenthood,
            params=(Param("child_id_number", "子女公民身份号码", kind="id_number"),),
        ),
        VerificationService(
            "household", "户籍核验", "是否有有效户籍登记（可核验户籍地）", Registry.HOUSEHOLD,
            ("region_code",), _household,
            params=(Param("region_code", "户籍地区划代码（可为前缀）", kind="region"),),
        ),
        VerificationService(
            "business", "市场主体登记核验", "是否已登记且存续（在营）（可核验名称）",
            Registry.BUSINESS, ("status",), _business, subject_kinds=ENTITY,
            params=(Param("name", "名称", fields=("name",)),),
        ),
        VerificationService(
            "social_insurance", "社会保险参保核验", "是否正常参保缴费（可指定险种）",
            Registry.SOCIAL_INSURANCE, ("status", "insurance_kinds"), _social_insurance,
            params=(
                Param("insurance_kind", "险种", kind="choice", choices=INSURANCE_CHOICES),
            ),
        ),
        VerificationService(
            "real_estate", "不动产权属核验", "是否持有现势不动产权（可指定区划或不动产单元号）",
            Registry.REAL_ESTATE, ("certificate_nos",), _real_estate, subject_kinds=EITHER,
            params=(
                Param("region_code", "不动产所在区划代码（可为前缀）", kind="region"),
                Param("unit_number", "不动产单元号", fields=("unit_numbers",)),
            ),
        ),
        VerificationService(
            "certificate", "持证核验", "是否持有指定类型的有效电子证照", Registry.CERTIFICATES,
            ("holding",), _certificate, subject_kinds=EITHER,
            params=(Param("certificate_type", "证照类型名称", required=True),),
        ),
    )
}  # fmt: skip


def service_get(code: str) -> VerificationService:
    service = SERVICES.get(code)
    if service is None:
        known = "、".join(SERVICES)
        raise DomainError(
            errors.SERVICE_UNKNOWN, f"没有名为 {code[:40]!r} 的核验服务；可用：{known}"
        )
    return service
