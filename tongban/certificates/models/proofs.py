"""Proof items (证明事项, R-EC-4) and self-service printed certifications (R-EC-5)."""

from __future__ import annotations

from django.db import models


class ProofStatus(models.TextChoices):
    RETAINED = "retained", "保留"
    SHARING = "sharing", "以数据共享替代"
    COMMITMENT = "commitment", "以告知承诺替代"
    ABOLISHED = "abolished", "取消"


REMOVED_STATUSES = (ProofStatus.SHARING, ProofStatus.COMMITMENT, ProofStatus.ABOLISHED)


class ProofItem(models.Model):
    """证明事项: a certification a department asks an applicant for, with its
    legal basis, who asks (索要单位) and who issues it (开具单位). Removed ones
    stay in the list, marked, so the count of certifications cut is kept."""

    code = models.CharField("编号", max_length=20, unique=True)
    name = models.CharField("证明名称", max_length=200)
    legal_basis = models.TextField("设定依据")
    requesting_unit = models.CharField("索要单位", max_length=200)
    issuing_unit = models.CharField("开具单位", max_length=200)
    guide = models.TextField("办事指南", blank=True)
    status = models.CharField(
        "清理结果", max_length=12, choices=ProofStatus.choices, default=ProofStatus.RETAINED
    )
    replacement = models.TextField("替代方式说明", blank=True)
    decided_on = models.DateField("清理决定日期", null=True, blank=True)
    printable_kind = models.CharField("可自助打印", max_length=24, blank=True)
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "证明事项"
        verbose_name_plural = "证明事项清单"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProofItemUse(models.Model):
    """A basic catalogue item that asks for this certification (by 基本编码)."""

    proof_item = models.ForeignKey(ProofItem, on_delete=models.CASCADE, related_name="uses")
    basic_item_code = models.CharField("基本编码", max_length=12, db_index=True)
    basic_item_name = models.CharField("事项名称", max_length=200, blank=True)

    class Meta:
        verbose_name = "证明事项关联事项"
        verbose_name_plural = "证明事项关联事项"
        constraints = [
            models.UniqueConstraint(fields=["proof_item", "basic_item_code"], name="proof_use_once")
        ]

    def __str__(self) -> str:
        return f"{self.proof_item_id} ← {self.basic_item_code}"


class PrintKind(models.TextChoices):
    HOUSEHOLD = "household", "户籍证明"
    SOCIAL_INSURANCE = "social_insurance", "社会保险参保证明"
    TAX = "tax", "纳税证明"
    NO_CRIMINAL_RECORD = "no_criminal_record", "无犯罪记录证明"


class RegistryExtract(models.Model):
    """What a base registry says about one holder for one printable kind.

    A stand-in until the sharing app's base registries (自然人库、社保、税务)
    answer these questions; the demo fills it for the demo accounts."""

    holder_key = models.CharField("持证主体检索键", max_length=72)
    kind = models.CharField("证明类型", max_length=24, choices=PrintKind.choices)
    facts = models.JSONField("内容", default=dict)
    source_department = models.CharField("数据来源部门", max_length=100)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "基础库摘录"
        verbose_name_plural = "基础库摘录"
        constraints = [
            models.UniqueConstraint(fields=["holder_key", "kind"], name="registry_extract_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.holder_key[:10]}…"


class PrintedCertification(models.Model):
    """A certification printed by the applicant (自助打印), verifiable by its code."""

    kind = models.CharField("证明类型", max_length=24, choices=PrintKind.choices)
    number = models.CharField("编号", max_length=40, unique=True)
    verification_code = models.CharField("核验码", max_length=32, unique=True)
    holder_key = models.CharField("持证主体检索键", max_length=72, db_index=True)
    holder_masked = models.CharField("持证主体（脱敏）", max_length=100)
    content_public = models.JSONField("公开核验内容", default=dict)
    source_department = models.CharField("数据来源部门", max_length=100)
    pdf = models.FileField("文件", upload_to="certifications/%Y/%m/")
    pdf_sha256 = models.CharField("文件摘要", max_length=64)
    issued_at = models.DateTimeField("出具时间")
    valid_until = models.DateField("有效期至")

    class Meta:
        verbose_name = "自助打印证明"
        verbose_name_plural = "自助打印证明"
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"
