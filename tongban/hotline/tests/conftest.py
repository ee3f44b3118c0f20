"""The demo organisation of 南京市 with its 12345 staff, the category tree and the
routing rules, seeded once per module (each test in its own savepoint)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.db import rolled_back
from tests.support.hotline import hotline_world
from tongban.hotline import routing
from tongban.hotline.demo import _department
from tongban.hotline.demo.heldout import HELDOUT
from tongban.hotline.models import RoutingModel
from tongban.hotline.services.intake import OrderInput
from tongban.identity.models import User

# Mon 2 Nov 2026, 10:00 in Shanghai.
T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)


@dataclass
class World:
    operator: User
    dispatcher: User
    handler: User
    supervisor: User
    gz_operator: User
    hrss_id: int
    market_id: int

    def at(self, days: float = 0, hours: float = 0) -> dt.datetime:
        return T0 + dt.timedelta(days=days, hours=hours)


def order_input(**overrides: Any) -> OrderInput:
    values: dict[str, Any] = {
        "channel": "phone",
        "kind": "complaint",
        "content": "公司三个月没给我交社保了，工资里扣了钱但社保断缴",
        "region_code": "320102",
        "caller_name": "张三",
        "caller_phone": "13800138000",
        "address": "玄武区中山路1号",
        "category_code": "SB01",
    }
    values.update(overrides)
    return OrderInput(**values)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    try:
        with rolled_back(django_db_blocker):
            yield _seed()
    finally:
        routing.clear_cache()


@pytest.fixture(autouse=True)
def _db_for_every_test(db: Any) -> None:
    routing.clear_cache()


def _seed() -> World:
    hotline_world()
    model = routing.NaiveBayes.train(
        (routing.text_features(text), code) for text, code in HELDOUT[::2]
    )
    RoutingModel.objects.create(trained_at=T0, samples=101, data=model.as_data())
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[
                "nj_operator",
                "nj_dispatcher",
                "nj_handler",
                "nj_supervisor",
                "gz_operator",
            ]
        )
    }
    return World(
        operator=users["nj_operator"],
        dispatcher=users["nj_dispatcher"],
        handler=users["nj_handler"],
        supervisor=users["nj_supervisor"],
        gz_operator=users["gz_operator"],
        hrss_id=_department("320100", "人社").pk,
        market_id=_department("320100", "市监").pk,
    )
