"""Bundle applications (一件事申请): one submission, one member case per item."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ApplicationStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "办理中"
    READY = "ready", "待统一出件"
    DELIVERED = "delivered", "已出件"
    CONCLUDED = "concluded", "已办结"
    STOPPED = "stopped", "已终止"
    WITHDRAWN = "withdrawn", "已撤回"


class MemberStatus(models.TextChoices):
    WAITING = "waiting", "等待前置事项"
    RUNNING = "running", "办理中"
    RESULT = "result", "已出结果"
    REFUSED = "refused", "未获准予"
    STOPPED = "stopped", "因前置事项未获准予而终止"
    WITHDRAWN = "withdrawn", "已撤回"
    FAILED = "failed", "未能转办"


class DeliveryMethod(models.TextChoices):
    WINDOW = "window", "窗口统一出件"
    POST = "post", "邮寄送达"


class BundleApplication(models.Model):
    application_no = models.CharField("申请编号", max_length=24, unique=True)
    tracking_code = models.CharField("查询码", max_length=8)
    version = models.PositiveIntegerField("版本", default=1)
    bundle = models.ForeignKey(
        "bundles.Bundle", on_delete=models.PROTECT, related_name="applications"
    )
    bundle_version = models.ForeignKey(
        "bundles.BundleVersion", on_delete=models.PROTECT, related_name="applications"
    )
    region_path = models.CharField("区划路径", max_length=120, db_index=True)
    applicant_person = models.ForeignKey(
        "identity.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    applicant_entity = models.ForeignKey(
        "identity.LegalEntity", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agent_person = models.ForeignKey(
        "identity.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    applicant_name = models.CharField("申请人名称", max_length=200)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField("渠道", max_length=16)
    status = models.CharField("状态", max_length=16, choices=ApplicationStatus.choices)
    situations = models.JSONField("各事项情形", default=dict)
    # The merged form as shown (personal fields masked) and the personal fields
    # SM4-GCM encrypted (R-SC-1, ADR-0003), for the member cases made later.
    form_data = models.JSONField("申请表", default=dict)
    form_secret = models.JSONField("申请表敏感字段（密文）", default=dict, blank=True)
    received_at = models.DateTimeField("收件时间")
    received_on = models.DateField("收件日期")
    # One deadline for the applicant: the bundle's promised limit from receipt;
    # for joint handling also the statutory 45 working days (+15), 第四十二条第二款.
    deadline = models.DateField("承诺办结期限", null=True, blank=True)
    legal_deadline = models.DateField("法定办结期限", null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField("延长天数", default=0)
    extension_reason = models.CharField("延长理由", max_length=500, blank=True)
    extension_approver = models.CharField("批准延长的负责人", max_length=100, blank=True)
    ready_on = models.DateField("结果齐备日期", null=True, blank=True)
    delivery_method = models.CharField(
        "出件方式", max_length=16, choices=DeliveryMethod.choices, blank=True
    )
    tracking_no = models.CharField("邮寄单号", max_length=60, blank=True)
    delivered_on = models.DateField("出件日期", null=True, blank=True)
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)
    established_entity = models.ForeignKey(
        "identity.LegalEntity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="设立的市场主体",
    )
    project = models.ForeignKey(
        "bundles.InvestmentProject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name="投资项目",
    )
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "一件事申请"
        verbose_name_plural = "一件事申请"
        indexes = [
            models.Index(
                fields=["applicant_person", "-received_at", "-id"], name="bundle_app_person"
            ),
            models.Index(
                fields=["applicant_entity", "-received_at", "-id"], name="bundle_app_entity"
            ),
            models.Index(fields=["bundle", "status"], name="bundle_app_status"),
        ]

    def __str__(self) -> str:
        return f"{self.application_no} {self.applicant_name}"


class BundleMember(models.Model):
    """One member item of one application, and the case made for it."""

    application = models.ForeignKey(
        BundleApplication, on_delete=models.CASCADE, related_name="members"
    )
    key = models.CharField("事项标识", max_length=40)
    name = models.CharField("事项名称", max_length=200)
    position = models.PositiveSmallIntegerField("顺序")
    service_item = models.ForeignKey(
        "catalog.ServiceItem", on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="办理部门"
    )
    region_path = models.CharField("区划路径", max_length=120)
    depends_on = models.JSONField("前置事项", default=list)
    situation = models.CharField("情形", max_length=40, blank=True)
    status = models.CharField("状态", max_length=16, choices=MemberStatus.choices)
    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bundle_member",
        verbose_name="办件",
    )
    started_at = models.DateTimeField("转办时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    reason = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "一件事申请事项"
        verbose_name_plural = "一件事申请事项"
        ordering = ["application_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "key"], name="bundle_member_key")
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.key} ({self.status})"


class UploadKind(models.TextChoices):
    UPLOAD = "upload", "上传文件"
    DEFERRED = "deferred", "容缺后补"
    ASSESSMENT = "assessment", "区域评估成果"


class BundleUpload(models.Model):
    """A material of the merged list as supplied once, for every member asking."""

    application = models.ForeignKey(
        BundleApplication, on_delete=models.CASCADE, related_name="uploads"
    )
    material_key = models.CharField("材料标识", max_length=90)
    name = models.CharField("材料名称", max_length=200)
    kind = models.CharField("方式", max_length=16, choices=UploadKind.choices)
    file = models.FileField("文件", upload_to="bundle-materials/%Y/%m/", blank=True)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    size = models.PositiveIntegerField("大小", default=0)
    sha256 = models.CharField("摘要", max_length=64, blank=True)
    source_reference = models.CharField("来源", max_length=300, blank=True)
    supplied_at = models.DateTimeField("提交时间")

    class Meta:
        verbose_name = "一件事材料"
        verbose_name_plural = "一件事材料"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "material_key"], name="bundle_upload_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.name}"


class BundleApplicationEvent(models.Model):
    """The applicant's one timeline: the bundle's own steps and its members'."""

    application = models.ForeignKey(
        BundleApplication, on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField("操作人", max_length=200)
    action = models.CharField("操作", max_length=40)
    member_key = models.CharField("事项", max_length=40, blank=True)
    from_status = models.CharField("原状态", max_length=24, blank=True)
    to_status = models.CharField("新状态", max_length=24, blank=True)
    reason = models.TextField("说明", blank=True)
    details = models.JSONField("详情", default=dict)

    class Meta:
        verbose_name = "一件事办理记录"
        verbose_name_plural = "一件事办理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.action} {self.at}"


class NoticeStatus(models.TextChoices):
    OPEN = "open", "待补正"
    ANSWERED = "answered", "已补正"


class SupplementNotice(models.Model):
    """一次性告知 across departments: every member's supplement request of one
    round, in one notice to the applicant."""

    application = models.ForeignKey(
        BundleApplication, on_delete=models.CASCADE, related_name="supplement_notices"
    )
    number = models.PositiveSmallIntegerField("序号")
    status = models.CharField("状态", max_length=16, choices=NoticeStatus.choices)
    items = models.JSONField("补正内容", default=list)
    issued_at = models.DateTimeField("告知时间")
    answered_at = models.DateTimeField("补正时间", null=True, blank=True)

    class Meta:
        verbose_name = "一件事补正告知"
        verbose_name_plural = "一件事补正告知"
        ordering = ["application_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="bundle_notice_number"),
            models.UniqueConstraint(
                fields=["application"], condition=Q(status="open"), name="bundle_one_open_notice"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} #{self.number} ({self.status})"


class BundleNumberSequence(models.Model):
    """The last sequence number of application numbers per region and day."""

    region_code = models.CharField(max_length=6)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "day"], name="bundle_number_day")
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.day}: {self.last}"
