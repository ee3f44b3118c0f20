"""The 12345 desk pages: scoped, role by role, and refusals shown, not 500s."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.support.hotline import PASSWORD, hotline_world
from tongban.hotline.demo import _department
from tongban.hotline.models import WorkOrder


@pytest.fixture
def desks(db):
    hotline_world()


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def register(client: Client, **overrides: str):
    data = {
        "channel": "phone",
        "kind": "complaint",
        "urgency": "normal",
        "caller_name": "赵六",
        "caller_phone": "13700001111",
        "region_code": "320102",
        "content": "路灯坏了一周",
        "category_code": "CG04",
        **overrides,
    }
    return client.post("/workbench/hotline/register/", data, follow=True)


def test_an_operator_registers_and_another_city_cannot_see_it(desks):
    answer = register(login("nj_operator"))
    order = WorkOrder.objects.get()
    assert f"已登记工单 {order.order_no}" in answer.content.decode()
    assert "137****1111" in answer.content.decode()
    assert "13700001111" not in answer.content.decode()
    assert login("gz_operator").get(f"/workbench/hotline/{order.order_no}/").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"content": ""}, "诉求内容不能为空"),
        ({"caller_phone": "123"}, "联系电话无效"),
        ({"region_code": "999999"}, "不在区划库中"),
        ({"region_code": "360702"}, "不在您的受理范围"),
    ],
)
def test_bad_registrations_are_explained_and_nothing_saved(desks, overrides, message):
    answer = register(login("nj_operator"), **overrides)
    assert answer.status_code == 200 and message in answer.content.decode()
    assert not WorkOrder.objects.exists()


def test_a_stale_form_is_refused_with_a_message(desks):
    register(login("nj_operator"))
    order = WorkOrder.objects.get()
    dispatcher = login("nj_dispatcher")
    answer = dispatcher.post(
        f"/workbench/hotline/{order.order_no}/act/dispatch/",
        {
            "version": "99",
            "department_id": str(_department("320100", "城管").pk),
            "category_code": "CG04",
        },
        follow=True,
    )
    assert "已被他人处理" in answer.content.decode()


def test_a_citizen_or_clerk_has_no_desk(desks):
    assert login("nj_clerk").get("/workbench/hotline/").status_code == 404


def test_the_stats_page_shows_the_departments(desks):
    register(login("nj_operator"))
    answer = login("nj_supervisor").get("/workbench/hotline/stats/")
    assert answer.status_code == 200 and "各承办单位" in answer.content.decode()
