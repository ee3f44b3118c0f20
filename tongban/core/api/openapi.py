"""An OpenAPI document that says what the server does (issue 9 #11).

django-ninja describes every response as ``application/json``; the errors are
served as ``application/problem+json`` (RFC 9457), so the document says so. A
header parameter that a handler takes as optional, because its absence has
its own answer (``If-Match``: 428 Precondition Required, RFC 6585), is marked
required by the operation's ``openapi_extra={"x-required-headers": [...]}``.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

PROBLEM_JSON = "application/problem+json"
REQUIRED_HEADERS = "x-required-headers"


def truthful(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with problem+json errors and required headers, in place."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                content = response.get("content") or {}
                if str(status)[:1] in {"4", "5"} and "application/json" in content:
                    content[PROBLEM_JSON] = content.pop("application/json")
            required = set(operation.pop(REQUIRED_HEADERS, []))
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "header" and parameter.get("name") in required:
                    parameter["required"] = True
    return schema


class TongbanAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document is :func:`truthful`."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        return truthful(
            super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        )
