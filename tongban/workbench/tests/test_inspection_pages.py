"""双随机、一公开 pages of the workbench (issue 17): a plan from the form through the
published commitment, the draw with its revealed seed and 回避, the inspector's
result, to the published result; scoped to the lead department's staff."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from tongban.cases.tests.conftest import _staff
from tongban.core import clock
from tongban.core.draws import draw_document, draw_verify
from tongban.credit.tests.conftest import entity_code
from tongban.identity.services import staff_account_create
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, Role
from tongban.sharing.models import BusinessRecord
from tongban.supervision.inspection_models import (
    InspectionItem,
    InspectionPlan,
    InspectionTask,
    InspectorConflict,
    PlanStatus,
)
from tongban.supervision.inspections import inspection_item_add, inspector_add

pytestmark = pytest.mark.django_db
# Mon 2 Nov 2026, 10:00 in Shanghai: 20 working days later is still in a year with calendar data.
T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: T0)


def entities(n: int) -> list[str]:
    codes = []
    for i in range(n):
        code = entity_code(300 + i)
        BusinessRecord.objects.create(
            credit_code=code, name=f"南京第{i}超市", kind="有限责任公司",
            status="in_business", legal_representative_name="某某",
            established_on=dt.date(2020, 1, 1), registered_capital=Decimal("10"),
            business_scope="食品销售；日用百货", address="南京市", region_code="320105",
            registration_authority="南京市市场监督管理局",
        )  # fmt: skip
        codes.append(code)
    return codes


@pytest.fixture
def inspections():
    demo_org_load()
    market = Department.objects.get(name="南京市市场监督管理局")
    head = _staff("market_head", Role.DEPARTMENT_HEAD, market)
    stranger = _staff(
        "ganzhou_head", Role.DEPARTMENT_HEAD, Department.objects.get(name="赣州市市场监督管理局")
    )
    inspection_item_add(
        department=market, code="food-sale", name="食品销售者检查",
        legal_basis="《食品安全法》第一百一十条", qualification="食品安全",
    )  # fmt: skip
    people = [
        inspector_add(
            department=market, name=f"检查员{i}", certificate_no=f"SC{i:03d}",
            qualifications=["食品安全"],
            user=staff_account_create(
                username=f"insp{i}", display_name=f"检查员{i}", password="Pw-12345678"
            ),
        )
        for i in range(3)
    ]  # fmt: skip
    return market, head, stranger, people


def _plan_form(market: Department, item: InspectionItem, **kw: object) -> dict[str, object]:
    today = clock.today()
    return {
        "plan-title": "食品销售随机抽查",
        "plan-lead_department": str(market.pk),
        "plan-items": [str(item.pk)],
        "plan-scope_region": "320100",
        "plan-scope_industry": "食品",
        "plan-scope_classes": ["A", "B", "C", "D"],
        "plan-rate_A": "200", "plan-rate_B": "200", "plan-rate_C": "500", "plan-rate_D": "1000",
        "plan-inspectors_per_task": "2",
        "plan-starts_on": today.isoformat(),
        "plan-ends_on": (today + dt.timedelta(days=30)).isoformat(),
    } | {f"plan-{k}": v for k, v in kw.items()}  # fmt: skip


def test_a_plan_runs_on_the_pages_from_commitment_to_published_result(client, inspections):
    market, head, stranger, people = inspections
    codes = entities(10)
    item = InspectionItem.objects.get(code="food-sale")
    client.force_login(head)
    home = client.get("/workbench/inspections/").content.decode()
    assert "食品销售者检查" in home and "SC000" in home
    bad = client.post("/workbench/inspections/plans/new/", _plan_form(market, item, rate_D="0"))
    assert bad.status_code == 422 and not InspectionPlan.objects.exists()
    made = client.post("/workbench/inspections/plans/new/", _plan_form(market, item))
    plan = InspectionPlan.objects.get()
    assert made.status_code == 302 and plan.status == PlanStatus.DRAFT
    url = f"/workbench/inspections/plans/{plan.pk}/"
    # Drawing before the commitment is published is refused, nothing drawn.
    early = client.post(url, {"action": "draw"})
    assert early.status_code == 422 and not InspectionTask.objects.exists()
    client.post(url, {"action": "open"})
    plan.refresh_from_db()
    assert plan.entity_draw is not None
    page = client.get(url).content.decode()
    assert plan.entity_draw.commitment in page and "data-seed" not in page  # not yet revealed
    # 回避 declared on the inspector's page before the draw.
    inspector = people[0]
    client.force_login(inspector.user)
    client.post(
        "/workbench/inspections/tasks/",
        {"action": "conflict", "c-subject_code": codes[0], "c-reason": "近亲属在该单位任职"},
    )
    assert InspectorConflict.objects.filter(inspector=inspector, subject_code=codes[0]).exists()
    client.force_login(head)
    client.post(url, {"action": "draw"})
    plan.refresh_from_db()
    tasks = list(plan.tasks.prefetch_related("inspectors"))
    assert plan.status == PlanStatus.DRAWN and len(tasks) == 2  # 10 at 200 ‰
    for task in tasks:
        assert not (task.subject_code == codes[0] and inspector in task.inspectors.all())
    plan.entity_draw.refresh_from_db()
    page = client.get(url).content.decode()
    assert plan.entity_draw.seed in page and f"/draws/{plan.entity_draw.public_id}/" in page
    assert draw_verify(draw_document(plan.entity_draw))
    # The other city's head neither sees nor draws the plan.
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "publish"}).status_code == 404
    # An inspector of a task enters the result once; the lead publishes it.
    task = tasks[0]
    worker = task.inspectors.exclude(user__isnull=True).first()
    assert worker is not None
    client.force_login(worker.user)
    mine = client.get("/workbench/inspections/tasks/").content.decode()
    assert task.subject_name in mine
    form = {"action": "result", "task": str(task.pk), f"t{task.pk}-result": "rectify",
            f"t{task.pk}-note": "标签不规范"}  # fmt: skip
    assert client.post("/workbench/inspections/tasks/", form).status_code == 302
    twice = client.post("/workbench/inspections/tasks/", form)
    assert twice.status_code == 422 and "已录入" in twice.content.decode()
    client.force_login(head)
    client.post(url, {"action": "publish"})
    task.refresh_from_db()
    assert task.published_at is not None
    public = client.get(f"/credit/inspections/{plan.pk}/").content.decode()
    assert task.subject_name in public and "责令整改" in public


def test_a_replacement_by_a_conflicted_inspector_is_refused(client, inspections):
    market, head, _, people = inspections
    codes = entities(4)
    item = InspectionItem.objects.get(code="food-sale")
    client.force_login(head)
    client.post(
        "/workbench/inspections/plans/new/",
        _plan_form(market, item, rate_A="1000", inspectors_per_task="1"),
    )
    plan = InspectionPlan.objects.get()
    url = f"/workbench/inspections/plans/{plan.pk}/"
    client.post(url, {"action": "open"})
    client.post(url, {"action": "draw"})
    task = plan.tasks.get(subject_code=codes[0])
    current = task.inspectors.get()
    other = next(p for p in people if p != current)
    InspectorConflict.objects.create(
        inspector=other, subject_code=codes[0], reason="曾在该单位任职", declared_at=clock.now()
    )
    form = {"action": "replace", "s-subject_code": codes[0], "s-remove": current.certificate_no,
            "s-add": other.certificate_no}  # fmt: skip
    refused = client.post(url, form)
    assert refused.status_code == 422 and "回避" in refused.content.decode()
    assert list(task.inspectors.all()) == [current]


def test_staff_without_a_plan_role_are_kept_out(client, inspections):
    market, _, _, _ = inspections
    clerk = _staff("market_clerk", Role.WINDOW_CLERK, market)
    client.force_login(clerk)
    assert client.get("/workbench/inspections/").status_code == 403
    assert client.get("/workbench/inspections/plans/new/").status_code == 403
    assert client.get("/workbench/inspections/tasks/").status_code == 403


def test_the_plans_tasks_are_paged_by_credit_code(client, inspections, monkeypatch):
    from tongban.workbench import inspection_views

    monkeypatch.setattr(inspection_views, "TASKS_SHOWN", 3)
    market, head, _, _ = inspections
    codes = sorted(entities(7))
    item = InspectionItem.objects.get(code="food-sale")
    client.force_login(head)
    client.post(
        "/workbench/inspections/plans/new/",
        _plan_form(market, item, rate_A="1000", inspectors_per_task="1"),
    )
    plan = InspectionPlan.objects.get()
    url = f"/workbench/inspections/plans/{plan.pk}/"
    client.post(url, {"action": "open"})
    client.post(url, {"action": "draw"})
    assert plan.tasks.count() == 7
    seen: list[str] = []
    page = client.get(url).content.decode()
    for _ in range(3):
        seen += [c for c in codes if f'data-task="{c}"' in page]
        if "下一页检查对象" not in page:
            break
        cursor = re.search(r'\?cursor=([^"#]+)#p-tasks">下一页检查对象', page).group(1)  # type: ignore[union-attr]  # asserted above
        page = client.get(f"{url}?cursor={cursor}").content.decode()
        assert "回到第一页" in page
    assert seen == codes  # every task once, in code order, three to a page
    forged = client.get(f"{url}?cursor=not-a-cursor")
    assert forged.status_code == 422 and "分页游标无效" in forged.content.decode()
