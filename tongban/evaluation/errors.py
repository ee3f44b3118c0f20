"""Stable error codes of 好差评 (CONVENTIONS 7)."""

from __future__ import annotations

from tongban.core.errors import define

RATING_NOT_OPEN = define("rating_not_open", 409, "尚不能评价")
RATING_EXISTS = define("rating_exists", 409, "已评价")
RATING_LEVEL_INVALID = define("rating_level_invalid", 422, "评价等级无效")
RATING_REASON_INVALID = define("rating_reason_invalid", 422, "评价原因无效")
RATING_REASON_REQUIRED = define("rating_reason_required", 422, "差评须说明原因")
RATING_CHANGE_USED = define("rating_change_used", 409, "评价已修改过")
RATING_CHANGE_CLOSED = define("rating_change_closed", 409, "已超过可修改评价的期限")
RATING_CHANNEL_INVALID = define("rating_channel_invalid", 422, "评价渠道无效")
RECTIFICATION_INVALID_TRANSITION = define(
    "rectification_invalid_transition", 409, "整改当前状态不允许该操作"
)
RECTIFICATION_VERSION_MISMATCH = define("rectification_version_mismatch", 412, "整改已被他人处理")
RECTIFICATION_TEXT_REQUIRED = define("rectification_text_required", 422, "缺少必填说明")
RECTIFICATION_OUTCOME_REQUIRED = define("rectification_outcome_required", 422, "须填写整改结果")
