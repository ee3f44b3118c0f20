"""Department systems, their webhook endpoints and the delivery log (issue 14, item 6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DepartmentSystem(models.Model):
    """A department's business system: a system account acting for one department.

    The account's API tokens are its credentials (``Authorization: Bearer``);
    its staff posts, limited to this department, are its data scope, so it
    sees and acts on that department's cases only, through the same services
    the workbench uses.
    """

    name = models.CharField("系统名称", max_length=100)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="department_system",
        verbose_name="系统账号",
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="department_systems",
        verbose_name="所属部门",
    )
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "部门业务系统"
        verbose_name_plural = "部门业务系统"

    def __str__(self) -> str:
        return self.name


class WebhookEndpoint(models.Model):
    """Where a system wants to be told of its department's events, signed with its secret."""

    system = models.ForeignKey(
        DepartmentSystem, on_delete=models.CASCADE, related_name="endpoints", verbose_name="系统"
    )
    url = models.URLField("接收地址", max_length=500)
    # SM4-GCM encrypted (core.crypto): the platform must sign with it, so it is not hashed.
    secret_enc = models.TextField("签名密钥（密文）")
    events = models.JSONField("订阅事件", default=list, blank=True, help_text="留空表示全部")
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "事件推送地址"
        verbose_name_plural = "事件推送地址"

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待推送"
    DELIVERED = "delivered", "已送达"
    FAILED = "failed", "失败（等待重试）"
    DEAD = "dead", "已放弃"


class WebhookDelivery(models.Model):
    """One event for one endpoint, and what happened to it (the delivery log)."""

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name="接收地址",
    )
    event = models.CharField("事件", max_length=60)
    event_id = models.UUIDField("事件标识")
    payload = models.JSONField("内容")
    status = models.CharField(
        "状态", max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_status_code = models.PositiveSmallIntegerField("最近响应码", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间")
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    replay_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replays",
        verbose_name="重放自",
    )

    class Meta:
        verbose_name = "推送记录"
        verbose_name_plural = "推送记录"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"],
                condition=models.Q(replay_of__isnull=True),
                name="webhook_delivery_once",
            )
        ]
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"
