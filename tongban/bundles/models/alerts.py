"""Alerts of the lead department's desk (牵头部门督办): an 一件事 near or past its
one deadline, or one of its members near or past the clock it runs on.

Kept by bundles as the hotline keeps its own (``hotline.HotlineAlert``) and read
by ``supervision.bundles`` with the caller's scope. Raised, changed and resolved
only by ``services.alerts.bundle_alerts_sweep``; at most one open alert per
(application, member), the bundle's own under the member key "".

An alert is on the desk of every department in its :class:`BundleAlertRecipient`
rows: every lead department of the bundle, and for a member's alert also the
department handling that member (a cooperating department). ``department`` is
the first lead department, kept as the alert's "owner" for the API's label.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class BundleAlertLevel(models.TextChoices):
    YELLOW = "yellow", "黄色预警"
    RED = "red", "红色预警"


class BundleAlert(models.Model):
    application = models.ForeignKey(
        "bundles.BundleApplication",
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name="一件事申请",
    )
    member_key = models.CharField("事项", max_length=40, blank=True)
    member_name = models.CharField("事项名称", max_length=200, blank=True)
    case_no = models.CharField("办件编号", max_length=32, blank=True)
    phase = models.CharField("期限类型", max_length=40)
    level = models.CharField("预警等级", max_length=8, choices=BundleAlertLevel.choices)
    deadline = models.DateField("期限")
    working_days_left = models.IntegerField("剩余工作日")
    message = models.CharField("预警内容", max_length=300)
    # The lead department's desk: copied so that scoped lists need no join.
    region_path = models.CharField("区划路径", max_length=120)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="牵头部门"
    )
    raised_at = models.DateTimeField("发出时间")
    level_changed_at = models.DateTimeField("等级变更时间")
    resolved_at = models.DateTimeField("解除时间", null=True, blank=True)
    resolution = models.CharField("解除原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "一件事预警"
        verbose_name_plural = "一件事预警"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "member_key"],
                condition=Q(resolved_at__isnull=True),
                name="bundle_alert_one_open",
            )
        ]
        indexes = [
            models.Index(
                fields=["deadline", "id"],
                condition=Q(resolved_at__isnull=True),
                name="bundle_alert_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.member_key or '一件事'} {self.level}"


class BundleAlertRecipient(models.Model):
    """A desk an alert is delivered to (牵头部门, or the 配合部门 of its member)."""

    alert = models.ForeignKey(BundleAlert, on_delete=models.CASCADE, related_name="recipients")
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="接收部门"
    )
    lead = models.BooleanField("牵头部门", default=False)

    class Meta:
        verbose_name = "一件事预警接收部门"
        verbose_name_plural = "一件事预警接收部门"
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "department"], name="bundle_alert_recipient_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.department_id}"
