"""Policies for businesses (惠企政策), the classification they are matched on,
and the matches pushed to businesses (issue 14, item 4; R-ID-3)."""

from __future__ import annotations

from django.db import models


class SizeClass(models.TextChoices):
    # 《统计上大中小微型企业划分办法（2017）》
    LARGE = "large", "大型"
    MEDIUM = "medium", "中型"
    SMALL = "small", "小型"
    MICRO = "micro", "微型"


class CreditClass(models.TextChoices):
    # 纳税信用等级 (国家税务总局公告2014年第48号): A, B, M, C, D.
    A = "A", "A 级"
    B = "B", "B 级"
    M = "M", "M 级"
    C = "C", "C 级"
    D = "D", "D 级"


class BusinessClassification(models.Model):
    """What the 法人库's registration record does not carry but eligibility needs:
    the industry (GB/T 4754-2017 code, e.g. ``H6210``), the size class and the
    credit class, as the statistics and tax authorities report them."""

    business = models.OneToOneField(
        "sharing.BusinessRecord",
        on_delete=models.CASCADE,
        related_name="classification",
        verbose_name="市场主体",
    )
    industry_code = models.CharField("国民经济行业代码（GB/T 4754）", max_length=5, db_index=True)
    size_class = models.CharField("企业规模", max_length=8, choices=SizeClass.choices)
    credit_class = models.CharField("纳税信用等级", max_length=1, choices=CreditClass.choices)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "市场主体分类信息"
        verbose_name_plural = "市场主体分类信息"

    def __str__(self) -> str:
        return f"{self.business_id} {self.industry_code} {self.size_class} {self.credit_class}"


class Policy(models.Model):
    """One policy document and who it is for (``rules``, see ``policies.rules``)."""

    title = models.CharField("政策名称", max_length=200)
    issuer = models.CharField("发文机关", max_length=100)
    document_no = models.CharField("文号", max_length=60)
    valid_from = models.DateField("生效日期")
    valid_until = models.DateField("失效日期", null=True, blank=True)
    benefits = models.TextField("政策内容（可享受的支持）")
    rules = models.JSONField("适用条件", default=dict)
    # 免申即享: granted on the data alone, without an application.
    automatic = models.BooleanField("免申即享", default=False)
    # The service item a 免申即享 grant is recorded under, as a case (办件) the
    # platform opens and decides on the business's behalf (cases.services.policy_grants).
    service_item = models.ForeignKey(
        "catalog.ServiceItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="兑现事项",
    )
    published = models.BooleanField("已发布", default=False)
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "惠企政策"
        verbose_name_plural = "惠企政策"

    def __str__(self) -> str:
        return f"{self.title}（{self.document_no}）"


class PolicyMatch(models.Model):
    """A policy pushed to one business, with why it matched."""

    # No index of its own: the unique (policy, credit_code) below serves every
    # read by policy, and one index less is a tenth of writing 600,000 matches.
    policy = models.ForeignKey(
        Policy,
        on_delete=models.CASCADE,
        related_name="matches",
        verbose_name="政策",
        db_index=False,
    )
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    business_name = models.CharField("名称", max_length=200)
    reasons = models.JSONField("匹配理由", default=list)
    matched_at = models.DateTimeField("匹配时间")
    # 免申即享: when the benefit was granted, and why (no application was made).
    granted_at = models.DateTimeField("兑现时间", null=True, blank=True)
    grant_reason = models.CharField("兑现依据", max_length=500, blank=True)

    class Meta:
        verbose_name = "政策匹配"
        verbose_name_plural = "政策匹配"
        constraints = [
            models.UniqueConstraint(fields=["policy", "credit_code"], name="policy_match_once")
        ]
        indexes = [
            models.Index(fields=["credit_code", "-matched_at"], name="policy_match_business")
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} → {self.credit_code}"


class PolicyOptIn(models.Model):
    """A business asked to be told of matched policies by SMS too."""

    legal_entity = models.OneToOneField(
        "identity.LegalEntity",
        on_delete=models.CASCADE,
        related_name="policy_opt_in",
        verbose_name="法人",
    )
    sms = models.BooleanField("短信提醒", default=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "政策提醒订阅"
        verbose_name_plural = "政策提醒订阅"

    def __str__(self) -> str:
        return f"{self.legal_entity_id} 短信{'开' if self.sms else '关'}"
