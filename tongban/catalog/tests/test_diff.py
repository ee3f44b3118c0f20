"""Version comparison in words (issue 20, item 6): labelled Chinese fields,
entries matched by their code, no change for a reordering that means nothing."""

from __future__ import annotations

from tongban.catalog.diff import guide_changes
from tongban.catalog.tests.guide_factory import valid_guide


def items_of(before, after) -> list[str]:
    return [item for change in guide_changes(before, after) for item in change.items]


def test_a_changed_material_is_named_by_its_position_and_part():
    old = valid_guide()
    new = valid_guide()
    new["materials"][2]["name"] = "经营场所平面布局图及设备布局图"
    assert items_of(old, new) == [
        "申请材料 第 3 项“经营场所平面布局图及设备布局图”：名称 由 经营场所平面布局图 "
        "改为 经营场所平面布局图及设备布局图"
    ]


def test_values_read_as_words_not_json():
    old = valid_guide()
    new = valid_guide(promised_limit={"value": 3, "unit": "working_days"})
    new["materials"][0]["requirement"] = "optional"
    new["materials"][0]["deferrable"] = True
    shown = items_of(old, new)
    assert "承诺时限 由 5 个工作日 改为 3 个工作日" in shown
    assert "申请材料 第 1 项“食品经营许可申请书”：是否必要 由 必要 改为 非必要" in shown
    assert "申请材料 第 1 项“食品经营许可申请书”：容缺后补 由 否 改为 是" in shown
    assert not any("{" in line or '"' in line for line in shown)


def test_reordering_materials_aliases_or_modes_is_no_change():
    old = valid_guide(aliases=["甲", "乙"], modes=["one_visit", "appointment"])
    new = valid_guide(aliases=["乙", "甲"], modes=["appointment", "one_visit"])
    new["materials"] = list(reversed(new["materials"]))
    assert guide_changes(old, new) == []


def test_reordering_the_steps_is_reported_because_their_order_means_something():
    old = valid_guide()
    new = valid_guide()
    new["steps"][1], new["steps"][2] = new["steps"][2], new["steps"][1]
    assert items_of(old, new) == [
        "办理环节顺序 由 受理 → 审查 → 决定 → 送达 改为 受理 → 决定 → 审查 → 送达"
    ]


def test_added_and_removed_entries_and_values():
    old = valid_guide(keywords=["餐饮", "食品"])
    new = valid_guide(keywords=["餐饮", "小吃"])
    new["materials"].append({"code": "health", "name": "从业人员健康证明"})
    del new["materials"][0]
    shown = items_of(old, new)
    last = len(new["materials"])
    assert f"新增申请材料 第 {last} 项“从业人员健康证明”" in shown
    assert "删除申请材料“食品经营许可申请书”" in shown
    assert "关键词 新增 小吃" in shown and "关键词 删除 食品" in shown


def test_a_service_mode_reads_as_its_chinese_name():
    old = valid_guide(modes=["one_visit"])
    new = valid_guide(modes=["one_visit", "post"])
    assert items_of(old, new) == ["服务方式 新增 可邮寄"]
