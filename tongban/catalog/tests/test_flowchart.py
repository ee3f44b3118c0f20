"""The flow chart (R-CT-6): accessible SVG of the ordered steps."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tongban.catalog.content import GuideContent, promised_limit_text, step_share_text
from tongban.catalog.flowchart import flowchart_svg, wrap_text
from tongban.catalog.models import ServiceItem
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.catalog.tests.lists_seed import seed_catalogue
from tongban.org.demo import demo_org_load

SVG = "{http://www.w3.org/2000/svg}"


def guide(**overrides) -> GuideContent:
    return GuideContent.model_validate(valid_guide(**overrides))


def parse(svg: str | bytes) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  (our own SVG, in a test: no untrusted XML)


def child(root: ET.Element, tag: str) -> ET.Element:
    found = root.find(f"{SVG}{tag}")
    assert found is not None, tag
    return found


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_the_chart_is_accessible_svg_with_every_step_in_order():
    content = guide()
    root = parse(flowchart_svg(content, department="南京市市场监督管理局"))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "flow-title flow-desc"
    assert child(root, "title").text == "食品经营许可证核发办理流程图"
    desc = child(root, "desc").text or ""
    assert desc.startswith("办理流程共 4 个环节：申请 → 1. 受理（窗口人员 · 南京市市场监督管理局")
    assert desc.endswith("→ 办结。承诺时限 5 个工作日。")
    shown = texts(root)
    names = [f"{i}. {s.name}" for i, s in enumerate(content.steps, start=1)]
    assert [t for t in shown if t in names] == names
    assert shown[0] == "申请" and "办结" in shown
    # 20 % of 5 working days is 1; 50 % is 2.5, promised as 3 (issue 20, item 4)
    assert "1 个工作日内" in shown
    assert "3 个工作日内" in shown
    assert not any("约" in t or "不足" in t or "%" in t for t in shown)
    assert "取得：食品经营许可证" in shown


def test_a_special_procedure_is_dashed_and_says_it_stops_the_clock():
    steps = [
        {"name": "受理", "role": "窗口人员", "share_percent": 30},
        {"name": "现场核查", "role": "审批人员", "special_procedure": "inspection"},
        {"name": "决定", "role": "部门负责人", "share_percent": 70},
    ]
    root = parse(flowchart_svg(guide(steps=steps)))
    special = [g for g in root.iter(f"{SVG}g") if "special" in (g.get("class") or "")]
    assert len(special) == 1
    assert child(special[0], "rect").get("stroke-dasharray")
    assert "特别程序：现场勘验，不计入时限" in texts(special[0])
    ordinary = [g for g in root.iter(f"{SVG}g") if g.get("class") == "step"]
    assert all(child(g, "rect").get("stroke-dasharray") is None for g in ordinary)


def test_long_names_wrap_and_text_is_escaped():
    long_name = "申请人提交的材料齐全、符合法定形式的当场作出受理决定并出具受理通知书<b>&"
    steps = [{"name": long_name, "role": "窗口人员 & 综合受理", "department": "某局<script>"}]
    svg = flowchart_svg(guide(steps=steps, name="某事项<x>"))
    root = parse(svg)  # parses: every text is escaped
    assert "<script>" not in svg and "<b>" not in svg
    box = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "step")
    name_lines = [t.text or "" for t in box.iter(f"{SVG}text") if t.get("font-weight") == "bold"]
    assert len(name_lines) >= 2  # the name took more than one line
    assert "".join(name_lines) == f"1. {long_name}"
    assert "窗口人员 & 综合受理 · 某局<script>" in texts(box)
    assert child(root, "title").text == "某事项<x>办理流程图"


def test_wrapping_counts_chinese_as_one_em_and_keeps_latin_runs_together():
    assert wrap_text("一二三四五六", size=10, width=30) == ["一二三", "四五六"]
    assert wrap_text("ab 营业执照 GB32100", size=10, width=60) == ["ab 营业执照", "GB32100"]


def test_a_guide_without_steps_still_draws_start_and_end():
    root = parse(flowchart_svg(guide(steps=[]), id_prefix="x1"))
    assert root.get("aria-labelledby") == "x1-title x1-desc"
    assert "（办事指南尚未列明办理环节）" in texts(root)


@pytest.mark.django_db
def test_the_api_serves_a_published_items_chart_as_svg(client):
    demo_org_load()
    item = seed_catalogue(only=("C1",))["C1"]
    response = client.get(f"/api/v1/catalog/items/{item.implementation_code}/flowchart.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    root = parse(response.content)
    assert "2. 现场核查" in texts(root)
    assert "受理 · 南京市市场监督管理局" not in texts(root)  # role first, then department
    assert "窗口人员 · 南京市市场监督管理局" in texts(root)

    ServiceItem.objects.filter(pk=item.pk).update(current_version=None)
    missing = client.get(f"/api/v1/catalog/items/{item.implementation_code}/flowchart.svg")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("limit", "share", "expected"),
    [
        (5, 10, "1 个工作日内"),  # 0.5 day: one day, never "不足 0.5"
        (5, 20, "1 个工作日内"),
        (5, 50, "3 个工作日内"),
        (20, 50, "10 个工作日内"),
        (1, 5, "1 个工作日内"),
    ],
)
def test_step_times_read_as_whole_days(limit, share, expected):
    content = guide(promised_limit={"value": limit, "unit": "working_days"})
    assert step_share_text(content, share) == expected


def test_an_immediate_item_is_handled_on_the_spot_not_in_zero_days():
    content = guide(
        handling="immediate",
        legal_limit={"value": 1, "unit": "working_days"},
        promised_limit={"value": 0, "unit": "working_days"},
    )
    assert promised_limit_text(content) == "即办"
    root = parse(flowchart_svg(content))
    shown = texts(root)
    assert "当场办结" in shown
    assert not any("0" in t and "工作日" in t for t in shown)
    assert (child(root, "desc").text or "").endswith("即办，当场办结。")
