"""The policy library for administrators: enter, publish and match (the push)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from tongban.core.errors import DomainError
from tongban.policies.models import BusinessClassification, Policy, PolicyMatch
from tongban.policies.services import policy_match_run, policy_publish


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin[Policy]):
    list_display = (
        "title",
        "document_no",
        "issuer",
        "valid_from",
        "valid_until",
        "automatic",
        "published",
    )
    list_filter = ("published", "automatic")
    search_fields = ("title", "document_no")
    readonly_fields = ("published", "created_at")
    raw_id_fields = ("service_item",)  # 免申即享's item: thousands to choose from
    actions = ("publish_and_match",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # policies are entered with checked rules: `tongban policies load`

    @admin.action(description="发布并匹配推送所选政策")
    def publish_and_match(self, request: HttpRequest, queryset: QuerySet[Policy]) -> None:
        for policy in queryset:
            try:
                count = policy_match_run(policy=policy_publish(policy=policy, actor=request.user))
            except DomainError as exc:
                messages.error(request, f"{policy}：{exc.detail}")
            else:
                messages.success(request, f"{policy}：新匹配 {count} 家企业。")


@admin.register(PolicyMatch)
class PolicyMatchAdmin(admin.ModelAdmin[PolicyMatch]):
    list_display = ("policy", "business_name", "credit_code", "matched_at", "granted_at")
    list_select_related = ("policy",)
    search_fields = ("credit_code", "business_name")
    readonly_fields = (
        "policy", "credit_code", "business_name", "reasons",
        "matched_at", "granted_at", "grant_reason",
    )  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


admin.site.register(BusinessClassification)
