"""``If-Match`` compares entity tags strongly (RFC 9110 §13.1.1).

A weak tag (``W/"3"``) says "semantically the same", not "byte for byte the
same version", so it can never satisfy If-Match: a request whose If-Match
lists only weak tags fails its precondition here, with a 412, before any
handler runs; weak tags next to strong ones are dropped, so handlers only
ever see strong tags. ``*`` and headers that are not a list of entity tags
are left to the handler (core.api.if_match answers a malformed one with a 400).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tongban.core import errors
from tongban.core.api.if_match import WEAK_ONLY_DETAIL, parse_entity_tags
from tongban.core.api.problems import problem_for
from tongban.core.middleware.problems import API_PREFIX

__all__ = ["StrongIfMatchMiddleware", "parse_entity_tags"]


class StrongIfMatchMiddleware:
    """Weak entity tags never satisfy If-Match (412 ``version_mismatch``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.META.get("HTTP_IF_MATCH")
        if header is None or header.strip() == "*":
            return self.get_response(request)
        tags = parse_entity_tags(header)
        if tags is None:
            return self.get_response(request)
        strong = [tag for weak, tag in tags if not weak]
        if strong:
            request.META["HTTP_IF_MATCH"] = ", ".join(strong)
            return self.get_response(request)
        detail = WEAK_ONLY_DETAIL
        if request.path.startswith(API_PREFIX):
            return problem_for(errors.VERSION_MISMATCH, detail)
        return HttpResponse(detail, status=412, content_type="text/plain; charset=utf-8")
