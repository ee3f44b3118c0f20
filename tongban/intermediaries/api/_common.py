"""Small pieces shared by the marketplace's sub-routers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def user_of(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]  # set by ninja's auth


def operation_id(name: str) -> str:
    """The operation id each endpoint had while the marketplace API was one module.

    django-ninja derives an id from the view's module; the endpoints moved into
    sub-modules, and clients generated from docs/openapi.json keep their names.
    """
    return f"tongban_intermediaries_api_marketplace_{name}"
