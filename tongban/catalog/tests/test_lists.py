"""The published lists (R-CT-4, R-CT-5): membership by region, rows, queries, API."""

from __future__ import annotations

import pytest

from tongban.catalog import lists
from tongban.catalog.models import ServiceItem, ServiceItemStatus
from tongban.catalog.tests.lists_seed import seed_catalogue
from tongban.core.errors import DomainError
from tongban.org.demo import demo_org_load
from tongban.org.models import Region

pytestmark = pytest.mark.django_db
XUANWU, JIANGNING, NANJING, JIANGSU = "320102", "320115", "320100", "320000"


@pytest.fixture
def catalogue() -> dict[str, ServiceItem]:
    demo_org_load()
    return seed_catalogue()


def keys_of(slug: str, region: str, items: dict[str, ServiceItem]) -> list[str]:
    by_code = {item.implementation_code: key for key, item in items.items()}
    return [by_code[row.implementation_code] for row in lists.list_rows(slug, region)]


# Region 玄武区 sees the province's and 南京市's items and its own, never 江宁区's (J1).
@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("power", {"P1", "P2", "C1", "C2", "X1"}),  # types 01–10
        ("responsibility", {"P1", "P2", "C1", "C2", "X1"}),  # same items as 权力清单
        ("fees", {"C1"}),  # has_fee
        ("prior-approval", {"P1"}),
        ("intermediary", {"C1"}),
        ("public-service", {"S1"}),  # type 20
        ("no-visit", {"C1", "S1"}),  # 0 visits
        ("one-visit", {"P1", "C1", "C2", "X1", "S1"}),  # ≤ 1 visit; P2 needs 2
        ("on-the-spot", {"C2"}),  # 即办件 and mode 马上办
        ("online", {"P1", "C1", "X1", "S1"}),  # depth ≥ Ⅲ
        ("nearby", {"X1"}),  # county level and mode 就近办
        ("no-meeting", {"C1", "S1"}),  # depth Ⅳ (C1), mode 不见面审批 (S1)
        ("licence-separation", {"C1", "P1"}),
    ],
)
def test_each_list_of_a_county_holds_exactly_its_items(catalogue, slug, expected):
    assert set(keys_of(slug, XUANWU, catalogue)) == expected


def test_a_region_list_includes_the_items_below_it_and_never_a_siblings(catalogue):
    assert set(keys_of("nearby", NANJING, catalogue)) == {"X1", "J1"}
    assert set(keys_of("power", JIANGNING, catalogue)) == {"P1", "P2", "C1", "C2", "J1"}
    assert set(keys_of("power", JIANGSU, catalogue)) == {"P1", "P2", "C1", "C2", "X1", "J1"}


def test_a_list_of_another_province_is_empty(catalogue):
    assert lists.list_rows("power", "360000") == []


def test_cancelled_and_unpublished_items_are_not_listed(catalogue):
    ServiceItem.objects.filter(pk=catalogue["C1"].pk).update(status=ServiceItemStatus.CANCELLED)
    ServiceItem.objects.filter(pk=catalogue["X1"].pk).update(current_version=None)
    assert set(keys_of("online", XUANWU, catalogue)) == {"P1", "S1"}


@pytest.mark.parametrize("slug", list(lists.LISTS))
def test_every_list_is_read_in_one_query(catalogue, slug, django_assert_num_queries):
    region = Region.objects.get(code=NANJING)
    with django_assert_num_queries(1):
        rows = lists.list_rows(slug, region)
    assert rows, f"seed has no item for {slug}"


def test_the_licence_separation_list_is_grouped_in_the_reform_order(catalogue):
    rows = lists.list_rows("licence-separation", XUANWU)
    # 审批改为备案 comes before 优化审批服务 in the reform documents.
    assert [r.group for r in rows] == ["审批改为备案", "优化审批服务"]
    groups = lists.group_rows(rows)
    assert [(g.title, len(g.rows)) for g in groups] == [("审批改为备案", 1), ("优化审批服务", 1)]
    # Ungrouped lists carry no group title.
    assert {r.group for r in lists.list_rows("power", XUANWU)} == {""}


