"""一对一专办 and 首席服务官 (R-CS-10, 002 #29): a named officer assigned to a key
project or to a business; imported by ``models``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class OfficerKind(models.TextChoices):
    CHIEF = "chief", "首席服务官"
    DEDICATED = "dedicated", "一对一专办"


class OfficerStatus(models.TextChoices):
    ACTIVE = "active", "在任"
    ENDED = "ended", "已结束"


class ServiceOfficer(models.Model):
    """One officer serving one business (统一社会信用代码) or one 投资项目, for a
    period and with the duties stated. ``credit_code`` is the business's, or the
    project owner's (项目单位), so that the business's space finds both in one
    indexed query. Reassigning keeps the row and appends a history row."""

    kind = models.CharField("服务方式", max_length=10, choices=OfficerKind.choices)
    legal_entity = models.ForeignKey(
        "identity.LegalEntity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="服务企业",
    )
    project = models.ForeignKey(
        "bundles.InvestmentProject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="重点项目",
    )
    credit_code = models.CharField("企业（项目单位）统一社会信用代码", max_length=18)
    region_path = models.CharField("区划路径", max_length=120)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="service_officer_assignments",
        verbose_name="服务专员",
    )
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="所在部门"
    )
    phone = models.CharField("办公电话", max_length=20)
    office = models.CharField("办公地点", max_length=100, blank=True)
    duties = models.CharField("服务内容", max_length=200)
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=8, choices=OfficerStatus.choices, default=OfficerStatus.ACTIVE
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="指派人"
    )
    created_at = models.DateTimeField("指派时间")
    changed_at = models.DateTimeField("变更时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "首席服务官与一对一专办"
        verbose_name_plural = "首席服务官与一对一专办"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A business or a project, never both, never neither.
            models.CheckConstraint(
                condition=Q(legal_entity__isnull=False, project__isnull=True)
                | Q(legal_entity__isnull=True, project__isnull=False),
                name="appt_officer_one_target",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="appt_officer_period",
            ),
        ]
        indexes = [
            models.Index(fields=["credit_code", "status"], name="appt_officer_business"),
            models.Index(fields=["officer", "status"], name="appt_officer_officer"),
            models.Index(fields=["project", "status"], name="appt_officer_project"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.officer_id} → {self.credit_code}"


class ServiceOfficerEvent(models.Model):
    """The history of an assignment: assigned, reassigned (with the note), ended."""

    assignment = models.ForeignKey(
        ServiceOfficer, on_delete=models.CASCADE, related_name="events", verbose_name="指派"
    )
    action = models.CharField("操作", max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="服务专员",
    )
    note = models.CharField("说明", max_length=200, blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "服务专员指派记录"
        verbose_name_plural = "服务专员指派记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.action}"
