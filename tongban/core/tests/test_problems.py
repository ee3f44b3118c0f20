"""Problem details (RFC 9457): every ``errors`` entry is a whole FieldError."""

from __future__ import annotations

import json

from tongban.core import errors
from tongban.core.api.problems import problem_from_domain
from tongban.core.errors import DomainError


def test_a_field_named_alone_gets_the_problems_code_and_detail():
    exc = DomainError(errors.VALIDATION_FAILED, "层级无效。", fields=[{"field": "level"}])
    body = json.loads(problem_from_domain(exc).content)
    assert body["errors"] == [
        {"field": "level", "code": "validation_failed", "message": "层级无效。"}
    ]


def test_a_fields_own_code_and_message_are_kept():
    exc = DomainError(
        errors.VALIDATION_FAILED,
        "导入文件有误。",
        fields=[{"field": "file", "code": "row", "message": "第 3 行：缺少决定书文号"}],
    )
    body = json.loads(problem_from_domain(exc).content)
    assert body["errors"] == [
        {"field": "file", "code": "row", "message": "第 3 行：缺少决定书文号"}
    ]


def test_an_id_beyond_64_bits_is_a_422_not_a_500(client, db):
    """SQLite cannot bind it (a 422); PostgreSQL compares it and finds no hall (a 404)."""
    from django.db import connection

    response = client.post(
        "/api/v1/appointments/halls/28216859563457582727168/check-in",
        data=json.dumps({"code": "20261203"}),
        content_type="application/json",
    )
    if connection.vendor == "sqlite":
        assert response.status_code == 422, response.content
        assert response.json()["code"] == errors.VALIDATION_FAILED.code
        assert "超出允许的范围" in response.json()["detail"]
    else:
        assert response.status_code == 404, response.content
