"""Catch-all clauses (模糊兜底条款, 国办发〔2018〕45号 "清理模糊兜底条款").

``catch_all_phrase(text)`` finds "其他材料", "有关部门出具的文件", "…等" and their
variants by a rule rather than a list of exact strings; ``normalise`` is the
spelling-insensitive form it works on. Used by the guide lint (``catalog.lint``)
and by the bundles' merged material list.
"""

from __future__ import annotations

import re

# --------------------------------------------------------------------------
# Catch-all clauses (模糊兜底条款)
# --------------------------------------------------------------------------

# Normalisation: spaces (also full-width), punctuation of both widths and
# brackets go, so that "其 他 材 料", "其他（必要）材料" and "其他、材料。" all
# read "其他必要材料" / "其他材料".
_NOISE = re.compile(
    r"[\s\u3000_\-—–~～·•・,，.。、;；:：!！?？'\"‘’“”`´()（）\[\]【】{}｛｝<>〈〉《》«»「」『』〔〕/／\\|｜*＊…]+"
)

# A vague determiner: it says "some more of whatever" instead of naming a thing.
_DETERMINER = (
    r"(?:其他|其它|其余|有关|相关|另外|另行|若干|必要|必需|所需|需要"
    r"|一切|各类|各种|所有|要求的)"
)
# Words that may stand between the determiner and the noun without making the
# noun specific: "其他必要的补充材料", "有关的书面证明". Anything else there (a
# person, a subject: "其他股东身份证明", "相关专业技术人员资格证书") means the
# determiner qualifies that word, not the material, and the text is not flagged.
_FILLER = (
    r"(?:的|之|及|和|或|与|必要|必需|必须|需要|所需|需|应当|应|须|补充|补正|相关|有关|其他|其它|其余"
    r"|另行|另外|规定|要求|提交|提供|出具|具备|审查|审核|办理|申请|相应|具体|更多|书面|纸质|电子)"
)
_MATERIAL_NOUN = r"(?:证明材料|材料|资料|文件|证明|证件|证书|证照|手续|文书|凭证|附件|复印件)"
_CONDITION_NOUN = r"(?:条件|要求|情形|标准)"
# A vague authority: "有关部门出具的批准文件" — which department, which document?
_VAGUE_AUTHORITY = r"(?:有关|相关|其他|其它)(?:部门|单位|机关|机构)"
# An ordinal or grade before 等 is a grade, not an enumeration ("一等", "特等").
_NOT_ENUMERATION = r"(?<![一二三四五六七八九十甲乙丙丁特同上中下高低初])"
# "第三十三条规定的条件" cites an article: specific, unlike "法律法规规定的条件".
_NOT_ARTICLE = r"(?<![条款项])"


def _patterns(noun: str) -> list[re.Pattern[str]]:
    return [
        # (a) a vague determiner qualifying the generic noun, directly or through
        #     vague words: 其他材料, 有关的材料, 其他必要的补充材料, 法律法规规定的其他材料.
        re.compile(f"{_DETERMINER}{_FILLER}{{0,5}}{noun}"),
        # (b) an enumeration that ends in 等/等等, with or without a generic noun:
        #     "身份证、户口簿等材料", "营业执照等", "…等有关证件".
        re.compile(f"{_NOT_ENUMERATION}等等?{_FILLER}{{0,3}}{noun}"),
        re.compile(f"{_NOT_ENUMERATION}等等?$"),
        # (c) documents left to someone's discretion or to an unnamed rule:
        #     "审批机关认为需要提交的材料", "…要求提供的材料", "法律法规规定应当提交的材料",
        #     "有关部门相关材料", "有关部门出具的批准文件".
        re.compile(
            f"(?:认为|视情况|视情|根据需要|根据情况|按需)(?:需要|必要|有必要|应当|要求)?"
            f"{_FILLER}{{0,4}}{noun}"
        ),
        # "…规定的…" is vague unless it cites an article: "第三十三条规定的条件" is not.
        re.compile(f"{_NOT_ARTICLE}规定的{_FILLER}{{0,4}}{noun}"),
        re.compile(
            f"(?:要求|{_NOT_ARTICLE}规定)(?:应当|应|须|需要|需)?(?:提交|提供|补充|出具)的{noun}"
        ),
        re.compile(f"{_VAGUE_AUTHORITY}.{{0,12}}?{noun}"),
    ]


_MATERIAL_PATTERNS = _patterns(_MATERIAL_NOUN)
_CONDITION_PATTERNS = _patterns(_CONDITION_NOUN) + _MATERIAL_PATTERNS


def normalise(text: str) -> str:
    """The text without spaces, punctuation and brackets (both widths)."""
    return _NOISE.sub("", text or "")


def catch_all_phrase(text: str, *, kind: str = "material") -> str | None:
    """The vague catch-all phrase in ``text`` (normalised), or None.

    ``kind`` "material" looks for vague materials; "condition" also for vague
    conditions ("其他条件", "法律法规规定的其他条件", "等条件", "国家有关规定").
    """
    flat = normalise(text)
    patterns = _CONDITION_PATTERNS if kind == "condition" else _MATERIAL_PATTERNS
    for pattern in patterns:
        match = pattern.search(flat)
        if match:
            return match.group(0)
    return None
