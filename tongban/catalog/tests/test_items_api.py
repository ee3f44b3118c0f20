"""The public catalogue API: /api/v1/catalog/items, /items/{code} and /suggest."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.catalog.models import GuideVersion, SearchEntry, ServiceItem
from tongban.org.models import Department

from .test_search import JIANGSU, NANJING, XUANWU, catalogue  # noqa: F401 (module fixture)

pytestmark = pytest.mark.django_db
ITEMS = "/api/v1/catalog/items"
SUGGEST = "/api/v1/catalog/suggest"


@pytest.fixture
def anonymous() -> Client:
    return Client()


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    assert body["detail"]
    return body


def test_search_returns_the_list_shape_without_login(anonymous, catalogue):  # noqa: F811
    response = anonymous.get(ITEMS, {"q": "结婚登记", "region": XUANWU})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next_cursor"] is None
    [item] = body["items"]
    marriage = catalogue.items["marriage"]
    assert item == {
        "implementation_code": marriage.implementation_code,
        "name": "内地居民结婚登记",
        "department": {"id": marriage.department_id, "name": "南京市玄武区民政局"},
        "region": {"code": XUANWU, "name": marriage.region.full_name or "玄武区"},
        "level": "4",
        "item_type": "07",
        "handling": "promised",
        "online_depth": 3,
        "visits_required": 1,
        "mobile": True,
        "modes": ["one_visit", "appointment"],
        "audience": ["person"],
        "themes": ["婚姻登记"],
        "promised_limit": {"value": 5, "unit": "working_days"},
    }


def test_search_by_pinyin_initials_over_http(anonymous, catalogue):  # noqa: F811
    body = anonymous.get(ITEMS, {"q": "yyzz", "region": XUANWU}).json()
    names = [i["name"] for i in body["items"]]
    assert names == ["企业开办营业执照申领", "营业执照"]  # own district, then province
    assert body["items"][0]["region"]["code"] == XUANWU


def test_a_county_lists_provincial_items(anonymous, catalogue):  # noqa: F811
    body = anonymous.get(ITEMS, {"region": XUANWU, "limit": 100}).json()
    regions = {i["region"]["code"] for i in body["items"]}
    assert regions == {XUANWU, NANJING, JIANGSU}


def test_filters_over_http(anonymous, catalogue):  # noqa: F811
    dept = Department.objects.get(name="江苏省人力资源和社会保障厅")
    for params, key in [
        ({"theme": "社会保障"}, "social"),
        ({"department": dept.pk}, "social"),
        ({"mode": "no_visit"}, "opening"),
        ({"audience": "person", "type": "07", "q": "户口"}, "hukou"),
    ]:
        body = anonymous.get(ITEMS, params).json()
        assert [i["implementation_code"] for i in body["items"]] == [catalogue.code(key)], params


def test_cursor_pages_cover_every_item_once(anonymous, catalogue):  # noqa: F811
    seen: list[str] = []
    params: dict[str, object] = {"limit": 3}
    while True:
        body = anonymous.get(ITEMS, params).json()
        seen += [i["implementation_code"] for i in body["items"]]
        if not body["next_cursor"]:
            break
        params["cursor"] = body["next_cursor"]
    published = ServiceItem.objects.filter(status="active", current_version__isnull=False)
    assert sorted(seen) == sorted(published.values_list("implementation_code", flat=True))


def test_the_list_runs_a_fixed_number_of_queries(
    anonymous,
    catalogue,  # noqa: F811
    django_assert_max_num_queries,
):
    dept = catalogue.items["opening"].department_id
    # region, department, the name matches, the other matches
    with django_assert_max_num_queries(4):
        response = anonymous.get(
            ITEMS, {"q": "营业执照", "region": XUANWU, "department": dept, "limit": 100}
        )
    assert len(response.json()["items"]) == 1
    with django_assert_max_num_queries(2):  # page, promised units
        response = anonymous.get(ITEMS, {"limit": 100})
    assert len(response.json()["items"]) == 7


def test_detail_returns_the_whole_published_guide(anonymous, catalogue):  # noqa: F811
    social = catalogue.items["social"]
    writes_before = (GuideVersion.objects.count(), SearchEntry.objects.count())
    response = anonymous.get(f"{ITEMS}/{social.implementation_code}")
    assert response.status_code == 200, response.content
    body = response.json()
    version = GuideVersion.objects.get(service_item=social, status="published")
    assert body["implementation_code"] == social.implementation_code
    assert body["version"] == version.number == 1
    assert version.published_at is not None
    assert body["published_at"].startswith(version.published_at.isoformat()[:19])
    assert body["content"]["name"] == "基本养老保险关系转移接续"
    assert body["content"]["aliases"] == ["社保转移"]
    assert body["content"]["materials"][0]["name"] == "申请表"
    assert body["themes"] == ["社会保障", "就业创业"]
    assert body["has_fee"] is False
    assert (GuideVersion.objects.count(), SearchEntry.objects.count()) == writes_before


def test_detail_code_is_case_insensitive(anonymous, catalogue):  # noqa: F811
    code = catalogue.code("hukou")
    assert anonymous.get(f"{ITEMS}/{code.lower()}").json()["implementation_code"] == code


@pytest.mark.parametrize("key", ["draft", "cancelled"])
def test_detail_of_an_unpublished_or_cancelled_item_is_not_found(anonymous, catalogue, key):  # noqa: F811
    problem(anonymous.get(f"{ITEMS}/{catalogue.code(key)}"), 404, "not_found")


@pytest.mark.parametrize("code", ["NOPE", "x" * 200, "%E8%90%A5"])
def test_detail_of_an_unknown_code_is_not_found(anonymous, catalogue, code):  # noqa: F811
    problem(anonymous.get(f"{ITEMS}/{code}"), 404, "not_found")


def test_a_nul_character_in_the_code_is_a_malformed_request(anonymous, catalogue):  # noqa: F811
    problem(anonymous.get(f"{ITEMS}/a%00b"), 400, "malformed_request")


def test_suggest_over_http(anonymous, catalogue):  # noqa: F811
    response = anonymous.get(SUGGEST, {"q": "营业执", "region": JIANGSU})
    assert response.status_code == 200
    suggestions = response.json()["suggestions"]
    assert suggestions[0] == "营业执照"
    assert "企业开办营业执照申领" in suggestions
    assert anonymous.get(SUGGEST, {"q": ""}).json() == {"suggestions": []}


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"region": "abc"}, 422, "validation_failed"),
        ({"region": "999999"}, 422, "validation_failed"),
        ({"department": "0"}, 422, "validation_failed"),
        ({"department": "999999999"}, 422, "validation_failed"),
        ({"department": "x"}, 422, "validation_failed"),
        ({"audience": "alien"}, 422, "validation_failed"),
        ({"mode": "teleport"}, 422, "validation_failed"),
        ({"type": "99"}, 422, "validation_failed"),
        ({"limit": "0"}, 422, "validation_failed"),
        ({"limit": "101"}, 422, "validation_failed"),
        ({"q": "长" * 101}, 422, "validation_failed"),
        ({"cursor": "not-a-cursor"}, 400, "invalid_cursor"),
        ({"cursor": "WyJ4IiwieCIsIngiLCJ4Il0"}, 400, "invalid_cursor"),
    ],
)
def test_bad_parameters_are_problems_with_a_code(anonymous, catalogue, params, status, code):  # noqa: F811
    body = problem(anonymous.get(ITEMS, params), status, code)
    if code == "validation_failed":
        assert body["errors"][0]["field"].startswith("query.")


def test_bad_suggest_region_is_a_problem(anonymous, catalogue):  # noqa: F811
    problem(anonymous.get(SUGGEST, {"q": "营业", "region": "12"}), 422, "validation_failed")
    problem(anonymous.get(SUGGEST, {"q": "营业", "region": "990000"}), 422, "validation_failed")


def test_nul_and_control_characters_in_the_query_are_harmless(anonymous, catalogue):  # noqa: F811
    # A NUL or another control character is refused for every endpoint at the
    # input boundary (core.middleware.input) …
    problem(
        anonymous.get(ITEMS, {"q": "营业\x00执照", "theme": "设立变更"}), 400, "malformed_request"
    )
    problem(anonymous.get(SUGGEST, {"q": "\x00"}), 400, "malformed_request")
    problem(anonymous.get(ITEMS, {"q": "营业执照\x07"}), 400, "malformed_request")
    # … while a tab is whitespace, stripped by the search.
    assert anonymous.get(ITEMS, {"q": "营业执照\t"}).status_code == 200


# --- the guide's answer, kept by version (issue 12, item 3) ---------------------------------


def _as_schema_renders(body: dict, schema: type | None = None) -> dict:
    """What django-ninja answers for ``body`` through the schema (every field, nothing more)."""
    import json

    from ninja.responses import NinjaJSONEncoder

    from tongban.catalog.api.items import ItemDetailOut

    rendered = (schema or ItemDetailOut).model_validate(body).model_dump()  # type: ignore[attr-defined]
    return json.loads(json.dumps(rendered, cls=NinjaJSONEncoder))


def test_search_answers_what_its_schema_renders(anonymous, catalogue):  # noqa: F811
    from tongban.catalog.api.items import ItemPage

    for params in ({"q": "营业执照"}, {"region": XUANWU, "limit": 100}, {"q": "yyzz", "limit": 1}):
        response = anonymous.get(ITEMS, params)
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/json; charset=utf-8"
        body = response.json()
        assert body["items"], params
        assert body == _as_schema_renders(body, ItemPage), params


def test_the_guide_answers_what_its_schema_renders(anonymous, catalogue):  # noqa: F811
    for key in ("social", "marriage", "opening"):
        body = anonymous.get(f"{ITEMS}/{catalogue.code(key)}").json()
        assert body == _as_schema_renders(body), key


def test_a_guide_read_again_costs_two_statements_and_none_for_its_document(
    anonymous,
    catalogue,  # noqa: F811
    django_assert_num_queries,
):
    code = catalogue.code("social")
    with django_assert_num_queries(2):  # the item with its version; the guide, once
        first = anonymous.get(f"{ITEMS}/{code}")
    with django_assert_num_queries(1):  # the item with its version
        again = anonymous.get(f"{ITEMS}/{code}")
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]


def test_the_guide_answers_304_while_nothing_changed(anonymous, catalogue):  # noqa: F811
    code = catalogue.code("marriage")
    first = anonymous.get(f"{ITEMS}/{code}")
    etag = first["ETag"]
    assert first["Cache-Control"] == "no-cache"  # kept, and asked again before use
    for header in (etag, f"W/{etag}", f'"1.1.0", {etag}', "*"):
        again = anonymous.get(f"{ITEMS}/{code}", headers={"If-None-Match": header})
        assert again.status_code == 304, header
        assert again.content == b""
        assert again["ETag"] == etag
    assert anonymous.get(f"{ITEMS}/{code}", headers={"If-None-Match": '"1.1.0"'}).status_code == 200


def test_a_new_version_or_a_renamed_department_changes_the_guide_tag(anonymous, catalogue):  # noqa: F811
    from tongban.catalog.services import guide_load_published

    from .test_search import guide

    item = catalogue.items["marriage"]
    first = anonymous.get(f"{ITEMS}/{item.implementation_code}")
    department = Department.objects.get(pk=item.department_id)
    department.name = "南京市玄武区民政局（婚姻登记处）"
    department.save(update_fields=["name"])
    renamed = anonymous.get(
        f"{ITEMS}/{item.implementation_code}", headers={"If-None-Match": first["ETag"]}
    )
    assert renamed.status_code == 200
    assert renamed.json()["department"]["name"] == "南京市玄武区民政局（婚姻登记处）"
    assert renamed["ETag"] != first["ETag"]
    guide_load_published(
        basic_item=item.basic_item,
        department=department,
        content=guide(
            "内地居民结婚登记", aliases=["领证"], audience=["person"], themes=["婚姻登记"]
        ),
    )
    republished = anonymous.get(
        f"{ITEMS}/{item.implementation_code}", headers={"If-None-Match": renamed["ETag"]}
    )
    assert republished.status_code == 200
    assert republished.json()["version"] == first.json()["version"] + 1
    assert republished.json()["content"]["aliases"] == ["领证"]


def test_a_caller_with_credentials_gets_no_store_on_the_guide(catalogue):  # noqa: F811
    response = Client(headers={"Authorization": "Bearer tb_unknown"}).get(
        f"{ITEMS}/{catalogue.code('social')}"
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
