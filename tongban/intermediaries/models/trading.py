"""Public resource trading (公共资源交易, R-PR-1): tenders, sealed bids, experts, scores."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models


class TenderCategory(models.TextChoices):
    CONSTRUCTION = "construction", "工程建设招投标"
    LAND_MINING = "land_mining", "土地和矿业权"
    STATE_PROPERTY = "state_property", "国有产权"
    PROCUREMENT = "procurement", "政府采购"


class TenderStatus(models.TextChoices):
    BIDDING = "bidding", "投标中"
    OPENING = "opening", "开标（投标人解密）"
    EVALUATING = "evaluating", "评标"
    PUBLICITY = "publicity", "中标候选人公示"
    CONCLUDED = "concluded", "已定标"
    FAILED = "failed", "流标"


class Tender(models.Model):
    """A tender announcement with its per-tender opening key (public half in clear)."""

    code = models.CharField("交易编号", max_length=24, unique=True)
    category = models.CharField("交易类别", max_length=16, choices=TenderCategory.choices)
    title = models.CharField("项目名称", max_length=200)
    tenderer_name = models.CharField("招标人", max_length=200)
    tenderer_code = models.CharField("招标人统一社会信用代码", max_length=18)
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField("区划路径", max_length=200, db_index=True)
    budget_fen = models.BigIntegerField("控制价或底价（分）")
    announcement = models.TextField("公告内容")
    published_at = models.DateTimeField("发布时间", db_index=True)
    bid_deadline = models.DateTimeField("投标截止及开标时间")
    opens_at = models.DateTimeField(
        "开标时间", null=True, blank=True, help_text="不填则投标截止即开标；不得早于投标截止时间"
    )
    min_bids = models.PositiveSmallIntegerField("有效投标最少数量", default=3)
    expert_count = models.PositiveSmallIntegerField("评标专家人数", default=5)
    expert_specialty = models.CharField("评标专业", max_length=60)
    key_scheme = models.CharField("开标密钥算法", max_length=8)
    opening_public_key = models.CharField("开标公钥", max_length=200)
    opening_private_sealed = models.TextField("开标私钥（平台密钥环封存）")
    status = models.CharField(
        "状态", max_length=12, choices=TenderStatus.choices, default=TenderStatus.BIDDING
    )
    expert_draw_public_id = models.UUIDField("专家抽取记录", null=True, blank=True)
    opened_at = models.DateTimeField("解密完成时间", null=True, blank=True)
    scoring_criteria = models.JSONField(
        "评分办法", default=list, blank=True, help_text='[{"key", "name", "max"}], 满分合计 100'
    )
    evaluation_summary = models.TextField("评标报告（评标委员会组长汇总）", blank=True)
    summary_at = models.DateTimeField("评标报告提交时间", null=True, blank=True)
    publicity_ends_at = models.DateTimeField("公示截止时间", null=True, blank=True)
    result_note = models.CharField("结果说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "交易项目"
        verbose_name_plural = "交易项目"
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def opening_time(self) -> dt.datetime:
        """开标时间: the set opening time, or the bid deadline when none was set."""
        return self.opens_at or self.bid_deadline


class TenderDocument(models.Model):
    """A tender document or a clarification (澄清、修改), published and never edited."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(
        "类型", max_length=16, choices=[("document", "招标文件"), ("clarification", "澄清")]
    )
    title = models.CharField("标题", max_length=200)
    content = models.TextField("内容")
    sm3 = models.CharField("SM3 摘要", max_length=64)
    published_at = models.DateTimeField("发布时间")
    file = models.FileField("附件", upload_to="tender-documents/%Y/%m/", blank=True)
    file_name = models.CharField("附件名称", max_length=120, blank=True)
    file_type = models.CharField("附件类型", max_length=60, blank=True)

    class Meta:
        ordering = ["published_at", "id"]

    def __str__(self) -> str:
        return self.title


class BidStatus(models.TextChoices):
    SEALED = "sealed", "已密封"
    CONFIRMED = "confirmed", "投标人已解密确认"
    OPENED = "opened", "已解密"
    INVALID = "invalid", "无效（无法解密）"


