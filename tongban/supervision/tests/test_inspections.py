"""双随机、一公开 (R-CR-2): from the plan through the draw to published results."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from tongban.core.draws import draw_document, draw_verify, snapshot_bytes, snapshot_name
from tongban.core.errors import DomainError
from tongban.core.models import DrawRecord
from tongban.credit.models import CreditRating, CreditRecord
from tongban.credit.tests.conftest import entity_code
from tongban.identity.services import staff_account_create
from tongban.org.demo import demo_org_load
from tongban.org.models import Department
from tongban.sharing.models import BusinessRecord
from tongban.supervision.inspection_models import InspectionTask, PlanStatus
from tongban.supervision.inspection_runs import (
    plan_draw,
    results_publish,
    results_publish_due,
    task_inspector_replace,
    task_result_enter,
)
from tongban.supervision.inspections import (
    inspection_item_add,
    inspector_add,
    inspector_conflict_declare,
    plan_create,
    plan_open,
    scope_candidates,
)

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)


def _entities(n: int, *, classes: dict[int, str]) -> list[str]:
    codes = []
    for i in range(n):
        code = entity_code(100 + i)
        BusinessRecord.objects.create(
            credit_code=code, name=f"南京第{i}食品店", kind="有限责任公司",
            status="in_business", legal_representative_name="某某",
            established_on=dt.date(2020, 1, 1), registered_capital=Decimal("10"),
            business_scope="食品销售；日用百货", address="南京市", region_code="320105",
            registration_authority="南京市市场监督管理局",
        )  # fmt: skip
        if i in classes:
            CreditRating.objects.create(
                subject_kind="entity", subject_code=code, subject_name=f"南京第{i}食品店",
                credit_class=classes[i], score=40, rule_version="2026.1", computed_at=T0,
            )  # fmt: skip
        codes.append(code)
    return codes


@pytest.fixture
def setup():
    demo_org_load()
    market = Department.objects.get(name="南京市市场监督管理局")
    health = Department.objects.get(name="南京市卫生健康委员会")
    food = inspection_item_add(
        department=market, code="food-sale", name="食品销售者检查",
        legal_basis="《食品安全法》第一百一十条", qualification="食品安全",
    )  # fmt: skip
    hygiene = inspection_item_add(
        department=health, code="hygiene", name="公共场所卫生检查",
        legal_basis="《公共场所卫生管理条例》", qualification="卫生监督",
    )  # fmt: skip
    inspectors = [
        inspector_add(department=market, name=f"市场{i}", certificate_no=f"SC{i:03d}",
                      qualifications=["食品安全"],
                      user=staff_account_create(username=f"sc{i}", display_name=f"市场{i}",
                                                password="Pw-12345678"))
        for i in range(4)
    ] + [
        inspector_add(department=health, name=f"卫健{i}", certificate_no=f"WJ{i:03d}",
                      qualifications=["卫生监督"])
        for i in range(3)
    ]  # fmt: skip
    # Not qualified for any item of the plan: never drawn.
    inspector_add(
        department=market, name="特检", certificate_no="TJ001", qualifications=["特种设备"]
    )
    return market, health, [food, hygiene], inspectors


def _plan(market, depts, items, **kw):
    args = {
        "title": "2026 年第四季度食品销售联合抽查", "lead_department": market,
        "departments": depts, "items": items, "scope_region": "320100",
        "scope_industry": "食品", "starts_on": dt.date(2026, 11, 2),
        "ends_on": dt.date(2026, 12, 31), "rates": {"A": 100, "B": 100, "C": 500, "D": 1000},
        "actor": None, "now": T0,
    } | kw  # fmt: skip
    return plan_create(**args)


def test_a_joint_plan_runs_from_draw_to_published_results_and_the_draw_verifies(setup):
    market, health, items, inspectors = setup
    codes = _entities(30, classes={0: "D", 1: "D", 2: "C", 3: "C"})
    inspector_conflict_declare(inspector=inspectors[0], subject_code=codes[0], reason="近亲属任职")
    plan = _plan(market, [health], items)
    plan = plan_open(plan=plan, actor=None, now=T0)
    assert plan.entity_draw is not None and plan.inspector_draw is not None
    assert plan.status == PlanStatus.OPEN and len(plan.entity_draw.commitment) == 64
    assert plan.entity_draw.seed == ""  # not revealed before the draw
    plan = plan_draw(plan=plan, actor=None, now=T0)
    tasks = list(InspectionTask.objects.filter(plan=plan).prefetch_related("inspectors"))
    drawn = {t.subject_code: t for t in tasks}
    # D drawn at 1000 ‰: both; C at 500 ‰: 1 of 2; A at 100 ‰ of 26: 3.
    assert {codes[0], codes[1]} <= set(drawn)
    assert sorted(t.stratum for t in tasks) == ["A", "A", "A", "C", "D", "D"]
    for task in tasks:
        people = list(task.inspectors.all())
        assert len(people) == 2 and {p.department_id for p in people} == {market.pk, health.pk}
        assert "TJ001" not in {p.certificate_no for p in people}
    assert inspectors[0] not in drawn[codes[0]].inspectors.all()  # 回避
    # The draws verify from what is published.
    for record in (plan.entity_draw, plan.inspector_draw):
        assert record is not None
        record.refresh_from_db()
        assert draw_verify(draw_document(record))
    # Results by an inspector of the task; a problem feeds credit.
    task = next(t for t in tasks if t.inspectors.filter(user__isnull=False).exists())
    inspector = task.inspectors.filter(user__isnull=False).first()
    assert inspector is not None
    task_result_enter(
        task_id=task.pk, user=inspector.user, result="rectify", note="标签不规范", now=T0
    )
    task.refresh_from_db()
    assert task.publish_due_on == dt.date(2026, 11, 30)  # Mon 2 Nov + 20 working days
    assert CreditRecord.objects.get(subject_code=task.subject_code).source == "inspection"
    with pytest.raises(DomainError) as twice:
        task_result_enter(task_id=task.pk, user=inspector.user, result="compliant", note="x")
    assert twice.value.code == "inspection_result_entered"
    assert results_publish(plan=plan, actor=None, now=T0) == 1
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAWN  # the other tasks have no result yet
    # The sweep publishes nothing early, then everything due.
    assert results_publish_due(now=T0) == 0


def test_a_draw_with_an_empty_pool_is_refused_and_nothing_changes(setup):
    market, _health, items, inspectors = setup
    _entities(3, classes={})
    plan = _plan(market, [], items[:1])
    plan_open(plan=plan, actor=None, now=T0)
    for inspector in inspectors:
        inspector.active = False
        inspector.save()
    with pytest.raises(DomainError) as refused:
        plan_draw(plan=plan, actor=None, now=T0)
    assert refused.value.code == "inspection_pool_empty"
    plan.refresh_from_db()
    assert plan.status == PlanStatus.OPEN and not InspectionTask.objects.exists()
    assert DrawRecord.objects.filter(state="open").count() == 2


def test_an_empty_scope_and_a_bad_plan_are_refused(setup):
    market, _health, items, _inspectors = setup
    plan = plan_open(plan=_plan(market, [], items[:1]), actor=None, now=T0)
    with pytest.raises(DomainError) as empty:
        plan_draw(plan=plan, actor=None, now=T0)
    assert empty.value.code == "inspection_scope_empty"
    with pytest.raises(DomainError) as bad:
        _plan(market, [], items, rates={"A": 0})
    assert bad.value.code == "inspection_plan_invalid"
    assert "不属于参与部门" in bad.value.detail and "千分比" in bad.value.detail


def test_an_inspector_with_a_conflict_is_refused_and_nobody_free_stops_the_draw(setup):
    market, _health, items, inspectors = setup
    (code,) = _entities(1, classes={})
    plan = plan_draw(plan=plan_open(plan=_plan(market, [], items[:1]), actor=None, now=T0),
                     actor=None, now=T0)  # fmt: skip
    task = InspectionTask.objects.get(plan=plan)
    on_task = list(task.inspectors.all())
    free = next(i for i in inspectors[:4] if i not in on_task)
    inspector_conflict_declare(inspector=free, subject_code=code, reason="曾在该企业任职")
    with pytest.raises(DomainError) as refused:
        task_inspector_replace(task=task, remove=on_task[0], add=free, actor=None)
    assert refused.value.code == "inspector_conflict"
    assert set(task.inspectors.all()) == set(on_task)
    # Everyone of the department in conflict: the draw cannot staff the entity.
    for inspector in inspectors[:4]:
        inspector_conflict_declare(inspector=inspector, subject_code=code, reason="利害关系")
    second = plan_open(plan=_plan(market, [], items[:1], title="第二次"), actor=None, now=T0)
    with pytest.raises(DomainError) as short:
        plan_draw(plan=second, actor=None, now=T0)
    assert short.value.code == "inspection_pool_insufficient"


def test_a_draw_refused_for_回避_after_its_list_is_written_leaves_no_snapshot_file(setup):
    market, _health, items, inspectors = setup
    (code,) = _entities(1, classes={0: "D"})
    for inspector in inspectors[:4]:  # the whole market pool
        inspector_conflict_declare(inspector=inspector, subject_code=code, reason="利害关系")
    plan = plan_open(plan=_plan(market, [], items[:1]), actor=None, now=T0)
    name = snapshot_name(hashlib.sha256(snapshot_bytes({"D": [code]})).hexdigest())
    with pytest.raises(DomainError) as short:
        plan_draw(plan=plan, actor=None, now=T0)
    assert short.value.code == "inspection_pool_insufficient"
    assert not default_storage.exists(name)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.OPEN and not InspectionTask.objects.exists()
    assert DrawRecord.objects.filter(state="open").count() == 2


def test_the_scope_reads_each_class_whole_and_a_code_with_a_line_break_is_refused(setup):
    market, _health, items, _inspectors = setup
    codes = _entities(12, classes={0: "B", 1: "C", 2: "D", 3: "A", 4: "D"})
    plan = plan_open(plan=_plan(market, [], items[:1]), actor=None, now=T0)
    assert {cls: sorted(m) for cls, m in scope_candidates(plan).items()} == {
        "A": sorted(codes[3:4] + codes[5:]), "B": [codes[0]], "C": [codes[1]],
        "D": sorted([codes[2], codes[4]]),
    }  # fmt: skip
    BusinessRecord.objects.filter(credit_code=codes[6]).update(credit_code="913201\n00MA000001")
    assert "913201\n00MA000001" in scope_candidates(plan)["A"]  # not split into two codes
    with pytest.raises(DomainError) as refused:
        plan_draw(plan=plan, actor=None, now=T0)
    assert refused.value.code == "draw_invalid" and "line break" in refused.value.detail
