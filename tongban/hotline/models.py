"""12345 work orders (工单) from intake to archive (DESIGN §3, R-HL-1…6).

Vocabulary after GB/T 33358 (政务服务便民热线): 登记, 直办, 派单, 签收, 退单,
办结 (答复), 回访, 归档; 督办 with an escalation level. The clock facts
(``registered_at``, ``dispatched_at`` …) are stored; the due times are derived
from them by ``deadlines`` and stored for queries and alerts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    PHONE = "phone", "电话"
    WEB = "web", "网站"
    MOBILE = "mobile", "移动端"
    WECHAT = "wechat", "微信"
    EMAIL = "email", "电子邮件"
    APP = "app", "12345 App"


class Kind(models.TextChoices):
    CONSULTATION = "consultation", "咨询"
    REQUEST = "request", "求助"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"
    SUGGESTION = "suggestion", "建议"
    PRAISE = "praise", "表扬"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"


class Emergency(models.TextChoices):
    """Emergency services a call is handed over to, not processed as an order (R-HL-1)."""

    POLICE = "110", "110 报警"
    FIRE = "119", "119 火警"
    AMBULANCE = "120", "120 急救"
    TRAFFIC = "122", "122 交通事故"


class OrderStatus(models.TextChoices):
    REGISTERED = "registered", "已登记（待派单）"
    ANSWERED = "answered", "已直接答复"
    HANDED_OVER = "handed_over", "已移交应急"
    DISPATCHED = "dispatched", "已派单（待签收）"
    ACKNOWLEDGED = "acknowledged", "已签收（办理中）"
    RETURNED = "returned", "已退单（待审核）"
    REPLIED = "replied", "已办结（待回访）"
    REVISITED = "revisited", "已回访"
    ARCHIVED = "archived", "已归档"
    MERGED = "merged", "已并案"


OPEN_STATUSES = (
    OrderStatus.REGISTERED,
    OrderStatus.DISPATCHED,
    OrderStatus.ACKNOWLEDGED,
    OrderStatus.RETURNED,
)
HANDLED_STATUSES = (OrderStatus.REPLIED, OrderStatus.REVISITED, OrderStatus.ARCHIVED)


class ExtensionStatus(models.TextChoices):
    NONE = "", "无"
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "未批准"


class Category(models.Model):
    """A node of the category tree (诉求分类); leaves are what orders carry.

    The limits are per category; empty means the setting's default
    (R-HL-3: dispatch in 1 working day, handling in 5)."""

    code = models.CharField("分类编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=60)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级分类",
    )
    path = models.CharField("路径", max_length=200, unique=True)
    description = models.CharField("说明", max_length=300, blank=True)
    dispatch_working_days = models.PositiveSmallIntegerField(
        "派单时限（工作日）", null=True, blank=True
    )
    handle_working_days = models.PositiveSmallIntegerField(
        "办理时限（工作日）", null=True, blank=True
    )
    urgent_handle_hours = models.PositiveSmallIntegerField(
        "紧急件办理时限（小时）", null=True, blank=True
    )
    # R-HL-6: business-environment complaints go to the 企业投诉 centre.
    business_environment = models.BooleanField("营商环境类", default=False)
    active = models.BooleanField("启用", default=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "诉求分类"
        verbose_name_plural = "诉求分类"
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RoutingRule(models.Model):
    """Orders of ``category`` located in ``region`` (or beneath it) go to ``department``."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="routing_rules", verbose_name="分类"
    )
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="+", verbose_name="区划"
    )
    region_path = models.CharField("区划路径", max_length=200)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="承办单位"
    )

    class Meta:
        verbose_name = "派单规则"
        verbose_name_plural = "派单规则"
        constraints = [
            models.UniqueConstraint(fields=["category", "region"], name="hotline_rule_once")
        ]

    def __str__(self) -> str:
        return f"{self.category_id}@{self.region_id} → {self.department_id}"


