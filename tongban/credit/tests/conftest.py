"""Lists of 南京市 with their measures, and entities with valid credit codes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tongban.core.identifiers import generate_credit_code
from tongban.credit.models import CreditList, ListKind, ListMeasure, Measure, RecordSource
from tongban.org.demo import demo_org_load
from tongban.org.models import Department

# Mon 2 Nov 2026, 10:00 in Shanghai.
T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 2)


def entity_code(n: int) -> str:
    """A valid 统一社会信用代码 of a company registered in 南京市 (320100)."""
    return generate_credit_code(f"91320100MA{n:06d}")


@dataclass
class Creditworld:
    market: Department  # 南京市市场监督管理局
    other: Department  # 赣州市市场监督管理局
    black: CreditList
    commitment_black: CreditList
    red: CreditList


def make_lists(*, load_org: bool = True) -> Creditworld:
    if load_org:
        demo_org_load()
    market = Department.objects.get(name="南京市市场监督管理局")
    other = Department.objects.get(name="赣州市市场监督管理局")
    black = CreditList.objects.create(
        code="serious-dishonest",
        name="严重违法失信名单",
        kind=ListKind.BLACK,
        department=market,
        legal_basis="《市场监督管理严重违法失信名单管理办法》第二条",
        way_out="整改到位满一年后可向列入部门申请信用修复（信用修复），经审核通过后移出名单。",
    )
    for measure, text in (
        (Measure.COMMITMENT_INTAKE, "不适用告知承诺制审批"),
        (Measure.TOLERANCE_INTAKE, "不适用容缺受理"),
        (Measure.BIDDING, "限制参与政府采购和招标投标"),
    ):
        ListMeasure.objects.create(credit_list=black, measure=measure, description=text)
    commitment_black = CreditList.objects.create(
        code="commitment-breach",
        name="告知承诺失信名单",
        kind=ListKind.BLACK,
        department=market,
        legal_basis="《国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见》",
        way_out="纠正失信行为并申请信用修复，经列入部门审核通过后移出名单。",
        auto_source=RecordSource.COMMITMENT_BREACH,
        auto_min_severity="serious",
    )
    ListMeasure.objects.create(
        credit_list=commitment_black,
        measure=Measure.COMMITMENT_INTAKE,
        description="不适用告知承诺制审批",
    )
    red = CreditList.objects.create(
        code="a-taxpayer",
        name="纳税信用A级纳税人",
        kind=ListKind.RED,
        department=market,
        legal_basis="《纳税信用管理办法》",
        way_out="有效期届满自动移出。",
    )
    ListMeasure.objects.create(
        credit_list=red, measure=Measure.GREEN_CHANNEL, description="办事绿色通道优先办理"
    )
    return Creditworld(market, other, black, commitment_black, red)


@pytest.fixture
def world(db) -> Creditworld:
    return make_lists()
