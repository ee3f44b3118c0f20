"""The demo credit lists and the drawn demo plan load twice without change."""

from __future__ import annotations

import pytest

from tests.support.accounts import demo_people_load
from tongban.core.identifiers import generate_credit_code
from tongban.credit import selectors
from tongban.credit.demo import demo_credit_load
from tongban.org.demo import demo_org_load
from tongban.sharing.demo import demo_sharing_load
from tongban.supervision.inspection_demo import demo_inspections_load
from tongban.supervision.inspection_models import InspectionTask, PlanStatus
from tongban.supervision.models import InspectionPlan

pytestmark = pytest.mark.django_db


def test_the_demo_loads_twice_and_bars_biz2_from_commitment():
    demo_org_load()
    demo_people_load()
    demo_sharing_load()
    first = demo_credit_load()
    assert demo_credit_load()["new"] == 0 and first["lists"] == 3
    shop = generate_credit_code("9132010470000002")  # 南京秦淮味道餐饮管理有限公司
    (restriction,) = selectors.restrictions(shop, measure="commitment_intake")
    assert "信用修复" in restriction.way_out
    demo_inspections_load()
    demo_inspections_load()
    plan = InspectionPlan.objects.get()
    assert plan.status == PlanStatus.DRAWN and InspectionTask.objects.filter(plan=plan).exists()
