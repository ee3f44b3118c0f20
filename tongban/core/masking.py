"""Masking for display (DESIGN §8, R-SC-1): shown masked unless unmasking is allowed."""

from __future__ import annotations

# 复姓: the common two-character surnames, so that 欧阳修 shows as 欧阳*.
COMPOUND_SURNAMES = frozenset(
    {
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
        "宇文", "司徒", "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "百里",
        "呼延", "万俟", "闻人", "赫连", "澹台", "公冶", "宗政", "濮阳", "太叔", "申屠",
        "钟离", "鲜于", "闾丘", "司空", "亓官", "司寇", "子车", "颛孙", "拓跋", "东郭",
        "公羊", "梁丘", "左丘", "第五",
    }
)  # fmt: skip


def mask_id_number(value: str) -> str:
    """ID number: first 6 and last 4 kept (110101********1234)."""
    value = value.strip()
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """Phone: first 3 and last 4 kept (138****5678)."""
    value = value.strip()
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """Name: the surname kept, the rest starred (张*, 欧阳*)."""
    value = value.strip()
    if not value:
        return ""
    surname_len = 2 if value[:2] in COMPOUND_SURNAMES and len(value) > 2 else 1
    return value[:surname_len] + "*" * max(1, len(value) - surname_len)


def mask_bank_account(value: str) -> str:
    """Bank account: first 4 and last 4 kept (6222********1234)."""
    value = "".join(value.split())
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_text(value: str) -> str:
    """Other personal text (a person's address): the first third kept, at most
    six characters (南京市玄武区****), the rest starred; never its length."""
    value = value.strip()
    if not value:
        return ""
    kept = min(6, len(value) // 3)
    return value[:kept] + "****"
