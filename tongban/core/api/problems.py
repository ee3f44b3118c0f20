"""RFC 9457 problem+json responses with a stable ``code`` and Chinese ``detail``."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

from tongban.core.errors import DomainError, ErrorCode

PROBLEM_CONTENT_TYPE = "application/problem+json"

# pydantic error types → what a person should read.
_FIELD_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "float_parsing": "须为数字",
    "bool_parsing": "须为 true 或 false",
    "string_type": "须为字符串",
    "date_parsing": "须为 YYYY-MM-DD 格式的日期",
    "date_from_datetime_parsing": "须为 YYYY-MM-DD 格式的日期",
    "date_from_datetime_inexact": "须为 YYYY-MM-DD 格式的日期",
    "date_type": "须为 YYYY-MM-DD 格式的日期",
    "datetime_parsing": "须为 ISO 8601 格式的时间",
    "greater_than_equal": "取值过小",
    "less_than_equal": "取值过大",
    "greater_than": "取值过小",
    "less_than": "取值过大",
    "string_too_short": "长度不足",
    "string_too_long": "长度超出限制",
    "string_pattern_mismatch": "格式不正确",
    "enum": "不在允许的取值范围内",
    "literal_error": "不在允许的取值范围内",
    "dict_type": "须为 JSON 对象",
    "list_type": "须为数组",
    "model_attributes_type": "须为 JSON 对象",
    "json_invalid": "不是合法的 JSON",
    "uuid_parsing": "须为 UUID",
    "value_error": "取值无效",
    "too_short": "项数不足",
    "too_long": "项数过多",
    "bool_type": "须为 true 或 false",
}


def problem(
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    fields: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": f"urn:tongban:problem:{code}",
        "title": title,
        "status": status,
        "code": code,
        "detail": detail,
    }
    if fields:
        # Every entry is a FieldError: a service that names only the field gets
        # the problem's code and detail, so the answer always matches the schema.
        body["errors"] = [{"code": code, "message": detail, **f} for f in fields]
    if extra:
        body.update({k: v for k, v in extra.items() if k not in body})
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def problem_for(error: ErrorCode, detail: str, **kwargs: Any) -> HttpResponse:
    return problem(status=error.status, code=error.code, title=error.title, detail=detail, **kwargs)


def problem_from_domain(exc: DomainError) -> HttpResponse:
    return problem_for(
        exc.error, exc.detail, fields=exc.fields, extra=exc.extra, headers=exc.headers or None
    )


def field_message(err: Any) -> str:
    """A pydantic error as a Chinese message."""
    kind = str(err.get("type", "value_error"))
    message = _FIELD_MESSAGES.get(kind, "取值无效")
    ctx = err.get("ctx") or {}
    if kind in {"greater_than_equal", "greater_than"} and ctx:
        message = f"不能小于 {next(iter(ctx.values()))}"
    elif kind in {"less_than_equal", "less_than"} and ctx:
        message = f"不能大于 {next(iter(ctx.values()))}"
    elif kind == "string_too_short" and "min_length" in ctx:
        message = f"至少 {ctx['min_length']} 个字符"
    elif kind == "string_too_long" and "max_length" in ctx:
        message = f"不能超过 {ctx['max_length']} 个字符"
    elif kind == "too_short" and "min_length" in ctx:
        message = f"至少需要 {ctx['min_length']} 项"
    elif kind == "value_error" and err.get("msg"):
        message = str(err["msg"]).removeprefix("Value error, ")
    return message


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ninja/pydantic validation errors as ``{field, code, message}`` in Chinese."""
    result = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ())]
        # ninja puts the parameter group first ("body", "query", "path") and then
        # the name of the schema argument; keep the group and the field path.
        if len(loc) >= 2 and loc[0] in {"body", "query", "path", "header", "form"}:
            loc = [loc[0], *loc[2:]] if len(loc) > 2 else loc
        kind = str(err.get("type", "value_error"))
        message = field_message(err)
        result.append({"field": ".".join(loc), "code": kind, "message": message})
    return result
