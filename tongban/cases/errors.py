"""Stable error codes of case handling (CONVENTIONS 7)."""

from tongban.core.errors import define

INVALID_TRANSITION = define("invalid_case_transition", 409, "当前状态不允许此操作")
VERSION_MISMATCH = define("case_version_mismatch", 412, "办件已被他人处理")
ITEM_NOT_AVAILABLE = define("service_item_not_available", 422, "该事项当前不可申请")
FORM_INVALID = define("case_form_invalid", 422, "申请表填写有误")
MATERIALS_INCOMPLETE = define("case_materials_incomplete", 422, "申请材料不齐全")
NOT_FROM_CERTIFICATE = define("case_material_not_certificate", 404, "该材料不是由电子证照提供")
APPLICANT_INVALID = define("case_applicant_invalid", 422, "申请人信息有误")
REAL_NAME_LEVEL_TOO_LOW = define("case_real_name_level_too_low", 403, "实名认证等级不足")
EXTENSION_NOT_ALLOWED = define("case_extension_not_allowed", 422, "不能延长期限")
DEFERRED_OUTSTANDING = define("case_deferred_outstanding", 409, "容缺材料尚未补齐")
NOT_IMMEDIATE = define("case_not_immediate", 409, "该事项不是即办件")
UPLOAD_INVALID = define("case_upload_invalid", 422, "上传文件不符合要求")
REASON_REQUIRED = define("case_reason_required", 422, "须写明理由")
# 行政许可法 第三十二条: five working days to answer, or the application is accepted.
SUPPLEMENT_TOO_LATE = define("supplement_too_late", 409, "补正告知期限已过")
SUPPLEMENT_ONCE = define("supplement_already_requested", 409, "补正只能一次性告知")
REFUSAL_TOO_LATE = define("refusal_too_late", 409, "已视为受理，不能不予受理")
# 第四十二条: an extension is decided within the period.
EXTENSION_TOO_LATE = define("extension_too_late", 409, "办理期限已届满，不能延期")
