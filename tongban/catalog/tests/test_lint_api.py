"""POST /api/v1/catalog/lint and GET /api/v1/catalog/lint/rules: public, nothing stored."""

from __future__ import annotations

import pytest

from tongban.catalog.lint import RULES
from tongban.catalog.models import GuideVersion
from tongban.catalog.tests.guide_factory import valid_guide

pytestmark = pytest.mark.django_db
LINT = "/api/v1/catalog/lint"
RULES_URL = "/api/v1/catalog/lint/rules"


def post(client, body):
    return client.post(LINT, body, content_type="application/json")


def test_a_valid_guide_is_ok_without_findings_and_nothing_is_stored(client):
    response = post(client, {"guide": valid_guide(), "item_type": "01"})

    assert response.status_code == 200, response.content
    assert response.json() == {"ok": True, "errors": 0, "warnings": 0, "findings": []}
    assert GuideVersion.objects.count() == 0


def test_findings_are_counted_by_severity_and_an_error_makes_it_not_ok(client):
    guide = valid_guide(halls=[], address="")
    guide["materials"][0]["name"] = "其他必要的补充材料"

    response = post(client, {"guide": guide})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is False
    assert (body["errors"], body["warnings"]) == (1, 1)
    first, second = body["findings"]
    assert first["code"] == "catch_all_material"
    assert first["field"] == "materials[0].name"
    assert first["severity"] == "error"
    assert "其他必要的补充材料" in first["message"]
    assert (second["code"], second["severity"]) == ("missing_location", "warning")


def test_only_warnings_is_still_ok(client):
    response = post(client, {"guide": valid_guide(contacts=[])})

    body = response.json()
    assert body["ok"] is True
    assert (body["errors"], body["warnings"]) == (0, 2)


def test_a_document_that_is_not_a_guide_is_invalid_guide_with_field_errors(client):
    guide = valid_guide(online_depth=7)
    del guide["audience"]

    response = post(client, {"guide": guide})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "invalid_guide"
    assert {e["field"] for e in body["errors"]} == {"audience", "online_depth"}


def test_an_unknown_field_inside_the_guide_is_invalid_guide(client):
    response = post(client, {"guide": valid_guide(colour="red")})

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_guide"
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("colour", "extra_forbidden")]


def test_an_unknown_field_beside_the_guide_is_rejected(client):
    response = post(client, {"guide": valid_guide(), "strict": True})

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert any(e["code"] == "extra_forbidden" for e in body["errors"])


def test_a_guide_sent_as_the_whole_body_is_rejected(client):
    response = post(client, valid_guide())

    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


def test_an_unknown_item_type_is_rejected(client):
    response = post(client, {"guide": valid_guide(), "item_type": "99"})

    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


def test_the_rules_are_listed_in_order_with_their_severity(client):
    response = client.get(RULES_URL)

    assert response.status_code == 200
    body = response.json()
    assert [r["code"] for r in body] == [r.code for r in RULES]
    first = body[0]
    assert first == {"code": "catch_all_material", "title": RULES[0].title, "severity": "error"}
    assert {r["severity"] for r in body} == {"error", "warning"}
