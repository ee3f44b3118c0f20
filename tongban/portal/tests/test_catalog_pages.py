"""Request-level tests of the public catalogue pages: 办事服务, 办事指南, 清单, 统计."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.support.catalog import seed_catalog
from tongban.catalog import services
from tongban.catalog.models import ServiceItemStatus
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.org.models import Department
from tongban.portal import catalog_views

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode("utf-8")


@pytest.fixture
def seed():
    return seed_catalog()


def guide_url(item) -> str:
    return reverse("portal:service_guide", args=[item.implementation_code])


# ---------------------------------------------------------------- home


def test_the_home_page_searches_and_links_the_themes_to_the_services(client):
    body = text(client.get("/"))
    assert 'action="/services/"' in body
    assert 'name="q"' in body
    assert "/services/?audience=person&amp;theme=%E5%A9%9A%E5%A7%BB%E7%99%BB%E8%AE%B0" in body
    assert "/services/?audience=legal_entity&amp;theme=" in body


# ---------------------------------------------------------------- 办事服务


def test_the_services_page_lists_the_published_items(client, seed, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get("/services/")
    body = text(response)
    assert response.status_code == 200
    assert "食品经营许可证核发" in body
    assert "内地居民结婚登记" in body
    assert "Ⅲ级 网上受理" in body
    assert "只跑一次" in body  # a mode badge
    assert "承诺 5 个工作日" in body
    assert "即办" in body and "承诺 0 个工作日" not in body
    assert 'data-suggest="/api/v1/catalog/suggest"' in body


def test_a_search_finds_the_item_by_a_keyword(client, seed):
    body = text(client.get("/services/", {"q": "结婚"}))
    assert "内地居民结婚登记" in body
    assert "食品经营许可证核发" not in body
    assert "“结婚”的搜索结果" in body


def test_a_search_without_results_says_so(client, seed):
    body = text(client.get("/services/", {"q": "宇宙飞船"}))
    assert "没有找到符合条件的事项" in body


def test_the_theme_and_audience_filters_narrow_the_list(client, seed):
    body = text(client.get("/services/", {"audience": "person", "theme": "婚姻登记"}))
    assert "内地居民结婚登记" in body
    assert "食品经营许可证核发" not in body
    body = text(client.get("/services/", {"audience": "legal_entity"}))
    assert "食品经营许可证核发" in body
    assert "内地居民结婚登记" not in body


def test_the_region_picker_narrows_to_a_city_and_offers_its_counties(client, seed):
    body = text(client.get("/services/", {"region": ["360000", "360700"]}))
    assert seed.ganzhou.implementation_code in body
    assert seed.food.implementation_code not in body
    assert "章贡区" in body  # the county level of the picker
    # A city chosen under another province (changed without JavaScript) is dropped.
    body = text(client.get("/services/", {"region": ["320000", "360700"]}))
    assert seed.food.implementation_code in body
    assert seed.ganzhou.implementation_code not in body


def test_the_region_picker_reaches_down_to_townships_and_villages(client, seed):
    # A link straight to a 社区 rebuilds its chain: 江苏省 南京市 玄武区 玄武门街道 百子亭社区.
    response = client.get("/services/", {"region": "320102005001"})
    body = text(response)
    assert response.status_code == 200
    assert '<option value="320102005000" selected>玄武门街道</option>' in body
    assert '<option value="320102005001" selected>百子亭社区</option>' in body
    assert "乡镇（街道）" in body and "村（社区）" in body
    # The city's items serve its villages; 赣州's do not.
    assert seed.food.implementation_code in body
    assert seed.ganzhou.implementation_code not in body


def test_the_services_page_pages_with_the_next_cursor(client, seed, monkeypatch):
    monkeypatch.setattr(catalog_views, "PAGE_SIZE", 2)
    first = text(client.get("/services/"))
    assert 'rel="next"' in first
    next_url = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = text(client.get("/services/" + next_url.replace("&amp;", "&")))
    assert "回到第一页" in second
    shown = [
        code
        for code in (seed.food, seed.marriage, seed.ganzhou)
        if code.implementation_code in first or code.implementation_code in second
    ]
    assert len(shown) == 3


def test_a_bad_filter_value_is_ignored_not_an_error(client, seed):
    response = client.get("/services/", {"mode": "teleport", "audience": "alien"})
    assert response.status_code == 200
    assert "食品经营许可证核发" in text(response)


# ---------------------------------------------------------------- 办事指南


def test_the_guide_shows_the_eight_public_elements(client, seed, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get(guide_url(seed.food))
    body = text(response)
    assert response.status_code == 200
    for heading in ("办理主体", "办理依据", "办理条件", "申请材料", "办理程序", "办理时限",
                    "办理结果", "收费依据及标准"):  # fmt: skip
        assert heading in body, heading
    assert "《中华人民共和国食品安全法》" in body and "第三十五条" in body
    assert "<svg" in body and "办理流程图" in body
    assert "20 个工作日" in body and "5 个工作日" in body and "承诺件" in body
    assert "不收费" in body
    assert "免提交（通过数据共享获取）" in body  # 营业执照, from data sharing
    assert "容缺" in body  # 经营场所平面布局图
    assert "第 1 版" in body
    assert reverse("portal:service_print", args=[seed.food.implementation_code]) in body
    assert "在线申请" in body
    assert "025-12345" in body and "工作日 9:00-17:00" in body


def test_the_guided_questions_show_the_materials_of_the_situation(client, seed):
    body = text(client.get(guide_url(seed.food)))
    assert "是否委托他人办理？" in body
    assert "“委托代理人办理”需要的材料" not in body
    agent = text(client.get(guide_url(seed.food), {"q_q1": "yes"}))
    result = agent.split('class="guided-result"')[1].split("</div>")[0]
    assert "“委托代理人办理”需要的材料" in result
    assert "授权委托书" in result
    alone = text(client.get(guide_url(seed.food), {"q_q1": "no"}))
    result = alone.split('class="guided-result"')[1].split("</div>")[0]
    assert "授权委托书" not in result
    assert "食品经营许可申请书" in result


def test_an_unknown_or_unpublished_item_is_not_found(client, seed):
    assert client.get("/services/NOSUCHCODE/").status_code == 404
    seed.marriage.status = ServiceItemStatus.CANCELLED
    seed.marriage.save(update_fields=["status"])
    assert client.get(guide_url(seed.marriage)).status_code == 404


def test_the_printable_guide_has_no_navigation(client, seed):
    response = client.get(reverse("portal:service_print", args=[seed.food.implementation_code]))
    body = text(response)
    assert response.status_code == 200
    assert "食品经营许可证核发 办事指南" in body
    assert "主导航" not in body
    assert "申请材料" in body


def test_an_immediate_item_is_labelled_so(client, seed):
    body = text(client.get(guide_url(seed.marriage)))
    assert "即办件" in body
    # 承诺时限 reads "即办", never "0 个工作日" (issue 20, item 4)
    assert "<strong>即办</strong>" in body and "0 个工作日" not in body
    assert "马上办" in body


# ---------------------------------------------------------------- 清单 and 统计


def test_the_lists_page_shows_the_six_lists_and_the_mode_lists(client, seed):
    body = text(client.get("/lists/"))
    for title in ("权力清单", "责任清单", "行政事业收费清单", "前置审批事项清单",
                  "行政审批中介服务事项清单", "便民服务事项目录清单", "“一次不跑”事项清单",
                  "“证照分离”改革事项清单"):  # fmt: skip
        assert title in body, title
    assert "江苏省" in body


def test_a_list_shows_the_items_of_the_region_with_downloads(
    client, seed, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        response = client.get("/lists/power/", {"region": "320100"})
    body = text(response)
    assert response.status_code == 200
    assert "江苏省南京市权力清单" in body
    assert seed.food.implementation_code not in body or "食品经营许可证核发" in body
    assert "食品经营许可证核发" in body
    assert seed.ganzhou.implementation_code not in body
    assert "download.xlsx?region=320100" in body
    assert "download.pdf?region=320100" in body


def test_the_list_query_count_does_not_grow_with_items(client, seed, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get("/lists/one-visit/", {"region": "320100"})
    services.guide_load_published(
        basic_item=seed.food.basic_item,
        department=Department.objects.get(name="南京市玄武区市场监督管理局"),
        content=valid_guide(name="食品经营许可证核发（玄武）"),
    )
    with django_assert_num_queries(len(before.captured_queries)):
        response = client.get("/lists/one-visit/", {"region": "320100"})
    assert "食品经营许可证核发（玄武）" in text(response)


def test_the_list_downloads_are_xlsx_and_pdf(client, seed):
    xlsx = client.get("/lists/power/download.xlsx", {"region": "320100"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx.content[:2] == b"PK"
    assert "filename*=UTF-8''" in xlsx["Content-Disposition"]
    pdf = client.get("/lists/power/download.pdf", {"region": "320100"})
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content[:5] == b"%PDF-"
    assert client.get("/lists/power/download.doc").status_code == 404


def test_an_unknown_list_is_not_found(client, seed):
    assert client.get("/lists/wish-list/").status_code == 404


def test_the_figures_show_shares_and_targets(client, seed, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = client.get("/stats/", {"region": "320000"})
    body = text(response)
    assert response.status_code == 200
    assert "网上可办" in body and "掌上可办" in body
    # 江苏's own target (002 二(一)3), not 江西's.
    assert "目标：2018年底前 ≥80%" in body
    assert (
        "目标依据：中共江苏省委办公厅《关于深入推进审批服务便民化的实施方案》，2018-09-04" in body
    )
    assert "≥75%" not in body and "高频事项" not in body
    assert "已达标" in body or "未达标" in body
    assert "市级" in body


def test_a_jiangxi_city_shows_the_2019_and_2020_targets_and_its_mobile_items(client, seed):
    body = text(client.get("/stats/", {"region": "360700"}))
    assert "目标：2019年底前 ≥70%" in body and "目标：2020年底前 ≥75%" in body
    assert "目标：2019年底前 ≥50%" in body and "目标：2020年底前 ≥70%" in body  # 掌上可办
    assert "市级掌上可办事项 1 项；目标：2019年6月底前本地事项 ≥50 项" in body
    assert "目标依据：江西省人民政府《深入推进“放管服”改革全面优化政务服务若干措施》" in body
    assert "掌上可办目标针对高频事项" in body
