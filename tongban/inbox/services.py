"""Writes of the inbox: marking messages read, the person's channels (issue 14, item 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.audit import actor_label, audit_record
from tongban.core.crypto import encrypt
from tongban.core.errors import DomainError
from tongban.core.notifications import mask_email, normalize_email
from tongban.inbox import errors
from tongban.inbox.dispatch import EMAIL_CONTEXT, address_token
from tongban.inbox.kinds import BY_CODE
from tongban.inbox.models import InboxRead, NotificationAddress, NotificationPreference
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


def notification_preferences_set(
    *,
    user: Any,
    choices: dict[str, dict[str, bool]],
    email: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Set the person's channels per kind of notice (``{kind: {"sms": …, "email": …}}``)
    and, when ``email`` is given, the address for copies ("" removes it).

    A kind the law requires by SMS cannot have SMS turned off; e-mail copies
    need an address. Kinds not named keep their setting.
    """
    moment = now or clock.now()
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        raise DomainError(core_errors.VALIDATION_FAILED, "账号未关联实名信息，无法设置通知方式。")
    for code, channels in choices.items():
        kind = BY_CODE.get(code)
        if kind is None:
            raise DomainError(errors.PREFERENCE_UNKNOWN_KIND, f"通知类别 {code!r} 无效。")
        if kind.sms_required and not channels.get("sms", True):
            raise DomainError(
                errors.PREFERENCE_SMS_REQUIRED, f"“{kind.label}”依法须以短信告知，不能关闭短信。"
            )
    with transaction.atomic():
        if email is not None:
            address = email.strip()
            if address:
                normalized = normalize_email(address)
                NotificationAddress.objects.update_or_create(
                    person_id=person_id,
                    defaults={
                        "email_enc": encrypt(normalized, context=EMAIL_CONTEXT),
                        "email_token": address_token(normalized),
                        "email_masked": mask_email(normalized),
                        "updated_at": moment,
                    },
                )
            else:
                NotificationAddress.objects.filter(person_id=person_id).delete()
        has_address = NotificationAddress.objects.filter(person_id=person_id).exists()
        if any(c.get("email") for c in choices.values()) and not has_address:
            raise DomainError(errors.PREFERENCE_EMAIL_MISSING, "要接收邮件通知，请先填写电子邮箱。")
        for code, channels in choices.items():
            NotificationPreference.objects.update_or_create(
                person_id=person_id,
                kind=code,
                defaults={
                    "sms": bool(channels.get("sms", True)),
                    "email": bool(channels.get("email", False)),
                    "updated_at": moment,
                },
            )
        if not has_address:
            NotificationPreference.objects.filter(person_id=person_id, email=True).update(
                email=False, updated_at=moment
            )
        audit_record(
            actor=actor_label(user),
            action="inbox.preferences_set",
            object_type="identity.Person",
            object_id=str(person_id),
            details={
                "choices": {
                    k: {"sms": bool(v.get("sms", True)), "email": bool(v.get("email"))}
                    for k, v in choices.items()
                },
                "email_changed": email is not None,
            },
            now=moment,
        )
