"""Supervision alerts (电子监察预警): a read model over cases (DESIGN §2, §4).

An alert says that one clock of one case is near its end (yellow) or past it
(red). The sweep in ``services.alerts_sweep`` raises, upgrades and resolves
alerts; nothing else writes them. At most one alert per (case, kind) is open.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class AlertKind(models.TextChoices):
    ACCEPTANCE = "acceptance", "受理期限"  # 行政许可法 第三十二条
    DECISION = "decision", "办结期限"  # 第四十二条
    DELIVERY = "delivery", "送达期限"  # 第四十四条
    DEFERRED_MATERIALS = "deferred_materials", "容缺材料补交期限"
    POST_CHECK = "post_check", "告知承诺核查期限"


class AlertLevel(models.TextChoices):
    YELLOW = "yellow", "黄色预警"
    RED = "red", "红色预警"


class Alert(models.Model):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="alerts", verbose_name="办件"
    )
    kind = models.CharField("预警类型", max_length=24, choices=AlertKind.choices)
    level = models.CharField("预警等级", max_length=8, choices=AlertLevel.choices)
    deadline = models.DateField("期限")
    working_days_left = models.IntegerField(
        "剩余工作日", help_text="最近一次扫描时的剩余工作日；逾期为负数"
    )
    message = models.CharField("预警内容", max_length=300)
    # Copied from the case so that scoped lists need no join (DESIGN §8).
    region_path = models.CharField("区划路径", max_length=120)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="办理部门"
    )
    raised_at = models.DateTimeField("发出时间")
    level_changed_at = models.DateTimeField("等级变更时间")
    resolved_at = models.DateTimeField("解除时间", null=True, blank=True)
    resolution = models.CharField("解除原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(resolved_at__isnull=True),
                name="supervision_alert_one_open",
            )
        ]
        indexes = [
            # The open list, earliest deadline first (selectors.alert_list_for_staff).
            models.Index(
                fields=["deadline", "id"],
                condition=Q(resolved_at__isnull=True),
                name="supervision_alert_open",
            ),
            models.Index(fields=["region_path"], name="supervision_alert_region"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.level}"
