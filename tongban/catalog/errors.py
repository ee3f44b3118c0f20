"""Stable error codes of the catalogue (CONVENTIONS 7)."""

from tongban.core.errors import define

INVALID_BASIC_CODE = define("invalid_basic_code", 422, "基本编码无效")
INVALID_GUIDE = define("invalid_guide", 422, "办事指南内容不符合格式")
GUIDE_LINT_FAILED = define("guide_lint_failed", 422, "办事指南未通过规范检查")
INVALID_TRANSITION = define("invalid_guide_transition", 409, "当前状态不允许此操作")
OPEN_DRAFT_EXISTS = define("guide_draft_exists", 409, "已有未发布的草稿")
STALE_REVISION = define("guide_revision_conflict", 409, "指南已被他人修改")
SERVICE_ITEM_EXISTS = define("service_item_exists", 409, "实施清单事项已存在")
LEVEL_NOT_ALLOWED = define("level_not_allowed", 422, "该事项不在此层级实施")
FOUR_EYES = define("guide_four_eyes", 403, "提交人不能审核自己的修改")
NOT_EDITOR = define("not_catalog_editor", 403, "无事项编辑权限")
IMPORT_INVALID = define("catalog_import_invalid", 422, "导入文件有误")
FILE_INVALID = define("guide_file_invalid", 422, "空白表格或示例样表文件无效")
CHANGE_NOTE_REQUIRED = define("guide_change_note_required", 422, "须填写修订说明")
