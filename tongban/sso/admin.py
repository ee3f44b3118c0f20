"""Administrators register the systems that log in through the platform.

django-oauth-toolkit's own admin would let any grant type and algorithm be
chosen; this one registers authorization-code clients with RS256 ID tokens
only, checks the redirect URIs, and writes the audit log. The toolkit
registers it (setting ``APPLICATION_ADMIN_CLASS``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from oauth2_provider.models import get_application_model

from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError
from tongban.sso.hashers import MIN_SECRET_LENGTH
from tongban.sso.services import validate_redirect_uris

Application = get_application_model()


class ClientForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = (
            "name",
            "client_id",
            "client_secret",
            "client_type",
            "redirect_uris",
            "post_logout_redirect_uris",
            "skip_authorization",
        )
        labels = {
            "name": "系统名称",
            "client_id": "客户端标识（client_id）",
            "client_secret": "客户端密钥（仅此一次可见，保存后只存哈希）",
            "client_type": "客户端类型（confidential：有后台的系统；public：移动端）",
            "redirect_uris": "回调地址（每行一个，须完全一致）",
            "post_logout_redirect_uris": "退出后返回地址（每行一个）",
            "skip_authorization": "本部门自建系统（免授权确认）",
        }

    def clean_client_secret(self) -> str:
        value = self.cleaned_data.get("client_secret") or ""
        # Stored with a fast hash (sso.hashers): the secret itself must be long.
        if len(value) < MIN_SECRET_LENGTH and not self.instance.pk:
            raise forms.ValidationError(
                f"客户端密钥至少 {MIN_SECRET_LENGTH} 个字符，建议使用系统生成的密钥。"
            )
        return value

    def _uris(self, field: str) -> str:
        try:
            return " ".join(validate_redirect_uris(self.cleaned_data.get(field) or "", field=field))
        except DomainError as exc:
            raise forms.ValidationError(exc.detail) from None

    def clean_redirect_uris(self) -> str:
        value = self._uris("redirect_uris")
        if not value:
            raise forms.ValidationError("须至少登记一个回调地址。")
        return value

    def clean_post_logout_redirect_uris(self) -> str:
        return self._uris("post_logout_redirect_uris")


class ClientAdmin(admin.ModelAdmin):
    form = ClientForm
    list_display = ("name", "client_id", "client_type", "skip_authorization", "created")
    search_fields = ("name", "client_id")
    readonly_fields = ("created", "updated")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
        obj.algorithm = Application.RS256_ALGORITHM
        obj.hash_client_secret = True
        super().save_model(request, obj, form, change)
        audit_record(
            actor=actor_label(request.user),
            action="sso.client_changed" if change else "sso.client_registered",
            object_type="sso.Client",
            object_id=obj.client_id,
            details={
                "name": obj.name,
                "redirect_uris": obj.redirect_uris.split(),
                "first_party": obj.skip_authorization,
            },
        )
        if not change:
            messages.info(request, "客户端已登记。客户端密钥只在登记时可见，请确认已交给对接系统。")
