"""法人库 check of business accounts (issue 14, item 2): binding a business
account to a legal entity, and verifying the binding again, check the
统一社会信用代码 and the legal representative against the 市场主体登记信息;
a mismatch is refused with a stable code, audited, and nothing is bound."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.identity.models import AuthorizationRole, BusinessAuthorization, LegalEntity, User
from tongban.identity.services import person_register, token_create
from tongban.sharing.models import BusinessStatus
from tongban.sharing.services.legal_entities import (
    business_account_bind,
    business_account_verify,
)
from tongban.sharing.services.registries import business_put, population_put

from .conftest import make_credit_code, make_id

pytestmark = pytest.mark.django_db
PASSWORD = "Pw-12345678"
CODE = make_credit_code()
BIND = "/api/v1/identity/me/legal-entities"


def registered(*, code: str = CODE, representative_id: str | None = None, name: str = "张伟",
               status: str = BusinessStatus.IN_BUSINESS) -> None:  # fmt: skip
    rep = population_put(id_number=representative_id or make_id(), name=name)
    business_put(
        credit_code=code, name="南京通办信息科技有限公司", kind="有限责任公司",
        legal_representative=rep, legal_representative_name=name,
        established_on=dt.date(2015, 6, 18), registered_capital=Decimal("500"),
        business_scope="软件开发", address="南京市玄武区徐庄软件园8号",
        registration_authority="南京市市场监督管理局", status=status,
    )  # fmt: skip


@pytest.fixture
def boss(db) -> User:
    person = person_register(name="张伟", id_number=make_id(), phone="13800000001")
    return User.objects.create_user(
        "tb_boss", PASSWORD, kind="business", display_name="张*", person=person
    )


def test_a_business_account_binds_the_entity_the_registry_says_it_represents(boss):
    registered()
    authorization = business_account_bind(user=boss, credit_code=CODE.lower())
    assert authorization.role == "legal_representative" and authorization.user_id == boss.pk
    entity = LegalEntity.objects.get()
    # The name comes from the 法人库: nothing typed twice.
    assert entity.credit_code == CODE and entity.name == "南京通办信息科技有限公司"
    assert entity.legal_representative_id == boss.person_id
    event = AuditEvent.objects.get(action="identity.legal_entity.registry_checked")
    assert event.details["credit_code"] == CODE and event.details["for"] == "bind"


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("absent", "legal_entity_registry_mismatch"),
        ("other_person", "legal_entity_registry_mismatch"),
        ("same_name_other_number", "legal_entity_registry_mismatch"),
        ("revoked", "legal_entity_not_in_business"),
    ],
)
def test_a_binding_the_registry_does_not_confirm_is_refused_and_nothing_is_bound(boss, setup, code):
    if setup == "other_person":
        registered(representative_id=make_id(order="002"), name="李娜")
    elif setup == "same_name_other_number":
        registered(representative_id=make_id(order="003"))
    elif setup == "revoked":
        registered(status=BusinessStatus.REVOKED)
    with pytest.raises(DomainError) as exc:
        business_account_bind(user=boss, credit_code=CODE)
    assert exc.value.code == code
    assert not LegalEntity.objects.exists() and not BusinessAuthorization.objects.exists()
    refused = AuditEvent.objects.get(action="identity.legal_entity.registry_refused")
    assert refused.details["credit_code"] == CODE


def test_a_citizen_account_cannot_bind_an_entity(boss):
    registered()
    User.objects.filter(pk=boss.pk).update(kind="citizen")
    boss.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        business_account_bind(user=boss, credit_code=CODE)
    assert exc.value.code == "legal_entity_registry_mismatch"


def test_the_api_binds_after_the_check_and_refuses_with_problem_json(boss):
    _, token = token_create(user=boss, name="t")
    auth = {"Authorization": f"Bearer {token}"}
    refused = Client().post(
        BIND, {"credit_code": CODE}, content_type="application/json", headers=auth
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "legal_entity_registry_mismatch"
    assert not BusinessAuthorization.objects.exists()
    registered()
    response = Client().post(
        BIND, {"credit_code": CODE}, content_type="application/json", headers=auth
    )
    assert response.status_code == 201, response.content
    assert response.json()["legal_entities"] == [
        {"credit_code": CODE, "name": "南京通办信息科技有限公司", "role": "legal_representative"}
    ]
    again = Client().post(
        BIND, {"credit_code": CODE}, content_type="application/json", headers=auth
    )
    assert again.status_code == 409 and again.json()["code"] == "authorization_exists"
    assert BusinessAuthorization.objects.count() == 1


def test_verifying_again_catches_a_change_of_representative(boss):
    registered()
    business_account_bind(user=boss, credit_code=CODE)
    _, token = token_create(user=boss, name="t")
    auth = {"Authorization": f"Bearer {token}"}
    ok = Client().post(f"{BIND}/{CODE}/verify", headers=auth)
    assert ok.status_code == 200 and ok.json()["checked"] is True
    # The registry now records another legal representative.
    registered(representative_id=make_id(order="002"), name="李娜")
    changed = Client().post(f"{BIND}/{CODE}/verify", headers=auth)
    assert changed.status_code == 422
    assert changed.json()["code"] == "legal_entity_registry_mismatch"
    missing = Client().post(f"{BIND}/{make_credit_code('70000002')}/verify", headers=auth)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    with pytest.raises(DomainError):
        business_account_verify(user=boss, credit_code=CODE)


def test_the_space_binds_and_rechecks_with_clear_messages(client, boss):
    client.force_login(boss)
    space = client.get("/my/").content.decode()
    assert "data-bind-form" in space
    refused = client.post("/my/business/bind/", {"credit_code": CODE}, follow=True)
    assert "法人库中未找到该统一社会信用代码" in refused.content.decode()
    assert "legal_entity_registry_mismatch" in refused.content.decode()
    registered()
    response = client.post("/my/business/bind/", {"credit_code": CODE})
    assert response.status_code == 302 and response["Location"] == f"/my/business/{CODE}/"
    page = client.get(response["Location"]).content.decode()
    assert "法人库核验通过，已绑定“南京通办信息科技有限公司”" in page
    assert "data-registry-check" in page
    checked = client.post(f"/my/business/{CODE}/registry-check/", follow=True)
    assert "法人库核验一致" in checked.content.decode()
    registered(status=BusinessStatus.CANCELLED)
    checked = client.post(f"/my/business/{CODE}/registry-check/", follow=True)
    assert "登记状态为“注销”" in checked.content.decode()


# --- every account and authorization, not only the binding ------------------------


def _entity(person, code: str = CODE):
    from tongban.identity.services import legal_entity_register

    return legal_entity_register(
        credit_code=code, name="南京通办信息科技有限公司", legal_representative=person
    )


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("absent", "legal_entity_registry_mismatch"),
        ("other_person", "legal_entity_registry_mismatch"),
        ("cancelled", "legal_entity_not_in_business"),
    ],
)
def test_creating_a_business_account_checks_the_registry_and_leaves_nothing(setup, code):
    from tongban.identity.services import business_account_create

    zhang = person_register(name="张伟", id_number=make_id(), phone="13800000001")
    if setup == "other_person":
        registered(representative_id=make_id(order="002"), name="李娜")
    elif setup == "cancelled":
        registered(representative_id=make_id(), status=BusinessStatus.CANCELLED)
    entity = _entity(zhang)
    with pytest.raises(DomainError) as exc:
        business_account_create(
            username="zhang_boss", password=PASSWORD, person=zhang, legal_entity=entity,
            role=AuthorizationRole.LEGAL_REPRESENTATIVE,
        )  # fmt: skip
    assert exc.value.code == code
    assert not User.objects.filter(username="zhang_boss").exists()
    assert not BusinessAuthorization.objects.exists()
    refused = AuditEvent.objects.get(action="identity.legal_entity.registry_refused")
    assert refused.details["credit_code"] == CODE


def test_an_agent_is_granted_only_for_a_business_in_business_by_its_registered_representative():
    from tongban.identity.services import authorization_grant, business_account_create

    zhang = person_register(name="张伟", id_number=make_id(), phone="13800000001")
    li = person_register(name="李娜", id_number=make_id(order="002"), phone="13800000002")
    registered(representative_id=make_id())
    entity = _entity(zhang)
    boss = business_account_create(
        username="zhang_boss", password=PASSWORD, person=zhang, legal_entity=entity,
        role=AuthorizationRole.LEGAL_REPRESENTATIVE,
    )  # fmt: skip
    agent = business_account_create(
        username="li_agent", password=PASSWORD, person=li, legal_entity=entity, granted_by=boss
    )
    assert (
        BusinessAuthorization.objects.filter(user=agent, role=AuthorizationRole.AGENT).count() == 1
    )
    BusinessAuthorization.objects.filter(user=agent).delete()

    # The registry now records another legal representative: the former one may not grant.
    registered(representative_id=make_id(order="003"), name="王芳")
    with pytest.raises(DomainError) as exc:
        authorization_grant(
            user=agent, legal_entity=entity, role=AuthorizationRole.AGENT, granted_by=boss
        )
    assert exc.value.code == "legal_entity_registry_mismatch"
    assert "法人库登记的法定代表人已不是授权人本人" in exc.value.detail

    # Revoked (吊销): nobody is granted anything for it, not even by staff.
    registered(representative_id=make_id(), status=BusinessStatus.REVOKED)
    with pytest.raises(DomainError) as exc:
        authorization_grant(
            user=agent, legal_entity=entity, role=AuthorizationRole.AGENT, granted_by=None
        )
    assert exc.value.code == "legal_entity_not_in_business"
    assert not BusinessAuthorization.objects.filter(user=agent).exists()
    assert AuditEvent.objects.filter(action="identity.legal_entity.registry_refused").count() == 2


def test_without_the_registry_nothing_is_granted():
    from tongban.identity.registry import registry_lookup_register, registry_lookup_unregister
    from tongban.identity.services import business_account_create
    from tongban.sharing.services.legal_entities import business_registry_entry

    zhang = person_register(name="张伟", id_number=make_id(), phone="13800000001")
    registered(representative_id=make_id())
    entity = _entity(zhang)
    registry_lookup_unregister()
    try:
        with pytest.raises(DomainError) as exc:
            business_account_create(
                username="zhang_boss", password=PASSWORD, person=zhang, legal_entity=entity,
                role=AuthorizationRole.LEGAL_REPRESENTATIVE,
            )  # fmt: skip
    finally:
        registry_lookup_register(business_registry_entry)
    assert exc.value.code == "legal_entity_registry_unavailable"
    assert not User.objects.filter(username="zhang_boss").exists()
