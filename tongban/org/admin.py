"""Admin pages for the organisation layer: readable in Chinese, thin (CONVENTIONS 2).

Regions are loaded from the GB/T 2260 file (``regions_load_from_file``), so
their admin is read-mostly; the tree is browsed by level and by province or
city through the materialised path.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from tongban.core.audit import actor_label, audit_record
from tongban.org.models import Department, Hall, Region, RegionLevel, StaffAssignment, Window

M = TypeVar("M", bound=Model)


class RegionAncestorFilter(admin.SimpleListFilter):
    """Filter by province or city: every region whose path starts with that region's."""

    title = "所属省市"
    parameter_name = "within"
    # Where each model keeps the materialised path of its region (others: region__path).
    path_fields: dict[type[Model], str] = {
        Region: "path",
        Window: "hall__region__path",
        StaffAssignment: "region_scope__path",
    }

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        tops = Region.objects.filter(level__in=[RegionLevel.PROVINCE, RegionLevel.CITY]).order_by(
            "code"
        )
        return [(r.code, r.full_name or r.name) for r in tops]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        code = self.value()
        if not code:
            return queryset
        root = Region.objects.filter(code=code).values_list("path", flat=True).first()
        if root is None:
            return queryset.none()
        field = self.path_fields.get(queryset.model, "region__path")
        return queryset.filter(**{f"{field}__startswith": root})


class AuditedAdmin(admin.ModelAdmin[M]):
    """Admin edits bypass the services, so each one is at least written to the audit log."""

    def save_model(self, request: HttpRequest, obj: M, form: ModelForm[M], change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=actor_label(request.user),
            action="org.admin_change" if change else "org.admin_add",
            object_type=f"org.{type(obj).__name__}",
            object_id=str(obj.pk),
            details={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request: HttpRequest, obj: M) -> None:
        object_id = str(obj.pk)
        super().delete_model(request, obj)
        audit_record(
            actor=actor_label(request.user),
            action="org.admin_delete",
            object_type=f"org.{type(obj).__name__}",
            object_id=object_id,
        )


@admin.register(Region)
class RegionAdmin(AuditedAdmin[Region]):
    list_display = ["code", "name", "full_name", "level", "parent"]
    list_filter = ["level", RegionAncestorFilter]
    search_fields = ["code", "name", "full_name"]
    list_select_related = ["parent"]
    readonly_fields = ["path"]
    autocomplete_fields = ["parent"]
    ordering = ["code"]


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin[Department]):
    list_display = ["name", "short_name", "credit_code", "kind", "region"]
    list_filter = ["kind", "region__level", RegionAncestorFilter]
    search_fields = ["name", "short_name", "credit_code", "region__name"]
    list_select_related = ["region"]
    autocomplete_fields = ["region", "parent"]


class WindowInline(admin.TabularInline[Window, Hall]):
    model = Window
    extra = 0
    fields = ["number", "name", "kind", "departments"]
    filter_horizontal = ["departments"]


@admin.register(Hall)
class HallAdmin(AuditedAdmin[Hall]):
    list_display = ["name", "level", "region", "department", "phone"]
    list_filter = ["level", RegionAncestorFilter]
    search_fields = ["name", "address", "region__name"]
    list_select_related = ["region", "department"]
    autocomplete_fields = ["region", "department"]
    inlines = [WindowInline]


@admin.register(Window)
class WindowAdmin(AuditedAdmin[Window]):
    list_display = ["number", "name", "kind", "hall"]
    list_filter = ["kind", RegionAncestorFilter]
    search_fields = ["number", "name", "hall__name"]
    list_select_related = ["hall"]
    autocomplete_fields = ["hall"]
    filter_horizontal = ["departments"]


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(AuditedAdmin[StaffAssignment]):
    list_display = ["user", "role", "department", "region_scope", "window", "active"]
    list_filter = ["role", "active", "department__kind", RegionAncestorFilter]
    search_fields = ["department__name", "region_scope__name"]
    list_select_related = ["user", "department", "region_scope", "window"]
    autocomplete_fields = ["department", "region_scope", "window"]
    filter_horizontal = ["scope_departments"]
    readonly_fields = ["assigned_at"]
