"""Purchases: publish (no designated agency), invite, sign up, select, publicize, contract,
deliver, rate; every bad input refused with its code and nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.core.errors import DomainError
from tongban.core.models import Notification
from tongban.credit.models import CreditList, CreditRecord, ListKind, ListMeasure, Measure
from tongban.credit.services.lists import list_entry_add
from tongban.intermediaries.models import (
    Purchase,
    PurchaseHistory,
    PurchaseSignup,
    PurchaseStatus,
    SignupStatus,
)
from tongban.intermediaries.services import (
    agency_penalty_record,
    consortium_form,
    objection_decide,
    objection_file,
    purchase_contract_confirm,
    purchase_deliver,
    purchase_rate,
    purchase_select,
    purchase_signup,
    purchases_service_alert,
)
from tongban.intermediaries.tests.conftest import CLOSES, T0
from tongban.intermediaries.tests.helpers import publish
from tongban.org.models import Department


def selected(purchase: Purchase) -> PurchaseSignup:
    assert purchase.selected is not None
    return purchase.selected


AFTER = CLOSES + dt.timedelta(minutes=1)


def signup_all(world, purchase, agencies, *, prices=None):
    return [
        purchase_signup(
            purchase=purchase,
            agency=a,
            price_fen=(prices or {}).get(i),
            actor=world.agency_users[world.agencies.index(a)],
            now=T0 + dt.timedelta(hours=1 + i),
        )
        for i, a in enumerate(agencies)
    ]


def test_publishing_invites_the_eligible_agencies_only(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        purchase = publish(world, method="competitive")
    assert purchase.status == PurchaseStatus.SIGNUP and purchase.code.startswith("ZJ20261102")
    invited = Notification.objects.filter(
        purpose="intermediaries.invite", object_id=purchase.code
    ).values_list("recipient_masked", flat=True)
    # a0–a2 hold 环评甲级; a3 and a4 offer 环评 without it.
    assert sorted(invited) == ["139****0000", "139****0001", "139****0002"]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"description": "请指定机构：苏环评咨询有限公司承担。"}, "不得指定中介机构"),
        ({"description": "仅限本市注册的机构报名。"}, "不得限定机构的注册地"),
        ({"description": "注册资本不低于500万元。"}, "不得设置注册资本门槛"),
        ({"restrictions": {"designated_agency": ["91320100..."]}}, "不得指定中介机构"),
        ({"restrictions": {"min_years": 5}}, "不得设置成立或从业年限门槛"),
    ],
)
def test_a_purchase_restricting_agencies_beyond_qualifications_is_refused(world, overrides, reason):
    before = Purchase.objects.count()
    with pytest.raises(DomainError) as exc:
        publish(world, **overrides)
    assert exc.value.code == "purchase_designated_agency"
    assert reason in exc.value.detail
    assert Purchase.objects.count() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"budget_fen": 0}, "budget_fen"),
        ({"project_code": "2411-130202-89-01-637016"}, "project_code"),
        ({"signup_closes_at": T0}, "signup_closes_at"),
        ({"method": "lottery"}, "method"),
        ({"service_days": 0}, "service_days"),
    ],
)
def test_bad_purchase_fields_are_refused_field_by_field(world, overrides, field):
    with pytest.raises(DomainError) as exc:
        publish(world, **overrides)
    assert exc.value.code == "purchase_invalid"
    assert exc.value.fields[0]["field"] == field


def test_sign_up_is_refused_after_the_window_without_the_qualification_or_twice(world):
    purchase = publish(world, method="competitive")
    with pytest.raises(DomainError) as exc:
        purchase_signup(purchase=purchase, agency=world.agencies[3], price_fen=100, now=T0)
    assert exc.value.code == "signup_not_qualified"
    purchase_signup(purchase=purchase, agency=world.agencies[0], price_fen=100, now=T0)
    with pytest.raises(DomainError) as exc:
        purchase_signup(purchase=purchase, agency=world.agencies[0], price_fen=90, now=T0)
    assert exc.value.code == "signup_duplicate"
    with pytest.raises(DomainError) as exc:
        purchase_signup(purchase=purchase, agency=world.agencies[1], price_fen=100, now=CLOSES)
    assert exc.value.code == "signup_closed"
    with pytest.raises(DomainError) as exc:
        purchase_signup(purchase=purchase, agency=world.agencies[2], price_fen=10**9, now=T0)
    assert exc.value.code == "signup_price_invalid"
    assert PurchaseSignup.objects.filter(purchase=purchase).count() == 1


def test_a_blacklisted_agency_is_refused_at_sign_up_and_excluded_at_selection(world):
    a0, a1 = world.agencies[0], world.agencies[1]
    purchase = publish(world, method="competitive")
    purchase_signup(purchase=purchase, agency=a0, price_fen=9_000_000, now=T0)
    purchase_signup(purchase=purchase, agency=a1, price_fen=12_000_000, now=T0)
    # The credit registry black-lists a1 after it signed up, in another city.
    black = CreditList.objects.create(
        code="im-dishonest",
        name="中介机构失信名单",
        kind=ListKind.BLACK,
        department=Department.objects.get(name="赣州市市场监督管理局"),
        legal_basis="《江苏省中介服务管理办法》",
        way_out="整改满一年后申请信用修复。",
    )
    ListMeasure.objects.create(credit_list=black, measure=Measure.MARKETPLACE, description="限制")
    list_entry_add(
        list_code="im-dishonest",
        subject_kind="entity",
        subject_code=a0.credit_code,
        reason="出具虚假评价报告",
        legal_basis="第十条",
        valid_until=dt.date(2027, 12, 31),
        actor=None,
        now=T0,
    )
    other = publish(world, method="competitive")
    with pytest.raises(DomainError) as exc:
        purchase_signup(purchase=other, agency=a0, price_fen=100, now=T0)
    assert exc.value.code == "agency_restricted" and "出具虚假评价报告" in exc.value.detail
    # At selection the cheaper but now black-listed a0 is excluded with the reason.
    purchase = purchase_select(purchase=purchase, actor=world.buyer, now=AFTER)
    assert selected(purchase).agency == a1
    excluded = PurchaseSignup.objects.get(purchase=purchase, agency=a0)
    assert (
        excluded.status == SignupStatus.EXCLUDED and "中介机构失信名单" in excluded.exclusion_reason
    )


def test_competitive_price_selects_the_lowest_price_and_a_purchase_walks_to_its_rating(
    world, django_capture_on_commit_callbacks
):
    purchase = publish(world, method="competitive")
    signup_all(
        world, purchase, world.agencies[:3], prices={0: 9_000_000, 1: 8_000_000, 2: 8_000_000}
    )
    with pytest.raises(DomainError) as exc:
        purchase_select(purchase=purchase, now=T0 + dt.timedelta(days=1))
    assert exc.value.code == "purchase_invalid_state"
    purchase = purchase_select(purchase=purchase, actor=world.buyer, now=AFTER)
    assert purchase.status == PurchaseStatus.PUBLICITY
    assert selected(purchase).agency == world.agencies[1]  # lowest, and the earlier of the tie
    # Publicity: 3 working days after Thu 5 Nov → Tue 10 Nov, ending at midnight.
    assert purchase.publicity_ends_at == dt.datetime(2026, 11, 10, 16, 0, tzinfo=dt.UTC)
    with pytest.raises(DomainError) as exc:
        purchase_contract_confirm(purchase=purchase, contract_fen=8_000_000, now=AFTER)
    assert exc.value.code == "purchase_invalid_state"
    objection = objection_file(
        purchase=purchase,
        filer_name="苏环评咨询有限公司",
        reason="中选机构的报价低于成本，请核实。",
        now=AFTER + dt.timedelta(hours=1),
    )
    end = purchase.publicity_ends_at
    with pytest.raises(DomainError) as exc:
        purchase_contract_confirm(purchase=purchase, contract_fen=8_000_000, now=end)
    assert exc.value.code == "objection_pending"
    objection_decide(objection=objection, upheld=False, answer="经核实报价合理。", now=end)
    with pytest.raises(DomainError) as exc:
        objection_file(
            purchase=purchase, filer_name="某", reason="公示期满后的异议不受理。", now=end
        )
    assert exc.value.code == "objection_closed"
    with pytest.raises(DomainError) as exc:
        purchase_contract_confirm(purchase=purchase, contract_fen=8_000_001, now=end)
    assert exc.value.code == "purchase_invalid"
    purchase = purchase_contract_confirm(purchase=purchase, contract_fen=8_000_000, now=end)
    # 20 working days after Wed 11 Nov (local midnight) → Wed 9 Dec.
    assert purchase.service_due_on == dt.date(2026, 12, 9)
    with django_capture_on_commit_callbacks(execute=True):
        # Fri 4 Dec: 3 working days left, no alert; Mon 7 Dec: 2 left, yellow (once).
        assert purchases_service_alert(now=dt.datetime(2026, 12, 4, 2, tzinfo=dt.UTC)) == 0
        assert purchases_service_alert(now=dt.datetime(2026, 12, 7, 2, tzinfo=dt.UTC)) == 1
        assert purchases_service_alert(now=dt.datetime(2026, 12, 7, 3, tzinfo=dt.UTC)) == 0
        # Thu 10 Dec: overdue, red.
        assert purchases_service_alert(now=dt.datetime(2026, 12, 10, 2, tzinfo=dt.UTC)) == 1
    assert Purchase.objects.get(pk=purchase.pk).alert_level == "red"
    assert Notification.objects.filter(purpose="intermediaries.service_alert").count() == 2
    purchase_deliver(purchase=purchase, now=dt.datetime(2026, 12, 10, 3, tzinfo=dt.UTC))
    with pytest.raises(DomainError) as exc:
        purchase_rate(
            purchase=purchase, score=1, comment="", now=dt.datetime(2026, 12, 11, tzinfo=dt.UTC)
        )
    assert exc.value.code == "rating_invalid"
    rating = purchase_rate(
        purchase=purchase,
        score=2,
        comment="超期交付",
        actor=world.buyer,
        now=dt.datetime(2026, 12, 11, tzinfo=dt.UTC),
    )
    assert rating.agency == world.agencies[1]
    record = CreditRecord.objects.get(subject_code=world.agencies[1].credit_code)
    assert record.source == "marketplace_rating" and record.severity == "minor"
    with pytest.raises(DomainError) as exc:
        purchase_rate(purchase=purchase, score=5, now=dt.datetime(2026, 12, 12, tzinfo=dt.UTC))
    assert exc.value.code == "purchase_invalid_state"
    assert list(
        PurchaseHistory.objects.filter(purchase=purchase).values_list("to_status", flat=True)
    ) == ["selecting", "publicity", "contracted", "delivered", "rated"]


def test_direct_choice_needs_a_reason_and_quality_first_needs_every_score(world):
    direct = publish(world, method="direct")
    _s0, s1 = signup_all(world, direct, world.agencies[:2])
    with pytest.raises(DomainError) as exc:
        purchase_select(purchase=direct, signup_id=s1.pk, reason="", now=AFTER)
    assert exc.value.code == "selection_invalid"
    direct = purchase_select(
        purchase=direct, signup_id=s1.pk, reason="方案最合理，工期最短", now=AFTER
    )
    assert direct.selected == s1 and direct.selection_reason.startswith("直接选取")
    quality = publish(world, method="quality")
    q0, q1, q2 = signup_all(world, quality, world.agencies[:3])
    with pytest.raises(DomainError) as exc:
        purchase_select(purchase=quality, scores={q0.pk: 80}, now=AFTER)
    assert exc.value.code == "selection_invalid"
    quality = purchase_select(purchase=quality, scores={q0.pk: 80, q1.pk: 92, q2.pk: 90}, now=AFTER)
    assert quality.selected == q1


def test_an_upheld_objection_fails_the_purchase(world):
    purchase = publish(world, method="competitive")
    signup_all(world, purchase, world.agencies[:2], prices={0: 100, 1: 200})
    purchase_select(purchase=purchase, now=AFTER)
    objection = objection_file(
        purchase=purchase,
        filer_name="金陵环境科技有限公司",
        reason="中选机构资质证书已被注销。",
        now=AFTER,
    )
    objection_decide(objection=objection, upheld=True, answer="经核实资质已注销。", now=AFTER)
    assert Purchase.objects.get(pk=purchase.pk).status == PurchaseStatus.FAILED


def test_a_consortium_signs_up_once_by_its_lead_with_a_member_holding_the_qualification(world):
    a3, a0 = world.agencies[3], world.agencies[0]  # a3 lacks 环评甲级, a0 holds it
    consortium = consortium_form(lead=a3, members=[a0], name="赣苏联合体", now=T0)
    purchase = publish(world, method="competitive")
    signup = purchase_signup(
        purchase=purchase, agency=a3, consortium=consortium, price_fen=100, now=T0
    )
    assert signup.consortium == consortium
    agency_penalty_record(
        agency=a0,
        kind="suspension",
        reason="转包",
        decided_by="南京市政务办",
        region_code="320100",
        starts_at=T0,
        now=T0,
    )
    other = publish(world, method="competitive")
    with pytest.raises(DomainError) as exc:
        purchase_signup(purchase=other, agency=a3, consortium=consortium, price_fen=100, now=T0)
    assert exc.value.code == "agency_restricted"
