"""免申即享 as a case (issue 14, item 4): a policy granted on the 法人库's data
is recorded as a case of its item, decided at once with the policy as the
reason, once per policy and business; the business sees it in 我的办件 and in
its space."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from tongban.cases.models import Case, CaseEvent, CaseStatus, Outcome, PolicyGrant
from tongban.cases.services.policy_grants import (
    case_record_policy_grant,
    on_legal_entity_registered,
    on_policy_granted,
    policy_grants_catch_up,
)
from tongban.core import events
from tongban.core.errors import DomainError
from tongban.core.identifiers import generate_credit_code
from tongban.core.models import OutboxMessage, OutboxStatus
from tongban.identity.models import AuthorizationRole
from tongban.identity.services import business_account_create, legal_entity_register
from tongban.identity.services.persons import LEGAL_ENTITY_REGISTERED
from tongban.policies.batch import policy_match_all
from tongban.policies.models import Policy, PolicyMatch
from tongban.policies.services import (
    GRANTED_EVENT,
    MATCHED_EVENT,
    business_classification_put,
    policy_create,
    policy_match_run,
    policy_publish,
)
from tongban.sharing.demo import demo_business_registered
from tongban.sharing.services.registries import business_put, population_put

NOW = dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)  # Tue 3 Nov 2026, 10:00 in Shanghai


def _classified(entity: Any) -> None:
    demo_business_registered(entity)  # 南京市玄武区 (320102), in business since 2015
    business_classification_put(
        credit_code=entity.credit_code, industry_code="H6210", size_class="micro", credit_class="A"
    )


def _policy(item: Any = None, **extra: Any) -> Policy:
    fields: dict[str, Any] = {
        "title": "小微餐饮企业纾困补贴",
        "issuer": "南京市人民政府办公厅",
        "document_no": "宁政办发〔2026〕9号",
        "valid_from": dt.date(2026, 1, 1),
        "benefits": "每户一次性补贴 1 万元",
        "rules_raw": {"region": ["3201"], "size": ["micro"], "industry": ["H62"]},
        "automatic": True,
        "service_item": item,
        **extra,
    }
    return policy_create(**fields, now=NOW)


def _deliver_grants() -> int:
    """Deliver the pending ``policy.granted`` messages as the outbox worker would."""
    pending = OutboxMessage.objects.filter(event=GRANTED_EVENT, status=OutboxStatus.PENDING)
    ids = list(pending.values_list("pk", flat=True))
    for pk in ids:
        status = events.outbox_deliver(message_id=pk, now=NOW)
        assert status == OutboxStatus.DELIVERED, OutboxMessage.objects.get(pk=pk).last_error
    return len(ids)


def test_a_granted_policy_is_a_case_decided_at_once_with_its_reason(world, accounts):
    _classified(accounts.entity)
    policy = policy_publish(policy=_policy(world.item), now=NOW)
    assert policy_match_run(policy=policy, now=NOW) == 1
    assert _deliver_grants() == 1

    grant = PolicyGrant.objects.select_related("case", "match").get()
    case = grant.case
    assert grant.match.policy_id == policy.pk
    assert grant.match.credit_code == accounts.entity.credit_code
    assert case.applicant_entity_id == accounts.entity.pk
    assert case.service_item_id == world.item.pk
    assert case.submitted_by is None  # the platform's act, not the business's
    assert (case.status, case.outcome) == (CaseStatus.DECIDED, Outcome.GRANTED)
    assert case.accepted_on == case.decided_on == dt.date(2026, 11, 3)
    assert case.decision_reason.startswith("免申即享：依据《小微餐饮企业纾困补贴》")
    assert "企业规模为微型" in case.decision_reason
    assert "宁政办发〔2026〕9号" in case.decision_basis
    assert case.delivery_deadline is not None  # the benefit is still to be delivered
    event = CaseEvent.objects.get(case=case, action="grant_by_policy")
    assert event.to_status == CaseStatus.DECIDED
    assert event.details["policy_id"] == policy.pk
    assert event.details["rules"] == policy.rules
    assert "登记地 320102 在政策适用地区 3201 内" in event.details["reasons"]


def test_matching_again_or_a_repeated_event_records_no_second_case(world, accounts):
    _classified(accounts.entity)
    policy = policy_publish(policy=_policy(world.item), now=NOW)
    policy_match_run(policy=policy, now=NOW)
    _deliver_grants()
    first = Case.objects.get(policy_grant__match__policy=policy)
    # Matching again (one policy, then all at once) grants nothing new.
    assert policy_match_run(policy=policy, now=NOW + dt.timedelta(days=1)) == 0
    assert policy_match_all(now=NOW + dt.timedelta(days=2)).matched == 0
    assert _deliver_grants() == 0
    # The event delivered twice, or the service called again: the same case.
    payload = {"policy_id": policy.pk, "credit_codes": [accounts.entity.credit_code]}
    on_policy_granted(event_id=events.uuid.uuid4(), payload=payload)
    again = case_record_policy_grant(policy_id=policy.pk, credit_code=accounts.entity.credit_code)
    assert again is not None and again.pk == first.pk
    assert PolicyGrant.objects.filter(match__policy=policy).count() == 1
    assert Case.objects.filter(applicant_entity=accounts.entity).count() == 1


def test_matching_all_policies_records_the_grant_as_a_case_too(world, accounts):
    _classified(accounts.entity)
    automatic = policy_publish(policy=_policy(world.item), now=NOW)
    plain = policy_publish(
        policy=_policy(document_no="宁政办发〔2026〕10号", automatic=False), now=NOW
    )
    assert policy_match_all(now=NOW).matched == 2
    _deliver_grants()
    assert list(PolicyGrant.objects.values_list("match__policy_id", flat=True)) == [automatic.pk]
    assert not PolicyMatch.objects.get(policy=plain).granted_at  # an ordinary push: no case


def test_a_grant_without_an_account_or_a_plain_match_records_nothing(world, accounts):
    _classified(accounts.entity)
    plain = policy_publish(policy=_policy(automatic=False), now=NOW)
    policy_match_run(policy=plain, now=NOW)
    code = accounts.entity.credit_code
    assert case_record_policy_grant(policy_id=plain.pk, credit_code=code) is None
    assert case_record_policy_grant(policy_id=plain.pk, credit_code="91320102000000000X") is None
    assert not OutboxMessage.objects.filter(event=GRANTED_EVENT).exists()
    assert not PolicyGrant.objects.exists()


def test_an_automatic_policy_without_an_item_is_refused_at_publication(world):
    for item, words in [(None, "须关联兑现事项"), (world.item, "未发布或已取消")]:
        policy = _policy(item)
        if item is not None:
            world.item.status = "cancelled"
            world.item.save(update_fields=["status"])
        with pytest.raises(DomainError) as exc:
            policy_publish(policy=policy, now=NOW)
        assert exc.value.code == "policy_item_required"
        assert words in exc.value.detail
        assert not Policy.objects.get(pk=policy.pk).published
    # An ordinary push needs no item.
    assert policy_publish(policy=_policy(automatic=False), now=NOW).published


def test_the_business_sees_the_granted_case_in_my_cases_and_its_space(client, world, accounts):
    _classified(accounts.entity)
    policy = policy_publish(policy=_policy(world.item), now=NOW)
    policy_match_run(policy=policy, now=NOW)
    _deliver_grants()
    case = Case.objects.get(policy_grant__match__policy=policy)
    assert client.login(username=accounts.business.username, password="Pw-12345678")

    listed = client.get("/my/cases/").content.decode()
    assert case.case_no in listed
    page = client.get(f"/my/cases/{case.case_no}/").content.decode()
    assert "准予许可" in page and "免申即享：依据《小微餐饮企业纾困补贴》" in page
    space = client.get(f"/my/business/{accounts.entity.credit_code}/").content.decode()
    assert "data-grant-case" in space and f"/my/cases/{case.case_no}/" in space
    assert "免申即享：依据" in space

    # Another citizen sees neither the case nor the business's space.
    other = client.__class__()
    assert other.login(username=accounts.other_citizen.username, password="Pw-12345678")
    assert other.get(f"/my/cases/{case.case_no}/").status_code == 404
    assert case.case_no not in other.get("/my/cases/").content.decode()


def _deliver(event: str) -> int:
    """Deliver the pending messages of ``event`` as the outbox worker would (later on)."""
    pending = OutboxMessage.objects.filter(event=event, status=OutboxStatus.PENDING)
    ids = list(pending.values_list("pk", flat=True))
    for pk in ids:
        status = events.outbox_deliver(message_id=pk, now=LATER + dt.timedelta(days=2))
        assert status == OutboxStatus.DELIVERED, OutboxMessage.objects.get(pk=pk).last_error
    return len(ids)


def _unknown_business() -> str:
    """A business in the 法人库 the platform does not know yet (no account, no LegalEntity)."""
    representative = population_put(id_number="320102198503120012", name="李娜")
    record = business_put(
        credit_code=generate_credit_code("9132010270000002"), name="南京李记餐饮有限公司",
        kind="有限责任公司", legal_representative=representative, legal_representative_name="李娜",
        established_on=dt.date(2015, 6, 18), registered_capital=Decimal("100"),
        business_scope="餐饮服务", address="（演示地址）", registration_authority="市场监督管理局",
    )  # fmt: skip
    business_classification_put(
        credit_code=record.credit_code, industry_code="H6210", size_class="micro", credit_class="A"
    )
    return record.credit_code


LATER = NOW + dt.timedelta(days=30)


def _known_later(accounts: Any, code: str) -> Any:
    """The business gets an account a month after the grant (its entity registered then)."""
    entity = legal_entity_register(
        credit_code=code,
        name="南京李记餐饮有限公司",
        legal_representative=accounts.other_citizen.person,
        now=LATER,
    )
    business_account_create(
        username="liji",
        password="Pw-12345678",
        person=accounts.other_citizen.person,
        legal_entity=entity,
        role=AuthorizationRole.LEGAL_REPRESENTATIVE,
        now=LATER,
    )
    return entity


def test_a_grant_before_the_business_has_an_account_becomes_its_case_when_it_gets_one(
    client, world, accounts
):
    _classified(accounts.entity)
    code = _unknown_business()
    policy = policy_publish(policy=_policy(world.item), now=NOW)
    assert policy_match_run(policy=policy, now=NOW) == 2
    match = PolicyMatch.objects.get(policy=policy, credit_code=code)
    assert match.granted_at == NOW and match.grant_reason.startswith("免申即享：依据")
    assert _deliver_grants() == 1 and _deliver(MATCHED_EVENT) == 1
    assert not PolicyGrant.objects.filter(match=match).exists()  # no applicant yet

    entity = _known_later(accounts, code)
    registered = OutboxMessage.objects.filter(event=LEGAL_ENTITY_REGISTERED)
    assert registered.filter(payload__credit_code=code).count() == 1
    _deliver(LEGAL_ENTITY_REGISTERED)
    grant = PolicyGrant.objects.select_related("case").get(match=match)
    case = grant.case
    assert case.applicant_entity_id == entity.pk and case.applicant_name == "南京李记餐饮有限公司"
    assert (case.status, case.outcome) == (CaseStatus.DECIDED, Outcome.GRANTED)
    assert case.received_at == LATER and case.decided_on == dt.date(2026, 12, 3)
    event = CaseEvent.objects.get(case=case, action="grant_by_policy")
    assert event.details["granted_at"] == NOW.isoformat()

    # Matching again, the events again, the sweep again: still one case.
    assert policy_match_run(policy=policy, now=LATER + dt.timedelta(days=1)) == 0
    assert _deliver(MATCHED_EVENT) == 1
    assert policy_grants_catch_up() == 0
    on_legal_entity_registered(event_id=events.uuid.uuid4(), payload={"credit_code": code})
    assert PolicyGrant.objects.filter(match__credit_code=code).count() == 1
    assert Case.objects.filter(applicant_entity=entity).count() == 1

    # The new account sees it among its cases.
    assert client.login(username="liji", password="Pw-12345678")
    assert case.case_no in client.get("/my/cases/").content.decode()


def test_matching_again_records_the_case_of_a_grant_whose_business_became_known(world, accounts):
    code = _unknown_business()
    policy = policy_publish(policy=_policy(world.item), now=NOW)
    assert policy_match_run(policy=policy, now=NOW) == 1
    assert _deliver(MATCHED_EVENT) == 1
    _known_later(accounts, code)
    # The registration's message is gone (an entity known before this release).
    OutboxMessage.objects.filter(event=LEGAL_ENTITY_REGISTERED).delete()
    assert not PolicyGrant.objects.exists()

    assert policy_match_all(now=LATER).matched == 0
    assert _deliver(MATCHED_EVENT) == 1
    grant = PolicyGrant.objects.select_related("case", "match").get()
    assert grant.match.credit_code == code and grant.case.received_at == LATER
    assert policy_match_all(now=LATER).matched == 0
    _deliver(MATCHED_EVENT)
    assert PolicyGrant.objects.count() == 1
