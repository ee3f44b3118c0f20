from typing import Any

from django.contrib import admin

from tongban.credit.models import (
    ClassChange,
    CreditList,
    CreditRating,
    ListMeasure,
)


class MeasureInline(admin.TabularInline):
    model = ListMeasure
    extra = 0


@admin.register(CreditList)
class CreditListAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "department", "active")
    inlines = [MeasureInline]


@admin.register(CreditRating)
class CreditRatingAdmin(admin.ModelAdmin):
    list_display = ("subject_code", "subject_name", "credit_class", "score", "rule_version")
    search_fields = ("subject_code",)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ClassChange)
class ClassChangeAdmin(admin.ModelAdmin):
    list_display = ("subject_code", "from_class", "to_class", "rule_version", "changed_at")
    search_fields = ("subject_code",)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
