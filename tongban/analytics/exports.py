"""What the board's pages show besides the figures: the charts and the CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from tongban.analytics import charts
from tongban.analytics.selectors import Board


def board_context(board: Board) -> dict[str, Any]:
    return {
        "board": board,
        "share_chart": charts.share_chart(
            board.figures, title=f"{board.region.name}{board.label}指标与目标"
        ),
        "bundle_chart": charts.days_chart(
            [(b.name, b.median, b.limit) for b in board.bundles],
            title="“一件事”办理用时中位数（工作日）与时限",
        ),
    }


def board_csv(board: Board) -> str:
    """The board as CSV (UTF-8 with BOM, for spreadsheet programs): figures,
    then the regions, departments, bundles and items."""
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out)
    w.writerow([f"{board.region.name} {board.label} 指标看板"])
    w.writerow(
        ["指标", "数值", "单位", "第90百分位", "分子", "分母", "目标", "是否达标", "目标来源"]
    )
    for f in board.figures:
        met = {True: "达标", False: "未达标", None: ""}[f.met]
        w.writerow(
            [
                f.indicator.label,
                "" if f.value is None else f.value,
                f.unit,
                "" if f.p90 is None else f.p90,
                f.num,
                f.den,
                f.target.text if f.target else "",
                met,
                f.target.source if f.target else "",
            ]
        )
    for title, rows in (("区划", board.regions), ("部门", board.departments)):
        if not rows:
            continue
        w.writerow([])
        w.writerow([f"{title}排名", "办结件数", *(i.label for i in board.ranked)])
        for r in rows:
            w.writerow([r.name, r.cases, *("" if v is None else v for v in r.cells)])
    for title, dist in (("一件事", board.bundles), ("事项", board.items)):
        if not dist:
            continue
        w.writerow([])
        w.writerow([title, "办结件数", "中位数（工作日）", "第90百分位", "时限", "时限内占比%"])
        for d in dist:
            w.writerow(
                [
                    d.name,
                    d.count,
                    "" if d.median is None else d.median,
                    "" if d.p90 is None else d.p90,
                    d.limit or "",
                    "" if d.within is None else d.within,
                ]
            )
    return out.getvalue()
