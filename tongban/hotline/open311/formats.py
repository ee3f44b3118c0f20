"""Open311 GeoReport v2 bodies in JSON and XML, and its error array."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring  # writing only

from django.http import HttpResponse

from tongban.core.clock import SHANGHAI

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The XML element of each item of a top-level list (GeoReport v2 examples).
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "values": "value",
    "attributes": "attribute",
}


def w3c(moment: dt.datetime | None) -> str | None:
    """A W3C datetime with the offset (2010-04-14T06:37:38+08:00)."""
    if moment is None:
        return None
    return moment.astimezone(SHANGHAI).replace(microsecond=0).isoformat()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: Element, name: str, value: Any) -> None:
    node = SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _append(node, key, inner)
    elif isinstance(value, list):
        item = ITEM_NAMES.get(name, "item")
        for inner in value:
            _append(node, item, inner)
    else:
        node.text = _text(value)


def xml_document(root: str, items: list[Any] | dict[str, Any]) -> bytes:
    element = Element(root)
    if isinstance(items, dict):
        for key, value in items.items():
            _append(element, key, value)
    else:
        item = ITEM_NAMES.get(root, "item")
        for value in items:
            _append(element, item, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(element, encoding="utf-8")


def render(
    fmt: str, root: str, body: list[Any] | dict[str, Any], status: int = 200
) -> HttpResponse:
    if fmt == "xml":
        content = xml_document(root, body)
    else:
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
    response = HttpResponse(content, status=status, content_type=FORMATS[fmt])
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error(fmt: str, status: int, description: str) -> HttpResponse:
    """The GeoReport v2 error array: ``[{"code": 400, "description": "…"}]``."""
    return render(fmt, "errors", [{"code": status, "description": description}], status=status)
