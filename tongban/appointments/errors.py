"""Stable error codes of appointments and the queue (CONVENTIONS 7)."""

from __future__ import annotations

from tongban.core.errors import define

THEME_NOT_FOUND = define("theme_not_found", 404, "主题不存在")
SLOT_NOT_OFFERED = define("slot_not_offered", 422, "该时段不提供预约")
SLOT_PAST = define("slot_past", 422, "该时段已过")
SLOT_TOO_FAR = define("slot_too_far", 422, "超出可预约的日期范围")
SLOT_FULL = define("slot_full", 409, "该时段已约满")
APPOINTMENT_DUPLICATE = define("appointment_duplicate", 409, "当天已有同一主题的预约")
APPOINTMENT_BLOCKED = define("appointment_blocked", 403, "因多次爽约暂停网上预约")
APPOINTMENT_NOT_FOUND = define("appointment_not_found", 404, "预约不存在")
APPOINTMENT_INVALID_STATE = define("appointment_invalid_state", 409, "预约当前状态不允许该操作")
APPOINTMENT_CHECK_IN_WINDOW = define("appointment_check_in_window", 409, "不在签到时间内")
HALL_CLOSED = define("hall_closed", 409, "大厅当前不在办公时间")
TICKET_NOT_FOUND = define("ticket_not_found", 404, "排队号不存在")
TICKET_INVALID_STATE = define("ticket_invalid_state", 409, "排队号当前状态不允许该操作")
TICKET_VERSION_MISMATCH = define("ticket_version_mismatch", 412, "排队号已被他人处理")
WINDOW_NOT_SERVING = define("window_not_serving", 409, "该窗口不办理此主题")
WINDOW_BUSY = define("window_busy", 409, "该窗口尚有未办结的叫号")
QUEUE_EMPTY = define("queue_empty", 404, "当前没有等候的号")
REQUEST_INVALID = define("service_request_invalid", 422, "申请内容不符合要求")
REQUEST_NOT_FOUND = define("service_request_not_found", 404, "申请不存在")
REQUEST_DUPLICATE = define("service_request_duplicate", 409, "已有未办结的同类申请")
REQUEST_INVALID_STATE = define("service_request_invalid_state", 409, "申请当前状态不允许该操作")
REQUEST_VERSION_MISMATCH = define("service_request_version_mismatch", 412, "申请已被他人处理")
REQUEST_CLERK_INVALID = define("service_request_clerk_invalid", 422, "不能指派该工作人员")
