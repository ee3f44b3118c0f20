"""所在地区 in the header (issue 20, item 5): only regions with items are
offered, the choice is remembered, it defaults from the account, and it scopes
search and lists."""

from __future__ import annotations

import re

import pytest

from tests.support.catalog import seed_catalog
from tongban.identity import services as identity_services
from tongban.portal.tests.test_case_pages import PASSWORD, id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed():
    return seed_catalog()


def options(body: str) -> list[str]:
    select = re.search(r'<select id="region-switcher".*?</select>', body, re.DOTALL)
    assert select, "no region switcher in the header"
    return re.findall(r'<option value="([^"]+)"', select.group(0))


def selected(body: str) -> str:
    match = re.search(r'<option value="([^"]+)" selected>', body)
    return match.group(1) if match else ""


def test_only_regions_with_published_items_are_offered(client, seed):
    body = client.get("/").content.decode()
    # 南京市 and 赣州市 items: their cities and provinces, nothing else
    assert options(body) == ["all", "320000", "320100", "360000", "360700"]
    assert selected(body) == "all"  # an anonymous visitor without a choice


def test_the_choice_is_remembered_and_scopes_the_search(client, seed):
    response = client.post(
        "/region/", {"region": "360700", "next": "/services/?q=食品&region=320100"}
    )
    assert response.status_code == 302
    assert (
        response["Location"] == "/services/?q=%E9%A3%9F%E5%93%81"
    )  # the page's own region dropped
    assert client.cookies["tb_region"].value == "360700"
    body = client.get("/services/").content.decode()
    assert selected(body) == "360700"
    assert seed.ganzhou.implementation_code in body
    assert seed.food.implementation_code not in body  # a Nanjing item
    # the page may still ask for another region explicitly
    other = client.get("/services/", {"region": "320100"}).content.decode()
    assert seed.food.implementation_code in other
    client.post("/region/", {"region": "all", "next": "/services/"})
    everything = client.get("/services/").content.decode()
    assert seed.food.implementation_code in everything
    assert seed.ganzhou.implementation_code in everything


def test_a_region_not_offered_is_not_remembered(client, seed):
    client.post("/region/", {"region": "110000", "next": "/"})
    assert "tb_region" not in client.cookies


def test_the_region_defaults_from_the_account(client, seed):
    citizen = identity_services.citizen_signup(
        phone="13800000009",
        password=PASSWORD,
        name="王五",
        id_number=id_number("36070219900101123"),  # registered in 章贡区, 赣州市
        username="wangwu",
    )
    client.force_login(citizen)
    body = client.get("/services/").content.decode()
    assert selected(body) == "360700"  # 章贡区 has no items: its city
    assert seed.ganzhou.implementation_code in body
    assert seed.food.implementation_code not in body


def test_the_lists_open_on_the_chosen_region(client, seed):
    client.post("/region/", {"region": "360700", "next": "/lists/"})
    body = client.get("/lists/").content.decode()
    assert "赣州市" in body
    assert re.search(r'<option value="360700" selected', body)
