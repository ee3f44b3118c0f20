"""Stable error codes of case handling (CONVENTIONS 7)."""

from tongban.core.errors import define

INVALID_TRANSITION = define("invalid_case_transition", 409, "当前状态不允许此操作")
VERSION_MISMATCH = define("case_version_mismatch", 412, "办件已被他人处理")
ITEM_NOT_AVAILABLE = define("service_item_not_available", 422, "该事项当前不可申请")
FORM_INVALID = define("case_form_invalid", 422, "申请表填写有误")
MATERIALS_INCOMPLETE = define("case_materials_incomplete", 422, "申请材料不齐全")
APPLICANT_INVALID = define("case_applicant_invalid", 422, "申请人信息有误")
EXTENSION_NOT_ALLOWED = define("case_extension_not_allowed", 422, "不能延长期限")
DEFERRED_OUTSTANDING = define("case_deferred_outstanding", 409, "容缺材料尚未补齐")
NOT_IMMEDIATE = define("case_not_immediate", 409, "该事项不是即办件")
UPLOAD_INVALID = define("case_upload_invalid", 422, "上传文件不符合要求")
REASON_REQUIRED = define("case_reason_required", 422, "须写明理由")
