"""The expert pool (评标专家库) in Django admin: for looking up, read-only.

Experts are added, edited and taken out of the pool on the workbench
(``/workbench/market/experts/``) through ``services.experts``, which check the
staff scope, the fields and duplicates and write the audit trail; the admin
writes none of that, so it changes nothing here. The phone shows masked only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from tongban.intermediaries.models import Expert, ExpertCoWork


class CoWorkInline(admin.TabularInline):
    model = ExpertCoWork
    extra = 0
    fields = ("entity_code", "until")
    readonly_fields = fields
    can_delete = False


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "specialty",
        "employer_name",
        "region",
        "phone_masked",
        "active",
    )
    list_filter = ("active", "specialty")
    search_fields = ("code", "name", "employer_name", "employer_code")
    fields = (
        "code",
        "name",
        "specialty",
        "employer_name",
        "employer_code",
        "region",
        "phone_masked",
        "active",
        "user",
    )
    readonly_fields = fields
    inlines = [CoWorkInline]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
