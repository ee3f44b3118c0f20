"""Writes of the integration: registering a department system and its webhook
endpoints, fanning platform events out to them, sending and replaying deliveries.

Webhooks (issue 14, item 6): a case, 12345 order or 一件事 event reaches
:func:`on_platform_event` through the outbox; it writes one delivery per
endpoint of the department concerned (for an 一件事 event, of every department
taking part: the members' and the lead departments) (once per event: the handler may run
again after a crash) and emits one ``integration.webhook_send`` per delivery,
so that each is sent on its own. A failed send is logged on the delivery and
queued again in the outbox for later (``core.events.backoff``: 30 s, 1 min,
2 min …) until ``TONGBAN_OUTBOX_MAX_ATTEMPTS``, then the delivery is dead.
A replay is a new delivery of the same payload.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import IntegrityError, transaction

from tongban.bundles.models import BundleApplication
from tongban.bundles.workflow import BUNDLE_EVENTS
from tongban.cases import workflow as case_workflow
from tongban.cases.models import Case
from tongban.core import clock, events
from tongban.core.audit import actor_label, audit_record
from tongban.core.crypto import decrypt, encrypt
from tongban.core.errors import DomainError
from tongban.core.models import OutboxMessage
from tongban.hotline import workflow as hotline_workflow
from tongban.hotline.models import WorkOrder
from tongban.identity.services import system_account_create
from tongban.integration import errors
from tongban.integration.models import (
    DeliveryStatus,
    DepartmentSystem,
    WebhookDelivery,
    WebhookEndpoint,
)
from tongban.integration.signing import HEADER, signature_header
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign

SECRET_CONTEXT = "integration.webhook_secret"  # noqa: S105  (an encryption context label)
SEND_EVENT = "integration.webhook_send"
CASE_EVENTS = tuple(f"case.{a}" for a in ("submit", *case_workflow.TRANSITIONS, "document_issued"))
ORDER_EVENTS = tuple(f"hotline.{a}" for a in ("register", *hotline_workflow.TRANSITIONS))
WEBHOOK_EVENTS = CASE_EVENTS + ORDER_EVENTS + BUNDLE_EVENTS
# What a department system may do with its department's cases, as the
# workbench's clerk and reviewer would (cases.workflow.ACTION_ROLES).
DEFAULT_ROLES = (Role.WINDOW_CLERK, Role.REVIEWER)
SEND_TIMEOUT_SECONDS = 10


# --- registration --------------------------------------------------------------------


def department_system_register(
    *,
    name: str,
    username: str,
    department: Department,
    roles: Sequence[str] = DEFAULT_ROLES,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> DepartmentSystem:
    """A system account for ``department``'s business system, with staff posts
    whose data scope is that department alone. Give it an API token with
    ``tongban token create USERNAME``."""
    moment = now or clock.now()
    with transaction.atomic():
        user = system_account_create(name=username, display_name=name, actor=actor, now=moment)
        for role in roles:
            staff_assign(
                user_id=user.pk,
                role=role,
                department=department,
                region_scope=department.region,
                scope_departments=[department],
                actor=actor_label(actor),
            )
        system = DepartmentSystem.objects.create(
            name=name.strip()[:100], user=user, department=department, created_at=moment
        )
        audit_record(
            actor=actor_label(actor),
            action="integration.system_registered",
            object_type="integration.DepartmentSystem",
            object_id=str(system.pk),
            details={"department": department.pk, "roles": list(roles)},
            now=moment,
        )
    return system


def _check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(url) > 500:
        raise DomainError(errors.WEBHOOK_URL_INVALID, "推送地址须为完整的 http(s) 地址。")
    return url


def webhook_endpoint_add(
    *,
    system: DepartmentSystem,
    url: str,
    events_wanted: Sequence[str] = (),
    actor: Any = None,
    now: dt.datetime | None = None,
) -> tuple[WebhookEndpoint, str]:
    """An endpoint and its signing secret (returned once; kept encrypted)."""
    moment = now or clock.now()
    unknown = sorted(set(events_wanted) - set(WEBHOOK_EVENTS))
    if unknown:
        raise DomainError(errors.WEBHOOK_EVENT_UNKNOWN, f"未知的事件：{'、'.join(unknown)}")
    secret = "whsec_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            system=system,
            url=_check_url(url),
            secret_enc=encrypt(secret, context=SECRET_CONTEXT),
            events=sorted(set(events_wanted)),
            created_at=moment,
        )
        audit_record(
            actor=actor_label(actor),
            action="integration.webhook_added",
            object_type="integration.WebhookEndpoint",
            object_id=str(endpoint.pk),
            details={"system": system.pk, "url": endpoint.url, "events": endpoint.events},
            now=moment,
        )
    return endpoint, secret


# --- fan-out ------------------------------------------------------------------------


def _subject(event: str, payload: dict[str, Any]) -> tuple[int | None, dict[str, Any]]:
    """The department the event concerns, and what the webhook says of it."""
    if event.startswith("case."):
        case = (
            Case.objects.filter(case_no=payload.get("case_no", ""))
            .values(
                "department_id",
                "status",
                "version",
                "service_item__implementation_code",
                "bundle_member__application__application_no",
            )
            .first()
        )
        if case is None:
            return None, {}
        return case["department_id"], {
            "case_no": payload.get("case_no"),
            "status": case["status"],
            "version": case["version"],
            "item": case["service_item__implementation_code"],
            # A member case of a 一件事 names its bundle application, so the
            # department's system sees the cases of one application together.
            "bundle": case["bundle_member__application__application_no"],
            **{k: payload[k] for k in ("from", "to", "kind", "number") if k in payload},
        }
    order = (
        WorkOrder.objects.filter(order_no=payload.get("order_no", ""))
        .values("department_id", "status", "version")
        .first()
    )
    if order is None:
        return None, {}
    return order["department_id"], {
        "order_no": payload.get("order_no"),
        "status": order["status"],
        "version": order["version"],
        **{k: payload[k] for k in ("from", "to") if k in payload},
    }


def _bundle_subject(payload: dict[str, Any]) -> tuple[set[int], dict[str, Any]]:
    """The departments taking part in an 一件事 application (its members' and its
    lead departments), and what the webhook says of the application."""
    application = (
        BundleApplication.objects.filter(application_no=str(payload.get("application_no", "")))
        .select_related("bundle", "project")
        .first()
    )
    if application is None:
        return set(), {}
    members = list(
        application.members.order_by("position").values(
            "key", "status", "department_id", "case__case_no"
        )
    )
    departments = {m["department_id"] for m in members} | set(
        application.bundle.lead_departments.values_list("pk", flat=True)
    )
    return departments, {
        "application_no": application.application_no,
        "bundle": application.bundle.code,
        "status": application.status,
        "version": application.version,
        "project_code": application.project.code if application.project else None,
        "members": [
            {"key": m["key"], "status": m["status"], "case_no": m["case__case_no"]} for m in members
        ],
        **{k: payload[k] for k in ("member", "case_no") if k in payload},
    }


def on_platform_event(*, event_id: uuid.UUID, payload: dict[str, Any], **kwargs: Any) -> None:
    """Outbox handler of every event in :data:`WEBHOOK_EVENTS` (idempotent per event)."""
    # The outbox hands a subscriber the event's id, not its name.
    event = (
        OutboxMessage.objects.filter(event_id=event_id).values_list("event", flat=True).first()
        or ""
    )
    if event.startswith("bundle."):
        departments, body = _bundle_subject(payload)
    else:
        department_id, body = _subject(event, payload)
        departments = {department_id} if department_id is not None else set()
    if not departments:
        return
    endpoints = WebhookEndpoint.objects.filter(
        active=True, system__department_id__in=sorted(departments), system__user__is_active=True
    ).order_by("pk")
    moment = clock.now()
    for endpoint in endpoints:
        if endpoint.events and event not in endpoint.events:
            continue
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    endpoint=endpoint,
                    event=event,
                    event_id=event_id,
                    payload={"event": event, "event_id": str(event_id), "data": body},
                    created_at=moment,
                )
        except IntegrityError:
            continue  # this event was fanned out before a crash
        events.emit(SEND_EVENT, {"delivery_id": delivery.pk}, now=moment)


# --- sending ------------------------------------------------------------------------


def body_bytes(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def webhook_send(*, delivery_id: int, now: dt.datetime | None = None) -> WebhookDelivery:
    """POST one delivery, signed now; on failure, log it and queue the next attempt."""
    moment = now or clock.now()
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    if delivery.status in (DeliveryStatus.DELIVERED, DeliveryStatus.DEAD):
        return delivery
    endpoint = delivery.endpoint
    body = body_bytes(delivery)
    secret = decrypt(endpoint.secret_enc, context=SECRET_CONTEXT)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Tongban-Event": delivery.event,
        "Tongban-Delivery": str(delivery.pk),
        HEADER: signature_header(secret, int(moment.timestamp()), body),
    }
    status_code: int | None = None
    error = ""
    try:
        answer = requests.post(
            endpoint.url, data=body, headers=headers, timeout=SEND_TIMEOUT_SECONDS
        )
        status_code = answer.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}"
    delivery.attempts += 1
    delivery.last_status_code = status_code
    delivery.last_error = error[:500]
    if not error:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = moment
    elif delivery.attempts >= settings.TONGBAN_OUTBOX_MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.DEAD
    else:
        delivery.status = DeliveryStatus.FAILED
    delivery.save(
        update_fields=["attempts", "last_status_code", "last_error", "status", "delivered_at"]
    )
    if delivery.status == DeliveryStatus.FAILED:
        # The outbox sends it again once the backoff has passed (its sweep).
        events.emit(
            SEND_EVENT, {"delivery_id": delivery.pk}, now=moment + events.backoff(delivery.attempts)
        )
    return delivery


def on_webhook_send(*, event_id: uuid.UUID, payload: dict[str, Any], **kwargs: Any) -> None:
    webhook_send(delivery_id=int(payload["delivery_id"]))


def webhook_replay(
    *, delivery: WebhookDelivery, actor: Any = None, now: dt.datetime | None = None
) -> WebhookDelivery:
    """Send a delivery's payload again (the replay button): a new delivery,
    signed anew; the receiver tells it by its new ``Tongban-Delivery``."""
    moment = now or clock.now()
    with transaction.atomic():
        copy = WebhookDelivery.objects.create(
            endpoint=delivery.endpoint,
            event=delivery.event,
            event_id=delivery.event_id,
            payload=delivery.payload,
            created_at=moment,
            replay_of=delivery,
        )
        audit_record(
            actor=actor_label(actor),
            action="integration.webhook_replayed",
            object_type="integration.WebhookDelivery",
            object_id=str(copy.pk),
            details={"replay_of": delivery.pk, "event": delivery.event},
            now=moment,
        )
        events.emit(SEND_EVENT, {"delivery_id": copy.pk}, now=moment)
    return copy
