"""Signed webhooks: fan-out to the department's endpoints only, signatures,
retries with backoff from the outbox, the dead state, the log and the replay."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests

from tongban.core.models import AuditEvent, OutboxMessage
from tongban.integration import services
from tongban.integration.models import DeliveryStatus, WebhookDelivery
from tongban.integration.services import webhook_endpoint_add
from tongban.integration.signing import HEADER, signature_header, signature_valid


class Receiver:
    """Stands in for ``requests.post``: records what was sent, answers ``status``."""

    def __init__(self, status: int = 204) -> None:
        self.status = status
        self.sent: list[dict[str, Any]] = []

    def __call__(self, url: str, *, data: bytes, headers: dict[str, str], timeout: int) -> Any:
        self.sent.append({"url": url, "body": data, "headers": headers})
        if self.status == 0:
            raise requests.ConnectionError("refused")
        return type("Answer", (), {"status_code": self.status})()


@pytest.fixture
def receiver(monkeypatch) -> Receiver:
    fake = Receiver()
    monkeypatch.setattr(services.requests, "post", fake)
    return fake


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what commits schedule (the outbox) as a committed transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def endpoint(world):
    return webhook_endpoint_add(system=world.system, url="https://nj-food.example/hook")


def test_a_case_event_reaches_its_departments_endpoint_signed(world, endpoint, receiver, committed):
    endpoint_row, secret = endpoint
    webhook_endpoint_add(system=world.other_system, url="https://gz.example/hook")
    with committed():
        case = world.submit(minutes_ago=0)
    assert [s["url"] for s in receiver.sent] == ["https://nj-food.example/hook"]
    sent = receiver.sent[0]
    body = json.loads(sent["body"])
    assert body["event"] == "case.submit" and body["data"]["case_no"] == case.case_no
    assert body["data"]["bundle"] is None  # a case on its own, not a 一件事 member
    assert sent["headers"]["Tongban-Event"] == "case.submit"
    assert signature_valid(secret, sent["headers"][HEADER], sent["body"], now=int(time.time()))
    assert not signature_valid(
        "whsec_wrong", sent["headers"][HEADER], sent["body"], now=int(time.time())
    )
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1
    assert delivery.endpoint == endpoint_row


def test_a_signature_is_refused_when_old_or_the_body_changed():
    header = signature_header("whsec_k", 1_800_000_000, b'{"a":1}')
    assert signature_valid("whsec_k", header, b'{"a":1}', now=1_800_000_100)
    assert not signature_valid("whsec_k", header, b'{"a":2}', now=1_800_000_100)
    assert not signature_valid("whsec_k", header, b'{"a":1}', now=1_800_000_301)  # replayed late
    assert not signature_valid("whsec_k", "t=x,v1=y", b"", now=0)
    # The SM3 MAC (GB/T 32905) is checked alike, and is not the SHA-256 one.
    assert signature_valid("whsec_k", header, b'{"a":1}', now=1_800_000_100, algorithm="sm3")
    assert not signature_valid("whsec_k", header, b'{"a":2}', now=1_800_000_100, algorithm="sm3")
    forged = header.replace("sm3=", "sm3=0")
    assert not signature_valid("whsec_k", forged, b'{"a":1}', now=1_800_000_100, algorithm="sm3")
    assert not signature_valid("whsec_k", header, b'{"a":1}', now=1_800_000_100, algorithm="md5")


def test_a_failed_delivery_is_retried_with_backoff_then_given_up(
    world, endpoint, receiver, settings, committed
):
    settings.TONGBAN_OUTBOX_MAX_ATTEMPTS = 3
    receiver.status = 500
    with committed():
        world.submit(minutes_ago=0)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert delivery.last_status_code == 500 and delivery.last_error == "HTTP 500"
    retry = OutboxMessage.objects.filter(event=services.SEND_EVENT, status="pending").get()
    assert (retry.next_attempt_at - delivery.created_at).total_seconds() >= 29  # the backoff

    receiver.status = 0  # the receiver is down
    services.webhook_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.last_error == "ConnectionError"
    services.webhook_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DEAD and delivery.attempts == 3
    services.webhook_send(delivery_id=delivery.pk)  # dead stays dead
    assert len(receiver.sent) == 3


def test_the_fan_out_runs_once_per_event(world, endpoint, receiver, committed):
    with committed():
        world.submit(minutes_ago=0)
    message = OutboxMessage.objects.filter(event="case.submit").first()
    assert message is not None
    services.on_platform_event(event_id=message.event_id, payload=message.payload)
    assert WebhookDelivery.objects.count() == 1


def test_the_log_lists_the_systems_deliveries_and_the_replay_sends_again(
    client, world, endpoint, receiver, committed
):
    with committed():
        world.submit(minutes_ago=0)
    headers = world.bearer(world.system.user)
    log = client.get("/api/v1/integration/deliveries", **headers).json()["items"]
    assert [d["event"] for d in log] == ["case.submit"]
    first = log[0]["id"]
    # Another department's system neither sees nor replays it.
    other = world.bearer(world.other_system.user)
    assert client.get("/api/v1/integration/deliveries", **other).json()["items"] == []
    refused = client.post(f"/api/v1/integration/deliveries/{first}/replay", **other)
    assert refused.status_code == 404

    with committed():
        replay = client.post(f"/api/v1/integration/deliveries/{first}/replay", **headers)
    assert replay.status_code == 202
    assert replay.json()["replay_of"] == first and replay.json()["status"] == "pending"
    sent_again = WebhookDelivery.objects.get(pk=replay.json()["id"])
    assert sent_again.status == DeliveryStatus.DELIVERED  # after the commit
    assert len(receiver.sent) == 2
    first_id, second_id = (s["headers"]["Tongban-Delivery"] for s in receiver.sent)
    assert first_id != second_id  # a receiver tells a replay from a duplicate
    assert AuditEvent.objects.filter(action="integration.webhook_replayed").exists()


def test_an_unknown_event_or_a_bad_url_is_refused(world):
    from tongban.core.errors import DomainError

    with pytest.raises(DomainError) as unknown:
        webhook_endpoint_add(system=world.system, url="https://x.example", events_wanted=["x.y"])
    assert unknown.value.code == "webhook_event_unknown"
    with pytest.raises(DomainError) as bad:
        webhook_endpoint_add(system=world.system, url="ftp://x.example/hook")
    assert bad.value.code == "webhook_url_invalid"


def test_the_command_registers_a_system_and_prints_the_webhook_secret_once(world):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from tongban.integration.models import DepartmentSystem, WebhookEndpoint
    from tongban.org.models import StaffAssignment

    out = StringIO()
    call_command(
        "integration",
        "register",
        "nj_license_system",
        "--name",
        "南京市证照系统",
        "--department",
        str(world.system.department.credit_code),
        stdout=out,
    )
    system = DepartmentSystem.objects.get(user__username="nj_license_system")
    assert system.department == world.system.department
    scopes = StaffAssignment.objects.filter(user_id=system.user_id)
    assert {a.role for a in scopes} == {"window_clerk", "reviewer"}
    secret = StringIO()
    call_command(
        "integration",
        "webhook-add",
        "nj_license_system",
        "https://license.example/hook",
        stdout=secret,
        stderr=StringIO(),
    )
    assert secret.getvalue().startswith("whsec_")
    assert secret.getvalue().strip() not in WebhookEndpoint.objects.get(system=system).secret_enc
    with pytest.raises(CommandError, match="部门不存在"):
        call_command("integration", "register", "x_sys", "--name", "x", "--department", "nope")
    with pytest.raises(CommandError, match="webhook_url_invalid"):
        call_command("integration", "webhook-add", "nj_license_system", "ftp://x")
    assert DepartmentSystem.objects.filter(user__username="x_sys").count() == 0
