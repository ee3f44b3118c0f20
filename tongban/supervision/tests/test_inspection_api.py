"""The 双随机 API: a lead department draws, the public sees the draws and results."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.identity.services import staff_account_create, token_create
from tongban.org.models import Role
from tongban.org.services import staff_assign
from tongban.supervision.inspection_models import InspectionPlan, InspectionTask
from tongban.supervision.tests import test_inspections
from tongban.supervision.tests.test_inspections import _entities

pytestmark = pytest.mark.django_db
setup = test_inspections.setup  # the same fixture: departments, items and inspectors


def test_a_plan_is_created_opened_refused_with_an_empty_pool_then_drawn_and_shown(client, setup):
    market, _health, items, inspectors = setup
    _entities(5, classes={0: "D"})
    head = staff_account_create(username="lead_head", display_name="局长", password="Pw-12345678")
    staff_assign(user_id=head.pk, role=Role.DEPARTMENT_HEAD, department=market,
                 region_scope=market.region)  # fmt: skip
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=head, name='t')[1]}"}
    base = "/api/v1/supervision/inspections"
    body = {
        "title": "联合抽查", "lead_department_id": market.pk, "item_ids": [items[0].pk],
        "scope_region": "320100", "rates": {"A": 200, "B": 200, "C": 500, "D": 1000},
        "starts_on": "2026-11-02", "ends_on": "2026-12-31",
    }  # fmt: skip
    made = client.post(f"{base}/plans", body, content_type="application/json", **auth)
    assert made.status_code == 201 and made.json()["status"] == "draft"
    plan_id = made.json()["id"]
    opened = client.post(f"{base}/plans/{plan_id}/open", **auth)
    assert opened.status_code == 200 and len(opened.json()["entity_draw"]["commitment"]) == 64
    for inspector in inspectors:
        inspector.active = False
        inspector.save()
    empty = client.post(f"{base}/plans/{plan_id}/draw", **auth)
    assert empty.status_code == 422 and empty.json()["code"] == "inspection_pool_empty"
    assert not InspectionTask.objects.exists()
    for inspector in inspectors:
        inspector.active = True
        inspector.save()
    drawn = client.post(f"{base}/plans/{plan_id}/draw", **auth)
    assert drawn.status_code == 200 and drawn.json()["status"] == "drawn"
    assert InspectionTask.objects.filter(plan_id=plan_id).count() == len(drawn.json()["tasks"])
    public = client.get(f"{base}/plans/{plan_id}").json()
    assert public["entity_draw"]["state"] == "drawn" and public["tasks"] == []  # none published
    anonymous = client.post(f"{base}/plans", body, content_type="application/json")
    assert anonymous.status_code == 401
    assert InspectionPlan.objects.count() == 1
    assert dt.date.fromisoformat(public["starts_on"]) == dt.date(2026, 11, 2)
