"""Writes of the base registries: records as the providing systems deliver them.

In production the registries are fed by the providing departments' systems
through the exchange platform (R-DS-1); here the demo and the tests put
records with these functions, which encrypt what must be encrypted (ID
numbers, home addresses, property locations) and key persons by the
platform's subject token.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tongban.core import clock
from tongban.core.crypto import encrypt
from tongban.core.identifiers import validate_credit_code, validate_resident_id
from tongban.core.masking import mask_id_number
from tongban.sharing.models import (
    BirthRecord,
    BusinessRecord,
    BusinessStatus,
    HouseholdRecord,
    MarriageRecord,
    PopulationRecord,
    RealEstateRecord,
    SocialInsuranceRecord,
)
from tongban.sharing.registries import (
    HOUSEHOLD_ADDRESS_CONTEXT,
    POPULATION_ID_CONTEXT,
    REAL_ESTATE_LOCATION_CONTEXT,
)
from tongban.sharing.subjects import person_token


def population_put(
    *,
    id_number: str,
    name: str,
    ethnicity: str = "汉族",
    deceased_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> PopulationRecord:
    """The person with this ID number, created or brought up to date."""
    moment = now or clock.now()
    resident = validate_resident_id(id_number, today=clock.local_date(moment))
    record, _ = PopulationRecord.objects.update_or_create(
        id_number_token=person_token(resident.number),
        defaults={
            "id_number_enc": encrypt(resident.number, context=POPULATION_ID_CONTEXT),
            "id_number_masked": mask_id_number(resident.number),
            "name": name,
            "sex": resident.sex,
            "birth_date": resident.birth_date,
            "ethnicity": ethnicity,
            "birth_place": resident.region_code,
            "deceased_on": deceased_on,
            "updated_at": moment,
        },
    )
    return record


def household_put(
    *,
    person: PopulationRecord,
    household_no: str,
    region_code: str,
    address: str,
    relation: str,
    registered_on: dt.date,
) -> HouseholdRecord:
    return HouseholdRecord.objects.create(
        person=person,
        household_no=household_no,
        region_code=region_code,
        address_enc=encrypt(address, context=HOUSEHOLD_ADDRESS_CONTEXT),
        relation=relation,
        registered_on=registered_on,
    )


def marriage_put(
    *,
    party_a: PopulationRecord,
    party_b: PopulationRecord,
    registered_on: dt.date,
    certificate_no: str,
    registry_office: str,
    dissolved_on: dt.date | None = None,
    dissolution: str = "",
) -> MarriageRecord:
    return MarriageRecord.objects.create(
        party_a=party_a,
        party_b=party_b,
        registered_on=registered_on,
        certificate_no=certificate_no,
        registry_office=registry_office,
        dissolved_on=dissolved_on,
        dissolution=dissolution,
    )


def birth_put(
    *,
    child: PopulationRecord,
    birth_place: str,
    certificate_no: str,
    mother: PopulationRecord | None = None,
    father: PopulationRecord | None = None,
) -> BirthRecord:
    return BirthRecord.objects.create(
        child=child,
        mother=mother,
        father=father,
        birth_date=child.birth_date,
        birth_place=birth_place,
        certificate_no=certificate_no,
    )


def insurance_put(
    *,
    person: PopulationRecord,
    kind: str,
    status: str,
    region_code: str,
    since: dt.date,
    months_paid: int = 0,
    employer_credit_code: str = "",
) -> SocialInsuranceRecord:
    record, _ = SocialInsuranceRecord.objects.update_or_create(
        person=person,
        kind=kind,
        defaults={
            "status": status,
            "region_code": region_code,
            "since": since,
            "months_paid": months_paid,
            "employer_credit_code": employer_credit_code,
        },
    )
    return record


def business_put(
    *,
    credit_code: str,
    name: str,
    kind: str,
    legal_representative: PopulationRecord | None,
    legal_representative_name: str,
    established_on: dt.date,
    registered_capital: Decimal,
    business_scope: str,
    address: str,
    registration_authority: str,
    status: str = BusinessStatus.IN_BUSINESS,
) -> BusinessRecord:
    code = validate_credit_code(credit_code)
    record, _ = BusinessRecord.objects.update_or_create(
        credit_code=code,
        defaults={
            "name": name,
            "kind": kind,
            "status": status,
            "legal_representative": legal_representative,
            "legal_representative_name": legal_representative_name,
            "established_on": established_on,
            "registered_capital": registered_capital,
            "business_scope": business_scope,
            "address": address,
            # GB 32100-2015: characters 3–8 are the registering authority's region.
            "region_code": code[2:8],
            "registration_authority": registration_authority,
        },
    )
    return record


def real_estate_put(
    *,
    unit_number: str,
    certificate_no: str,
    location: str,
    area: Decimal,
    use: str,
    registered_on: dt.date,
    owner_person: PopulationRecord | None = None,
    owner_business: BusinessRecord | None = None,
    mortgaged: bool = False,
    cancelled_on: dt.date | None = None,
) -> RealEstateRecord:
    if (owner_person is None) == (owner_business is None):
        raise ValueError("a right has exactly one holder here")
    return RealEstateRecord.objects.create(
        unit_number=unit_number,
        certificate_no=certificate_no,
        location_enc=encrypt(location, context=REAL_ESTATE_LOCATION_CONTEXT),
        region_code=unit_number[:6],
        area=area,
        use=use,
        owner_person=owner_person,
        owner_business=owner_business,
        registered_on=registered_on,
        mortgaged=mortgaged,
        cancelled_on=cancelled_on,
    )
