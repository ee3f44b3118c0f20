"""Appointments and the queue of a hall (预约办理、主题叫号, R-HA-3, R-CS-10).

A hall's windows are grouped by **theme** (主题: 企业开办, 不动产, 社保 …), each with
its ticket prefix. **Slot rules** say when a theme takes appointments — on
working days of the kernel calendar (so never on a holiday, and also on a 调休
working Saturday) or, where the hall offers 延时错时 service, on rest days — and
**slots** are materialised from them when first booked; a slot's ``booked``
count only moves by a conditional UPDATE, so the last place is never sold twice.
A **queue ticket** is taken at the kiosk, on a phone or by checking in an
appointment, and is called at a window serving its theme.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class DayKind(models.TextChoices):
    WORKING = "working", "工作日"
    REST = "rest", "周末（延时错时服务）"


class Theme(models.Model):
    """A queue of a hall: the windows that serve it and the items it covers."""

    hall = models.ForeignKey(
        "org.Hall", on_delete=models.CASCADE, related_name="themes", verbose_name="大厅"
    )
    code = models.SlugField("代码", max_length=30)
    name = models.CharField("主题名称", max_length=40)
    prefix = models.CharField("号码前缀", max_length=2, help_text="如 A、B、QY")
    windows = models.ManyToManyField(
        "org.Window", blank=True, related_name="themes", verbose_name="服务窗口"
    )
    service_items = models.ManyToManyField(
        "catalog.ServiceItem", blank=True, related_name="queue_themes", verbose_name="办理事项"
    )
    minutes_per_ticket = models.PositiveSmallIntegerField(
        "平均办理时长（分钟）", default=10, help_text="用于估算等候时间"
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "叫号主题"
        verbose_name_plural = "叫号主题"
        ordering = ["hall_id", "prefix"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "code"], name="appt_theme_unique_code"),
            models.UniqueConstraint(fields=["hall", "prefix"], name="appt_theme_unique_prefix"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}"


class OpeningHours(models.Model):
    """When a hall is open: on working days, and on rest days where it offers 延时错时 hours."""

    hall = models.ForeignKey(
        "org.Hall", on_delete=models.CASCADE, related_name="hours", verbose_name="大厅"
    )
    day_kind = models.CharField("日期类型", max_length=10, choices=DayKind.choices)
    opens = models.TimeField("开始")
    closes = models.TimeField("结束")

    class Meta:
        verbose_name = "办公时间"
        verbose_name_plural = "办公时间"
        ordering = ["hall_id", "day_kind", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(opens__lt=F("closes")), name="appt_hours_order")
        ]

    def __str__(self) -> str:
        return f"{self.get_day_kind_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class SlotRule(models.Model):
    """号源规则: slots of ``minutes`` from ``start`` to ``end`` with ``capacity`` places each."""

    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, related_name="slot_rules", verbose_name="主题"
    )
    day_kind = models.CharField(
        "日期类型", max_length=10, choices=DayKind.choices, default=DayKind.WORKING
    )
    start = models.TimeField("开始")
    end = models.TimeField("结束")
    minutes = models.PositiveSmallIntegerField("每段分钟数", default=30)
    capacity = models.PositiveSmallIntegerField("每段号源数")
    valid_from = models.DateField("生效日期")
    valid_until = models.DateField("失效日期", null=True, blank=True)

    class Meta:
        verbose_name = "号源规则"
        verbose_name_plural = "号源规则"
        ordering = ["theme_id", "day_kind", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="appt_rule_order"),
            models.CheckConstraint(
                condition=Q(minutes__gte=5) & Q(capacity__gte=1), name="appt_rule_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.theme_id} {self.start:%H:%M}-{self.end:%H:%M} ×{self.capacity}"


class Slot(models.Model):
    """One bookable period of a theme on a day; ``booked`` never exceeds ``capacity``."""

    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="slots", verbose_name="主题"
    )
    date = models.DateField("日期")
    start = models.TimeField("开始")
    end = models.TimeField("结束")
    capacity = models.PositiveSmallIntegerField("号源数")
    booked = models.PositiveSmallIntegerField("已约数", default=0)

    class Meta:
        verbose_name = "号源"
        verbose_name_plural = "号源"
        ordering = ["theme_id", "date", "start"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "date", "start"], name="appt_slot_unique"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="appt_slot_cap"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.start:%H:%M} {self.booked}/{self.capacity}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "已预约"
    CHECKED_IN = "checked_in", "已签到"
    SERVED = "served", "已办理"
    CANCELLED = "cancelled", "已取消"
    NO_SHOW = "no_show", "爽约"


ACTIVE_APPOINTMENT = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


class Channel(models.TextChoices):
    ONLINE = "online", "网上预约"
    WINDOW = "window", "窗口预约"


class Appointment(models.Model):
    code = models.CharField("预约号", max_length=20, unique=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name="预约人",
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="appointments", verbose_name="号源"
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="appointments", verbose_name="主题"
    )
    date = models.DateField("日期")
    service_item = models.ForeignKey(
        "catalog.ServiceItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="办理事项",
    )
    status = models.CharField(
        "状态", max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="代为预约的工作人员",
    )
    created_at = models.DateTimeField("预约时间")
    changed_at = models.DateTimeField("变更时间", null=True, blank=True)
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "预约"
        verbose_name_plural = "预约"
        ordering = ["date", "slot__start", "pk"]
        constraints = [
            # One active booking per person, theme and day (no double booking).
            models.UniqueConstraint(
                fields=["person", "theme", "date"],
                condition=Q(status__in=["booked", "checked_in"]),
                name="appt_one_active_per_day",
            )
        ]
        indexes = [
            models.Index(fields=["person", "status", "date"], name="appt_person_status"),
            models.Index(fields=["status", "date"], name="appt_status_date"),
        ]

    def __str__(self) -> str:
        return self.code


class TicketStatus(models.TextChoices):
    WAITING = "waiting", "等候中"
    CALLED = "called", "已叫号"
    DONE = "done", "已办结"
    SKIPPED = "skipped", "过号"
    TRANSFERRED = "transferred", "已转其他主题"


class Priority(models.IntegerChoices):
    NORMAL = 0, "普通"
    APPOINTMENT = 1, "预约"
    GREEN = 2, "绿色通道"


class TicketSource(models.TextChoices):
    KIOSK = "kiosk", "取号机"
    PHONE = "phone", "手机扫码"
    APPOINTMENT = "appointment", "预约签到"
    TRANSFER = "transfer", "转号"


class TicketCounter(models.Model):
    """The last number given in a theme on a day (numbers restart each day)."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["theme", "date"], name="appt_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.theme_id} {self.date} {self.last}"


