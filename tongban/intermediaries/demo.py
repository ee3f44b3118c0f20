"""Demo data of the marketplace and trading (idempotent): service types, agencies with
their fees, an expert pool (five with accounts expert1…expert5), purchases in several
states, tenders: two open for bids and one whose experts have been drawn."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tongban.core import clock, draws
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
from tongban.intermediaries.services.evaluation import tender_opening_close
from tongban.intermediaries.services.experts import ExpertInput, expert_seed
from tongban.intermediaries.services.trading import (
    bid_decrypt,
    bid_submit,
    tender_document_add,
    tender_opening_start,
    tender_publish,
)
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


# (name, specialty, employer, employer's first 16 characters): 8 房屋建筑, 4 信息技术.
EXPERTS = (
    ("王建国", "房屋建筑", "东南大学", "1232000046600001"),
    ("李秀英", "房屋建筑", "南京工业大学", "1232000046600002"),
    ("张立新", "房屋建筑", "东南大学", "1232000046600001"),
    ("刘海燕", "房屋建筑", "江苏省建筑设计研究院有限公司", "9132000013476000"),
    ("陈志强", "房屋建筑", "南京工业大学", "1232000046600002"),
    ("杨丽", "房屋建筑", "中建八局第三建设有限公司", "9132010013488000"),
    ("赵明", "房屋建筑", "南京市建筑安装工程质量监督站", "1232010046601003"),
    ("黄静", "房屋建筑", "河海大学", "1232000046600004"),
    ("周伟", "信息技术", "南京大学", "1232000046600005"),
    ("吴敏", "信息技术", "南京邮电大学", "1232000046600006"),
    ("徐刚", "信息技术", "江苏省信息中心", "1232000046601007"),
    ("孙芳", "信息技术", "南京大学", "1232000046600005"),
)
EXPERT_ACCOUNTS = 5  # expert1…expert5: the first five 房屋建筑 experts can log in and score


def _experts() -> int:
    """The pool of 南京市 (kept by nj_supervisor and admin on the workbench); enough
    房屋建筑 experts after 回避 for the demo tenders' draws."""
    for i, (name, specialty, employer, first16) in enumerate(EXPERTS):
        user = None
        if i < EXPERT_ACCOUNTS:
            username = f"expert{i + 1}"
            user = User.objects.filter(username=username).first() or User.objects.create_user(
                username, PASSWORD, kind="citizen", display_name=f"{name}（评标专家）"
            )
        expert_seed(
            code=f"E{i + 1:04d}",
            given=ExpertInput(
                name=name,
                employer_name=employer,
                employer_code=generate_credit_code(first16),
                specialty=specialty,
                region_code="320100",
                phone=f"1390252{i:04d}",
            ),
            user=user,
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
    _tender_in_evaluation(agencies, tenderer, now)
    return Tender.objects.count()


def _tender_in_evaluation(agencies: list[Agency], tenderer: LegalEntity, now: dt.datetime) -> None:
    """A tender announced 30 days ago whose opening is over: three bids decrypted by
    their bidders and the committee drawn from the pool (回避 applied), so the expert
    accounts (expert1…) have a sheet to score and the draw's page can be verified."""
    start = now - dt.timedelta(days=30)
    deadline = start + dt.timedelta(days=20)
    tender = tender_publish(
        category="construction",
        title="通办产业园配套道路及管网工程施工",
        tenderer_name=tenderer.name,
        tenderer_code=tenderer.credit_code,
        region_code="320100",
        budget_fen=1_200_000_000,
        announcement="招标公告：通办产业园配套道路及管网工程施工，资格后审，电子投标。",
        bid_deadline=deadline,
        opens_at=deadline + dt.timedelta(hours=1),
        expert_specialty="房屋建筑",
        expert_count=5,
        now=start,
    )
    tender_document_add(
        tender=tender,
        kind="clarification",
        title="关于工期要求的澄清",
        content="计划工期由 240 日历天调整为 210 日历天，其余不变。",
        now=start + dt.timedelta(days=3),
    )
    sealed = []
    for index, agency in enumerate(agencies[:3]):
        bid, code = bid_submit(
            tender=tender,
            bidder=agency.legal_entity,
            price_fen=1_100_000_000 + index * 15_000_000,
            proposal=f"施工组织设计（演示 {index + 1}）",
            now=start + dt.timedelta(days=5 + index),
        )
        sealed.append((bid, code))
    opening = deadline + dt.timedelta(hours=1)
    tender_opening_start(tender=tender, now=opening)
    for minutes, (bid, code) in enumerate(sealed, start=1):
        bid_decrypt(bid=bid, decryption_code=code, now=opening + dt.timedelta(minutes=minutes))
    tender_opening_close(tender=tender, now=opening + dt.timedelta(minutes=30))


def demo_intermediaries_load() -> dict[str, int]:
    """Service types, agencies (accounts agency1–agency6), experts (accounts
    expert1–expert5), purchases, tenders."""
    now = clock.now()
    with draws.draw_atomic():  # the demo's draws leave no candidate file if the load fails
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
