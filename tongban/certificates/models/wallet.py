"""The holder's side: use authorizations (用证授权) and the log of every read."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tongban.certificates.models.certificates import Certificate


class UseAuthorization(models.Model):
    """用证授权: the holder lets one department use one certificate, for one
    case or purpose, until a time. Revoked, never deleted."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="authorizations", verbose_name="证照"
    )
    holder_key = models.CharField("持证主体检索键", max_length=72, db_index=True)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="用证部门"
    )
    case_no = models.CharField("办件编号", max_length=24, blank=True)
    purpose = models.CharField("用途", max_length=200)
    valid_until = models.DateTimeField("授权截止")
    created_at = models.DateTimeField("授权时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "用证授权"
        verbose_name_plural = "用证授权"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["certificate", "department"], name="cert_auth_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} → {self.department_id} ({self.purpose})"


class AccessBasis(models.TextChoices):
    AUTHORIZATION = "authorization", "用证授权"
    CASE = "case", "办件所需"
    VERIFICATION = "verification", "公开核验"


class CertificateAccess(models.Model):
    """One read of a certificate by staff or a system: who, when, for which
    case and purpose, and on what basis. Append-only (no service updates or
    deletes a row; the admin is read-only); the holder sees the list."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="accesses", verbose_name="证照"
    )
    holder_key = models.CharField("持证主体检索键", max_length=72)
    at = models.DateTimeField("时间")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="查看人",
    )
    reader_label = models.CharField("查看人", max_length=200)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="部门",
    )
    basis = models.CharField("依据", max_length=16, choices=AccessBasis.choices)
    authorization = models.ForeignKey(
        UseAuthorization, on_delete=models.PROTECT, null=True, blank=True, related_name="accesses"
    )
    case_no = models.CharField("办件编号", max_length=24, blank=True)
    purpose = models.CharField("用途", max_length=200)

    class Meta:
        verbose_name = "证照查看记录"
        verbose_name_plural = "证照查看记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["holder_key", "-at", "-id"], name="cert_access_holder")]

    def __str__(self) -> str:
        return f"{self.reader_label} 查看 {self.certificate_id} ({self.at})"
