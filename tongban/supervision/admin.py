"""Alerts in the admin: read-only (only the sweep writes them)."""

from __future__ import annotations

from django.contrib import admin

from tongban.core.admin import ReadOnlyAdmin
from tongban.supervision.models import Alert


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
