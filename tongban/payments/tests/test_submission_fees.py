"""Fees charged at submission (收费环节), and cases decided at once (告知承诺):
their orders come from the cases' events, through the outbox. 即办件: see
test_instant_fees."""

from __future__ import annotations

import pytest

from tongban.cases import services as cases
from tongban.cases.models import CaseStatus, MaterialKind
from tongban.cases.services.intake import MaterialInput
from tongban.catalog.services import basic_item_create, guide_load_published
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.core.errors import DomainError
from tongban.payments.models import PaymentOrder
from tongban.payments.providers.simulated import sim_deliver_due, sim_pay
from tongban.payments.services import fee_rule_save, order_start
from tongban.payments.subscribers import on_case_submit
from tongban.payments.tests.conftest import BASIS, FEES, FORM, PDF, form

FEE = [{"name": "检测费", "standard": "每件 150 元", "basis": BASIS}]
UPLOADS = [
    MaterialInput(code="application", kind=MaterialKind.UPLOAD, content=PDF),
    MaterialInput(code="layout", kind=MaterialKind.UPLOAD, content=PDF),
]


def _item(world, code: str, name: str, **guide):
    basic = basic_item_create(
        code=code, name=name, item_type=code[:2], legal_basis="《中华人民共和国行政许可法》",
        levels="234",
    )  # fmt: skip
    content = valid_guide(name=name, free=False, fees=FEE, form=FORM, **guide)
    return guide_load_published(basic_item=basic, department=world.item.department, content=content)


def _submit(world, item, *, at_hour: int = 0, **extra):
    return cases.case_submit(
        service_item=item, channel="online", applicant_person=world.person, form_data=form(),
        submitted_by=world.citizen, now=world.at(hours=at_hour), **extra,
    )  # fmt: skip


def _pay(world, order: PaymentOrder, at_hour: int) -> None:
    order, _ = order_start(
        order_id=order.pk, provider="sim", actor=world.citizen, now=world.at(hours=at_hour)
    )
    sim_pay(txn_id=order.provider_txn, now=world.at(hours=at_hour, minutes=1))
    sim_deliver_due(now=world.at(hours=at_hour, minutes=1))


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the outbox subscribers as the task worker would, after commit."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def test_a_fee_due_before_acceptance_is_issued_on_submission_and_holds_the_acceptance(
    world, on_commit
):
    item = _item(world, "010000000201", "检测类许可")
    fee_rule_save(
        service_item=item, fee_name="检测费", basis=BASIS, rule="fixed", amount_fen=15000,
        stage="submission", pay_before="acceptance",
    )  # fmt: skip
    with on_commit():
        case = _submit(world, item, materials=UPLOADS)
    # Right after submitting: the amount, the basis and the deadline.
    order = PaymentOrder.objects.get(case=case)
    assert order.source_key == f"case:{case.case_no}:submission"
    assert order.amount_fen == 15000 and order.lines[0]["basis"] == BASIS
    assert order.pay_before == "acceptance" and order.payer_user == world.citizen
    assert order.due_on.isoformat() == "2026-11-23"  # Mon 2 Nov + 15 working days
    case.refresh_from_db()
    assert case.fees_unpaid_fen == 15000
    assert case.events.filter(action="fees").count() == 1
    # The clerk cannot accept while it is unpaid; nothing of the attempt is kept.
    with pytest.raises(DomainError) as exc:
        cases.case_accept(case_id=case.pk, actor=world.clerk, now=world.at(hours=1))
    assert exc.value.code == "payment_fees_due_before_acceptance"
    assert exc.value.extra["fees_unpaid_fen"] == 15000 and "检测费" in exc.value.detail
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert PaymentOrder.objects.filter(case=case).count() == 1
    # Paid: accepted, with nothing more owed.
    _pay(world, order, 2)
    accepted = cases.case_accept(case_id=case.pk, actor=world.clerk, now=world.at(hours=3))
    assert accepted.status == CaseStatus.ACCEPTED and accepted.fees_unpaid_fen == 0
    # A repeated submit event changes nothing.
    on_case_submit(event_id=None, payload={"case_no": case.case_no})
    assert PaymentOrder.objects.filter(case=case).count() == 1


def test_a_submission_fee_due_before_delivery_lets_the_case_be_accepted(world, on_commit):
    item = _item(world, "010000000202", "检测类许可二")
    fee_rule_save(
        service_item=item, fee_name="检测费", basis=BASIS, rule="fixed", amount_fen=15000,
        stage="submission",
    )  # fmt: skip
    with on_commit():
        case = _submit(world, item, materials=UPLOADS)
    assert PaymentOrder.objects.get(case=case).pay_before == "delivery"
    with on_commit():
        case = cases.case_accept(case_id=case.pk, actor=world.clerk, now=world.at(hours=1))
    assert case.status == CaseStatus.ACCEPTED and case.fees_unpaid_fen == 15000


