"""Window service standards (窗口服务标准, issue 16 item 6; 004 (三), 001 (十六)):
首问责任 questions and 纠错 reports; imported by ``models``.

Personal data of the person who asked or reported (name, phone) is stored
SM4-encrypted with a masked copy (DESIGN §8, R-SC-1); the phone also as a keyed
search token so a reporter can follow her report by code and phone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class QuestionStatus(models.TextChoices):
    OPEN = "open", "办理中"
    ANSWERED = "answered", "已答复"


class FirstQuestion(models.Model):
    """首问责任: a question put to a clerk at a window or the help desk.

    The clerk first asked records it and owns it (``owner``) until it is
    answered, or hands it over with a note to another clerk (``owner``) or to a
    department (``owner_department``, any of its staff at the hall may take it).
    Exactly one of the two is set while it is open.
    """

    code = models.CharField("编号", max_length=20, unique=True)
    hall = models.ForeignKey(
        "org.Hall", on_delete=models.PROTECT, related_name="first_questions", verbose_name="大厅"
    )
    window = models.ForeignKey(
        "org.Window",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="窗口",
        help_text="留空表示在大厅咨询台",
    )
    asker_name_enc = models.TextField("咨询人（密文）", blank=True)
    asker_name_masked = models.CharField("咨询人（脱敏）", max_length=40, blank=True)
    asker_phone_enc = models.TextField("联系电话（密文）", blank=True)
    asker_phone_masked = models.CharField("联系电话（脱敏）", max_length=20, blank=True)
    matter = models.CharField("咨询事由", max_length=500)
    service_item = models.ForeignKey(
        "catalog.ServiceItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="所涉事项",
    )
    status = models.CharField(
        "状态", max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    first_clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="首问人",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_first_questions",
        verbose_name="当前责任人",
    )
    owner_department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="当前责任部门",
    )
    due_on = models.DateField("答复期限")
    answer = models.CharField("答复内容", max_length=1000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="答复人",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    # The form's one-time token: a repeated post of the same form records nothing more.
    request_key = models.CharField("提交令牌", max_length=40, unique=True)
    created_at = models.DateTimeField("登记时间")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "首问登记"
        verbose_name_plural = "首问登记"
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="answered")
                | models.Q(owner__isnull=False, owner_department__isnull=True)
                | models.Q(owner__isnull=True, owner_department__isnull=False),
                name="appt_fq_one_owner",
            )
        ]
        indexes = [
            models.Index(fields=["owner", "status"], name="appt_fq_owner"),
            models.Index(fields=["owner_department", "status"], name="appt_fq_dept"),
            models.Index(fields=["hall", "status", "due_on"], name="appt_fq_hall"),
        ]

    def __str__(self) -> str:
        return self.code


class FirstQuestionStep(models.Model):
    """The history of a question: recorded, handed over (to whom, with the note), answered."""

    question = models.ForeignKey(
        FirstQuestion, on_delete=models.CASCADE, related_name="steps", verbose_name="首问登记"
    )
    action = models.CharField("操作", max_length=10)  # record / handover / answer
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="移交给",
    )
    to_department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="移交部门",
    )
    note = models.CharField("说明", max_length=1000, blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "首问记录"
        verbose_name_plural = "首问记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.question_id} {self.action}"


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", "待核查"
    ANSWERED = "answered", "已答复"


class ErrorReport(models.Model):
    """纠错 (窗口无否决权): a person reports that a window refused or stalled her wrongly.

    It goes to the supervisors of the hall with a deadline in working days; the
    supervisor answers whether it was substantiated and what was done, and the
    answer is sent to the reporter's phone (and so to her 消息中心).
    """

    code = models.CharField("编号", max_length=20, unique=True)
    hall = models.ForeignKey(
        "org.Hall", on_delete=models.PROTECT, related_name="error_reports", verbose_name="大厅"
    )
    window = models.ForeignKey(
        "org.Window",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="窗口",
    )
    clerk_name = models.CharField("工作人员（姓名或工号）", max_length=40, blank=True)
    service_item = models.ForeignKey(
        "catalog.ServiceItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="所办事项",
    )
    happened_on = models.DateField("发生日期", null=True, blank=True)
    narrative = models.CharField("经过", max_length=1000)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="反映人账号",
    )
    phone_enc = models.TextField("联系电话（密文）")
    phone_token = models.CharField("联系电话检索令牌", max_length=64)
    phone_masked = models.CharField("联系电话（脱敏）", max_length=20)
    status = models.CharField(
        "状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    due_on = models.DateField("答复期限")
    substantiated = models.BooleanField("情况属实", null=True, blank=True)
    answer = models.CharField("核查与处理情况", max_length=1000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="答复人",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    # 电子监察: the day the sweep found it unanswered past its deadline (once).
    alerted_on = models.DateField("超期预警日期", null=True, blank=True)
    request_key = models.CharField("提交令牌", max_length=40, unique=True)
    created_at = models.DateTimeField("提交时间")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "窗口纠错"
        verbose_name_plural = "窗口纠错"
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["hall", "status", "due_on"], name="appt_report_hall"),
            models.Index(fields=["reporter", "created_at"], name="appt_report_reporter"),
            models.Index(fields=["phone_token"], name="appt_report_phone"),
        ]

    def __str__(self) -> str:
        return self.code
