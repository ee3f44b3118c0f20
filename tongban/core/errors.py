"""Stable error codes and the one domain error (CONVENTIONS 7).

Services raise :class:`DomainError`; the API handler turns it into RFC 9457
problem+json with the code and the Chinese detail; pages show the detail.
Each app's ``errors.py`` defines its own codes with :func:`define`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ErrorCode:
    code: str
    status: int
    title: str


_REGISTRY: dict[str, ErrorCode] = {}


def define(code: str, status: int, title: str) -> ErrorCode:
    """Register a stable error code; the same code twice must agree."""
    existing = _REGISTRY.get(code)
    if existing and existing != ErrorCode(code, status, title):
        raise ValueError(f"error code {code!r} defined twice with different meaning")
    entry = ErrorCode(code, status, title)
    _REGISTRY[code] = entry
    return entry


def registry() -> dict[str, ErrorCode]:
    return dict(_REGISTRY)


@dataclass
class DomainError(Exception):
    """A refusal with a stable code and a Chinese message for the user."""

    error: ErrorCode
    detail: str
    fields: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # HTTP headers the answer must carry (``Retry-After`` of a 429, …).
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.error.code}: {self.detail}")

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def status(self) -> int:
        return self.error.status


# Codes of the kernel.
VALIDATION_FAILED = define("validation_failed", 422, "请求内容不符合要求")
MALFORMED_REQUEST = define("malformed_request", 400, "请求格式错误")
NOT_FOUND = define("not_found", 404, "未找到")
METHOD_NOT_ALLOWED = define("method_not_allowed", 405, "不支持的请求方法")
NOT_AUTHENTICATED = define("not_authenticated", 401, "需要登录")
PERMISSION_DENIED = define("permission_denied", 403, "无权操作")
RATE_LIMITED = define("rate_limited", 429, "请求过于频繁")
CONFLICT = define("conflict", 409, "与当前状态冲突")
VERSION_MISMATCH = define("version_mismatch", 412, "数据已被他人修改")
IDEMPOTENCY_KEY_REUSED = define("idempotency_key_reused", 422, "幂等键已用于不同的请求")
IDEMPOTENCY_KEY_INVALID = define("idempotency_key_invalid", 400, "幂等键格式错误")
IDEMPOTENCY_IN_PROGRESS = define("idempotency_in_progress", 409, "相同请求正在处理中")
IDEMPOTENCY_ANSWER_WITHHELD = define(
    "idempotency_answer_withheld", 409, "相同请求已处理，应答含只显示一次的内容，不予重放"
)
INVALID_CURSOR = define("invalid_cursor", 400, "分页游标无效")
REQUEST_TOO_LARGE = define("request_too_large", 413, "请求内容过大")
INTERNAL_ERROR = define("internal_error", 500, "服务器内部错误")
SERVICE_UNAVAILABLE = define("service_unavailable", 503, "服务暂时不可用")
CALENDAR_YEAR_UNAVAILABLE = define("calendar_year_unavailable", 422, "该年度工作日历尚未发布")
CALENDAR_RANGE = define("calendar_out_of_range", 422, "日期超出可计算范围")
CALENDAR_IMPORT_INVALID = define("calendar_import_invalid", 422, "日历导入文件有误")
INVALID_RESIDENT_ID = define("invalid_resident_id", 422, "公民身份号码无效")
INVALID_CREDIT_CODE = define("invalid_credit_code", 422, "统一社会信用代码无效")
INVALID_REGION_CODE = define("invalid_region_code", 422, "行政区划代码无效")
INVALID_PHONE = define("invalid_phone", 422, "手机号码无效")
KEY_MISSING = define("encryption_key_missing", 500, "未配置加密密钥")
