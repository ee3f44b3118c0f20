"""Notifications to applicants by SMS and e-mail, through pluggable gateways.

:func:`notification_send` validates the recipient, stores the message with
the recipient encrypted (SM4-GCM), a keyed search token and a masked copy
(DESIGN §8), and emits ``notification.created`` in the caller's transaction.
The outbox delivers it after commit to :func:`notification_deliver`, which
calls the gateway for the channel (chosen by dotted path in
``TONGBAN_SMS_GATEWAY`` / ``TONGBAN_EMAIL_GATEWAY``).

Retries. The outbox runs a handler in a savepoint and rolls the handler's
writes back when it raises, so a handler that raised on a failed send could
not also record the attempt on the notification. A *gateway* failure is
therefore handled here: the attempt, the error and the next attempt time are
written on the notification and, while the failure is retryable and fewer
than ``TONGBAN_OUTBOX_MAX_ATTEMPTS`` attempts were made, a
``notification.retry`` event is put in the outbox, due after the outbox's
:func:`~tongban.core.events.backoff`. A refused recipient, or the last
attempt, leaves the notification ``dead`` until an operator retries it
(:func:`notification_retry`, the admin's action). Any other exception (a
bug, a database error, a key that does not decrypt) propagates, and the outbox
retries and dead-letters the event itself.

Idempotency. (purpose, object, channel, recipient) is unique: the same event
handled twice returns the stored notification and sends nothing more, and a
delivery of an attempt that was already made is ignored.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from collections.abc import Callable
from email.utils import make_msgid, parseaddr
from typing import Any, Protocol, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from tongban.core import clock, crypto, errors, events
from tongban.core.audit import audit_record
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_mobile_phone
from tongban.core.masking import mask_phone
from tongban.core.models import (
    Notification,
    NotificationChannel,
    NotificationStatus,
    OutboxMessage,
)

logger = logging.getLogger(__name__)

RECIPIENT_CONTEXT = "core.notification.recipient"
CREATED_EVENT = "notification.created"
RETRY_EVENT = "notification.retry"

INVALID_EMAIL = errors.define("invalid_email", 422, "电子邮箱地址无效")
NOTIFICATION_INVALID = errors.define("notification_invalid", 422, "通知内容不符合要求")
NOTIFICATION_NOT_RETRYABLE = errors.define("notification_not_retryable", 409, "该通知不能重新发送")

_SUBJECT_MAX = 200
_ERROR_MAX = 4000


# --- gateways ---------------------------------------------------------------


class GatewayError(Exception):
    """A send that did not go through. ``retryable``: trying later may succeed."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class Gateway(Protocol):
    """What a gateway does: send one message, return the gateway's message id.

    Gateways are built with no arguments and read their settings when sending.
    """

    name: str

    def send(self, *, recipient: str, subject: str, body: str) -> str: ...


class LoggingSmsGateway:
    """Development SMS gateway: logs the masked number and the text, sends nothing."""

    name = "logging-sms"

    def send(self, *, recipient: str, subject: str, body: str) -> str:
        message_id = f"log-{uuid.uuid4().hex}"
        logger.info("SMS %s to %s: %s", message_id, mask_phone(recipient), body)
        return message_id


class LoggingEmailGateway:
    """Development e-mail gateway: logs the masked address and the subject only."""

    name = "logging-email"

    def send(self, *, recipient: str, subject: str, body: str) -> str:
        message_id = f"log-{uuid.uuid4().hex}"
        logger.info("E-mail %s to %s: %s", message_id, mask_email(recipient), subject)
        return message_id


