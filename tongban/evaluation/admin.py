"""Ratings and rectifications in the admin: read-only (only the services write them)."""

from __future__ import annotations

from django.contrib import admin

from tongban.core.admin import ReadOnlyAdmin
from tongban.evaluation.models import Rating, Rectification


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ("subject_no", "channel", "level", "department", "rated_at", "excluded")
    list_filter = ("level", "channel", "subject_kind", "excluded")
    search_fields = ("subject_no",)
    list_select_related = ("department",)
    ordering = ("-rated_at", "-id")
    show_full_result_count = False  # never count a large table


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ("subject_no", "status", "department", "due_on", "on_time", "escalations")
    list_filter = ("status", "on_time")
    search_fields = ("rating__subject_no",)
    list_select_related = ("rating", "department")
    ordering = ("due_on", "id")
    show_full_result_count = False

    @admin.display(description="办件或工单编号", ordering="rating__subject_no")
    def subject_no(self, obj: Rectification) -> str:
        return obj.rating.subject_no
