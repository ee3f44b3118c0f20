"""好差评 (国办发〔2019〕51号): ratings of concluded cases and 12345 orders, and
the rectification (差评整改) every bad rating opens.

A rating is written once per subject per channel (一事一评) by
``services.rating_submit`` and never edited; a rectification moves only through
the services of ``workflow.TRANSITIONS``, each step appending a
:class:`RectificationEvent`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class RatingLevel(models.TextChoices):
    """The five levels of 国办发〔2019〕51号; 好评 the top two, 差评 the bottom two."""

    VERY_SATISFIED = "very_satisfied", "非常满意"
    SATISFIED = "satisfied", "满意"
    BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"
    VERY_DISSATISFIED = "very_dissatisfied", "非常不满意"


SCORES = {
    RatingLevel.VERY_SATISFIED: 5,
    RatingLevel.SATISFIED: 4,
    RatingLevel.BASICALLY_SATISFIED: 3,
    RatingLevel.DISSATISFIED: 2,
    RatingLevel.VERY_DISSATISFIED: 1,
}
GOOD_LEVELS = (RatingLevel.VERY_SATISFIED, RatingLevel.SATISFIED)
BAD_LEVELS = (RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED)


class RatingReason(models.TextChoices):
    """The fixed list of reasons a rater may tick (51号文 附件 评价指标)."""

    # 好评
    GUIDE_CLEAR = "guide_clear", "办事指南清晰准确"
    FAST = "fast", "办理快捷"
    FEW_VISITS = "few_visits", "少跑腿、不跑腿"
    FRIENDLY = "friendly", "服务热情周到"
    # 差评
    GUIDE_UNCLEAR = "guide_unclear", "办事指南不清楚"
    EXTRA_MATERIALS = "extra_materials", "要求提交指南以外的材料"
    MANY_VISITS = "many_visits", "多次跑动"
    SLOW = "slow", "办理超时或拖延"
    ATTITUDE = "attitude", "服务态度差"
    SYSTEM = "system", "系统不好用"
    FEES = "fees", "违规收费"
    OTHER = "other", "其他"


class RatingChannel(models.TextChoices):
    ONLINE = "online", "网上评价"  # 一事一评
    WINDOW = "window", "窗口评价"  # 一次一评, the window's device
    HOTLINE = "hotline", "12345评价"


class SubjectKind(models.TextChoices):
    CASE = "case", "办件"
    WORK_ORDER = "work_order", "12345工单"


class Rating(models.Model):
    subject_kind = models.CharField("评价对象", max_length=12, choices=SubjectKind.choices)
    # The case number or the order number: one column for pages and the API.
    subject_no = models.CharField("办件或工单编号", max_length=40)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ratings",
        verbose_name="办件",
    )
    work_order = models.ForeignKey(
        "hotline.WorkOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ratings",
        verbose_name="12345工单",
    )
    channel = models.CharField("评价渠道", max_length=12, choices=RatingChannel.choices)
    level = models.CharField("评价等级", max_length=24, choices=RatingLevel.choices)
    score = models.PositiveSmallIntegerField("分值")
    is_bad = models.BooleanField("差评", default=False)
    reasons = models.JSONField("评价原因", default=list, blank=True)
    text = models.CharField("评价内容", max_length=500, blank=True)
    # None for a rating given on the window's device (一次一评): the person
    # served is not logged in there.
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ratings",
        verbose_name="评价人账号",
    )
    # 一次一评: the clerk who served at the window, and the visit (the clerk's
    # step of the case) the rating is of; one rating per visit.
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="被评价窗口人员",
    )
    visit_event = models.ForeignKey(
        "cases.CaseEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="评价的窗口服务",
    )
    # What the rating attaches to, copied so that figures and scoped lists need no join.
    service_item = models.ForeignKey(
        "catalog.ServiceItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="事项",
    )
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="被评价部门"
    )
    window = models.ForeignKey(
        "org.Window",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="窗口",
    )
    region_path = models.CharField("区划路径", max_length=200)
    rated_at = models.DateTimeField("评价时间")
    # A department's appeal upheld by the platform (恶意或错误评价): kept, not counted.
    excluded = models.BooleanField("申诉成立、不计入指标", default=False)
    # A rating may be changed once, within TONGBAN_RATING_CHANGE_DAYS (services.rating_change).
    changed_at = models.DateTimeField("修改时间", null=True, blank=True)
    previous_level = models.CharField(
        "修改前等级", max_length=24, choices=RatingLevel.choices, blank=True
    )

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        constraints = [
            # 一事一评: one rating of a subject per channel.
            models.UniqueConstraint(
                fields=["case", "channel"],
                condition=Q(case__isnull=False, visit_event__isnull=True),
                name="evaluation_rating_one_per_case_channel",
            ),
            # 一次一评: one rating per window visit.
            models.UniqueConstraint(
                fields=["visit_event"],
                condition=Q(visit_event__isnull=False),
                name="evaluation_rating_one_per_visit",
            ),
            models.UniqueConstraint(
                fields=["work_order", "channel"],
                condition=Q(work_order__isnull=False),
                name="evaluation_rating_one_per_order_channel",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "rated_at"], name="evaluation_rating_dept"),
            models.Index(fields=["region_path", "rated_at"], name="evaluation_rating_region"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_no} {self.channel} {self.level}"


class RectificationStatus(models.TextChoices):
    OPEN = "open", "待整改"
    ANSWERED = "answered", "已答复（待回访）"
    REVISITED = "revisited", "已回访"
    ESCALATED = "escalated", "已督办"
    APPEALED = "appealed", "申诉中"
    CLOSED = "closed", "已办结"


class Rectification(models.Model):
    """差评整改: the department answers, the rater is called back, then closed or escalated."""

    rating = models.OneToOneField(
        Rating, on_delete=models.PROTECT, related_name="rectification", verbose_name="差评"
    )
    version = models.PositiveIntegerField("版本", default=1)
    status = models.CharField(
        "状态", max_length=12, choices=RectificationStatus.choices, db_index=True
    )
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="整改部门"
    )
    region_path = models.CharField("区划路径", max_length=200)
    opened_at = models.DateTimeField("发起时间")
    # deadlines.rectification_due: working days from the rating's day.
    due_on = models.DateField("整改期限")
    limit_working_days = models.PositiveSmallIntegerField("整改时限（工作日）")
    cause = models.CharField("原因分析", max_length=500, blank=True)
    measures = models.CharField("整改措施或情况说明", max_length=1000, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    revisit_satisfied = models.BooleanField("回访是否满意", null=True, blank=True)
    revisit_note = models.CharField("回访记录", max_length=500, blank=True)
    revisited_at = models.DateTimeField("回访时间", null=True, blank=True)
    outcome = models.CharField("整改结果", max_length=500, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    # Answered on or before due_on: the 整改按时率 of the indicators.
    on_time = models.BooleanField("按时整改", null=True, blank=True)
    escalations = models.PositiveSmallIntegerField("督办次数", default=0)
    # 申诉: the department says the rating is malicious or mistaken; the platform decides.
    appeal_reason = models.CharField("申诉理由", max_length=500, blank=True)
    appeal_upheld = models.BooleanField("申诉成立", null=True, blank=True)
    appeal_decision = models.CharField("申诉处理意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        indexes = [
            models.Index(fields=["department", "status", "due_on"], name="evaluation_rect_desk"),
            models.Index(fields=["region_path"], name="evaluation_rect_region"),
        ]

    def __str__(self) -> str:
        return f"{self.rating.subject_no} {self.status}"


class RectificationEvent(models.Model):
    """History of a rectification (CONVENTIONS 4): appended, never edited."""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="events", verbose_name="差评整改"
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
    action = models.CharField("操作", max_length=24)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    reason = models.CharField("说明", max_length=1000, blank=True)

    class Meta:
        verbose_name = "整改记录"
        verbose_name_plural = "整改记录"
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.rectification_id} {self.action}"
