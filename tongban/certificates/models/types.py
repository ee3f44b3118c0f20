"""The certificate catalogue (电子证照目录): what kinds exist and who issues them."""

from __future__ import annotations

from django.db import models


class HolderKind(models.TextChoices):
    PERSON = "person", "自然人"
    ENTITY = "entity", "法人和其他组织"


class ValidityKind(models.TextChoices):
    LONG_TERM = "long_term", "长期有效"
    YEARS = "years", "自签发之日起若干年"
    FACE = "face", "以照面载明的有效期为准"


class FieldType(models.TextChoices):
    TEXT = "text", "文本"
    DATE = "date", "日期"
    NUMBER = "number", "数字"
    ID_NUMBER = "id_number", "公民身份号码"
    CREDIT_CODE = "credit_code", "统一社会信用代码"
    SELECT = "select", "选项"


class CertificateType(models.Model):
    """证照类型: one kind of licence or certificate, as its ministry defines it.

    ``face_fields`` lists the fields on its face (照面信息), each
    ``{"key", "label", "type", "required", "options", "public"}``; ``public``
    fields may be shown (masked where personal) on the verification page.
    """

    code = models.CharField("证照类型代码", max_length=21, unique=True)
    name = models.CharField("证照名称", max_length=100, unique=True)
    aliases = models.JSONField("别名", default=list, blank=True)
    ministry = models.CharField("定义部门", max_length=100)
    ministry_credit_code = models.CharField("定义部门统一社会信用代码", max_length=18)
    holder_kind = models.CharField("持证主体", max_length=8, choices=HolderKind.choices)
    face_fields = models.JSONField("照面信息项", default=list)
    validity_kind = models.CharField("有效期规则", max_length=12, choices=ValidityKind.choices)
    validity_years = models.PositiveSmallIntegerField("有效年限", null=True, blank=True)
    legal_basis = models.TextField("设定依据", blank=True)
    issuing_authority = models.CharField("颁发机构", max_length=200, blank=True)
    issuing_departments = models.ManyToManyField(
        "org.Department",
        blank=True,
        related_name="certificate_types",
        verbose_name="可签发部门",
        help_text="留空表示依事项实施主体签发，不限部门",
    )
    active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "证照类型"
        verbose_name_plural = "电子证照目录"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CertificateTypeItem(models.Model):
    """A basic catalogue item whose grant issues this type (by 基本编码: the
    catalogue is a sibling registry, so the link is its public code)."""

    certificate_type = models.ForeignKey(
        CertificateType, on_delete=models.CASCADE, related_name="items", verbose_name="证照类型"
    )
    basic_item_code = models.CharField("基本编码", max_length=12, db_index=True)
    basic_item_name = models.CharField("事项名称", max_length=200, blank=True)

    class Meta:
        verbose_name = "签发事项"
        verbose_name_plural = "签发事项"
        constraints = [
            models.UniqueConstraint(
                fields=["certificate_type", "basic_item_code"], name="cert_type_item_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.basic_item_code} → {self.certificate_type_id}"
