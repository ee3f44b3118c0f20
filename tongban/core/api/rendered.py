"""An API answer rendered by the handler itself, as the API would render it.

A handler whose answer must exist as bytes before it returns — a submission
that stores its answer under the ``Idempotency-Key`` in its own transaction
(``core.idempotency.respond_once``) — validates the data with the schema the
route declares and renders it with the API's renderer (ninja's default JSON
renderer: ``config.api`` sets no other) into the response ninja gave the
handler, whose content type and headers (``ETag``, ``Location``) it keeps.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Schema
from ninja.renderers import JSONRenderer

_RENDERER = JSONRenderer()


def rendered(
    request: HttpRequest,
    response: HttpResponse,
    schema: type[Schema],
    data: Any,
    *,
    status: int,
) -> HttpResponse:
    body = schema.model_validate(data).model_dump()
    response.status_code = status
    response.content = _RENDERER.render(request, body, response_status=status)
    return response
