"""Bundle lint: what a definition must pass before submission and publication.

``lint_bundle`` is pure: it takes the content and what the catalogue holds
for it (``LintContext``: the members' items and published guides, the known
departments) and returns findings in the catalogue lint's shape
(``catalog.lint.Finding``). Errors block submission and publication:

* a cycle in the dependency graph (a member needs, through others, its own
  result), a dependency on an unknown member, a member listed twice;
* a member whose item is not published (or cancelled, or not in the bundle's
  region or one above it), a situation the member's guide does not have;
* a promised limit longer than the sum of the members' promised limits
  (R-BD-1: 限时办结 is a promise to do better than filing separately);
* a department that is not known, a merge that names an unknown field or
  material, two linked fields of different types, a joint procedure with an
  unknown member, a project bundle whose members never ask for the project code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tongban.bundles import graph
from tongban.bundles.content import BundleContent
from tongban.catalog.content import GuideContent, LimitUnit, TimeLimit
from tongban.catalog.lint import ERROR, Finding

RULES: dict[str, str] = {
    "bundle_member_duplicate": "同一事项或同一标识不得重复列入",
    "bundle_unknown_dependency": "前置事项须是本一件事的成员",
    "bundle_cycle": "事项之间不得互为前置（依赖关系不得成环）",
    "bundle_member_unpublished": "成员事项须已发布办事指南且在用",
    "bundle_member_region": "成员事项须在本一件事的实施区划或其上级区划实施",
    "bundle_situation_unknown": "指定的情形须是该事项办事指南中的情形",
    "bundle_limit_over_members": "承诺时限不得长于各成员事项承诺时限之和",
    "bundle_department_unknown": "牵头部门和配合部门须是已登记的部门",
    "bundle_department_twice": "同一部门不得既是牵头部门又是配合部门",
    "bundle_link_unknown": "合并设置须指向存在的事项、字段或材料",
    "bundle_link_type_mismatch": "合并为一项的字段须为同一类型",
    "bundle_joint_unknown_member": "联合办理的参与事项须是本一件事的成员",
    "bundle_project_field_missing": "工程建设项目一件事须有事项填报投资项目代码",
    "bundle_provided_unknown": "由前一事项结果提供的材料须指向存在的材料和前置事项",
    "bundle_entity_member": "设立市场主体的事项须是本一件事的成员，且其后的事项依赖它",
}


@dataclass(frozen=True)
class MemberItem:
    """What the catalogue holds for one member's implementation code."""

    name: str
    department_id: int
    region_path: str
    active: bool
    guide: GuideContent | None  # the current published guide, None if never published


@dataclass(frozen=True)
class LintContext:
    region_path: str  # the bundle's region
    items: dict[str, MemberItem] = field(default_factory=dict)  # by implementation code
    departments: frozenset[str] = frozenset()  # known credit codes


def _f(code: str, where: str, message: str, severity: str = ERROR) -> Finding:
    return Finding(code=code, field=where, message=message, severity=severity)


def as_working_days(limit: TimeLimit) -> int:
    """A limit in working days, a natural-day limit at its working days at most
    (five in seven, rounded down): the comparison stays on the safe side."""
    if limit.unit == LimitUnit.WORKING_DAYS:
        return limit.value
    return limit.value * 5 // 7


def as_natural_days(limit: TimeLimit) -> int:
    if limit.unit == LimitUnit.NATURAL_DAYS:
        return limit.value
    return limit.value * 7 // 5


def _label(content: BundleContent, key: str, ctx: LintContext) -> str:
    member = content.member(key)
    if member is None:
        return key
    item = ctx.items.get(member.implementation_code)
    return member.label or (item.name if item else key)


