"""Answers of hot reads: JSON built to the schema's shape, and conditional GET.

:func:`json_answer` renders a payload as django-ninja renders an answer (its
JSON encoder, its content type) without the second pass through the response
schema, which for a list or a whole case costs more than building the answer:
django-ninja wraps every nested object in Python on the way. A handler that
uses it builds its payload to the schema's shape and has a test holding the
answer equal to what the schema renders (every field, nothing more).

Conditional GET (RFC 9110 §13.1.2): a client that keeps an answer sends its
``ETag`` back in ``If-None-Match``; when it still names the answer, the server
says 304 Not Modified with no body instead of building and sending the answer
again. ``If-None-Match`` compares weakly (``W/"3"`` matches ``"3"``) and
``*`` matches any answer.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import parse_etags  # type: ignore[attr-defined]  # not in django-stubs
from ninja.responses import NinjaJSONEncoder

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def json_answer(payload: Any, *, etag: str | None = None, status: int = 200) -> HttpResponse:
    """``payload`` as django-ninja's renderer writes it, with ``etag`` if given."""
    response = HttpResponse(
        json.dumps(payload, cls=NinjaJSONEncoder), status=status, content_type=JSON_CONTENT_TYPE
    )
    if etag is not None:
        response["ETag"] = etag
    return response


def none_match(request: HttpRequest, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (a quoted strong tag): then the
    client's copy is current and the answer is :func:`not_modified`."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    tags = parse_etags(header)
    if tags == ["*"]:
        return True
    bare = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == bare for tag in tags)


def not_modified(etag: str, *, cache_control: str = "") -> HttpResponse:
    """304 with the tag (and the caching the full answer would have carried)."""
    response = HttpResponseNotModified()
    response["ETag"] = etag
    if cache_control:
        response["Cache-Control"] = cache_control
    return response
