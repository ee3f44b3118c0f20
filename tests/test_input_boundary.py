"""Issue 9, item 1: a lone surrogate or a control character never gets stored.

The probe's attack: ``POST /api/v1/cases`` with a form text field ``"a\\ud800b"``
(a raw JSON escape) was stored, and every page showing the case then
answered 500. The one input boundary (``core.middleware.input``) refuses it,
for the API and for the pages' forms alike. Across apps, so it lives here.
"""

from __future__ import annotations

import base64
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.support.cases import PASSWORD, PDF, department_named, id_number
from tongban.cases.models import Case
from tongban.catalog import services as catalog_services
from tongban.catalog.models import ServiceItem
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.identity import services as identity_services
from tongban.identity.models import Person, User
from tongban.org.demo import demo_org_load

pytestmark = pytest.mark.django_db
CASES = "/api/v1/cases"


@pytest.fixture
def item() -> ServiceItem:
    demo_org_load()
    basic = catalog_services.basic_item_create(
        code="010100100000",
        name="食品经营许可证核发",
        item_type="01",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        levels="234",
    )
    return catalog_services.guide_load_published(
        basic_item=basic,
        department=department_named("320100", "市场监督管理局"),
        content=valid_guide(
            audience=["person", "legal_entity"],
            form=[
                {"code": "applicant_name", "label": "申请人名称"},
                {"code": "phone", "label": "联系电话", "type": "phone"},
                {"code": "shop_name", "label": "店铺名称"},
            ],
        ),
    )


@pytest.fixture
def citizen() -> User:
    return identity_services.citizen_signup(
        phone="13800000001",
        password=PASSWORD,
        name="张三",
        id_number=id_number("32010219900101123"),
        username="zhangsan",
    )


def case_body(item: ServiceItem, shop_name: str) -> str:
    """The JSON text of a submission; ``shop_name`` (a free text field) is spliced
    in as written, so that ``\\ud800`` reaches the server as the escape the probe
    sent."""
    body = {
        "implementation_code": item.implementation_code,
        "channel": "online",
        "applicant": {"kind": "person"},
        "form": {"applicant_name": "张三", "phone": "13800000001", "shop_name": "@NAME@"},
        "materials": [
            {
                "code": "application",
                "kind": "upload",
                "file_base64": base64.b64encode(PDF).decode(),
                "file_name": "申请书.pdf",
            },
            {"code": "layout", "kind": "deferred"},
        ],
    }
    return json.dumps(body, ensure_ascii=False).replace("@NAME@", shop_name)


def as_citizen(citizen: User) -> Client:
    client = Client()
    client.force_login(citizen)
    return client


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    payload = response.json()
    assert payload["code"] == code, payload
    return payload


def test_the_same_body_with_a_plain_name_is_stored(item, citizen):
    # The control: the body is otherwise valid, so a refusal below is the boundary's.
    response = as_citizen(citizen).post(
        CASES, case_body(item, "张三"), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    "name",
    [
        r"a\ud800b",  # the probe: a lone high surrogate
        r"a\udc00b",  # a lone low surrogate
        r"a\ud800\u0041",  # a high surrogate followed by a non-surrogate escape
        r"a\u0001b",  # C0 control, escaped
        r"a\u0085b",  # C1 control (NEL), escaped
        r"a\bb",  # backspace written short
        "a\u0085b",  # C1 control, raw
        "a\x7fb",  # DEL, raw
    ],
)
def test_a_case_body_with_a_forbidden_character_is_refused_and_nothing_is_stored(
    item, citizen, name
):
    response = as_citizen(citizen).post(
        CASES, case_body(item, name), content_type="application/json"
    )
    payload = problem(response, 400, "malformed_request")
    assert "无法处理" in payload["detail"]
    assert Case.objects.count() == 0


@pytest.mark.parametrize("name", [r"a\ud83d\ude00b", r"a\tb\nc\r"])
def test_a_surrogate_pair_and_tab_newline_are_text(item, citizen, name):
    response = as_citizen(citizen).post(
        CASES, case_body(item, name), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    stored = Case.objects.get().form_data["shop_name"]
    stored.encode("utf-8")  # renders: no lone surrogate


def test_an_escaped_backslash_before_u_is_not_an_escape(item, citizen):
    # "a\\ud800" is the six characters \ud800 after a literal backslash.
    response = as_citizen(citizen).post(
        CASES, case_body(item, r"a\\ud800"), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert Case.objects.get().form_data["shop_name"] == "a\\ud800"


def test_a_portal_application_form_with_a_control_character_is_refused(client, item, citizen):
    client.force_login(citizen)
    url = reverse("portal:case_apply", args=[item.implementation_code]) + "?q_q1=no"
    response = client.post(
        url,
        {
            "situation": "",
            "q_q1": "no",
            "f_applicant_name": "张三",
            "f_phone": "13800000001",
            "f_shop_name": "小\x01店",
            "m_application": SimpleUploadedFile("申请书.pdf", PDF, "application/pdf"),
            "defer_layout": "on",
        },
    )
    assert response.status_code == 400
    assert "控制字符 U+0001" in response.content.decode()
    assert Case.objects.count() == 0


def test_a_portal_form_with_an_encoded_surrogate_is_refused(client):
    # U+D800 encoded as UTF-8 bytes: not UTF-8 at all.
    response = client.post(
        reverse("portal:signup"),
        "phone=138%ED%A0%8000000001",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "无效的 UTF-8" in response.content.decode()
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    "query", ["q=a%01b", "q=a%C2%85b", "q=%ED%A0%80", "q=a%7Fb", "q=%FF"], ids=repr
)
def test_a_query_with_a_forbidden_character_is_refused(client, query):
    problem(client.get(f"/api/v1/catalog/items?{query}"), 400, "malformed_request")
    assert client.get(f"/services/?{query}").status_code == 400


def test_a_query_with_tab_or_newline_or_chinese_is_fine(client):
    assert client.get("/api/v1/catalog/items", {"q": "营业\t执照\n"}).status_code == 200
