"""Cases (办件): one application for one service item, on the statutory clock."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import DateField, F, Q, Value
from django.db.models.functions import Coalesce

from tongban.cases.cross_region import CrossRegion


class Channel(models.TextChoices):
    ONLINE = "online", "网上申请"
    WINDOW = "window", "窗口受理"
    MOBILE = "mobile", "移动端"
    TERMINAL = "terminal", "自助终端"
    API = "api", "系统接口"


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    SUPPLEMENT_REQUESTED = "supplement_requested", "待补正"
    SUPPLEMENTED = "supplemented", "已补正"
    ACCEPTED = "accepted", "已受理"
    REFUSED = "refused", "不予受理"
    UNDER_REVIEW = "under_review", "审查中"
    SUSPENDED = "suspended", "已中止（特别程序）"
    DECIDED = "decided", "已决定"
    DELIVERED = "delivered", "已送达"
    CONCLUDED = "concluded", "已办结"
    WITHDRAWN = "withdrawn", "已撤回"


# 在办: not yet refused, concluded or withdrawn (workflow.TERMINAL are the rest).
OPEN_STATUSES = (
    CaseStatus.SUBMITTED,
    CaseStatus.SUPPLEMENT_REQUESTED,
    CaseStatus.SUPPLEMENTED,
    CaseStatus.ACCEPTED,
    CaseStatus.UNDER_REVIEW,
    CaseStatus.SUSPENDED,
    CaseStatus.DECIDED,
    CaseStatus.DELIVERED,
)
# The staff queue sorts cases whose decision clock has not started after every
# running clock: their deadline counts as this date.
QUEUE_NOT_STARTED = dt.date(9999, 12, 31)


def applicant_reminder_q() -> Q:
    """Cases that remind their applicant of something due (the spaces' 待办提醒):
    a supplement requested, or an open case with a deferred material (容缺). The
    same expression as the partial indexes below, so the planner may use them."""
    return Q(status=CaseStatus.SUPPLEMENT_REQUESTED) | Q(
        status__in=OPEN_STATUSES, deferred_due_on__isnull=False
    )


def queue_deadline_key() -> Coalesce:
    """The staff queue's first sort key (the same expression as its index)."""
    return Coalesce("decision_deadline", Value(QUEUE_NOT_STARTED), output_field=DateField())


class Outcome(models.TextChoices):
    GRANTED = "granted", "准予许可"
    DENIED = "denied", "不予许可"


class DeliveryMethod(models.TextChoices):
    WINDOW = "window", "窗口领取"
    POST = "post", "邮寄送达"
    ELECTRONIC = "electronic", "电子送达"


class Case(models.Model):
    """办件. Dates of the clock are stored facts; deadlines are derived from them
    by ``deadlines.recompute`` and stored for queries and alerts."""

    case_no = models.CharField("办件编号", max_length=24, unique=True)
    # 查询码: printed on the notice and sent to the applicant; with the case
    # number it lets anyone holding it follow the case without logging in.
    tracking_code = models.CharField("查询码", max_length=8, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    service_item = models.ForeignKey(
        "catalog.ServiceItem", on_delete=models.PROTECT, related_name="cases", verbose_name="事项"
    )
    guide_version = models.ForeignKey(
        "catalog.GuideVersion",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name="办事指南版本",
    )
    rules = models.JSONField("时限与材料规则（快照）")
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="cases", verbose_name="办理部门"
    )
    region_path = models.CharField("区划路径", max_length=120, db_index=True)
    applicant_person = models.ForeignKey(
        "identity.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name="申请人（自然人）",
    )
    applicant_entity = models.ForeignKey(
        "identity.LegalEntity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name="申请人（法人）",
    )
    agent_person = models.ForeignKey(
        "identity.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="经办人",
    )
    applicant_name = models.CharField("申请人名称", max_length=200)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submitted_cases",
        verbose_name="提交账号",
    )
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    situation = models.CharField("情形", max_length=40, blank=True)
    # The form as shown: personal fields masked (cases.services.forms).
    form_data = models.JSONField("申请表", default=dict)
    # 两个免于提交: every government-issued material looked up at intake, found
    # or not, with its source or the reason (cases.services.exemptions).
    exemptions = models.JSONField("免于提交核验", default=list, blank=True)
    # Personal fields of the form, SM4-GCM encrypted (R-SC-1, ADR-0003).
    form_secret = models.JSONField("申请表敏感字段（密文）", default=dict, blank=True)
    status = models.CharField("状态", max_length=24, choices=CaseStatus.choices, db_index=True)
    window = models.ForeignKey(
        "org.Window",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name="受理窗口",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_cases",
        verbose_name="审查人",
    )
    # Facts of the clock (dates in Asia/Shanghai).
    received_at = models.DateTimeField("收件时间")
    received_on = models.DateField("收件日期")
    supplement_requested_on = models.DateField("补正告知日期", null=True, blank=True)
    supplement_completed_on = models.DateField("补正齐全日期", null=True, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    deemed_accepted = models.BooleanField("视为受理", default=False)
    refused_on = models.DateField("不予受理日期", null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField("延长天数", default=0)
    extension_reason = models.CharField("延长理由", max_length=500, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    delivered_on = models.DateField("送达日期", null=True, blank=True)
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    # Derived deadlines (re-derivable from the facts and the rules snapshot).
    acceptance_deadline = models.DateField("受理期限", null=True, blank=True)
    decision_deadline = models.DateField("办结期限", null=True, blank=True, db_index=True)
    delivery_deadline = models.DateField("送达期限", null=True, blank=True)
    # ADR-0006: the year without a State Council notice on which a stored date
    # was counted (provisionally, from the 放假办法); recomputed on the notice.
    provisional_year = models.PositiveSmallIntegerField("暂定日历年度", null=True, blank=True)
    # Decision and delivery.
    outcome = models.CharField("决定结果", max_length=16, choices=Outcome.choices, blank=True)
    decision_reason = models.TextField("决定理由", blank=True)
    decision_basis = models.TextField("决定依据", blank=True)
    delivery_method = models.CharField(
        "送达方式", max_length=16, choices=DeliveryMethod.choices, blank=True
    )
    tracking_no = models.CharField("邮寄单号", max_length=60, blank=True)
    # 容缺受理 and 告知承诺.
    deferred_due_on = models.DateField("容缺材料补交期限", null=True, blank=True)
    commitment = models.BooleanField("告知承诺", default=False)
    # 统一网上支付 (R-PL-6): the fees due and not yet paid, set by
    # ``services.results`` only; the result is not delivered while above zero.
    fees_unpaid_fen = models.PositiveBigIntegerField("未缴费用（分）", default=0)
    # 同城通办 and 异地代办 (R-CS-10, ``cases.cross_region``): the hall whose window
    # took the application in, and whether it took it for another region.
    intake_hall = models.ForeignKey(
        "org.Hall",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="收件大厅",
    )
    cross_region = models.CharField(
        "通办方式", max_length=12, choices=CrossRegion.choices, blank=True
    )
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        indexes = [
            models.Index(fields=["department", "status", "decision_deadline"], name="case_queue"),
            # The open-case queue in its order: a page walks the index, filtering
            # by scope, instead of sorting every open case in the scope.
            models.Index(
                queue_deadline_key(),
                F("received_at"),
                F("id"),
                name="case_open_queue",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            # "My cases" in its order (newest first, id breaking ties): a page
            # stops after its rows even for an applicant with thousands of cases.
            models.Index(fields=["applicant_person", "-received_at", "-id"], name="case_person"),
            models.Index(fields=["applicant_entity", "-received_at", "-id"], name="case_entity"),
            # 通办 figures: the few cases taken for another region, by owning region.
            models.Index(
                fields=["region_path", "received_on"],
                name="case_cross_region",
                condition=~Q(cross_region=""),
            ),
            # The spaces' reminders (applicant_reminder_q): the few cases of an applicant
            # with something due, newest first, without walking all of its cases.
            models.Index(
                fields=["applicant_entity", "-received_at"],
                name="case_entity_reminder",
                condition=applicant_reminder_q(),
            ),
            models.Index(
                fields=["applicant_person", "-received_at"],
                name="case_person_reminder",
                condition=applicant_reminder_q(),
            ),
            # A business's cases counted by the account that submitted each (企业空间,
            # the record of each agent): read from the index alone.
            models.Index(fields=["applicant_entity", "submitted_by"], name="case_entity_submitter"),
            # The few cases whose dates await a holiday notice (ADR-0006).
            models.Index(
                fields=["provisional_year", "id"],
                name="case_provisional",
                condition=Q(provisional_year__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_no} {self.applicant_name}"


class MaterialKind(models.TextChoices):
    UPLOAD = "upload", "上传文件"
    GOVERNMENT_DATA = "government_data", "政府共享数据"
    PAPER = "paper", "窗口收取纸质材料"
    DEFERRED = "deferred", "容缺后补"
    COMMITMENT = "commitment", "告知承诺替代"


class CaseMaterial(models.Model):
    """材料: what the applicant supplied for one material requirement."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    code = models.CharField("材料编码", max_length=40)
    name = models.CharField("材料名称", max_length=200)
    kind = models.CharField("方式", max_length=20, choices=MaterialKind.choices)
    file = models.FileField("文件", upload_to="case-materials/%Y/%m/", blank=True)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    size = models.PositiveIntegerField("大小", default=0)
    sha256 = models.CharField("摘要", max_length=64, blank=True)
    source_reference = models.CharField("数据来源", max_length=200, blank=True)
    supplied_at = models.DateTimeField("提交时间", null=True, blank=True)

    class Meta:
        verbose_name = "办件材料"
        verbose_name_plural = "办件材料"
        constraints = [models.UniqueConstraint(fields=["case", "code"], name="case_material_once")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.name} ({self.kind})"


class CaseEvent(models.Model):
    """History of a case: every transition and every change of a date, with its
    reason (appended, never edited)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
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
    action = models.CharField("操作", max_length=40)
    from_status = models.CharField("原状态", max_length=24, blank=True)
    to_status = models.CharField("新状态", max_length=24, blank=True)
    reason = models.TextField("理由", blank=True)
    details = models.JSONField("详情", default=dict)

    class Meta:
        verbose_name = "办件记录"
        verbose_name_plural = "办件记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.at}"


class SuspensionReason(models.TextChoices):
    """特别程序 that stop the clock (行政许可法 第四十五条)."""

    HEARING = "hearing", "听证"
    TESTING = "testing", "检验、检测"
    INSPECTION = "inspection", "现场勘验"
    EXPERT_REVIEW = "expert_review", "专家评审"


class CaseSuspension(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    reason = models.CharField("中止原因", max_length=20, choices=SuspensionReason.choices)
    note = models.CharField("说明", max_length=500, blank=True)
    start_on = models.DateField("中止日期")
    end_on = models.DateField("恢复日期", null=True, blank=True)

    class Meta:
        verbose_name = "特别程序"
        verbose_name_plural = "特别程序"
        ordering = ["start_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.reason} {self.start_on}–{self.end_on or ''}"


class CaseNumberSequence(models.Model):
    """The last sequence number of case numbers per region and day."""

    region_code = models.CharField(max_length=6)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "day"], name="case_number_day")
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.day}: {self.last}"


class DocumentNumberSequence(models.Model):
    """The last number issued in a series of documents (机关代字 + kind + year).

    Incremented in the issuing transaction, so numbers are continuous: a rolled
    back issue gives its number back. Notices of one series wait for each other
    from numbering to commit; other series do not."""

    series = models.CharField(max_length=80, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.series}: {self.last}"


class DocumentKind(models.TextChoices):
    ACCEPTANCE_NOTICE = "acceptance_notice", "受理通知书"
    REFUSAL_DECISION = "refusal_decision", "不予受理决定书"
    SUPPLEMENT_NOTICE = "supplement_notice", "补正材料通知书（一次性告知）"
    GRANT_DECISION = "grant_decision", "准予行政许可决定书"
    DENIAL_DECISION = "denial_decision", "不予行政许可决定书"
    CONCLUSION_NOTICE = "conclusion_notice", "办结通知书"


class CaseDocument(models.Model):
    """A legal document issued on a case (通知书、决定书): numbered, stored, and
    verifiable by its QR code; never edited (a correction is a new document)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("文书类型", max_length=24, choices=DocumentKind.choices)
    number = models.CharField("文书编号", max_length=60, unique=True)
    # The text as issued (notices.NoticeContent): the PDF is drawn from it.
    content = models.JSONField("文书内容", default=dict)
    case_version = models.PositiveIntegerField("出具时的办件版本", default=0)
    # The sealed PDF, drawn after the transition commits (notices.issue).
    file = models.FileField("文件", upload_to="case-documents/%Y/%m/", blank=True)
    sha256 = models.CharField("摘要", max_length=64, blank=True)
    rendered_at = models.DateTimeField("生成时间", null=True, blank=True)
    verification_code = models.CharField("核验码", max_length=32, unique=True)
    issued_at = models.DateTimeField("出具时间")

    class Meta:
        verbose_name = "办件文书"
        verbose_name_plural = "办件文书"
        ordering = ["issued_at", "id"]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"


class PostCheckStatus(models.TextChoices):
    OPEN = "open", "待核查"
    PASSED = "passed", "核查属实"
    FAILED = "failed", "承诺不实"


class PostCheck(models.Model):
    """事后核查 of a case decided on the applicant's commitment (告知承诺)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="post_check")
    due_on = models.DateField("核查期限")
    status = models.CharField(
        "状态", max_length=16, choices=PostCheckStatus.choices, default=PostCheckStatus.OPEN
    )
    result_note = models.TextField("核查结果", blank=True)
    checked_at = models.DateTimeField("核查时间", null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "告知承诺核查"
        verbose_name_plural = "告知承诺核查"
        # The post-check lists and the overdue scan filter on both (status first:
        # the open ones due by a date).
        indexes = [models.Index(fields=["status", "due_on"], name="postcheck_status_due")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status} by {self.due_on}"


class PolicyGrant(models.Model):
    """免申即享 (issue 14, item 4): the case the platform recorded for a policy
    granted to a business without an application. One per policy match, so
    once per policy and business however often matching runs
    (``services.policy_grants``)."""

    match = models.OneToOneField(
        "policies.PolicyMatch",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="政策匹配",
    )
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="policy_grant", verbose_name="办件"
    )
    created_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "免申即享办件"
        verbose_name_plural = "免申即享办件"

    def __str__(self) -> str:
        return f"{self.match_id} → {self.case_id}"
