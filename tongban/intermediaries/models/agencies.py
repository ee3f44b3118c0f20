"""The agency library (中介机构库) and its credit evaluation library (R-IM-1, R-IM-3).

"一库建成、全省通用，一地入驻、全省通行，一处失信、全省受限": one library for the whole
province. An agency is listed at once when its 统一社会信用代码 is valid (zero
threshold); qualifications are optional and only checked where a purchase asks
for one. Penalties bind the agency in every region.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ServiceType(models.Model):
    """A kind of intermediary service and the approval items it feeds (环评 → 环境影响评价审批)."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("服务名称", max_length=60)
    approval_items = models.JSONField("服务的审批事项", default=list)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "中介服务类型"
        verbose_name_plural = "中介服务类型"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """An intermediary agency (中介机构), listed province-wide."""

    legal_entity = models.OneToOneField(
        "identity.LegalEntity", on_delete=models.PROTECT, related_name="+", verbose_name="法人"
    )
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("机构名称", max_length=200)
    region_code = models.CharField("登记地区划代码", max_length=6)
    contact_name = models.CharField("联系人", max_length=50)
    contact_phone_enc = models.TextField("联系电话（密文）")
    contact_phone_masked = models.CharField("联系电话（脱敏）", max_length=20)
    introduction = models.TextField("机构简介", blank=True)
    joined_at = models.DateTimeField("入驻时间", db_index=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "中介机构"
        verbose_name_plural = "中介机构"
        ordering = ["credit_code"]

    def __str__(self) -> str:
        return self.name


class AgencyService(models.Model):
    """A service an agency offers, with its published fee (收费标准公开)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="services")
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+")
    fee_basis = models.CharField("收费依据", max_length=200)
    fee_min_fen = models.BigIntegerField("收费下限（分）")
    fee_max_fen = models.BigIntegerField("收费上限（分）")
    published_at = models.DateTimeField("公布时间")

    class Meta:
        verbose_name = "服务与收费"
        verbose_name_plural = "服务与收费"
        ordering = ["agency_id", "service_type_id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "service_type"], name="im_service_once"),
            models.CheckConstraint(
                condition=models.Q(fee_min_fen__gte=0, fee_max_fen__gte=models.F("fee_min_fen")),
                name="im_service_fee_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}:{self.service_type_id}"


class AgencyQualification(models.Model):
    """A qualification an agency holds (optional; checked where a purchase asks)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="qualifications")
    name = models.CharField("资质名称", max_length=100)
    number = models.CharField("证书编号", max_length=60)
    valid_until = models.DateField("有效期至", null=True, blank=True)

    class Meta:
        verbose_name = "资质"
        verbose_name_plural = "资质"
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="im_qualification_once")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.number}）"


class Consortium(models.Model):
    """A 联合体: agencies that sign up together and give one combined report."""

    name = models.CharField("联合体名称", max_length=200)
    lead = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="led_consortia")
    members = models.ManyToManyField(Agency, related_name="consortia", verbose_name="成员")
    formed_at = models.DateTimeField("组成时间")

    class Meta:
        verbose_name = "联合体"
        verbose_name_plural = "联合体"

    def __str__(self) -> str:
        return self.name


class PenaltyKind(models.TextChoices):
    WARNING = "warning", "警示"
    SUSPENSION = "suspension", "暂停承接业务（失信受限）"


class AgencyPenalty(models.Model):
    """A penalty in the credit evaluation library; a suspension binds in every region."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="penalties")
    kind = models.CharField("处理类型", max_length=16, choices=PenaltyKind.choices)
    reason = models.CharField("事由", max_length=300)
    decided_by = models.CharField("作出单位", max_length=100)
    region_code = models.CharField("作出地区划代码", max_length=6)
    starts_at = models.DateTimeField("起始时间")
    ends_at = models.DateTimeField("截止时间", null=True, blank=True)
    recorded_at = models.DateTimeField("记录时间")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "中介机构失信处理"
        verbose_name_plural = "中介机构失信处理"
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["agency", "kind", "starts_at"], name="im_penalty_in_force")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.reason}"


class AgencyRating(models.Model):
    """The buyer's rating of a finished service (服务质量评价), one per purchase."""

    purchase = models.OneToOneField(
        "intermediaries.Purchase", on_delete=models.PROTECT, related_name="rating"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="ratings")
    score = models.PositiveSmallIntegerField("评分（1–5）")
    comment = models.CharField("评价", max_length=500, blank=True)
    rated_at = models.DateTimeField("评价时间")
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "服务评价"
        verbose_name_plural = "服务评价"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="im_rating_score_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.score} 星"
