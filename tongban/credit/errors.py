"""Stable error codes of credit (CONVENTIONS 7)."""

from __future__ import annotations

from tongban.core.errors import define

SUBJECT_INVALID = define("credit_subject_invalid", 422, "信用主体无效")
RECORD_INVALID = define("credit_record_invalid", 422, "信用记录内容有误")
PENALTY_INVALID = define("penalty_invalid", 422, "行政处罚信息不完整")
PENALTY_DUPLICATE = define("penalty_duplicate", 409, "处罚决定书文号已存在")
PENALTY_IMPORT_INVALID = define("penalty_import_invalid", 422, "行政处罚导入文件有误")
LIST_NOT_FOUND = define("credit_list_not_found", 404, "名单不存在")
LIST_ENTRY_INVALID = define("credit_list_entry_invalid", 422, "名单信息有误")
LIST_ENTRY_EXPIRED = define("credit_list_entry_expired", 422, "有效期已过，不能列入名单")
LIST_ENTRY_DUPLICATE = define("credit_list_entry_duplicate", 409, "该主体已在名单中")
LIST_ENTRY_NOT_FOUND = define("credit_list_entry_not_found", 404, "名单记录不存在")
REPAIR_NOT_LISTED = define("credit_repair_not_listed", 422, "该主体不在失信名单中，无需信用修复")
REPAIR_DUPLICATE = define("credit_repair_duplicate", 409, "已有待审核的信用修复申请")
REPAIR_NOT_FOUND = define("credit_repair_not_found", 404, "信用修复申请不存在")
REPAIR_INVALID_STATE = define(
    "credit_repair_invalid_state", 409, "信用修复申请当前状态不允许该操作"
)
REPAIR_INVALID = define("credit_repair_invalid", 422, "信用修复申请内容有误")
RESTRICTED = define("credit_restricted", 403, "因失信被限制")
