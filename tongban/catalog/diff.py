"""What changed between two versions of a guide, in words an editor reads
(issue 20, item 6): "申请材料 第 3 项“营业执照”：名称 由 … 改为 …".

Lists whose order carries no meaning (aliases, keywords, themes, modes,
halls, the audience, and materials, fields, situations, questions, fees,
legal bases and contacts matched by their code or name) are compared as
sets: a pure reordering is no change. The steps of the procedure and the
conditions keep their order, so a reordering of them is reported.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from tongban.catalog.content import SERVICE_MODE_LABELS, GuideContent, ServiceMode

FIELD_LABELS = {
    "name": "事项名称", "aliases": "别名", "keywords": "关键词", "audience": "服务对象",
    "themes": "主题", "handling": "办件类型", "legal_limit": "法定时限",
    "promised_limit": "承诺时限", "online_depth": "网办深度", "visits_required": "跑动次数",
    "mobile": "掌上办", "free": "是否收费", "fees": "收费项目", "conditions": "受理条件",
    "legal_bases": "设定依据", "result": "办理结果", "result_certificate_type": "结果证照类型",
    "steps": "办理环节", "situations": "情形", "questions": "情形引导问题", "materials": "申请材料",
    "form": "申请表", "modes": "服务方式", "commitment_text": "告知承诺书", "halls": "办理地点",
    "address": "地址", "office_hours": "办公时间", "contacts": "咨询投诉", "licence_separation":
    "证照分离改革方式", "prior_approval": "前置审批", "intermediary_service": "中介服务",
    "min_real_name_level": "最低实名认证等级", "notes": "备注",
}  # fmt: skip

# The parts of a list's entries, in Chinese.
PART_LABELS = {
    "materials": {
        "code": "编码", "name": "名称", "requirement": "是否必要", "situations": "适用情形",
        "originals": "原件份数", "copies": "复印件份数", "media": "材料形式",
        "blank_form": "空白表格", "sample": "示例样表", "source": "来源渠道",
        "certificate_type": "证照类型", "exempt": "免提交", "deferrable": "容缺后补",
        "legal_basis": "材料依据", "notes": "填报说明",
    },
    "form": {
        "code": "编码", "label": "名称", "type": "类型", "required": "必填", "options": "选项",
        "max_length": "最大长度", "pattern": "格式", "help_text": "填写说明",
        "sensitive": "个人信息",
        "min_value": "最小值", "max_value": "最大值", "decimals": "小数位数",
        "min_date": "最早日期", "max_date": "最晚日期", "question": "取自情形问题",
    },
    "steps": {
        "name": "名称", "role": "岗位", "department": "部门", "share_percent": "占承诺时限比例",
        "special_procedure": "特别程序", "description": "说明",
    },
    "situations": {"code": "编码", "name": "名称", "description": "说明"},
    "questions": {"code": "编码", "text": "问题", "options": "选项"},
    "fees": {"name": "名称", "standard": "收费标准", "basis": "收费依据"},
    "legal_bases": {"title": "名称", "article": "条款", "excerpt": "条文"},
    "contacts": {"kind": "类别", "value": "号码或地址"},
}  # fmt: skip

# How an entry of a list is recognised in the other version, and named.
KEYS = {
    "materials": "code", "form": "code", "situations": "code", "questions": "code",
    "fees": "name", "contacts": "kind", "steps": "name",
}  # fmt: skip
NAMES = {"materials": "name", "form": "label", "situations": "name", "questions": "text"}
ORDERED = {"steps", "conditions"}  # the order of these lists means something
VALUE_WORDS = {
    "required": "必要", "optional": "非必要", "situational": "按情形提交",
    "paper": "纸质", "electronic": "电子", "either": "纸质或电子",
    "applicant": "申请人自备", "government": "政府部门核发", "intermediary": "中介机构出具",
    "immediate": "即办件", "promised": "承诺件", "person": "个人", "legal_entity": "法人",
    "hearing": "听证", "testing": "检验检测", "inspection": "现场勘验", "expert_review": "专家评审",
}  # fmt: skip
LONG = 80  # characters above which a text is shown as a line diff


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str
    lines: list[str]  # unified diff of a long text, else []
    items: list[str] = dataclass_field(default_factory=list)  # the changes in words


def words(value: Any) -> str:
    """A value as the editor would write it."""
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict) and set(value) == {"value", "unit"}:
        unit = "个工作日" if value["unit"] == "working_days" else "个自然日"
        return f"{value['value']} {unit}"
    if isinstance(value, list):
        return "、".join(words(v) for v in value) or "（空）"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value in ServiceMode.__members__.values():
        return SERVICE_MODE_LABELS[ServiceMode(value)]
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return VALUE_WORDS.get(str(value), str(value))


def _changed(label: str, a: Any, b: Any) -> str:
    return f"{label} 由 {words(a)} 改为 {words(b)}"


def _entry_changes(kind: str, where: str, a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    labels = PART_LABELS.get(kind, {})
    out = []
    for part in labels:
        x, y = a.get(part), b.get(part)
        if x == y or (part in ("situations", "options") and _same_set(x, y)):
            continue
        out.append(f"{where}：{_changed(labels[part], x, y)}")
    return out


def _same_set(a: Any, b: Any) -> bool:
    if not isinstance(a, list) or not isinstance(b, list):
        return False
    key = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True)  # noqa: E731  (local sort key)
    return sorted(map(key, a)) == sorted(map(key, b))


def _list_of_entries(kind: str, label: str, a: list[Any], b: list[Any]) -> list[str]:
    key = KEYS.get(kind)
    name_of = NAMES.get(kind, KEYS.get(kind, "title"))

    def ident(entry: dict[str, Any]) -> str:
        if key:
            return str(entry.get(key))
        return f"{entry.get('title', '')}{entry.get('article', '')}"

    before = {ident(e): e for e in a}
    after = {ident(e): (i, e) for i, e in enumerate(b, start=1)}
    out = []
    for ident_b, (i, entry) in after.items():
        where = f"{label} 第 {i} 项“{entry.get(name_of, ident_b)}”"
        old = before.get(ident_b)
        if old is None:
            out.append(f"新增{where}")
        else:
            out += _entry_changes(kind, where, old, entry)
    for ident_a, entry in before.items():
        if ident_a not in after:
            out.append(f"删除{label}“{entry.get(name_of, ident_a)}”")
    if kind in ORDERED:
        order_a = [ident(e) for e in a if ident(e) in after]
        order_b = [ident(e) for e in b if ident(e) in before]
        if order_a != order_b:
            out.append(f"{label}顺序 由 {' → '.join(order_a)} 改为 {' → '.join(order_b)}")
    return out


def _list_of_values(field_name: str, label: str, a: list[Any], b: list[Any]) -> list[str]:
    if field_name not in ORDERED:
        gone = [v for v in a if v not in b]
        new = [v for v in b if v not in a]
        out = [f"{label} 新增 {words(v)}" for v in new]
        out += [f"{label} 删除 {words(v)}" for v in gone]
        return out
    out = []
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else None
        y = b[i] if i < len(b) else None
        if x != y:
            where = f"{label} 第 {i + 1} 项"
            if x is None:
                out.append(f"{where} 新增：{words(y)}")
            elif y is None:
                out.append(f"{where} 删除：{words(x)}")
            else:
                out.append(f"{where} 由 {words(x)} 改为 {words(y)}")
    return out


def field_change_items(field_name: str, a: Any, b: Any) -> list[str]:
    """The change of one field of the guide, in words; [] when only the order of
    a list changed that carries no meaning."""
    label = FIELD_LABELS.get(field_name, field_name)
    if isinstance(a, list) or isinstance(b, list):
        a, b = a or [], b or []
        if field_name not in ORDERED and _same_set(a, b):
            return []
        if any(isinstance(v, dict) for v in [*a, *b]):
            return _list_of_entries(field_name, label, a, b)
        return _list_of_values(field_name, label, a, b)
    return [_changed(label, a, b)]


def _pretty(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


def guide_changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[FieldChange]:
    """Field by field, what changed from ``before`` to ``after`` (every field
    when ``before`` is None), each with its changes in words."""
    old = GuideContent.model_validate(before).model_dump(mode="json") if before else {}
    new = GuideContent.model_validate(after).model_dump(mode="json")
    changes = []
    for name in GuideContent.model_fields:
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        items = field_change_items(name, a, b) if before else [f"{words(b)}"]
        if not items:
            continue  # only reordered, and the order means nothing
        a_text, b_text = ("" if a is None else _pretty(a)), ("" if b is None else _pretty(b))
        lines: list[str] = []
        if isinstance(b, str) and max(len(a_text), len(b_text)) > LONG:
            lines = list(
                difflib.unified_diff(
                    a_text.splitlines(), b_text.splitlines(), "修改前", "修改后", lineterm="", n=2
                )
            )
        changes.append(
            FieldChange(name, FIELD_LABELS.get(name, name), a_text, b_text, lines, items)
        )
    return changes
