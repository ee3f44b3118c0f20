"""Announcing a tender (发布交易公告) from the workbench and the API, its uploaded tender
document, and clarifications (答疑澄清): the refusals by field and code, the push to
the bidders, the public page, and another region's staff kept out."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.core.models import Notification
from tongban.identity.services import staff_account_create, token_create
from tongban.intermediaries.models import Tender, TenderDocument
from tongban.intermediaries.services.tender_documents import tender_announce
from tongban.intermediaries.services.trading import (
    bid_submit,
    tender_document_add,
    tender_opening_start,
)
from tongban.intermediaries.tests.conftest import PASSWORD, T0
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign

DEADLINE = T0 + dt.timedelta(days=20)
PDF = b"%PDF-1.4\n% tender document\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def now(monkeypatch):
    moment = {"now": T0}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    return moment


def logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def form(world, **overrides):
    data = {
        "category": "land_mining",
        "title": "新港片区 2026-07 号地块国有建设用地使用权挂牌出让",
        "tenderer_name": world.buyer_entity.name,
        "tenderer_code": world.buyer_entity.credit_code,
        "region": "320100",
        "budget_yuan": "86000000",
        "bid_deadline": "2026-11-23T10:00",
        "opens_at": "2026-11-23T14:30",
        "announcement": "挂牌出让公告：新港片区 2026-07 号地块，工业用地，出让年限 50 年。",
        "expert_specialty": "土地评估",
        "expert_count": "5",
        "min_bids": "1",
    }
    data.update(overrides)
    return data


def announce(world, **overrides) -> Tender:
    fields = {
        "category": "construction",
        "title": "新港物流园二期仓储工程施工",
        "tenderer_name": world.buyer_entity.name,
        "tenderer_code": world.buyer_entity.credit_code,
        "region_code": "320100",
        "budget_fen": 5_000_000_000,
        "announcement": "招标公告：新港物流园二期仓储工程施工。",
        "bid_deadline": DEADLINE,
        "expert_specialty": "房屋建筑",
        "expert_count": 3,
        "min_bids": 1,
        "actor": world.centre,
        "now": T0,
    }
    fields.update(overrides)
    return tender_announce(**fields)


def other_region_admin():
    ganzhou = Department.objects.get(name="赣州市市场监督管理局")
    other = staff_account_create(username="gz_centre", display_name="刘强", password=PASSWORD)
    staff_assign(
        user_id=other.pk, role=Role.PLATFORM_ADMIN, department=ganzhou, region_scope=ganzhou.region
    )
    return other


def test_staff_announce_a_tender_with_its_document_and_the_public_page_shows_it(world, now):
    centre = logged_in(world.centre)
    page = centre.get("/workbench/market/tenders/new/")
    assert page.status_code == 200 and "土地和矿业权" in page.content.decode()
    upload = SimpleUploadedFile("出让文件.pdf", PDF, content_type="application/pdf")
    done = centre.post("/workbench/market/tenders/new/", {**form(world), "document": upload})
    assert done.status_code == 302, done.content.decode()
    tender = Tender.objects.get(title__startswith="新港片区")
    assert done["Location"] == f"/workbench/market/tenders/{tender.code}/"
    assert tender.category == "land_mining" and tender.budget_fen == 8_600_000_000
    assert tender.opening_time == tender.bid_deadline + dt.timedelta(hours=4, minutes=30)
    document = TenderDocument.objects.get(tender=tender)
    assert document.file_name == "出让文件.pdf" and document.file_type == "application/pdf"
    public = Client().get(f"/market/tenders/{tender.code}/").content.decode()
    assert "出让文件.pdf" in public and "开标时间" in public and "2026年11月23日 14:30" in public
    got = Client().get(f"/market/tenders/{tender.code}/documents/{document.pk}/")
    assert got.content == PDF and got["Content-Type"] == "application/pdf"
    assert got["X-Content-SM3"] == document.sm3


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"opens_at": "2026-11-23T09:00"}, "opens_at", "开标时间不能早于投标截止时间"),
        ({"bid_deadline": "2026-11-01T10:00"}, "bid_deadline", "投标截止时间须晚于现在"),
        ({"bid_deadline": "2026-11-02T12:00"}, "bid_deadline", "至少 1 天"),
        ({"tenderer_code": "91320100MA1XXXXX00"}, "tenderer_code", "统一社会信用代码无效"),
        ({"category": "lottery"}, "category", "选择一个有效的选项"),
        ({"expert_count": "4"}, "expert_count", "单数"),
        ({"title": ""}, "title", "这个字段是必填项"),
    ],
)
def test_a_bad_announcement_is_refused_by_field_and_nothing_is_saved(
    world, now, overrides, field, message
):
    refused = logged_in(world.centre).post(
        "/workbench/market/tenders/new/", form(world, **overrides)
    )
    assert refused.status_code == 422
    errors = refused.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert f'id="id_{field}_error"' in refused.content.decode()
    assert not Tender.objects.exists()


def test_a_file_that_is_not_a_pdf_refuses_the_announcement_and_leaves_no_tender(world, now):
    fake = SimpleUploadedFile(
        "招标文件.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    refused = logged_in(world.centre).post(
        "/workbench/market/tenders/new/", {**form(world), "document": fake}
    )
    assert refused.status_code == 422 and "document" in refused.context["form"].errors
    assert not Tender.objects.exists() and not TenderDocument.objects.exists()


def test_the_api_refuses_an_opening_before_the_deadline_with_its_code(world, now):
    _token, secret = token_create(user=world.centre, name="test")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    body = {
        "category": "procurement",
        "title": "自助终端采购",
        "tenderer_name": world.buyer_entity.name,
        "tenderer_code": world.buyer_entity.credit_code,
        "region_code": "320100",
        "budget_fen": 150_000_000,
        "announcement": "采购自助终端 30 台。",
        "bid_deadline": DEADLINE.isoformat(),
        "opens_at": (DEADLINE - dt.timedelta(hours=1)).isoformat(),
        "expert_specialty": "信息技术",
        "expert_count": 3,
    }
    refused = api.post("/api/v1/trading/tenders", json.dumps(body), content_type="application/json")
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["code"] == "tender_invalid" and problem["errors"][0]["field"] == "opens_at"
    assert not Tender.objects.exists()
    body["opens_at"] = (DEADLINE + dt.timedelta(hours=2)).isoformat()
    made = api.post("/api/v1/trading/tenders", json.dumps(body), content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["opening_time"].startswith(
        (DEADLINE + dt.timedelta(hours=2)).isoformat()[:16]
    )


def test_a_clarification_is_published_shown_and_pushed_to_the_bidders(
    world, now, django_capture_on_commit_callbacks
):
    tender = announce(world)
    now["now"] = T0 + dt.timedelta(days=1)
    bid_submit(tender=tender, bidder=world.agencies[0].legal_entity, price_fen=10, proposal="甲")
    bid_submit(tender=tender, bidder=world.agencies[1].legal_entity, price_fen=11, proposal="乙")
    centre = logged_in(world.centre)
    with django_capture_on_commit_callbacks(execute=True):
        posted = centre.post(
            f"/workbench/market/tenders/{tender.code}/",
            {
                "action": "clarify",
                "c-title": "关于工期的澄清",
                "c-content": "工期调整为 210 日历天。",
            },
        )
    assert posted.status_code == 302
    clarification = TenderDocument.objects.get(tender=tender, kind="clarification")
    public = Client().get(f"/market/tenders/{tender.code}/").content.decode()
    assert "答疑澄清" in public and "工期调整为 210 日历天。" in public
    told = Notification.objects.filter(purpose="trading.clarification", object_id=tender.code)
    assert told.count() == 2, "each bidder is told once"
    assert all("关于工期的澄清" in n.body for n in told)
    assert clarification.sm3 and clarification.published_at == now["now"]


def test_a_clarification_after_the_deadline_is_refused_with_a_code(world, now):
    tender = announce(world)
    now["now"] = DEADLINE
    with pytest.raises(DomainError) as refused:
        tender_document_add(tender=tender, kind="clarification", title="补充", content="迟到的澄清")
    assert refused.value.error.code == "bid_deadline_passed"
    page = logged_in(world.centre).post(
        f"/workbench/market/tenders/{tender.code}/",
        {"action": "clarify", "c-title": "补充", "c-content": "迟到的澄清"},
    )
    assert page.status_code == 422 and "投标截止后不能再发布" in page.content.decode()
    assert not TenderDocument.objects.filter(tender=tender, kind="clarification").exists()
    now["now"] = DEADLINE + dt.timedelta(minutes=1)
    tender_opening_start(tender=tender)
    with pytest.raises(DomainError) as opened:
        tender_document_add(tender=tender, kind="clarification", title="补充", content="开标后")
    assert opened.value.error.code == "tender_invalid_state"


def test_a_clarification_with_empty_fields_is_refused_by_field(world, now):
    tender = announce(world)
    page = logged_in(world.centre).post(
        f"/workbench/market/tenders/{tender.code}/",
        {"action": "clarify", "c-title": "", "c-content": ""},
    )
    assert page.status_code == 422
    assert set(page.context["clarification"].errors) == {"title", "content"}


def test_another_regions_staff_neither_announce_here_nor_see_the_tender(world, now):
    tender = announce(world)
    other = logged_in(other_region_admin())
    assert other.get(f"/workbench/market/tenders/{tender.code}/").status_code == 404
    sent = other.post(
        f"/workbench/market/tenders/{tender.code}/",
        {"action": "clarify", "c-title": "越权", "c-content": "越权澄清"},
    )
    assert sent.status_code == 404
    refused = other.post("/workbench/market/tenders/new/", form(world))
    assert refused.status_code == 422 and "region" in refused.context["form"].errors
    assert Tender.objects.count() == 1
    assert logged_in(world.buyer).get("/workbench/market/tenders/new/").status_code == 403
