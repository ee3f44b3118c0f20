"""Forms of the public pages. They only check shape; identity's services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_resident_id
from tongban.identity.services import validate_phone

REQUIRED = "请填写{}。"


def _required(label: str) -> dict[str, str]:
    return {"required": REQUIRED.format(label)}


class LoginForm(forms.Form):
    username = forms.CharField(
        label="用户名或手机号码",
        max_length=150,
        error_messages=_required("用户名或手机号码"),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label="密码",
        strip=False,
        max_length=4096,
        error_messages=_required("密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SignupPhoneForm(forms.Form):
    """注册第一步: the phone that receives the one-time code."""

    phone = forms.CharField(
        label="手机号码",
        max_length=20,
        help_text="我们将向该号码发送 6 位验证码；注册后用于接收办件通知。",
        error_messages=_required("手机号码"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )

    def clean_phone(self) -> str:
        value = str(self.cleaned_data["phone"])
        try:
            return validate_phone(value)
        except DomainError as exc:
            raise forms.ValidationError(exc.detail, code=exc.code) from None


class SignupForm(forms.Form):
    """注册第二步 (citizen): the code, then who they are. Identity's services decide."""

    code = forms.CharField(
        label="短信验证码",
        max_length=10,
        help_text="6 位数字，10 分钟内有效。",
        error_messages=_required("短信验证码"),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )
    name = forms.CharField(
        label="姓名",
        max_length=100,
        error_messages=_required("姓名"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label="公民身份号码",
        max_length=24,
        help_text="18 位居民身份证号码，末位可能是 X。",
        error_messages={**_required("公民身份号码"), "max_length": "公民身份号码应为 18 位。"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    username = forms.CharField(
        label="用户名（可不填）",
        max_length=150,
        required=False,
        help_text="3 到 150 位字母、数字或 _ . @ -，不能用手机号码或身份证号码；"
        "不填则由系统生成，注册后显示。",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label="密码",
        strip=False,
        max_length=4096,
        help_text="至少 8 位，不能全为数字，也不能是常见密码。",
        error_messages=_required("密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="确认密码",
        strip=False,
        max_length=4096,
        error_messages=_required("确认密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    # The same format checks identity's services make, run here as well so that
    # every field's problem is shown at once rather than one per submission.
    def clean_code(self) -> str:
        value = str(self.cleaned_data["code"]).strip()
        if not (len(value) == 6 and value.isascii() and value.isdigit()):
            raise forms.ValidationError("验证码为 6 位数字。", code="signup_code_invalid")
        return value

    def clean_id_number(self) -> str:
        value = str(self.cleaned_data["id_number"])
        try:
            validate_resident_id(value, today=clock.today())
        except DomainError as exc:
            raise forms.ValidationError(exc.detail, code=exc.code) from None
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "两次输入的密码不一致。")
        return data
