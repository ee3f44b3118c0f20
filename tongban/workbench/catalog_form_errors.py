"""Errors of the guide editor put next to the input they name.

``catalog.services`` reports problems as dotted document paths
(``materials.2.name`` from validation, ``materials[2].name`` from the lint);
:func:`attach_guide_errors` places each on the editor's form or formset row and
returns them all, labelled in Chinese, for the summary at the top of the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tongban.catalog.diff import FIELD_LABELS
from tongban.workbench.catalog_forms import ADVANCED_KEYS, FORMSETS, GuideEditor

_PATH_PART = re.compile(r"[^.\[\]]+")
# Document fields edited through a differently named input of the main form.
_MAIN_INPUT = {
    "legal_limit.value": "legal_limit_value",
    "legal_limit.unit": "legal_limit_unit",
    "legal_limit": "legal_limit_value",
    "promised_limit.value": "promised_limit_value",
    "promised_limit.unit": "promised_limit_unit",
    "promised_limit": "promised_limit_value",
}
_SUBFIELD_LABELS: dict[str, dict[str, str]] = {
    key: {name: str(f.label) for name, f in cls.form.base_fields.items()}
    for key, cls, _heading in FORMSETS
}


def field_label(path: str) -> str:
    """A Chinese name of a document path: ``materials[2].name`` → 申请材料 第 3 项 · 材料名称."""
    parts = _PATH_PART.findall(path or "")
    if not parts:
        return "办事指南"
    label = FIELD_LABELS.get(parts[0], parts[0])
    if len(parts) >= 2 and parts[1].isdigit():
        label += f" 第 {int(parts[1]) + 1} 项"
        if len(parts) >= 3:
            label += " · " + _SUBFIELD_LABELS.get(parts[0], {}).get(parts[2], parts[2])
    elif len(parts) >= 2:
        label += " · " + {"value": "数值", "unit": "单位"}.get(parts[1], parts[1])
    return label


@dataclass(frozen=True)
class GuideProblem:
    field: str
    label: str
    message: str
    placed: bool  # shown next to its input as well
    anchor: str = ""  # the id of that input, for a link from the summary


def attach_guide_errors(editor: GuideEditor, entries: list[dict[str, Any]]) -> list[GuideProblem]:
    """Put each error next to the input its path names; return them all for the summary."""
    problems = []
    for entry in entries:
        path = str(entry.get("field") or "")
        message = str(entry.get("message") or "")
        anchor = _place(editor, path, message)
        problems.append(GuideProblem(path, field_label(path), message, bool(anchor), anchor))
    return problems


def _place(editor: GuideEditor, path: str, message: str) -> str:
    """Attach the error to its input; the input's id, or "" when it has none."""
    parts = _PATH_PART.findall(path)
    if not parts:
        return ""
    top = parts[0]
    form = editor.form
    if top in editor.formsets:
        if len(parts) >= 2 and parts[1].isdigit():
            rows = editor.rows.get(top, [])
            index = int(parts[1])
            if index < len(rows):
                row = rows[index]
                sub = parts[2] if len(parts) >= 3 else None
                if sub in row.fields:
                    row.add_error(sub, message)
                    return str(row[sub].id_for_label)
                row.add_error(None, message)
                return str(row[next(iter(row.fields))].id_for_label)
        return ""
    if top in ADVANCED_KEYS:
        form.add_error("advanced", f"{field_label(path)}：{message}")
        return str(form["advanced"].id_for_label)
    name = _MAIN_INPUT.get(".".join(parts[:2]), _MAIN_INPUT.get(top, top))
    if name in form.fields:
        # Index into a one-per-line field: say which line.
        if len(parts) >= 2 and parts[1].isdigit():
            message = f"第 {int(parts[1]) + 1} 行：{message}"
        form.add_error(name, message)
        return str(form[name].id_for_label)
    return ""
