"""Stable error codes of bundles (CONVENTIONS 7)."""

from tongban.core.errors import define

# Definitions and their editorial workflow.
BUNDLE_INVALID = define("bundle_invalid", 422, "一件事定义内容不符合格式")
BUNDLE_LINT_FAILED = define("bundle_lint_failed", 422, "一件事定义未通过规范检查")
BUNDLE_EXISTS = define("bundle_exists", 409, "一件事编码已存在")
INVALID_TRANSITION = define("invalid_bundle_transition", 409, "当前状态不允许此操作")
OPEN_DRAFT_EXISTS = define("bundle_draft_exists", 409, "已有未发布的草稿")
STALE_REVISION = define("bundle_revision_conflict", 409, "一件事定义已被他人修改")
FOUR_EYES = define("bundle_four_eyes", 403, "提交人不能审核自己的修改")
NOT_EDITOR = define("not_bundle_editor", 403, "无一件事编辑权限")
# Applications.
NOT_AVAILABLE = define("bundle_not_available", 422, "该一件事当前不可申请")
FORM_INVALID = define("bundle_form_invalid", 422, "申请表填写有误")
MATERIALS_INCOMPLETE = define("bundle_materials_incomplete", 422, "申请材料不齐全")
UPLOAD_INVALID = define("bundle_upload_invalid", 422, "上传文件不符合要求")
APPLICANT_INVALID = define("bundle_applicant_invalid", 422, "申请人信息有误")
MEMBERS_INVALID = define("bundle_members_invalid", 422, "所选事项有误")
APPLICATION_TRANSITION = define(
    "invalid_bundle_application_transition", 409, "当前状态不允许此操作"
)
VERSION_MISMATCH = define("bundle_application_version_mismatch", 412, "申请已被他人处理")
NOT_READY = define("bundle_results_not_ready", 409, "办理结果尚未全部作出")
NO_SUPPLEMENT = define("bundle_no_supplement", 409, "没有待补正的材料")
EXTENSION_NOT_ALLOWED = define("bundle_extension_not_allowed", 422, "不能延长期限")
REASON_REQUIRED = define("bundle_reason_required", 422, "须写明理由")
# Joint procedures.
JOINT_INVALID = define("joint_procedure_invalid", 422, "联合办理安排有误")
JOINT_TRANSITION = define("invalid_joint_procedure_transition", 409, "当前状态不允许此操作")
# Investment projects and regional assessments.
PROJECT_CODE_INVALID = define("project_code_invalid", 422, "投资项目代码无效")
PROJECT_NOT_REGISTERED = define("project_not_registered", 422, "投资项目未赋码")
PROJECT_INVALID = define("project_invalid", 422, "投资项目信息有误")
ZONE_INVALID = define("regional_assessment_invalid", 422, "区域评估信息有误")