class WorkOrder(models.Model):
    """12345 工单."""

    order_no = models.CharField("工单编号", max_length=24, unique=True)
    version = models.PositiveIntegerField("版本", default=1)
    channel = models.CharField("渠道", max_length=12, choices=Channel.choices)
    kind = models.CharField("诉求类型", max_length=16, choices=Kind.choices)
    urgency = models.CharField(
        "紧急程度", max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField("状态", max_length=16, choices=OrderStatus.choices, db_index=True)
    emergency = models.CharField(
        "移交应急", max_length=3, choices=Emergency.choices, blank=True, default=""
    )
    # The caller (来电人): may be anonymous; the phone only encrypted (R-SC-1).
    caller_anonymous = models.BooleanField("匿名", default=False)
    caller_name = models.CharField("来电人", max_length=60, blank=True)
    caller_phone_enc = models.TextField("联系电话（密文）", blank=True)
    caller_phone_token = models.CharField("联系电话检索令牌", max_length=64, blank=True)
    caller_phone_masked = models.CharField("联系电话（脱敏）", max_length=20, blank=True)
    caller_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name="提交账号",
    )
    caller_company = models.CharField("来电企业", max_length=200, blank=True)
    title = models.CharField("标题", max_length=100)
    content = models.TextField("诉求内容")
    # jieba words of title and content: knowledge hints, hot topics, routing.
    content_tokens = models.TextField("分词", blank=True)
    subject_name = models.CharField("被反映对象", max_length=200, blank=True)
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="+", verbose_name="诉求地点（区划）"
    )
    region_path = models.CharField("区划路径", max_length=200)
    address = models.CharField("详细地址", max_length=300, blank=True)
    address_key = models.CharField("地址归一", max_length=120, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name="诉求分类",
    )
    suggested_category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="建议分类",
    )
    suggested_department = models.ForeignKey(
        "org.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="建议承办单位",
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name="承办单位",
    )
    # Facts of the clock.
    registered_at = models.DateTimeField("登记时间")
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    replied_at = models.DateTimeField("办结时间", null=True, blank=True)
    revisited_at = models.DateTimeField("回访时间", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    first_dispatched_at = models.DateTimeField("首次派单时间", null=True, blank=True)
    # Derived due times (deadlines.py), stored for the queue and the alerts.
    dispatch_due_at = models.DateTimeField("派单时限", null=True, blank=True)
    handle_due_at = models.DateTimeField("办理时限", null=True, blank=True)
    handle_limit = models.JSONField("办理时限规则", default=dict, blank=True)
    provisional_year = models.PositiveSmallIntegerField("暂定日历年度", null=True, blank=True)
    # Extension (延期): asked by the department, decided by the centre.
    extension_status = models.CharField(
        "延期状态", max_length=10, choices=ExtensionStatus.choices, blank=True, default=""
    )
    extension_requested_days = models.PositiveSmallIntegerField("申请延期工作日", default=0)
    extension_reason = models.CharField("延期理由", max_length=500, blank=True)
    extended_working_days = models.PositiveSmallIntegerField("已批准延期工作日", default=0)
    # Answer (办结 or 直办).
    reply_text = models.TextField("答复内容", blank=True)
    reply_action = models.TextField("处理情况", blank=True)
    cited_articles = models.JSONField("引用知识", default=list, blank=True)
    # Revisit (回访).
    solved = models.BooleanField("是否解决", null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField("满意度", null=True, blank=True)
    revisit_note = models.CharField("回访记录", max_length=500, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    return_count = models.PositiveSmallIntegerField("退单次数", default=0)
    # 督办: raised by the centre or, on overdue, by the scheduler.
    escalation_level = models.PositiveSmallIntegerField("督办等级", default=0)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name="并入工单",
    )
    open311_token = models.CharField("Open311 令牌", max_length=40, blank=True)
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "12345 工单"
        verbose_name_plural = "12345 工单"
        indexes = [
            # The dispatcher's queue: least time left first.
            models.Index(
                fields=["dispatch_due_at", "id"],
                name="hotline_dispatch_queue",
                condition=Q(status__in=["registered", "returned"]),
            ),
            models.Index(
                fields=["department", "status", "handle_due_at"], name="hotline_department_queue"
            ),
            models.Index(fields=["region_path", "registered_at"], name="hotline_region_time"),
            models.Index(fields=["registered_at"], name="hotline_registered"),
            models.Index(
                fields=["caller_phone_token", "registered_at"], name="hotline_caller_time"
            ),
            models.Index(fields=["caller_user", "-registered_at", "-id"], name="hotline_mine"),
            models.Index(fields=["open311_token"], name="hotline_open311_token"),
        ]

    def __str__(self) -> str:
        return f"{self.order_no} {self.title}"


class WorkOrderEvent(models.Model):
    """History of an order: every transition and every due-time change (appended)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    actor_label = models.CharField("操作人", max_length=200)
    action = models.CharField("操作", max_length=40)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16, blank=True)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="相关单位",
    )
    reason = models.TextField("理由", blank=True)
    details = models.JSONField("详情", default=dict)

    class Meta:
        verbose_name = "工单记录"
        verbose_name_plural = "工单记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.action} {self.at}"


class WorkOrderAttachment(models.Model):
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to="hotline/%Y/%m/")
    file_name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("文件类型", max_length=60)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField("摘要", max_length=64)
    added_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "工单附件"
        verbose_name_plural = "工单附件"
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.file_name}"


class OrderNumberSequence(models.Model):
    region_code = models.CharField(max_length=6)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "day"], name="hotline_number_day")
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.day}: {self.last}"


class KnowledgeArticle(models.Model):
    """知识库: an answer with its validity, searchable in Chinese, citable in replies."""

    code = models.CharField("编号", max_length=20, unique=True)
    title = models.CharField("标题", max_length=120)
    question = models.TextField("常见问题", blank=True)
    answer = models.TextField("答复口径")
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name="分类",
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提供单位",
    )
    region_path = models.CharField("适用区划路径", max_length=200, blank=True)
    source = models.CharField("依据", max_length=300, blank=True)
    tokens = models.TextField("分词", blank=True)
    valid_from = models.DateField("生效日期")
    valid_until = models.DateField("失效日期", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "知识库条目"
        verbose_name_plural = "知识库条目"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class AlertKind(models.TextChoices):
    DISPATCH = "dispatch", "派单时限"
    HANDLE = "handle", "办理时限"


class AlertLevel(models.TextChoices):
    YELLOW = "yellow", "黄色预警"
    RED = "red", "红色预警"


class HotlineAlert(models.Model):
    """One clock of one order near (yellow) or past (red) its due time."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField("预警类型", max_length=10, choices=AlertKind.choices)
    level = models.CharField("预警等级", max_length=8, choices=AlertLevel.choices)
    due_at = models.DateTimeField("时限")
    message = models.CharField("预警内容", max_length=300)
    region_path = models.CharField("区划路径", max_length=200)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="承办单位",
    )
    raised_at = models.DateTimeField("发出时间")
    level_changed_at = models.DateTimeField("等级变更时间")
    resolved_at = models.DateTimeField("解除时间", null=True, blank=True)
    resolution = models.CharField("解除原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "热线预警"
        verbose_name_plural = "热线预警"
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=Q(resolved_at__isnull=True),
                name="hotline_alert_one_open",
            )
        ]
        indexes = [
            models.Index(
                fields=["due_at", "id"],
                condition=Q(resolved_at__isnull=True),
                name="hotline_alert_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.level}"


class RoutingModel(models.Model):
    """A trained routing classifier (word counts per category) and its evaluation."""

    trained_at = models.DateTimeField("训练时间")
    samples = models.PositiveIntegerField("训练样本数")
    data = models.JSONField("模型")
    evaluation = models.JSONField("评估", default=dict, blank=True)

    class Meta:
        verbose_name = "派单模型"
        verbose_name_plural = "派单模型"
        ordering = ["-trained_at", "-id"]

    def __str__(self) -> str:
        return f"routing model {self.trained_at} ({self.samples})"
