"""Staff sharing pages: catalogue, applications on both sides, verification."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.core import clock
from tongban.sharing.models import AccessGrant, AccessGrantEvent, AccessLogEntry, GrantStatus
from tongban.sharing.services import access_grant_request
from tongban.sharing.tests.conftest import T0, WANG_FANG, ZHANG_WEI, _db_for_every_test, world

__all__ = ["_db_for_every_test", "world"]

BASE = "/workbench/sharing"


@pytest.fixture(autouse=True)
def moment(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: T0)


def browser(user):
    client = Client()
    client.force_login(user)
    return client


def application(world):
    return access_grant_request(
        resource=world.resource("JS-MZ-HY-001"), consumer_department=world.market,
        purpose="个体工商户登记核验", legal_basis="《促进个体工商户发展条例》",
        field_codes=["marital_status", "spouse_name"], actor=world.head, now=T0,
    )  # fmt: skip


def test_the_catalogue_page_lists_resources_in_few_queries(world, django_assert_max_num_queries):
    client = browser(world.clerk)
    with django_assert_max_num_queries(6):  # session, user, resources (and messages)
        response = client.get(f"{BASE}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "JS-MZ-HY-001" in page and "婚姻登记信息" in page and "有条件共享" in page
    assert "婚姻状况核验" in page
    assert "JS-MZ-HY-001" not in client.get(f"{BASE}/", {"q": "户籍"}).content.decode()


def test_a_consumer_head_applies_and_a_clerk_cannot(world):
    url = f"{BASE}/resources/JS-MZ-HY-001/"
    assert "提交申请" not in browser(world.clerk).get(url).content.decode()
    assert browser(world.clerk).post(url, {}).status_code == 403
    client = browser(world.head)
    assert "提交申请" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "consumer": world.market.pk,
            "field_codes": ["marital_status"],
            "purpose": "个体工商户登记时核验婚姻状况",
            "legal_basis": "《促进个体工商户发展条例》",
        },
    )
    grant = AccessGrant.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/grants/{grant.pk}/")
    assert (grant.status, grant.consumer, grant.requested_by) == (
        GrantStatus.REQUESTED,
        world.market,
        world.head,
    )
    again = client.post(url, {"consumer": world.market.pk, "field_codes": ["marital_status"],
                              "purpose": "p", "legal_basis": "b"})  # fmt: skip
    assert again.status_code == 200 and "已有待审核的申请" in again.content.decode()
    assert browser(world.head).get(f"{BASE}/resources/NOPE/").status_code == 404


def test_the_provider_sees_and_approves_the_application(world, django_assert_max_num_queries):
    grant = application(world)
    client = browser(world.civil_head)
    with django_assert_max_num_queries(8):
        listing = client.get(f"{BASE}/grants/", {"side": "provider"})
    assert f"#{grant.pk}" in listing.content.decode()
    page = client.get(f"{BASE}/grants/{grant.pk}/").content.decode()
    assert "批准共享" in page and "撤回申请" not in page
    response = client.post(
        f"{BASE}/grants/{grant.pk}/approve/",
        {"field_codes": ["marital_status"], "valid_until": "2027-06-30", "reason": "同意",
         "expected_version": grant.version},
    )  # fmt: skip
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == GrantStatus.APPROVED
    assert list(grant.granted_fields.values_list("code", flat=True)) == ["marital_status"]
    assert AccessGrantEvent.objects.filter(grant=grant, action="approve").exists()
    stale = client.post(f"{BASE}/grants/{grant.pk}/revoke/",
                        {"revoke-reason": "x", "revoke-expected_version": 1})  # fmt: skip
    assert stale.status_code == 412 and "已被他人处理" in stale.content.decode()


def test_refusing_needs_a_reason_and_others_cannot_see_the_application(world):
    grant = application(world)
    client = browser(world.civil_head)
    empty = client.post(
        f"{BASE}/grants/{grant.pk}/refuse/",
        {"refuse-reason": "", "refuse-expected_version": grant.version},
    )
    assert empty.status_code == 422
    assert AccessGrant.objects.get(pk=grant.pk).status == GrantStatus.REQUESTED
    assert browser(world.gz_head).get(f"{BASE}/grants/{grant.pk}/").status_code == 404
    assert (
        browser(world.head)
        .post(
            f"{BASE}/grants/{grant.pk}/refuse/",
            {"refuse-reason": "x", "refuse-expected_version": grant.version},
        )
        .status_code
        == 403
    )
    assert browser(world.citizen).get(f"{BASE}/grants/").status_code == 403


def test_a_clerk_verifies_and_the_subject_line_is_written(world):
    world.grant("JS-MZ-HY-001", ["marital_status"])
    client = browser(world.clerk)
    url = f"{BASE}/verify/marriage/"
    assert "配偶公民身份号码" in client.get(url).content.decode()
    data = {"consumer": world.market.pk, "subject_kind": "person", "identifier": ZHANG_WEI,
            "purpose": "个体工商户登记核验婚姻状况", "case_no": ""}  # fmt: skip
    page = client.post(url, data).content.decode()
    assert "核验结果：是" in page
    refused = client.post(
        url, {**data, "identifier": WANG_FANG, "param_spouse_id_number": ZHANG_WEI}
    )
    assert refused.status_code == 403 and "sharing_field_not_granted" in refused.content.decode()
    assert list(AccessLogEntry.objects.order_by("seq").values_list("channel", "outcome")) == [
        ("workbench", "answered"),
        ("workbench", "refused"),
    ]
    assert client.post(url, {**data, "purpose": ""}).status_code == 422
    assert browser(world.civil_head).get(f"{BASE}/verify/nope/").status_code == 404
