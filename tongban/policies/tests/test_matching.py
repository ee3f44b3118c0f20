"""A policy reaches exactly the businesses it matches, with the reasons, on
hand-made 法人库 records; 免申即享 grants; opted-in businesses get an SMS."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.core.identifiers import generate_check_digit_resident, generate_credit_code
from tongban.core.models import Notification
from tongban.identity.services import legal_entity_register, person_register
from tongban.policies import rules
from tongban.policies.models import Policy, PolicyMatch
from tongban.policies.services import (
    business_classification_put,
    policy_create,
    policy_match_run,
    policy_opt_in_set,
    policy_publish,
)
from tongban.sharing.models import BusinessRecord
from tongban.sharing.services.registries import business_put

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 3, 1, 10, 0, tzinfo=clock.SHANGHAI)  # a Monday
RULES = {
    "industry": ["H62"],  # 餐饮业 正餐服务 etc.
    "size": ["small", "micro"],
    "region": ["3201"],  # 南京市
    "min_years": 1,
    "max_years": 5,
    "credit": ["A", "B"],
}


def business(
    body: str,
    *,
    region: str = "320102",
    established: dt.date = dt.date(2024, 3, 1),
    industry: str | None = "H6210",
    size: str = "small",
    credit: str = "A",
    status: str = "in_business",
) -> str:
    code = generate_credit_code(f"91{region}{body}")
    business_put(
        credit_code=code,
        name=f"测试企业{body}",
        kind="有限责任公司",
        legal_representative=None,
        legal_representative_name="张伟",
        established_on=established,
        registered_capital=Decimal("100.00"),
        business_scope="餐饮服务",
        address="南京市玄武区",
        registration_authority="南京市市场监督管理局",
        status=status,
    )
    if industry is not None:
        business_classification_put(
            credit_code=code, industry_code=industry, size_class=size, credit_class=credit
        )
    return code


def published(**extra: Any) -> Policy:
    fields = {
        "title": "小微餐饮企业纾困补贴",
        "issuer": "南京市人民政府办公厅",
        "document_no": "宁政办发〔2027〕1号",
        "valid_from": dt.date(2027, 1, 1),
        "benefits": "每户一次性补贴 1 万元",
        "rules_raw": RULES,
        **extra,
    }
    return policy_publish(policy=policy_create(**fields, now=NOW), now=NOW)


@pytest.fixture
def registry() -> dict[str, str]:
    return {
        "match": business("70000001"),
        # Exactly one year old today: the lower bound is inclusive.
        "one_year": business("70000002", established=dt.date(2026, 3, 1), size="micro"),
        "other_industry": business("70000003", industry="C1391"),
        "shanghai": business("70000004", region="310101"),
        "too_old": business("70000005", established=dt.date(2015, 6, 1)),
        # Six years next week: still five full years today, so it matches.
        "five_years": business("70000006", established=dt.date(2021, 3, 8), credit="B"),
        "bad_credit": business("70000007", credit="C"),
        "cancelled": business("70000008", status="cancelled"),
        "unclassified": business("70000009", industry=None),
        "large": business("70000010", size="large"),
    }


def test_a_policy_reaches_exactly_the_businesses_it_matches_with_reasons(registry):
    policy = published()
    assert policy_match_run(policy=policy, now=NOW) == 3
    matched = {m.credit_code: m for m in PolicyMatch.objects.filter(policy=policy)}
    assert set(matched) == {registry["match"], registry["one_year"], registry["five_years"]}
    assert matched[registry["match"]].reasons == [
        "所属行业 H6210 属于政策支持的行业 H62（GB/T 4754）",
        "企业规模为小型",
        "登记地 320102 在政策适用地区 3201 内",
        "成立 3 年（2024-03-01），要求 1 年至5 年",
        "纳税信用等级为 A 级",
    ]
    # The SQL selection and the words agree on every record.
    parsed = rules.parse(policy.rules)
    for record in BusinessRecord.objects.select_related("classification"):
        said = rules.explain(parsed, record, NOW.date())
        assert (said is not None) == (record.credit_code in matched), record.name
    # Matching again pushes nothing twice.
    assert policy_match_run(policy=policy, now=NOW + dt.timedelta(days=1)) == 0
    assert PolicyMatch.objects.filter(policy=policy).count() == 3
    assert all(m.granted_at is None for m in matched.values())


def test_a_policy_granted_without_application_records_its_basis(registry, grant_item):
    policy = published(
        automatic=True,
        service_item=grant_item,
        rules_raw={"region": ["320102"], "size": ["small"]},
    )
    policy_match_run(policy=policy, now=NOW)
    match = PolicyMatch.objects.get(policy=policy, credit_code=registry["match"])
    assert match.granted_at == NOW
    assert match.grant_reason.startswith(
        "免申即享：依据《小微餐饮企业纾困补贴》（宁政办发〔2027〕1号）"
    )


def test_a_business_that_opted_in_is_told_by_sms(registry, sms):
    first17 = "32010219800101001"
    boss = person_register(
        name="张伟", id_number=first17 + generate_check_digit_resident(first17), phone="13800000009"
    )
    entity = legal_entity_register(
        credit_code=registry["match"], name="测试企业70000001", legal_representative=boss
    )
    legal_entity_register(
        credit_code=registry["one_year"], name="测试企业70000002", legal_representative=boss
    )
    policy_opt_in_set(legal_entity=entity, sms=True)
    policy_match_run(policy=published(), now=NOW)
    texts = Notification.objects.filter(purpose="policy.match")
    assert [t.object_id.split("/")[1] for t in texts] == [registry["match"]]  # opted in only
    assert "小微餐饮企业纾困补贴" in texts.get().body


def test_bad_rules_and_an_unpublished_policy_are_refused(registry):
    for bad, field in [
        ({"industry": ["餐饮"]}, "industry"),
        ({"size": ["tiny"]}, "size"),
        ({"min_years": 5, "max_years": 1}, "min_years"),
        ({"min_years": "1"}, "min_years"),
        ({"colour": ["red"]}, "colour"),
        ([], "rules"),
    ]:
        with pytest.raises(DomainError) as exc:
            policy_create(
                title="t",
                issuer="i",
                document_no="d",
                valid_from=dt.date(2027, 1, 1),
                benefits="b",
                rules_raw=bad,
            )
        assert exc.value.code == "policy_rules_invalid"
        assert exc.value.fields[0]["field"] == field
    draft = policy_create(
        title="t", issuer="i", document_no="d", valid_from=dt.date(2027, 1, 1), benefits="b",
        rules_raw={},
    )  # fmt: skip
    with pytest.raises(DomainError) as exc:
        policy_match_run(policy=draft, now=NOW)
    assert exc.value.code == "policy_not_published"
    expired = published(valid_until=dt.date(2027, 2, 1))
    with pytest.raises(DomainError) as exc:
        policy_match_run(policy=expired, now=NOW)
    assert exc.value.code == "policy_not_published"
    assert PolicyMatch.objects.count() == 0


@pytest.mark.parametrize(
    ("established", "today", "years"),
    [
        (dt.date(2024, 3, 1), dt.date(2027, 3, 1), 3),  # the anniversary itself
        (dt.date(2024, 3, 2), dt.date(2027, 3, 1), 2),  # one day short
        (dt.date(2024, 2, 29), dt.date(2027, 2, 28), 2),  # a leap day: not yet on the 28th
        (dt.date(2024, 2, 29), dt.date(2027, 3, 1), 3),
    ],
)
def test_full_years_since_establishment(established, today, years):
    assert rules.full_years(established, today) == years


BATCH_RULES = [
    RULES,
    {"region": ["3201"], "size": ["small", "micro"]},
    {"region": ["32", "3201"]},  # two prefixes of one region: matched once
    {"industry": ["H", "C13"], "credit": ["A"]},  # no region: indexed by 门类
    {"min_years": 6},
    {},  # every business in operation
]


def test_matching_all_policies_in_one_pass_agrees_with_each_policy_alone(registry, sms, grant_item):
    from tongban.policies.batch import policy_match_all

    first17 = "32010219800101001"
    boss = person_register(
        name="张伟", id_number=first17 + generate_check_digit_resident(first17), phone="13800000009"
    )
    policy_opt_in_set(
        legal_entity=legal_entity_register(
            credit_code=registry["match"], name="测试企业70000001", legal_representative=boss
        ),
        sms=True,
    )
    policies = [
        published(
            document_no=f"宁政办发〔2027〕{n}号",
            rules_raw=r,
            automatic=n == 2,
            service_item=grant_item if n == 2 else None,
        )
        for n, r in enumerate(BATCH_RULES, start=1)
    ]
    result = policy_match_all(now=NOW)
    assert (result.policies, result.businesses_read) == (6, 9)  # the cancelled one is not read
    by_batch = {(m.policy_id, m.credit_code): m for m in PolicyMatch.objects.all()}
    assert result.matched == len(by_batch)
    # Each policy alone, on the same records, finds the same businesses for the same reasons.
    today = NOW.date()
    for policy in policies:
        parsed = rules.parse(policy.rules)
        expected = {
            r.credit_code: rules.explain(parsed, r, today)
            for r in BusinessRecord.objects.select_related("classification")
            if rules.explain(parsed, r, today) is not None
        }
        found = {code: m.reasons for (pk, code), m in by_batch.items() if pk == policy.pk}
        assert found == expected, policy.rules
    assert {code for (pk, code) in by_batch if pk == policies[0].pk} == {
        registry["match"],
        registry["one_year"],
        registry["five_years"],
    }
    granted = PolicyMatch.objects.filter(policy=policies[1])
    assert granted.exists() and all(m.granted_at == NOW for m in granted)
    # Once per policy and business: a second pass adds nothing and texts nobody again.
    texts = Notification.objects.filter(purpose="policy.match").count()
    assert texts == sum(1 for (_, code) in by_batch if code == registry["match"])
    again = policy_match_all(now=NOW + dt.timedelta(days=1))
    assert again.matched == 0 and PolicyMatch.objects.count() == len(by_batch)
    assert Notification.objects.filter(purpose="policy.match").count() == texts
