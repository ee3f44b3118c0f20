"""File downloads from the API and the pages."""

from __future__ import annotations

from urllib.parse import quote


def content_disposition(filename: str, fallback: str) -> str:
    """RFC 6266: an ASCII fallback name and the UTF-8 name (RFC 5987 ``filename*``)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
