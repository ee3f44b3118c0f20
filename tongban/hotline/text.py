"""Chinese text of work orders: words (jieba), topic words, addresses, phones."""

from __future__ import annotations

import re
from collections.abc import Iterable

from tongban.catalog.search import segment
from tongban.core import errors as core_errors
from tongban.core.errors import DomainError
from tongban.hotline import errors

# Words with no topic of their own in a caller's account: dropped from hot
# topics and from the classifier's features.
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "我",
        "我们",
        "你",
        "你们",
        "他",
        "她",
        "他们",
        "它",
        "要",
        "想",
        "去",
        "需要",
        "怎么",
        "怎样",
        "如何",
        "哪里",
        "哪儿",
        "什么",
        "有",
        "没有",
        "没",
        "不",
        "也",
        "都",
        "就",
        "还",
        "又",
        "很",
        "太",
        "吧",
        "啊",
        "呢",
        "吗",
        "呀",
        "哦",
        "嘛",
        "这",
        "那",
        "这个",
        "那个",
        "这里",
        "那里",
        "一个",
        "一下",
        "一些",
        "已经",
        "现在",
        "今天",
        "昨天",
        "明天",
        "时候",
        "问题",
        "情况",
        "反映",
        "希望",
        "请",
        "请问",
        "能否",
        "能不能",
        "可以",
        "是否",
        "相关",
        "部门",
        "处理",
        "解决",
        "市民",
        "来电",
        "来电人",
        "本人",
        "自己",
        "家",
        "一直",
        "每天",
        "天天",
        "经常",
        "多次",
        "几次",
        "好几",
        "好几次",
        "一次",
        "两次",
        "三次",
        "上次",
        "因为",
        "所以",
        "但是",
        "可是",
        "而且",
        "然后",
        "就是",
        "还是",
        "或者",
        "如果",
        "谢谢",
        "麻烦",
        "帮忙",
        "一",
        "二",
        "三",
        "个",
        "年",
        "月",
        "日",
        "号",
        "点",
        "天",
        "次",
        "后",
        "前",
        "里",
        "中",
        "上",
        "下",
        "到",
        "给",
        "被",
        "把",
        "让",
        "对",
        "从",
        "向",
        "跟",
        "说",
        "看",
        "做",
        "过",
        "会",
        "能",
        "该",
        "等",
        "后来",
        "目前",
        "其实",
        "真的",
        "非常",
        "特别",
        "严重",
        "影响",
        "附近",
        "小区",
        "楼下",
        "门口",
        "马路",
        "路上",
        "地方",
        "这边",
        "那边",
        "一点",
        "有人",
        "有些",
        "为什么",
        "怎么办",
    ]
)
_SPACE = re.compile(r"\s+")
_ADDRESS_NOISE = re.compile(r"[\s,，。.、;；:：()（）\-—_/#号]+")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# 区号 (3 or 4 digits starting with 0) and a 7- or 8-digit number.
_FIXED = re.compile(r"^0\d{2,3}\d{7,8}$")


def words(text: str) -> list[str]:
    """The jieba words (search mode) of ``text``, lower-cased, without punctuation."""
    return segment(text or "")


def topic_words(text: str) -> list[str]:
    """Words that may name a topic: two or more characters, not stop words, not numbers."""
    return [
        w
        for w in words(text)
        if len(w) >= 2 and w not in STOPWORDS and not w.isdigit() and not w.isascii()
    ]


def token_text(parts: Iterable[str]) -> str:
    """The stored token column: the words of ``parts``, space-separated."""
    return " ".join(words(" ".join(p for p in parts if p)))[:20000]


def address_key(address: str) -> str:
    """An address with spaces, punctuation and 号 removed, for "same place" counts."""
    return _ADDRESS_NOISE.sub("", (address or "").strip().lower())[:120]


def normalize_phone(value: str, *, field: str = "caller.phone") -> str:
    """A mobile number (11 digits) or a fixed line with its area code, digits only.

    Refused with ``work_order_caller_invalid``: anything else ("a phone that
    is not a phone")."""
    digits = re.sub(r"[\s\-()（）]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if _MOBILE.match(digits) or _FIXED.match(digits):
        return digits
    raise DomainError(
        errors.CALLER_INVALID,
        "联系电话无效：应为 11 位手机号码，或带区号的固定电话（如 025-83456789）。",
        fields=[{"field": field, "code": "invalid_phone", "message": "联系电话无效"}],
    )


def clean_text(
    value: str | None, *, field: str, label: str, max_length: int, required: bool = False
) -> str:
    """Stripped text, whitespace runs kept as typed; refused when too long or missing."""
    text = (value or "").strip()
    if required and not text:
        raise DomainError(
            errors.CONTENT_REQUIRED if field.endswith("content") else core_errors.VALIDATION_FAILED,
            f"{label}不能为空。",
            fields=[{"field": field, "code": "missing", "message": f"{label}不能为空"}],
        )
    if len(text) > max_length:
        raise DomainError(
            core_errors.VALIDATION_FAILED,
            f"{label}不能超过 {max_length} 个字符。",
            fields=[
                {"field": field, "code": "too_long", "message": f"不能超过 {max_length} 个字符"}
            ],
        )
    return text


def one_line(value: str) -> str:
    return _SPACE.sub(" ", value or "").strip()
