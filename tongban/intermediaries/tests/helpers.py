"""Small steps shared by the marketplace tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tongban.intermediaries.models import Purchase
from tongban.intermediaries.services import purchase_publish
from tongban.intermediaries.tests.conftest import CLOSES, T0


def publish(
    world: Any, *, method: str = "random", now: dt.datetime = T0, **overrides: Any
) -> Purchase:
    fields: dict[str, Any] = {
        "title": "新港物流园项目环境影响评价",
        "service_type_code": "eia",
        "region_code": "320100",
        "budget_fen": 15_000_000,
        "service_days": 20,
        "method": method,
        "description": "编制环境影响报告书并配合评审。",
        "signup_closes_at": CLOSES,
        "buyer_entity": world.buyer_entity,
        "project_code": "2411-130202-89-01-637015",
        "qualification": "环评甲级",
        "actor": world.buyer,
        "now": now,
    }
    fields.update(overrides)
    return purchase_publish(**fields)
