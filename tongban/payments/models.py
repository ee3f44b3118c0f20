"""Unified online payment of fees (统一网上支付, R-PL-6).

A **fee rule** (收费规则) makes one fee of a guide (``catalog.content.Fee``: name,
收费标准 as text, 收费依据) computable: a fixed amount, a price per unit read
from the application form, or a table keyed by a form answer, with waivers
(减免) whose conditions are form answers. When a case is accepted (or
submitted, where the rule says so) the rules give the **payment order**
(缴款通知书): integer fen, a 20-digit payment code with its check digit
(docs/payments.md), the payee department and a due date counted in working
days. The payer pays through a **provider** (providers/); the provider's
signed callbacks, status queries and daily statement move the order through
``workflow.TRANSITIONS`` and are reconciled (对账) day by day.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class AmountRule(models.TextChoices):
    FIXED = "fixed", "固定金额"
    PER_UNIT = "per_unit", "按数量计费"
    TABLE = "table", "按标准表计费"


class AssessStage(models.TextChoices):
    ACCEPTANCE = "acceptance", "受理时计费"
    SUBMISSION = "submission", "提交时计费"


# Not a stored stage: a case decided at once (即办件, 告知承诺) owes both stages' fees.
AT_ONCE = "at_once"
# A 即办件 denied on the spot: the acceptance-stage fees it is not charged are lifted.
AT_ONCE_DENIED = "at_once_denied"


class PayBefore(models.TextChoices):
    """The step a fee must be paid before (收费环节 of the guide)."""

    ACCEPTANCE = "acceptance", "受理前缴清"
    DELIVERY = "delivery", "送达前缴清"


class FeeRule(models.Model):
    """The computable form of one fee (收费项目) of a service item's guide."""

    service_item = models.ForeignKey(
        "catalog.ServiceItem", on_delete=models.CASCADE, related_name="fee_rules",
        verbose_name="事项",
    )  # fmt: skip
    fee_name = models.CharField(
        "收费项目", max_length=200, help_text="与办事指南的收费项目名称一致"
    )
    basis = models.CharField("收费依据", max_length=200)
    rule = models.CharField("计费方式", max_length=10, choices=AmountRule.choices)
    # FIXED: the amount; PER_UNIT: the price of one unit. Integer fen (分).
    amount_fen = models.PositiveBigIntegerField("金额（分）", default=0)
    unit_label = models.CharField("计量单位", max_length=20, blank=True)
    # PER_UNIT: the form field holding the quantity; TABLE: the field whose answer keys the table.
    form_field = models.CharField("表单字段", max_length=40, blank=True)
    # TABLE: [{"value": "一类", "label": "一类企业", "amount_fen": 50000}, …]
    table = models.JSONField("标准表", default=list, blank=True)
    # [{"field": "disabled", "equals": "true", "percent": 100, "label": "残疾人免收"}, …]
    waivers = models.JSONField("减免规则", default=list, blank=True)
    stage = models.CharField(
        "计费时点", max_length=12, choices=AssessStage.choices, default=AssessStage.ACCEPTANCE
    )
    # A submission-stage fee may be due before the case is accepted (缴费后受理);
    # every fee is due before the result is delivered.
    pay_before = models.CharField(
        "缴费环节", max_length=12, choices=PayBefore.choices, default=PayBefore.DELIVERY
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "收费规则"
        verbose_name_plural = "收费规则"
        ordering = ["service_item_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_item", "fee_name"], name="pay_feerule_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fee_name}（{self.get_rule_display()}）"


class OrderStatus(models.TextChoices):
    CREATED = "created", "待缴款"
    PENDING = "pending", "支付中"
    PAID = "paid", "已缴款"
    FAILED = "failed", "支付失败"
    EXPIRED = "expired", "已逾期"
    CANCELLED = "cancelled", "已撤销"
    PART_REFUNDED = "part_refunded", "部分退款"
    REFUNDED = "refunded", "已退款"


UNPAID_STATUSES = (OrderStatus.CREATED, OrderStatus.PENDING, OrderStatus.FAILED)
SETTLED_STATUSES = (OrderStatus.PAID, OrderStatus.PART_REFUNDED, OrderStatus.REFUNDED)


class PaymentOrder(models.Model):
    """缴款通知书: what one payer owes one payee department, and its payment."""

    payment_code = models.CharField("缴款码", max_length=20, unique=True)
    version = models.PositiveIntegerField("版本", default=1)
    status = models.CharField(
        "状态", max_length=16, choices=OrderStatus.choices, default=OrderStatus.CREATED
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True,
        related_name="payment_orders", verbose_name="办件",
    )  # fmt: skip
    # Idempotency: one order per source ("case:<no>:<stage>", "key:<Idempotency-Key>").
    source_key = models.CharField("来源键", max_length=120, unique=True)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="payment_orders",
        verbose_name="执收单位",
    )  # fmt: skip
    region_path = models.CharField("区划路径", max_length=120, db_index=True)
    payer_name = models.CharField("缴款人", max_length=200)
    payer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="payment_orders", verbose_name="缴款账户",
    )  # fmt: skip
    amount_fen = models.PositiveBigIntegerField("应缴金额（分）")
    paid_fen = models.PositiveBigIntegerField("实缴金额（分）", default=0)
    refunded_fen = models.PositiveBigIntegerField("已退金额（分）", default=0)
    lines = models.JSONField("收费明细", default=list)
    # The step of the case that waits for this order (the strictest of its rules).
    pay_before = models.CharField(
        "缴费环节", max_length=12, choices=PayBefore.choices, default=PayBefore.DELIVERY
    )
    due_on = models.DateField("缴款期限")
    provider = models.CharField("支付渠道", max_length=20, blank=True)
    provider_txn = models.CharField("渠道交易号", max_length=64, blank=True, db_index=True)
    channel = models.CharField("缴款方式", max_length=10, default="online")
    created_at = models.DateTimeField("开具时间")
    pending_at = models.DateTimeField("发起支付时间", null=True, blank=True)
    paid_at = models.DateTimeField("缴款时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    alerted_on = models.DateField("逾期提醒日期", null=True, blank=True)

    class Meta:
        verbose_name = "缴款通知书"
        verbose_name_plural = "缴款通知书"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(refunded_fen__lte=F("paid_fen")), name="pay_order_refund_le_paid"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "pending_at"], name="pay_order_status_pending"),
            models.Index(fields=["status", "due_on"], name="pay_order_status_due"),
            models.Index(fields=["paid_at"], name="pay_order_paid_at"),
        ]

    def __str__(self) -> str:
        return self.payment_code


