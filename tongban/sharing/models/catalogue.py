"""The government information resource catalogue and its grants (R-DS-2, R-DS-5).

国发〔2016〕51号《政务信息资源共享管理暂行办法》 sorts every resource into
无条件共享 (any department obtains it on the platform), 有条件共享 (a using
department applies with its purpose and legal basis; the providing department
answers within 10 working days) and 不予共享 (with its legal ground). A grant
is per consumer department, resource and field (``granted_fields``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tongban.org.models import Department


class SharingType(models.TextChoices):
    UNCONDITIONAL = "unconditional", "无条件共享"
    CONDITIONAL = "conditional", "有条件共享"
    NONE = "none", "不予共享"


class UpdateFrequency(models.TextChoices):
    REALTIME = "realtime", "实时"
    DAILY = "daily", "每日"
    WEEKLY = "weekly", "每周"
    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"
    YEARLY = "yearly", "每年"
    IRREGULAR = "irregular", "不定期"


class FieldType(models.TextChoices):
    STRING = "string", "字符串"
    CODE = "code", "代码"
    DATE = "date", "日期"
    INTEGER = "integer", "整数"
    DECIMAL = "decimal", "数值"
    BOOLEAN = "boolean", "是/否"
    LIST = "list", "列表"


class Sensitivity(models.TextChoices):
    PUBLIC = "public", "公开"
    INTERNAL = "internal", "内部"
    PERSONAL = "personal", "个人信息"
    SENSITIVE = "sensitive", "敏感个人信息"


class SubjectKind(models.TextChoices):
    PERSON = "person", "自然人"
    LEGAL_ENTITY = "legal_entity", "法人"
    NONE = "none", "不涉及特定主体"


class Registry(models.TextChoices):
    """The base registry (基础库, R-ID-2) that answers queries on a resource."""

    POPULATION = "population", "自然人库（人口基础信息）"
    HOUSEHOLD = "household", "户籍信息"
    MARRIAGE = "marriage", "婚姻登记信息"
    BIRTH = "birth", "出生医学证明信息"
    SOCIAL_INSURANCE = "social_insurance", "社会保险参保信息"
    REAL_ESTATE = "real_estate", "不动产登记信息"
    BUSINESS = "business", "法人库（市场主体登记信息）"
    CERTIFICATES = "certificates", "电子证照库"


class DataResource(models.Model):
    """政务信息资源: one entry of the sharing catalogue."""

    code = models.CharField("资源代码", max_length=40, unique=True)
    name = models.CharField("资源名称", max_length=200)
    description = models.TextField("资源摘要", blank=True)
    provider = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="data_resources", verbose_name="提供部门"
    )
    sharing_type = models.CharField("共享类型", max_length=16, choices=SharingType.choices)
    sharing_condition = models.TextField(
        "共享条件或不予共享依据", blank=True, help_text="有条件共享的条件；不予共享的法律依据"
    )
    update_frequency = models.CharField("更新周期", max_length=16, choices=UpdateFrequency.choices)
    legal_basis = models.CharField("采集依据", max_length=500, blank=True)
    subject_kind = models.CharField(
        "数据主体", max_length=16, choices=SubjectKind.choices, default=SubjectKind.NONE
    )
    registry = models.CharField(
        "接入的基础库", max_length=20, choices=Registry.choices, blank=True,
        help_text="留空表示仅登记目录，未接入查询接口",
    )  # fmt: skip
    open_to_public = models.BooleanField("向社会开放（公共数据开放）", default=False)
    open_format = models.CharField("开放格式", max_length=60, blank=True)
    active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "政务信息资源"
        verbose_name_plural = "政务信息资源目录"
        ordering = ["code"]
        constraints = [
            # One active resource answers for each base registry.
            models.UniqueConstraint(
                fields=["registry"],
                condition=models.Q(active=True) & ~models.Q(registry=""),
                name="sharing_one_resource_per_registry",
            )
        ]
        indexes = [
            models.Index(fields=["provider", "code"], name="sharing_res_provider"),
            models.Index(fields=["open_to_public", "active", "code"], name="sharing_res_open"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ResourceField(models.Model):
    """One data item (信息项) of a resource, with its type and sensitivity."""

    resource = models.ForeignKey(
        DataResource, on_delete=models.CASCADE, related_name="fields", verbose_name="数据资源"
    )
    code = models.CharField("信息项代码", max_length=40)
    name = models.CharField("信息项名称", max_length=100)
    data_type = models.CharField("数据类型", max_length=16, choices=FieldType.choices)
    sensitivity = models.CharField("敏感级别", max_length=16, choices=Sensitivity.choices)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "信息项"
        verbose_name_plural = "信息项"
        ordering = ["resource_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "code"], name="sharing_field_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class GrantStatus(models.TextChoices):
    REQUESTED = "requested", "待审核"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "已拒绝"
    REVOKED = "revoked", "已撤销"
    WITHDRAWN = "withdrawn", "已撤回"


class AccessGrant(models.Model):
    """共享申请 and, once approved, the grant: which fields, until when."""

    resource = models.ForeignKey(
        DataResource, on_delete=models.PROTECT, related_name="grants", verbose_name="数据资源"
    )
    consumer = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="data_grants", verbose_name="使用部门"
    )
    status = models.CharField("状态", max_length=16, choices=GrantStatus.choices)
    purpose = models.TextField("用途")
    legal_basis = models.CharField("使用依据", max_length=500)
    requested_fields = models.ManyToManyField(
        ResourceField, related_name="requested_in", verbose_name="申请的信息项"
    )
    granted_fields = models.ManyToManyField(
        ResourceField, related_name="granted_in", blank=True, verbose_name="授权的信息项"
    )
    requested_until = models.DateField("申请使用期限", null=True, blank=True)
    valid_until = models.DateField("授权有效期至", null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="申请人",
    )  # fmt: skip
    requested_at = models.DateTimeField("申请时间")
    # 国发〔2016〕51号 第十四条: the provider answers within 10 working days.
    answer_due_on = models.DateField("答复期限", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="审核人",
    )  # fmt: skip
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_reason = models.TextField("审核意见", blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoke_reason = models.TextField("撤销理由", blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "共享申请与授权"
        verbose_name_plural = "共享申请与授权"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "consumer"],
                condition=models.Q(status="requested"),
                name="sharing_one_open_request",
            )
        ]
        indexes = [
            models.Index(fields=["consumer", "resource", "status"], name="sharing_grant_use"),
            models.Index(fields=["resource", "status"], name="sharing_grant_resource"),
            models.Index(fields=["-requested_at", "-id"], name="sharing_grant_recent"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.consumer_id} → {self.resource_id} ({self.status})"


class AccessGrantEvent(models.Model):
    """History of one application: never edited."""

    grant = models.ForeignKey(
        AccessGrant, on_delete=models.CASCADE, related_name="events", verbose_name="共享申请"
    )
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="操作人",
    )  # fmt: skip
    actor_label = models.CharField("操作人", max_length=200)
    action = models.CharField("操作", max_length=30)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16, blank=True)
    reason = models.TextField("理由", blank=True)
    details = models.JSONField("详情", default=dict)

    class Meta:
        verbose_name = "共享申请记录"
        verbose_name_plural = "共享申请记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.grant_id} {self.action} @ {self.at:%Y-%m-%d %H:%M}"
