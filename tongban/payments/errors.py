"""Stable error codes of payments (CONVENTIONS 7)."""

from __future__ import annotations

from tongban.core.errors import define

AMOUNT_INVALID = define("payment_amount_invalid", 422, "金额须为非负整数（单位：分）")
FEE_RULE_INVALID = define("payment_fee_rule_invalid", 422, "收费规则不完整")
FEES_DUE_BEFORE_ACCEPTANCE = define(
    "payment_fees_due_before_acceptance", 409, "受理前应缴的费用尚未缴清"
)
ORDER_NOT_FOUND = define("payment_order_not_found", 404, "缴款通知书不存在")
ORDER_INVALID_STATE = define("payment_order_invalid_state", 409, "缴款通知书当前状态不允许该操作")
ORDER_NOT_PAYABLE = define("payment_order_not_payable", 409, "缴款通知书已逾期或已撤销，不能缴款")
ORDER_VERSION_MISMATCH = define("payment_order_version_mismatch", 412, "缴款通知书已被他人处理")
PROVIDER_UNKNOWN = define("payment_provider_unknown", 422, "不支持的支付渠道")
SIGNATURE_INVALID = define("payment_signature_invalid", 401, "支付通知签名无效")
NOTIFICATION_MALFORMED = define("payment_notification_malformed", 400, "支付通知报文格式错误")
REFUND_TOO_LARGE = define("payment_refund_too_large", 422, "退款金额超过可退金额")
REFUND_INVALID_STATE = define("payment_refund_invalid_state", 409, "退款申请当前状态不允许该操作")
REFUND_SELF_APPROVAL = define("payment_refund_self_approval", 403, "不能审批本人提出的退款")
REFUND_NOT_FOUND = define("payment_refund_not_found", 404, "退款申请不存在")
STATEMENT_MALFORMED = define("payment_statement_malformed", 422, "对账单格式错误，整份未导入")
STATEMENT_DUPLICATE = define("payment_statement_duplicate", 409, "该日对账单已导入")
DAY_NOT_FOUND = define("payment_day_not_found", 404, "对账日不存在")
DAY_BEYOND_SCOPE = define(
    "payment_day_beyond_scope", 403, "该日有差异属于您权限以外的单位，不能轧账"
)
DAY_UNRESOLVED = define("payment_day_unresolved", 409, "尚有未处理的对账差异，不能轧账")
MISMATCH_NOT_FOUND = define("payment_mismatch_not_found", 404, "对账差异不存在")
MISMATCH_RESOLVED = define("payment_mismatch_resolved", 409, "该差异已处理")
RECEIPT_NOT_FOUND = define("payment_receipt_not_found", 404, "电子票据不存在或校验码不符")