class OrderEvent(models.Model):
    """The history of an order: one row per transition (CONVENTIONS 4)."""

    order = models.ForeignKey(
        PaymentOrder, on_delete=models.CASCADE, related_name="events", verbose_name="缴款通知书"
    )
    at = models.DateTimeField("时间")
    actor_label = models.CharField("操作人", max_length=200, blank=True)
    action = models.CharField("操作", max_length=30)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16, blank=True)
    details = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "缴款记录"
        verbose_name_plural = "缴款记录"
        ordering = ["order_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.action}"


class CodeCounter(models.Model):
    """The sequence of payment codes of one region and year."""

    region_code = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="pay_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.region_code}/{self.year}: {self.last}"


class NotifyOutcome(models.TextChoices):
    APPLIED = "applied", "已处理"
    DUPLICATE = "duplicate", "重复通知"
    STALE = "stale", "过时通知（未改变状态）"
    FORGED = "forged", "签名无效，已拒绝"
    UNKNOWN_ORDER = "unknown_order", "订单不存在"
    AFTER_CLOSE = "after_close", "关闭后到账，待对账处理"
    AMOUNT_DIFFERS = "amount_differs", "金额不符，待对账处理"


class Notification(models.Model):
    """Every callback received from a provider, kept as received (forged ones too)."""

    provider = models.CharField("支付渠道", max_length=20)
    notify_id = models.CharField("通知编号", max_length=64, blank=True)
    payment_code = models.CharField("缴款码", max_length=20, blank=True, db_index=True)
    received_at = models.DateTimeField("接收时间")
    body = models.TextField("报文")
    signature = models.CharField("签名", max_length=200, blank=True)
    outcome = models.CharField("处理结果", max_length=16, choices=NotifyOutcome.choices)
    address = models.CharField("来源地址", max_length=64, blank=True)

    class Meta:
        verbose_name = "支付通知"
        verbose_name_plural = "支付通知"
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.provider} {self.notify_id} {self.outcome}"


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", "待审批"
    REJECTED = "rejected", "已驳回"
    DONE = "done", "已退款"


