"""Search ranks the item people usually mean first (issue 20, item 5).

A set of queries over the demo catalogue and the top result each must give
(docs/catalog.md, "Search ranking"): the 高频事项 flag of the catalogue, then
the cases of the last year, inside each tier of the match.
"""

from __future__ import annotations

import pytest

from tongban.catalog import search
from tongban.catalog.demo import demo_catalog_load
from tongban.catalog.models import BasicItem
from tongban.catalog.services import basic_item_usage_set
from tongban.org.demo import demo_org_load

pytestmark = pytest.mark.django_db

XUANWU = "320102"

# (query, region, expected first result, why)
EXPECTED_TOP = [
    ("营业执照", XUANWU, "企业设立登记", "an alias of 设立, 变更 and 注销: 设立 is 高频"),
    ("营业执照", None, "企业设立登记", "the same without a region"),
    ("不动产", XUANWU, "不动产转移登记", "every 不动产 item's name matches: 转移 is 高频"),
    ("公积金", XUANWU, "住房公积金提取", "four 公积金 items: 提取 is 高频"),
    ("结婚", XUANWU, "内地居民结婚登记", "the only item about it"),
    ("企业注销", XUANWU, "企业注销登记", "the exact words in the name beat 简易注销"),
    ("社保卡", XUANWU, "社会保障卡申领", "an alias"),
]


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo_org_load()
        demo_catalog_load()
    yield
    with django_db_blocker.unblock():
        from django.core.management import call_command

        # Without reset_sequences=False, flush restarts every sequence, and later
        # modules reuse primary keys that process-level caches still hold.
        call_command("flush", interactive=False, verbosity=0, reset_sequences=False)


@pytest.mark.parametrize(("query", "region", "expected", "why"), EXPECTED_TOP)
def test_the_item_people_usually_mean_comes_first(catalogue, query, region, expected, why):
    page = search.search_items(q=query, region=region, limit=5)
    assert page.items, f"{query}: nothing found"
    assert page.items[0].name == expected, f"{query}: {[i.name for i in page.items]} ({why})"


def _names(query: str) -> list[str]:
    """The distinct names of the results, in order (an item of several levels once)."""
    items = search.search_items(q=query, region=XUANWU, limit=50).items
    return list(dict.fromkeys(i.name for i in items))


def test_usage_counts_from_cases_order_items_that_are_not_high_frequency(catalogue):
    # 企业变更登记 and 企业注销登记 are not 高频: the one with more cases comes first.
    change = BasicItem.objects.get(name="企业变更登记")
    closing = BasicItem.objects.get(name="企业注销登记")
    names = _names("营业执照")
    assert names.index("企业变更登记") < names.index("企业注销登记")  # by name, no usage yet
    basic_item_usage_set(counts={closing.pk: 40, change.pk: 3})
    names = _names("营业执照")
    assert names[0] == "企业设立登记"  # 高频 still first
    assert names.index("企业注销登记") < names.index("企业变更登记")
    basic_item_usage_set(counts={})
    assert BasicItem.objects.get(pk=closing.pk).usage_count == 0


def test_pages_of_a_ranked_search_neither_repeat_nor_skip(catalogue):
    first = search.search_items(q="登记", region=XUANWU, limit=3)
    seen = [i.pk for i in first.items]
    cursor = first.next_cursor
    while cursor:
        page = search.search_items(q="登记", region=XUANWU, limit=3, cursor=cursor)
        seen += [i.pk for i in page.items]
        cursor = page.next_cursor
    everything = search.search_items(q="登记", region=XUANWU, limit=100)
    assert seen == [i.pk for i in everything.items]
    assert len(seen) == len(set(seen))
