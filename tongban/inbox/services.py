"""Writes of the inbox: marking messages read (issue 14, item 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tongban.core import clock
from tongban.inbox.models import InboxRead
from tongban.inbox.selectors import inbox_message_get_for_user, inbox_unread_for_user

MARK_ALL_BATCH = 1000


def inbox_message_mark_read(
    *, user: Any, notification_id: int, now: dt.datetime | None = None
) -> InboxRead:
    """Mark one of the account's messages read; marking it again changes nothing.
    Another account's message is ``not_found``."""
    message = inbox_message_get_for_user(user=user, notification_id=notification_id)
    read, _ = InboxRead.objects.get_or_create(
        user_id=user.pk, notification_id=message.pk, defaults={"read_at": now or clock.now()}
    )
    return read


def inbox_mark_all_read(*, user: Any, now: dt.datetime | None = None) -> int:
    """Mark every unread message read (up to a batch); how many were marked."""
    moment = now or clock.now()
    with transaction.atomic():
        unread = list(
            inbox_unread_for_user(user=user).values_list("pk", flat=True)[:MARK_ALL_BATCH]
        )
        InboxRead.objects.bulk_create(
            [InboxRead(user_id=user.pk, notification_id=pk, read_at=moment) for pk in unread],
            ignore_conflicts=True,
        )
    return len(unread)
