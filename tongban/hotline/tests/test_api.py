"""The hotline API end to end, and bad input answered with problem+json, nothing saved."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from tongban.hotline.models import WorkOrder
from tongban.identity.models import User
from tongban.identity.services import token_create

ORDER = {
    "channel": "phone",
    "kind": "complaint",
    "content": "单位拖欠工资三个月，还不签劳动合同",
    "caller": {"name": "李四", "phone": "025-83456789"},
    "location": {"region_code": "320102", "address": "玄武区珠江路 8 号"},
    "category_code": "SB04",
}


def client_for(user: User) -> Client:
    _, plaintext = token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def post(client: Client, path: str, body: dict, version: int | None = None):
    headers = {"If-Match": f'"{version}"'} if version is not None else {}
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def test_an_order_walks_from_intake_to_archive_through_the_api(world):
    operator, dispatcher = client_for(world.operator), client_for(world.dispatcher)
    handler = client_for(world.handler)
    answer = post(operator, "/api/v1/hotline/orders", ORDER)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    no = body["order_no"]
    assert body["caller_phone"] == "025****6789"
    assert answer["ETag"] == '"1"'
    base = f"/api/v1/hotline/orders/{no}"
    # A command without If-Match is 428; with a stale one 412.
    assert (
        post(
            dispatcher,
            f"{base}/dispatch",
            {"department_id": world.hrss_id, "category_code": "SB04"},
        ).status_code
        == 428
    )
    stale = post(
        dispatcher,
        f"{base}/dispatch",
        {"department_id": world.hrss_id, "category_code": "SB04"},
        version=9,
    )
    assert stale.status_code == 412 and stale.json()["code"] == "work_order_version_mismatch"
    r = post(
        dispatcher,
        f"{base}/dispatch",
        {"department_id": world.hrss_id, "category_code": "SB04"},
        version=1,
    )
    assert r.status_code == 200, r.content
    queue = handler.get("/api/v1/hotline/orders?queue=department").json()
    assert no in [o["order_no"] for o in queue["items"]]
    r = post(handler, f"{base}/acknowledge", {}, version=r.json()["version"])
    assert r.status_code == 200, r.content
    r = post(
        handler,
        f"{base}/reply",
        {"answer": "已督促发放工资。", "action_taken": "约谈。"},
        version=r.json()["version"],
    )
    assert r.json()["status"] == "replied"
    r = post(
        operator,
        f"{base}/revisit",
        {"solved": True, "satisfaction": 5},
        version=r.json()["version"],
    )
    r = post(operator, f"{base}/archive", {}, version=r.json()["version"])
    assert r.status_code == 200 and r.json()["status"] == "archived"
    assert WorkOrder.objects.get(order_no=no).status == "archived"
    track = post(Client(), "/api/v1/hotline/track", {"order_no": no, "phone": "02583456789"})
    assert track.status_code == 200 and track.json()["reply_text"] == "已督促发放工资。"
    wrong = post(Client(), "/api/v1/hotline/track", {"order_no": no, "phone": "13800000000"})
    assert wrong.status_code == 404


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"content": ""}, "work_order_content_required"),
        ({"caller": {"phone": "not-a-phone"}}, "work_order_caller_invalid"),
        ({"location": {"region_code": "990000"}}, "work_order_location_invalid"),
        (
            {
                "attachments": [
                    {
                        "file_name": "a.jpg",
                        "content_type": "image/jpeg",
                        "content_base64": base64.b64encode(b"%PDF-1.4 x").decode(),
                    }
                ]
            },
            "work_order_attachment_invalid",
        ),
        ({"kind": "rumour"}, "validation_failed"),
    ],
)
def test_bad_orders_are_problem_json_with_a_code_and_not_saved(world, change, code):
    before = WorkOrder.objects.count()
    answer = post(client_for(world.operator), "/api/v1/hotline/orders", {**ORDER, **change})
    assert 400 <= answer.status_code < 500
    assert answer["Content-Type"].startswith("application/problem+json")
    assert answer.json()["code"] == code
    assert WorkOrder.objects.count() == before


def test_a_repeated_post_with_an_idempotency_key_registers_once(world):
    client = client_for(world.operator)
    first = client.post(
        "/api/v1/hotline/orders",
        json.dumps(ORDER),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    again = client.post(
        "/api/v1/hotline/orders",
        json.dumps(ORDER),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert first.status_code == again.status_code == 201
    assert first.json()["order_no"] == again.json()["order_no"]
    assert WorkOrder.objects.filter(content=ORDER["content"]).count() == 1


def test_another_citys_staff_do_not_see_the_order(world):
    no = post(client_for(world.operator), "/api/v1/hotline/orders", ORDER).json()["order_no"]
    answer = client_for(world.gz_operator).get(f"/api/v1/hotline/orders/{no}")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"


def test_stats_report_the_departments_figures(world, django_assert_max_num_queries):
    post(client_for(world.operator), "/api/v1/hotline/orders", ORDER)
    client = client_for(world.supervisor)
    with django_assert_max_num_queries(30):
        answer = client.get("/api/v1/hotline/stats?date_from=2026-01-01&date_to=2026-12-31")
    assert answer.status_code == 200, answer.content
    assert answer.json()["total"] >= 1
    bad = client.get("/api/v1/hotline/stats?date_from=2026-12-31&date_to=2026-01-01")
    assert bad.status_code == 422 and bad.json()["code"] == "hotline_stats_invalid"


def test_the_knowledge_base_and_the_suggestion(world):
    import datetime as dt

    from tongban.hotline.services.knowledge import knowledge_article_save

    knowledge_article_save(
        code="KB-A-1",
        title="拖欠工资如何维权",
        answer="向劳动监察投诉。",
        valid_from=dt.date(2026, 1, 1),
    )
    found = Client().get("/api/v1/hotline/knowledge?q=老板拖欠工资怎么办").json()
    assert [a["code"] for a in found][:1] == ["KB-A-1"]
    answer = post(
        client_for(world.operator),
        "/api/v1/hotline/suggest",
        {"content": "老板欠了我三个月工资不发", "region_code": "320102"},
    )
    assert answer.status_code == 200
    assert answer.json()["candidates"]


def test_the_dispatch_queue_costs_the_same_queries_for_one_or_many_orders(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    operator, dispatcher = client_for(world.operator), client_for(world.dispatcher)
    post(operator, "/api/v1/hotline/orders", ORDER)
    with CaptureQueriesContext(connection) as one:
        first = dispatcher.get("/api/v1/hotline/orders?queue=dispatch")
    for _ in range(4):
        post(operator, "/api/v1/hotline/orders", ORDER)
    with CaptureQueriesContext(connection) as many:
        more = dispatcher.get("/api/v1/hotline/orders?queue=dispatch")
    assert len(first.json()["items"]) + 4 == len(more.json()["items"])
    assert len(many) == len(one) <= 12


def test_supervision_sums_the_hotline_alerts_per_department(world):
    from tongban.hotline import services
    from tongban.hotline.services.alerts import hotline_alerts_sweep
    from tongban.hotline.tests.conftest import order_input

    order = services.work_order_register(data=order_input(), actor=world.operator, now=world.at())
    services.work_order_dispatch(
        order_id=order.pk,
        actor=world.dispatcher,
        department_id=world.hrss_id,
        category_code="SB01",
        now=world.at(hours=1),
    )
    hotline_alerts_sweep(now=world.at(days=9))
    rows = client_for(world.supervisor).get("/api/v1/supervision/hotline").json()
    row = next(r for r in rows if r["department_id"] == world.hrss_id)
    assert row["red"] == 1 and row["escalation_level"] == 2
    assert client_for(world.gz_operator).get("/api/v1/supervision/hotline").json() == []
