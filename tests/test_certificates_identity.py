"""Certificates key holders by identity's search token without importing
identity (sibling registries, DESIGN §2): the two must stay the same value."""

from __future__ import annotations

import datetime as dt

from tests.support.cases import PASSWORD, id_number
from tongban.certificates.demo import demo_certificate_types_load
from tongban.certificates.holders import PERSON_ID_CONTEXT, holder_from_codes, holder_of
from tongban.certificates.selectors import certificate_find_valid
from tongban.certificates.services import certificate_issue
from tongban.identity import services as identity_services
from tongban.identity.selectors import ID_NUMBER_CONTEXT
from tongban.org.demo import demo_org_load
from tongban.org.models import Department


def test_the_person_context_is_identitys():
    assert PERSON_ID_CONTEXT == ID_NUMBER_CONTEXT


def test_a_certificate_imported_by_id_number_is_found_for_the_signed_up_person(db, settings):
    settings.TONGBAN_CERTIFICATE_SEAL_PDF = False
    demo_org_load()
    demo_certificate_types_load()
    number = id_number("32010219900101123")
    user = identity_services.citizen_signup(
        phone="13800000001", password=PASSWORD, name="张三", id_number=number, username="zhangsan"
    )
    by_number = holder_from_codes(kind="person", code=number, name="张三")
    assert by_number.key == holder_of(person=user.person).key
    issued = certificate_issue(
        certificate_type="结婚证",
        holder_person=user.person,
        face={"registered_on": "2020-05-20"},
        issuing_department=Department.objects.get(name="南京市公安局"),
        valid_from=dt.date(2020, 5, 20),
    )
    assert issued.face_public["公民身份号码"] == user.person.id_number_masked  # type: ignore[union-attr]
    found = certificate_find_valid(
        type_name_or_code="结婚证", holder_person=user.person, today=dt.date(2026, 1, 1)
    )
    assert found == issued