class Refund(models.Model):
    """退款: asked for with a reason, approved by another person, then paid back."""

    order = models.ForeignKey(
        PaymentOrder, on_delete=models.PROTECT, related_name="refunds", verbose_name="缴款通知书"
    )
    amount_fen = models.PositiveBigIntegerField("退款金额（分）")
    reason = models.CharField("退款原因", max_length=500)
    status = models.CharField(
        "状态", max_length=10, choices=RefundStatus.choices, default=RefundStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="审批人",
    )  # fmt: skip
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=500, blank=True)
    provider_refund_id = models.CharField("渠道退款号", max_length=64, blank=True)
    # What asked for it when the platform did (e.g. ``case:<case_no>:denied``,
    # a 即办件 denied on the spot after its fee was paid); empty when a person
    # did. One refund per source, however often the source is replayed.
    source_key = models.CharField("自动申请来源", max_length=80, blank=True)

    class Meta:
        verbose_name = "退款"
        verbose_name_plural = "退款"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="pay_refund_positive"),
            models.UniqueConstraint(
                fields=["source_key"], condition=~Q(source_key=""), name="pay_refund_source_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} −{self.amount_fen}"


class DayStatus(models.TextChoices):
    MISMATCHED = "mismatched", "有差异"
    CLOSED = "closed", "已轧账"


class StatementDay(models.Model):
    """One provider's statement (对账单) of one day, as imported and matched."""

    provider = models.CharField("支付渠道", max_length=20)
    day = models.DateField("对账日期")
    status = models.CharField("状态", max_length=12, choices=DayStatus.choices)
    lines = models.PositiveIntegerField("明细笔数")
    total_fen = models.BigIntegerField("合计金额（分）")
    digest = models.CharField("文件摘要（SM3）", max_length=64)
    imported_at = models.DateTimeField("导入时间")
    imported_by = models.CharField("导入人", max_length=200)
    closed_at = models.DateTimeField("轧账时间", null=True, blank=True)

    class Meta:
        verbose_name = "对账日"
        verbose_name_plural = "对账日"
        ordering = ["-day", "provider"]
        constraints = [models.UniqueConstraint(fields=["provider", "day"], name="pay_day_unique")]

    def __str__(self) -> str:
        return f"{self.provider} {self.day}"


class MismatchKind(models.TextChoices):
    MISSING_THERE = "missing_there", "本地已缴、渠道无记录"
    MISSING_HERE = "missing_here", "渠道有记录、本地未缴"
    AMOUNT_DIFFERS = "amount_differs", "金额不符"
    UNKNOWN_ORDER = "unknown_order", "缴款码不存在"


class Mismatch(models.Model):
    """A difference found by reconciliation, until finance staff resolve it."""

    day = models.ForeignKey(
        StatementDay, on_delete=models.CASCADE, related_name="mismatches", verbose_name="对账日"
    )
    kind = models.CharField("差异类型", max_length=16, choices=MismatchKind.choices)
    payment_code = models.CharField("缴款码", max_length=40)
    order = models.ForeignKey(
        PaymentOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="mismatches",
        verbose_name="缴款通知书",
    )  # fmt: skip
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="执收单位",
    )  # fmt: skip
    ours_fen = models.BigIntegerField("本地金额（分）", null=True, blank=True)
    theirs_fen = models.BigIntegerField("渠道金额（分）", null=True, blank=True)
    line_no = models.PositiveIntegerField("对账单行号", null=True, blank=True)
    resolution = models.CharField("处理说明", max_length=500, blank=True)
    resolved_by = models.CharField("处理人", max_length=200, blank=True)
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "对账差异"
        verbose_name_plural = "对账差异"
        ordering = ["day_id", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.payment_code}"


class Receipt(models.Model):
    """财政电子票据 style receipt of a paid order; verified by number + check code."""

    order = models.OneToOneField(
        PaymentOrder, on_delete=models.PROTECT, related_name="receipt", verbose_name="缴款通知书"
    )
    number = models.CharField("票据号码", max_length=20, unique=True)
    check_code = models.CharField("校验码", max_length=12)
    issued_at = models.DateTimeField("开票时间")
    digest = models.CharField("票面摘要（SM3）", max_length=64)

    class Meta:
        verbose_name = "电子票据"
        verbose_name_plural = "电子票据"

    def __str__(self) -> str:
        return self.number


# --- the simulated provider's own ledger (providers/simulated.py) -------------


class SimStatus(models.TextChoices):
    WAITING = "waiting", "待支付"
    SUCCESS = "success", "支付成功"
    CLOSED = "closed", "已关闭"


class SimTransaction(models.Model):
    """What the simulated provider knows: its side of a payment, as a bank keeps it."""

    txn_id = models.CharField(max_length=32, unique=True)
    payment_code = models.CharField(max_length=20, db_index=True)
    amount_fen = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=SimStatus.choices)
    created_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True, db_index=True)
    refunded_fen = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return self.txn_id


class SimRefund(models.Model):
    refund_id = models.CharField(max_length=32, unique=True)
    txn = models.ForeignKey(SimTransaction, on_delete=models.CASCADE, related_name="refunds")
    amount_fen = models.PositiveBigIntegerField()
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.refund_id


class SimCallback(models.Model):
    """A callback the simulated provider will send (late, twice, or never)."""

    body = models.TextField()
    signature = models.CharField(max_length=200)
    deliver_after = models.DateTimeField(db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    dropped = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"callback {self.pk}"
