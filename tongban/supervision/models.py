"""Supervision alerts (电子监察预警): a read model over cases (DESIGN §2, §4).

An alert says that one clock of one case is near its end (yellow) or past it
(red). The sweep in ``services.alerts_sweep`` raises, upgrades and resolves
alerts; nothing else writes them. At most one alert per (case, kind) is open.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class AlertKind(models.TextChoices):
    ACCEPTANCE = "acceptance", "受理期限"  # 行政许可法 第三十二条
    DECISION = "decision", "办结期限"  # 第四十二条
    DELIVERY = "delivery", "送达期限"  # 第四十四条
    DEFERRED_MATERIALS = "deferred_materials", "容缺材料补交期限"
    POST_CHECK = "post_check", "告知承诺核查期限"
    HANDOFF = "handoff", "审管联动认领期限"  # raised by supervision.handoff, not the sweep


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


# --- 督办 (supervision instructions) ---------------------------------------------


class InstructionStatus(models.TextChoices):
    SENT = "sent", "待答复"
    ANSWERED = "answered", "已答复（待审核）"
    CLOSED = "closed", "已办结"


class InstructionSubject(models.TextChoices):
    CASE = "case", "办件"
    RECTIFICATION = "rectification", "差评整改"
    GENERAL = "general", "其他事项"


class Instruction(models.Model):
    """督办单: a supervisor's instruction to a department, with a deadline for
    its answer. Moves only through ``instructions.TRANSITIONS``; every step
    appends an :class:`InstructionEvent` and an audit event."""

    version = models.PositiveIntegerField("版本", default=1)
    status = models.CharField(
        "状态", max_length=12, choices=InstructionStatus.choices, db_index=True
    )
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="承办部门"
    )
    # The department's region path: scoped lists need no join (DESIGN §8).
    region_path = models.CharField("区划路径", max_length=200)
    subject_kind = models.CharField("督办对象", max_length=16, choices=InstructionSubject.choices)
    subject_ref = models.CharField("办件或整改编号", max_length=40, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="办件",
    )
    content = models.CharField("督办意见", max_length=1000)
    due_on = models.DateField("答复期限")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="督办人"
    )
    issued_at = models.DateTimeField("督办时间")
    reply = models.CharField("答复", max_length=1000, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    # The first answer on or before due_on (the department's 按期答复).
    on_time = models.BooleanField("按期答复", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    conclusion = models.CharField("办结意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        indexes = [
            models.Index(fields=["status", "due_on"], name="supervision_instr_open"),
            models.Index(fields=["region_path"], name="supervision_instr_region"),
        ]

    def __str__(self) -> str:
        return f"督办 {self.pk} {self.department_id} {self.status}"


class InstructionEvent(models.Model):
    """History of a 督办单 (CONVENTIONS 4): appended, never edited."""

    instruction = models.ForeignKey(
        Instruction, on_delete=models.CASCADE, related_name="events", verbose_name="督办单"
    )
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    actor_label = models.CharField("操作人", max_length=200)
    action = models.CharField("操作", max_length=16)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12)
    text = models.CharField("内容", max_length=1000, blank=True)

    class Meta:
        verbose_name = "督办记录"
        verbose_name_plural = "督办记录"
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.instruction_id} {self.action}"

    @property
    def action_label(self) -> str:
        labels = {
            "issue": "督办",
            "answer": "答复",
            "close": "办结",
            "return": "退回重新答复",
            "overdue": "逾期提醒",
        }
        return labels.get(self.action, self.action)


# 双随机、一公开 and 审管联动 (issue 17) live in their own module.
from tongban.supervision.inspection_models import (  # noqa: E402, F401  (registered with this app)
    HandoffOutcome,
    HandoffStatus,
    InspectionItem,
    InspectionPlan,
    InspectionResult,
    InspectionTask,
    Inspector,
    InspectorConflict,
    PlanStatus,
    RouteReason,
    SupervisionRoute,
    SupervisionTask,
)