def _members(content: BundleContent, ctx: LintContext) -> Iterator[Finding]:
    seen_keys: set[str] = set()
    seen_codes: set[str] = set()
    keys = {m.key for m in content.members}
    for i, member in enumerate(content.members):
        where = f"members[{i}]"
        if member.key in seen_keys:
            yield _f("bundle_member_duplicate", f"{where}.key", f"事项标识 {member.key} 重复。")
        if member.implementation_code in seen_codes:
            yield _f(
                "bundle_member_duplicate",
                f"{where}.implementation_code",
                f"事项 {member.implementation_code} 重复列入。",
            )
        seen_keys.add(member.key)
        seen_codes.add(member.implementation_code)
        for dep in member.depends_on:
            if dep not in keys or dep == member.key:
                yield _f(
                    "bundle_unknown_dependency",
                    f"{where}.depends_on",
                    f"“{_label(content, member.key, ctx)}”的前置事项 {dep} "
                    "不是本一件事的其他成员。",
                )
        item = ctx.items.get(member.implementation_code)
        if item is None or item.guide is None or not item.active:
            yield _f(
                "bundle_member_unpublished",
                f"{where}.implementation_code",
                f"事项 {member.implementation_code}（{member.label or member.key}）"
                "不存在、未发布办事指南或已取消，不能列入一件事。",
            )
            continue
        if not ctx.region_path.startswith(item.region_path):
            yield _f(
                "bundle_member_region",
                f"{where}.implementation_code",
                f"“{item.name}”不在本一件事的实施区划或其上级区划实施，申请人无法在此一并办理。",
            )
        if member.situation and member.situation not in {s.code for s in item.guide.situations}:
            yield _f(
                "bundle_situation_unknown",
                f"{where}.situation",
                f"“{item.name}”的办事指南中没有情形 {member.situation}。",
            )


def _cycles(content: BundleContent, ctx: LintContext) -> Iterator[Finding]:
    deps = {m.key: [d for d in m.depends_on if d != m.key] for m in content.members}
    for component in graph.cycles(deps):
        path = graph.cycle_path(deps, component)
        names = "→".join(f"“{_label(content, k, ctx)}”" for k in path)
        yield _f(
            "bundle_cycle",
            "members",
            f"事项互为前置：{names}（前者需要后者的结果），无法确定办理顺序，请去掉其中一个依赖。",
        )


def _limit(content: BundleContent, ctx: LintContext) -> Iterator[Finding]:
    limits = []
    for member in content.members:
        item = ctx.items.get(member.implementation_code)
        if item is None or item.guide is None:
            return  # reported as unpublished
        limits.append(item.guide.promised_limit)
    own = content.promised_limit
    if own.unit == LimitUnit.WORKING_DAYS:
        total = sum(as_working_days(x) for x in limits)
    else:
        total = sum(as_natural_days(x) for x in limits)
    if own.value > total:
        yield _f(
            "bundle_limit_over_members",
            "promised_limit",
            f"承诺时限 {own.label()} 长于各成员事项承诺时限之和（{total} 天）："
            "一件事的承诺应不长于分别办理。",
        )


def _departments(content: BundleContent, ctx: LintContext) -> Iterator[Finding]:
    for name, codes in (
        ("lead_departments", content.lead_departments),
        ("cooperating_departments", content.cooperating_departments),
    ):
        for i, code in enumerate(codes):
            if code not in ctx.departments:
                yield _f(
                    "bundle_department_unknown",
                    f"{name}[{i}]",
                    f"统一社会信用代码为 {code} 的部门未登记。",
                )
    for code in set(content.lead_departments) & set(content.cooperating_departments):
        yield _f(
            "bundle_department_twice",
            "cooperating_departments",
            f"部门 {code} 已是牵头部门，不应再列为配合部门。",
        )


def _guide(content: BundleContent, ctx: LintContext, key: str) -> GuideContent | None:
    member = content.member(key)
    if member is None:
        return None
    item = ctx.items.get(member.implementation_code)
    return item.guide if item else None


