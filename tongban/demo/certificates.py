"""Demo electronic certificates, proof items and printable certifications.

Idempotent. The types come from ``certificates.demo``; each is linked to the
demo catalogue's items whose guide names it as ``result_certificate_type``;
the demo accounts hold a few certificates (居民身份证, 居民户口簿; the
businesses their 营业执照, the restaurant its 食品经营许可证), and the facts
printed by 自助打印 are copied from the sharing app's base registries
(household, social insurance) where they answer, with demo tax records.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tongban.catalog.models import ServiceItem
from tongban.certificates.demo import demo_certificate_types_load, demo_proof_items_load
from tongban.certificates.holders import holder_of
from tongban.certificates.models import Certificate, CertificateType, PrintKind
from tongban.certificates.services import certificate_issue, certificate_type_link_items
from tongban.certificates.services.proofs import registry_extract_put
from tongban.core import clock
from tongban.core.crypto import decrypt
from tongban.identity.demo import DEMO_BUSINESSES, DEMO_CITIZENS
from tongban.identity.models import LegalEntity, Person
from tongban.identity.selectors import ID_NUMBER_CONTEXT, person_find_by_id_number
from tongban.org.models import Department

ISSUED_ON = dt.date(2024, 3, 1)


def _city(region_code: str) -> str:
    return "南京市" if region_code.startswith("3201") else "赣州市"


def link_items() -> int:
    """Link each type to the basic items whose published guide issues it."""
    by_type: dict[str, list[tuple[str, str]]] = {}
    items = ServiceItem.objects.filter(current_version__isnull=False).select_related(
        "basic_item", "current_version"
    )
    for item in items.iterator(chunk_size=500):
        name = (item.current_version.content or {}).get("result_certificate_type")  # type: ignore[union-attr]  # filtered above
        if name:
            by_type.setdefault(str(name), []).append((item.basic_item.code, item.basic_item.name))
    linked = 0
    for kind in CertificateType.objects.all():
        names = {kind.name, *(kind.aliases or [])}
        pairs = sorted({p for n in names for p in by_type.get(n, [])})
        linked += certificate_type_link_items(certificate_type=kind, items=pairs)
    return linked


def _issue_once(type_name: str, *, person: Any = None, entity: Any = None, **kwargs: Any) -> bool:
    holder = holder_of(person=person, entity=entity)
    if Certificate.objects.filter(holder_key=holder.key, certificate_type__name=type_name).exists():
        return False
    certificate_issue(
        certificate_type=type_name,
        holder_person=person,
        holder_entity=entity,
        valid_from=kwargs.pop("valid_from", ISSUED_ON),
        **kwargs,
    )
    return True


def demo_holdings_load(*, now: dt.datetime | None = None) -> int:
    moment = now or clock.now()
    issued = 0
    for citizen in DEMO_CITIZENS:
        person = person_find_by_id_number(citizen.id_number)
        if person is None:
            continue
        city = _city(citizen.region_code)
        police = Department.objects.get(name=f"{city}公安局")
        birth = f"{citizen.birth[:4]}-{citizen.birth[4:6]}-{citizen.birth[6:]}"
        issued += _issue_once(
            "居民身份证",
            person=person,
            issuing_department=police,
            now=moment,
            valid_until=dt.date(2044, 2, 29),
            face={
                "number": citizen.id_number,
                "sex": person.get_sex_display(),
                "ethnicity": "汉族",
                "birth_date": birth,
            },
        )
        issued += _issue_once(
            "居民户口簿",
            person=person,
            issuing_department=police,
            now=moment,
            face={
                "household_no": f"{citizen.region_code}{citizen.order}",
                "household_head": person.name,
            },
        )
    for business in DEMO_BUSINESSES:
        entity = (
            LegalEntity.objects.filter(credit_code=business.credit_code)
            .select_related("legal_representative")
            .first()
        )
        if entity is None:
            continue
        city = _city(business.first16[2:8])
        market = Department.objects.get(name=f"{city}市场监督管理局")
        issued += _issue_once(
            "营业执照",
            entity=entity,
            issuing_department=market,
            now=moment,
            face={
                "number": entity.credit_code,
                "legal_rep_name": entity.legal_representative.name,
                "entity_type": "有限责任公司",
                "established_on": ISSUED_ON.isoformat(),
            },
        )
        if "餐饮" in entity.name:
            issued += _issue_once(
                "食品经营许可证",
                entity=entity,
                issuing_department=market,
                now=moment,
                face={
                    "number": "JY13201040000001",
                    "permitted_items": "预包装食品销售；热食类食品制售",
                    "legal_rep_name": entity.legal_representative.name,
                },
            )
    return issued


def _registry_facts(person: Person, kind: str) -> dict[str, str] | None:
    """What the sharing registries say (copied at demo load), or None."""
    try:
        from tongban.sharing.registries import read_fields
        from tongban.sharing.subjects import SubjectRef
    except ImportError:  # the sharing app is optional for this demo
        return None
    subject = SubjectRef.person(decrypt(person.id_number_enc, context=ID_NUMBER_CONTEXT))
    if kind == PrintKind.HOUSEHOLD:
        data = read_fields("household", subject)
        if not data or not data.get("household_no"):
            return None
        return {
            "户号": str(data["household_no"]),
            "住址": str(data["address"] or ""),
            "与户主关系": str(data["relation"] or ""),
            "户籍登记日期": str(data["registered_on"] or ""),
        }
    data = read_fields("social_insurance", subject)
    if not data or data.get("status") == "未参保":
        return None
    return {
        "参保险种": "、".join(data["insurance_kinds"]) or "—",
        "参保状态": str(data["status"]),
        "首次参保日期": str(data["since"] or ""),
        "累计缴费月数": str(data["months_paid"]),
    }


def demo_print_extracts_load(*, now: dt.datetime | None = None) -> int:
    count = 0
    for citizen in DEMO_CITIZENS:
        person = person_find_by_id_number(citizen.id_number)
        if person is None:
            continue
        key = holder_of(person=person).key
        city = _city(citizen.region_code)
        police = f"{city}公安局"
        household = _registry_facts(person, PrintKind.HOUSEHOLD) or {
            "户号": f"{citizen.region_code}{citizen.order}",
            "户籍地": city,
            "与户主关系": "户主",
        }
        insurance = _registry_facts(person, PrintKind.SOCIAL_INSURANCE) or {
            "参保险种": "职工基本养老保险、职工基本医疗保险、失业保险",
            "参保状态": "参保缴费",
            "累计缴费月数": "96",
        }
        extracts = {
            PrintKind.HOUSEHOLD: (household, police),
            PrintKind.SOCIAL_INSURANCE: (insurance, f"{city}人力资源和社会保障局"),
            PrintKind.TAX: (
                {
                    "税种": "个人所得税",
                    "所属期": "2025年1月至2025年12月",
                    "实缴税额（元）": "8,640.00",
                },
                f"国家税务总局{city}税务局",
            ),
            PrintKind.NO_CRIMINAL_RECORD: ({"查询范围": "全国违法犯罪人员信息资源库"}, police),
        }
        for kind, (facts, source) in extracts.items():
            registry_extract_put(
                holder_key=key, kind=kind, facts=facts, source_department=source, now=now
            )
            count += 1
    return count


def demo_certificates_all_load() -> dict[str, int]:
    with transaction.atomic():
        types = demo_certificate_types_load()
        linked = link_items()
        proofs = demo_proof_items_load()
        held = demo_holdings_load()
        extracts = demo_print_extracts_load()
    return {
        "types": types["total"],
        "item_links": linked,
        "proof_items": proofs,
        "issued": held,
        "print_extracts": extracts,
    }
