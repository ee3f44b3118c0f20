"""The expert pool (评标专家库) on the workbench: add, list with masked phones, edit,
take out of the pool, co-work for 回避; the refusals (missing fields, a duplicate,
another region) by field and code; the draw honours deactivation and co-work."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.identity.services import staff_account_create
from tongban.intermediaries.models import Expert, ExpertCoWork, TenderExpert, TenderStatus
from tongban.intermediaries.services import experts as expert_services
from tongban.intermediaries.services.evaluation import tender_opening_close
from tongban.intermediaries.services.trading import (
    bid_decrypt,
    bid_submit,
    tender_opening_start,
    tender_publish,
)
from tongban.intermediaries.tests.conftest import PASSWORD, T0
from tongban.org.demo import credit_code_for
from tongban.org.models import Department, Role
from tongban.org.selectors import staff_scope_for
from tongban.org.services import staff_assign

PAGE = "/workbench/market/experts/"


@pytest.fixture(autouse=True)
def _now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: T0)


def logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def employer(n: int) -> str:
    return credit_code_for(name=f"专家单位{n}", region_code="320100", registrar="12")


def fields(n: int, **overrides: str) -> dict[str, str]:
    data = {
        "name": f"专家{n}",
        "specialty": "房屋建筑",
        "employer_name": f"专家单位{n}",
        "employer_code": employer(n),
        "region": "320100",
        "phone": f"1380000{n:04d}",
    }
    data.update(overrides)
    return data


def given(n: int, **overrides: str) -> expert_services.ExpertInput:
    data = fields(n, **overrides)
    data["region_code"] = data.pop("region")
    return expert_services.ExpertInput(**data)


def test_staff_add_list_edit_and_take_an_expert_out_of_the_pool(world):
    centre = logged_in(world.centre)
    added = centre.post(PAGE, fields(1))
    assert added.status_code == 302
    expert = Expert.objects.get(name="专家1")
    assert expert.code.startswith("E320100") and expert.active
    assert expert.region_path and "13800000001" not in expert.phone_enc
    listing = centre.get(PAGE).content.decode()
    assert "138****0001" in listing and "13800000001" not in listing
    page = f"{PAGE}{expert.code}/"
    edit = centre.get(page).content.decode()
    assert "13800000001" not in edit, "the edit form does not show the phone in clear"
    saved = centre.post(
        page, {"action": "save", **{f"e-{k}": v for k, v in fields(1, phone="").items()}}
    )
    assert saved.status_code == 302
    centre.post(
        page,
        {
            "action": "save",
            **{f"e-{k}": v for k, v in fields(1, specialty="市政道路", phone="").items()},
        },
    )
    expert.refresh_from_db()
    assert expert.specialty == "市政道路" and expert.phone_masked == "138****0001"
    assert centre.post(page, {"action": "deactivate"}).status_code == 302
    assert not Expert.objects.get(pk=expert.pk).active
    assert centre.post(page, {"action": "deactivate"}).status_code == 302  # idempotent
    assert AuditEvent.objects.filter(action="trading.expert_deactivate").count() == 1
    co_work = {"action": "co_work", "w-entity_code": world.agencies[0].credit_code}
    assert centre.post(page, {**co_work, "w-until": "2026-06-30"}).status_code == 302
    assert ExpertCoWork.objects.filter(expert=expert).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "这个字段是必填项"),
        ({"employer_name": ""}, "employer_name", "这个字段是必填项"),
        ({"specialty": "  "}, "specialty", "这个字段是必填项"),
        ({"employer_code": "123"}, "employer_code", "统一社会信用代码无效"),
        ({"phone": "12345"}, "phone", "手机号码无效"),
        ({"region": "999999"}, "region", "选择一个有效的选项"),
    ],
)
def test_an_expert_with_a_missing_or_bad_field_is_refused_by_field(
    world, overrides, field, message
):
    refused = logged_in(world.centre).post(PAGE, fields(2, **overrides))
    assert refused.status_code == 422
    errors = refused.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert not Expert.objects.exists()


def test_the_service_refuses_missing_fields_with_a_code(world):
    scope = staff_scope_for(user=world.centre)
    with pytest.raises(DomainError) as refused:
        expert_services.expert_add(given=given(3, name=""), scope=scope)
    assert refused.value.error.code == "expert_invalid"
    assert refused.value.fields == [{"field": "name", "code": "invalid"}]


def test_a_second_expert_with_the_same_phone_is_refused_as_a_duplicate(world):
    centre = logged_in(world.centre)
    assert centre.post(PAGE, fields(4)).status_code == 302
    again = centre.post(PAGE, fields(5, phone="138 0000 0004"))
    assert again.status_code == 422
    assert "同一专家只能入库一次" in " ".join(again.context["form"].errors["phone"])
    with pytest.raises(DomainError) as refused:
        expert_services.expert_add(
            given=given(6, phone="13800000004"), scope=staff_scope_for(user=world.centre)
        )
    assert refused.value.error.code == "expert_duplicate"
    assert Expert.objects.count() == 1


def test_another_regions_staff_neither_see_nor_change_the_pool(world):
    expert = expert_services.expert_add(
        given=given(7), scope=staff_scope_for(user=world.centre), actor=world.centre
    )
    ganzhou = Department.objects.get(name="赣州市市场监督管理局")
    other = staff_account_create(username="gz_pool", display_name="刘强", password=PASSWORD)
    staff_assign(
        user_id=other.pk, role=Role.PLATFORM_ADMIN, department=ganzhou, region_scope=ganzhou.region
    )
    client = logged_in(other)
    assert expert.code not in client.get(PAGE).content.decode()
    assert client.get(f"{PAGE}{expert.code}/").status_code == 404
    assert client.post(f"{PAGE}{expert.code}/", {"action": "deactivate"}).status_code == 404
    with pytest.raises(DomainError) as refused:
        expert_services.expert_add(given=given(8), scope=staff_scope_for(user=other))
    assert refused.value.fields == [{"field": "region_code", "code": "out_of_scope"}]
    with pytest.raises(DomainError) as hidden:
        expert_services.expert_set_active(
            expert=expert, active=False, scope=staff_scope_for(user=other)
        )
    assert hidden.value.error.code == "expert_not_found"
    assert Expert.objects.get(pk=expert.pk).active
    assert logged_in(world.buyer).get(PAGE).status_code == 403


def test_the_draw_skips_experts_out_of_the_pool_and_those_who_worked_with_a_bidder(world):
    scope = staff_scope_for(user=world.centre)
    pool = [expert_services.expert_add(given=given(10 + i), scope=scope) for i in range(6)]
    expert_services.expert_set_active(expert=pool[0], active=False, scope=scope)
    expert_services.expert_co_work_add(
        expert=pool[1],
        entity_code=world.agencies[0].credit_code,
        until=dt.date(2026, 1, 31),
        scope=scope,
    )
    deadline = T0 + dt.timedelta(days=2)
    tender = tender_publish(
        category="construction",
        title="新港物流园门卫室施工",
        tenderer_name=world.buyer_entity.name,
        tenderer_code=world.buyer_entity.credit_code,
        region_code="320100",
        budget_fen=50_000_000,
        announcement="招标公告。",
        bid_deadline=deadline,
        opens_at=deadline + dt.timedelta(hours=1),
        expert_specialty="房屋建筑",
        expert_count=3,
        min_bids=1,
        now=T0,
    )
    bid, code = bid_submit(
        tender=tender, bidder=world.agencies[0].legal_entity, price_fen=1, proposal="", now=T0
    )
    with pytest.raises(DomainError) as early:
        tender_opening_start(tender=tender, now=deadline + dt.timedelta(minutes=30))
    assert early.value.error.code == "opening_not_yet"
    opening = deadline + dt.timedelta(hours=1)
    tender_opening_start(tender=tender, now=opening)
    bid_decrypt(bid=bid, decryption_code=code, now=opening)
    closed = tender_opening_close(tender=tender, now=opening)
    assert closed.status == TenderStatus.EVALUATING
    drawn = set(TenderExpert.objects.filter(tender=tender).values_list("expert_id", flat=True))
    assert len(drawn) == 3 and not drawn & {pool[0].pk, pool[1].pk}