def _links(content: BundleContent, ctx: LintContext) -> Iterator[Finding]:
    types: dict[str, str] = {}
    for member in content.members:
        guide = _guide(content, ctx, member.key)
        for spec in guide.form if guide else []:
            types.setdefault(spec.code, spec.type)
    pairs: list[tuple[str, str, str, str | None]] = [
        (f"field_links[{i}]", x.member, x.field, x.to) for i, x in enumerate(content.field_links)
    ] + [
        (f"field_splits[{i}]", x.member, x.field, None) for i, x in enumerate(content.field_splits)
    ]
    for where, member_key, field_code, target in pairs:
        guide = _guide(content, ctx, member_key)
        form = {f.code: f for f in guide.form} if guide else {}
        if field_code not in form:
            yield _f(
                "bundle_link_unknown",
                where,
                f"事项 {member_key} 的申请表中没有字段 {field_code}。",
            )
            continue
        if target is None:
            continue
        if target not in types:
            yield _f("bundle_link_unknown", where, f"没有成员事项填报字段 {target}。")
        elif types[target] != form[field_code].type:
            yield _f(
                "bundle_link_type_mismatch",
                where,
                f"字段 {field_code}（{form[field_code].type}）与 {target}（{types[target]}）"
                "类型不同，不能合并为一项。",
            )
    for i, mlink in enumerate(content.material_links):
        for member_key, code in (
            (mlink.member, mlink.material),
            (mlink.to_member, mlink.to_material),
        ):
            guide = _guide(content, ctx, member_key)
            if guide is None or code not in {m.code for m in guide.materials}:
                yield _f(
                    "bundle_link_unknown",
                    f"material_links[{i}]",
                    f"事项 {member_key} 没有编码为 {code} 的材料。",
                )
    for i, split in enumerate(content.material_splits):
        guide = _guide(content, ctx, split.member)
        if guide is None or split.material not in {m.code for m in guide.materials}:
            yield _f(
                "bundle_link_unknown",
                f"material_splits[{i}]",
                f"事项 {split.member} 没有编码为 {split.material} 的材料。",
            )


def _joint(content: BundleContent, ctx: LintContext) -> Iterator[Finding]:
    keys = {m.key for m in content.members}
    for i, plan in enumerate(content.joint_procedures):
        unknown = [k for k in plan.members if k not in keys]
        if unknown:
            yield _f(
                "bundle_joint_unknown_member",
                f"joint_procedures[{i}].members",
                f"联合办理的参与事项 {'、'.join(unknown)} 不是本一件事的成员。",
            )
    if content.project_required:
        guides = [_guide(content, ctx, m.key) for m in content.members]
        asks = any(f.code == "project_code" for g in guides if g for f in g.form)
        if not asks:
            yield _f(
                "bundle_project_field_missing",
                "project_required",
                "要求投资项目代码，但没有成员事项的申请表填报投资项目代码（project_code）。",
            )


def _ancestors(content: BundleContent, key: str) -> set[str]:
    deps = {m.key: set(m.depends_on) for m in content.members}
    seen: set[str] = set()
    frontier = [key]
    while frontier:
        for dep in deps.get(frontier.pop(), set()):
            if dep not in seen:
                seen.add(dep)
                frontier.append(dep)
    return seen


def _provided(content: BundleContent, ctx: LintContext) -> Iterator[Finding]:
    keys = {m.key for m in content.members}
    for i, provided in enumerate(content.provided_by):
        where = f"provided_by[{i}]"
        guide = _guide(content, ctx, provided.member)
        if guide is None or provided.material not in {m.code for m in guide.materials}:
            yield _f(
                "bundle_provided_unknown",
                where,
                f"事项 {provided.member} 没有编码为 {provided.material} 的材料。",
            )
        elif provided.from_member is not None and (
            provided.from_member not in keys
            or provided.from_member not in _ancestors(content, provided.member)
        ):
            yield _f(
                "bundle_provided_unknown",
                where,
                f"材料由 {provided.from_member} 的结果提供，"
                f"但它不是 {provided.member} 的前置事项。",
            )
    founding = content.establishes_entity
    if founding is not None:
        if founding not in keys:
            yield _f(
                "bundle_entity_member", "establishes_entity", f"{founding} 不是本一件事的成员。"
            )
        elif not any(founding in _ancestors(content, m.key) for m in content.members):
            yield _f(
                "bundle_entity_member",
                "establishes_entity",
                "没有事项依赖设立登记的结果，不需要指定设立市场主体的事项。",
            )


def lint_bundle(content: BundleContent, ctx: LintContext) -> list[Finding]:
    """Every finding, in the order of ``RULES``' groups."""
    findings: list[Finding] = []
    for check in (_members, _cycles, _limit, _departments, _links, _joint, _provided):
        findings.extend(check(content, ctx))
    return findings


def errors_of(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == ERROR]