class SmtpEmailGateway:
    """Sends through the SMTP server of ``TONGBAN_EMAIL_*`` (one connection per message).

    Returns the Message-ID header it set. A 4xx reply, a refused or dropped
    connection or a timeout is retryable; a 5xx reply (unknown mailbox,
    rejected sender, failed authentication) is not.
    """

    name = "smtp"

    def send(self, *, recipient: str, subject: str, body: str) -> str:
        from_email = settings.TONGBAN_EMAIL_FROM
        # Our own Message-ID, on the sender's domain: no DNS lookup for it, and
        # it is the id we record.
        domain = parseaddr(from_email)[1].rpartition("@")[2] or "tongban.local"
        message_id = make_msgid(domain=domain)
        connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend",
            host=settings.TONGBAN_EMAIL_HOST,
            port=settings.TONGBAN_EMAIL_PORT,
            username=settings.TONGBAN_EMAIL_USER or None,
            password=settings.TONGBAN_EMAIL_PASSWORD or None,
            use_tls=settings.TONGBAN_EMAIL_USE_TLS,
            use_ssl=settings.TONGBAN_EMAIL_USE_SSL,
            timeout=settings.TONGBAN_EMAIL_TIMEOUT_SECONDS,
            fail_silently=False,
        )
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=from_email,
            to=[recipient],
            connection=connection,
            headers={"Message-ID": message_id},
        )
        try:
            sent = message.send()
        except smtplib.SMTPRecipientsRefused as exc:
            replies = list(exc.recipients.values())
            text = "; ".join(f"{code} {_text(reply)}" for code, reply in replies)
            raise GatewayError(
                f"SMTP refused the recipient: {text}",
                retryable=any(400 <= code < 500 for code, _ in replies),
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise GatewayError(
                f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}",
                retryable=not 500 <= exc.smtp_code < 600,
            ) from exc
        except OSError as exc:  # refused, dropped, timed out, TLS failed (SMTPException too)
            raise GatewayError(f"SMTP: {type(exc).__name__}: {exc}", retryable=True) from exc
        if sent != 1:
            raise GatewayError("SMTP: the message was not sent", retryable=True)
        return message_id


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def gateway_for(channel: str) -> Gateway:
    """The configured gateway of ``channel``, read from settings when called."""
    path = (
        settings.TONGBAN_SMS_GATEWAY
        if channel == NotificationChannel.SMS
        else settings.TONGBAN_EMAIL_GATEWAY
    )
    return cast(Gateway, import_string(path)())


# --- recipients ---------------------------------------------------------------


def mask_email(value: str) -> str:
    """E-mail: the first character of the local part kept (z***@example.com)."""
    local, sep, domain = value.strip().rpartition("@")
    if not sep or not local:
        return "***"
    return f"{local[:1]}***@{domain}"


def normalize_phone(value: str) -> str:
    """A mainland mobile number (``core.identifiers.validate_mobile_phone``)."""
    return validate_mobile_phone(value)


