"""Real-name levels L2 (自然人库) and L3 (window clerk saw the ID card), issue 14 item 2."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.core import clock
from tongban.core.crypto import encrypt
from tongban.core.errors import DomainError
from tongban.core.masking import mask_id_number
from tongban.core.models import AuditEvent
from tongban.identity.models import RealNameLevel, RealNameMethod, RealNameVerification, User
from tongban.identity.selectors import ID_NUMBER_CONTEXT, person_real_name_level
from tongban.identity.services import staff_account_create, token_create
from tongban.identity.services.real_name import real_name_in_person_verify
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, Role, Window
from tongban.org.services import staff_assign
from tongban.sharing.models import PopulationRecord
from tongban.sharing.services.real_name import real_name_verify_with_registry

from .conftest import make_id

pytestmark = pytest.mark.django_db
VERIFY = "/api/v1/identity/me/real-name/verify"


def _in_registry(user: User, *, name: str | None = None, deceased: bool = False) -> None:
    person = user.person
    assert person is not None
    number = make_id()  # the citizen fixture's number
    PopulationRecord.objects.create(
        id_number_enc=encrypt(number, context=ID_NUMBER_CONTEXT),
        id_number_token=person.id_number_token,
        id_number_masked=mask_id_number(number),
        name=name or person.name,
        sex=person.sex,
        birth_date=person.birth_date,
        deceased_on=person.birth_date if deceased else None,
        updated_at=clock.now(),
    )


def _clerk(*, role: str = Role.WINDOW_CLERK, at_window: bool = True) -> User:
    demo_org_load()
    department = Department.objects.get(name="南京市市场监督管理局")
    window = Window.objects.filter(hall__region__code__startswith="3201").first()
    clerk = staff_account_create(
        username=f"clerk_{role}", display_name="窗口", password="Pw-1234567"
    )
    staff_assign(
        user_id=clerk.pk,
        role=role,
        department=department,
        region_scope=department.region,
        window=window if at_window else None,
    )
    return clerk


# --- L2: the 自然人库 confirms name and ID number ------------------------------


def test_the_population_registry_confirming_name_and_number_raises_to_level_two(citizen):
    _in_registry(citizen)
    record = real_name_verify_with_registry(user=citizen)
    citizen.refresh_from_db()
    assert citizen.real_name_level == RealNameLevel.L2
    assert record.level == 2 and record.previous_level == 1
    assert record.method == RealNameMethod.REGISTRY and "自然人库" in record.source
    assert record.verified_at is not None and record.clerk is None
    event = AuditEvent.objects.get(action="identity.real_name.raise")
    assert event.details["to_level"] == 2 and event.details["method"] == "registry"
    assert person_real_name_level(citizen.person) == 2


@pytest.mark.parametrize(
    "registry", ["missing", "other_name", "deceased"], ids=["not_found", "mismatch", "deceased"]
)
def test_a_registry_that_does_not_confirm_leaves_level_one_and_is_audited(citizen, registry):
    if registry == "other_name":
        _in_registry(citizen, name="张三")
    elif registry == "deceased":
        _in_registry(citizen, deceased=True)
    with pytest.raises(DomainError) as exc:
        real_name_verify_with_registry(user=citizen)
    assert exc.value.code == "real_name_registry_mismatch"
    citizen.refresh_from_db()
    assert citizen.real_name_level == RealNameLevel.L1
    assert not RealNameVerification.objects.exists()
    assert AuditEvent.objects.filter(action="identity.real_name.registry_refused").count() == 1


def test_registry_check_never_lowers_a_level_three_account(citizen):
    User.objects.filter(pk=citizen.pk).update(real_name_level=RealNameLevel.L3)
    citizen.refresh_from_db()
    _in_registry(citizen)
    record = real_name_verify_with_registry(user=citizen)
    citizen.refresh_from_db()
    assert citizen.real_name_level == 3 and record.level == 3


def test_the_citizen_verifies_her_own_account_through_the_api(citizen):
    _in_registry(citizen)
    _, token = token_create(user=citizen, name="t")
    response = Client().post(VERIFY, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert response.json()["real_name_level"] == 2
    assert "自然人库" in response.json()["real_name_level_label"]
    assert RealNameVerification.objects.get().user_id == citizen.pk


def test_the_api_refuses_an_unconfirmed_citizen_with_a_stable_code(citizen):
    _, token = token_create(user=citizen, name="t")
    response = Client().post(VERIFY, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 422
    assert response.json()["code"] == "real_name_registry_mismatch"
    assert not RealNameVerification.objects.exists()


def test_the_api_refuses_anonymous_and_staff(citizen):
    assert Client().post(VERIFY).status_code == 401
    clerk = _clerk()
    _, token = token_create(user=clerk, name="t")
    response = Client().post(VERIFY, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    with pytest.raises(DomainError) as refused:  # the service itself refuses, whoever calls
        real_name_verify_with_registry(user=clerk)
    assert refused.value.code == "permission_denied"
    assert not RealNameVerification.objects.exists()


# --- L3: a window clerk saw the ID card ---------------------------------------


def test_a_window_clerk_who_saw_the_id_card_raises_to_level_three(citizen):
    clerk = _clerk()
    record = real_name_in_person_verify(clerk=clerk, user=citizen, id_number=make_id())
    citizen.refresh_from_db()
    assert citizen.real_name_level == RealNameLevel.L3
    assert record.method == RealNameMethod.IN_PERSON
    assert record.clerk == clerk
    assert record.department is not None
    assert record.department.name == "南京市市场监督管理局"
    assert record.hall is not None
    event = AuditEvent.objects.get(action="identity.real_name.raise")
    assert event.actor == f"user:{clerk.pk}"
    assert event.details["to_level"] == 3 and event.details["hall"] == record.hall_id


def test_only_a_window_clerk_may_record_an_in_person_check(citizen):
    reviewer = _clerk(role=Role.REVIEWER)
    with pytest.raises(DomainError) as exc:
        real_name_in_person_verify(clerk=reviewer, user=citizen, id_number=make_id())
    assert exc.value.code == "real_name_clerk_forbidden"
    citizen.refresh_from_db()
    assert citizen.real_name_level == RealNameLevel.L1
    assert not RealNameVerification.objects.exists()


@pytest.mark.parametrize("card", [make_id(order="002"), "1234", ""])
def test_an_id_card_that_is_not_the_accounts_is_refused(citizen, card):
    clerk = _clerk()
    with pytest.raises(DomainError) as exc:
        real_name_in_person_verify(clerk=clerk, user=citizen, id_number=card)
    assert exc.value.code == "real_name_id_card_mismatch"
    citizen.refresh_from_db()
    assert citizen.real_name_level == RealNameLevel.L1
    assert not RealNameVerification.objects.exists()


IN_PERSON = "/api/v1/identity/real-name/in-person"


def test_a_clerk_records_the_id_card_at_the_window_through_the_api(citizen):
    clerk = _clerk()
    _, token = token_create(user=clerk, name="t")
    response = Client().post(
        IN_PERSON,
        {"id_number": make_id()},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["real_name_level"] == 3 and body["accounts"] == 1
    assert body["department"] == "南京市市场监督管理局" and body["hall"]
    citizen.refresh_from_db()
    assert citizen.real_name_level == RealNameLevel.L3
    assert RealNameVerification.objects.get().clerk_id == clerk.pk


@pytest.mark.parametrize(
    ("who", "number", "status", "code"),
    [
        ("citizen", make_id(), 403, "real_name_clerk_forbidden"),
        ("clerk", "not-a-number", 422, "real_name_id_card_mismatch"),
        ("clerk", make_id(order="003"), 422, "real_name_no_person"),
    ],
    ids=["citizen_is_no_clerk", "bad_number", "no_account"],
)
def test_the_window_api_refuses_bad_input_with_stable_codes(citizen, who, number, status, code):
    actor = citizen if who == "citizen" else _clerk()
    _, token = token_create(user=actor, name="t")
    response = Client().post(
        IN_PERSON,
        {"id_number": number},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    citizen.refresh_from_db()
    assert citizen.real_name_level == RealNameLevel.L1
    assert not RealNameVerification.objects.exists()
