"""Administrators register department systems and their webhook endpoints, read
the delivery log and replay a delivery (the replay button)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from tongban.integration.models import DepartmentSystem, WebhookDelivery, WebhookEndpoint
from tongban.integration.services import webhook_replay


@admin.register(DepartmentSystem)
class DepartmentSystemAdmin(admin.ModelAdmin[DepartmentSystem]):
    """Registered with ``integration_system_register`` (the roles and scope come with it)."""

    list_display = ("name", "department", "user", "created_at")
    list_select_related = ("department", "user")
    readonly_fields = ("name", "user", "department", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin[WebhookEndpoint]):
    list_display = ("url", "system", "active", "created_at")
    fields = ("system", "url", "events", "active", "created_at")
    readonly_fields = ("system", "url", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    list_display = (
        "id",
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
        "delivered_at",
    )
    list_filter = ("status", "event")
    list_select_related = ("endpoint",)
    readonly_fields = (
        "endpoint",
        "event",
        "event_id",
        "payload",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "created_at",
        "delivered_at",
        "replay_of",
    )
    actions = ("replay",)

    @admin.action(description="重新推送所选记录")
    def replay(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        for delivery in queryset:
            webhook_replay(delivery=delivery, actor=request.user)
        messages.success(request, f"已重新推送 {queryset.count()} 条。")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
