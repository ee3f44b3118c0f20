"""The flow chart of an item (办理流程图, R-CT-6) as an accessible inline SVG.

Vertical, one box per step, so that it reads on a phone without scrolling
sideways: start (申请) → steps in order → end (办结). Each box shows the step
name, who does it and its share of the promised time limit. Special
procedures (行政许可法 第四十五条: 听证、检验检测、现场勘验、专家评审) are drawn
with a dashed border and say that their time does not count towards the
limit. The SVG is built here, with no external service; every text is
escaped. ``<title>`` and ``<desc>`` (with ``role="img"``) give screen readers
the whole procedure as one sentence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from tongban.catalog.content import (
    GuideContent,
    ProcessStep,
    promised_limit_text,
    step_share_text,
)
from tongban.catalog.lists import SPECIAL_PROCEDURE_LABELS
from tongban.catalog.models import ServiceItem, ServiceItemStatus
from tongban.core import errors as core_errors
from tongban.core.errors import DomainError

WIDTH = 360
MARGIN = 16
BOX_WIDTH = WIDTH - 2 * MARGIN
PADDING = 10
NAME_SIZE = 15
DETAIL_SIZE = 12
LINE_GAP = 5
ARROW = 30
PILL_HEIGHT = 40
FONT = "system-ui, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif"


def _char_width(ch: str) -> float:
    """Width of one character in ems: CJK and full-width forms are one em."""
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.56


def wrap_text(text: str, *, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` pixels at font ``size``.

    Chinese breaks between any two characters; a run of Latin letters or
    digits is kept together when it fits on a line.
    """
    limit = width / size
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        tokens = re.findall(r"[A-Za-z0-9.\-_/]+|\s+|.", paragraph)
        line, used = "", 0.0
        for token in tokens:
            token_width = sum(_char_width(c) for c in token)
            if used + token_width > limit and line.strip():
                if token_width > limit:  # a long Latin run: break it by characters
                    for ch in token:
                        if used + _char_width(ch) > limit and line:
                            lines.append(line.rstrip())
                            line, used = "", 0.0
                        line += ch
                        used += _char_width(ch)
                    continue
                lines.append(line.rstrip())
                line, used = ("", 0.0) if token.isspace() else (token, token_width)
                continue
            line += token
            used += token_width
        lines.append(line.rstrip())
    return [ln for ln in lines if ln] or [""]


def step_time_text(step: ProcessStep, guide: GuideContent) -> str:
    if step.special_procedure is not None:
        label = SPECIAL_PROCEDURE_LABELS.get(step.special_procedure.value, "特别程序")
        return f"特别程序：{label}，不计入时限"
    return step_share_text(guide, step.share_percent)


def step_who_text(step: ProcessStep, department: str) -> str:
    return " · ".join(p for p in (step.role, step.department or department) if p)


@dataclass
class _Line:
    text: str
    size: int
    weight: str = "normal"
    color: str = "#1a202c"


def _step_lines(
    number: int, step: ProcessStep, guide: GuideContent, department: str
) -> list[_Line]:
    inner = BOX_WIDTH - 2 * PADDING
    lines = [
        _Line(t, NAME_SIZE, "bold")
        for t in wrap_text(f"{number}. {step.name}", size=NAME_SIZE, width=inner)
    ]
    who = step_who_text(step, department)
    if who:
        lines += [
            _Line(t, DETAIL_SIZE, color="#4a5568")
            for t in wrap_text(who, size=DETAIL_SIZE, width=inner)
        ]
    time = step_time_text(step, guide)
    if time:
        color = "#975a16" if step.special_procedure else "#2c5282"
        lines += [
            _Line(t, DETAIL_SIZE, color=color)
            for t in wrap_text(time, size=DETAIL_SIZE, width=inner)
        ]
    return lines


def text_width(text: str, size: float) -> float:
    """The width ``text`` is laid out at, in pixels at font ``size``."""
    return sum(_char_width(c) for c in text) * size


def _text(x: float, y: float, line: _Line, anchor: str = "start") -> str:
    # The line is drawn at exactly the width it was wrapped for (textLength),
    # whatever font the reader has: a wide Latin font or a fallback CJK font
    # cannot push it out of its box, at any width of the page or in print.
    width = text_width(line.text, line.size)
    length = f' textLength="{width:.1f}" lengthAdjust="spacingAndGlyphs"' if width else ""
    return (
        f'<text x="{x:g}" y="{y:g}" font-size="{line.size}" font-weight="{line.weight}" '
        f'fill="{line.color}" text-anchor="{anchor}"{length}>{escape(line.text)}</text>'
    )


