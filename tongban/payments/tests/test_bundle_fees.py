"""一件事 applications are charged: each member case's fees are computed on its
own case and issued by its own department (执收单位), the application shows one
total, and the combined result is not handed out while a fee is unpaid."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.db import rolled_back
from tongban.bundles.models import ApplicationStatus
from tongban.bundles.services.delivery import bundle_application_deliver
from tongban.bundles.tests.conftest import seed
from tongban.bundles.tests.flows import cases_by_key, run_through, submit
from tongban.bundles.tests.test_flows import _supplement
from tongban.catalog.models import GuideVersion
from tongban.core.errors import DomainError
from tongban.org.models import Department
from tongban.payments.models import OrderStatus, PaymentOrder
from tongban.payments.providers.simulated import sim_deliver_due, sim_pay
from tongban.payments.selectors import bundle_fees_for_application
from tongban.payments.services import fee_rule_save, order_start
from tongban.payments.templatetags.payments_tags import bundle_fees

BASIS = "《江苏省行政事业性收费项目目录》苏财综〔2020〕1号"


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with rolled_back(django_db_blocker):
        yield seed()


@pytest.fixture(autouse=True)
def _db_for_every_test(db: Any) -> None:
    """Every test runs in its own savepoint."""


def _charge(item: Any, name: str, fen: int) -> None:
    """The member item's guide lists a fee (收费项目) and the rule that computes it."""
    version = item.current_version
    fee = {"name": name, "standard": f"每件 {fen // 100} 元", "basis": BASIS}
    content = {**version.content, "free": False, "fees": [fee]}
    GuideVersion.objects.filter(pk=version.pk).update(content=content)
    item.current_version.content = content
    fee_rule_save(service_item=item, fee_name=name, basis=BASIS, rule="fixed", amount_fen=fen)


def _pay(order: PaymentOrder, world: Any, hours: int) -> None:
    order, _ = order_start(
        order_id=order.pk, provider="sim", actor="applicant", now=world.at(hours=hours)
    )
    sim_pay(txn_id=order.provider_txn, now=world.at(hours=hours))
    sim_deliver_due(now=world.at(hours=hours))


def test_a_bundle_shows_one_total_and_waits_for_every_members_fee(
    world, django_capture_on_commit_callbacks
):
    def events():
        return django_capture_on_commit_callbacks(execute=True)

    with events():
        application = submit(world, "enterprise-opening")
    members = {m.key: m for m in application.members.select_related("service_item")}
    _charge(members["licence"].service_item, "营业执照副本工本费", 1000)
    _charge(members["seal"].service_item, "印章刻制费", 12000)
    run_through(world, application, world.at(hours=1), events, supplement=_supplement(world))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.READY
    cases = cases_by_key(application)
    licence = PaymentOrder.objects.get(case=cases["licence"])
    seal = PaymentOrder.objects.get(case=cases["seal"])
    # One order per member case, issued by that member's department.
    assert licence.department == cases["licence"].department
    assert seal.department.name == "南京市公安局玄武分局" and seal.amount_fen == 12000
    fees = bundle_fees_for_application(application_no=application.application_no)
    assert fees.total_fen == fees.unpaid_fen == 13000
    assert sorted(d["department"] for d in fees.departments) == sorted(
        [licence.department.name, seal.department.name]
    )
    panel = bundle_fees(application.application_no)["fees"]
    assert panel.unpaid_fen == 13000
    # The seal is a 即办件: decided on the spot, its order came from its event.
    assert seal.source_key == f"case:{cases['seal'].case_no}:acceptance"
    # 窗口统一出件 is refused while a member's fee is unpaid, and nothing moves.
    hall_clerk = world.staff_of(Department.objects.get(name="南京市玄武区市场监督管理局"))
    with pytest.raises(DomainError) as exc, events():
        bundle_application_deliver(
            application=application, actor=hall_clerk, method="window", now=world.at(hours=3)
        )
    assert exc.value.code == "case_fees_unpaid"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.READY
    _pay(licence, world, 4)
    with pytest.raises(DomainError) as exc, events():
        bundle_application_deliver(
            application=application, actor=hall_clerk, method="window", now=world.at(hours=5)
        )
    assert exc.value.code == "case_fees_unpaid"  # the seal's fee is still owed
    assert "公章刻制备案" in exc.value.detail and exc.value.extra["fees_unpaid_fen"] == 12000
    _pay(seal, world, 6)
    fees = bundle_fees_for_application(application_no=application.application_no)
    assert fees.unpaid_fen == 0 and fees.total_fen == 13000
    assert {o.status for d in fees.departments for o in d["orders"]} == {OrderStatus.PAID}
    with events():
        done = bundle_application_deliver(
            application=application, actor=hall_clerk, method="window", now=world.at(hours=7)
        )
    assert done.status == ApplicationStatus.CONCLUDED
