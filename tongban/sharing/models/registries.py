"""Demo base registries (基础库, R-ID-2): 自然人库, 法人库 and the topic registries.

"一次采集、一库管理、多方使用": each table stands for the system of record of one
providing department (公安 for population and households, 民政 for marriages,
卫生健康 for births, 人社 for social insurance, 自然资源 for real estate, 市场监管
for businesses). Persons are found by the keyed search token of their ID
number (HMAC-SM3, the same token as ``identity.Person.id_number_token``, so
the platform has one subject key); ID numbers and home addresses are stored
only encrypted (SM4-GCM, DESIGN §8).
"""

from __future__ import annotations

from django.db import models


class PopulationRecord(models.Model):
    """人口基础信息: one natural person as the population registry knows her."""

    id_number_enc = models.TextField("公民身份号码（密文）")
    id_number_token = models.CharField("公民身份号码检索令牌", max_length=64, unique=True)
    id_number_masked = models.CharField("公民身份号码（脱敏）", max_length=32)
    name = models.CharField("姓名", max_length=100)
    sex = models.CharField("性别", max_length=8, choices=[("male", "男"), ("female", "女")])
    birth_date = models.DateField("出生日期")
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    birth_place = models.CharField("出生地区划代码", max_length=12, blank=True)
    deceased_on = models.DateField("死亡日期", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "人口基础信息"
        verbose_name_plural = "自然人库（人口基础信息）"

    def __str__(self) -> str:
        return f"人口记录 {self.id_number_masked}"


class HouseholdRecord(models.Model):
    """户籍: where a person's household is registered (居民户口簿)."""

    person = models.ForeignKey(
        PopulationRecord, on_delete=models.PROTECT, related_name="households", verbose_name="人员"
    )
    household_no = models.CharField("户号", max_length=20)
    region_code = models.CharField("户籍地区划代码", max_length=12)
    address_enc = models.TextField("住址（密文）")
    relation = models.CharField("与户主关系", max_length=20)
    registered_on = models.DateField("登记日期")
    moved_out_on = models.DateField("迁出日期", null=True, blank=True)

    class Meta:
        verbose_name = "户籍信息"
        verbose_name_plural = "户籍信息"
        indexes = [models.Index(fields=["person", "moved_out_on"], name="sharing_household_cur")]

    def __str__(self) -> str:
        return f"户号 {self.household_no}"


class MarriageRecord(models.Model):
    """婚姻登记: one marriage; ``dissolved_on`` when ended by divorce or death."""

    party_a = models.ForeignKey(
        PopulationRecord, on_delete=models.PROTECT, related_name="+", verbose_name="一方"
    )
    party_b = models.ForeignKey(
        PopulationRecord, on_delete=models.PROTECT, related_name="+", verbose_name="另一方"
    )
    registered_on = models.DateField("登记日期")
    certificate_no = models.CharField("结婚证字号", max_length=40)
    registry_office = models.CharField("登记机关", max_length=100)
    dissolved_on = models.DateField("解除日期", null=True, blank=True)
    dissolution = models.CharField(
        "解除原因", max_length=16, blank=True, choices=[("divorce", "离婚"), ("death", "一方死亡")]
    )

    class Meta:
        verbose_name = "婚姻登记信息"
        verbose_name_plural = "婚姻登记信息"
        indexes = [
            models.Index(fields=["party_a"], name="sharing_marriage_a"),
            models.Index(fields=["party_b"], name="sharing_marriage_b"),
        ]

    def __str__(self) -> str:
        return f"婚姻登记 {self.certificate_no}"


class BirthRecord(models.Model):
    """出生医学证明: the child's birth and the parents named on it."""

    child = models.OneToOneField(
        PopulationRecord, on_delete=models.PROTECT, related_name="birth", verbose_name="新生儿"
    )
    mother = models.ForeignKey(
        PopulationRecord, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="母亲",
    )  # fmt: skip
    father = models.ForeignKey(
        PopulationRecord, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="父亲",
    )  # fmt: skip
    birth_date = models.DateField("出生日期")
    birth_place = models.CharField("出生地点（助产机构）", max_length=100)
    certificate_no = models.CharField("出生医学证明编号", max_length=20)

    class Meta:
        verbose_name = "出生医学证明信息"
        verbose_name_plural = "出生医学证明信息"
        indexes = [
            models.Index(fields=["mother"], name="sharing_birth_mother"),
            models.Index(fields=["father"], name="sharing_birth_father"),
        ]

    def __str__(self) -> str:
        return f"出生医学证明 {self.certificate_no}"


class InsuranceKind(models.TextChoices):
    PENSION = "pension", "基本养老保险"
    MEDICAL = "medical", "基本医疗保险"
    UNEMPLOYMENT = "unemployment", "失业保险"
    INJURY = "injury", "工伤保险"
    MATERNITY = "maternity", "生育保险"


class InsuranceStatus(models.TextChoices):
    ACTIVE = "active", "参保缴费"
    SUSPENDED = "suspended", "暂停缴费"
    TERMINATED = "terminated", "终止参保"


class SocialInsuranceRecord(models.Model):
    """社会保险参保: one insurance of one person."""

    person = models.ForeignKey(
        PopulationRecord, on_delete=models.PROTECT, related_name="insurances", verbose_name="参保人"
    )
    kind = models.CharField("险种", max_length=16, choices=InsuranceKind.choices)
    status = models.CharField("参保状态", max_length=16, choices=InsuranceStatus.choices)
    region_code = models.CharField("参保地区划代码", max_length=12)
    employer_credit_code = models.CharField("参保单位统一社会信用代码", max_length=18, blank=True)
    since = models.DateField("参保日期")
    months_paid = models.PositiveIntegerField("累计缴费月数", default=0)

    class Meta:
        verbose_name = "社会保险参保信息"
        verbose_name_plural = "社会保险参保信息"
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="sharing_insurance_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.get_status_display()}）"


class BusinessStatus(models.TextChoices):
    # 市场主体登记管理条例: 存续（在营、开业、在册）, 吊销, 注销, 迁出.
    IN_BUSINESS = "in_business", "存续（在营）"
    REVOKED = "revoked", "吊销"
    CANCELLED = "cancelled", "注销"
    MOVED_OUT = "moved_out", "迁出"


class BusinessRecord(models.Model):
    """法人库: a market entity as its registration authority records it (public data)."""

    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("名称", max_length=200)
    kind = models.CharField("类型", max_length=60)
    status = models.CharField("登记状态", max_length=16, choices=BusinessStatus.choices)
    legal_representative = models.ForeignKey(
        PopulationRecord, on_delete=models.PROTECT, null=True, blank=True,
        related_name="represented_businesses", verbose_name="法定代表人",
    )  # fmt: skip
    legal_representative_name = models.CharField("法定代表人姓名", max_length=100)
    established_on = models.DateField("成立日期")
    registered_capital = models.DecimalField("注册资本（万元）", max_digits=14, decimal_places=2)
    business_scope = models.TextField("经营范围")
    address = models.CharField("住所", max_length=200)
    region_code = models.CharField("登记地区划代码", max_length=6)
    registration_authority = models.CharField("登记机关", max_length=100)

    class Meta:
        verbose_name = "市场主体登记信息"
        verbose_name_plural = "法人库（市场主体登记信息）"

    def __str__(self) -> str:
        return f"{self.name}（{self.credit_code}）"


class RealEstateRecord(models.Model):
    """不动产登记: one registered right (不动产权证书) and its holder."""

    unit_number = models.CharField("不动产单元号", max_length=28)
    certificate_no = models.CharField("不动产权证书号", max_length=60)
    location_enc = models.TextField("坐落（密文）")
    region_code = models.CharField("所在区划代码", max_length=12)
    area = models.DecimalField("建筑面积（平方米）", max_digits=10, decimal_places=2)
    use = models.CharField("用途", max_length=20)
    owner_person = models.ForeignKey(
        PopulationRecord, on_delete=models.PROTECT, null=True, blank=True,
        related_name="real_estate", verbose_name="权利人（自然人）",
    )  # fmt: skip
    owner_business = models.ForeignKey(
        BusinessRecord, on_delete=models.PROTECT, null=True, blank=True,
        related_name="real_estate", verbose_name="权利人（法人）",
    )  # fmt: skip
    registered_on = models.DateField("登簿日期")
    cancelled_on = models.DateField("注销日期", null=True, blank=True)
    mortgaged = models.BooleanField("存在抵押", default=False)

    class Meta:
        verbose_name = "不动产登记信息"
        verbose_name_plural = "不动产登记信息"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner_person__isnull=False)
                | models.Q(owner_business__isnull=False),
                name="sharing_real_estate_has_owner",
            )
        ]

    def __str__(self) -> str:
        return f"不动产 {self.unit_number}"
