"""Credit (信用, R-CR-1): records, red and black lists, commitments, the class.

A **credit subject** is a legal entity, keyed by its 统一社会信用代码 (GB 32100),
or a natural person, keyed by ``identity.Person.id_number_token`` (the HMAC
search token of the ID number: the clear number is never stored here).

A **credit record** (信用记录) is one fact about a subject from a source: a
failed 告知承诺 post-check, an administrative penalty (行政处罚), a
substantiated 12345 complaint, a marketplace rating, a 失信被执行人 entry, an
inspection result. The **credit class** (A/B/C/D) is computed from the records
and the lists by the versioned rules of ``rules.py`` (docs/credit.md); every
change is kept with the rule version and the records that caused it.

A **credit list** (红名单 / 黑名单) is kept by a listing department on a legal
basis; its **measures** (联合奖惩措施) say what each implementing department
does about a listed subject. The platform enforces its own measures at its
decision points (``selectors.restrictions`` / ``selectors.privileges``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class SubjectKind(models.TextChoices):
    ENTITY = "entity", "法人和其他组织"
    PERSON = "person", "自然人"


class RecordSource(models.TextChoices):
    COMMITMENT_BREACH = "commitment_breach", "告知承诺核查不实"
    PENALTY = "penalty", "行政处罚"
    HOTLINE_COMPLAINT = "hotline_complaint", "12345投诉查实"
    MARKETPLACE_RATING = "marketplace_rating", "中介服务评价"
    DISHONEST_JUDGMENT = "dishonest_judgment", "失信被执行人"
    INSPECTION = "inspection", "双随机抽查结果"
    SUPERVISION = "supervision", "审管联动监管结果"
    COMMENDATION = "commendation", "表彰奖励"


class Severity(models.TextChoices):
    POSITIVE = "positive", "守信激励"
    MINOR = "minor", "轻微失信"
    GENERAL = "general", "一般失信"
    SERIOUS = "serious", "严重失信"


class CreditClass(models.TextChoices):
    A = "A", "A 级（诚信）"
    B = "B", "B 级（良好）"
    C = "C", "C 级（关注）"
    D = "D", "D 级（失信）"


class CreditRecord(models.Model):
    subject_kind = models.CharField("主体类型", max_length=10, choices=SubjectKind.choices)
    subject_code = models.CharField("主体标识", max_length=64, db_index=True)
    subject_name = models.CharField("主体名称", max_length=200)
    source = models.CharField("来源", max_length=30, choices=RecordSource.choices)
    ref = models.CharField("来源编号", max_length=100)
    summary = models.CharField("摘要", max_length=500)
    severity = models.CharField("程度", max_length=10, choices=Severity.choices)
    occurred_at = models.DateTimeField("发生时间")
    recorded_at = models.DateTimeField("记录时间")
    recorded_by = models.CharField("记录人", max_length=40)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提供部门",
    )

    class Meta:
        verbose_name = "信用记录"
        verbose_name_plural = "信用记录"
        ordering = ["-occurred_at", "-id"]
        constraints = [
            # One fact once: a repeated report of the same source row is the same record.
            models.UniqueConstraint(
                fields=["source", "ref", "subject_code"], name="credit_record_unique_ref"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_code} {self.source} {self.ref}"


class ListKind(models.TextChoices):
    RED = "red", "红名单（守信激励）"
    BLACK = "black", "黑名单（失信惩戒）"


class Measure(models.TextChoices):
    COMMITMENT_INTAKE = "commitment_intake", "不适用告知承诺"
    TOLERANCE_INTAKE = "tolerance_intake", "不适用容缺受理"
    MARKETPLACE = "marketplace", "限制参与中介服务"
    BIDDING = "bidding", "限制参与招标投标"
    INSPECTION_RATE = "inspection_rate", "提高抽查比例和频次"
    GREEN_CHANNEL = "green_channel", "绿色通道优先办理"


class CreditList(models.Model):
    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名单名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=ListKind.choices)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="列入部门"
    )
    legal_basis = models.TextField("依据")
    way_out = models.TextField("移出方式", help_text="如何移出名单，如信用修复的条件和途径")
    default_valid_days = models.PositiveIntegerField("默认有效期（日）", default=365)
    # Listing by rule: a record of this source and at least this severity lists its subject.
    auto_source = models.CharField(
        "自动列入的记录来源", max_length=30, choices=RecordSource.choices, blank=True
    )
    auto_min_severity = models.CharField(
        "自动列入的最低程度", max_length=10, choices=Severity.choices, blank=True
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "信用名单"
        verbose_name_plural = "信用名单"
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name


class ListMeasure(models.Model):
    credit_list = models.ForeignKey(
        CreditList, on_delete=models.CASCADE, related_name="measures", verbose_name="名单"
    )
    measure = models.CharField("措施", max_length=30, choices=Measure.choices)
    description = models.CharField("措施内容", max_length=300)
    implementing_department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="实施部门",
        help_text="留空表示本平台各实施部门",
    )

    class Meta:
        verbose_name = "联合奖惩措施"
        verbose_name_plural = "联合奖惩措施"
        constraints = [
            models.UniqueConstraint(fields=["credit_list", "measure"], name="credit_measure_unique")
        ]

    def __str__(self) -> str:
        return f"{self.credit_list_id} {self.measure}"


class EntryStatus(models.TextChoices):
    ACTIVE = "active", "在列"
    REMOVED = "removed", "已移出"


class ListEntry(models.Model):
    credit_list = models.ForeignKey(
        CreditList, on_delete=models.PROTECT, related_name="entries", verbose_name="名单"
    )
    subject_kind = models.CharField("主体类型", max_length=10, choices=SubjectKind.choices)
    subject_code = models.CharField("主体标识", max_length=64, db_index=True)
    subject_name = models.CharField("主体名称", max_length=200)
    reason = models.CharField("列入事由", max_length=500)
    legal_basis = models.TextField("列入依据")
    listed_on = models.DateField("列入日期")
    valid_until = models.DateField("有效期至")
    status = models.CharField(
        "状态", max_length=10, choices=EntryStatus.choices, default=EntryStatus.ACTIVE
    )
    removed_on = models.DateField("移出日期", null=True, blank=True)
    removed_reason = models.CharField("移出原因", max_length=300, blank=True)
    source_record = models.ForeignKey(
        CreditRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="list_entries",
        verbose_name="所依据的信用记录",
    )
    created_by = models.CharField("列入人", max_length=40)
    created_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = "名单记录"
        verbose_name_plural = "名单记录"
        ordering = ["-listed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_list", "subject_code"],
                condition=Q(status="active"),
                name="credit_entry_one_active",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("listed_on")), name="credit_entry_validity"
            ),
        ]
        indexes = [models.Index(fields=["subject_code", "status"], name="credit_entry_subject")]

    def __str__(self) -> str:
        return f"{self.credit_list_id} {self.subject_code}"


class CreditRating(models.Model):
    """The current class of a subject (one row per subject)."""

    subject_kind = models.CharField("主体类型", max_length=10, choices=SubjectKind.choices)
    subject_code = models.CharField("主体标识", max_length=64, unique=True)
    subject_name = models.CharField("主体名称", max_length=200)
    credit_class = models.CharField("信用等级", max_length=1, choices=CreditClass.choices)
    score = models.IntegerField("分值")
    rule_version = models.CharField("规则版本", max_length=20)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "信用等级"
        verbose_name_plural = "信用等级"
        indexes = [models.Index(fields=["credit_class"], name="credit_rating_class")]

    def __str__(self) -> str:
        return f"{self.subject_code} {self.credit_class}"


class ClassChange(models.Model):
    """Why a class changed: the rule version, the score and the records behind it."""

    subject_code = models.CharField("主体标识", max_length=64, db_index=True)
    from_class = models.CharField("原等级", max_length=1, blank=True)
    to_class = models.CharField("新等级", max_length=1)
    score = models.IntegerField("分值")
    rule_version = models.CharField("规则版本", max_length=20)
    record_ids = models.JSONField("所依据的信用记录", default=list)
    explanation = models.TextField("说明")
    changed_at = models.DateTimeField("变更时间")

    class Meta:
        verbose_name = "信用等级变更"
        verbose_name_plural = "信用等级变更"
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject_code} {self.from_class}->{self.to_class}"


class CommitmentStatus(models.TextChoices):
    OPEN = "open", "履诺中"
    KEPT = "kept", "已履诺"
    BROKEN = "broken", "失诺"


class CreditCommitment(models.Model):
    """信用承诺: the 告知承诺 an applicant signed when applying."""

    subject_kind = models.CharField("主体类型", max_length=10, choices=SubjectKind.choices)
    subject_code = models.CharField("主体标识", max_length=64, db_index=True)
    subject_name = models.CharField("主体名称", max_length=200)
    case_no = models.CharField("办件编号", max_length=40, unique=True)
    item_name = models.CharField("事项", max_length=200)
    text = models.TextField("承诺内容")
    signed_at = models.DateTimeField("承诺时间")
    status = models.CharField(
        "状态", max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN
    )
    settled_at = models.DateTimeField("核查时间", null=True, blank=True)
    record = models.ForeignKey(
        CreditRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="失诺记录",
    )

    class Meta:
        verbose_name = "信用承诺"
        verbose_name_plural = "信用承诺"
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_no} {self.status}"


class PenaltyKind(models.TextChoices):
    WARNING = "warning", "警告、通报批评"
    FINE = "fine", "罚款、没收违法所得、没收非法财物"
    LICENCE = "licence", "暂扣许可证件、降低资质等级、吊销许可证件"
    RESTRICTION = "restriction", "限制开展生产经营活动、责令停产停业、责令关闭、限制从业"
    DETENTION = "detention", "行政拘留"
    OTHER = "other", "法律、行政法规规定的其他行政处罚"


class Penalty(models.Model):
    """行政处罚 (行政处罚法 第九条 kinds; 第四十八条 public decisions)."""

    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="处罚机关"
    )
    region_path = models.CharField("区划路径", max_length=80, db_index=True)
    decision_no = models.CharField("处罚决定书文号", max_length=100, unique=True)
    legal_basis = models.TextField("处罚依据")
    subject_kind = models.CharField("主体类型", max_length=10, choices=SubjectKind.choices)
    subject_code = models.CharField("主体标识", max_length=64, db_index=True)
    subject_name = models.CharField("主体名称", max_length=200)
    facts = models.TextField("违法事实")
    kind = models.CharField("处罚种类", max_length=20, choices=PenaltyKind.choices)
    amount_fen = models.BigIntegerField("罚没金额（分）", default=0)
    decided_on = models.DateField("处罚决定日期")
    record = models.OneToOneField(
        CreditRecord, on_delete=models.PROTECT, related_name="penalty", verbose_name="信用记录"
    )
    entered_by = models.CharField("录入人", max_length=40)
    entered_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = "行政处罚"
        verbose_name_plural = "行政处罚"
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="penalty_amount_nonneg")
        ]

    def __str__(self) -> str:
        return self.decision_no


class RepairStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已修复"
    REJECTED = "rejected", "不予修复"


class CreditRepair(models.Model):
    """信用修复: the listed subject asks to leave a black list; the listing department decides."""

    entry = models.ForeignKey(
        ListEntry, on_delete=models.PROTECT, related_name="repairs", verbose_name="名单记录"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="申请人账号",
    )
    reason = models.TextField("修复理由")
    evidence = models.TextField("整改情况及证明")
    status = models.CharField(
        "状态", max_length=10, choices=RepairStatus.choices, default=RepairStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField("申请时间")
    reviewed_by = models.CharField("审核人", max_length=40, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=500, blank=True)
    removed_on = models.DateField("移出日期", null=True, blank=True)

    class Meta:
        verbose_name = "信用修复申请"
        verbose_name_plural = "信用修复申请"
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=Q(status="submitted"), name="credit_repair_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.status}"


class AnnualReport(models.Model):
    """企业年度报告 (企业信息公示暂行条例 第八条: 1 January – 30 June)."""

    credit_code = models.CharField("统一社会信用代码", max_length=18)
    year = models.PositiveSmallIntegerField("报告年度")
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)

    class Meta:
        verbose_name = "企业年度报告"
        verbose_name_plural = "企业年度报告"
        constraints = [
            models.UniqueConstraint(fields=["credit_code", "year"], name="annual_report_unique")
        ]

    def __str__(self) -> str:
        return f"{self.credit_code} {self.year}"
