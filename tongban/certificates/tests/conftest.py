"""Fixtures of the certificate tests: departments, holders and demo types.

``identity`` is a sibling registry (not importable from here, DESIGN §2), so
holders are made through the app registry; the tokens follow identity's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps

from tests.support.db import rolled_back
from tongban.certificates.demo import demo_certificate_types_load
from tongban.certificates.holders import PERSON_ID_CONTEXT
from tongban.core.crypto import encrypt, search_token
from tongban.core.identifiers import generate_check_digit_resident, generate_credit_code
from tongban.core.masking import mask_id_number
from tongban.org.demo import demo_org_load
from tongban.org.models import Department

# Mon 2 Nov 2026, 10:00 in Shanghai.
T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
D0 = dt.date(2026, 11, 2)


def make_person(name: str, first17: str) -> Any:
    Person = apps.get_model("identity", "Person")
    number = first17 + generate_check_digit_resident(first17)
    return Person.objects.create(
        name=name,
        id_number_enc=encrypt(number, context=PERSON_ID_CONTEXT),
        id_number_token=search_token(number, context=PERSON_ID_CONTEXT),
        id_number_masked=mask_id_number(number),
        birth_date=dt.date(int(first17[6:10]), int(first17[10:12]), int(first17[12:14])),
        sex="male",
        region_code=first17[:6],
        created_at=T0,
    )


def make_entity(name: str, first16: str, representative: Any) -> Any:
    LegalEntity = apps.get_model("identity", "LegalEntity")
    return LegalEntity.objects.create(
        credit_code=generate_credit_code(first16),
        name=name,
        legal_representative=representative,
        region_code="320102",
        created_at=T0,
    )


@dataclass
class World:
    samr: Department  # 南京市市场监督管理局
    other: Department  # 赣州市市场监督管理局
    person: Any
    stranger: Any
    entity: Any


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with rolled_back(django_db_blocker):
        demo_org_load()
        demo_certificate_types_load()
        person = make_person("张伟", "32010219850312001")
        yield World(
            samr=Department.objects.get(name="南京市市场监督管理局"),
            other=Department.objects.get(name="赣州市市场监督管理局"),
            person=person,
            stranger=make_person("王芳", "32010419900618002"),
            entity=make_entity("南京通办信息科技有限公司", "9132010070000001", person),
        )


@pytest.fixture(autouse=True)
def _db_for_every_test(db: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
