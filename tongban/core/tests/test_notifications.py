"""Notifications to applicants: validated, stored encrypted, sent once after commit, retried."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import logging
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection, transaction
from django.urls import reverse

from tongban.core import clock, crypto, events
from tongban.core.errors import DomainError
from tongban.core.models import (
    AuditEvent,
    Notification,
    NotificationStatus,
    OutboxMessage,
    OutboxStatus,
)
from tongban.core.notifications import (
    RECIPIENT_CONTEXT,
    GatewayError,
    LoggingSmsGateway,
    SmtpEmailGateway,
    mask_email,
    notification_deliver,
    notification_retry,
    notification_send,
)
from tongban.core.tasks import outbox_sweep

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 10, 8, 1, 0, tzinfo=dt.UTC)
PHONE = "13812345678"
ADDRESS = "zhangsan@example.com"
BODY = "您好，您申请的《食品经营许可》（办件编号 2026-0001）已受理，请留意后续通知。"
SUBJECT = "办件已受理：食品经营许可"


# --- a real SMTP server on 127.0.0.1 -------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_to: list[str]
    data: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class SmtpServerState:
    messages: list[Received] = field(default_factory=list)
    rcpt_reply: str = "250 2.1.5 OK"


class _SmtpHandler(socketserver.StreamRequestHandler):
    """The subset of SMTP (RFC 5321) that a client needs to hand over one message."""

    server: _SmtpServer

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        state = self.server.state
        mail_from, rcpt_to = "", list[str]()
        self._reply("220 test.local ESMTP ready")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb == "EHLO":
                self._reply("250-test.local")
                self._reply("250-8BITMIME")
                self._reply("250 SMTPUTF8")
            elif verb == "HELO":
                self._reply("250 test.local")
            elif verb == "MAIL":
                mail_from, rcpt_to = line.split(":", 1)[1].strip(), []
                self._reply("250 2.1.0 OK")
            elif verb == "RCPT":
                if state.rcpt_reply.startswith("250"):
                    rcpt_to.append(line.split(":", 1)[1].strip())
                self._reply(state.rcpt_reply)
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data_line := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data_line[1:] if data_line.startswith(b"..") else data_line)
                state.messages.append(Received(mail_from, rcpt_to, b"".join(lines)))
                self._reply("250 2.0.0 OK queued")
            elif verb in ("RSET", "NOOP"):
                self._reply("250 2.0.0 OK")
            elif verb == "QUIT":
                self._reply("221 2.0.0 Bye")
                return
            else:
                self._reply("502 5.5.2 Command not implemented")


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, state: SmtpServerState) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.state = state


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpServerState]:
    state = SmtpServerState()
    server = _SmtpServer(state)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.TONGBAN_EMAIL_HOST = "127.0.0.1"
    settings.TONGBAN_EMAIL_PORT = server.server_address[1]
    settings.TONGBAN_EMAIL_TIMEOUT_SECONDS = 5
    settings.TONGBAN_EMAIL_GATEWAY = "tongban.core.notifications.SmtpEmailGateway"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- a fake gateway that records its calls -------------------------------------


class FakeGateway:
    name = "fake"
    calls: list[dict[str, str]] = []
    fail_with: Exception | None = None

    def send(self, *, recipient: str, subject: str, body: str) -> str:
        FakeGateway.calls.append({"recipient": recipient, "subject": subject, "body": body})
        if FakeGateway.fail_with is not None:
            raise FakeGateway.fail_with
        return f"fake-{len(FakeGateway.calls)}"


@pytest.fixture
def fake_gateway(settings) -> Iterator[type[FakeGateway]]:
    path = f"{__name__}.FakeGateway"
    settings.TONGBAN_SMS_GATEWAY = path
    settings.TONGBAN_EMAIL_GATEWAY = path
    FakeGateway.calls = []
    FakeGateway.fail_with = None
    yield FakeGateway
    FakeGateway.calls = []
    FakeGateway.fail_with = None


@pytest.fixture
def frozen(monkeypatch) -> Iterator[list[dt.datetime]]:
    """The clock, set by assigning ``frozen[0]``."""
    moment = [T0]
    monkeypatch.setattr(clock, "now", lambda: moment[0])
    yield moment


def _send(**overrides: str) -> Notification:
    arguments: dict[str, Any] = {
        "channel": "sms",
        "recipient": PHONE,
        "subject": "",
        "body": BODY,
        "purpose": "case.accepted",
        "object_type": "case",
        "object_id": "2026-0001",
    }
    arguments.update(overrides)
    return notification_send(**arguments, now=T0)


def _send_committed(capture, **overrides: str) -> Notification:
    with capture(execute=True), transaction.atomic():
        notification = _send(**overrides)
    notification.refresh_from_db()
    return notification


# --- the SMTP gateway against a real server --------------------------------------


def test_an_email_reaches_a_real_smtp_server_with_chinese_subject_and_body(smtp_server):
    message_id = SmtpEmailGateway().send(recipient=ADDRESS, subject=SUBJECT, body=BODY)

    [received] = smtp_server.messages
    assert received.rcpt_to == [f"<{ADDRESS}>"]
    assert received.mail_from == "<noreply@tongban.local>"
    message = received.message
    assert message["To"] == ADDRESS
    assert message["Subject"] == SUBJECT  # decoded from its RFC 2047 encoded form
    assert b"=?utf-8?" in received.data  # …which is how it travelled
    assert message["From"].addresses[0].display_name == "通办"
    assert message["Message-ID"] == message_id
    assert message_id.endswith("@tongban.local>")
    assert message.get_content().strip() == BODY


def test_a_refused_connection_is_a_retryable_failure(settings):
    settings.TONGBAN_EMAIL_HOST = "127.0.0.1"
    settings.TONGBAN_EMAIL_PORT = _closed_port()
    settings.TONGBAN_EMAIL_TIMEOUT_SECONDS = 5

    with pytest.raises(GatewayError) as failure:
        SmtpEmailGateway().send(recipient=ADDRESS, subject=SUBJECT, body=BODY)

    assert failure.value.retryable is True
    assert "ConnectionRefusedError" in str(failure.value)


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [
        ("550 5.1.1 <zhangsan@example.com>: mailbox unavailable", False),  # permanent
        ("451 4.3.0 try again later", True),  # temporary: greylisting, full queue
    ],
)
def test_a_refused_recipient_is_retryable_only_when_the_server_says_temporary(
    smtp_server, reply, retryable
):
    smtp_server.rcpt_reply = reply

    with pytest.raises(GatewayError) as failure:
        SmtpEmailGateway().send(recipient=ADDRESS, subject=SUBJECT, body=BODY)

    assert failure.value.retryable is retryable
    assert reply[:3] in str(failure.value)
    assert smtp_server.messages == []


# --- the logging SMS gateway ------------------------------------------------------


def test_the_logging_sms_gateway_logs_the_masked_number_only(caplog):
    caplog.set_level(logging.INFO, logger="tongban.core.notifications")

    message_id = LoggingSmsGateway().send(recipient=PHONE, subject="", body=BODY)

    assert message_id.startswith("log-")
    assert "138****5678" in caplog.text
    assert BODY in caplog.text
    assert PHONE not in caplog.text


# --- validation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "recipient", "code"),
    [
        ("sms", "1381234567", "invalid_phone"),  # 10 digits
        ("sms", "23812345678", "invalid_phone"),  # does not start with 1
        ("sms", "138123456789", "invalid_phone"),  # 12 digits
        ("sms", "", "invalid_phone"),
        ("email", "zhangsan@", "invalid_email"),
        ("email", "张三", "invalid_email"),
        ("fax", PHONE, "notification_invalid"),
    ],
)
def test_an_invalid_recipient_is_refused_with_its_code(channel, recipient, code):
    with pytest.raises(DomainError) as refusal:
        _send(channel=channel, recipient=recipient)

    assert refusal.value.code == code
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_an_empty_body_is_refused():
    with pytest.raises(DomainError) as refusal:
        _send(body="  ")

    assert refusal.value.code == "notification_invalid"


@pytest.mark.parametrize(
    ("channel", "given", "masked"),
    [
        ("sms", "+86 138-1234-5678", "138****5678"),
        ("email", " ZhangSan@Example.COM ", "Z***@example.com"),
    ],
)
def test_a_recipient_is_normalized_and_stored_masked(channel, given, masked):
    notification = _send(channel=channel, recipient=given)

    assert notification.recipient_masked == masked


def test_mask_email_keeps_the_first_letter_and_the_domain():
    assert mask_email("zhangsan@example.com") == "z***@example.com"
    assert mask_email("not-an-address") == "***"


# --- storage ------------------------------------------------------------------------


def test_the_recipient_is_stored_encrypted_never_in_plaintext():
    notification = _send(channel="email", recipient=ADDRESS)

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {Notification._meta.db_table} WHERE id = %s",  # noqa: S608  (the table name is ours)
            [notification.pk],
        )
        raw_row = cursor.fetchone()
        cursor.execute(f"SELECT payload FROM {OutboxMessage._meta.db_table}")  # noqa: S608  (ours)
        payloads = [row[0] for row in cursor.fetchall()]
    assert not any(ADDRESS in str(value) for value in raw_row)
    assert not any(ADDRESS in str(payload) for payload in payloads)
    assert notification.recipient_enc.startswith("sm4gcm:k2:")
    assert crypto.decrypt(notification.recipient_enc, context=RECIPIENT_CONTEXT) == ADDRESS
    assert notification.recipient_masked == "z***@example.com"


def test_sending_stores_a_pending_row_and_one_outbox_event_and_sends_nothing_before_commit(
    fake_gateway,
):
    notification = _send()

    assert notification.status == NotificationStatus.PENDING
    assert (notification.attempts, notification.created_at) == (0, T0)
    message = OutboxMessage.objects.get()
    assert message.event == "notification.created"
    assert message.subscriber == "tongban.core.notifications.notification_deliver"
    assert message.payload == {"notification_id": notification.pk, "attempt": 1}
    assert fake_gateway.calls == []


# --- delivery through the outbox ----------------------------------------------------


def test_after_commit_the_outbox_delivers_and_the_row_is_sent(
    fake_gateway, frozen, django_capture_on_commit_callbacks
):
    notification = _send_committed(django_capture_on_commit_callbacks)

    assert fake_gateway.calls == [{"recipient": PHONE, "subject": "", "body": BODY}]
    assert notification.status == NotificationStatus.SENT
    assert (notification.attempts, notification.sent_at) == (1, T0)
    assert (notification.gateway, notification.gateway_message_id) == ("fake", "fake-1")
    assert OutboxMessage.objects.get().status == OutboxStatus.DELIVERED


def test_a_rolled_back_caller_leaves_no_notification_and_sends_nothing(
    fake_gateway, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        _send()
        _ = 1 / 0

    assert not Notification.objects.exists()
    assert fake_gateway.calls == []


def test_the_same_notification_twice_is_one_row_and_one_send(
    fake_gateway, django_capture_on_commit_callbacks
):
    first = _send_committed(django_capture_on_commit_callbacks)
    second = _send_committed(django_capture_on_commit_callbacks)

    assert second.pk == first.pk
    assert Notification.objects.count() == 1
    assert OutboxMessage.objects.count() == 1
    assert len(fake_gateway.calls) == 1


def test_a_different_purpose_recipient_or_channel_is_a_different_notification(fake_gateway):
    _send()
    _send(purpose="case.concluded")
    _send(recipient="13900001111")
    _send(channel="email", recipient=ADDRESS)
    _send(object_id="2026-0002")

    assert Notification.objects.count() == 5


def test_a_sent_notification_is_not_sent_again_when_delivered_again(fake_gateway, frozen):
    notification = _send()
    payload = {"notification_id": notification.pk, "attempt": 1}

    notification_deliver(event_id=events.emit("test.none", {}), payload=payload)
    notification_deliver(event_id=events.emit("test.none", {}), payload=payload)

    assert len(fake_gateway.calls) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)


def test_an_email_goes_all_the_way_to_the_smtp_server_after_commit(
    smtp_server, django_capture_on_commit_callbacks
):
    notification = _send_committed(
        django_capture_on_commit_callbacks, channel="email", recipient=ADDRESS, subject=SUBJECT
    )

    [received] = smtp_server.messages
    assert received.message["Subject"] == SUBJECT
    assert received.message.get_content().strip() == BODY
    assert notification.status == NotificationStatus.SENT
    assert notification.gateway == "smtp"
    assert notification.gateway_message_id == received.message["Message-ID"]


def test_an_unreachable_smtp_server_leaves_the_email_waiting_for_a_retry(
    settings, frozen, django_capture_on_commit_callbacks
):
    settings.TONGBAN_EMAIL_HOST = "127.0.0.1"
    settings.TONGBAN_EMAIL_PORT = _closed_port()
    settings.TONGBAN_EMAIL_GATEWAY = "tongban.core.notifications.SmtpEmailGateway"

    notification = _send_committed(
        django_capture_on_commit_callbacks, channel="email", recipient=ADDRESS, subject=SUBJECT
    )

    assert notification.status == NotificationStatus.FAILED
    assert notification.attempts == 1
    assert "ConnectionRefusedError" in notification.last_error


# --- failures, retries, dead ---------------------------------------------------------


def test_a_retryable_failure_is_retried_with_backoff_then_given_up(
    fake_gateway, frozen, settings, django_capture_on_commit_callbacks
):
    settings.TONGBAN_OUTBOX_MAX_ATTEMPTS = 3
    settings.TONGBAN_OUTBOX_BACKOFF_SECONDS = 30
    fake_gateway.fail_with = GatewayError("短信平台繁忙", retryable=True)

    notification = _send_committed(django_capture_on_commit_callbacks)

    # Attempt 1 failed: recorded on the row, attempt 2 due after 30 s.
    assert len(fake_gateway.calls) == 1
    assert notification.status == NotificationStatus.FAILED
    assert notification.attempts == 1
    assert notification.last_error == "GatewayError: 短信平台繁忙"
    assert notification.next_attempt_at == T0 + dt.timedelta(seconds=30)
    retry = OutboxMessage.objects.get(event="notification.retry")
    assert retry.payload == {"notification_id": notification.pk, "attempt": 2}
    assert (retry.status, retry.next_attempt_at) == (
        OutboxStatus.PENDING,
        notification.next_attempt_at,
    )

    # Not due yet: the sweep leaves it.
    frozen[0] = T0 + dt.timedelta(seconds=29)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_sweep.enqueue()
    assert len(fake_gateway.calls) == 1

    # Attempt 2 at +30 s fails: attempt 3 due 60 s later.
    frozen[0] = T0 + dt.timedelta(seconds=30)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_sweep.enqueue()
    notification.refresh_from_db()
    assert len(fake_gateway.calls) == 2
    assert (notification.status, notification.attempts) == (NotificationStatus.FAILED, 2)
    assert notification.next_attempt_at == T0 + dt.timedelta(seconds=90)

    # Attempt 3 is the last one: given up, no further retry scheduled.
    frozen[0] = T0 + dt.timedelta(seconds=90)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_sweep.enqueue()
    notification.refresh_from_db()
    assert len(fake_gateway.calls) == 3
    assert (notification.status, notification.attempts) == (NotificationStatus.DEAD, 3)
    assert notification.next_attempt_at is None
    frozen[0] = T0 + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_sweep.enqueue()
    assert len(fake_gateway.calls) == 3
    # The outbox delivered every event: the outcome is on the notification.
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.DELIVERED}


def test_a_retry_that_succeeds_marks_the_row_sent(
    fake_gateway, frozen, django_capture_on_commit_callbacks
):
    fake_gateway.fail_with = GatewayError("timeout", retryable=True)
    notification = _send_committed(django_capture_on_commit_callbacks)
    fake_gateway.fail_with = None

    frozen[0] = notification.next_attempt_at
    with django_capture_on_commit_callbacks(execute=True):
        outbox_sweep.enqueue()

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 2)
    assert (notification.last_error, notification.next_attempt_at) == ("", None)
    assert notification.gateway_message_id == "fake-2"


def test_a_permanent_failure_is_given_up_at_once_with_the_address_masked(
    fake_gateway, frozen, django_capture_on_commit_callbacks
):
    fake_gateway.fail_with = GatewayError(f"550 <{ADDRESS}> unknown", retryable=False)

    notification = _send_committed(
        django_capture_on_commit_callbacks, channel="email", recipient=ADDRESS
    )

    assert len(fake_gateway.calls) == 1
    assert (notification.status, notification.attempts) == (NotificationStatus.DEAD, 1)
    assert notification.last_error == "GatewayError: 550 <z***@example.com> unknown"
    assert not OutboxMessage.objects.filter(event="notification.retry").exists()
    assert OutboxMessage.objects.get().status == OutboxStatus.DELIVERED


def test_a_late_delivery_of_an_attempt_already_made_sends_nothing(fake_gateway, frozen):
    fake_gateway.fail_with = GatewayError("busy", retryable=True)
    notification = _send()
    payload = {"notification_id": notification.pk, "attempt": 1}
    notification_deliver(event_id=events.emit("test.none", {}), payload=payload)

    notification_deliver(event_id=events.emit("test.none", {}), payload=payload)

    assert len(fake_gateway.calls) == 1
    notification.refresh_from_db()
    assert notification.attempts == 1


def test_an_unexpected_error_is_left_to_the_outbox_which_retries_the_event(
    fake_gateway, frozen, django_capture_on_commit_callbacks
):
    fake_gateway.fail_with = RuntimeError("网关程序错误")

    notification = _send_committed(django_capture_on_commit_callbacks)

    assert (notification.status, notification.attempts) == (NotificationStatus.PENDING, 0)
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert message.last_error == "RuntimeError: 网关程序错误"

    fake_gateway.fail_with = None
    events.outbox_deliver(message_id=message.pk, now=message.next_attempt_at)

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)


# --- operator retry --------------------------------------------------------------------


def test_an_operator_retries_a_dead_notification_and_it_is_audited(
    fake_gateway, frozen, django_capture_on_commit_callbacks
):
    fake_gateway.fail_with = GatewayError("rejected", retryable=False)
    notification = _send_committed(django_capture_on_commit_callbacks)
    fake_gateway.fail_with = None

    with django_capture_on_commit_callbacks(execute=True):
        notification_retry(notification_id=notification.pk, actor="user:1")

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)
    assert len(fake_gateway.calls) == 2
    audit = AuditEvent.objects.get(action="notification.retry")
    assert (audit.actor, audit.object_id) == ("user:1", str(notification.pk))
    assert audit.details["attempts_before"] == 1


def test_only_a_dead_notification_can_be_retried(fake_gateway):
    notification = _send()

    with pytest.raises(DomainError) as refusal:
        notification_retry(notification_id=notification.pk, actor="user:1")

    assert refusal.value.code == "notification_not_retryable"


@pytest.fixture
def admin_client_logged_in(client, django_user_model):
    user = django_user_model.objects.create_superuser(username="notifyadmin", password="x" * 12)
    client.force_login(user)
    return client


def test_the_admin_shows_the_masked_recipient_and_retries_dead_notifications(
    admin_client_logged_in, fake_gateway, django_capture_on_commit_callbacks
):
    fake_gateway.fail_with = GatewayError("rejected", retryable=False)
    dead = _send_committed(django_capture_on_commit_callbacks)
    fake_gateway.fail_with = None
    url = reverse("admin:core_notification_changelist")

    page = admin_client_logged_in.get(url).content.decode()
    detail = admin_client_logged_in.get(
        reverse("admin:core_notification_change", args=[dead.pk])
    ).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_logged_in.post(
            url, {"action": "retry_dead_notifications", "_selected_action": [dead.pk]}
        )

    assert "138****5678" in page
    assert PHONE not in page
    assert "138****5678" in detail
    assert PHONE not in detail
    assert dead.recipient_enc not in detail
    assert response.status_code == 302
    dead.refresh_from_db()
    assert dead.status == NotificationStatus.SENT
