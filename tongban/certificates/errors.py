"""Stable error codes of electronic certificates and proof items (CONVENTIONS 7)."""

from tongban.core.errors import define

# Identifiers and verification (GB/T 36904; offline.py for the QR payload).
IDENTIFIER_INVALID = define("certificate_identifier_invalid", 422, "证照标识格式不正确")
IDENTIFIER_CHECK_FAILED = define("certificate_identifier_check_failed", 422, "证照标识校验位不正确")
QR_MALFORMED = define("certificate_qr_malformed", 422, "二维码内容不完整或已损坏")
QR_INVALID = define("certificate_qr_invalid", 422, "二维码核验失败")
KEY_UNKNOWN = define("certificate_key_unknown", 422, "签名密钥未公布或已作废")
SIGNATURE_INVALID = define("certificate_signature_invalid", 422, "签名核验失败")
NOT_FOUND = define("certificate_not_found", 404, "未找到该电子证照")

# Types, issuing and transitions.
TYPE_NOT_FOUND = define("certificate_type_not_found", 404, "证照类型不存在")
TYPE_INVALID = define("certificate_type_invalid", 422, "证照类型定义有误")
FACE_INVALID = define("certificate_face_invalid", 422, "照面信息填写有误")
HOLDER_INVALID = define("certificate_holder_invalid", 422, "持证主体有误")
ISSUER_NOT_ALLOWED = define("certificate_issuer_not_allowed", 403, "该部门不能签发此类证照")
VALIDITY_INVALID = define("certificate_validity_invalid", 422, "有效期有误")
INVALID_TRANSITION = define("invalid_certificate_transition", 409, "电子证照当前状态不允许此操作")
REASON_REQUIRED = define("certificate_reason_required", 422, "须写明理由")
IMPORT_INVALID = define("certificate_import_invalid", 422, "导入文件有误")

# Use authorizations (用证授权) and staff reads.
AUTHORIZATION_INVALID = define("certificate_authorization_invalid", 422, "用证授权填写有误")
AUTHORIZATION_EXPIRED = define("certificate_authorization_expired", 403, "用证授权已过期或已撤销")
ACCESS_DENIED = define("certificate_access_denied", 403, "无用证授权，不能查看该电子证照")

# Proof items and self-service printing.
PROOF_ITEM_NOT_FOUND = define("proof_item_not_found", 404, "证明事项不存在")
PRINT_NOT_AVAILABLE = define("certification_print_unavailable", 422, "暂不能打印该证明")
