"""首问责任 page: the record form offers every hall in the clerk's scope, paged, with the
items done at the halls of the page (not only the first three halls')."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tongban.appointments.models import ServicePointItem
from tongban.appointments.tests.conftest import _db_for_every_test, at, world  # noqa: F401
from tongban.catalog.services import basic_item_create, guide_load_published
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.core import clock
from tongban.org.models import Department, Hall
from tongban.workbench import standard_views


@pytest.fixture
def now(monkeypatch):
    moment = {"now": at(dt.date(2026, 9, 28), 10)}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    return moment


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_first_question_form_offers_every_hall_in_scope_paged_with_their_items(
    world,  # noqa: F811
    now,
    monkeypatch,
):
    # Township points under 江宁 make more than three halls in the clerk's 南京.
    jiangning = Hall.objects.get(name="南京市江宁区政务服务中心").region
    for n in range(3):
        Hall.objects.create(name=f"江宁区第{n + 1}便民服务中心", level="township", region=jiangning)
    halls = list(Hall.objects.filter(region__path__startswith="/320000/320100/").order_by(
        "region_id", "name"
    ))  # fmt: skip
    assert len(halls) == 6
    last = halls[-1]
    basic = basic_item_create(
        code="010000000777", name="户外广告设置许可", item_type="01",
        legal_basis="《城市市容和环境卫生管理条例》", levels="234",
    )  # fmt: skip
    item = guide_load_published(
        basic_item=basic,
        department=Department.objects.get(name="南京市市场监督管理局"),
        content=valid_guide(name="户外广告设置许可"),
    )
    ServicePointItem.objects.create(hall=last, service_item=item)
    option = f'<option value="{last.pk}">{last.name}</option>'
    clerk = logged_in(world.clerk)
    page = clerk.get("/workbench/first-questions/")
    assert option in page.text and "户外广告设置许可" in page.text
    # Paged: two halls a page; the last page holds the last hall and its item.
    monkeypatch.setattr(standard_views, "HALLS_PER_PAGE", 2)
    first = clerk.get("/workbench/first-questions/")
    assert option not in first.text and "下一页大厅" in first.text
    pages = first.context["hall_page"].paginator.num_pages
    end = clerk.get("/workbench/first-questions/", {"page": pages})
    assert option in end.text and "户外广告设置许可" in end.text
    assert "上一页大厅" in end.text
    assert "只列出按名称排在前面的" not in end.text
    # More windows or items than a select can offer: the form says the list is cut.
    monkeypatch.setattr(standard_views, "MAX_CHOICES", 0)  # the last page has one item
    cut = clerk.get("/workbench/first-questions/", {"page": pages})
    assert "只列出按名称排在前面的" in cut.text
    assert cut.context["items"] == [] and cut.context["windows"] == []
