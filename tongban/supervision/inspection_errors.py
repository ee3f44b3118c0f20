"""Stable error codes of 双随机、一公开 and 审管联动 (CONVENTIONS 7)."""

from __future__ import annotations

from tongban.core.errors import define

ITEM_INVALID = define("inspection_item_invalid", 422, "抽查事项信息有误")
INSPECTOR_INVALID = define("inspector_invalid", 422, "检查人员信息有误")
INSPECTOR_CONFLICT = define("inspector_conflict", 422, "检查人员与检查对象存在利害关系，应当回避")
PLAN_INVALID = define("inspection_plan_invalid", 422, "抽查计划内容有误")
PLAN_NOT_FOUND = define("inspection_plan_not_found", 404, "抽查计划不存在")
PLAN_INVALID_STATE = define("inspection_plan_invalid_state", 409, "抽查计划当前状态不允许该操作")
SCOPE_EMPTY = define("inspection_scope_empty", 422, "抽查范围内没有市场主体")
POOL_EMPTY = define("inspection_pool_empty", 422, "检查人员库为空，无法抽取检查人员")
POOL_INSUFFICIENT = define("inspection_pool_insufficient", 422, "可选检查人员不足")
TASK_NOT_FOUND = define("inspection_task_not_found", 404, "抽查任务不存在")
RESULT_INVALID = define("inspection_result_invalid", 422, "检查结果内容有误")
RESULT_ENTERED = define("inspection_result_entered", 409, "检查结果已录入")
HANDOFF_NOT_FOUND = define("handoff_task_not_found", 404, "监管任务不存在")
HANDOFF_INVALID_STATE = define("handoff_invalid_state", 409, "监管任务当前状态不允许该操作")
HANDOFF_INVALID = define("handoff_invalid", 422, "监管结果内容有误")