def test_deemed_acceptance_is_not_held_by_an_unpaid_fee(world, on_commit):
    item = _item(world, "010000000203", "检测类许可三")
    fee_rule_save(
        service_item=item, fee_name="检测费", basis=BASIS, rule="fixed", amount_fen=15000,
        stage="submission", pay_before="acceptance",
    )  # fmt: skip
    with on_commit():
        case = _submit(world, item, materials=UPLOADS)
    # 第三十二条: five working days of silence are acceptance, whatever is unpaid.
    # Mon 2 Nov 2026 + 5 working days → Mon 9 Nov; on Tue 10 Nov it is deemed.
    deemed = cases.case_deem_accept(case_id=case.pk, now=world.at(days=8))
    assert deemed.status == CaseStatus.ACCEPTED and deemed.fees_unpaid_fen == 15000


def test_a_fee_due_before_acceptance_must_be_charged_at_submission(world):
    item = _item(world, "010000000204", "检测类许可四")
    with pytest.raises(DomainError) as exc:
        fee_rule_save(
            service_item=item, fee_name="检测费", basis=BASIS, rule="fixed", amount_fen=15000,
            stage="acceptance", pay_before="acceptance",
        )  # fmt: skip
    assert exc.value.code == "payment_fee_rule_invalid"
    with pytest.raises(DomainError) as exc:
        fee_rule_save(
            service_item=item, fee_name="检测费", basis=BASIS, rule="fixed", amount_fen=15000,
            stage="submission", pay_before="never",
        )  # fmt: skip
    assert exc.value.code == "payment_fee_rule_invalid"


def test_a_case_withdrawn_before_the_worker_comes_is_not_charged(world):
    item = _item(world, "010000000205", "检测类许可五")
    fee_rule_save(
        service_item=item, fee_name="检测费", basis=BASIS, rule="fixed", amount_fen=15000,
        stage="submission",
    )  # fmt: skip
    case = _submit(world, item, materials=UPLOADS)  # the outbox has not run
    cases.case_withdraw(
        case_id=case.pk, actor=world.citizen, reason="不办了", now=world.at(hours=1)
    )
    on_case_submit(event_id=None, payload={"case_no": case.case_no})
    assert not PaymentOrder.objects.filter(case=case).exists()


def test_a_case_granted_on_commitment_is_charged_and_waits_for_payment_to_be_delivered(
    world, on_commit
):
    item = _item(
        world, "010000000208", "告知承诺许可", modes=["one_visit", "commitment"],
        commitment_text="本人承诺所填信息真实，符合许可条件。",
    )  # fmt: skip
    fee_rule_save(service_item=item, fee_name="检测费", basis=BASIS, rule="fixed", amount_fen=3000)
    case = _submit(world, item, commitment=True, materials=[])
    with on_commit():
        case = cases.case_grant_on_commitment(
            case_id=case.pk, actor=world.clerk, legal_basis="《食品安全法》", now=world.at(hours=1)
        )
    order = PaymentOrder.objects.get(case=case)
    assert order.amount_fen == 3000
    with pytest.raises(DomainError) as exc:
        cases.case_deliver(
            case_id=case.pk, actor=world.clerk, method="window", now=world.at(hours=2)
        )
    assert exc.value.code == "case_fees_unpaid"
    _pay(world, order, 3)
    delivered = cases.case_deliver(
        case_id=case.pk, actor=world.clerk, method="window", now=world.at(hours=4)
    )
    assert delivered.status == CaseStatus.DELIVERED


def test_a_grant_on_commitment_owes_its_fees_before_the_worker_comes(world):
    """The order is made in the grant's own transaction: a delivery right after
    the grant, before any outbox task has run, is held for the fee."""
    item = _item(
        world, "010000000209", "告知承诺许可乙", modes=["one_visit", "commitment"],
        commitment_text="本人承诺所填信息真实，符合许可条件。",
    )  # fmt: skip
    fee_rule_save(service_item=item, fee_name="检测费", basis=BASIS, rule="fixed", amount_fen=3000)
    case = _submit(world, item, commitment=True, materials=[])
    case = cases.case_grant_on_commitment(
        case_id=case.pk, actor=world.clerk, legal_basis="《食品安全法》", now=world.at(hours=1)
    )  # no on_commit(): the subscribers have not run
    assert case.fees_unpaid_fen == 3000
    order = PaymentOrder.objects.get(case=case)
    assert order.amount_fen == 3000
    with pytest.raises(DomainError) as exc:
        cases.case_deliver(
            case_id=case.pk, actor=world.clerk, method="window", now=world.at(hours=1, minutes=5)
        )
    assert exc.value.code == "case_fees_unpaid"
    case.refresh_from_db()
    assert case.status != CaseStatus.DELIVERED


def test_the_fees_of_the_original_world_still_come_at_acceptance(world, on_commit):
    """The FEES of the module's item are acceptance-stage: submitting issues nothing."""
    assert {f["name"] for f in FEES} >= {"证书工本费"}
    with on_commit():
        case = _submit(world, world.item, materials=UPLOADS)
    assert not PaymentOrder.objects.filter(case=case).exists()
