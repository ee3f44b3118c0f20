"""Admin pages of electronic certificates: read-only, so that every change goes
through a service (issue, change, 注销/吊销/撤销, key rotation) with its
history and audit event; the access log is append-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tongban.certificates.models import (
    Certificate,
    CertificateAccess,
    CertificateEvent,
    CertificateType,
    PrintedCertification,
    ProofItem,
    SigningKey,
    UseAuthorization,
)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CertificateType)
class CertificateTypeAdmin(_ReadOnly):
    list_display = ["code", "name", "ministry", "holder_kind", "validity_kind", "active"]
    list_filter = ["ministry", "holder_kind", "validity_kind"]
    search_fields = ["code", "name"]


@admin.register(Certificate)
class CertificateAdmin(_ReadOnly):
    # The face stays encrypted here: the admin shows what verification shows.
    list_display = ["identifier", "certificate_type", "holder_code_masked", "issuing_department",
                    "status", "valid_until", "issued_at"]  # fmt: skip
    list_filter = ["status", "imported", "certificate_type"]
    search_fields = ["identifier", "source_case_no"]
    list_select_related = ["certificate_type", "issuing_department"]
    exclude = ["face_enc", "holder_name"]


@admin.register(CertificateEvent)
class CertificateEventAdmin(_ReadOnly):
    list_display = ["certificate", "action", "from_status", "to_status", "actor_label", "at"]
    list_filter = ["action"]


@admin.register(SigningKey)
class SigningKeyAdmin(_ReadOnly):
    list_display = ["key_id", "department", "use", "algorithm", "status", "created_at"]
    list_filter = ["use", "algorithm", "status"]
    exclude = ["private_key_enc"]


@admin.register(UseAuthorization)
class UseAuthorizationAdmin(_ReadOnly):
    list_display = ["certificate", "department", "purpose", "case_no", "valid_until", "revoked_at"]


@admin.register(CertificateAccess)
class CertificateAccessAdmin(_ReadOnly):
    list_display = ["certificate", "reader_label", "department", "basis", "case_no", "at"]
    list_filter = ["basis"]


@admin.register(ProofItem)
class ProofItemAdmin(_ReadOnly):
    list_display = ["code", "name", "status", "requesting_unit", "issuing_unit"]
    list_filter = ["status"]


@admin.register(PrintedCertification)
class PrintedCertificationAdmin(_ReadOnly):
    list_display = ["number", "kind", "holder_masked", "source_department", "issued_at"]
    list_filter = ["kind"]