def normalize_email(value: str) -> str:
    """A valid address, with its domain in lower case (the local part is kept)."""
    address = (value or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise DomainError(INVALID_EMAIL, f"电子邮箱地址无效：{mask_email(address)}") from None
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def _normalize(channel: str, recipient: str) -> tuple[str, str]:
    """(normalized recipient, masked copy)."""
    if channel == NotificationChannel.SMS:
        phone = normalize_phone(recipient)
        return phone, mask_phone(phone)
    if channel == NotificationChannel.EMAIL:
        address = normalize_email(recipient)
        return address, mask_email(address)
    raise DomainError(NOTIFICATION_INVALID, f"通知渠道无效：{channel!r}（应为 sms 或 email）")


# --- routing ------------------------------------------------------------------

# A router decides, when a message is stored, whether it also goes out by its own
# channel, and may send copies (the inbox's channel preferences, issue 14 item 5).
# Higher apps register one in ``AppConfig.ready``: core never imports them.
Router = Callable[..., bool]
_routers: list[Router] = []


def register_router(router: Router) -> None:
    """Register ``router(notification=..., recipient=..., now=...) -> bool``: False
    keeps the message in the inbox only (no SMS or e-mail is sent for it; its
    status is ``inbox_only``, not ``sent``)."""
    if router not in _routers:
        _routers.append(router)


def unregister_router(router: Router) -> None:
    if router in _routers:
        _routers.remove(router)


# --- services -----------------------------------------------------------------


def notification_send(
    *,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    purpose: str,
    object_type: str,
    object_id: str,
    now: dt.datetime | None = None,
    new: bool = False,
) -> Notification:
    """Store a message for ``recipient`` and have it sent after the caller commits.

    Idempotent: the same (purpose, object_type, object_id, channel, recipient)
    returns the stored notification and sends nothing more. ``object_id``
    should name the occurrence when one thing is notified more than once for
    the same purpose (e.g. ``"<case_no>/补正2"``). ``new``: the caller created
    the object in its own transaction (a case just numbered), so no earlier
    copy can exist: neither the look-up for one nor the savepoint that catches
    a concurrent one is needed.
    """
    moment = now or clock.now()
    row, address = _checked_row(
        channel, recipient, subject, body, purpose, object_type, object_id, moment
    )
    key = {
        "purpose": row.purpose,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "channel": row.channel,
        "recipient_token": row.recipient_token,
    }

    def store() -> Notification:
        notification = row
        notification.save(force_insert=True)
        # Every router runs (each may send its copies), then any one may hold it back.
        decisions = [r(notification=notification, recipient=address, now=moment) for r in _routers]
        if not all(decisions):
            # Kept for the inbox (站内信) only, as the recipient chose: nothing is
            # sent, and the state says so (never "sent", no gateway, no time sent).
            notification.status = NotificationStatus.INBOX_ONLY
            notification.save(update_fields=["status"])
        else:
            # The payload names the row only: no personal data in the outbox.
            events.emit(
                CREATED_EVENT, {"notification_id": notification.pk, "attempt": 1}, now=moment
            )
        return notification

    if new:
        with transaction.atomic(savepoint=False):
            return store()
    existing = Notification.objects.filter(**key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return store()
    except IntegrityError:  # the same notification, stored concurrently
        return Notification.objects.get(**key)


def notification_unsaved(
    *,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    purpose: str,
    object_type: str,
    object_id: str,
    now: dt.datetime | None = None,
) -> Notification:
    """What :func:`notification_send` with ``new=True`` stores, checked and
    routed but not saved: for a hot path that writes it, and its outbox row,
    within one of its own statements (``core.one_statement``; the case
    submission). The routers run here, in the caller's transaction, on the
    unsaved row (they read its channel, purpose and text, never its key, and
    may send their copies); held back by one, its status is ``inbox_only``
    and no ``notification.created`` is to be written for it."""
    moment = now or clock.now()
    notification, address = _checked_row(
        channel, recipient, subject, body, purpose, object_type, object_id, moment
    )
    decisions = [r(notification=notification, recipient=address, now=moment) for r in _routers]
    if not all(decisions):
        notification.status = NotificationStatus.INBOX_ONLY
    return notification


def _checked_row(
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    purpose: str,
    object_type: str,
    object_id: str,
    moment: dt.datetime,
) -> tuple[Notification, str]:
    """The unsaved row of a valid message and its normalized address (the row
    keeps the address encrypted, with its search token and its masked form)."""
    address, masked = _normalize(channel, recipient)
    if not body.strip():
        raise DomainError(NOTIFICATION_INVALID, "通知内容不能为空")
    if len(subject) > _SUBJECT_MAX:
        raise DomainError(NOTIFICATION_INVALID, f"通知标题不能超过 {_SUBJECT_MAX} 个字符")
    if not purpose or not object_type or not object_id:
        raise DomainError(NOTIFICATION_INVALID, "通知必须注明用途和所涉对象")
    row = Notification(
        purpose=purpose,
        object_type=object_type,
        object_id=str(object_id),
        channel=channel,
        recipient_token=crypto.search_token(f"{channel}:{address}", context=RECIPIENT_CONTEXT),
        recipient_enc=crypto.encrypt(address, context=RECIPIENT_CONTEXT),
        recipient_masked=masked,
        subject=subject,
        body=body,
        created_at=moment,
    )
    return row, address


def notification_deliver(
    *, event_id: uuid.UUID, payload: dict[str, Any], now: dt.datetime | None = None
) -> None:
    """Outbox handler: make the attempt named in ``payload``, record its outcome."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update().filter(pk=payload["notification_id"]).first()
        )
        if notification is None:
            logger.warning("notification %s no longer exists", payload["notification_id"])
            return
        if notification.status in (
            NotificationStatus.SENT,
            NotificationStatus.DEAD,
            NotificationStatus.INBOX_ONLY,
        ):
            return  # already sent, given up, or not to be sent: never sent twice
        attempt = int(payload.get("attempt", 1))
        if attempt != notification.attempts + 1:
            return  # a late or repeated delivery of an attempt already made
        moment = now or clock.now()
        recipient = crypto.decrypt(notification.recipient_enc, context=RECIPIENT_CONTEXT)
        gateway = gateway_for(notification.channel)
        notification.attempts = attempt
        notification.gateway = str(getattr(gateway, "name", type(gateway).__name__))[:100]
        try:
            message_id = gateway.send(
                recipient=recipient, subject=notification.subject, body=notification.body
            )
        except GatewayError as exc:
            # A server's reply may quote the address: keep only the masked copy.
            error = f"{type(exc).__name__}: {exc}".replace(recipient, notification.recipient_masked)
            _record_failure(notification, error, retryable=exc.retryable, moment=moment)
        else:
            notification.status = NotificationStatus.SENT
            notification.gateway_message_id = str(message_id)[:200]
            notification.sent_at = moment
            notification.next_attempt_at = None
            notification.last_error = ""
        notification.save(
            update_fields=[
                "status",
                "attempts",
                "next_attempt_at",
                "last_error",
                "gateway",
                "gateway_message_id",
                "sent_at",
            ]
        )


def _record_failure(
    notification: Notification, error: str, *, retryable: bool, moment: dt.datetime
) -> None:
    notification.last_error = error[:_ERROR_MAX]
    if retryable and notification.attempts < settings.TONGBAN_OUTBOX_MAX_ATTEMPTS:
        due = moment + events.backoff(notification.attempts)
        notification.status = NotificationStatus.FAILED
        notification.next_attempt_at = due
        event_id = events.emit(
            RETRY_EVENT,
            {"notification_id": notification.pk, "attempt": notification.attempts + 1},
            now=moment,
        )
        OutboxMessage.objects.filter(event_id=event_id).update(next_attempt_at=due)
        return
    notification.status = NotificationStatus.DEAD
    notification.next_attempt_at = None
    logger.error(
        "notification %s to %s given up after %s attempt(s): %s",
        notification.pk,
        notification.recipient_masked,
        notification.attempts,
        notification.last_error,
    )


def notification_retry(
    *, notification_id: int, actor: str, now: dt.datetime | None = None
) -> Notification:
    """Send a given-up notification again, with a fresh count of attempts (an operator's call)."""
    moment = now or clock.now()
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None:
            raise DomainError(errors.NOT_FOUND, "通知不存在")
        if notification.status != NotificationStatus.DEAD:
            raise DomainError(NOTIFICATION_NOT_RETRYABLE, "只有已放弃发送的通知可以重新发送")
        attempts_before = notification.attempts
        notification.status = NotificationStatus.PENDING
        notification.attempts = 0
        notification.next_attempt_at = None
        notification.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit_record(
            actor=actor,
            action="notification.retry",
            object_type="notification",
            object_id=str(notification.pk),
            details={
                "purpose": notification.purpose,
                "object": f"{notification.object_type}:{notification.object_id}",
                "attempts_before": attempts_before,
                "last_error": notification.last_error,
            },
            now=moment,
        )
        events.emit(CREATED_EVENT, {"notification_id": notification.pk, "attempt": 1}, now=moment)
    return notification


def subscribe_handlers() -> None:
    """Deliver notifications through the outbox (called from ``CoreConfig.ready``;
    an event emitted with no subscriber would be dropped)."""
    events.subscribe(CREATED_EVENT, notification_deliver)
    events.subscribe(RETRY_EVENT, notification_deliver)
