"""Service points and window service (R-HA-1/2/5): the items handled at a hall or
point, and the clerk on duty at a window (亮牌).

A township 便民服务中心 or village 便民服务站 handles 就近办 items of its county
(实施主体 stays the county department): either it **receives and handles** them
(受理办理, entrusted) or it **collects** the application and forwards it (帮办代办,
收件代办). Imported by ``models`` so Django sees it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class PointHandling(models.TextChoices):
    HANDLE = "handle", "受理办理"
    COLLECT = "collect", "帮办代办（收件转交）"


class ServicePointItem(models.Model):
    hall = models.ForeignKey(
        "org.Hall", on_delete=models.CASCADE, related_name="point_items", verbose_name="服务点"
    )
    service_item = models.ForeignKey(
        "catalog.ServiceItem",
        on_delete=models.CASCADE,
        related_name="service_points",
        verbose_name="事项",
    )
    handling = models.CharField(
        "办理方式", max_length=10, choices=PointHandling.choices, default=PointHandling.HANDLE
    )

    class Meta:
        verbose_name = "服务点可办事项"
        verbose_name_plural = "服务点可办事项"
        ordering = ["hall_id", "service_item_id"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "service_item"], name="appt_point_item_unique")
        ]
        indexes = [models.Index(fields=["service_item", "hall"], name="appt_point_item_item")]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.service_item_id}"


class WindowDuty(models.Model):
    """亮牌: the clerk on duty at a window, from 上岗 to 离岗 (R-HA-5, 004 (三)).

    At most one clerk on duty per window and one window per clerk (partial unique
    constraints). The hall's screen and the window's own display show who it is.
    """

    window = models.ForeignKey(
        "org.Window", on_delete=models.CASCADE, related_name="duties", verbose_name="窗口"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="window_duties",
        verbose_name="窗口人员",
    )
    started_at = models.DateTimeField("上岗时间")
    ended_at = models.DateTimeField("离岗时间", null=True, blank=True)

    class Meta:
        verbose_name = "窗口在岗"
        verbose_name_plural = "窗口在岗"
        ordering = ["window_id", "-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["window"],
                condition=Q(ended_at__isnull=True),
                name="appt_duty_one_per_window",
            ),
            models.UniqueConstraint(
                fields=["clerk"], condition=Q(ended_at__isnull=True), name="appt_duty_one_per_clerk"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.window_id} {self.clerk_id}"
