"""What a person has read in the inbox (issue 14, item 5).

The messages themselves are the platform's notifications (``core.Notification``:
every SMS and e-mail the platform sends goes through ``notification_send``),
found by the recipient's keyed search token (her phone's and her notification
address's), so the inbox never misses a message; a message's copies by the
other channel (the same purpose and object) are listed under it, not twice.
Only the read marks are stored here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class InboxRead(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="inbox_reads",
        verbose_name="账号",
    )
    notification = models.ForeignKey(
        "core.Notification", on_delete=models.CASCADE, related_name="+", verbose_name="消息"
    )
    read_at = models.DateTimeField("阅读时间")

    class Meta:
        verbose_name = "已读记录"
        verbose_name_plural = "已读记录"
        constraints = [
            models.UniqueConstraint(fields=["user", "notification"], name="inbox_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} 已读 {self.notification_id}"


class NotificationPreference(models.Model):
    """How a person wants one kind of notice (issue 14, item 5): by SMS, by
    e-mail, or in the inbox (站内信) only. The inbox always keeps every message.

    Held per person, not per account: every account of hers reads the same
    messages (they are found by her phone). No row means the default (SMS on,
    e-mail off), and a kind the law requires by SMS ignores ``sms=False``.
    """

    person = models.ForeignKey(
        "identity.Person",
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name="自然人",
    )
    kind = models.CharField("通知类别", max_length=32)
    sms = models.BooleanField("短信", default=True)
    email = models.BooleanField("电子邮件", default=False)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "通知偏好"
        verbose_name_plural = "通知偏好"
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="inbox_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind}: sms={self.sms} email={self.email}"


class NotificationAddress(models.Model):
    """The e-mail address a person gave for copies of her notices, encrypted
    (SM4-GCM) with a masked copy for display (DESIGN §8)."""

    person = models.OneToOneField(
        "identity.Person",
        on_delete=models.CASCADE,
        related_name="notification_address",
        verbose_name="自然人",
    )
    email_enc = models.TextField("电子邮箱（密文）")
    # Keyed search token of the address (``dispatch.address_token``): who an
    # e-mail the platform sends is for, so that it is kept in her inbox too.
    email_token = models.CharField("电子邮箱检索令牌", max_length=64, blank=True, db_index=True)
    email_masked = models.CharField("电子邮箱（脱敏）", max_length=100)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "通知邮箱"
        verbose_name_plural = "通知邮箱"

    def __str__(self) -> str:
        return f"{self.person_id} {self.email_masked}"
