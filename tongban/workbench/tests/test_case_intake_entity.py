"""窗口收件 for a legal entity (法人申请): the entity by its 统一社会信用代码,
registered at the window when unknown, and the 经办人 present at the window."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongban.cases.models import Case
from tongban.core.identifiers import generate_credit_code
from tongban.identity import services as identity_services
from tongban.identity.models import LegalEntity, Person
from tongban.workbench.intake_views import SESSION_ENTITY, SESSION_PERSON

from .test_case_pages import PDF, ZHANG_ID, CaseSeed, case_url, id_number, seed_cases, text

pytestmark = pytest.mark.django_db

INTAKE = reverse("workbench:case_intake")
COMPANY = "南京通办食品有限公司"
AGENT_ID = "32010219880808456"  # first 17 characters of 李经办's ID number


def credit_code(body: str = "70000001") -> str:
    return generate_credit_code("91320100" + body)


@pytest.fixture
def seed() -> CaseSeed:
    return seed_cases()


@pytest.fixture
def company(seed) -> LegalEntity:
    return identity_services.legal_entity_register(
        credit_code=credit_code(), name=COMPANY, legal_representative=seed.citizen.person
    )


@pytest.fixture
def agent(seed) -> Person:
    return identity_services.person_register(
        name="李经办", id_number=id_number(AGENT_ID), phone="13900000008"
    )


@pytest.fixture
def clerk(client, seed):
    client.force_login(seed.clerk)
    return client


def submit(client, seed: CaseSeed, code: str = "", name: str = COMPANY):
    url = INTAKE + f"?item={seed.food.implementation_code}"
    return client.post(
        url,
        {
            "step": "submit",
            "item": seed.food.implementation_code,
            "situation": "",
            "f_applicant_name": name,
            "f_credit_code": code or credit_code(),
            "paper_application": "on",
            "m_layout": SimpleUploadedFile("图.pdf", PDF, "application/pdf"),
        },
    )


def test_the_clerk_chooses_a_legal_entity_applicant_and_keeps_the_chosen_item(clerk, seed):
    body = text(clerk.get(INTAKE, {"item": seed.food.implementation_code}))
    assert 'aria-label="申请人类型"' in body
    assert 'name="step" value="person"' in body  # 个人 by default
    tab = f"{INTAKE}?item={seed.food.implementation_code}&amp;applicant=entity"
    assert f'href="{tab}"' in body
    body = text(clerk.get(INTAKE, {"item": seed.food.implementation_code, "applicant": "entity"}))
    assert 'name="step" value="entity"' in body
    assert '<label for="id_credit_code">统一社会信用代码</label>' in body
    assert '<label for="id_agent-id_number">经办人公民身份号码</label>' in body
    assert "单位名称" not in body  # asked only when the entity is unknown


def test_a_known_entity_and_a_known_agent_make_a_window_case(clerk, seed, company, agent):
    response = clerk.post(
        INTAKE + "?applicant=entity",
        {"step": "entity", "credit_code": f" {company.credit_code.lower()} ",
         "agent-id_number": id_number(AGENT_ID)},
    )  # fmt: skip
    assert response.status_code == 302
    assert clerk.session[SESSION_ENTITY] == company.pk
    assert clerk.session[SESSION_PERSON] == agent.pk
    page = text(clerk.get(INTAKE, {"item": seed.food.implementation_code}))
    assert COMPANY in page
    assert company.credit_code in page  # public: shown in full
    assert "李经办" in page
    assert agent.id_number_masked in page
    assert id_number(AGENT_ID) not in page
    assert "张三" in page  # 法定代表人

    response = submit(clerk, seed)

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == case_url(case)
    assert case.applicant_entity == company
    assert case.agent_person == agent
    assert case.applicant_person is None
    assert case.applicant_name == COMPANY
    assert case.channel == "window"
    assert case.submitted_by == seed.clerk
    assert SESSION_ENTITY not in clerk.session
    assert SESSION_PERSON not in clerk.session


def test_an_unknown_entity_is_registered_at_the_window_with_its_representative(clerk, seed):
    code = credit_code("70000009")
    agent_id, representative_id = id_number(AGENT_ID), id_number("32010219700101551")
    data = {"step": "entity", "credit_code": code, "agent-id_number": agent_id}
    response = clerk.post(INTAKE, data)
    assert response.status_code == 200  # asked for more, nothing wrong yet
    body = text(response)
    assert "系统中没有该统一社会信用代码的登记信息" in body
    assert "系统中没有该经办人的登记信息" in body
    assert '<label for="id_entity_name">单位名称</label>' in body
    assert '<label for="id_rep-id_number">法定代表人公民身份号码</label>' in body
    assert '<label for="id_agent-name">经办人姓名</label>' in body
    assert "field-error" not in body

    data |= {"entity_name": "  南京新办 餐饮有限公司 ", "rep-id_number": representative_id,
             "agent-name": "李经办", "agent-phone": "13900000008"}  # fmt: skip
    response = clerk.post(INTAKE, data)
    assert response.status_code == 200
    body = text(response)
    assert "系统中没有该法定代表人的登记信息" in body
    assert '<label for="id_rep-name">法定代表人姓名</label>' in body
    assert not LegalEntity.objects.exists()

    data["rep-name"] = "赵法人"
    response = clerk.post(INTAKE, data)

    assert response.status_code == 302
    entity = LegalEntity.objects.get()
    assert entity.credit_code == code
    assert entity.name == "南京新办 餐饮有限公司"
    assert entity.legal_representative.name == "赵法人"
    assert clerk.session[SESSION_ENTITY] == entity.pk
    assert clerk.session[SESSION_PERSON] == Person.objects.get(name="李经办").pk
    assert submit(clerk, seed, code).status_code == 302
    case = Case.objects.get()
    assert case.applicant_entity == entity
    assert case.agent_person is not None and case.agent_person.name == "李经办"


def test_an_entity_needs_both_its_name_and_its_representative(clerk, seed, agent):
    code = credit_code("70000009")
    response = clerk.post(
        INTAKE,
        {"step": "entity", "credit_code": code, "rep-id_number": id_number(ZHANG_ID),
         "agent-id_number": id_number(AGENT_ID)},
    )  # fmt: skip
    assert response.status_code == 422
    assert "请填写单位名称" in text(response)
    response = clerk.post(
        INTAKE,
        {"step": "entity", "credit_code": code, "entity_name": COMPANY,
         "agent-id_number": id_number(AGENT_ID)},
    )  # fmt: skip
    assert response.status_code == 422
    assert "请输入法定代表人公民身份号码" in text(response)
    assert not LegalEntity.objects.exists()
    assert SESSION_ENTITY not in clerk.session


def test_an_invalid_credit_code_is_refused_in_chinese(clerk, seed, agent):
    good = credit_code()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = clerk.post(
        INTAKE + f"?item={seed.food.implementation_code}",
        {"step": "entity", "credit_code": bad, "entity_name": COMPANY,
         "rep-id_number": id_number(ZHANG_ID), "agent-id_number": id_number(AGENT_ID)},
    )  # fmt: skip
    assert response.status_code == 422
    body = text(response)
    assert "统一社会信用代码无效：" in body
    assert 'role="alert"' in body
    assert not LegalEntity.objects.exists()
    assert SESSION_ENTITY not in clerk.session
    assert submit(clerk, seed).status_code == 422
    assert not Case.objects.exists()


def test_a_name_that_differs_from_the_register_is_refused(clerk, seed, company, agent):
    response = clerk.post(
        INTAKE,
        {"step": "entity", "credit_code": company.credit_code, "entity_name": "南京别名有限公司",
         "rep-id_number": id_number(ZHANG_ID), "agent-id_number": id_number(AGENT_ID)},
    )  # fmt: skip
    assert response.status_code == 422
    body = text(response)
    assert "名称与统一社会信用代码登记的名称不一致" in body
    assert f"登记的名称为“{COMPANY}”" in body
    assert SESSION_ENTITY not in clerk.session
    company.refresh_from_db()
    assert company.name == COMPANY


def test_a_bad_phone_for_a_new_agent_is_a_form_error(clerk, seed, company):
    response = clerk.post(
        INTAKE,
        {"step": "entity", "credit_code": company.credit_code,
         "agent-id_number": id_number(AGENT_ID), "agent-name": "李经办", "agent-phone": "123"},
    )  # fmt: skip
    assert response.status_code == 422
    assert 'id="id_agent-phone_error"' in text(response)
    assert not Person.objects.filter(name="李经办").exists()


def test_changing_the_applicant_clears_the_entity(clerk, seed, company, agent):
    chosen = {"step": "entity", "credit_code": company.credit_code,
              "agent-id_number": id_number(AGENT_ID)}  # fmt: skip
    clerk.post(INTAKE, chosen)
    assert clerk.session[SESSION_ENTITY] == company.pk
    response = clerk.post(INTAKE, {"step": "reset"})
    assert response.status_code == 302
    assert SESSION_ENTITY not in clerk.session
    assert SESSION_PERSON not in clerk.session
    assert 'name="step" value="person"' in text(clerk.get(INTAKE))

    clerk.post(INTAKE, chosen)
    clerk.post(INTAKE, {"step": "person", "id_number": id_number(ZHANG_ID)})
    assert SESSION_ENTITY not in clerk.session  # 张三 applies for himself now
    assert submit(clerk, seed, name=seed.citizen.person.name).status_code == 302
    case = Case.objects.get()
    assert case.applicant_person == seed.citizen.person
    assert case.applicant_entity is None
    assert case.agent_person is None
