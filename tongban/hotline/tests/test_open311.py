"""Open311 GeoReport v2 conformance, written from the specification
(wiki.open311.org/GeoReport_v2): resources with their format extension, the
required fields of each response, W3C datetimes, JSON and XML, and the error
array with its HTTP status (400 bad request, 403 bad api_key, 404 not found)."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest
from django.test import Client

from tongban.hotline.models import WorkOrder
from tongban.identity.services import token_create

W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z)$")
SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
BASE = "/open311/v2"


def parse_xml(content: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(content)  # noqa: S314  # our own server's answer


@pytest.fixture
def api_key(world):
    return token_create(user=world.operator, name="open311")[1]


def create(api_key, fmt="json", **params):
    data = {
        "api_key": api_key,
        "service_code": "CG04",
        "lat": "32.05",
        "long": "118.78",
        "description": "路灯不亮已经一周",
        "phone": "13800138000",
        **params,
    }
    return Client().post(f"{BASE}/requests.{fmt}", data)


def assert_errors(answer, status):
    assert answer.status_code == status
    body = answer.json()
    assert isinstance(body, list) and body
    assert body[0]["code"] == status and body[0]["description"]


def test_services_list_has_the_required_fields(world):
    answer = Client().get(f"{BASE}/services.json")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/json")
    services = answer.json()
    assert services and all(set(s) >= SERVICE_FIELDS for s in services)
    assert all(s["type"] in {"realtime", "batch", "blackbox"} for s in services)
    assert all(isinstance(s["metadata"], bool) for s in services)
    assert "CG04" in {s["service_code"] for s in services}


def test_services_list_in_xml(world):
    answer = Client().get(f"{BASE}/services.xml")
    assert answer.status_code == 200 and "xml" in answer["Content-Type"]
    root = parse_xml(answer.content)
    assert root.tag == "services"
    first = root.find("service")
    assert first is not None and first.findtext("metadata") in {"true", "false"}


def test_a_service_definition_lists_its_attributes(world):
    body = Client().get(f"{BASE}/services/CG04.json").json()
    assert body["service_code"] == "CG04"
    for attribute in body["attributes"]:
        assert {
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
        } <= set(attribute)
        assert attribute["datatype"] in {
            "string",
            "number",
            "datetime",
            "text",
            "singlevaluelist",
            "multivaluelist",
        }
    root = parse_xml(Client().get(f"{BASE}/services/CG04.xml").content)
    assert root.tag == "service_definition" and root.find("attributes/attribute") is not None


def test_an_unknown_service_is_404_with_the_error_array(world):
    assert_errors(Client().get(f"{BASE}/services/NOPE.json"), 404)
    root = parse_xml(Client().get(f"{BASE}/services/NOPE.xml").content)
    assert root.tag == "errors" and root.findtext("error/code") == "404"


def test_a_request_is_created_and_followed(world, api_key):
    answer = create(api_key)
    assert answer.status_code == 201, answer.content
    created = answer.json()
    assert isinstance(created, list) and len(created) == 1
    request_id, token = created[0]["service_request_id"], created[0]["token"]
    assert WorkOrder.objects.get(order_no=request_id).channel == "app"
    one = Client().get(f"{BASE}/requests/{request_id}.json").json()
    assert len(one) == 1 and set(one[0]) >= REQUEST_FIELDS
    assert one[0]["status"] == "open" and W3C.match(one[0]["requested_datetime"])
    assert one[0]["service_code"] == "CG04" and one[0]["lat"] == 32.05
    assert "13800138000" not in str(one)
    by_token = Client().get(f"{BASE}/tokens/{token}.json").json()
    assert by_token == [{"service_request_id": request_id, "token": token}]
    listed = Client().get(f"{BASE}/requests.json?status=open&service_code=CG04").json()
    assert request_id in [r["service_request_id"] for r in listed]
    xml = parse_xml(Client().get(f"{BASE}/requests/{request_id}.xml").content)
    assert (
        xml.tag == "service_requests" and xml.findtext("request/service_request_id") == request_id
    )


def test_an_address_string_is_enough_without_coordinates(world, api_key):
    answer = create(api_key, lat="", long="", address_string="中山路 1 号")
    assert answer.status_code == 201


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"service_code": "NOPE"}, 404),
        ({"service_code": ""}, 400),
        ({"lat": "", "long": ""}, 400),
        ({"lat": "north"}, 400),
        ({"description": ""}, 400),
        ({"phone": "123"}, 400),
        ({"jurisdiction_id": "999999"}, 400),
    ],
)
def test_bad_requests_get_the_error_array_and_save_nothing(world, api_key, params, status):
    before = WorkOrder.objects.count()
    assert_errors(create(api_key, **params), status)
    assert WorkOrder.objects.count() == before


def test_a_missing_or_wrong_api_key_is_403(world):
    assert_errors(create(""), 403)
    assert_errors(create("tb_wrong"), 403)


def test_unknown_ids_tokens_and_formats_are_404(world):
    assert_errors(Client().get(f"{BASE}/requests/000.json"), 404)
    assert_errors(Client().get(f"{BASE}/tokens/none.json"), 404)
    assert Client().get(f"{BASE}/services.yaml").status_code == 404


def test_dates_must_be_w3c(world):
    assert_errors(Client().get(f"{BASE}/requests.json?start_date=yesterday"), 400)
    ok = Client().get(f"{BASE}/requests.json?start_date=2026-10-01T00:00:00%2B08:00")
    assert ok.status_code == 200
