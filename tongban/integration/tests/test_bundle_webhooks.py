"""A member case of a 一件事 tells its department's system which bundle
application it belongs to; a case on its own says ``bundle: null``."""

from __future__ import annotations

from typing import Any

import pytest

from tongban.bundles.tests.conftest import seed
from tongban.bundles.tests.flows import submit
from tongban.integration import services

pytestmark = pytest.mark.django_db


def test_a_member_case_webhook_names_its_bundle_application(sms: Any) -> None:
    world = seed()
    application = submit(world, "enterprise-opening")
    member = application.members.exclude(case=None).select_related("case").first()
    assert member is not None and member.case is not None
    department_id, body = services._subject("case.submit", {"case_no": member.case.case_no})
    assert department_id == member.case.department_id
    assert body["bundle"] == application.application_no
    assert body["case_no"] == member.case.case_no and body["version"] == member.case.version


def test_bundle_events_reach_every_department_taking_part(sms: Any, monkeypatch: Any) -> None:
    import json

    from tongban.bundles.services.delivery import bundle_application_deliver
    from tongban.bundles.services.progress import application_sync
    from tongban.bundles.tests.flows import grant_running
    from tongban.core.models import OutboxMessage
    from tongban.integration.models import WebhookDelivery
    from tongban.integration.services import department_system_register, webhook_endpoint_add
    from tongban.org.models import Department

    sent: list[dict[str, Any]] = []

    def post(url: str, *, data: bytes, headers: dict[str, str], timeout: int) -> Any:
        sent.append({"url": url, **json.loads(data)})
        return type("Answer", (), {"status_code": 204})()

    monkeypatch.setattr(services.requests, "post", post)
    world = seed()
    # 企业开办: the licence department leads; the police files the seal later.
    licence_desk = Department.objects.get(name="南京市玄武区市场监督管理局")
    police = Department.objects.get(name="南京市公安局玄武分局")
    application = submit(world, "enterprise-opening")  # the events wait in the outbox
    taking_part = set(application.members.values_list("department_id", flat=True))
    unrelated = (
        Department.objects.filter(region_id="320102").exclude(pk__in=taking_part).order_by("pk")[0]
    )
    for n, department in enumerate((licence_desk, police, unrelated)):
        system = department_system_register(
            name=f"系统{n}", username=f"sys{n}", department=department
        )
        webhook_endpoint_add(system=system, url=f"https://d{n}.example/hook")

    def fan_out() -> None:
        for message in OutboxMessage.objects.filter(
            event__startswith="bundle.", status="pending"
        ).order_by("id"):
            services.on_platform_event(event_id=message.event_id, payload=message.payload)
            message.status = "delivered"
            message.save(update_fields=["status"])
        for delivery in WebhookDelivery.objects.filter(status="pending").order_by("id"):
            services.webhook_send(delivery_id=delivery.pk)

    fan_out()
    submitted = [s for s in sent if s["event"] == "bundle.submitted"]
    assert {s["url"] for s in submitted} == {"https://d0.example/hook", "https://d1.example/hook"}
    data = submitted[0]["data"]
    assert data["application_no"] == application.application_no
    assert data["bundle"] == "enterprise-opening" and data["status"] == "in_progress"
    assert {m["key"] for m in data["members"]} >= {"licence", "seal"}
    released = [s for s in sent if s["event"] == "bundle.member_released"]
    assert {s["data"]["member"] for s in released} == {"licence"}
    licence = application.members.get(key="licence").case
    assert licence is not None and released[0]["data"]["case_no"] == licence.case_no

    # The licence is granted: the seal (the police's) is released, and both hear it.
    sent.clear()
    grant_running(world, application, world.at(hours=1))
    application_sync(application_id=application.pk, now=world.at(hours=1))
    fan_out()
    seal = [
        s for s in sent if s["event"] == "bundle.member_released" and s["data"]["member"] == "seal"
    ]
    assert {s["url"] for s in seal} == {"https://d0.example/hook", "https://d1.example/hook"}
    assert not any(s["url"] == "https://d2.example/hook" for s in sent)

    # Every result out: handed out together, one bundle.delivered per department.
    for hour in range(2, 10):
        application.refresh_from_db()
        if application.status != "in_progress":
            break
        grant_running(world, application, world.at(hours=hour))
        application_sync(application_id=application.pk, now=world.at(hours=hour))
    application.refresh_from_db()
    assert application.status == "ready"
    sent.clear()
    clerk = world.staff_of(licence_desk)
    bundle_application_deliver(application=application, actor=clerk, method="window")
    fan_out()
    delivered = [s for s in sent if s["event"] == "bundle.delivered"]
    assert {s["url"] for s in delivered} == {"https://d0.example/hook", "https://d1.example/hook"}
    assert delivered[0]["data"]["status"] == "concluded"
    # Each event fans out once, however often the handler runs.
    before = WebhookDelivery.objects.count()
    for message in OutboxMessage.objects.filter(event__startswith="bundle."):
        services.on_platform_event(event_id=message.event_id, payload=message.payload)
    assert WebhookDelivery.objects.count() == before
