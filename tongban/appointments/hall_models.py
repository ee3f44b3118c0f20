"""Service points (R-HA-1/2): the items handled at a hall or point.

A township 便民服务中心 or village 便民服务站 handles 就近办 items of its county
(实施主体 stays the county department): either it **receives and handles** them
(受理办理, entrusted) or it **collects** the application and forwards it (帮办代办,
收件代办). Imported by ``models`` so Django sees it.
"""

from __future__ import annotations

from django.db import models


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
