"""Stable error codes of the organisation layer (CONVENTIONS 7)."""

from __future__ import annotations

from tongban.core.errors import define

REGION_NOT_FOUND = define("region_not_found", 404, "行政区划不存在")
REGION_FILE_INVALID = define("region_file_invalid", 422, "行政区划数据文件有误")
DEPARTMENT_NOT_FOUND = define("department_not_found", 404, "部门不存在")
DEPARTMENT_CREDIT_CODE_TAKEN = define(
    "department_credit_code_taken", 409, "统一社会信用代码已被其他部门使用"
)
DEPARTMENT_KIND_INVALID = define("department_kind_invalid", 422, "部门类型无效")
DEPARTMENT_PARENT_INVALID = define("department_parent_invalid", 422, "上级部门不符合要求")
HALL_DEPARTMENT_INVALID = define("hall_department_invalid", 422, "大厅的管理部门不符合要求")
WINDOW_KIND_INVALID = define("window_kind_invalid", 422, "窗口类型无效")
WINDOW_NUMBER_TAKEN = define("window_number_taken", 409, "窗口编号已存在")
WINDOW_DEPARTMENT_OUTSIDE_REGION = define(
    "window_department_outside_region", 422, "窗口进驻部门不在大厅所在区划"
)
STAFF_USER_NOT_FOUND = define("staff_user_not_found", 404, "用户不存在")
STAFF_ROLE_INVALID = define("staff_role_invalid", 422, "岗位角色无效")
STAFF_SCOPE_INVALID = define("staff_scope_invalid", 422, "数据范围不符合要求")
HALL_LEVEL_INVALID = define("hall_level_invalid", 422, "大厅层级与所在区划不符")
HALL_COORDINATES_INVALID = define("hall_coordinates_invalid", 422, "大厅坐标有误")
HALL_FIELD_INVALID = define("hall_field_invalid", 422, "大厅信息有误")
