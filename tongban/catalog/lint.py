"""Guide lint (R-CT-1, R-CT-2, R-CT-8): the rules a guide must pass before it
is submitted or published.

``lint_guide(content, item_type=None) -> list[Finding]`` runs every rule of
``RULES`` in order. A rule is a small function that yields findings with its
own stable ``code``; ``RULES`` lists them with a Chinese title so that the
API (``GET /api/v1/catalog/lint/rules``), the command (``tongban catalog
lint``) and the docs can show them. A finding of severity "error" blocks
submission and publication (``services._lint_or_raise``); a "warning" does not.

Catch-all clauses (模糊兜底条款, 国办发〔2018〕45号 "清理模糊兜底条款") are found
by a rule rather than a list of exact strings; see ``catalog.phrases``. The
report over the whole catalogue is ``catalog.lint_report``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from tongban.catalog.content import (
    GuideContent,
    Handling,
    LicenceSeparationMode,
    LimitUnit,
    MaterialSource,
    Requirement,
    ServiceMode,
)
from tongban.catalog.phrases import catch_all_phrase, normalise

__all__ = [
    "ERROR",
    "RULES",
    "RULE_CODES",
    "WARNING",
    "Finding",
    "catch_all_phrase",
    "errors_of",
    "lint_guide",
    "normalise",
]

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    code: str  # stable rule code, e.g. "catch_all_material"
    field: str  # dotted path into the guide, e.g. "materials[3].name"
    message: str  # Chinese, says what is wrong and how to fix it
    severity: str = "error"  # "error" blocks publication; "warning" does not


# --------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------

Check = Callable[[GuideContent, str | None], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    title: str  # Chinese, for the rule list
    severity: str
    check: Check


RULES: list[Rule] = []


def rule(code: str, title: str, severity: str = ERROR) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        RULES.append(Rule(code=code, title=title, severity=severity, check=check))
        return check

    return register


def _finding(code: str, field: str, message: str, severity: str = ERROR) -> Finding:
    return Finding(code=code, field=field, message=message, severity=severity)


@rule("catch_all_material", "申请材料不得含“其他材料”“有关材料”“…等”之类模糊兜底表述")
def _catch_all_material(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    for i, material in enumerate(guide.materials):
        for attr, label in (("name", "名称"), ("notes", "备注")):
            phrase = catch_all_phrase(getattr(material, attr))
            if phrase:
                yield _finding(
                    "catch_all_material",
                    f"materials[{i}].{attr}",
                    f"申请材料“{material.name}”的{label}含模糊兜底表述“{phrase}”："
                    "请逐项写明具体材料的名称，或删除该表述（清理模糊兜底条款）。",
                )


@rule("catch_all_condition", "受理条件不得含“其他条件”“法律法规规定的其他条件”之类兜底表述")
def _catch_all_condition(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    for i, condition in enumerate(guide.conditions):
        phrase = catch_all_phrase(condition, kind="condition")
        if phrase:
            yield _finding(
                "catch_all_condition",
                f"conditions[{i}]",
                f"受理条件含模糊兜底表述“{phrase}”：请写明具体条件及其依据的条款，"
                "或删除该表述（清理模糊兜底条款）。",
            )


@rule("empty_conditions", "须写明受理条件，且不得有空条件")
def _empty_conditions(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    if not guide.conditions:
        yield _finding(
            "empty_conditions", "conditions", "未写明受理条件：请逐条列出申请人须满足的条件。"
        )
    for i, condition in enumerate(guide.conditions):
        if not condition.strip():
            yield _finding(
                "empty_conditions", f"conditions[{i}]", "受理条件为空：请填写内容或删除该条。"
            )


@rule("missing_legal_basis", "须写明办理依据（法律法规名称）")
def _missing_legal_basis(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    if not guide.legal_bases:
        yield _finding(
            "missing_legal_basis",
            "legal_bases",
            "未写明办理依据：请列出设定该事项的法律、法规或规章的名称及条款。",
        )
    for i, basis in enumerate(guide.legal_bases):
        if not basis.title.strip():
            yield _finding(
                "missing_legal_basis",
                f"legal_bases[{i}].title",
                "办理依据未写名称：请填写法律、法规或规章的全称。",
            )


_LAW_LIKE = re.compile(r"《[^》]+》|(?:法|条例|规定|办法|决定|细则|规则|通知|意见)$")


@rule("legal_basis_title", "办理依据的名称应为法律、法规、规章或规范性文件的名称", WARNING)
def _legal_basis_title(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    for i, basis in enumerate(guide.legal_bases):
        title = basis.title.strip()
        if title and not _LAW_LIKE.search(title):
            yield _finding(
                "legal_basis_title",
                f"legal_bases[{i}].title",
                f"办理依据“{title}”看起来不是法律法规的名称：请写全称并加书名号，"
                "如《中华人民共和国行政许可法》，条款写在“条款”一栏。",
                WARNING,
            )


@rule("fee_without_basis", "收费事项须列明收费标准及收费依据")
def _fee_without_basis(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    if not guide.free and not guide.fees:
        yield _finding(
            "fee_without_basis",
            "fees",
            "事项标为收费，但未列出收费项目：请写明收费项目、收费标准和收费依据，或改为不收费。",
        )
    for i, fee in enumerate(guide.fees):
        if not fee.basis.strip():
            yield _finding(
                "fee_without_basis",
                f"fees[{i}].basis",
                f"收费项目“{fee.name}”未写收费依据：请填写设定该收费的文件名称及文号。",
            )


@rule("fee_inconsistent", "标为不收费的事项不得列出收费项目")
def _fee_inconsistent(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    if guide.free and guide.fees:
        yield _finding(
            "fee_inconsistent",
            "fees",
            f"事项标为不收费，却列出了 {len(guide.fees)} 个收费项目：请删除收费项目，或改为收费。",
        )


@rule("promised_over_legal", "承诺时限不得超过法定时限")
def _promised_over_legal(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    # Compared only when provable: in the same unit, or a promise in working days
    # against a legal limit in natural days (N working days never take fewer than
    # N natural days). The other mix is left to ``limit_unit_mismatch``.
    promised, legal = guide.promised_limit, guide.legal_limit
    comparable = promised.unit == legal.unit or (
        promised.unit == LimitUnit.WORKING_DAYS and legal.unit == LimitUnit.NATURAL_DAYS
    )
    if comparable and promised.value > legal.value:
        yield _finding(
            "promised_over_legal",
            "promised_limit",
            f"承诺时限（{promised.label()}）超过法定时限（{legal.label()}）："
            "承诺时限应不长于法定时限，请缩短承诺时限。",
        )


@rule("limit_unit_mismatch", "承诺时限与法定时限宜使用同一计量单位", WARNING)
def _limit_unit_mismatch(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    promised, legal = guide.promised_limit, guide.legal_limit
    if promised.unit != legal.unit:
        yield _finding(
            "limit_unit_mismatch",
            "promised_limit.unit",
            f"承诺时限（{promised.label()}）与法定时限（{legal.label()}）单位不同，无法比较："
            "请使用与法定时限相同的单位。",
            WARNING,
        )


@rule("immediate_over_one_day", "即办件的承诺时限不得超过 1 天")
def _immediate_over_one_day(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    if guide.handling == Handling.IMMEDIATE and guide.promised_limit.value > 1:
        yield _finding(
            "immediate_over_one_day",
            "promised_limit",
            f"即办件当场办结，承诺时限却为 {guide.promised_limit.label()}："
            "请将承诺时限改为 0 或 1 天，或将办件类型改为承诺件。",
        )


_ZERO_VISIT_MODES = {
    ServiceMode.FULLY_ONLINE: "全程网办",
    ServiceMode.NO_VISIT: "一次不跑",
    ServiceMode.NO_MEETING: "不见面审批",
}


@rule("online_depth_visits", "网办深度、服务方式与跑动次数须一致")
def _online_depth_visits(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    visits = guide.visits_required
    if guide.online_depth == 4 and visits > 0:
        yield _finding(
            "online_depth_visits",
            "visits_required",
            f"网办深度为四级（全程网办），跑动次数却为 {visits} 次："
            "全程网办应零跑动，请改跑动次数为 0 或降低网办深度。",
        )
    for mode, label in _ZERO_VISIT_MODES.items():
        if mode in guide.modes and visits > 0:
            yield _finding(
                "online_depth_visits",
                f"modes[{guide.modes.index(mode)}]",
                f"服务方式含“{label}”，跑动次数却为 {visits} 次："
                "请改跑动次数为 0 或删除该服务方式。",
            )
    if ServiceMode.ONE_VISIT in guide.modes and visits > 1:
        yield _finding(
            "online_depth_visits",
            f"modes[{guide.modes.index(ServiceMode.ONE_VISIT)}]",
            f"服务方式含“只跑一次”，跑动次数却为 {visits} 次：请改跑动次数或删除该服务方式。",
        )
    if ServiceMode.FULLY_ONLINE in guide.modes and guide.online_depth < 4:
        yield _finding(
            "online_depth_visits",
            "online_depth",
            f"服务方式含“全程网办”，网办深度却为 {guide.online_depth} 级：全程网办即四级网办深度。",
        )


@rule("government_material_not_exempt", "政府部门核发的材料应免于提交（通过共享获取）")
def _government_material_not_exempt(
    guide: GuideContent, item_type: str | None
) -> Iterator[Finding]:
    # 两个免于提交: what government issued is obtained by data sharing, not from the applicant.
    for i, material in enumerate(guide.materials):
        if material.source == MaterialSource.GOVERNMENT and not material.exempt:
            yield _finding(
                "government_material_not_exempt",
                f"materials[{i}].exempt",
                f"“{material.name}”由政府部门核发，应通过数据共享获取、免于申请人提交："
                "请勾选“免于提交”并写明证照类型。",
            )


@rule("government_material_certificate_type", "政府部门核发的材料须写明证照类型")
def _government_material_certificate_type(
    guide: GuideContent, item_type: str | None
) -> Iterator[Finding]:
    for i, material in enumerate(guide.materials):
        if material.source == MaterialSource.GOVERNMENT and not material.certificate_type.strip():
            yield _finding(
                "government_material_certificate_type",
                f"materials[{i}].certificate_type",
                f"“{material.name}”由政府部门核发，但未写证照类型：请填写证照类型，"
                "以便从电子证照库调取。",
            )


@rule("duplicate_material", "申请材料不得重复（名称或编码相同）")
def _duplicate_material(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    names: dict[str, int] = {}
    codes: dict[str, int] = {}
    for i, material in enumerate(guide.materials):
        name = normalise(material.name)
        if name in names:
            yield _finding(
                "duplicate_material",
                f"materials[{i}].name",
                f"申请材料“{material.name}”与第 {names[name] + 1} 项重复：请合并为一项。",
            )
        else:
            names[name] = i
        if material.code in codes:
            yield _finding(
                "duplicate_material",
                f"materials[{i}].code",
                f"申请材料编码“{material.code}”与第 {codes[material.code] + 1} 项相同："
                "每项材料须有不同的编码。",
            )
        else:
            codes[material.code] = i


@rule("missing_steps", "承诺件须写明办理流程")
def _missing_steps(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    if guide.handling == Handling.PROMISED and not guide.steps:
        yield _finding(
            "missing_steps",
            "steps",
            "承诺件未写明办理流程：请列出受理、审查、决定、送达等环节及其时限占比。",
        )


@rule("step_share_over_100", "各环节时限占比之和不得超过 100%")
def _step_share_over_100(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    total = sum(step.share_percent for step in guide.steps)
    if total > 100:
        yield _finding(
            "step_share_over_100",
            "steps",
            f"各环节时限占比之和为 {total}%，超过 100%：请调整各环节的占比。",
        )


@rule("situational_material_unlinked", "情形材料须关联已定义的情形")
def _situational_material(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    known = {s.code for s in guide.situations}
    for i, material in enumerate(guide.materials):
        if material.requirement == Requirement.SITUATIONAL and not material.situations:
            yield _finding(
                "situational_material_unlinked",
                f"materials[{i}].situations",
                f"“{material.name}”为情形材料，但未关联任何情形：请选择适用的情形，或改为必交材料。",
            )
        for j, code in enumerate(material.situations):
            if code not in known:
                yield _finding(
                    "situational_material_unlinked",
                    f"materials[{i}].situations[{j}]",
                    f"“{material.name}”关联的情形“{code}”不存在：请先在“情形”中定义，或删除该关联。",
                )


@rule("question_unknown_target", "情形引导问题的选项须指向已定义的问题或情形")
def _question_unknown_target(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    questions = {q.code for q in guide.questions}
    situations = {s.code for s in guide.situations}
    for i, question in enumerate(guide.questions):
        for j, option in enumerate(question.options):
            path = f"questions[{i}].options[{j}]"
            if option.next_question is not None and option.next_question not in questions:
                yield _finding(
                    "question_unknown_target",
                    f"{path}.next_question",
                    f"问题“{question.text}”的选项“{option.label}”指向不存在的问题"
                    f"“{option.next_question}”：请改为已定义的问题编码。",
                )
            if option.situation is not None and option.situation not in situations:
                yield _finding(
                    "question_unknown_target",
                    f"{path}.situation",
                    f"问题“{question.text}”的选项“{option.label}”指向不存在的情形"
                    f"“{option.situation}”：请改为已定义的情形编码。",
                )


@rule("deferrable_material", "容缺材料须为必交或情形材料，且事项须开通容缺受理", WARNING)
def _deferrable_material(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    has_mode = ServiceMode.DEFERRED_MATERIALS in guide.modes
    deferrable = [(i, m) for i, m in enumerate(guide.materials) if m.deferrable]
    for i, material in deferrable:
        if material.requirement == Requirement.OPTIONAL:
            yield _finding(
                "deferrable_material",
                f"materials[{i}].deferrable",
                f"“{material.name}”是非必交材料，无需标为容缺：请取消“可容缺”。",
                WARNING,
            )
        if not has_mode:
            yield _finding(
                "deferrable_material",
                f"materials[{i}].deferrable",
                f"“{material.name}”标为可容缺，但事项未开通“容缺受理”：请在服务方式中加上容缺受理，"
                "或取消“可容缺”。",
                WARNING,
            )
    if has_mode and not deferrable:
        yield _finding(
            "deferrable_material",
            f"modes[{guide.modes.index(ServiceMode.DEFERRED_MATERIALS)}]",
            "事项开通了“容缺受理”，但没有标为可容缺的材料：请标明哪些非关键材料可容缺。",
            WARNING,
        )


@rule("commitment_without_text", "告知承诺事项须提供告知承诺书")
def _commitment_without_text(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    wants = (
        ServiceMode.COMMITMENT in guide.modes
        or guide.licence_separation == LicenceSeparationMode.COMMITMENT
    )
    if wants and not guide.commitment_text.strip():
        yield _finding(
            "commitment_without_text",
            "commitment_text",
            "事项实行告知承诺，但未提供告知承诺书：请填写承诺书文本，写明条件、材料和违诺后果。",
        )


@rule("missing_location", "需要到现场的事项须写明办理地点", WARNING)
def _missing_location(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    if guide.visits_required > 0 and not guide.halls and not guide.address.strip():
        yield _finding(
            "missing_location",
            "address",
            f"申请人须到现场 {guide.visits_required} 次，但未写办理地点：请填写办理大厅或地址。",
            WARNING,
        )


@rule("missing_result", "须写明办理结果（八公开之一）")
def _missing_result(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    if not guide.result.strip():
        yield _finding(
            "missing_result",
            "result",
            "未写明办理结果：请填写办结后申请人得到什么，如“营业执照”“准予许可决定书”。",
        )


@rule("missing_contacts", "须写明咨询方式和监督投诉方式", WARNING)
def _missing_contacts(guide: GuideContent, item_type: str | None) -> Iterator[Finding]:
    kinds = [c.kind for c in guide.contacts]
    for word, label in (("咨询", "咨询方式"), ("投诉", "监督投诉方式")):
        if not any(word in kind for kind in kinds):
            yield _finding(
                "missing_contacts",
                "contacts",
                f"未写{label}：请添加一条类别含“{word}”的联系方式（电话或网址）。",
                WARNING,
            )


RULE_CODES = frozenset(r.code for r in RULES)


def lint_guide(content: GuideContent, *, item_type: str | None = None) -> list[Finding]:
    """Every finding of every rule, in rule order. ``item_type`` (ItemType value)
    is passed to each rule for type-specific checks."""
    findings: list[Finding] = []
    for each in RULES:
        findings.extend(each.check(content, item_type))
    return findings


def errors_of(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]
