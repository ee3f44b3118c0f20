"""Admin for identity. Personal data appears masked only; ciphertexts and tokens never."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest

from tongban.core.crypto import search_token
from tongban.core.masking import mask_name
from tongban.identity.models import (
    ApiToken,
    BusinessAuthorization,
    LegalEntity,
    Person,
    RealNameVerification,
    User,
)
from tongban.identity.selectors import PHONE_CONTEXT, person_find_by_id_number
from tongban.identity.services import authorization_revoke, token_revoke


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    """Read-only: persons are registered through services (sign-up, window intake)."""

    list_display = ("masked_name", "id_number_masked", "phone_masked", "sex", "region_code")
    list_filter = ("sex",)
    fields = (
        "masked_name",
        "id_number_masked",
        "phone_masked",
        "birth_date",
        "sex",
        "region_code",
        "created_at",
    )
    readonly_fields = fields
    search_fields = ("id_number_masked",)
    search_help_text = "输入完整的公民身份号码或手机号查找"

    @admin.display(description="姓名（脱敏）")
    def masked_name(self, obj: Person) -> str:
        return mask_name(obj.name)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Person], search_term: str
    ) -> tuple[QuerySet[Person], bool]:
        # Encrypted columns cannot be searched with LIKE: match the search tokens.
        term = search_term.strip()
        if not term:
            return queryset, False
        person = person_find_by_id_number(term)
        phone_token = search_token(term, context=PHONE_CONTEXT)
        ids = {p for p in [person.pk if person else None] if p}
        ids |= set(queryset.filter(phone_token=phone_token).values_list("pk", flat=True))
        return queryset.filter(pk__in=ids), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LegalEntity)
class LegalEntityAdmin(admin.ModelAdmin[LegalEntity]):
    list_display = ("name", "credit_code", "region_code", "created_at")
    search_fields = ("name", "credit_code")
    readonly_fields = ("credit_code", "legal_representative", "region_code", "created_at")
    fields = ("credit_code", "name", "legal_representative", "region_code", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TongbanUserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("username", "kind", "display_name")


class TongbanUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class TongbanUserAdmin(UserAdmin):
    form = TongbanUserChangeForm
    add_form = TongbanUserCreationForm
    list_display = ("username", "display_name", "kind", "real_name_level", "is_active")
    list_filter = ("kind", "real_name_level", "is_active", "is_staff")
    search_fields = ("username", "display_name")
    ordering = ("username",)
    # The real-name level is raised only by its services, which record and audit it.
    readonly_fields = ("person", "real_name_level", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("账号", {"fields": ("kind", "display_name", "person", "real_name_level")}),
        (
            "权限",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("时间", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "kind", "display_name", "password1", "password2"),
            },
        ),
    )


@admin.register(BusinessAuthorization)
class BusinessAuthorizationAdmin(admin.ModelAdmin[BusinessAuthorization]):
    list_display = ("user", "legal_entity", "role", "granted_at", "valid_until", "revoked_at")
    list_filter = ("role",)
    search_fields = ("user__username", "legal_entity__name", "legal_entity__credit_code")
    list_select_related = ("user", "legal_entity")
    readonly_fields = (
        "user",
        "legal_entity",
        "role",
        "granted_by",
        "granted_at",
        "valid_until",
        "revoked_at",
        "revoked_by",
    )
    actions = ("revoke",)

    @admin.action(description="撤销所选授权")
    def revoke(self, request: HttpRequest, queryset: QuerySet[BusinessAuthorization]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        for authorization in queryset.filter(revoked_at__isnull=True):
            authorization_revoke(authorization=authorization, revoked_by=actor)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RealNameVerification)
class RealNameVerificationAdmin(admin.ModelAdmin[RealNameVerification]):
    """Read-only: who was raised to which real-name level, when, by what source or clerk."""

    list_display = ("user", "previous_level", "level", "method", "source", "verified_at")
    list_filter = ("method", "level")
    search_fields = ("user__username",)
    list_select_related = ("user",)
    readonly_fields = (
        "user",
        "person",
        "level",
        "previous_level",
        "method",
        "source",
        "verified_at",
        "clerk",
        "department",
        "hall",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Tokens are created with ``tongban token create`` (the plaintext is shown once)."""

    list_display = (
        "prefix",
        "name",
        "user",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    search_fields = ("prefix", "name", "user__username")
    list_select_related = ("user",)
    readonly_fields = (
        "user",
        "prefix",
        "token_hash",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    fields = ("name", *readonly_fields)
    actions = ("revoke",)

    @admin.action(description="撤销所选令牌")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(token=token, actor=actor)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
