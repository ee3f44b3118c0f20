"""The inbox's dispatch (issue 14, item 5): every message the platform stores for
a phone or an e-mail address stays in the inbox (站内信) of the person it
belongs to; whether it goes out by its own channel, and whether a copy goes by
the other, follows her preferences for the kind of notice (``inbox.kinds``),
within what the law requires.

- An SMS to a person's phone: sent unless every person of the phone turned SMS
  off for the kind (and the law does not require it); an e-mail copy to each
  of them who chose e-mail for the kind.
- An e-mail to a person's notification address: sent if one of the persons of
  the address chose e-mail for the kind, else kept for the inbox only; an SMS
  copy to each of them who keeps SMS for the kind (the default), or always
  where the law requires SMS.
- A phone or an address that is no one's (a 12345 caller without an account):
  sent as always.

A copy has the message's purpose and object, so the inbox lists it under the
message (``selectors``); copies are not routed again.

Registered with ``core.notifications.register_router`` in ``InboxConfig.ready``;
runs in the sender's transaction when the message is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from tongban.core.crypto import decrypt, search_token
from tongban.core.errors import DomainError
from tongban.core.models import NotificationChannel
from tongban.core.notifications import normalize_email, normalize_phone, notification_send
from tongban.identity.models import Person
from tongban.identity.selectors import PHONE_CONTEXT
from tongban.inbox.kinds import NoticeKind, kind_of
from tongban.inbox.models import NotificationAddress, NotificationPreference

EMAIL_CONTEXT = "inbox.address.email"
EMAIL_LOOKUP_CONTEXT = "inbox.address.email.token"

# Set while the dispatch sends a message's copies: a copy is not routed again.
_COPYING: ContextVar[bool] = ContextVar("inbox_copying", default=False)


def address_token(address: str) -> str:
    """The keyed search token of a normalized e-mail address."""
    return search_token(address, context=EMAIL_LOOKUP_CONTEXT)


def address_token_of_stored(email_enc: str) -> str:
    """The token of an address as stored (encrypted); "" if it does not decrypt."""
    try:
        return address_token(normalize_email(decrypt(email_enc, context=EMAIL_CONTEXT)))
    except DomainError:
        return ""


@contextmanager
def _copying() -> Iterator[None]:
    token = _COPYING.set(True)
    try:
        yield
    finally:
        _COPYING.reset(token)


def notification_route(*, notification: Any, recipient: str, now: dt.datetime) -> bool:
    """Whether the message goes out by its own channel; its copies are sent here."""
    if _COPYING.get():
        return True
    if notification.channel == NotificationChannel.SMS:
        return _route_sms(notification, recipient, now)
    if notification.channel == NotificationChannel.EMAIL:
        return _route_email(notification, recipient, now)
    return True


def _choices(person_ids: list[int], kind: NoticeKind) -> dict[int, NotificationPreference]:
    return {
        p.person_id: p
        for p in NotificationPreference.objects.filter(person_id__in=person_ids, kind=kind.code)
    }


def _route_sms(notification: Any, recipient: str, now: dt.datetime) -> bool:
    try:
        token = search_token(normalize_phone(recipient), context=PHONE_CONTEXT)
    except DomainError:
        return True
    person_ids = list(Person.objects.filter(phone_token=token).values_list("pk", flat=True))
    if not person_ids:
        return True  # a caller without an account (12345 by phone): SMS as always
    kind = kind_of(notification.purpose)
    chosen = _choices(person_ids, kind)
    wants_sms = kind.sms_required or any(
        chosen[pk].sms if pk in chosen else True for pk in person_ids
    )
    copies = [pk for pk in person_ids if pk in chosen and chosen[pk].email]
    if copies:
        with _copying():
            for address in NotificationAddress.objects.filter(person_id__in=copies):
                notification_send(
                    channel=NotificationChannel.EMAIL,
                    recipient=decrypt(address.email_enc, context=EMAIL_CONTEXT),
                    subject=notification.subject or f"【通办】{kind.label}",
                    body=notification.body,
                    purpose=notification.purpose,
                    object_type=notification.object_type,
                    object_id=notification.object_id,
                    now=now,
                )
    return wants_sms


def _route_email(notification: Any, recipient: str, now: dt.datetime) -> bool:
    try:
        token = address_token(normalize_email(recipient))
    except DomainError:
        return True
    person_ids = list(
        NotificationAddress.objects.filter(email_token=token).values_list("person_id", flat=True)
    )
    if not person_ids:
        return True  # an address that is no one's notification address: as always
    kind = kind_of(notification.purpose)
    chosen = _choices(person_ids, kind)
    wants_email = any(chosen[pk].email for pk in person_ids if pk in chosen)
    texted = [
        pk for pk in person_ids if kind.sms_required or (chosen[pk].sms if pk in chosen else True)
    ]
    phones = Person.objects.filter(pk__in=texted).exclude(phone_enc="")
    with _copying():
        for phone_enc in phones.values_list("phone_enc", flat=True):
            notification_send(
                channel=NotificationChannel.SMS,
                recipient=decrypt(phone_enc, context=PHONE_CONTEXT),
                subject=notification.subject,
                body=notification.body,
                purpose=notification.purpose,
                object_type=notification.object_type,
                object_id=notification.object_id,
                now=now,
            )
    return wants_email
