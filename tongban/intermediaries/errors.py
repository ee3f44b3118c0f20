"""Stable error codes of the marketplace and public resource trading (CONVENTIONS 7)."""

from __future__ import annotations

from tongban.core.errors import define

AGENCY_NOT_FOUND = define("agency_not_found", 404, "中介机构不存在")
AGENCY_ALREADY_LISTED = define("agency_already_listed", 409, "该机构已入驻中介服务超市")
AGENCY_RESTRICTED = define("agency_restricted", 403, "该机构因失信受限，不能参与")
SERVICE_TYPE_NOT_FOUND = define("service_type_not_found", 404, "中介服务类型不存在")
CONSORTIUM_INVALID = define("consortium_invalid", 422, "联合体组成不符合要求")
PURCHASE_NOT_FOUND = define("purchase_not_found", 404, "采购项目不存在")
PURCHASE_INVALID = define("purchase_invalid", 422, "采购公告内容不符合要求")
PURCHASE_DESIGNATED_AGENCY = define(
    "purchase_designated_agency", 422, "不得指定中介机构或设置资质以外的限制"
)
PURCHASE_INVALID_STATE = define("purchase_invalid_state", 409, "采购项目当前状态不允许该操作")
SIGNUP_CLOSED = define("signup_closed", 409, "报名已截止或尚未开始")
SIGNUP_DUPLICATE = define("signup_duplicate", 409, "已报名该采购项目")
SIGNUP_NOT_QUALIFIED = define("signup_not_qualified", 422, "不具备采购项目要求的资质或服务")
SIGNUP_PRICE_INVALID = define("signup_price_invalid", 422, "报价不符合要求")
SELECTION_INVALID = define("selection_invalid", 422, "选取不符合要求")
NO_ELIGIBLE_SIGNUP = define("no_eligible_signup", 409, "没有符合条件的报名机构")
OBJECTION_CLOSED = define("objection_closed", 409, "不在公示期内，不能提出异议")
OBJECTION_PENDING = define("objection_pending", 409, "尚有未处理的异议")
RATING_INVALID = define("rating_invalid", 422, "评价内容不符合要求")
TENDER_NOT_FOUND = define("tender_not_found", 404, "交易项目不存在")
TENDER_INVALID = define("tender_invalid", 422, "交易公告内容不符合要求")
TENDER_INVALID_STATE = define("tender_invalid_state", 409, "交易项目当前状态不允许该操作")
BID_DEADLINE_PASSED = define("bid_deadline_passed", 409, "投标截止时间已过")
BID_DUPLICATE = define("bid_duplicate", 409, "已递交投标文件")
BID_NOT_FOUND = define("bid_not_found", 404, "投标文件不存在")
OPENING_NOT_YET = define("opening_not_yet", 409, "未到开标时间")
BID_DECRYPTION_FAILED = define("bid_decryption_failed", 422, "解密失败")
EXPERTS_INSUFFICIENT = define("experts_insufficient", 409, "回避后可抽取的专家不足")
SCORE_INVALID = define("score_invalid", 422, "评分不符合要求")
EXPERT_NOT_FOUND = define("expert_not_found", 404, "评标专家不存在")
EXPERT_INVALID = define("expert_invalid", 422, "评标专家信息不符合要求")
EXPERT_DUPLICATE = define("expert_duplicate", 409, "该专家已在专家库中")
