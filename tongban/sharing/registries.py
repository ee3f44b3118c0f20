"""Reads of the base registries: a subject's record and the fields of a resource.

``read_fields`` answers a field-returning query (``sharing_query``) with the
values of one registry for one subject, decrypted; the caller keeps only the
granted fields. ``None`` means the subject is not in the 自然人库 / 法人库.
A person who is in the population registry but has, say, no marriage on
record gets that registry's "none" answer (未登记), not "not found".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Q

from tongban.core.crypto import decrypt
from tongban.sharing.models import (
    BirthRecord,
    BusinessRecord,
    HouseholdRecord,
    InsuranceKind,
    InsuranceStatus,
    MarriageRecord,
    PopulationRecord,
    RealEstateRecord,
    Registry,
    SocialInsuranceRecord,
    SubjectKind,
)
from tongban.sharing.subjects import SubjectRef, person_token

HOUSEHOLD_ADDRESS_CONTEXT = "sharing.household.address"
REAL_ESTATE_LOCATION_CONTEXT = "sharing.real_estate.location"
POPULATION_ID_CONTEXT = "sharing.population.id_number"

MARITAL_LABELS = {
    "married": "已婚",
    "divorced": "离婚",
    "widowed": "丧偶",
    "unmarried": "未婚（无婚姻登记记录）",
}


def population_get(subject: SubjectRef) -> PopulationRecord | None:
    if subject.kind != SubjectKind.PERSON or not subject.identifier:
        return None
    return PopulationRecord.objects.filter(id_number_token=person_token(subject.identifier)).first()


def business_get(subject: SubjectRef) -> BusinessRecord | None:
    if subject.kind != SubjectKind.LEGAL_ENTITY or not subject.identifier:
        return None
    return BusinessRecord.objects.filter(credit_code=subject.identifier).first()


def subject_exists(subject: SubjectRef) -> bool:
    if subject.kind == SubjectKind.PERSON:
        return population_get(subject) is not None
    return business_get(subject) is not None


def current_marriage(person: PopulationRecord) -> MarriageRecord | None:
    return (
        MarriageRecord.objects.filter(Q(party_a=person) | Q(party_b=person))
        .filter(dissolved_on__isnull=True)
        .select_related("party_a", "party_b")
        .order_by("-registered_on")
        .first()
    )


def marital_status(person: PopulationRecord) -> tuple[str, MarriageRecord | None]:
    """已婚 with the open marriage; else what ended the last one; else 未婚."""
    marriage = current_marriage(person)
    if marriage is not None:
        return "married", marriage
    last = (
        MarriageRecord.objects.filter(Q(party_a=person) | Q(party_b=person))
        .order_by("-dissolved_on")
        .first()
    )
    if last is None:
        return "unmarried", None
    return ("widowed" if last.dissolution == "death" else "divorced"), last


def current_household(person: PopulationRecord) -> HouseholdRecord | None:
    return (
        HouseholdRecord.objects.filter(person=person, moved_out_on__isnull=True)
        .order_by("-registered_on")
        .first()
    )


def real_estate_of(subject: SubjectRef) -> list[RealEstateRecord]:
    """The current (not cancelled) rights held by the subject, person or entity."""
    if subject.kind == SubjectKind.PERSON:
        owner: Q = Q(owner_person__id_number_token=person_token(subject.identifier))
    else:
        owner = Q(owner_business__credit_code=subject.identifier)
    return list(
        RealEstateRecord.objects.filter(owner, cancelled_on__isnull=True).order_by("registered_on")
    )


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _population(subject: SubjectRef) -> dict[str, Any] | None:
    person = population_get(subject)
    if person is None:
        return None
    return {
        "name": person.name,
        "sex": person.get_sex_display(),
        "birth_date": _iso(person.birth_date),
        "ethnicity": person.ethnicity,
        "birth_place": person.birth_place,
        "alive": person.deceased_on is None,
    }


def _household(subject: SubjectRef) -> dict[str, Any] | None:
    person = population_get(subject)
    if person is None:
        return None
    household = current_household(person)
    if household is None:
        return dict.fromkeys(
            ("household_no", "region_code", "address", "relation", "registered_on")
        )
    return {
        "household_no": household.household_no,
        "region_code": household.region_code,
        "address": decrypt(household.address_enc, context=HOUSEHOLD_ADDRESS_CONTEXT),
        "relation": household.relation,
        "registered_on": _iso(household.registered_on),
    }


def _marriage(subject: SubjectRef) -> dict[str, Any] | None:
    person = population_get(subject)
    if person is None:
        return None
    status, record = marital_status(person)
    spouse = None
    if record is not None and status == "married":
        spouse = record.party_b if record.party_a_id == person.pk else record.party_a
    return {
        "marital_status": MARITAL_LABELS[status],
        "spouse_name": spouse.name if spouse else None,
        "registered_on": _iso(record.registered_on) if record else None,
        "certificate_no": record.certificate_no if record else None,
    }


def _birth(subject: SubjectRef) -> dict[str, Any] | None:
    person = population_get(subject)
    if person is None:
        return None
    birth = BirthRecord.objects.filter(child=person).select_related("mother", "father").first()
    if birth is None:
        return dict.fromkeys(
            ("child_name", "birth_date", "birth_place", "certificate_no", "mother_name",
             "father_name")
        )  # fmt: skip
    return {
        "child_name": person.name,
        "birth_date": _iso(birth.birth_date),
        "birth_place": birth.birth_place,
        "certificate_no": birth.certificate_no,
        "mother_name": birth.mother.name if birth.mother else None,
        "father_name": birth.father.name if birth.father else None,
    }


def _social_insurance(subject: SubjectRef) -> dict[str, Any] | None:
    person = population_get(subject)
    if person is None:
        return None
    rows = list(SocialInsuranceRecord.objects.filter(person=person).order_by("since"))
    active = [r for r in rows if r.status == InsuranceStatus.ACTIVE]
    return {
        "insurance_kinds": [InsuranceKind(r.kind).label for r in active],
        "status": "参保缴费" if active else ("暂停或终止" if rows else "未参保"),
        "since": _iso(rows[0].since) if rows else None,
        "months_paid": max((r.months_paid for r in rows), default=0),
        "employer_credit_code": next((r.employer_credit_code for r in active), None) or None,
    }


def _real_estate(subject: SubjectRef) -> dict[str, Any] | None:
    if not subject_exists(subject):
        return None
    rights = real_estate_of(subject)
    return {
        "certificate_nos": [r.certificate_no for r in rights],
        "unit_numbers": [r.unit_number for r in rights],
        "locations": [
            decrypt(r.location_enc, context=REAL_ESTATE_LOCATION_CONTEXT) for r in rights
        ],
        "total_area": str(sum((r.area for r in rights), Decimal("0"))),
        "mortgaged": any(r.mortgaged for r in rights),
    }


def _business(subject: SubjectRef) -> dict[str, Any] | None:
    business = business_get(subject)
    if business is None:
        return None
    return {
        "name": business.name,
        "kind": business.kind,
        "status": business.get_status_display(),
        "legal_representative_name": business.legal_representative_name,
        "established_on": _iso(business.established_on),
        "registered_capital": str(business.registered_capital),
        "business_scope": business.business_scope,
        "address": business.address,
        "region_code": business.region_code,
        "registration_authority": business.registration_authority,
    }


READERS: dict[str, Callable[[SubjectRef], dict[str, Any] | None]] = {
    Registry.POPULATION: _population,
    Registry.HOUSEHOLD: _household,
    Registry.MARRIAGE: _marriage,
    Registry.BIRTH: _birth,
    Registry.SOCIAL_INSURANCE: _social_insurance,
    Registry.REAL_ESTATE: _real_estate,
    Registry.BUSINESS: _business,
}

# The subjects each registry holds (real estate is held by persons and entities).
REGISTRY_SUBJECTS: dict[str, tuple[str, ...]] = {
    Registry.BUSINESS: (SubjectKind.LEGAL_ENTITY,),
    Registry.REAL_ESTATE: (SubjectKind.PERSON, SubjectKind.LEGAL_ENTITY),
}


def registry_subject_kinds(registry: str) -> tuple[str, ...]:
    return REGISTRY_SUBJECTS.get(registry, (SubjectKind.PERSON,))


def read_fields(registry: str, subject: SubjectRef) -> dict[str, Any] | None:
    """All fields of ``registry`` for ``subject``; None when the subject is unknown."""
    return READERS[registry](subject)
