"""Alerts and 督办单 in the admin: read-only (only the sweep and the services write them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from tongban.core.admin import ReadOnlyAdmin
from tongban.supervision.models import Alert, Instruction, InstructionEvent


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = (
        "case_no",
        "kind",
        "level",
        "deadline",
        "working_days_left",
        "department",
        "raised_at",
        "resolved_at",
    )
    list_filter = ("kind", "level", ("resolved_at", admin.EmptyFieldListFilter))
    search_fields = ("case__case_no",)
    list_select_related = ("case", "department")
    ordering = ("-raised_at", "-id")
    show_full_result_count = False  # never count a large table

    @admin.display(description="办件编号", ordering="case__case_no")
    def case_no(self, obj: Alert) -> str:
        return obj.case.case_no


class InstructionEventInline(admin.TabularInline):
    model = InstructionEvent
    extra = 0
    can_delete = False
    fields = ("at", "actor_label", "action", "from_status", "to_status", "text")
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Instruction)
class InstructionAdmin(ReadOnlyAdmin):
    """督办单, read-only: only ``supervision.instructions`` writes them."""

    list_display = (
        "id",
        "department",
        "subject_kind",
        "subject_ref",
        "due_on",
        "status",
        "on_time",
    )
    list_filter = ("status", "subject_kind")
    search_fields = ("subject_ref", "department__name")
    list_select_related = ("department",)
    ordering = ("-issued_at", "-id")
    inlines = (InstructionEventInline,)
    show_full_result_count = False
