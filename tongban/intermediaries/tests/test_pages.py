"""The portal's marketplace pages (server-rendered): public lists with results, a buyer's
refused and accepted publication, agency registration, the tender record."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.core import clock
from tongban.identity.services import legal_entity_register
from tongban.intermediaries.models import Agency, Purchase
from tongban.intermediaries.services.trading import bid_submit, tender_publish
from tongban.intermediaries.tests.conftest import PASSWORD, T0
from tongban.intermediaries.tests.helpers import publish
from tongban.org.demo import credit_code_for

FORM = {
    "title": "新港物流园项目环境影响评价",
    "service_type": "eia",
    "region_code": "320100",
    "budget": "150000",
    "service_days": "20",
    "method": "random",
    "closes_on": "2026-11-05",
    "description": "编制环境影响报告书。",
    "qualification": "环评甲级",
}


@pytest.fixture(autouse=True)
def _now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: T0)


def logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_public_lists_show_purchases_agencies_and_tenders(
    world, client, django_assert_max_num_queries
):
    purchase = publish(world, method="random")
    with django_assert_max_num_queries(20):
        home = client.get("/market/")
    assert home.status_code == 200 and purchase.code in home.content.decode()
    detail = client.get(f"/market/purchases/{purchase.code}/").content.decode()
    assert f"/draws/{purchase.draw_public_id}/" in detail and "随机抽取公示" in detail
    agencies = client.get("/market/agencies/", {"service_type": "eia"}).content.decode()
    assert world.agencies[0].name in agencies
    assert client.get("/market/purchases/ZJ000/").status_code == 404


def test_a_buyer_publishing_with_a_designated_agency_sees_the_reason_and_nothing_is_saved(world):
    buyer = logged_in(world.buyer)
    buyer_choice = f"e{world.buyer_entity.pk}"
    refused = buyer.post(
        "/market/purchases/new/",
        {**FORM, "buyer": buyer_choice, "description": "请指定机构：苏环评咨询有限公司承担。"},
    )
    assert refused.status_code == 200 and "不得指定中介机构" in refused.content.decode()
    assert not Purchase.objects.exists()
    made = buyer.post("/market/purchases/new/", {**FORM, "buyer": buyer_choice})
    assert made.status_code == 302
    assert Purchase.objects.get().buyer_entity == world.buyer_entity


def test_an_agency_joins_with_its_credit_code_and_is_listed_at_once(world):
    from tongban.identity.services import business_account_create
    from tongban.sharing.demo import demo_business_registered

    entity = legal_entity_register(
        credit_code=credit_code_for(
            name="新入驻咨询有限公司", region_code="320100", registrar="91"
        ),
        name="新入驻咨询有限公司",
        legal_representative=world.person,
        now=T0,
    )
    demo_business_registered(entity)  # every authorization is checked against the 法人库
    user = business_account_create(
        username="newagency", password=PASSWORD, person=world.person, legal_entity=entity, now=T0
    )
    client = logged_in(user)
    joined = client.post(
        "/market/agencies/join/",
        {"credit_code": entity.credit_code, "contact_name": "王工", "contact_phone": "13912345678"},
    )
    assert joined.status_code == 302
    assert Agency.objects.filter(credit_code=entity.credit_code).exists()
    assert "新入驻咨询有限公司" in client.get("/market/agencies/").content.decode()


def test_a_tender_page_shows_only_the_count_of_sealed_bids_before_opening(world, client):
    tender = tender_publish(
        category="procurement",
        title="自助终端采购",
        tenderer_name="南京新港开发有限公司",
        tenderer_code=world.buyer_entity.credit_code,
        region_code="320100",
        budget_fen=100_000,
        announcement="采购自助终端。",
        bid_deadline=T0.replace(year=2027),
        expert_specialty="信息技术",
        expert_count=3,
        now=T0,
    )
    bid_submit(
        tender=tender,
        bidder=world.agencies[0].legal_entity,
        price_fen=99_000,
        proposal="甲",
        now=T0,
    )
    page = client.get(f"/market/tenders/{tender.code}/").content.decode()
    assert "已递交 1 份密封投标文件" in page and world.agencies[0].name not in page
    assert tender.code in client.get("/market/tenders/").content.decode()
