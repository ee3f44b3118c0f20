"""The board's rollups in the admin: read-only (only ``services`` writes them)."""

from __future__ import annotations

from django.contrib import admin

from tongban.analytics.models import Rollup
from tongban.core.admin import ReadOnlyAdmin


@admin.register(Rollup)
class RollupAdmin(ReadOnlyAdmin):
    list_display = (
        "period",
        "metric",
        "dim",
        "region_path",
        "department",
        "num",
        "den",
        "built_at",
    )
    list_filter = ("metric", "period")
    search_fields = ("region_path",)
    list_select_related = ("department",)
    ordering = ("-period", "metric", "region_path", "id")
    show_full_result_count = False  # never count a large table
