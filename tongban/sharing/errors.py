"""Stable error codes of data sharing (CONVENTIONS 7).

A refused call is still written to the access log (docs/sharing.md); the
code tells the calling system what to fix.
"""

from tongban.core.errors import define

# Calls (verification and query).
SERVICE_UNKNOWN = define("sharing_service_unknown", 404, "没有该查询核验服务")
RESOURCE_UNKNOWN = define("sharing_resource_unknown", 404, "没有该数据资源")
RESOURCE_NOT_QUERYABLE = define("sharing_resource_not_queryable", 422, "该数据资源未接入查询")
SERVICE_NOT_CONNECTED = define("sharing_service_not_connected", 409, "该核验服务尚未接入数据源")
PURPOSE_REQUIRED = define("sharing_purpose_required", 422, "须写明查询用途")
SUBJECT_INVALID = define("sharing_subject_invalid", 422, "查询对象的证件号码无效")
SUBJECT_NOT_FOUND = define("sharing_subject_not_found", 404, "基础库中没有该查询对象")
PARAMS_INVALID = define("sharing_params_invalid", 422, "核验参数有误")
NOT_GRANTED = define("sharing_not_granted", 403, "未获共享授权")
GRANT_EXPIRED = define("sharing_grant_expired", 403, "共享授权已过期")
FIELD_NOT_GRANTED = define("sharing_field_not_granted", 403, "所请求的字段未获授权")
NOT_SHAREABLE = define("sharing_not_shareable", 403, "该数据资源不予共享")
NOT_CONSUMER = define("sharing_not_consumer", 403, "无权以该部门名义使用共享数据")
CONSUMER_AMBIGUOUS = define("sharing_consumer_ambiguous", 422, "须指明以哪个部门的名义查询")

# The catalogue and its grants.
RESOURCE_INVALID = define("sharing_resource_invalid", 422, "数据资源登记内容有误")
RESOURCE_EXISTS = define("sharing_resource_exists", 409, "资源代码已存在")
GRANT_INVALID = define("sharing_grant_invalid", 422, "共享申请内容有误")
GRANT_PENDING = define("sharing_grant_pending", 409, "已有待审核的共享申请")
INVALID_TRANSITION = define("sharing_invalid_transition", 409, "当前状态不允许此操作")
VERSION_MISMATCH = define("sharing_version_mismatch", 412, "共享申请已被他人处理")
NOT_PROVIDER = define("sharing_not_provider", 403, "只有提供部门负责人可以审核")
NOT_APPLICANT = define("sharing_not_applicant", 403, "只有使用部门负责人可以申请")
