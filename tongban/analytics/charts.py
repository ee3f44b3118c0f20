"""Charts of the board: Apache ECharts in the browser (served from our own
static files, ``core.staticfinders``), drawn from :meth:`Chart.option`, and the
same chart as server-drawn SVG beneath it for a page without JavaScript and
for print. Each chart repeats figures shown in a table beside it; the geometry
and the options are computed here, the templates only draw them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tongban.analytics import indicators as ind

# Each row: the label on one line, the bar and its value below it, so that a
# phone's width shows the text at a readable size.
LABEL_W = 0  # bars start at the left edge, under their label
BAR_W = 320  # 100 %
ROW_H = 46
PAD = 4


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str
    y: int
    width: float
    target_x: float | None
    met: bool | None
    target: float | None = None  # the target or limit itself, in the chart's unit


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    bars: list[Bar]
    axis_x: int
    scale_end: int  # x of 100 % (or of the largest value)
    unit: str

    def option(self) -> dict[str, Any]:
        """The ECharts option: horizontal bars, unmet ones in orange, the
        target as a black tick; no animation, SVG renderer (static/js/board-charts.js)."""
        share = self.unit == "%"
        suffix = "%" if share else " 天"
        return {
            "animation": False,
            "aria": {"enabled": False},  # the container is role="img" with the title
            "textStyle": {"fontSize": 14, "color": "#1f2937"},
            "grid": {"left": 4, "right": 64, "top": 8, "bottom": 28, "containLabel": True},
            "xAxis": {
                "type": "value",
                "min": 0,
                **({"max": 100} if share else {}),
                "axisLabel": {"formatter": "{value}" + suffix, "fontSize": 12},
            },
            "yAxis": {
                "type": "category",
                "inverse": True,
                "data": [b.label for b in self.bars],
                "axisLabel": {"width": 120, "overflow": "break", "fontSize": 13},
            },
            "tooltip": {"renderMode": "richText", "trigger": "axis"},
            "series": [
                {
                    "name": "数值",
                    "type": "bar",
                    "barWidth": 16,
                    "data": [
                        {
                            "value": b.value,
                            "itemStyle": {"color": "#b45309" if b.met is False else "#1d4ed8"},
                        }
                        for b in self.bars
                    ],
                    "label": {"show": True, "position": "right", "formatter": "{c}" + suffix},
                },
                {
                    "name": "目标" if share else "时限",
                    "type": "scatter",
                    "symbol": "rect",
                    "symbolSize": [3, 24],
                    "itemStyle": {"color": "#111827"},
                    "data": [
                        [b.target, n] for n, b in enumerate(self.bars) if b.target is not None
                    ],
                },
            ],
        }


def share_chart(figures: list[ind.Figure], *, title: str) -> Chart:
    """Every share with a value, as a bar out of 100 %, with the target as a tick."""
    shown = [f for f in figures if f.indicator.kind == "share" and f.value is not None]
    bars = []
    for n, f in enumerate(shown):
        target_x = LABEL_W + BAR_W * f.target.value / 100 if f.target else None
        bars.append(
            Bar(
                label=f.indicator.label,
                value=f.value or 0.0,
                text=f"{f.value}%",
                y=PAD + n * ROW_H,
                width=round(BAR_W * (f.value or 0) / 100, 1),
                target_x=target_x,
                met=f.met,
                target=f.target.value if f.target else None,
            )
        )
    return Chart(
        title,
        LABEL_W + BAR_W + 70,
        PAD * 2 + ROW_H * len(bars),
        bars,
        LABEL_W,
        LABEL_W + BAR_W,
        "%",
    )


def days_chart(rows: list[tuple[str, int | None, int | None]], *, title: str) -> Chart:
    """Median working days per row, scaled to the largest value, the limit as a tick."""
    shown = [(name, median, limit) for name, median, limit in rows if median is not None]
    top = max([m or 0 for _, m, _ in shown] + [lim or 0 for _, _, lim in shown] + [1])
    bars = []
    for n, (name, median, limit) in enumerate(shown):
        bars.append(
            Bar(
                label=name,
                value=float(median or 0),
                text=f"{median} 天",
                y=PAD + n * ROW_H,
                width=round(BAR_W * (median or 0) / top, 1),
                target_x=LABEL_W + BAR_W * limit / top if limit else None,
                met=None if limit is None else (median or 0) <= limit,
                target=float(limit) if limit else None,
            )
        )
    return Chart(
        title,
        LABEL_W + BAR_W + 70,
        PAD * 2 + ROW_H * len(bars),
        bars,
        LABEL_W,
        LABEL_W + BAR_W,
        "天",
    )