class QueueTicket(models.Model):
    hall = models.ForeignKey(
        "org.Hall", on_delete=models.PROTECT, related_name="tickets", verbose_name="大厅"
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="tickets", verbose_name="主题"
    )
    date = models.DateField("日期")
    sequence = models.PositiveIntegerField("序号")
    number = models.CharField("号码", max_length=10)
    status = models.CharField(
        "状态", max_length=20, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    priority = models.PositiveSmallIntegerField(
        "优先级", choices=Priority.choices, default=Priority.NORMAL
    )
    source = models.CharField("取号方式", max_length=20, choices=TicketSource.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="queue_tickets",
        verbose_name="取号人",
    )
    appointment = models.OneToOneField(
        Appointment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ticket",
        verbose_name="预约",
    )
    transferred_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transferred_to",
        verbose_name="转自",
    )
    window = models.ForeignKey(
        "org.Window",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="窗口",
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="窗口人员",
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="queue_tickets",
        verbose_name="受理的办件",
    )
    taken_at = models.DateTimeField("取号时间")
    called_at = models.DateTimeField("叫号时间", null=True, blank=True)
    calls = models.PositiveSmallIntegerField("呼叫次数", default=0)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "排队号"
        verbose_name_plural = "排队号"
        ordering = ["date", "theme_id", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["theme", "date", "sequence"], name="appt_ticket_unique_seq"
            )
        ]
        indexes = [
            models.Index(fields=["theme", "date", "status"], name="appt_ticket_queue"),
            models.Index(fields=["hall", "date", "status"], name="appt_ticket_hall"),
        ]

    def __str__(self) -> str:
        return self.number


# Imported last so Django registers them with this app (the module would pass 500 lines).
from tongban.appointments.hall_models import (  # noqa: E402, F401
    PointHandling,
    ServicePointItem,
    WindowDuty,
)
from tongban.appointments.officer_models import (  # noqa: E402, F401
    OfficerKind,
    OfficerStatus,
    ServiceOfficer,
    ServiceOfficerEvent,
)
from tongban.appointments.request_models import (  # noqa: E402, F401
    OPEN_REQUEST,
    RequestKind,
    RequestStatus,
    ServiceRequest,
    ServiceRequestEvent,
)
from tongban.appointments.standard_models import (  # noqa: E402, F401
    ErrorReport,
    FirstQuestion,
    FirstQuestionStep,
    QuestionStatus,
    ReportStatus,
)
