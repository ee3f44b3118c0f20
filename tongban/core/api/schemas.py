"""Base schemas: inputs reject unknown fields; the problem shape for OpenAPI."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import ConfigDict


class InputSchema(Schema):
    """Every request body: an unknown field is a 422, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class FieldError(Schema):
    field: str
    code: str
    message: str


class Problem(Schema):
    """RFC 9457 problem details with Tongban's stable ``code``."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    errors: list[FieldError] | None = None


PROBLEM_RESPONSES: dict[int | frozenset[int], Any] = {
    frozenset({400, 401, 403, 404, 409, 412, 422, 429}): Problem,
}
