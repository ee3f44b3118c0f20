"""The marketplace and trading API: a random purchase from publication to rating, a
tender's sealed bid and decryption, the refusals as problem+json with their codes."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from tongban.core import clock
from tongban.core.models import DrawRecord, IdempotencyRecord
from tongban.identity.services import token_create
from tongban.intermediaries.models import Purchase, TenderBid
from tongban.intermediaries.tests.conftest import CLOSES, T0

API = "/api/v1/intermediaries"
TRADING = "/api/v1/trading"


@pytest.fixture
def now(monkeypatch):
    moment = {"now": T0}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    return moment


def client_for(user) -> Client:
    _token, secret = token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def post(client: Client, url: str, body: dict | None = None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


PURCHASE = {
    "title": "新港物流园项目环境影响评价",
    "service_type": "eia",
    "region_code": "320100",
    "budget_fen": 15_000_000,
    "service_days": 20,
    "method": "random",
    "description": "编制环境影响报告书并配合评审。",
    "signup_closes_at": CLOSES.isoformat(),
    "project_code": "2411-130202-89-01-637015",
    "qualification": "环评甲级",
}


def test_a_random_purchase_goes_from_publication_to_rating_over_the_api(world, now, client):
    buyer = client_for(world.buyer)
    made = post(buyer, f"{API}/purchases", PURCHASE)
    assert made.status_code == 201, made.content
    code = made.json()["code"]
    assert made.json()["draw_url"].startswith("/draws/")
    commitment = client.get(f"/api/v1/draws/{made.json()['draw_public_id']}").json()["commitment"]
    assert len(commitment) == 64
    for i in range(3):
        signed = post(client_for(world.agency_users[i]), f"{API}/purchases/{code}/signups", {})
        assert signed.status_code == 201, signed.content
    assert client.get(f"{API}/purchases/{code}/signups").json() == []  # undisclosed until closed
    now["now"] = CLOSES + dt.timedelta(minutes=1)
    drawn = post(buyer, f"{API}/purchases/{code}/draw")
    assert drawn.status_code == 200, drawn.content
    result = drawn.json()
    assert result["status"] == "publicity" and result["selected_agency"]
    record = DrawRecord.objects.get(public_id=result["draw_public_id"])
    assert record.commitment == commitment and record.result == [result["selected_agency"]]
    again = post(buyer, f"{API}/purchases/{code}/draw")
    assert again.status_code == 409 and again.json()["code"] == "purchase_invalid_state"
    winner = next(
        u
        for u, a in zip(world.agency_users, world.agencies, strict=True)
        if a.credit_code == result["selected_agency"]
    )
    now["now"] = dt.datetime.fromisoformat(result["publicity_ends_at"])
    contract = post(buyer, f"{API}/purchases/{code}/contract", {"contract_fen": 12_000_000})
    assert contract.status_code == 200 and contract.json()["service_due_on"]
    other_agency = next(u for u in world.agency_users if u is not winner)
    denied = post(client_for(other_agency), f"{API}/purchases/{code}/deliver")
    assert denied.status_code == 404 and denied.json()["code"] == "purchase_not_found"
    assert post(client_for(winner), f"{API}/purchases/{code}/deliver").status_code == 200
    rated = post(buyer, f"{API}/purchases/{code}/rating", {"score": 5, "comment": "按期交付"})
    assert rated.status_code == 201, rated.content
    public = client.get(f"{API}/purchases/{code}").json()
    assert public["status"] == "rated" and public["rating"] == 5
    listed = client.get(f"{API}/purchases", {"method": "random"}).json()
    assert listed["items"][0]["code"] == code
    figures = client.get(f"{API}/figures").json()
    assert figures["rated"] == 1 and figures["average_rating"] == 5.0
    assert figures["random_or_competitive_share"] == 1.0


def test_a_designated_agency_and_a_stranger_buyer_are_refused(world, now):
    buyer = client_for(world.buyer)
    refused = post(
        buyer, f"{API}/purchases", {**PURCHASE, "restrictions": {"designated_agency": ["x"]}}
    )
    assert refused.status_code == 422
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "purchase_designated_agency"
    assert not Purchase.objects.exists()
    stranger = post(
        buyer, f"{API}/purchases", {**PURCHASE, "buyer_credit_code": world.agencies[0].credit_code}
    )
    assert stranger.status_code == 403 and stranger.json()["code"] == "permission_denied"
    unknown = post(buyer, f"{API}/purchases", {**PURCHASE, "colour": "red"})
    assert unknown.status_code == 422


def test_a_suspended_agency_is_refused_at_sign_up_over_the_api(world, now):
    centre = client_for(world.centre)
    code = post(client_for(world.buyer), f"{API}/purchases", PURCHASE).json()["code"]
    penalty = post(
        centre,
        f"{API}/agencies/{world.agencies[0].credit_code}/penalties",
        {"kind": "suspension", "reason": "出具虚假报告", "decided_by": "南京市生态环境局",
         "starts_at": T0.isoformat()},
    )  # fmt: skip
    assert penalty.status_code == 201, penalty.content
    denied = post(client_for(world.agency_users[0]), f"{API}/purchases/{code}/signups", {})
    assert denied.status_code == 403 and denied.json()["code"] == "agency_restricted"
    public = client_for(world.buyer).get(f"{API}/agencies/{world.agencies[0].credit_code}").json()
    assert public["restricted"] is True
    not_centre = post(
        client_for(world.buyer),
        f"{API}/agencies/{world.agencies[1].credit_code}/penalties",
        {"kind": "warning", "reason": "x", "decided_by": "y", "starts_at": T0.isoformat()},
    )
    assert not_centre.status_code == 403


def test_a_tender_bid_is_sealed_and_decrypted_by_its_bidder_over_the_api(world, now, client):
    centre = client_for(world.centre)
    made = post(
        centre,
        f"{TRADING}/tenders",
        {
            "category": "procurement",
            "title": "南京市政务服务中心自助终端采购",
            "tenderer_name": "南京市政务服务管理办公室",
            "tenderer_code": world.buyer_entity.credit_code,
            "region_code": "320100",
            "budget_fen": 300_000_000,
            "announcement": "采购自助终端 50 台。",
            "bid_deadline": (T0 + dt.timedelta(days=20)).isoformat(),
            "expert_specialty": "信息技术",
            "expert_count": 3,
            "min_bids": 1,
        },
    )
    assert made.status_code == 201, made.content
    code = made.json()["code"]
    bidder = client_for(world.agency_users[0])
    # With an Idempotency-Key the bid is taken once; its answer, which carries the
    # decryption code, is not stored, and a retry is told the bid was received.
    bid = bidder.post(
        f"{TRADING}/tenders/{code}/bids",
        json.dumps({"price_fen": 280_000_000, "proposal": "终端方案甲"}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="bid-once-1",
    )
    assert bid.status_code == 201, bid.content
    again = bidder.post(
        f"{TRADING}/tenders/{code}/bids",
        json.dumps({"price_fen": 280_000_000, "proposal": "终端方案甲"}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="bid-once-1",
    )
    assert again.status_code == 409
    assert again.json()["code"] == "idempotency_answer_withheld"
    assert TenderBid.objects.filter(tender__code=code).count() == 1
    secret_code = bid.json()["decryption_code"]
    kept = [bytes(r.response_body or b"") for r in IdempotencyRecord.objects.all()]
    assert not any(secret_code.encode() in body for body in kept)
    assert TenderBid.objects.get(tender__code=code).price_fen is None
    assert client.get(f"{TRADING}/tenders/{code}").json()["bids"] == []
    early = post(bidder, f"{TRADING}/tenders/{code}/decrypt", {"decryption_code": secret_code})
    assert early.status_code == 409 and early.json()["code"] == "opening_not_yet"
    now["now"] = T0 + dt.timedelta(days=20, minutes=1)
    late = post(bidder, f"{TRADING}/tenders/{code}/bids", {"price_fen": 1})
    assert late.status_code == 409 and late.json()["code"] == "bid_deadline_passed"
    assert post(centre, f"{TRADING}/tenders/{code}/opening").status_code == 200
    opened = post(bidder, f"{TRADING}/tenders/{code}/decrypt", {"decryption_code": secret_code})
    assert opened.status_code == 200, opened.content
    assert opened.json()["bids"][0]["price_fen"] == 280_000_000


def test_the_public_list_costs_the_same_queries_for_one_or_many_purchases(
    world, now, client, django_assert_max_num_queries
):
    from tongban.intermediaries.tests.helpers import publish

    publish(world, method="competitive")
    with django_assert_max_num_queries(4) as one:
        client.get(f"{API}/purchases")
    for _ in range(6):
        publish(world, method="competitive")
    with django_assert_max_num_queries(len(one.captured_queries)):
        listed = client.get(f"{API}/purchases").json()
    assert len(listed["items"]) == 7
