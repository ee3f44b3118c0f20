"""Demo data of the marketplace and trading (idempotent): service types, agencies with
their fees, an expert pool, purchases in several states, tenders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tongban.core import clock
from tongban.core.identifiers import generate_credit_code
from tongban.identity.models import LegalEntity, User
from tongban.identity.services import business_account_create, legal_entity_register
from tongban.intermediaries.models import Agency, Expert, Purchase, Tender
from tongban.intermediaries.services import (
    agency_qualification_add,
    agency_register,
    agency_service_publish,
    purchase_contract_confirm,
    purchase_deliver,
    purchase_publish,
    purchase_rate,
    purchase_select,
    purchase_signup,
    service_type_save,
)
from tongban.intermediaries.services.trading import bid_submit, tender_publish
from tongban.sharing.demo import demo_business_registered

PASSWORD = "Tongban@2026"  # noqa: S105  (public demo password, as the other demo accounts)

SERVICE_TYPES = (
    ("eia", "环境影响评价", ["环评"]),
    ("safety", "安全评价", ["安评"]),
    ("energy", "节能评估", ["能评"]),
    ("drawing-review", "施工图审查", ["施工图审查"]),
    ("survey", "测绘", ["规划核实测量", "不动产测绘"]),
    ("soil", "水土保持方案编制", ["水土保持方案审批"]),
)

# (name, first 16 characters of the credit code, services, qualification)
AGENCIES = (
    ("江苏环科咨询有限公司", "9132010071000011", ("eia", "energy"), "环评甲级"),
    ("南京金陵安全技术有限公司", "9132010571000012", ("safety",), "安全评价甲级"),
    ("南京鼎图测绘有限公司", "9132010671000013", ("survey",), "测绘乙级"),
    ("江苏图审中心有限公司", "9132000071000014", ("drawing-review",), "施工图审查一类"),
    ("赣州绿源环境服务有限公司", "9136070271000015", ("eia", "soil"), ""),
    ("江宁生态工程咨询有限公司", "9132011571000016", ("eia", "soil", "energy"), "环评甲级"),
)


def _account(index: int, entity: LegalEntity) -> None:
    username = f"agency{index + 1}"
    if User.objects.filter(username=username).exists():
        return
    operator = User.objects.get(username="citizen3").person
    assert operator is not None
    demo_business_registered(entity)  # every authorization is checked against the 法人库
    business_account_create(
        username=username, password=PASSWORD, person=operator, legal_entity=entity
    )


def _agencies(now: dt.datetime) -> list[Agency]:
    representative = User.objects.get(username="citizen3").person
    assert representative is not None
    made = []
    for index, (name, first16, offered, qualification) in enumerate(AGENCIES):
        entity = legal_entity_register(
            credit_code=generate_credit_code(first16),
            name=name,
            legal_representative=representative,
        )
        _account(index, entity)
        agency = Agency.objects.filter(legal_entity=entity).first() or agency_register(
            legal_entity=entity, contact_name="业务部", contact_phone=f"1390251{index:04d}", now=now
        )
        for code in offered:
            agency_service_publish(
                agency=agency,
                service_type_code=code,
                fee_basis="市场调节价，按工作量计",
                fee_min_fen=2_000_000,
                fee_max_fen=30_000_000,
                now=now,
            )
        if qualification:
            agency_qualification_add(
                agency=agency, name=qualification, number=f"Q-{first16[-4:]}", now=now
            )
        made.append(agency)
    return made


def _experts() -> int:
    for i in range(12):
        Expert.objects.get_or_create(
            code=f"E{i + 1:04d}",
            defaults={
                "name": f"评标专家{i + 1}",
                "specialty": "房屋建筑" if i < 8 else "信息技术",
                "employer_name": "东南大学" if i % 2 else "南京工业大学",
                "employer_code": generate_credit_code(f"1232000046600{i:03d}"),
            },
        )
    return Expert.objects.count()


def _purchases(agencies: list[Agency], now: dt.datetime) -> int:
    buyer = User.objects.get(username="biz1")
    entity = LegalEntity.objects.get(credit_code=generate_credit_code("9132010070000001"))
    if Purchase.objects.filter(buyer_entity=entity).exists():
        return 0
    common: dict[str, Any] = {"buyer_entity": entity, "region_code": "320100", "actor": buyer}
    # Rated: a competitive purchase published 40 days ago.
    start = now - dt.timedelta(days=40)
    done = purchase_publish(
        title="通办产业园一期节能评估",
        service_type_code="energy",
        budget_fen=8_000_000,
        service_days=10,
        method="competitive",
        description="编制节能报告并配合审查。",
        signup_closes_at=start + dt.timedelta(days=5),
        now=start,
        **common,
    )
    purchase_signup(purchase=done, agency=agencies[0], price_fen=6_500_000, now=start)
    purchase_signup(purchase=done, agency=agencies[5], price_fen=7_200_000, now=start)
    purchase_select(purchase=done, actor=buyer, now=start + dt.timedelta(days=6))
    done.refresh_from_db()
    assert done.publicity_ends_at is not None
    purchase_contract_confirm(
        purchase=done, contract_fen=6_500_000, actor=buyer, now=done.publicity_ends_at
    )
    purchase_deliver(purchase=done, now=done.publicity_ends_at + dt.timedelta(days=10))
    purchase_rate(
        purchase=done,
        score=5,
        comment="报告质量好，按期交付",
        actor=buyer,
        now=done.publicity_ends_at + dt.timedelta(days=11),
    )
    # Open for sign-up: a random draw, the commitment already published.
    open_one = purchase_publish(
        title="通办产业园二期环境影响评价",
        service_type_code="eia",
        budget_fen=15_000_000,
        service_days=20,
        method="random",
        description="编制环境影响报告书并配合技术评估。",
        qualification="环评甲级",
        project_code="2411-130202-89-01-637015",
        signup_closes_at=now + dt.timedelta(days=5),
        now=now,
        **common,
    )
    purchase_signup(purchase=open_one, agency=agencies[0], now=now)
    return Purchase.objects.filter(buyer_entity=entity).count()


def _tenders(agencies: list[Agency], now: dt.datetime) -> int:
    if Tender.objects.exists():
        return 0
    tenderer = LegalEntity.objects.get(credit_code=generate_credit_code("9132010070000001"))
    tender = tender_publish(
        category="construction",
        title="通办产业园一期仓储工程施工",
        tenderer_name=tenderer.name,
        tenderer_code=tenderer.credit_code,
        region_code="320100",
        budget_fen=3_000_000_000,
        announcement="招标公告：通办产业园一期仓储工程施工，资格后审，电子投标。",
        bid_deadline=now + dt.timedelta(days=20),
        expert_specialty="房屋建筑",
        expert_count=5,
        now=now,
    )
    bid_submit(
        tender=tender,
        bidder=agencies[3].legal_entity,
        price_fen=2_800_000_000,
        proposal="施工组织设计（演示）",
        now=now,
    )
    tender_publish(
        category="procurement",
        title="政务服务中心自助终端采购",
        tenderer_name=tenderer.name,
        tenderer_code=tenderer.credit_code,
        region_code="320100",
        budget_fen=150_000_000,
        announcement="采购自助终端 30 台。",
        bid_deadline=now + dt.timedelta(days=15),
        expert_specialty="信息技术",
        expert_count=3,
        min_bids=1,
        now=now,
    )
    return Tender.objects.count()


def demo_intermediaries_load() -> dict[str, int]:
    """Service types, agencies (accounts agency1–agency6), experts, purchases, tenders."""
    now = clock.now()
    with transaction.atomic():
        for code, name, items in SERVICE_TYPES:
            service_type_save(code=code, name=name, approval_items=items)
        agencies = _agencies(now)
        experts = _experts()
        purchases = _purchases(agencies, now)
        tenders = _tenders(agencies, now)
    return {
        "service_types": len(SERVICE_TYPES),
        "agencies": Agency.objects.count(),
        "experts": experts,
        "purchases_created": purchases,
        "tenders_created": tenders,
    }
