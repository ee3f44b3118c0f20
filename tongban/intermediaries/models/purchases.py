"""Purchases of intermediary services (中介服务采购, R-IM-2) and their history."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SelectionMethod(models.TextChoices):
    DIRECT = "direct", "直接选取"
    RANDOM = "random", "随机抽取"
    COMPETITIVE = "competitive", "竞价选取"
    QUALITY = "quality", "质量优先"


class PurchaseStatus(models.TextChoices):
    SIGNUP = "signup", "报名中"
    SELECTING = "selecting", "待选取"
    PUBLICITY = "publicity", "结果公示"
    CONTRACTED = "contracted", "服务中"
    DELIVERED = "delivered", "待评价"
    RATED = "rated", "已评价"
    FAILED = "failed", "采购失败"
    CANCELLED = "cancelled", "已撤销"


class Purchase(models.Model):
    """A purchase: published, signed up for, selected, publicized, contracted, delivered, rated."""

    code = models.CharField("采购编号", max_length=24, unique=True)
    title = models.CharField("项目名称", max_length=200)
    service_type = models.ForeignKey(
        "intermediaries.ServiceType", on_delete=models.PROTECT, related_name="+"
    )
    buyer_entity = models.ForeignKey(
        "identity.LegalEntity", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    buyer_department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    buyer_name = models.CharField("采购人", max_length=200)
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField("区划路径", max_length=200, db_index=True)
    project_code = models.CharField("投资项目代码", max_length=24, blank=True, db_index=True)
    budget_fen = models.BigIntegerField("预算（分）")
    qualification = models.CharField("资质要求", max_length=100, blank=True)
    service_days = models.PositiveSmallIntegerField("服务时限（工作日）")
    method = models.CharField("选取方式", max_length=16, choices=SelectionMethod.choices)
    description = models.TextField("服务内容")
    status = models.CharField(
        "状态", max_length=16, choices=PurchaseStatus.choices, default=PurchaseStatus.SIGNUP
    )
    published_at = models.DateTimeField("发布时间", db_index=True)
    signup_closes_at = models.DateTimeField("报名截止时间")
    draw_public_id = models.UUIDField("随机抽取记录", null=True, blank=True)
    selected = models.ForeignKey(
        "intermediaries.PurchaseSignup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    selection_reason = models.CharField("选取理由", max_length=300, blank=True)
    selected_at = models.DateTimeField("选取时间", null=True, blank=True)
    publicity_ends_at = models.DateTimeField("公示截止时间", null=True, blank=True)
    contract_fen = models.BigIntegerField("合同金额（分）", null=True, blank=True)
    contracted_at = models.DateTimeField("合同确认时间", null=True, blank=True)
    service_due_on = models.DateField("服务期限", null=True, blank=True)
    alert_level = models.CharField("时限预警", max_length=8, blank=True)
    delivered_at = models.DateTimeField("服务完成时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "中介服务采购"
        verbose_name_plural = "中介服务采购"
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["-published_at", "-id"], name="im_purchase_public_list"),
            models.Index(fields=["status", "service_due_on"], name="im_purchase_due"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class SignupStatus(models.TextChoices):
    SIGNED_UP = "signed_up", "已报名"
    SELECTED = "selected", "选中"
    NOT_SELECTED = "not_selected", "未选中"
    EXCLUDED = "excluded", "不符合条件"


class PurchaseSignup(models.Model):
    """An agency's (or consortium's) sign-up for a purchase, with its price where asked."""

    purchase = models.ForeignKey(Purchase, on_delete=models.PROTECT, related_name="signups")
    agency = models.ForeignKey(
        "intermediaries.Agency", on_delete=models.PROTECT, related_name="signups"
    )
    consortium = models.ForeignKey(
        "intermediaries.Consortium", on_delete=models.PROTECT, null=True, blank=True
    )
    price_fen = models.BigIntegerField("报价（分）", null=True, blank=True)
    proposal = models.TextField("服务方案", blank=True)
    quality_score = models.PositiveSmallIntegerField("质量评分", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=SignupStatus.choices, default=SignupStatus.SIGNED_UP
    )
    exclusion_reason = models.CharField("不符合原因", max_length=300, blank=True)
    signed_up_at = models.DateTimeField("报名时间")
    signed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "报名"
        verbose_name_plural = "报名"
        ordering = ["signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["purchase", "agency"], name="im_signup_once")
        ]

    def __str__(self) -> str:
        return f"{self.purchase_id}:{self.agency_id}"


class PurchaseHistory(models.Model):
    """One transition of a purchase (append-only)."""

    purchase = models.ForeignKey(Purchase, on_delete=models.PROTECT, related_name="history")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.CharField(max_length=40)
    reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    UPHELD = "upheld", "异议成立"
    DISMISSED = "dismissed", "异议不成立"


class PurchaseObjection(models.Model):
    """An objection (异议) to a publicized result, filed within the publicity period."""

    purchase = models.ForeignKey(Purchase, on_delete=models.PROTECT, related_name="objections")
    filer_name = models.CharField("异议人", max_length=200)
    filer_entity = models.ForeignKey(
        "identity.LegalEntity", on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField("异议事由")
    filed_at = models.DateTimeField("提出时间")
    status = models.CharField(
        max_length=12, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING
    )
    answer = models.TextField("答复", blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "异议"
        verbose_name_plural = "异议"
        ordering = ["filed_at", "id"]

    def __str__(self) -> str:
        return f"{self.filer_name}：{self.get_status_display()}"
