"""The charts' ECharts options (analytics.charts) and the vendored ECharts file
(core.staticfinders): bars, colours and targets come from the figures."""

from __future__ import annotations

from django.contrib.staticfiles import finders

from tongban.analytics import charts


def test_a_days_chart_marks_limits_and_colours_bars_over_them():
    chart = charts.days_chart(
        [
            ("企业开办", 2, 3),
            ("不动产登记", 7, 5),
            ("无时限的一件事", 4, None),
            ("无数据", None, 5),
        ],
        title="一件事用时",
    )
    option = chart.option()
    assert option["yAxis"]["data"] == ["企业开办", "不动产登记", "无时限的一件事"]
    bars = option["series"][0]["data"]
    assert [b["value"] for b in bars] == [2.0, 7.0, 4.0]
    assert [b["itemStyle"]["color"] for b in bars] == ["#1d4ed8", "#b45309", "#1d4ed8"]
    assert option["series"][1]["data"] == [[3.0, 0], [5.0, 1]]  # the limits, by row
    assert option["series"][0]["label"]["formatter"] == "{c} 天"
    assert "max" not in option["xAxis"]


def test_the_echarts_file_is_served_from_our_own_static_files():
    found = finders.find("vendor/echarts/echarts.min.js")
    assert found and found.endswith("node_modules/echarts/dist/echarts.min.js")
    assert finders.find("vendor/echarts/echarts.js") is None  # only what is named
    served = [path for finder in finders.get_finders() for path, _ in finder.list([])]
    assert "echarts.min.js" in served
