"""上门服务 and 帮办代办 requests (R-CS-10, R-HA-5); imported by ``models``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class RequestKind(models.TextChoices):
    HOME_VISIT = "home_visit", "上门服务"
    PROXY = "proxy", "帮办代办"


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    ASSIGNED = "assigned", "已指派"
    DONE = "done", "已办结"
    DECLINED = "declined", "不予办理"
    CANCELLED = "cancelled", "已撤销"


OPEN_REQUEST = (RequestStatus.SUBMITTED, RequestStatus.ASSIGNED)


class ServiceRequest(models.Model):
    """上门服务 or 帮办代办 asked of a hall or service point (R-CS-10, R-HA-5, 002 #30).

    A person who cannot come asks for a home visit, or asks the point's staff to
    apply on her behalf; the hall assigns a clerk, who completes it (with the
    case taken in, if any) or declines it with the reason. The authorization a
    帮办代办 rests on is recorded.
    """

    code = models.CharField("编号", max_length=20, unique=True)
    kind = models.CharField("类型", max_length=12, choices=RequestKind.choices)
    hall = models.ForeignKey(
        "org.Hall", on_delete=models.PROTECT, related_name="service_requests", verbose_name="服务点"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name="申请人",
    )
    service_item = models.ForeignKey(
        "catalog.ServiceItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="办理事项",
    )
    reason = models.CharField("原因", max_length=200, help_text="如：行动不便、年老体弱、重病")
    address = models.CharField("上门地址", max_length=200, blank=True)
    authorization = models.CharField(
        "委托说明", max_length=200, blank=True, help_text="帮办代办：委托的事项与范围"
    )
    preferred_date = models.DateField("希望日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_service_requests",
        verbose_name="承办人",
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="受理的办件",
    )
    answer = models.CharField("处理说明", max_length=500, blank=True)
    created_at = models.DateTimeField("提交时间")
    changed_at = models.DateTimeField("变更时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "上门服务与帮办代办"
        verbose_name_plural = "上门服务与帮办代办"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open request per person, point and kind (no double asking).
            models.UniqueConstraint(
                fields=["person", "hall", "kind"],
                condition=Q(status__in=["submitted", "assigned"]),
                name="appt_request_one_open",
            )
        ]
        indexes = [
            models.Index(fields=["hall", "status", "created_at"], name="appt_request_hall"),
            models.Index(fields=["person", "created_at"], name="appt_request_person"),
        ]

    def __str__(self) -> str:
        return self.code


class ServiceRequestEvent(models.Model):
    """The history of a request: who moved it from which state to which, and why."""

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="events", verbose_name="申请"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12)
    note = models.CharField("说明", max_length=500, blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "申请记录"
        verbose_name_plural = "申请记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.from_status}→{self.to_status}"
