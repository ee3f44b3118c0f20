"""Admin pages of data sharing: read-only, so that no edit bypasses the services
(grants have a workflow, the access log is append-only, the registries are the
providers' records). Personal values show masked or not at all."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tongban.sharing.models import (
    AccessGrant,
    AccessGrantEvent,
    AccessLogEntry,
    AccessLogSeal,
    BusinessRecord,
    DataResource,
    PopulationRecord,
    ResourceField,
)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ResourceFieldInline(admin.TabularInline):
    model = ResourceField
    extra = 0
    can_delete = False
    fields = readonly_fields = ("position", "code", "name", "data_type", "sensitivity")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DataResource)
class DataResourceAdmin(_ReadOnly):
    list_display = ["code", "name", "provider", "sharing_type", "update_frequency",
                    "registry", "open_to_public", "active"]  # fmt: skip
    list_filter = ["sharing_type", "update_frequency", "open_to_public", "active"]
    search_fields = ["code", "name", "provider__name"]
    list_select_related = ["provider"]
    inlines = [ResourceFieldInline]


class AccessGrantEventInline(admin.TabularInline):
    model = AccessGrantEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "actor_label", "action", "from_status", "to_status", "reason")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessGrant)
class AccessGrantAdmin(_ReadOnly):
    list_display = ["id", "resource", "consumer", "status", "requested_at", "valid_until"]
    list_filter = ["status"]
    search_fields = ["resource__code", "resource__name", "consumer__name"]
    list_select_related = ["resource", "consumer"]
    exclude = ["requested_fields", "granted_fields"]
    inlines = [AccessGrantEventInline]


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(_ReadOnly):
    list_display = ["seq", "at", "kind", "target", "consumer_name", "actor_label",
                    "subject_label", "outcome", "error_code", "case_no"]  # fmt: skip
    list_filter = ["kind", "outcome", "channel"]
    search_fields = ["case_no", "consumer_name", "target"]
    exclude = ["subject_token"]


@admin.register(AccessLogSeal)
class AccessLogSealAdmin(_ReadOnly):
    list_display = ["id", "sealed_at", "first_seq", "last_seq", "count", "hash"]


@admin.register(PopulationRecord)
class PopulationRecordAdmin(_ReadOnly):
    list_display = ["id_number_masked", "sex", "birth_date", "updated_at"]
    exclude = ["id_number_enc", "id_number_token", "name"]


@admin.register(BusinessRecord)
class BusinessRecordAdmin(_ReadOnly):
    list_display = ["credit_code", "name", "status", "established_on", "region_code"]
    list_filter = ["status"]
    search_fields = ["credit_code", "name"]
    exclude = ["legal_representative"]
