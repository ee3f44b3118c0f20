"""Admin pages of the catalogue. Guides are edited in the workbench (draft →
review → publish); here they are read-only so no edit bypasses the workflow."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tongban.catalog.models import BasicItem, FieldDefinition, GuideEvent, GuideVersion, ServiceItem


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BasicItem)
class BasicItemAdmin(_ReadOnly):
    list_display = ["code", "name", "item_type", "levels"]
    list_filter = ["item_type"]
    search_fields = ["code", "name"]


@admin.register(ServiceItem)
class ServiceItemAdmin(_ReadOnly):
    list_display = ["implementation_code", "name", "department", "region", "level", "status",
                    "online_depth", "visits_required", "published_at"]  # fmt: skip
    list_filter = ["level", "status", "item_type", "online_depth", "visits_required"]
    search_fields = ["implementation_code", "name", "department__name"]
    list_select_related = ["department", "region"]


class GuideEventInline(admin.TabularInline):
    model = GuideEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "action", "from_status", "to_status", "comment"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(GuideVersion)
class GuideVersionAdmin(_ReadOnly):
    list_display = ["service_item", "number", "status", "updated_at", "published_at"]
    list_filter = ["status"]
    search_fields = ["service_item__implementation_code", "service_item__name"]
    list_select_related = ["service_item"]
    inlines = [GuideEventInline]


@admin.register(FieldDefinition)
class FieldDefinitionAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "type"]
    search_fields = ["code", "label"]
