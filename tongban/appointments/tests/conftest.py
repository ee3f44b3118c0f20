"""A hall of 南京市 with two themes, hours, slot rules, a clerk and two citizens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.db import rolled_back
from tongban.appointments.models import DayKind, Theme
from tongban.appointments.services import opening_hours_set, slot_rule_add, theme_save
from tongban.identity.models import User
from tongban.identity.services import citizen_signup, staff_account_create
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, Hall, Role, Window
from tongban.org.services import staff_assign

# Mon 28 Sep 2026, 10:00 in Shanghai: 国庆 (1–7 Oct) and the 调休 Saturday 10 Oct ahead.
T0 = dt.datetime(2026, 9, 28, 2, 0, tzinfo=dt.UTC)
NINE = dt.time(9, 0)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware moment in Shanghai."""
    from tongban.core.clock import SHANGHAI

    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


@dataclass
class Hallworld:
    hall: Hall
    business: Theme  # A: 企业开办 at A01, A02 and B01
    police: Theme  # C: 公安 at C01
    a01: Window
    c01: Window
    clerk: User
    other_clerk: User  # 赣州: not this hall
    citizen: User
    other_citizen: User


def _user_for(name: str, id_number: str, phone: str, username: str) -> User:
    return citizen_signup(
        phone=phone, password="Pw-12345678", name=name, id_number=id_number, username=username
    )


def _seed() -> Hallworld:
    demo_org_load()
    nanjing = Department.objects.get(name="南京市市场监督管理局")
    ganzhou = Department.objects.get(name="赣州市市场监督管理局")
    hall = Hall.objects.get(name="南京市政务服务中心")
    windows = {w.number: w for w in hall.windows.all()}
    opening_hours_set(
        hall=hall,
        day_kind=DayKind.WORKING,
        periods=[(dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(17))],
    )
    opening_hours_set(hall=hall, day_kind=DayKind.REST, periods=[(dt.time(9), dt.time(12))])
    business = theme_save(
        hall=hall,
        code="business",
        name="企业开办",
        prefix="A",
        windows=[windows["A01"], windows["A02"], windows["B01"]],
        minutes_per_ticket=15,
    )
    police = theme_save(hall=hall, code="police", name="公安", prefix="C", windows=[windows["C01"]])
    slot_rule_add(
        theme=business, start=NINE, end=dt.time(12), minutes=30, capacity=2,
        valid_from=dt.date(2026, 9, 1),
    )  # fmt: skip
    slot_rule_add(
        theme=business, start=NINE, end=dt.time(10), minutes=60, capacity=1,
        day_kind=DayKind.REST, valid_from=dt.date(2026, 9, 1),
    )  # fmt: skip
    clerk = staff_account_create(username="clerk", display_name="王芳", password="Pw-12345678")
    staff_assign(user_id=clerk.pk, role=Role.WINDOW_CLERK, department=nanjing,
                 region_scope=nanjing.region)  # fmt: skip
    other = staff_account_create(username="gz_clerk", display_name="刘强", password="Pw-12345678")
    staff_assign(user_id=other.pk, role=Role.WINDOW_CLERK, department=ganzhou,
                 region_scope=ganzhou.region)  # fmt: skip
    return Hallworld(
        hall=hall,
        business=business,
        police=police,
        a01=windows["A01"],
        c01=windows["C01"],
        clerk=clerk,
        other_clerk=other,
        citizen=_user_for("张伟", "11010519491231002X", "13800000001", "zhangwei"),
        other_citizen=_user_for("李娜", "320102198503120012", "13900000002", "lina"),
    )


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with rolled_back(django_db_blocker):
        yield _seed()


@pytest.fixture(autouse=True)
def _db_for_every_test(db: Any) -> None:
    """Every test runs in its own savepoint (rolled back after it)."""