class TenderBid(models.Model):
    """A sealed bid: the envelope only until the opening; the price is read out at opening."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="bids")
    bidder_entity = models.ForeignKey(
        "identity.LegalEntity", on_delete=models.PROTECT, related_name="+"
    )
    bidder_code = models.CharField("投标人统一社会信用代码", max_length=18)
    bidder_name = models.CharField("投标人", max_length=200)
    envelope = models.TextField("密封投标文件")
    envelope_sm3 = models.CharField("投标文件摘要（回执）", max_length=64)
    code_hash = models.CharField("解密码摘要", max_length=64)
    submitted_at = models.DateTimeField("递交时间")
    status = models.CharField(
        "状态", max_length=12, choices=BidStatus.choices, default=BidStatus.SEALED
    )
    decryption_code = models.CharField("解密码（开标时由投标人提交）", max_length=32, blank=True)
    confirmed_at = models.DateTimeField("解密确认时间", null=True, blank=True)
    price_fen = models.BigIntegerField("投标报价（分）", null=True, blank=True)
    proposal = models.TextField("技术方案", blank=True)
    invalid_reason = models.CharField("无效原因", max_length=200, blank=True)
    average_score = models.DecimalField(
        "平均得分", max_digits=6, decimal_places=2, null=True, blank=True
    )
    rank = models.PositiveSmallIntegerField("排名", null=True, blank=True)

    class Meta:
        verbose_name = "投标文件"
        verbose_name_plural = "投标文件"
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "bidder_code"], name="tr_bid_once")
        ]

    def __str__(self) -> str:
        return f"{self.tender_id}:{self.bidder_code}"


class Expert(models.Model):
    """An evaluation expert of the pool (评标专家库)."""

    code = models.CharField("专家编号", max_length=20, unique=True)
    name = models.CharField("姓名", max_length=50)
    specialty = models.CharField("专业", max_length=60, db_index=True)
    employer_name = models.CharField("工作单位", max_length=200)
    employer_code = models.CharField("工作单位统一社会信用代码", max_length=18, db_index=True)
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    region_path = models.CharField("区划路径", max_length=200, blank=True, db_index=True)
    phone_enc = models.TextField("手机号码（密文）", blank=True)
    phone_masked = models.CharField("手机号码（脱敏）", max_length=20, blank=True)
    phone_token = models.CharField("手机号码检索值", max_length=64, blank=True)
    active = models.BooleanField("在库", default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="评审账号",
    )

    class Meta:
        verbose_name = "评标专家"
        verbose_name_plural = "评标专家"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone_token"],
                condition=~models.Q(phone_token=""),
                name="tr_expert_phone_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ExpertCoWork(models.Model):
    """Recent work of an expert with an entity (回避: recent co-work within 3 years)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="co_work")
    entity_code = models.CharField("合作单位统一社会信用代码", max_length=18, db_index=True)
    until = models.DateField("合作截止")

    def __str__(self) -> str:
        return f"{self.expert_id}:{self.entity_code}"


class TenderExpert(models.Model):
    """An expert drawn for a tender."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="experts")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+")
    seat = models.PositiveSmallIntegerField("抽取顺序", default=0)
    is_lead = models.BooleanField("评标委员会组长", default=False)
    declared_at = models.DateTimeField("回避声明时间（无利害关系）", null=True, blank=True)
    recused = models.BooleanField("已回避", default=False)
    recusal_reason = models.CharField("回避事由", max_length=300, blank=True)
    scored_at = models.DateTimeField("评分提交时间", null=True, blank=True)
    sheet_sm3 = models.CharField("评分表签名摘要（SM3）", max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tender", "expert"], name="tr_expert_once")]

    def __str__(self) -> str:
        return f"{self.tender_id}:{self.expert_id}"


class TenderScore(models.Model):
    """One line of an expert's scoring sheet (评分表)."""

    tender_expert = models.ForeignKey(TenderExpert, on_delete=models.PROTECT, related_name="scores")
    bid = models.ForeignKey(TenderBid, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField("得分（0–100）")
    parts = models.JSONField("分项得分", default=dict, blank=True)
    comment = models.CharField("评审意见", max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tender_expert", "bid"], name="tr_score_once"),
            models.CheckConstraint(condition=models.Q(score__lte=100), name="tr_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.score}"


class TenderObjection(models.Model):
    """An objection (异议) to the publicized winning candidates."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="objections")
    filer_name = models.CharField("异议人", max_length=200)
    reason = models.TextField("异议事由")
    filed_at = models.DateTimeField("提出时间")
    status = models.CharField(max_length=12, default="pending")
    answer = models.TextField("答复", blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["filed_at", "id"]

    def __str__(self) -> str:
        return self.filer_name
