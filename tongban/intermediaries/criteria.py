"""Scoring methods (评分办法) of tenders: the criteria of the scoring sheet, each with its
maximum points, 100 in all. Published with the tender; pure, no Django."""

from __future__ import annotations

from typing import Any

# Defaults per category; a tender may publish its own. Price weights follow common
# practice: 政府采购 services 10–30 % (财政部令第 87 号 第五十五条), construction often 40 %.
DEFAULT_CRITERIA: dict[str, list[tuple[str, str, int]]] = {
    "construction": [("business", "商务", 20), ("technical", "技术", 40), ("price", "报价", 40)],
    "procurement": [("business", "商务", 20), ("technical", "技术", 50), ("price", "价格", 30)],
    "land_mining": [("plan", "开发利用方案", 40), ("credit", "资信", 20), ("price", "报价", 40)],
    "state_property": [("plan", "受让方案", 40), ("credit", "资信", 20), ("price", "报价", 40)],
}


def criteria_for(category: str) -> list[dict[str, Any]]:
    return [{"key": k, "name": n, "max": m} for k, n, m in DEFAULT_CRITERIA[category]]


def criteria_problem(criteria: Any) -> str:
    """Why ``criteria`` is not a usable scoring method ("" when it is)."""
    if not isinstance(criteria, list) or not 1 <= len(criteria) <= 12:
        return "评分办法须有 1–12 个评分项。"
    keys = set()
    total = 0
    for item in criteria:
        if not isinstance(item, dict):
            return "评分项格式不正确。"
        key, name, most = item.get("key"), item.get("name"), item.get("max")
        if not isinstance(key, str) or not key.isidentifier() or len(key) > 20 or key in keys:
            return "评分项的键须为不重复的英文标识。"
        if not isinstance(name, str) or not name.strip() or len(name) > 30:
            return "评分项须有名称（不超过 30 字）。"
        if not isinstance(most, int) or isinstance(most, bool) or not 1 <= most <= 100:
            return f"评分项“{name}”的分值须为 1–100 的整数。"
        keys.add(key)
        total += most
    if total != 100:
        return f"各评分项分值合计须为 100 分（现为 {total} 分）。"
    return ""


def sheet_line_problem(criteria: list[dict[str, Any]], parts: Any) -> str:
    """Why one bid's line of a scoring sheet is not valid ("" when it is)."""
    if not isinstance(parts, dict) or set(parts) != {c["key"] for c in criteria}:
        return "须为每个评分项打分。"
    for c in criteria:
        value = parts[c["key"]]
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= c["max"]:
            return f"“{c['name']}”得分须为 0–{c['max']} 的整数。"
    return ""
