"""Admin pages of the kernel. Writes go through the services (CONVENTIONS 2)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from tongban.core import events
from tongban.core.audit import actor_label
from tongban.core.errors import DomainError
from tongban.core.models import (
    AuditEvent,
    CalendarOverride,
    CalendarYear,
    OutboxMessage,
    OutboxStatus,
)
from tongban.core.services import calendar_override_set


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CalendarYear)
class CalendarYearAdmin(ReadOnlyAdmin):
    """Years are recorded by importing the notice (`tongban calendar import`)."""

    list_display = ["year", "source", "imported_at", "imported_by"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "working", "name", "source", "updated_at"]
    list_filter = ["working"]
    date_hierarchy = "date"
    search_fields = ["name", "source"]
    fields = ["date", "working", "name", "source"]

    def save_model(
        self, request: HttpRequest, obj: CalendarOverride, form: Any, change: bool
    ) -> None:
        try:
            saved = calendar_override_set(
                date=obj.date,
                working=obj.working,
                name=obj.name,
                source=obj.source,
                actor=actor_label(request.user),
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
            return
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "actor", "action", "object_type", "object_id", "address"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "event",
        "subscriber",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "event"]
    actions = ["retry_dead"]

    @admin.action(description="重新投递所选的死信事件")
    def retry_dead(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = 0
        for message in queryset.filter(status=OutboxStatus.DEAD):
            events.outbox_retry_dead(message_id=message.pk)
            count += 1
        messages.info(request, f"已重新排队 {count} 条事件。")


# --- Notifications (core.notifications) ---------------------------------------

from tongban.core.models import Notification, NotificationStatus  # noqa: E402  (section kept apart)
from tongban.core.notifications import notification_retry  # noqa: E402  (section kept apart)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Sent and failed notifications; the recipient is shown masked only."""

    list_display = [
        "id",
        "channel",
        "recipient_masked",
        "purpose",
        "object_type",
        "object_id",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "channel", "purpose"]
    search_fields = ["object_id", "gateway_message_id"]
    date_hierarchy = "created_at"
    # Never the ciphertext or the search token, not even read-only.
    fields = [
        "channel",
        "recipient_masked",
        "subject",
        "body",
        "purpose",
        "object_type",
        "object_id",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "gateway",
        "gateway_message_id",
        "created_at",
        "sent_at",
    ]
    actions = ["retry_dead_notifications"]

    @admin.action(description="重新发送所选的已放弃通知")
    def retry_dead_notifications(
        self, request: HttpRequest, queryset: QuerySet[Notification]
    ) -> None:
        count = 0
        for notification in queryset.filter(status=NotificationStatus.DEAD):
            notification_retry(notification_id=notification.pk, actor=actor_label(request.user))
            count += 1
        messages.info(request, f"已重新排队 {count} 条通知。")
