"""窗口收件 does not make the clerk retype what the platform knows (issue 20,
item 3; R-PL-2): once the applicant is found, the fields the identity registry
answers and the field the situation answers are shown read-only with their
source, and the case gets the registered values."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.support.cases import department_named
from tongban.cases.models import Case
from tongban.cases.services.forms import case_form_values
from tongban.catalog import services as catalog_services
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.identity import services as identity_services

from .test_case_intake_entity import AGENT_ID, COMPANY, credit_code
from .test_case_pages import ZHANG_ID, id_number, seed_cases, text

pytestmark = pytest.mark.django_db

INTAKE = reverse("workbench:case_intake")


@pytest.fixture
def seed():
    return seed_cases()


@pytest.fixture
def setup_item(seed):
    basic = catalog_services.basic_item_create(
        code="010100200000",
        name="企业设立登记",
        item_type="01",
        legal_basis="《中华人民共和国市场主体登记管理条例》第三条",
        levels="234",
    )
    guide = valid_guide(
        name="企业设立登记",
        audience=["person", "legal_entity"],
        situations=[
            {"code": "agent", "name": "委托代理人办理"},
            {"code": "llc", "name": "有限责任公司"},
            {"code": "sole", "name": "个人独资"},
        ],
        questions=[
            {
                "code": "q_type",
                "text": "您要设立的企业类型是？",
                "options": [
                    {"code": "a_llc", "label": "有限责任公司", "situation": "llc"},
                    {"code": "a_sole", "label": "个人独资企业", "situation": "sole"},
                ],
            }
        ],
        form=[
            {"code": "entity_name", "label": "单位（企业）名称"},
            {"code": "credit_code", "label": "统一社会信用代码", "type": "credit_code"},
            {"code": "entity_type", "label": "企业类型", "type": "select",
             "options": ["有限责任公司", "个人独资企业"], "question": "q_type"},
            {"code": "legal_rep_name", "label": "法定代表人（负责人）姓名"},
            {"code": "legal_rep_id_number", "label": "法定代表人身份证件号码",
             "type": "id_number"},
            {"code": "contact_name", "label": "经办人姓名"},
            {"code": "registered_capital", "label": "注册资本（万元）", "type": "number",
             "min_value": 0},
        ],
    )  # fmt: skip
    return catalog_services.guide_load_published(
        basic_item=basic, department=department_named("320100", "市场监督管理局"), content=guide
    )


def test_an_entity_found_by_credit_code_is_not_typed_again(client, seed, setup_item):
    company = identity_services.legal_entity_register(
        credit_code=credit_code(), name=COMPANY, legal_representative=seed.citizen.person
    )
    identity_services.person_register(
        name="李经办", id_number=id_number(AGENT_ID), phone="13900000008"
    )
    client.force_login(seed.clerk)
    client.post(
        INTAKE + "?applicant=entity",
        {"step": "entity", "credit_code": company.credit_code,
         "agent-id_number": id_number(AGENT_ID)},
    )  # fmt: skip
    query = {"item": setup_item.implementation_code, "situation": "llc"}
    body = text(client.get(INTAKE, query))
    for asked_again in ("f_entity_name", "f_credit_code", "f_legal_rep_name",
                        "f_legal_rep_id_number", "f_contact_name", "f_entity_type"):  # fmt: skip
        assert f'name="{asked_again}"' not in body, asked_again
    assert 'name="f_registered_capital"' in body
    assert "来源：法人登记信息" in body and "来源：所选情形" in body
    assert seed.citizen.person.id_number_masked in body
    assert id_number(ZHANG_ID) not in body  # the representative's ID shown masked

    response = client.post(
        INTAKE + f"?item={setup_item.implementation_code}&situation=llc",
        {"step": "submit", "item": setup_item.implementation_code, "situation": "llc",
         "f_registered_capital": "100", "f_entity_name": "别的公司",
         "paper_application": "on", "defer_layout": "on", "paper_layout": "on"},
    )  # fmt: skip
    assert response.status_code == 302, text(response)
    values = case_form_values(Case.objects.get())
    assert values["entity_name"] == COMPANY  # the register's, not what was posted
    assert values["credit_code"] == company.credit_code
    assert values["legal_rep_name"] == "张三"
    assert values["legal_rep_id_number"] == id_number(ZHANG_ID)
    assert values["contact_name"] == "李经办"
    assert values["entity_type"] == "有限责任公司"


def test_a_person_found_by_id_number_is_not_asked_name_and_id_again(client, seed):
    client.force_login(seed.clerk)
    client.post(INTAKE, {"step": "person", "id_number": id_number(ZHANG_ID)})
    body = text(client.get(INTAKE, {"item": seed.food.implementation_code}))
    assert 'name="f_applicant_name"' not in body
    assert "来源：人口信息（已核验身份）" in body
