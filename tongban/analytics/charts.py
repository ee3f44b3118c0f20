"""Charts of the board as server-drawn SVG (no script: the strict CSP, and a
chart that prints and reads without JavaScript). Each chart repeats figures
shown in a table beside it; the geometry is computed here, the template only
draws it."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    bars: list[Bar]
    axis_x: int
    scale_end: int  # x of 100 % (or of the largest value)
    unit: str


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