def test_rows_show_readable_values(catalogue):
    row = next(
        r
        for r in lists.list_rows("fees", XUANWU)
        if r.implementation_code == catalogue["C1"].implementation_code
    )
    assert row.name == "食品经营许可证核发"
    assert row.department == "南京市市场监督管理局"
    assert row.item_type == "行政许可"
    assert row.level == "市级"
    assert row.online_depth == "Ⅳ级"
    assert row.visits == "0 次"
    assert row.promised_limit == "5 个工作日"
    assert row.fees == "工本费：每证 10 元（依据：苏价费〔2020〕1号）"
    assert row.legal_basis.startswith("《中华人民共和国食品安全法》第三十五条")
    assert row.intermediary == "卫生学评价报告"
    assert row.licence_separation == "审批改为备案"


def test_the_responsibility_text_names_the_body_the_basis_and_each_step(catalogue):
    row = next(
        r
        for r in lists.list_rows("responsibility", XUANWU)
        if r.implementation_code == catalogue["C1"].implementation_code
    )
    text = row.responsibility
    assert text.startswith("责任主体：南京市市场监督管理局")
    assert "《中华人民共和国食品安全法》第三十五条" in text
    assert "1. 受理责任（南京市市场监督管理局，窗口人员）（1 个工作日内）" in text
    assert (
        "2. 现场核查责任（南京市市场监督管理局，审批人员）（特别程序（现场勘验），不计入时限）"
        in text
    )


def test_an_unknown_list_or_region_is_not_found(catalogue):
    with pytest.raises(DomainError) as exc:
        lists.list_rows("nonsense", XUANWU)
    assert exc.value.code == "not_found"
    with pytest.raises(DomainError) as exc:
        lists.list_rows("power", "999999")
    assert exc.value.code == "region_not_found"


def test_ancestor_paths_are_computed_without_a_query():
    assert lists.region_ancestor_paths("/320000/320100/320102/") == [
        "/320000/",
        "/320000/320100/",
        "/320000/320100/320102/",
    ]


# ── API ─────────────────────────────────────────────────────────────────────


def test_the_api_lists_every_definition(client):
    response = client.get("/api/v1/catalog/lists")
    assert response.status_code == 200
    body = response.json()
    assert [d["slug"] for d in body] == list(lists.LISTS)
    power = body[0]
    assert power["title"] == "权力清单"
    assert power["kind"] == "six"
    assert {"key": "name", "label": "事项名称"} in power["columns"]


def test_the_api_pages_through_a_list_with_a_cursor(client, catalogue):
    url = "/api/v1/catalog/lists/power"
    first = client.get(url, {"region": XUANWU, "limit": 3})
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["region"] == {"code": XUANWU, "name": Region.objects.get(code=XUANWU).full_name}
    assert len(body["rows"]) == 3 and body["next_cursor"]
    second = client.get(url, {"region": XUANWU, "limit": 3, "cursor": body["next_cursor"]}).json()
    assert second["next_cursor"] is None
    codes = [r["implementation_code"] for r in body["rows"] + second["rows"]]
    assert codes == [r.implementation_code for r in lists.list_rows("power", XUANWU)]
    assert len(set(codes)) == 5


def test_the_api_pages_the_grouped_list_too(client, catalogue):
    url = "/api/v1/catalog/lists/licence-separation"
    first = client.get(url, {"region": XUANWU, "limit": 1}).json()
    second = client.get(url, {"region": XUANWU, "limit": 1, "cursor": first["next_cursor"]}).json()
    assert [r["group"] for r in first["rows"] + second["rows"]] == ["审批改为备案", "优化审批服务"]


@pytest.mark.parametrize(
    ("url", "params", "status", "code"),
    [
        ("/api/v1/catalog/lists/nonsense", {"region": XUANWU}, 404, "not_found"),
        ("/api/v1/catalog/lists/power", {"region": "999999"}, 404, "region_not_found"),
        ("/api/v1/catalog/lists/power", {}, 422, "validation_failed"),
        ("/api/v1/catalog/lists/power", {"region": XUANWU, "cursor": "xx"}, 400, "invalid_cursor"),
        # A well-formed cursor whose values do not fit the annotated ordering.
        (
            "/api/v1/catalog/lists/licence-separation",
            {"region": XUANWU, "cursor": "WyJhYmMiLCAieCIsICJ5Il0"},
            400,
            "invalid_cursor",
        ),
    ],
)
def test_the_api_answers_bad_requests_with_problem_json(client, url, params, status, code):
    demo_org_load()
    response = client.get(url, params)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == code
