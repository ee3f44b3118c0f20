"""Stable error codes of the inbox (CONVENTIONS 7)."""

from __future__ import annotations

from tongban.core.errors import define

PREFERENCE_SMS_REQUIRED = define(
    "notification_sms_required", 422, "该类通知依法须以短信告知，不能关闭"
)
PREFERENCE_EMAIL_MISSING = define("notification_email_missing", 422, "选择邮件通知前须填写电子邮箱")
PREFERENCE_UNKNOWN_KIND = define("notification_kind_unknown", 422, "通知类别无效")
