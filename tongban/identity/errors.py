"""Stable error codes of identity (CONVENTIONS 7)."""

from __future__ import annotations

from tongban.core.errors import define

LOGIN_FAILED = define("login_failed", 401, "用户名或密码错误")
LOGIN_RATE_LIMITED = define("login_rate_limited", 429, "登录尝试过于频繁")
WEAK_PASSWORD = define("weak_password", 422, "密码不符合要求")
USERNAME_TAKEN = define("username_taken", 409, "用户名已被使用")
INVALID_USERNAME = define("invalid_username", 422, "用户名格式不正确")
INVALID_NAME = define("invalid_name", 422, "姓名格式不正确")
PERSON_NAME_MISMATCH = define("person_name_mismatch", 422, "姓名与身份号码不一致")
ID_NUMBER_REGISTERED = define("id_number_registered", 409, "该身份号码已注册个人账号")
LEGAL_ENTITY_NAME_MISMATCH = define(
    "legal_entity_name_mismatch", 422, "名称与统一社会信用代码不一致"
)
NOT_LEGAL_REPRESENTATIVE = define("not_legal_representative", 422, "不是该法人的法定代表人")
AUTHORIZATION_EXISTS = define("authorization_exists", 409, "已有有效的授权")
AUTHORIZATION_FORBIDDEN = define("authorization_forbidden", 403, "无权为该法人授权")
TOKEN_NOT_FOUND = define("token_not_found", 404, "未找到访问令牌")
TOKEN_PREFIX_AMBIGUOUS = define("token_prefix_ambiguous", 409, "令牌前缀对应多个令牌")
TOKEN_EXPIRED = define("token_expired", 401, "访问令牌已过期")
# Sign-up (issue 9, item 3). One answer for every refusal of the identity check,
# whether the name does not match the ID number or the ID number already has an
# account: two answers would tell a stranger which is true.
SIGNUP_REFUSED = define("signup_refused", 422, "无法使用所填身份信息注册")
SIGNUP_CODE_INVALID = define("signup_code_invalid", 422, "验证码错误或已失效")
SIGNUP_RATE_LIMITED = define("signup_rate_limited", 429, "注册尝试过于频繁")
# Purpose-bound unmasking (R-SC-1): a full value is shown only for a stated purpose.
PURPOSE_REQUIRED = define("purpose_required", 422, "须写明查看用途")
# Real-name levels (issue 14, item 2).
REAL_NAME_NO_PERSON = define("real_name_no_person", 422, "账号未关联自然人，无法实名核验")
REAL_NAME_REGISTRY_MISMATCH = define("real_name_registry_mismatch", 422, "人口基础信息库核验未通过")
REAL_NAME_CLERK_FORBIDDEN = define("real_name_clerk_forbidden", 403, "仅窗口人员可现场核验身份证件")
REAL_NAME_ID_CARD_MISMATCH = define(
    "real_name_id_card_mismatch", 422, "身份证件与账号实名信息不一致"
)
# 法人库 check of a business account (issue 14, item 2): the 统一社会信用代码 and the
# legal representative must be those the 市场主体登记信息 records, and the entity alive.
LEGAL_ENTITY_REGISTRY_MISMATCH = define(
    "legal_entity_registry_mismatch", 422, "法人库核验未通过：统一社会信用代码或法定代表人不一致"
)
LEGAL_ENTITY_NOT_IN_BUSINESS = define(
    "legal_entity_not_in_business", 422, "该法人在法人库中不是存续状态"
)
LEGAL_ENTITY_REGISTRY_UNAVAILABLE = define(
    "legal_entity_registry_unavailable", 503, "法人库暂不可用"
)
# An agent limited to named items acting for another (issue 14, "bad input").
AUTHORIZATION_ITEM_FORBIDDEN = define(
    "authorization_item_forbidden", 403, "经办人未获授权办理该事项"
)
