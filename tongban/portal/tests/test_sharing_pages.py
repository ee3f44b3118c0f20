"""Portal sharing pages: 公共数据开放 (public) and 谁查询了我的数据 (the subject's own)."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.core import clock
from tongban.sharing.services import sharing_verify
from tongban.sharing.tests.conftest import (
    T0,
    TONGBAN_CO,
    WANG_FANG,
    ZHANG_WEI,
    _db_for_every_test,
    entity,
    person,
    world,
)

__all__ = ["_db_for_every_test", "world"]


@pytest.fixture(autouse=True)
def moment(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: T0)


def browser(user):
    client = Client()
    client.force_login(user)
    return client


def read(world, subject, service="marriage", purpose="办理个体工商户登记"):
    return sharing_verify(
        consumer_department=world.market, staff_user=world.clerk, service=service,
        subject=subject, purpose=purpose, case_no="32010020261102000007", now=T0,
    )  # fmt: skip


def test_open_data_is_public_and_lists_open_resources(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = Client().get("/open-data/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "婚姻登记机关名录" in page and "市场主体登记统计" in page
    assert "人口基础信息" not in page and "个人信用报告" not in page
    assert "婚姻登记机关名录" not in Client().get("/open-data/", {"q": "统计"}).content.decode()


def test_a_citizen_sees_who_read_her_data_and_only_hers(world, django_assert_max_num_queries):
    world.grant("JS-MZ-HY-001", ["marital_status"])
    read(world, person(ZHANG_WEI))
    read(world, person(WANG_FANG), purpose="别人的事")
    client = browser(world.citizen)
    with django_assert_max_num_queries(8):
        response = client.get("/my/data-access/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "南京市市场监督管理局" in page and "婚姻状况核验" in page
    assert "办理个体工商户登记" in page and "32010020261102000007" in page and "婚姻状况" in page
    assert "别人的事" not in page
    assert ZHANG_WEI not in page


def test_a_business_account_sees_its_entitys_log(world):
    read(world, entity(TONGBAN_CO), service="business", purpose="核验营业执照")
    page = browser(world.business).get("/my/data-access/").content.decode()
    assert "核验营业执照" in page and "市场主体登记核验" in page


def test_the_log_page_is_for_data_subjects_only(world):
    response = Client().get("/my/data-access/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert browser(world.clerk).get("/my/data-access/").status_code == 403
    empty = browser(world.citizen).get("/my/data-access/").content.decode()
    assert "还没有部门查询过您的数据" in empty
