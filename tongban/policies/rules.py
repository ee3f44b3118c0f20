"""Eligibility rules of a policy over the 法人库, and why a business meets them.

``Policy.rules`` is a JSON object; every key is optional and all given keys
must hold (an empty object concerns every business in operation):

- ``industry``: GB/T 4754-2017 codes or prefixes — 门类 ``"H"``, 大类 ``"H62"``,
  中类 ``"H621"``, 小类 ``"H6210"``; any one matches;
- ``size``: size classes (``large``, ``medium``, ``small``, ``micro``);
- ``region``: GB/T 2260 region codes or prefixes (``"32"``, ``"3201"``, ``"320102"``);
- ``min_years`` / ``max_years``: full years since establishment, inclusive;
- ``credit``: credit classes (``A``, ``B``, ``M``, ``C``, ``D``).

:func:`candidates_q` selects matching businesses in SQL (a million rows are
never loaded to be tested); :func:`explain` says in words why one matched,
from the same rules, and is the check the tests hold the SQL to.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from tongban.core.errors import DomainError
from tongban.policies import errors
from tongban.policies.models import CreditClass, SizeClass

INDUSTRY = re.compile(r"^[A-T](\d{2}(\d(\d)?)?)?$")
REGION = re.compile(r"^\d{2}(\d{2}){0,2}$")
KEYS = ("industry", "size", "region", "min_years", "max_years", "credit")


@dataclass(frozen=True)
class Rules:
    industry: tuple[str, ...] = ()
    size: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    min_years: int | None = None
    max_years: int | None = None
    credit: tuple[str, ...] = ()


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(
        errors.POLICY_RULES_INVALID, message, fields=[{"field": field, "message": message}]
    )


def _codes(
    raw: dict[str, Any], key: str, pattern: re.Pattern[str] | None, allowed: Any
) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _invalid(key, f"{key} 应为字符串列表")
    codes = tuple(sorted({v.strip().upper() if key != "size" else v.strip() for v in value}))
    for code in codes:
        if pattern is not None and not pattern.match(code):
            raise _invalid(key, f"{key} 中的 {code!r} 不是有效代码")
        if allowed is not None and code not in allowed:
            raise _invalid(key, f"{key} 中的 {code!r} 不是可选值")
    return codes


def _years(raw: dict[str, Any], key: str) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 200:
        raise _invalid(key, f"{key} 应为 0 到 200 之间的整数")
    return value


def parse(raw: Any) -> Rules:
    """The rules of a policy, or ``policy_rules_invalid`` naming the field."""
    if not isinstance(raw, dict):
        raise _invalid("rules", "适用条件应为对象")
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise _invalid(unknown[0], f"未知的条件：{'、'.join(unknown)}")
    rules = Rules(
        industry=_codes(raw, "industry", INDUSTRY, None),
        size=_codes(raw, "size", None, SizeClass.values),
        region=_codes(raw, "region", REGION, None),
        min_years=_years(raw, "min_years"),
        max_years=_years(raw, "max_years"),
        credit=_codes(raw, "credit", None, CreditClass.values),
    )
    low, high = rules.min_years, rules.max_years
    if low is not None and high is not None and low > high:
        raise _invalid("min_years", "min_years 不能大于 max_years")
    return rules


def years_ago(today: dt.date, years: int) -> dt.date:
    """The same day ``years`` years before (29 February → 28 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def full_years(established: dt.date, today: dt.date) -> int:
    years = today.year - established.year
    return years - 1 if (today.month, today.day) < (established.month, established.day) else years


def _any_prefix(field: str, prefixes: tuple[str, ...]) -> Q:
    q = Q()
    for prefix in prefixes:
        q |= Q(**{f"{field}__startswith": prefix})
    return q


def candidates_q(rules: Rules, today: dt.date) -> Q:
    """A filter on ``sharing.BusinessRecord`` for the businesses the rules concern."""
    q = Q(status="in_business")
    if rules.industry:
        q &= _any_prefix("classification__industry_code", rules.industry)
    if rules.size:
        q &= Q(classification__size_class__in=rules.size)
    if rules.credit:
        q &= Q(classification__credit_class__in=rules.credit)
    if rules.region:
        q &= _any_prefix("region_code", rules.region)
    if rules.min_years is not None:
        q &= Q(established_on__lte=years_ago(today, rules.min_years))
    if rules.max_years is not None:
        q &= Q(established_on__gt=years_ago(today, rules.max_years + 1))
    return q


# (region_code, established_on, industry_code, size_class, credit_class) -> matches;
# the classification's three are None for a business without one.
Test = Callable[[str, dt.date, str | None, str | None, str | None], bool]


def compile_rules(rules: Rules, today: dt.date) -> Test:
    """The rules as one plain function of a business's facts, for matching many
    policies in one pass (``policies.batch``): the same conditions as
    :func:`candidates_q`, without SQL."""
    industry = rules.industry
    sizes = frozenset(rules.size)
    credits = frozenset(rules.credit)
    regions = rules.region
    needs_class = bool(industry or sizes or credits)
    oldest = years_ago(today, rules.min_years) if rules.min_years is not None else None
    newest = years_ago(today, rules.max_years + 1) if rules.max_years is not None else None

    def test(
        region: str,
        established: dt.date,
        industry_code: str | None,
        size: str | None,
        credit: str | None,
    ) -> bool:
        if industry_code is None:
            if needs_class:
                return False
        elif industry and not industry_code.startswith(industry):
            return False
        if sizes and size not in sizes:
            return False
        if credits and credit not in credits:
            return False
        if regions and not region.startswith(regions):
            return False
        if oldest is not None and established > oldest:
            return False
        return newest is None or established > newest

    return test


def explain(rules: Rules, record: Any, today: dt.date) -> list[str] | None:
    """Why ``record`` (a BusinessRecord with its classification) meets the rules,
    one line per condition; ``None`` when it does not."""
    if record.status != "in_business":
        return None
    reasons: list[str] = []
    c: Any = getattr(record, "classification", None)
    if (rules.industry or rules.size or rules.credit) and c is None:
        return None
    if rules.industry:
        hit = next((p for p in rules.industry if c.industry_code.startswith(p)), None)
        if hit is None:
            return None
        reasons.append(f"所属行业 {c.industry_code} 属于政策支持的行业 {hit}（GB/T 4754）")
    if rules.size:
        if c.size_class not in rules.size:
            return None
        reasons.append(f"企业规模为{SizeClass(c.size_class).label}")
    if rules.region:
        hit = next((p for p in rules.region if record.region_code.startswith(p)), None)
        if hit is None:
            return None
        reasons.append(f"登记地 {record.region_code} 在政策适用地区 {hit} 内")
    if rules.min_years is not None or rules.max_years is not None:
        years = full_years(record.established_on, today)
        if rules.min_years is not None and years < rules.min_years:
            return None
        if rules.max_years is not None and years > rules.max_years:
            return None
        low = rules.min_years if rules.min_years is not None else 0
        high = f"{rules.max_years} 年" if rules.max_years is not None else "不限"
        reasons.append(
            f"成立 {years} 年（{record.established_on:%Y-%m-%d}），要求 {low} 年至{high}"
        )
    if rules.credit:
        if c.credit_class not in rules.credit:
            return None
        reasons.append(f"纳税信用等级为 {c.credit_class} 级")
    if not reasons:
        reasons.append("政策面向所有在营企业")
    return reasons
