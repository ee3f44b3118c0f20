"""Catalogue search (catalog.search): text, pinyin initials, facets, region rule,
ranking and cursor pages; the same tests run on SQLite FTS5 and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.db import rolled_back
from tongban.catalog import search, selectors
from tongban.catalog.models import BasicItem, ServiceItem, ServiceItemStatus
from tongban.catalog.services import basic_item_create, guide_load_published, service_item_create
from tongban.core.errors import DomainError
from tongban.org.demo import demo_org_load
from tongban.org.models import Department

from .guide_factory import valid_guide

pytestmark = pytest.mark.django_db

XUANWU, JIANGNING, NANJING, JIANGSU, RUIJIN = "320102", "320115", "320100", "320000", "360781"


def guide(name: str, **changes: Any) -> dict[str, Any]:
    """A lint-clean guide whose searchable text is only what the test gives it."""
    modes = changes.pop("modes", ["one_visit"])
    no_visit = any(m in modes for m in ("no_visit", "fully_online", "no_meeting"))
    base = valid_guide(
        name=name,
        aliases=[],
        keywords=[],
        themes=[],
        result=f"{name}结果通知",
        materials=[{"code": "application", "name": "申请表", "blank_form": "申请表.docx"}],
        modes=modes,
        visits_required=0 if no_visit else 1,
        online_depth=4 if "fully_online" in modes else 3,
    )
    base.update(changes)
    return base


def department(name: str) -> Department:
    return Department.objects.get(name=name)


_codes = iter(range(1, 10_000))


def basic(name: str, item_type: str = "01") -> BasicItem:
    return basic_item_create(
        code=f"SEARCH{next(_codes):06d}",
        name=name,
        item_type=item_type,
        legal_basis="《中华人民共和国行政许可法》",
        levels="234",
    )


@dataclass
class Catalogue:
    items: dict[str, ServiceItem]

    def code(self, key: str) -> str:
        return self.items[key].implementation_code


def _seed() -> Catalogue:
    demo_org_load()
    items: dict[str, ServiceItem] = {}

    def publish(key: str, basic_item: BasicItem, dept: str, content: dict[str, Any]) -> None:
        items[key] = guide_load_published(
            basic_item=basic_item, department=department(dept), content=content
        )

    opening = basic("企业开办营业执照申领")
    publish(
        "opening",
        opening,
        "南京市玄武区市场监督管理局",
        guide(
            "企业开办营业执照申领",
            audience=["legal_entity"],
            themes=["设立变更"],
            modes=["no_visit", "fully_online"],
        ),
    )
    publish(
        "opening_ruijin",
        opening,
        "瑞金市市场监督管理局",
        guide("企业开办营业执照申领", audience=["legal_entity"], themes=["设立变更"]),
    )
    publish(
        "deregister",
        basic("注销营业执照"),
        "南京市江宁区市场监督管理局",
        guide("注销营业执照", audience=["legal_entity"], themes=["注销"]),
    )
    publish(
        "exact",
        basic("营业执照"),
        "江苏省市场监督管理局",
        guide("营业执照", audience=["legal_entity"], themes=["设立变更"]),
    )
    publish(
        "marriage",
        basic("内地居民结婚登记", "07"),
        "南京市玄武区民政局",
        guide(
            "内地居民结婚登记",
            audience=["person"],
            themes=["婚姻登记"],
            modes=["one_visit", "appointment"],
        ),
    )
    publish(
        "social",
        basic("基本养老保险关系转移接续", "20"),
        "江苏省人力资源和社会保障厅",
        guide(
            "基本养老保险关系转移接续",
            audience=["person"],
            themes=["社会保障", "就业创业"],
            aliases=["社保转移"],
            keywords=["社保"],
        ),
    )
    publish(
        "hukou",
        basic("户口迁移", "07"),
        "南京市公安局",
        guide("户口迁移", audience=["person"], themes=["户籍办理"]),
    )
    # Never published: a draft only.
    items["draft"] = service_item_create(
        basic_item=basic("营业执照遗失补领"),
        department=department("南京市玄武区市场监督管理局"),
        content=guide("营业执照遗失补领", audience=["legal_entity"]),
    )
    # Published, then cancelled.
    publish(
        "cancelled",
        basic("营业执照年度报告"),
        "南京市玄武区市场监督管理局",
        guide("营业执照年度报告", audience=["legal_entity"]),
    )
    ServiceItem.objects.filter(pk=items["cancelled"].pk).update(status=ServiceItemStatus.CANCELLED)
    return Catalogue(items)


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """The catalogue is seeded once per module inside a transaction that is rolled
    back at the end; each test runs in a savepoint within it."""
    with rolled_back(django_db_blocker):
        yield _seed()


def codes(page: search.SearchPage) -> list[str]:
    return [item.implementation_code for item in page.items]


def everything(**kwargs: Any) -> list[str]:
    """Every result, following the cursor page by page."""
    found: list[str] = []
    cursor = None
    for _ in range(50):
        page = search.search_items(cursor=cursor, limit=2, **kwargs)
        found += codes(page)
        cursor = page.next_cursor
        if cursor is None:
            return found
    raise AssertionError("the cursor never ended")


def test_pinyin_initials_find_the_chinese_name(catalogue):
    found = everything(q="yyzz")
    assert catalogue.code("opening") in found
    assert catalogue.code("deregister") in found
    assert catalogue.code("marriage") not in found


def test_a_word_inside_a_longer_name_finds_it(catalogue):
    assert catalogue.code("opening") in everything(q="营业执照")
    assert catalogue.code("opening") in everything(q="执照")


def test_every_query_word_must_match(catalogue):
    found = everything(q="营业执照 注销")
    assert found == [catalogue.code("deregister")]


def test_aliases_and_keywords_are_searched(catalogue):
    assert everything(q="社保 转移") == [catalogue.code("social")]


def test_question_words_do_not_hide_the_answer(catalogue):
    assert catalogue.code("hukou") in everything(q="怎么办理户口迁移")


def test_exact_name_ranks_first_then_names_containing_the_query(catalogue):
    found = everything(q="营业执照")
    assert found[0] == catalogue.code("exact")
    tiers = [ServiceItem.objects.get(implementation_code=c).name for c in found]
    assert all("营业执照" in name for name in tiers)


def test_a_county_sees_its_own_and_higher_items_but_not_another_province(catalogue):
    found = everything(region=XUANWU)
    assert catalogue.code("opening") in found  # its own district
    assert catalogue.code("exact") in found  # provincial
    assert catalogue.code("hukou") in found  # city
    assert catalogue.code("deregister") not in found  # a sibling district
    assert catalogue.code("opening_ruijin") not in found  # another province
    assert found[:2] == [catalogue.code("opening"), catalogue.code("marriage")]  # own first


def test_a_city_also_sees_its_districts_items_after_its_own_and_higher(catalogue):
    found = everything(region=NANJING, q="营业执照")
    assert set(found) == {
        catalogue.code("opening"),
        catalogue.code("deregister"),
        catalogue.code("exact"),
    }
    assert found[0] == catalogue.code("exact")  # exact name beats region proximity


def test_region_proximity_orders_within_a_tier(catalogue):
    found = everything(region=NANJING)
    position = {code: i for i, code in enumerate(found)}
    assert position[catalogue.code("hukou")] < position[catalogue.code("exact")]  # own < higher
    assert position[catalogue.code("exact")] < position[catalogue.code("opening")]  # < lower


def test_filters_by_department_audience_theme_mode_and_type(catalogue):
    xuanwu_market = department("南京市玄武区市场监督管理局")
    assert everything(department=xuanwu_market.pk) == [catalogue.code("opening")]
    person = set(everything(audience="person"))
    assert person == {catalogue.code(k) for k in ("marriage", "social", "hukou")}
    assert everything(theme="婚姻登记") == [catalogue.code("marriage")]
    assert everything(theme="就业创业") == [catalogue.code("social")]
    assert everything(mode="no_visit") == [catalogue.code("opening")]
    assert set(everything(item_type="07")) == {catalogue.code("marriage"), catalogue.code("hukou")}
    assert everything(q="营业执照", theme="注销") == [catalogue.code("deregister")]


def test_unpublished_and_cancelled_items_never_appear(catalogue):
    found = everything() + everything(q="营业执照") + everything(q="yyzz", region=XUANWU)
    assert catalogue.code("draft") not in found
    assert catalogue.code("cancelled") not in found
    for code in ("draft", "cancelled"):
        with pytest.raises(DomainError) as raised:
            selectors.service_item_get_public(catalogue.code(code))
        assert raised.value.code == "not_found"


def test_pages_cover_every_result_exactly_once(catalogue):
    found = everything()
    expected = set(
        ServiceItem.objects.filter(status="active", current_version__isnull=False).values_list(
            "implementation_code", flat=True
        )
    )
    assert len(found) == len(set(found)) == len(expected) == 7
    assert set(found) == expected


def test_a_new_item_does_not_shift_the_next_page(catalogue):
    first = search.search_items(limit=3)
    guide_load_published(
        basic_item=basic("一个名字排在最前的事项"),
        department=department("江苏省民政厅"),
        content=guide("一个名字排在最前的事项", audience=["person"]),
    )
    second = search.search_items(limit=3, cursor=first.next_cursor)
    assert not set(codes(first)) & set(codes(second))
    assert all(i.name > first.items[-1].name for i in second.items)


def test_republishing_reindexes_the_item(catalogue):
    item = catalogue.items["hukou"]
    guide_load_published(
        basic_item=item.basic_item,
        department=item.department,
        content=guide("户口迁移", audience=["person"], themes=["户籍办理"], keywords=["落户"]),
    )
    assert everything(q="落户") == [item.implementation_code]


def test_punctuation_only_finds_nothing(catalogue):
    assert search.search_items(q="！？、").items == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"region": "999999"}, "query.region"),
        ({"department": 10**9}, "query.department"),
        ({"audience": "alien"}, "query.audience"),
        ({"mode": "teleport"}, "query.mode"),
        ({"item_type": "99"}, "query.type"),
        ({"theme": "！！"}, "query.theme"),
    ],
)
def test_unknown_filter_values_are_validation_errors(catalogue, kwargs, field):
    with pytest.raises(DomainError) as raised:
        search.search_items(**kwargs)
    assert raised.value.code == "validation_failed"
    assert raised.value.fields[0]["field"] == field


def test_a_forged_cursor_is_an_invalid_cursor(catalogue):
    with pytest.raises(DomainError) as raised:
        search.search_items(cursor="bm90LWEtY3Vyc29y")
    assert raised.value.code == "invalid_cursor"


def test_suggest_gives_name_prefixes_then_word_and_initial_prefixes(catalogue):
    assert search.suggest("营业")[0] == "营业执照"  # the name that starts with it
    assert search.suggest("营业", limit=1) == ["营业执照"]
    assert set(search.suggest("营业执")) == {"营业执照", "企业开办营业执照申领", "注销营业执照"}
    assert "企业开办营业执照申领" in search.suggest("yyz")
    assert "内地居民结婚登记" in search.suggest("jhd")


def test_suggest_respects_the_region(catalogue):
    assert "注销营业执照" not in search.suggest("营业执", region=XUANWU)
    assert "注销营业执照" in search.suggest("营业执", region=JIANGNING)


def test_facet_tags_cannot_be_reached_by_typing(catalogue):
    assert search.search_items(q="@aud:person").items == search.search_items(q="aud person").items
    assert search.suggest("a") == []


def test_the_index_follows_the_search_entry_on_sqlite(catalogue):
    if search.connection.vendor != "sqlite":
        pytest.skip("FTS5 is the SQLite engine")
    assert search.search_rebuild_fts() == 8  # the cancelled item keeps its entry
    assert catalogue.code("social") in everything(q="社保")


def test_items_named_for_the_words_come_before_items_that_only_list_them(catalogue):
    # An item that merely asks for a copy of the 营业执照 comes after every item
    # *about* 营业执照, across pages, each once.
    lists_it = guide_load_published(
        basic_item=basic("餐饮服务信息备案"),
        department=department("江苏省民政厅"),
        content=guide(
            "餐饮服务信息备案",
            audience=["legal_entity"],
            materials=[
                {"code": "licence_copy", "name": "营业执照复印件", "originals": 0, "copies": 1}
            ],
        ),
    )
    found = everything(q="营业执照")
    named = {catalogue.code(k) for k in ("opening", "opening_ruijin", "deregister", "exact")}
    assert set(found[: len(named)]) == named
    assert found[len(named) :] == [lists_it.implementation_code]
    first = search.search_items(q="营业执照", limit=4)
    assert first.next_cursor is not None and first.next_cursor.startswith("b.")
    second = search.search_items(q="营业执照", limit=4, cursor=first.next_cursor)
    assert codes(second) == [lists_it.implementation_code]
    assert second.next_cursor is None


def test_a_cursor_of_an_unknown_phase_is_refused(catalogue):
    with pytest.raises(DomainError) as raised:
        search.search_items(q="营业执照", cursor="z.abc")
    assert raised.value.code == "invalid_cursor"


def test_postgresql_matches_the_stored_document_never_recomputing_it(catalogue):
    """Migration 0006: the document is a stored column, equal to the expression
    the words give, and a search reads it; rebuilding every entry's tsvector
    per query cost 3–4 ms of database CPU per search (docs/performance.md)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("the stored tsvector column is the PostgreSQL engine")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), count(*) FILTER (WHERE search_document = array_to_tsvector("
            "array_remove(string_to_array(tokens || ' ' || initials, ' '), ''))) "
            "FROM catalog_searchentry"
        )
        total, equal = cur.fetchone()
    assert total >= 8 and equal == total
    with CaptureQueriesContext(connection) as queries:
        found = everything(q="营业执照")
    assert catalogue.code("opening") in found
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "search_document @@" in sql
    assert "array_to_tsvector" not in sql
