"""The inbox's dispatch (issue 14, item 5): every message the platform stores for
a phone stays in the inbox (站内信) of that phone's person; whether it also
goes out by SMS, and whether an e-mail copy is sent, follows her preferences
for the kind of notice (``inbox.kinds``), within what the law requires.

Registered with ``core.notifications.register_router`` in ``InboxConfig.ready``;
runs in the sender's transaction when the message is stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tongban.core.crypto import decrypt, search_token
from tongban.core.errors import DomainError
from tongban.core.models import NotificationChannel
from tongban.core.notifications import normalize_phone, notification_send
from tongban.identity.models import Person
from tongban.identity.selectors import PHONE_CONTEXT
from tongban.inbox.kinds import kind_of
from tongban.inbox.models import NotificationAddress, NotificationPreference

EMAIL_CONTEXT = "inbox.address.email"


def notification_route(*, notification: Any, recipient: str, now: dt.datetime) -> bool:
    """Send by SMS unless every person of this phone turned SMS off for the kind
    (and the law does not require it); send the e-mail copies they asked for."""
    if notification.channel != NotificationChannel.SMS:
        return True
    try:
        token = search_token(normalize_phone(recipient), context=PHONE_CONTEXT)
    except DomainError:
        return True
    person_ids = list(Person.objects.filter(phone_token=token).values_list("pk", flat=True))
    if not person_ids:
        return True  # a caller without an account (12345 by phone): SMS as always
    kind = kind_of(notification.purpose)
    chosen = {
        p.person_id: p
        for p in NotificationPreference.objects.filter(person_id__in=person_ids, kind=kind.code)
    }
    wants_sms = kind.sms_required or any(
        chosen[pk].sms if pk in chosen else True for pk in person_ids
    )
    copies = [pk for pk in person_ids if pk in chosen and chosen[pk].email]
    if copies:
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