def flowchart_description(guide: GuideContent, *, department: str = "") -> str:
    """The whole procedure as one sentence, for ``<desc>`` and text alternatives."""
    parts = ["申请"]
    for i, step in enumerate(guide.steps, start=1):
        details = [d for d in (step_who_text(step, department), step_time_text(step, guide)) if d]
        parts.append(f"{i}. {step.name}" + (f"（{'；'.join(details)}）" if details else ""))
    parts.append("办结")
    flow = " → ".join(parts)
    limit = promised_limit_text(guide)
    when = "即办，当场办结" if limit == "即办" else f"承诺时限 {limit}"
    return f"办理流程共 {len(guide.steps)} 个环节：{flow}。{when}。"


def flowchart_svg(content: GuideContent, *, department: str = "", id_prefix: str = "flow") -> str:
    """An SVG flow chart of ``content.steps``, to inline in a page or serve as a file.

    ``department`` fills in steps that name no department (the item's own);
    ``id_prefix`` keeps element ids unique when a page shows several charts.
    """
    prefix = re.sub(r"[^A-Za-z0-9_-]", "", id_prefix) or "flow"
    title = f"{content.name}办理流程图"
    desc = flowchart_description(content, department=department)
    body: list[str] = []
    y = float(MARGIN)
    cx = WIDTH / 2

    def pill(label: str, sub: str = "") -> None:
        nonlocal y
        lines = [_Line(label, NAME_SIZE, "bold", "#ffffff")]
        if sub:
            lines += [
                _Line(t, DETAIL_SIZE, color="#ffffff")
                for t in wrap_text(sub, size=DETAIL_SIZE, width=BOX_WIDTH - 40)
            ]
        height = max(PILL_HEIGHT, 2 * PADDING + sum(ln.size + LINE_GAP for ln in lines) - LINE_GAP)
        body.append(
            f'<rect x="{MARGIN + 40}" y="{y:g}" width="{BOX_WIDTH - 80}" height="{height:g}" '
            f'rx="{PILL_HEIGHT / 2:g}" fill="#2b6cb0"/>'
        )
        text_height = sum(ln.size + LINE_GAP for ln in lines) - LINE_GAP
        ty = y + (height - text_height) / 2
        for line in lines:
            ty += line.size
            body.append(_text(cx, ty - 2, line, "middle"))
            ty += LINE_GAP
        y += height

    def arrow() -> None:
        nonlocal y
        body.append(
            f'<line x1="{cx:g}" y1="{y:g}" x2="{cx:g}" y2="{y + ARROW - 2:g}" stroke="#4a5568" '
            f'stroke-width="2" marker-end="url(#{prefix}-arrow)"/>'
        )
        y += ARROW

    pill("申请")
    steps = list(content.steps)
    for i, step in enumerate(steps, start=1):
        arrow()
        lines = _step_lines(i, step, content, department)
        height = 2 * PADDING + sum(ln.size + LINE_GAP for ln in lines) - LINE_GAP
        special = step.special_procedure is not None
        style = (
            'fill="#fffaf0" stroke="#b7791f" stroke-dasharray="6 4"'
            if special
            else 'fill="#ebf4ff" stroke="#2b6cb0"'
        )
        css_class = "step special" if special else "step"
        body.append(f'<g class="{css_class}">')
        body.append(
            f'<rect x="{MARGIN}" y="{y:g}" width="{BOX_WIDTH}" height="{height:g}" rx="6" '
            f'stroke-width="1.5" {style}/>'
        )
        ty = y + PADDING
        for line in lines:
            ty += line.size
            body.append(_text(MARGIN + PADDING, ty - 2, line))
            ty += LINE_GAP
        body.append("</g>")
        y += height
    if not steps:
        arrow()
        line = _Line("（办事指南尚未列明办理环节）", DETAIL_SIZE, color="#4a5568")
        body.append(_text(cx, y + DETAIL_SIZE, line, "middle"))
        y += DETAIL_SIZE + PADDING
    arrow()
    pill("办结", f"取得：{content.result}" if content.result else "")
    total_height = y + MARGIN
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" viewBox="0 0 {WIDTH} {total_height:g}" '
        f'width="100%" style="max-width:{WIDTH * 1.5:g}px" font-family={quoteattr(FONT)}>'
        f'<title id="{prefix}-title">{escape(title)}</title>'
        f'<desc id="{prefix}-desc">{escape(desc)}</desc>'
        f'<defs><marker id="{prefix}-arrow" viewBox="0 0 10 10" refX="8" refY="5" '
        f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="#4a5568"/></marker></defs>' + "".join(body) + "</svg>"
    )


def item_flowchart_svg(implementation_code: str) -> str:
    """The flow chart of the published guide of an active item; ``not_found`` otherwise."""
    item = (
        ServiceItem.objects.filter(
            implementation_code=implementation_code,
            status=ServiceItemStatus.ACTIVE,
            current_version__isnull=False,
        )
        .select_related("department", "current_version")
        .first()
    )
    if item is None or item.current_version is None:
        raise DomainError(core_errors.NOT_FOUND, f"事项 {implementation_code} 不存在或尚未发布。")
    guide = GuideContent.model_validate(item.current_version.content)
    return flowchart_svg(guide, department=item.department.name, id_prefix=f"flow-{item.pk}")
