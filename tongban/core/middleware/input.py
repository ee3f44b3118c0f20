"""The one input boundary: characters no request may carry, and the body size limit.

Every query string, form (URL-encoded or multipart text fields) and other body
(JSON for the API) is checked here, before any view or service sees it
(issue 9, item 1). Refused, with a 400 ``malformed_request``:

- bytes that are not UTF-8 (a lone surrogate encoded as ``%ED%A0%80`` is one);
- an unpaired UTF-16 surrogate written as a JSON escape (``"a\\ud800b"``):
  Python's JSON decoder accepts it and the stored string then cannot be
  encoded again, so every page showing it answered 500;
- control characters of Unicode category Cc other than TAB, LF and CR:
  C0 (U+0000–U+001F, NUL included: PostgreSQL refuses it in text), DEL
  (U+007F) and C1 (U+0080–U+009F), raw or escaped (``\\u0001``, ``\\b``, ``\\f``).

Uploaded files (multipart file parts) are binary and are not checked here;
their names are the upload checks' business.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string

from tongban.core import errors
from tongban.core.api.problems import problem_for
from tongban.core.middleware.problems import API_PREFIX

# Cc except TAB (09), LF (0A), CR (0D); and any surrogate code point.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# In a path not even TAB, LF or CR belong.
_FORBIDDEN_IN_PATH = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# A JSON escape: ``\uXXXX`` or a backslash and one character (``\\``, ``\"``, ``\b``…).
_JSON_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|(.))", re.DOTALL)
_ALLOWED_ESCAPED_CONTROLS = {0x09, 0x0A, 0x0D}
# ``\b`` (U+0008) and ``\f`` (U+000C) are C0 controls written short.
_SHORT_CONTROL_ESCAPES = {"b": 0x08, "f": 0x0C}


def _describe(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return f"未配对的代理项 U+{code:04X}"
    return f"控制字符 U+{code:04X}"


def text_problem(text: str) -> str | None:
    """What is wrong with ``text`` (already decoded), or None."""
    found = _FORBIDDEN.search(text)
    return _describe(found.group()) if found else None


def _is_forbidden_code(code: int) -> bool:
    return (code < 0x20 and code not in _ALLOWED_ESCAPED_CONTROLS) or 0x7F <= code <= 0x9F


def json_escape_problem(text: str) -> str | None:
    """An escape in JSON text that stands for a forbidden character, or None.

    A high surrogate escape must be followed at once by a low one (a pair
    stands for one character above U+FFFF, e.g. an emoji); any other
    surrogate escape is unpaired.
    """
    pending_high: int | None = None
    pending_end = -1
    for match in _JSON_ESCAPE.finditer(text):
        hex_digits, short = match.group(1), match.group(2)
        code = int(hex_digits, 16) if hex_digits else _SHORT_CONTROL_ESCAPES.get(short or "", -1)
        if pending_high is not None:
            if match.start() == pending_end and 0xDC00 <= code <= 0xDFFF and hex_digits:
                pending_high = None
                continue
            return f"未配对的代理项 U+{pending_high:04X}"
        if hex_digits and 0xD800 <= code <= 0xDBFF:
            pending_high, pending_end = code, match.end()
        elif hex_digits and 0xDC00 <= code <= 0xDFFF:
            return f"未配对的代理项 U+{code:04X}"
        elif code >= 0 and _is_forbidden_code(code):
            return f"控制字符 U+{code:04X}"
    if pending_high is not None:
        return f"未配对的代理项 U+{pending_high:04X}"
    return None


def _utf8(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def urlencoded_problem(raw: bytes) -> str | None:
    """What is wrong with a query string or an URL-encoded form body, or None."""
    text = _utf8(unquote_to_bytes(raw.replace(b"+", b" ")))
    if text is None:
        return "无效的 UTF-8 字节"
    return text_problem(text)


def json_problem(raw: bytes) -> str | None:
    """What is wrong with a JSON (or other text) body, or None."""
    text = _utf8(raw)
    if text is None:
        return "无效的 UTF-8 字节"
    return text_problem(text) or json_escape_problem(text)


def values_problem(values: Iterable[str]) -> str | None:
    for value in values:
        problem = text_problem(value)
        if problem:
            return problem
    return None


def _query_bytes(request: HttpRequest) -> bytes:
    query = request.META.get("QUERY_STRING", "")
    try:
        # WSGI hands the raw bytes over as latin-1.
        return query.encode("latin-1")
    except UnicodeEncodeError:
        return query.encode("utf-8", "surrogatepass")


class InputBoundaryMiddleware:
    """Refuse a request carrying a forbidden character (400 ``malformed_request``)
    and a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413 ``request_too_large``).

    Under /api/ the answer is problem+json; for pages, the 400 page with the reason.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        is_api = request.path.startswith(API_PREFIX)
        try:
            problem = self._problem(request, is_api=is_api)
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
            too_big = f"请求内容过大（上限约 {max(limit, 1)} MB）。"
            if is_api:
                return problem_for(errors.REQUEST_TOO_LARGE, too_big)
            return HttpResponse(too_big, status=413, content_type="text/plain; charset=utf-8")
        except MultiPartParserError:
            problem = ("请求体", "无法解析的 multipart/form-data 内容")
        if problem is None:
            return self.get_response(request)
        where, what = problem
        detail = f"{where}中含有{what}，无法处理。"
        if is_api:
            return problem_for(errors.MALFORMED_REQUEST, detail)
        page = render_to_string("400.html", {"detail": detail}, request=request)
        return HttpResponse(page, status=400)

    @staticmethod
    def _problem(request: HttpRequest, *, is_api: bool) -> tuple[str, str] | None:
        """(where, what) of the first forbidden input, or None."""
        in_path = _FORBIDDEN_IN_PATH.search(request.path)
        if in_path:
            return "请求地址", _describe(in_path.group())
        found = urlencoded_problem(_query_bytes(request))
        if found:
            return "查询参数", found
        if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
            return None
        content_type = request.content_type or ""
        if content_type.startswith("multipart/"):
            if is_api:
                # Read once into memory (bounded) so that Idempotency-Key can hash it.
                _ = request.body
            found = values_problem(v for _, values in request.POST.lists() for v in values)
            return ("表单内容", found) if found else None
        body = request.body
        if not body:
            return None
        if content_type == "application/x-www-form-urlencoded":
            found = urlencoded_problem(body)
            return ("表单内容", found) if found else None
        found = json_problem(body)
        return ("请求体", found) if found else None


# The name this middleware had while it refused NUL only.
NulCharacterMiddleware = InputBoundaryMiddleware
