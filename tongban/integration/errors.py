"""Stable error codes of the integration API (CONVENTIONS 7)."""

from __future__ import annotations

from tongban.core.errors import define

NOT_A_SYSTEM = define("integration_not_a_system", 403, "仅限已登记的部门业务系统")
WEBHOOK_URL_INVALID = define("webhook_url_invalid", 422, "推送地址不符合要求")
WEBHOOK_EVENT_UNKNOWN = define("webhook_event_unknown", 422, "未知的事件")
MATERIAL_NOT_FOUND = define("material_not_found", 404, "未找到该材料")
