"""Joint procedures (R-CS-9): one scheduled event, the departments taking part,
one combined opinion (联合图审、联合测绘、联合踏勘、联合验收)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class JointStatus(models.TextChoices):
    SCHEDULED = "scheduled", "已安排"
    CONCLUDED = "concluded", "已形成联合意见"
    CANCELLED = "cancelled", "已取消"


class JointResult(models.TextChoices):
    AGREE = "agree", "同意"
    CONDITIONS = "conditions", "有条件同意"
    DISAGREE = "disagree", "不同意"


class JointProcedure(models.Model):
    application = models.ForeignKey(
        "bundles.BundleApplication",
        on_delete=models.PROTECT,
        related_name="joint_procedures",
        verbose_name="一件事申请",
    )
    kind = models.CharField("类型", max_length=24)
    title = models.CharField("名称", max_length=200)
    scheduled_at = models.DateTimeField("时间")
    place = models.CharField("地点", max_length=200)
    organiser = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="组织部门"
    )
    status = models.CharField("状态", max_length=16, choices=JointStatus.choices)
    # 行政许可法 第四十五条: 现场勘验 and 专家评审 time is not counted: the
    # taking-part cases under review are suspended from the day it is held.
    suspends_clocks = models.BooleanField("计入特别程序（中止计时）", default=True)
    outcome = models.CharField(
        "联合意见结论", max_length=16, choices=JointResult.choices, blank=True
    )
    combined_opinion = models.TextField("联合意见", blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    concluded_at = models.DateTimeField("形成意见时间", null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "联合办理"
        verbose_name_plural = "联合办理"
        ordering = ["scheduled_at", "id"]

    def __str__(self) -> str:
        return f"{self.title} {self.scheduled_at:%Y-%m-%d}"


class JointParticipant(models.Model):
    procedure = models.ForeignKey(
        JointProcedure, on_delete=models.CASCADE, related_name="participants"
    )
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        "bundles.BundleMember", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    result = models.CharField("意见", max_length=16, choices=JointResult.choices, blank=True)
    opinion = models.TextField("意见说明", blank=True)
    recorded_at = models.DateTimeField("签署时间", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "联合办理参与部门"
        verbose_name_plural = "联合办理参与部门"
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "department"], name="joint_participant_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.department_id} {self.result}"
