"""Reads of the inbox, scoped to the account in SQL (CONVENTIONS 5).

A message is in an account's inbox when it was sent to the mobile phone of the
account's real-name person: the notification's ``recipient_token`` equals the
token of ``sms:<that phone>`` (``core.notifications``). Another person's
message is "not found", the same as one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from tongban.core import errors as core_errors
from tongban.core.api.pagination import Page, paginate
from tongban.core.crypto import decrypt, search_token
from tongban.core.errors import DomainError
from tongban.core.models import Notification, NotificationChannel
from tongban.core.notifications import RECIPIENT_CONTEXT, normalize_phone
from tongban.identity.models import Person
from tongban.identity.selectors import PHONE_CONTEXT
from tongban.inbox.models import InboxRead

ORDERING = ("-created_at", "-id")


def recipient_tokens_for_user(*, user: Any) -> list[str]:
    """The notification recipient tokens that stand for this account (its person's phone)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return []
    phone_enc = Person.objects.filter(pk=person_id).values_list("phone_enc", flat=True).first()
    if not phone_enc:
        return []
    try:
        phone = normalize_phone(decrypt(phone_enc, context=PHONE_CONTEXT))
    except DomainError:
        return []
    channel = NotificationChannel.SMS
    return [search_token(f"{channel}:{phone}", context=RECIPIENT_CONTEXT)]


def _read_mark(user: Any) -> Exists:
    return Exists(InboxRead.objects.filter(user_id=user.pk, notification_id=OuterRef("pk")))


def inbox_messages_for_user(*, user: Any) -> QuerySet[Notification]:
    """The account's messages, each annotated ``is_read``."""
    tokens = recipient_tokens_for_user(user=user)
    if not tokens:
        return Notification.objects.none()
    return Notification.objects.filter(recipient_token__in=tokens).annotate(
        is_read=_read_mark(user)
    )


def inbox_unread_for_user(*, user: Any) -> QuerySet[Notification]:
    tokens = recipient_tokens_for_user(user=user)
    if not tokens:
        return Notification.objects.none()
    return Notification.objects.filter(~_read_mark(user), recipient_token__in=tokens)


def inbox_list_for_user(*, user: Any, cursor: str | None, limit: int = 20) -> Page[Notification]:
    """消息中心: newest first, in keyset pages."""
    messages = inbox_messages_for_user(user=user)
    return paginate(messages, ordering=ORDERING, cursor=cursor, limit=limit)


def inbox_unread_count_for_user(*, user: Any, cap: int = 100) -> int:
    """Unread messages, counted up to ``cap`` (a badge shows "99+", not the table's size)."""
    return len(inbox_unread_for_user(user=user).values_list("pk", flat=True)[:cap])


MAX_ID = 2**63 - 1  # a larger number from a URL is no row (and no overflow)


def inbox_message_get_for_user(*, user: Any, notification_id: int) -> Notification:
    message = None
    if 0 < notification_id <= MAX_ID:
        message = inbox_messages_for_user(user=user).filter(pk=notification_id).first()
    if message is None:
        raise DomainError(core_errors.NOT_FOUND, "未找到该消息。")
    return message


def notification_preferences_for_person(*, person_id: int | None) -> list[dict[str, Any]]:
    """Each kind of notice with the person's channels (the defaults where unset)."""
    from tongban.inbox.kinds import KINDS
    from tongban.inbox.models import NotificationPreference

    chosen = {p.kind: p for p in NotificationPreference.objects.filter(person_id=person_id or 0)}
    rows = []
    for kind in KINDS:
        pref = chosen.get(kind.code)
        rows.append(
            {
                "kind": kind,
                "sms": True if kind.sms_required else (pref.sms if pref else True),
                "email": pref.email if pref else False,
            }
        )
    return rows


def notification_email_masked_for_person(*, person_id: int | None) -> str:
    from tongban.inbox.models import NotificationAddress

    return (
        NotificationAddress.objects.filter(person_id=person_id or 0)
        .values_list("email_masked", flat=True)
        .first()
        or ""
    )
