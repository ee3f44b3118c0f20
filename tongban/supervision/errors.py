"""Stable error codes of supervision's 督办 (CONVENTIONS 7)."""

from __future__ import annotations

from tongban.core.errors import define

INSTRUCTION_INVALID_TRANSITION = define(
    "instruction_invalid_transition", 409, "督办单当前状态不允许该操作"
)
INSTRUCTION_VERSION_MISMATCH = define("instruction_version_mismatch", 412, "督办单已被他人处理")
INSTRUCTION_TEXT_REQUIRED = define("instruction_text_required", 422, "缺少必填内容")
INSTRUCTION_DUE_INVALID = define("instruction_due_invalid", 422, "答复期限无效")
INSTRUCTION_DEPARTMENT_OUT_OF_SCOPE = define(
    "instruction_department_out_of_scope", 404, "部门不存在或不在本人数据范围内"
)
