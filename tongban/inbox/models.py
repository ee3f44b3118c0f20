"""What a person has read in the inbox (issue 14, item 5).

The messages themselves are the platform's notifications (``core.Notification``:
every SMS and e-mail the platform sends goes through ``notification_send``),
found by the recipient's keyed search token, so the inbox holds nothing twice
and never misses a message; only the read marks are stored here.
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
