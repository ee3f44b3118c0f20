"""Reads of the inbox, scoped to the account in SQL (CONVENTIONS 5).

A message is in an account's inbox when it was sent to the mobile phone of the
account's real-name person or to her notification address: the notification's
``recipient_token`` equals the token of ``sms:<that phone>`` or
``email:<that address>`` (``core.notifications``). Of the notifications with
one purpose and object among them, the first stored is the message and the
others are its copies by the other channel (``dispatch``), listed under it
(``Notification.copies``), never as messages of their own. Another person's
message is "not found", the same as one that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from tongban.core import errors as core_errors
from tongban.core.api.pagination import Page, paginate
from tongban.core.crypto import decrypt, search_token
from tongban.core.errors import DomainError
from tongban.core.models import Notification, NotificationChannel
from tongban.core.notifications import RECIPIENT_CONTEXT, normalize_email, normalize_phone
from tongban.identity.models import Person
from tongban.identity.selectors import PHONE_CONTEXT
from tongban.inbox.dispatch import EMAIL_CONTEXT
from tongban.inbox.models import InboxRead

ORDERING = ("-created_at", "-id")


def recipient_tokens_for_user(*, user: Any) -> list[str]:
    """The notification recipient tokens that stand for this account (its person's phone)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return []
    row = (
        Person.objects.filter(pk=person_id)
        .values_list("phone_enc", "notification_address__email_enc")
        .first()
    )
    if row is None:
        return []
    phone_enc, email_enc = row
    tokens = []
    try:
        if phone_enc:
            phone = normalize_phone(decrypt(phone_enc, context=PHONE_CONTEXT))
            tokens.append(_token(NotificationChannel.SMS, phone))
        if email_enc:
            address = normalize_email(decrypt(email_enc, context=EMAIL_CONTEXT))
            tokens.append(_token(NotificationChannel.EMAIL, address))
    except DomainError:
        return tokens
    return tokens


def _token(channel: str, recipient: str) -> str:
    return search_token(f"{channel}:{recipient}", context=RECIPIENT_CONTEXT)


def _read_mark(user: Any) -> Exists:
    return Exists(InboxRead.objects.filter(user_id=user.pk, notification_id=OuterRef("pk")))


def _is_copy(tokens: list[str]) -> Exists:
    """An earlier notification of the same purpose and object to one of ``tokens``."""
    return Exists(
        Notification.objects.filter(
            purpose=OuterRef("purpose"),
            object_type=OuterRef("object_type"),
            object_id=OuterRef("object_id"),
            recipient_token__in=tokens,
            pk__lt=OuterRef("pk"),
        )
    )


def _messages(tokens: list[str]) -> QuerySet[Notification]:
    if len(tokens) == 1:  # one channel: no copies to tell apart
        return Notification.objects.filter(recipient_token=tokens[0])
    return Notification.objects.filter(~_is_copy(tokens), recipient_token__in=tokens)


def inbox_messages_for_user(*, user: Any) -> QuerySet[Notification]:
    """The account's messages (copies not counted), each annotated ``is_read``."""
    tokens = recipient_tokens_for_user(user=user)
    if not tokens:
        return Notification.objects.none()
    return _messages(tokens).annotate(is_read=_read_mark(user))


def inbox_unread_for_user(*, user: Any) -> QuerySet[Notification]:
    tokens = recipient_tokens_for_user(user=user)
    if not tokens:
        return Notification.objects.none()
    return _messages(tokens).filter(~_read_mark(user))


def inbox_list_for_user(*, user: Any, cursor: str | None, limit: int = 20) -> Page[Notification]:
    """消息中心: newest first, in keyset pages; each message with its ``copies``
    (the same notice by the other channel, oldest first), read in one query."""
    tokens = recipient_tokens_for_user(user=user)
    if not tokens:
        return paginate(Notification.objects.none(), ordering=ORDERING, cursor=cursor, limit=limit)
    messages: QuerySet[Notification] = _messages(tokens).annotate(is_read=_read_mark(user))
    page: Page[Notification] = paginate(messages, ordering=ORDERING, cursor=cursor, limit=limit)
    _attach_copies(page.items, tokens)
    return page


def _attach_copies(messages: Sequence[Notification], tokens: list[str]) -> None:
    for message in messages:
        message.copies = []  # type: ignore[attr-defined]
    if len(tokens) < 2 or not messages:
        return
    same = Q()
    for m in messages:
        same |= Q(purpose=m.purpose, object_type=m.object_type, object_id=m.object_id)
    by_key = {(m.purpose, m.object_type, m.object_id): m for m in messages}
    copies = Notification.objects.filter(same, recipient_token__in=tokens).exclude(
        pk__in=[m.pk for m in messages]
    )
    for copy in copies.order_by("pk"):
        first = by_key.get((copy.purpose, copy.object_type, copy.object_id))
        if first is not None and copy.pk > first.pk:
            first.copies.append(copy)  # type: ignore[attr-defined]


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
