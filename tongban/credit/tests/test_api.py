"""The credit API: each write checked in the response and in the rows written."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from tongban.core.identifiers import generate_credit_code
from tongban.credit.models import CreditRepair, ListEntry, Penalty
from tongban.credit.tests.conftest import entity_code, make_lists
from tongban.identity.models import AuthorizationRole
from tongban.identity.services import (
    business_account_create,
    legal_entity_register,
    person_register,
    staff_account_create,
    token_create,
)
from tongban.org.models import Role
from tongban.org.services import staff_assign
from tongban.sharing.demo import demo_business_registered

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    world = make_lists()
    head = staff_account_create(username="head", display_name="局长", password="Pw-12345678")
    staff_assign(user_id=head.pk, role=Role.DEPARTMENT_HEAD, department=world.market,
                 region_scope=world.market.region)  # fmt: skip
    other = staff_account_create(username="gz_head", display_name="赣州", password="Pw-12345678")
    staff_assign(user_id=other.pk, role=Role.DEPARTMENT_HEAD, department=world.other,
                 region_scope=world.other.region)  # fmt: skip
    person = person_register(name="张伟", id_number="11010519491231002X", phone="13800000001")
    entity = legal_entity_register(
        credit_code=generate_credit_code("9132010270000001"), name="南京张记餐饮有限公司",
        legal_representative=person,
    )  # fmt: skip
    demo_business_registered(entity)  # every authorization is checked against the 法人库
    business = business_account_create(
        username="zhangji", password="Pw-12345678", person=person, legal_entity=entity,
        role=AuthorizationRole.LEGAL_REPRESENTATIVE,
    )  # fmt: skip
    tokens = {u.username: token_create(user=u, name="t")[1] for u in (head, other, business)}

    def call(method, path, user=None, **body):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[user]}"} if user else {}
        fn = getattr(client, method)
        if method == "get":
            return fn(f"/api/v1/credit{path}", **headers)
        return fn(f"/api/v1/credit{path}", body, content_type="application/json", **headers)

    call.world = world  # type: ignore[attr-defined]
    call.entity = entity  # type: ignore[attr-defined]
    return call


def test_a_penalty_needs_its_number_and_basis_and_stays_in_its_department(api):
    body = {
        "department_id": api.world.market.pk, "decision_no": "", "legal_basis": "",
        "subject_kind": "entity", "subject_code": entity_code(21), "subject_name": "某公司",
        "facts": "无证经营", "kind": "fine", "amount_fen": 100000, "decided_on": "2026-10-01",
    }  # fmt: skip
    refused = api("post", "/penalties", "head", **body)
    assert refused.status_code == 422 and refused.json()["code"] == "penalty_invalid"
    assert "处罚决定书文号" in refused.json()["detail"]
    assert not Penalty.objects.exists()
    numbered = body | {"decision_no": "X", "legal_basis": "Y"}
    elsewhere = api("post", "/penalties", "gz_head", **numbered)
    assert elsewhere.status_code == 422 and not Penalty.objects.exists()
    made = api(
        "post", "/penalties", "head", **body | {"decision_no": "宁1号", "legal_basis": "某法"}
    )
    assert made.status_code == 201 and made.json()["amount_fen"] == 100000
    assert Penalty.objects.get().record.subject_code == entity_code(21)
    public = api("get", f"/subjects/{entity_code(21)}")
    assert public.json()["credit_class"] == "B" and public.json()["penalties"][0]["decision_no"]
    junk = api("post", "/penalties/import", "head", department_id=api.world.market.pk,
               content_base64=base64.b64encode(b"junk").decode())  # fmt: skip
    assert junk.status_code == 422 and junk.json()["code"] == "penalty_import_invalid"


def test_listing_past_validity_repair_not_listed_then_listed_repaired_and_reviewed(api):
    code = api.entity.credit_code
    entry = {"subject_kind": "entity", "subject_code": code, "reason": "虚假材料",
             "legal_basis": "某条", "valid_until": "2020-01-01"}  # fmt: skip
    past = api("post", "/lists/serious-dishonest/entries", "head", **entry)
    assert past.status_code == 422 and past.json()["code"] == "credit_list_entry_expired"
    repair = {"subject_code": code, "reason": "已整改", "evidence": "报告"}
    unlisted = api("post", "/repairs", "zhangji", **repair)
    assert unlisted.status_code == 422 and unlisted.json()["code"] == "credit_repair_not_listed"
    assert not ListEntry.objects.exists() and not CreditRepair.objects.exists()
    valid = (dt.date.today() + dt.timedelta(days=300)).isoformat()
    listed = api(
        "post", "/lists/serious-dishonest/entries", "head", **entry | {"valid_until": valid}
    )
    assert listed.status_code == 201 and listed.json()["subject_code"] == code
    other = api("post", "/lists/serious-dishonest/entries", "gz_head", **entry)
    assert other.status_code == 404  # another city's staff do not keep this list
    shown = api("get", "/lists/serious-dishonest/entries").json()
    assert [e["subject_code"] for e in shown] == [code]
    applied = api("post", "/repairs", "zhangji", **repair)
    assert applied.status_code == 201
    repair_id = applied.json()[0]["id"]
    assert api("get", "/repairs", "gz_head").json() == []
    done = api("post", f"/repairs/{repair_id}/review", "head", approve=True, note="整改到位")
    assert done.status_code == 200 and done.json()["removed_on"]
    assert ListEntry.objects.get().status == "removed"
    again = api("post", f"/repairs/{repair_id}/review", "head", approve=True, note="")
    assert again.status_code == 409 and again.json()["code"] == "credit_repair_invalid_state"
    assert api("get", "/lists/serious-dishonest/entries").json() == []
