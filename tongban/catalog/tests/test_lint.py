"""Guide lint (R-CT-1, R-CT-2, R-CT-8): the catch-all rule and one case per rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tongban.catalog.content import GuideContent
from tongban.catalog.lint import (
    RULE_CODES,
    RULES,
    Finding,
    catch_all_phrase,
    errors_of,
    lint_guide,
    normalise,
)
from tongban.catalog.tests.guide_factory import valid_guide


def lint(guide: dict[str, Any], item_type: str | None = "01") -> list[Finding]:
    return lint_guide(GuideContent.model_validate(guide), item_type=item_type)


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


# ── Catch-all materials ─────────────────────────────────────────────────────

CATCH_ALL_POSITIVES = [
    "其他材料",
    "其它材料",
    "其余材料",
    "有关材料",
    "相关材料",
    "其他必要的补充材料",  # R-CT-2's own example
    "有关部门相关材料",  # R-CT-2's own example
    "其 他 材 料",  # spaces
    "其\u3000他\u3000材\u3000料",  # full-width spaces
    "其他（必要）材料",  # full-width brackets
    "其他(必要)材料",  # half-width brackets
    "有关的材料",
    "其他材料。",  # trailing full-width stop
    "【其他】证明材料",
    "其他证明文件",
    "相关证明",
    "有关证件复印件",
    "必要的资料",
    "所需材料",
    "若干证明材料",
    "另外提供的材料",
    "其他书面材料",
    "其他相关手续",
    "身份证、户口簿等材料",  # enumeration ending in 等 + noun
    "身份证、户口簿等",  # enumeration ending in 等
    "身份证、户口簿等等。",
    "营业执照、章程等相关证明",
    "身份证、户口簿等复印件",
    "按要求提供的其他材料",
    "法律法规规定的其他材料",
    "法律、法规规定应当提交的材料",
    "审批机关认为需要提交的材料",
    "审批部门视情况要求补充的材料",
    "有关部门出具的批准文件",
    "其他部门要求的证明",
    "与申请事项相关的证明材料",
    "规定的材料",
    "按规定的其他补充材料",
    "其他应当提交的凭证",
]

CATCH_ALL_NEGATIVES = [
    "其他股东身份证明",  # 其他 qualifies a person, not the material
    "其余继承人放弃继承的声明书",  # the same: a person
    # 相关 qualifies 专业技术人员: the material is a named certificate. Not flagged.
    "相关专业技术人员资格证书",
    "相关资质证书",  # 资质 names the kind; vague but specific enough to ask for
    "申请书",
    "营业执照",
    "法定代表人身份证明",
    "不动产权证书",
    "高等学校毕业证书",  # 等 inside 高等, not an enumeration
    "伤残等级评定（一等）",  # a grade, not an enumeration
    "同等学力证明",
    "授权委托书（委托他人办理的）",
    "公安机关出具的无犯罪记录证明",  # a named issuer
    "房屋租赁合同",
    "材料真实性承诺书",
    "与其他共有人签订的共有协议",
    "必要时提供的现场照片",  # 必要时: a situation, not a catch-all noun
    "有关事项的情况说明",
    "建设工程规划许可证",
    "食品安全管理制度文本",
    "《食品经营许可管理办法》第十二条规定的材料",  # cites the article that lists them
]


@pytest.mark.parametrize("text", CATCH_ALL_POSITIVES)
def test_a_catch_all_material_is_recognised(text):
    assert catch_all_phrase(text) is not None, text


@pytest.mark.parametrize("text", CATCH_ALL_NEGATIVES)
def test_a_specific_material_is_not_taken_for_a_catch_all(text):
    assert catch_all_phrase(text) is None, (text, catch_all_phrase(text))


def test_the_tables_are_large_enough():
    assert len(CATCH_ALL_POSITIVES) >= 25
    assert len(CATCH_ALL_NEGATIVES) >= 15


def test_normalising_strips_spaces_punctuation_and_brackets_of_both_widths():
    assert normalise(" 其 他（必要）、材料。 ") == "其他必要材料"
    assert normalise("《中华人民共和国行政许可法》[第三十条]") == "中华人民共和国行政许可法第三十条"


@pytest.mark.parametrize(
    "text",
    [
        "其他条件",
        "法律法规规定的其他条件",
        "法律、行政法规规定的其他条件。",
        "具有固定经营场所等条件",
        "符合相关要求",
        "具备大专以上学历等",
        "提交身份证、户口簿等材料",  # a catch-all material inside a condition
    ],
)
def test_a_catch_all_condition_is_recognised(text):
    assert catch_all_phrase(text, kind="condition") is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "申请人已取得营业执照等合法主体资格",
        "年满十八周岁",
        "具有与经营规模相适应的场所",
        "符合《中华人民共和国食品安全法》第三十三条规定的条件",
        "申请人为本市户籍居民",
    ],
)
def test_a_specific_condition_is_not_taken_for_a_catch_all(text):
    assert catch_all_phrase(text, kind="condition") is None, text


def test_a_catch_all_material_name_is_an_error_at_its_path_with_a_fix():
    guide = valid_guide()
    guide["materials"][2]["name"] = "其他必要的补充材料"

    findings = lint(guide)

    assert findings == [
        Finding(
            code="catch_all_material",
            field="materials[2].name",
            message=findings[0].message,
            severity="error",
        )
    ]
    assert "其他必要的补充材料" in findings[0].message
    assert "请逐项写明" in findings[0].message


def test_a_catch_all_in_a_material_note_is_flagged_at_the_note():
    guide = valid_guide()
    guide["materials"][0]["notes"] = "另需提供身份证、户口簿等"

    assert [(f.code, f.field) for f in lint(guide)] == [
        ("catch_all_material", "materials[0].notes")
    ]


# ── The valid guide and the registry ───────────────────────────────────────


def test_the_valid_guide_has_no_findings():
    assert lint(valid_guide()) == []
    assert lint(valid_guide(), item_type=None) == []


def test_valid_guide_returns_a_fresh_copy_and_applies_overrides():
    first = valid_guide(handling="immediate")
    first["materials"].clear()
    assert first["handling"] == "immediate"
    assert len(valid_guide()["materials"]) == 4


def test_every_rule_has_a_unique_code_a_chinese_title_and_a_severity():
    assert len(RULE_CODES) == len(RULES)
    for each in RULES:
        assert each.severity in {"error", "warning"}
        assert any("\u4e00" <= ch <= "\u9fff" for ch in each.title), each.code


def test_errors_of_keeps_only_errors():
    findings = [Finding("a", "x", "m"), Finding("b", "y", "m", "warning")]
    assert errors_of(findings) == [findings[0]]


# ── One case per rule ──────────────────────────────────────────────────────

Mutation = Callable[[dict[str, Any]], None]


def _set(**values: Any) -> Mutation:
    def apply(guide: dict[str, Any]) -> None:
        guide.update(values)

    return apply


def _material(index: int, **values: Any) -> Mutation:
    def apply(guide: dict[str, Any]) -> None:
        guide["materials"][index].update(values)

    return apply


def _add_material(**values: Any) -> Mutation:
    def apply(guide: dict[str, Any]) -> None:
        guide["materials"].append({"code": "extra", "name": "补充说明", **values})

    return apply


def _option(**values: Any) -> Mutation:
    def apply(guide: dict[str, Any]) -> None:
        guide["questions"][0]["options"][1].update(values)

    return apply


def _steps_share(*shares: int) -> Mutation:
    def apply(guide: dict[str, Any]) -> None:
        guide["steps"] = [{"name": f"环节{i}", "share_percent": s} for i, s in enumerate(shares)]

    return apply


# (what is wrong, how the valid guide is changed, code, field, severity)
RULE_CASES: list[tuple[str, Mutation, str, str, str]] = [
    (
        "a catch-all material",
        _material(1, name="其他材料", source="applicant", certificate_type="", exempt=False),
        "catch_all_material",
        "materials[1].name",
        "error",
    ),
    (
        "a catch-all condition",
        _set(conditions=["年满十八周岁", "法律法规规定的其他条件"]),
        "catch_all_condition",
        "conditions[1]",
        "error",
    ),
    ("no conditions", _set(conditions=[]), "empty_conditions", "conditions", "error"),
    (
        "an empty condition",
        _set(conditions=["年满十八周岁", "   "]),
        "empty_conditions",
        "conditions[1]",
        "error",
    ),
    ("no legal basis", _set(legal_bases=[]), "missing_legal_basis", "legal_bases", "error"),
    (
        "a legal basis that is not a law's name",
        _set(legal_bases=[{"title": "上级要求", "article": ""}]),
        "legal_basis_title",
        "legal_bases[0].title",
        "warning",
    ),
    ("a fee item without fees", _set(free=False), "fee_without_basis", "fees", "error"),
    (
        "a fee without a basis",
        _set(free=False, fees=[{"name": "工本费", "standard": "每证 10 元"}]),
        "fee_without_basis",
        "fees[0].basis",
        "error",
    ),
    (
        "a free item with fees",
        _set(fees=[{"name": "工本费", "standard": "每证 10 元", "basis": "发改价格〔2017〕1号"}]),
        "fee_inconsistent",
        "fees",
        "error",
    ),
    (
        "a promise above the legal limit (same unit)",
        _set(promised_limit={"value": 25, "unit": "working_days"}),
        "promised_over_legal",
        "promised_limit",
        "error",
    ),
    (
        "limits in different units",
        _set(legal_limit={"value": 20, "unit": "natural_days"}),
        "limit_unit_mismatch",
        "promised_limit.unit",
        "warning",
    ),
    (
        "an immediate item promised in 3 days",
        _set(handling="immediate", promised_limit={"value": 3, "unit": "working_days"}),
        "immediate_over_one_day",
        "promised_limit",
        "error",
    ),
    (
        "fully online depth with a visit",
        _set(online_depth=4),
        "online_depth_visits",
        "visits_required",
        "error",
    ),
    (
        "the no-visit mode with a visit",
        _set(modes=["no_visit", "deferred_materials"]),
        "online_depth_visits",
        "modes[0]",
        "error",
    ),
    (
        "a government material the applicant must bring",
        _material(1, exempt=False),
        "government_material_not_exempt",
        "materials[1].exempt",
        "error",
    ),
    (
        "a government material without a certificate type",
        _material(1, certificate_type=""),
        "government_material_certificate_type",
        "materials[1].certificate_type",
        "error",
    ),
    (
        "two materials with the same name up to spacing",
        _add_material(name="食品经营许可 申请书"),
        "duplicate_material",
        "materials[4].name",
        "error",
    ),
    (
        "two materials with the same code",
        _add_material(code="application"),
        "duplicate_material",
        "materials[4].code",
        "error",
    ),
    ("a promised item without steps", _set(steps=[]), "missing_steps", "steps", "error"),
    (
        "step shares above 100%",
        _steps_share(60, 50),
        "step_share_over_100",
        "steps",
        "error",
    ),
    (
        "a situational material without situations",
        _material(3, situations=[]),
        "situational_material_unlinked",
        "materials[3].situations",
        "error",
    ),
    (
        "a material referring to an unknown situation",
        _material(3, situations=["agent", "minor"]),
        "situational_material_unlinked",
        "materials[3].situations[1]",
        "error",
    ),
    (
        "an answer leading to an unknown question",
        _option(next_question="q9"),
        "question_unknown_target",
        "questions[0].options[1].next_question",
        "error",
    ),
    (
        "an answer leading to an unknown situation",
        _option(situation="minor"),
        "question_unknown_target",
        "questions[0].options[1].situation",
        "error",
    ),
    (
        "an optional material marked deferrable",
        _material(2, requirement="optional"),
        "deferrable_material",
        "materials[2].deferrable",
        "warning",
    ),
    (
        "a deferrable material without the deferred-materials mode",
        _set(modes=["one_visit"]),
        "deferrable_material",
        "materials[2].deferrable",
        "warning",
    ),
    (
        "the commitment mode without a commitment text",
        _set(modes=["one_visit", "deferred_materials", "commitment"]),
        "commitment_without_text",
        "commitment_text",
        "error",
    ),
    (
        "a visit without a hall or address",
        _set(halls=[], address=""),
        "missing_location",
        "address",
        "warning",
    ),
    ("no result", _set(result=""), "missing_result", "result", "error"),
    (
        "no complaint contact",
        _set(contacts=[{"kind": "咨询电话", "value": "12345"}]),
        "missing_contacts",
        "contacts",
        "warning",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "code", "field", "severity"),
    [case[1:] for case in RULE_CASES],
    ids=[case[0] for case in RULE_CASES],
)
def test_each_rule_reports_exactly_its_finding(mutate, code, field, severity):
    guide = valid_guide()
    mutate(guide)

    findings = lint(guide)

    assert [(f.code, f.field, f.severity) for f in findings] == [(code, field, severity)]
    assert findings[0].message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in findings[0].message)


def test_every_registered_rule_has_a_case():
    assert {case[2] for case in RULE_CASES} == set(RULE_CODES)


def test_the_same_rule_may_report_several_places_in_order():
    guide = valid_guide(conditions=["其他条件", "年满十八周岁", "等等"])
    guide["materials"][0]["name"] = "有关材料"
    guide["materials"][2]["name"] = "相关材料"

    findings = lint(guide)

    assert [(f.code, f.field) for f in findings] == [
        ("catch_all_material", "materials[0].name"),
        ("catch_all_material", "materials[2].name"),
        ("catch_all_condition", "conditions[0]"),
        ("catch_all_condition", "conditions[2]"),
    ]


def test_a_promise_in_natural_days_under_working_days_is_only_a_unit_warning():
    # 7 natural days may well be within 5 working days: not provably over.
    guide = valid_guide(
        legal_limit={"value": 5, "unit": "working_days"},
        promised_limit={"value": 7, "unit": "natural_days"},
    )

    assert [(f.code, f.severity) for f in lint(guide)] == [("limit_unit_mismatch", "warning")]


def test_a_promise_in_working_days_above_a_legal_limit_in_natural_days_is_over():
    # 12 working days never take fewer than 12 natural days: provably over 10.
    guide = valid_guide(
        legal_limit={"value": 10, "unit": "natural_days"},
        promised_limit={"value": 12, "unit": "working_days"},
    )

    assert [(f.code, f.severity) for f in lint(guide)] == [
        ("promised_over_legal", "error"),
        ("limit_unit_mismatch", "warning"),
    ]


def test_an_immediate_item_may_promise_one_day():
    guide = valid_guide(handling="immediate", promised_limit={"value": 1, "unit": "natural_days"})
    guide["legal_limit"] = {"value": 20, "unit": "natural_days"}

    assert lint(guide) == []


def test_an_immediate_item_needs_no_steps_but_a_promised_one_does():
    assert lint(valid_guide(handling="immediate", promised_limit={"value": 0}, steps=[])) == []


def test_the_deferred_materials_mode_with_nothing_deferrable_is_a_warning():
    guide = valid_guide()
    guide["materials"][2]["deferrable"] = False

    assert [(f.code, f.field, f.severity) for f in lint(guide)] == [
        ("deferrable_material", "modes[2]", "warning")
    ]


def test_a_licence_separation_commitment_needs_the_commitment_text():
    guide = valid_guide(licence_separation="commitment")

    assert codes(lint(guide)) == {"commitment_without_text"}
    guide["commitment_text"] = "本人承诺已符合经营许可条件，如有不实，愿承担相应法律责任。"
    assert lint(guide) == []


def test_a_fully_online_item_needs_depth_four_and_no_visits():
    guide = valid_guide(modes=["fully_online", "deferred_materials"], online_depth=4)

    findings = lint(guide)

    assert {(f.code, f.field) for f in findings} == {
        ("online_depth_visits", "visits_required"),
        ("online_depth_visits", "modes[0]"),
    }
    guide["visits_required"] = 0
    assert lint(guide) == []
    guide["online_depth"] = 3
    assert [(f.code, f.field) for f in lint(guide)] == [("online_depth_visits", "online_depth")]
