"""Stable error codes of the 12345 hotline (CONVENTIONS 7)."""

from tongban.core.errors import define

INVALID_TRANSITION = define("invalid_work_order_transition", 409, "工单当前状态不允许此操作")
VERSION_MISMATCH = define("work_order_version_mismatch", 412, "工单已被他人处理")
CONTENT_REQUIRED = define("work_order_content_required", 422, "诉求内容不能为空")
CALLER_INVALID = define("work_order_caller_invalid", 422, "来电人信息有误")
LOCATION_INVALID = define("work_order_location_invalid", 422, "诉求地点有误")
CATEGORY_INVALID = define("work_order_category_invalid", 422, "诉求分类有误")
DEPARTMENT_INVALID = define("work_order_department_invalid", 422, "承办单位有误")
REASON_REQUIRED = define("work_order_reason_required", 422, "须写明理由")
ATTACHMENT_INVALID = define("work_order_attachment_invalid", 422, "附件不符合要求")
EXTENSION_INVALID = define("work_order_extension_invalid", 422, "延期申请有误")
EXTENSION_PENDING = define("work_order_extension_pending", 409, "已有待审批的延期申请")
NO_EXTENSION_PENDING = define("work_order_no_extension_pending", 409, "没有待审批的延期申请")
MERGE_INVALID = define("work_order_merge_invalid", 422, "不能合并为重复工单")
REVISIT_INVALID = define("work_order_revisit_invalid", 422, "回访结果有误")
KNOWLEDGE_INVALID = define("knowledge_article_invalid", 422, "知识库条目有误")
EMERGENCY_INVALID = define("work_order_emergency_invalid", 422, "紧急警情移交有误")
TRACK_REFUSED = define("work_order_track_refused", 404, "未找到该工单")
STATS_INVALID = define("hotline_stats_invalid", 422, "统计条件有误")
