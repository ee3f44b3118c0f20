"""Issued certificates, their history, and the departments' signing keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tongban.certificates.models.types import CertificateType, HolderKind


class CertificateStatus(models.TextChoices):
    VALID = "valid", "有效"
    CANCELLED = "cancelled", "已注销"
    REVOKED = "revoked", "已吊销"
    ANNULLED = "annulled", "已撤销"
    SUPERSEDED = "superseded", "已变更（由新版本替代）"


# Shown on verification: "已过期" is derived from the dates, never stored.
EXPIRED_LABEL = "已过期"


class Certificate(models.Model):
    """电子证照: one version of one issued certificate.

    The holder is kept by a key that does not depend on an account: the
    keyed search token of the ID number (the same token as
    ``identity.Person.id_number_token``) or the 统一社会信用代码, so that a
    backlog imported for people who have not signed up yet is theirs when
    they do. The face (照面信息) is stored encrypted (SM4-GCM, R-SC-1); the
    masked public part is kept beside it for verification.
    """

    identifier = models.CharField("证照标识", max_length=80, unique=True)
    lineage = models.CharField("证照序列", max_length=72, db_index=True)
    version = models.PositiveSmallIntegerField("版本", default=1)
    certificate_type = models.ForeignKey(
        CertificateType, on_delete=models.PROTECT, related_name="certificates", verbose_name="类型"
    )
    issuing_department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="issued_certificates",
        verbose_name="颁发部门",
    )
    holder_kind = models.CharField("持证主体类型", max_length=8, choices=HolderKind.choices)
    holder_key = models.CharField("持证主体检索键", max_length=72)
    holder_person = models.ForeignKey(
        "identity.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="持证人",
    )
    holder_entity = models.ForeignKey(
        "identity.LegalEntity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="持证单位",
    )
    holder_name = models.CharField("持证主体名称", max_length=200)
    holder_code_masked = models.CharField("持证主体代码（脱敏）", max_length=32)
    face_enc = models.TextField("照面信息（密文）")
    face_public = models.JSONField("照面信息（公开部分，已脱敏）", default=dict)
    number = models.CharField("证照编号", max_length=80, blank=True)
    valid_from = models.DateField("有效期起始")
    valid_until = models.DateField("有效期截止", null=True, blank=True)
    issued_at = models.DateTimeField("签发时间")
    source_case_no = models.CharField("来源办件", max_length=24, blank=True, db_index=True)
    imported = models.BooleanField("存量导入", default=False)
    status = models.CharField(
        "状态", max_length=12, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    status_reason = models.TextField("状态变更理由", blank=True)
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="替代版本",
    )
    key_id = models.CharField("签名密钥", max_length=40)
    algorithm = models.CharField("签名算法", max_length=12)
    qr_payload = models.TextField("二维码内容（已签名）")
    pdf = models.FileField("证照文件", upload_to="certificates/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField("文件摘要", max_length=64, blank=True)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "电子证照"
        verbose_name_plural = "电子证照"
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="certificate_version_once")
        ]
        indexes = [
            # The wallet and intake's "does this applicant hold a valid X".
            models.Index(
                fields=["holder_key", "certificate_type", "status"], name="certificate_holder"
            ),
            models.Index(fields=["issuing_department", "-issued_at"], name="certificate_issuer"),
        ]

    def __str__(self) -> str:
        return self.identifier


class CertificateEvent(models.Model):
    """History of a certificate (issue, change, 注销, 吊销, 撤销): appended, never edited."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间")
    actor_label = models.CharField("操作人", max_length=200)
    action = models.CharField("操作", max_length=24)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    reason = models.TextField("理由", blank=True)
    details = models.JSONField("详情", default=dict)

    class Meta:
        verbose_name = "证照记录"
        verbose_name_plural = "证照记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.action} {self.at}"


class CertificateSerial(models.Model):
    """The last 流水号 of one type, issuer and year (core.counters)."""

    type_code = models.CharField(max_length=21)
    issuer_code = models.CharField(max_length=18)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["type_code", "issuer_code", "year"], name="certificate_serial_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type_code}/{self.issuer_code}/{self.year}: {self.last}"


class KeyAlgorithm(models.TextChoices):
    SM2 = "SM2", "SM2（SM3 摘要）"
    ED25519 = "Ed25519", "Ed25519"
    ECDSA_P256 = "ECDSA-P256", "ECDSA P-256（PDF 电子印章）"


class KeyUse(models.TextChoices):
    QR = "qr", "证照二维码签名"
    PDF_SEAL = "pdf_seal", "PDF 电子印章"


class KeyStatus(models.TextChoices):
    ACTIVE = "active", "在用"
    RETIRED = "retired", "已轮换（仍可核验）"
    REVOKED = "revoked", "已作废（不再核验）"


class SigningKey(models.Model):
    """A department's signing key. The private key is stored only encrypted
    (SM4-GCM, core.crypto); rotation retires the old key, which still
    verifies what it signed, and a new key id signs from then on."""

    key_id = models.CharField("密钥标识", max_length=40, unique=True)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="signing_keys", verbose_name="部门"
    )
    use = models.CharField("用途", max_length=10, choices=KeyUse.choices)
    algorithm = models.CharField("算法", max_length=12, choices=KeyAlgorithm.choices)
    public_key = models.TextField("公钥（十六进制）")
    private_key_enc = models.TextField("私钥（密文）")
    certificate_pem = models.TextField("证书（PEM，电子印章用）", blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=KeyStatus.choices, default=KeyStatus.ACTIVE
    )
    created_at = models.DateTimeField("创建时间")
    retired_at = models.DateTimeField("轮换时间", null=True, blank=True)
    revoked_at = models.DateTimeField("作废时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "签名密钥"
        verbose_name_plural = "签名密钥"
        ordering = ["department_id", "use", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "use", "algorithm"],
                condition=Q(status="active"),
                name="signing_key_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key_id} ({self.algorithm}, {self.get_status_display()})"
